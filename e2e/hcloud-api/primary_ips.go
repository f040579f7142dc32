package main

import (
	"net/http"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

func (s *store) listPrimaryIPs(w http.ResponseWriter, r *http.Request) {
	out := []schema.PrimaryIP{}
	for _, p := range sorted(s.primaryIPs) {
		if matches(r, p.Name, p.Labels) && (r.URL.Query().Get("ip") == "" || r.URL.Query().Get("ip") == p.IP) {
			out = append(out, *p)
		}
	}
	writeJSON(w, http.StatusOK, listPage("primary_ips", out, len(out)))
}

func (s *store) createPrimaryIP(w http.ResponseWriter, r *http.Request) {
	var req schema.PrimaryIPCreateRequest
	if !decode(w, r, &req) {
		return
	}
	loc, ok := locationByName(req.Location)
	if req.AssigneeID == nil && !ok {
		writeError(w, http.StatusUnprocessableEntity, "invalid_input", "location is required when no assignee_id is given")
		return
	}
	if req.Type != "ipv4" && req.Type != "ipv6" {
		writeError(w, http.StatusUnprocessableEntity, "invalid_input", "type must be ipv4 or ipv6")
		return
	}
	p := &schema.PrimaryIP{
		ID: s.id(), Name: req.Name, Type: req.Type, AssigneeType: req.AssigneeType, AssigneeID: req.AssigneeID,
		Labels: labelsOf(req.Labels), AutoDelete: req.AutoDelete != nil && *req.AutoDelete, Created: time.Now().UTC(),
		Location: loc, DNSPtr: []schema.PrimaryIPDNSPTR{},
	}
	if p.AssigneeType == "" {
		p.AssigneeType = "server"
	}
	if req.Type == "ipv4" {
		p.IP = s.allocIPv4()
	} else {
		p.IP = s.allocIPv6()
	}
	s.primaryIPs[p.ID] = p
	var action *schema.Action
	if p.AssigneeID != nil {
		a := s.action("assign_primary_ip", ref("primary_ip", p.ID), ref("server", *p.AssigneeID))
		action = &a
	}
	writeJSON(w, http.StatusCreated, schema.PrimaryIPCreateResponse{PrimaryIP: *p, Action: action})
}

func (s *store) getPrimaryIP(w http.ResponseWriter, r *http.Request) {
	if p := lookup(w, r, s.primaryIPs, "primary IP"); p != nil {
		writeJSON(w, http.StatusOK, schema.PrimaryIPGetResponse{PrimaryIP: *p})
	}
}

func (s *store) updatePrimaryIP(w http.ResponseWriter, r *http.Request) {
	p := lookup(w, r, s.primaryIPs, "primary IP")
	var req schema.PrimaryIPUpdateRequest
	if p == nil || !decode(w, r, &req) {
		return
	}
	if req.Name != "" {
		p.Name = req.Name
	}
	if req.Labels != nil {
		p.Labels = *req.Labels
	}
	if req.AutoDelete != nil {
		p.AutoDelete = *req.AutoDelete
	}
	writeJSON(w, http.StatusOK, schema.PrimaryIPUpdateResponse{PrimaryIP: *p})
}

func (s *store) deletePrimaryIP(w http.ResponseWriter, r *http.Request) {
	p := lookup(w, r, s.primaryIPs, "primary IP")
	if p == nil {
		return
	}
	if p.Protection.Delete {
		writeError(w, http.StatusLocked, "protected", "primary IP is delete protected")
		return
	}
	if p.AssigneeID != nil {
		writeError(w, http.StatusUnprocessableEntity, "must_be_unassigned", "primary IP must be unassigned before it can be deleted")
		return
	}
	delete(s.primaryIPs, p.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (s *store) primaryIPAction(w http.ResponseWriter, r *http.Request) {
	p := lookup(w, r, s.primaryIPs, "primary IP")
	if p == nil {
		return
	}
	switch r.PathValue("action") {
	case "assign":
		var req schema.PrimaryIPActionAssignRequest
		if !decode(w, r, &req) {
			return
		}
		s.assignPrimaryIP(p, req.AssigneeID)
	case "unassign":
		s.unassignPrimaryIP(p)
	case "change_protection":
		var req schema.PrimaryIPActionChangeProtectionRequest
		if !decode(w, r, &req) {
			return
		}
		p.Protection.Delete = req.Delete
	default:
		notFound(w, "action "+r.PathValue("action"))
		return
	}
	a := s.action(r.PathValue("action")+"_primary_ip", ref("primary_ip", p.ID))
	writeJSON(w, http.StatusCreated, schema.PrimaryIPActionAssignResponse{Action: a})
}

// assignPrimaryIP keeps both sides in step: the IP's assignee and the server's public_net.
func (s *store) assignPrimaryIP(p *schema.PrimaryIP, serverID int64) {
	p.AssigneeID = &serverID
	if srv, ok := s.servers[serverID]; ok {
		setServerIP(srv, p)
	}
}

func (s *store) unassignPrimaryIP(p *schema.PrimaryIP) {
	if p.AssigneeID != nil {
		if srv, ok := s.servers[*p.AssigneeID]; ok {
			clearServerIP(srv, p)
		}
	}
	p.AssigneeID = nil
}
