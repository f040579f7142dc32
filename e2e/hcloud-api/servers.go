package main

import (
	"net/http"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

func (s *store) listServers(w http.ResponseWriter, r *http.Request) {
	out := []schema.Server{}
	for _, srv := range sorted(s.servers) {
		if matches(r, srv.Name, srv.Labels) {
			out = append(out, *srv)
		}
	}
	writeJSON(w, http.StatusOK, listPage("servers", out, len(out)))
}

func (s *store) createServer(w http.ResponseWriter, r *http.Request) {
	var req schema.ServerCreateRequest
	if !decode(w, r, &req) {
		return
	}
	st, img, loc, problem := resolveServer(req)
	if problem != "" {
		writeError(w, http.StatusUnprocessableEntity, "invalid_input", problem)
		return
	}
	srv := &schema.Server{
		ID: s.id(), Name: req.Name, Status: "running", Created: time.Now().UTC(), ServerType: st, Image: &img,
		Location: loc, Labels: labelsOf(req.Labels), Volumes: nonNil(req.Volumes), PrivateNet: []schema.ServerPrivateNet{},
		LoadBalancers: []int64{}, PrimaryDiskSize: st.Disk, IncludedTraffic: 21990232555520,
		PublicNet: schema.ServerPublicNet{FloatingIPs: []int64{}, Firewalls: []schema.ServerFirewall{}, IPv6: schema.ServerPublicNetIPv6{DNSPtr: []schema.ServerPublicNetIPv6DNSPtr{}}},
	}
	s.servers[srv.ID] = srv
	if problem := s.attachPublicNet(srv, req.PublicNet, loc); problem != "" {
		delete(s.servers, srv.ID)
		writeError(w, http.StatusUnprocessableEntity, "invalid_input", problem)
		return
	}
	next := []schema.Action{}
	for _, fw := range req.Firewalls {
		if f, ok := s.firewalls[fw.Firewall]; ok {
			next = append(next, s.applyFirewall(f, schema.FirewallResource{Type: "server", Server: &schema.FirewallResourceServer{ID: srv.ID}}))
		}
	}
	created := s.action("create_server", ref("server", srv.ID))
	writeJSON(w, http.StatusCreated, schema.ServerCreateResponse{Server: *srv, Action: created, NextActions: next})
}

// resolveServer looks the request's names up in the catalog, as the API does.
func resolveServer(req schema.ServerCreateRequest) (schema.ServerType, schema.Image, schema.Location, string) {
	var st schema.ServerType
	var img schema.Image
	for _, t := range serverTypes {
		if t.Name == req.ServerType.Name || (req.ServerType.ID != 0 && t.ID == req.ServerType.ID) {
			st = t
		}
	}
	for _, i := range images {
		if *i.Name == req.Image.Name || (req.Image.ID != 0 && i.ID == req.Image.ID) {
			img = i
		}
	}
	loc, ok := locationByName(req.Location)
	switch {
	case st.ID == 0:
		return st, img, loc, "server_type not found"
	case img.ID == 0:
		return st, img, loc, "image not found"
	case !ok:
		loc = locations[0]
	}
	return st, img, loc, ""
}

// attachPublicNet assigns the requested primary IPs (or new ones) to the server.
func (s *store) attachPublicNet(srv *schema.Server, pn *schema.ServerCreatePublicNet, loc schema.Location) string {
	enable4, enable6, id4, id6 := true, true, int64(0), int64(0)
	if pn != nil {
		enable4, enable6, id4, id6 = pn.EnableIPv4, pn.EnableIPv6, pn.IPv4ID, pn.IPv6ID
	}
	for _, fam := range []struct {
		on   bool
		id   int64
		kind string
	}{{enable4, id4, "ipv4"}, {enable6, id6, "ipv6"}} {
		if !fam.on {
			continue
		}
		p, ok := s.primaryIPs[fam.id]
		if fam.id != 0 && (!ok || p.Type != fam.kind) {
			return fam.kind + " primary IP not found"
		}
		if fam.id != 0 && p.AssigneeID != nil {
			return "primary IP " + p.IP + " is already assigned"
		}
		if fam.id == 0 {
			p = &schema.PrimaryIP{ID: s.id(), Type: fam.kind, Name: fam.kind + "-" + srv.Name, AssigneeType: "server", AutoDelete: true, Location: loc, Labels: map[string]string{}, DNSPtr: []schema.PrimaryIPDNSPTR{}, Created: time.Now().UTC()}
			if fam.kind == "ipv4" {
				p.IP = s.allocIPv4()
			} else {
				p.IP = s.allocIPv6()
			}
			s.primaryIPs[p.ID] = p
		}
		s.assignPrimaryIP(p, srv.ID)
	}
	return ""
}

func setServerIP(srv *schema.Server, p *schema.PrimaryIP) {
	if p.Type == "ipv4" {
		srv.PublicNet.IPv4 = schema.ServerPublicNetIPv4{ID: p.ID, IP: p.IP, DNSPtr: "static." + p.IP + ".clients.your-server.de"}
	} else {
		srv.PublicNet.IPv6 = schema.ServerPublicNetIPv6{ID: p.ID, IP: p.IP, DNSPtr: []schema.ServerPublicNetIPv6DNSPtr{}}
	}
}

func clearServerIP(srv *schema.Server, p *schema.PrimaryIP) {
	if p.Type == "ipv4" && srv.PublicNet.IPv4.ID == p.ID {
		srv.PublicNet.IPv4 = schema.ServerPublicNetIPv4{}
	}
	if p.Type == "ipv6" && srv.PublicNet.IPv6.ID == p.ID {
		srv.PublicNet.IPv6 = schema.ServerPublicNetIPv6{DNSPtr: []schema.ServerPublicNetIPv6DNSPtr{}}
	}
}

func (s *store) getServer(w http.ResponseWriter, r *http.Request) {
	if srv := lookup(w, r, s.servers, "server"); srv != nil {
		writeJSON(w, http.StatusOK, schema.ServerGetResponse{Server: *srv})
	}
}

func (s *store) updateServer(w http.ResponseWriter, r *http.Request) {
	srv := lookup(w, r, s.servers, "server")
	var req schema.ServerUpdateRequest
	if srv == nil || !decode(w, r, &req) {
		return
	}
	if req.Name != "" {
		srv.Name = req.Name
	}
	if req.Labels != nil {
		srv.Labels = *req.Labels
	}
	writeJSON(w, http.StatusOK, schema.ServerUpdateResponse{Server: *srv})
}

// deleteServer releases what the API releases with a server: primary IPs (deleted when
// auto_delete, else unassigned), firewall attachments and volume attachments.
func (s *store) deleteServer(w http.ResponseWriter, r *http.Request) {
	srv := lookup(w, r, s.servers, "server")
	if srv == nil {
		return
	}
	if srv.Protection.Delete {
		writeError(w, http.StatusLocked, "protected", "server is delete protected")
		return
	}
	for _, p := range s.primaryIPs {
		if p.AssigneeID != nil && *p.AssigneeID == srv.ID {
			p.AssigneeID = nil
			if p.AutoDelete {
				delete(s.primaryIPs, p.ID)
			}
		}
	}
	for _, f := range s.firewalls {
		s.removeFirewall(f, schema.FirewallResource{Type: "server", Server: &schema.FirewallResourceServer{ID: srv.ID}})
	}
	for _, v := range s.volumes {
		if v.Server != nil && *v.Server == srv.ID {
			v.Server = nil
		}
	}
	delete(s.servers, srv.ID)
	writeJSON(w, http.StatusOK, schema.ServerDeleteResponse{Action: s.action("delete_server", ref("server", srv.ID))})
}

// serverAction: power and backup actions change the recorded state; all finish at once.
func (s *store) serverAction(w http.ResponseWriter, r *http.Request) {
	srv := lookup(w, r, s.servers, "server")
	if srv == nil {
		return
	}
	name := r.PathValue("action")
	switch name {
	case "poweron":
		srv.Status = "running"
	case "poweroff", "shutdown":
		srv.Status = "off"
	case "reboot", "reset":
	case "enable_backup":
		window := "22-02"
		srv.BackupWindow = &window
	case "disable_backup":
		srv.BackupWindow = nil
	case "change_protection":
		var req schema.ServerActionChangeProtectionRequest
		if !decode(w, r, &req) {
			return
		}
		if req.Delete != nil {
			srv.Protection.Delete = *req.Delete
		}
		if req.Rebuild != nil {
			srv.Protection.Rebuild = *req.Rebuild
		}
	default:
		notFound(w, "server action "+name)
		return
	}
	writeJSON(w, http.StatusCreated, schema.ServerActionPoweronResponse{Action: s.action(name, ref("server", srv.ID))})
}
