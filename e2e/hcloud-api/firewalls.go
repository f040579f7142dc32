package main

import (
	"net/http"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

func rulesOf(req []schema.FirewallRuleRequest) []schema.FirewallRule {
	out := []schema.FirewallRule{}
	for _, r := range req {
		out = append(out, schema.FirewallRule{
			Direction: r.Direction, SourceIPs: nonNil(r.SourceIPs), DestinationIPs: nonNil(r.DestinationIPs),
			Protocol: r.Protocol, Port: r.Port, Description: r.Description,
		})
	}
	return out
}

func (s *store) listFirewalls(w http.ResponseWriter, r *http.Request) {
	out := []schema.Firewall{}
	for _, f := range sorted(s.firewalls) {
		if matches(r, f.Name, f.Labels) {
			out = append(out, *f)
		}
	}
	writeJSON(w, http.StatusOK, listPage("firewalls", out, len(out)))
}

func (s *store) createFirewall(w http.ResponseWriter, r *http.Request) {
	var req schema.FirewallCreateRequest
	if !decode(w, r, &req) {
		return
	}
	f := &schema.Firewall{ID: s.id(), Name: req.Name, Labels: labelsOf(req.Labels), Created: time.Now().UTC(), Rules: rulesOf(req.Rules), AppliedTo: []schema.FirewallResource{}}
	s.firewalls[f.ID] = f
	actions := []schema.Action{}
	if len(req.Rules) > 0 {
		actions = append(actions, s.action("set_firewall_rules", ref("firewall", f.ID)))
	}
	for _, res := range req.ApplyTo {
		actions = append(actions, s.applyFirewall(f, res))
	}
	writeJSON(w, http.StatusCreated, schema.FirewallCreateResponse{Firewall: *f, Actions: actions})
}

func (s *store) getFirewall(w http.ResponseWriter, r *http.Request) {
	if f := lookup(w, r, s.firewalls, "firewall"); f != nil {
		writeJSON(w, http.StatusOK, schema.FirewallGetResponse{Firewall: *f})
	}
}

func (s *store) updateFirewall(w http.ResponseWriter, r *http.Request) {
	f := lookup(w, r, s.firewalls, "firewall")
	var req schema.FirewallUpdateRequest
	if f == nil || !decode(w, r, &req) {
		return
	}
	if req.Name != nil {
		f.Name = *req.Name
	}
	if req.Labels != nil {
		f.Labels = *req.Labels
	}
	writeJSON(w, http.StatusOK, schema.FirewallUpdateResponse{Firewall: *f})
}

func (s *store) deleteFirewall(w http.ResponseWriter, r *http.Request) {
	f := lookup(w, r, s.firewalls, "firewall")
	if f == nil {
		return
	}
	if len(f.AppliedTo) > 0 {
		writeError(w, http.StatusUnprocessableEntity, "resource_in_use", "firewall is still in use")
		return
	}
	delete(s.firewalls, f.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (s *store) firewallAction(w http.ResponseWriter, r *http.Request) {
	f := lookup(w, r, s.firewalls, "firewall")
	if f == nil {
		return
	}
	actions := []schema.Action{}
	switch r.PathValue("action") {
	case "set_rules":
		var req schema.FirewallActionSetRulesRequest
		if !decode(w, r, &req) {
			return
		}
		f.Rules = rulesOf(req.Rules)
		actions = append(actions, s.action("set_firewall_rules", ref("firewall", f.ID)))
	case "apply_to_resources":
		var req schema.FirewallActionApplyToResourcesRequest
		if !decode(w, r, &req) {
			return
		}
		for _, res := range req.ApplyTo {
			actions = append(actions, s.applyFirewall(f, res))
		}
	case "remove_from_resources":
		var req schema.FirewallActionRemoveFromResourcesRequest
		if !decode(w, r, &req) {
			return
		}
		for _, res := range req.RemoveFrom {
			actions = append(actions, s.removeFirewall(f, res))
		}
	default:
		notFound(w, "action "+r.PathValue("action"))
		return
	}
	writeJSON(w, http.StatusCreated, schema.FirewallActionSetRulesResponse{Actions: actions})
}

// applyFirewall attaches f to a server (label selectors are kept as given, not resolved).
func (s *store) applyFirewall(f *schema.Firewall, res schema.FirewallResource) schema.Action {
	f.AppliedTo = append(f.AppliedTo, res)
	if res.Server != nil {
		if srv, ok := s.servers[res.Server.ID]; ok {
			srv.PublicNet.Firewalls = append(srv.PublicNet.Firewalls, schema.ServerFirewall{ID: f.ID, Status: "applied"})
		}
		return s.action("apply_firewall", ref("firewall", f.ID), ref("server", res.Server.ID))
	}
	return s.action("apply_firewall", ref("firewall", f.ID))
}

func (s *store) removeFirewall(f *schema.Firewall, res schema.FirewallResource) schema.Action {
	kept := []schema.FirewallResource{}
	for _, a := range f.AppliedTo {
		same := a.Type == res.Type && ((a.Server != nil && res.Server != nil && a.Server.ID == res.Server.ID) ||
			(a.LabelSelector != nil && res.LabelSelector != nil && a.LabelSelector.Selector == res.LabelSelector.Selector))
		if !same {
			kept = append(kept, a)
		}
	}
	f.AppliedTo = kept
	if res.Server != nil {
		if srv, ok := s.servers[res.Server.ID]; ok {
			srv.PublicNet.Firewalls = withoutFirewall(srv.PublicNet.Firewalls, f.ID)
		}
	}
	return s.action("remove_firewall", ref("firewall", f.ID))
}

func withoutFirewall(fs []schema.ServerFirewall, id int64) []schema.ServerFirewall {
	out := []schema.ServerFirewall{}
	for _, f := range fs {
		if f.ID != id {
			out = append(out, f)
		}
	}
	return out
}
