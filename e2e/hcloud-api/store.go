package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// store holds the double's resources in memory. One mutex: the provider's calls are few.
type store struct {
	mu         sync.Mutex
	nextID     int64
	nextIPv4   net.IP
	sshKeys    map[int64]*schema.SSHKey
	primaryIPs map[int64]*schema.PrimaryIP
	firewalls  map[int64]*schema.Firewall
	servers    map[int64]*schema.Server
	volumes    map[int64]*schema.Volume
	actions    map[int64]*schema.Action
}

func newStore(firstIPv4 string) *store {
	return &store{
		nextID: 1000, nextIPv4: net.ParseIP(firstIPv4).To4(),
		sshKeys: map[int64]*schema.SSHKey{}, primaryIPs: map[int64]*schema.PrimaryIP{},
		firewalls: map[int64]*schema.Firewall{}, servers: map[int64]*schema.Server{},
		volumes: map[int64]*schema.Volume{}, actions: map[int64]*schema.Action{},
	}
}

func (s *store) id() int64 { s.nextID++; return s.nextID }

// action records a finished action (the double does everything at once) on the resources.
func (s *store) action(command string, refs ...schema.ActionResourceReference) schema.Action {
	now := time.Now().UTC()
	a := schema.Action{ID: s.id(), Status: "success", Command: command, Progress: 100, Started: now, Finished: &now, Resources: refs}
	s.actions[a.ID] = &a
	return a
}

func ref(typ string, id int64) schema.ActionResourceReference {
	return schema.ActionResourceReference{ID: id, Type: typ}
}

// listPage is a list response with the API's pagination meta (one page holds everything).
func listPage(key string, items any, n int) map[string]any {
	return map[string]any{key: items, "meta": schema.MetaResponse{Meta: schema.Meta{Pagination: &schema.MetaPagination{
		Page: 1, PerPage: 50, LastPage: 1, TotalEntries: n,
	}}}.Meta}
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_input", fmt.Sprintf("invalid JSON: %v", err))
		return false
	}
	return true
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "resource not found")
		return 0, false
	}
	return id, true
}

func notFound(w http.ResponseWriter, what string) {
	writeError(w, http.StatusNotFound, "not_found", what+" not found")
}

// matches applies the list filters every collection supports: name and a label_selector of
// comma-separated key=value pairs (enough for the provider's look-ups).
func matches(r *http.Request, name string, labels map[string]string) bool {
	if n := r.URL.Query().Get("name"); n != "" && n != name {
		return false
	}
	sel := r.URL.Query().Get("label_selector")
	if sel == "" {
		return true
	}
	for _, term := range strings.Split(sel, ",") {
		k, v, hasValue := strings.Cut(term, "=")
		if got, ok := labels[k]; !ok || (hasValue && got != v) {
			return false
		}
	}
	return true
}

func labelsOf(l *map[string]string) map[string]string {
	if l == nil {
		return map[string]string{}
	}
	return *l
}

// allocIPv4 hands out the next address (the first one is -server-ipv4, so a test can make
// it an address it controls).
func (s *store) allocIPv4() string {
	ip := make(net.IP, 4)
	copy(ip, s.nextIPv4)
	s.nextIPv4[3]++
	return ip.String()
}

func (s *store) allocIPv6() string {
	return fmt.Sprintf("2001:db8:%x::/64", s.nextID%0xffff)
}
