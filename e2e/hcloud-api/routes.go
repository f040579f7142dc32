package main

import (
	"crypto/md5"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// routes registers every endpoint the double implements; anything else is the mux's 404,
// answered as the API's not_found error by the fallback.
func (s *store) routes(mux *http.ServeMux) {
	lock := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			defer s.mu.Unlock()
			h(w, r)
		}
	}
	s.catalogRoutes(mux)
	for pattern, h := range map[string]http.HandlerFunc{
		"GET /v1/ssh_keys":                           s.listSSHKeys,
		"POST /v1/ssh_keys":                          s.createSSHKey,
		"GET /v1/ssh_keys/{id}":                      s.getSSHKey,
		"PUT /v1/ssh_keys/{id}":                      s.updateSSHKey,
		"DELETE /v1/ssh_keys/{id}":                   s.deleteSSHKey,
		"GET /v1/primary_ips":                        s.listPrimaryIPs,
		"POST /v1/primary_ips":                       s.createPrimaryIP,
		"GET /v1/primary_ips/{id}":                   s.getPrimaryIP,
		"PUT /v1/primary_ips/{id}":                   s.updatePrimaryIP,
		"DELETE /v1/primary_ips/{id}":                s.deletePrimaryIP,
		"POST /v1/primary_ips/{id}/actions/{action}": s.primaryIPAction,
		"GET /v1/firewalls":                          s.listFirewalls,
		"POST /v1/firewalls":                         s.createFirewall,
		"GET /v1/firewalls/{id}":                     s.getFirewall,
		"PUT /v1/firewalls/{id}":                     s.updateFirewall,
		"DELETE /v1/firewalls/{id}":                  s.deleteFirewall,
		"POST /v1/firewalls/{id}/actions/{action}":   s.firewallAction,
		"GET /v1/servers":                            s.listServers,
		"POST /v1/servers":                           s.createServer,
		"GET /v1/servers/{id}":                       s.getServer,
		"PUT /v1/servers/{id}":                       s.updateServer,
		"DELETE /v1/servers/{id}":                    s.deleteServer,
		"POST /v1/servers/{id}/actions/{action}":     s.serverAction,
		"GET /v1/volumes":                            s.listVolumes,
		"POST /v1/volumes":                           s.createVolume,
		"GET /v1/volumes/{id}":                       s.getVolume,
		"PUT /v1/volumes/{id}":                       s.updateVolume,
		"DELETE /v1/volumes/{id}":                    s.deleteVolume,
		"POST /v1/volumes/{id}/actions/{action}":     s.volumeAction,
		"GET /v1/actions":                            s.listActions,
		"GET /v1/actions/{id}":                       s.getAction,
		"GET /v1/{resource}/actions/{id}":            s.getAction,
	} {
		mux.HandleFunc(pattern, lock(h))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set(unimplementedHeader, "yes")
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("the hcloud API double does not implement %s %s", r.Method, r.URL.Path))
	})
}

// ---- SSH keys --------------------------------------------------------------------------

func fingerprint(publicKey string) string {
	sum := md5.Sum([]byte(publicKey))
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

func (s *store) listSSHKeys(w http.ResponseWriter, r *http.Request) {
	out := []schema.SSHKey{}
	for _, k := range sorted(s.sshKeys) {
		if matches(r, k.Name, k.Labels) && (r.URL.Query().Get("fingerprint") == "" || r.URL.Query().Get("fingerprint") == k.Fingerprint) {
			out = append(out, *k)
		}
	}
	writeJSON(w, http.StatusOK, listPage("ssh_keys", out, len(out)))
}

func (s *store) createSSHKey(w http.ResponseWriter, r *http.Request) {
	var req schema.SSHKeyCreateRequest
	if !decode(w, r, &req) {
		return
	}
	for _, k := range s.sshKeys {
		if k.Name == req.Name {
			writeError(w, http.StatusConflict, "uniqueness_error", "SSH key with the same name already exists")
			return
		}
	}
	k := &schema.SSHKey{ID: s.id(), Name: req.Name, PublicKey: req.PublicKey, Fingerprint: fingerprint(req.PublicKey), Labels: labelsOf(req.Labels), Created: time.Now().UTC()}
	s.sshKeys[k.ID] = k
	writeJSON(w, http.StatusCreated, schema.SSHKeyCreateResponse{SSHKey: *k})
}

func (s *store) getSSHKey(w http.ResponseWriter, r *http.Request) {
	if k := lookup(w, r, s.sshKeys, "SSH key"); k != nil {
		writeJSON(w, http.StatusOK, schema.SSHKeyGetResponse{SSHKey: *k})
	}
}

func (s *store) updateSSHKey(w http.ResponseWriter, r *http.Request) {
	k := lookup(w, r, s.sshKeys, "SSH key")
	var req schema.SSHKeyUpdateRequest
	if k == nil || !decode(w, r, &req) {
		return
	}
	if req.Name != "" {
		k.Name = req.Name
	}
	if req.Labels != nil {
		k.Labels = *req.Labels
	}
	writeJSON(w, http.StatusOK, schema.SSHKeyUpdateResponse{SSHKey: *k})
}

func (s *store) deleteSSHKey(w http.ResponseWriter, r *http.Request) {
	if k := lookup(w, r, s.sshKeys, "SSH key"); k != nil {
		delete(s.sshKeys, k.ID)
		w.WriteHeader(http.StatusNoContent)
	}
}

// ---- actions ---------------------------------------------------------------------------

func (s *store) listActions(w http.ResponseWriter, r *http.Request) {
	out := []schema.Action{}
	for _, v := range r.URL.Query()["id"] {
		id, _ := strconv.ParseInt(v, 10, 64)
		if a, ok := s.actions[id]; ok {
			out = append(out, *a)
		}
	}
	writeJSON(w, http.StatusOK, listPage("actions", out, len(out)))
}

func (s *store) getAction(w http.ResponseWriter, r *http.Request) {
	if a := lookup(w, r, s.actions, "action"); a != nil {
		writeJSON(w, http.StatusOK, schema.ActionGetResponse{Action: *a})
	}
}

// ---- helpers ---------------------------------------------------------------------------

// lookup finds the {id} of the path in m, or answers 404 not_found.
func lookup[T any](w http.ResponseWriter, r *http.Request, m map[int64]*T, what string) *T {
	id, ok := pathID(w, r)
	if !ok {
		return nil
	}
	v, ok := m[id]
	if !ok {
		notFound(w, what)
		return nil
	}
	return v
}

// sorted returns m's values in id order, so list answers are stable.
func sorted[T any](m map[int64]*T) []*T {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]*T, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}
