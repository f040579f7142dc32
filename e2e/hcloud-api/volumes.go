package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

func (s *store) listVolumes(w http.ResponseWriter, r *http.Request) {
	out := []schema.Volume{}
	for _, v := range sorted(s.volumes) {
		if matches(r, v.Name, v.Labels) {
			out = append(out, *v)
		}
	}
	writeJSON(w, http.StatusOK, listPage("volumes", out, len(out)))
}

func (s *store) createVolume(w http.ResponseWriter, r *http.Request) {
	var req schema.VolumeCreateRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Size < 10 {
		writeError(w, http.StatusUnprocessableEntity, "invalid_input", "size must be at least 10 (GB)")
		return
	}
	loc := locations[0]
	if req.Location != nil {
		l, ok := locationByName(req.Location.Name)
		if !ok {
			writeError(w, http.StatusUnprocessableEntity, "invalid_input", "location not found")
			return
		}
		loc = l
	}
	id := s.id()
	v := &schema.Volume{
		ID: id, Name: req.Name, Status: "available", Location: loc, Size: req.Size, Format: req.Format,
		Labels: labelsOf(req.Labels), LinuxDevice: fmt.Sprintf("/dev/disk/by-id/scsi-0HC_Volume_%d", id), Created: time.Now().UTC(),
	}
	s.volumes[v.ID] = v
	created := s.action("create_volume", ref("volume", v.ID))
	next := []schema.Action{}
	if req.Server != nil {
		next = append(next, s.attachVolume(v, *req.Server))
	}
	writeJSON(w, http.StatusCreated, schema.VolumeCreateResponse{Volume: *v, Action: &created, NextActions: next})
}

func (s *store) getVolume(w http.ResponseWriter, r *http.Request) {
	if v := lookup(w, r, s.volumes, "volume"); v != nil {
		writeJSON(w, http.StatusOK, schema.VolumeGetResponse{Volume: *v})
	}
}

func (s *store) updateVolume(w http.ResponseWriter, r *http.Request) {
	v := lookup(w, r, s.volumes, "volume")
	var req schema.VolumeUpdateRequest
	if v == nil || !decode(w, r, &req) {
		return
	}
	if req.Name != "" {
		v.Name = req.Name
	}
	if req.Labels != nil {
		v.Labels = *req.Labels
	}
	writeJSON(w, http.StatusOK, schema.VolumeUpdateResponse{Volume: *v})
}

func (s *store) deleteVolume(w http.ResponseWriter, r *http.Request) {
	v := lookup(w, r, s.volumes, "volume")
	switch {
	case v == nil:
		return
	case v.Protection.Delete:
		writeError(w, http.StatusLocked, "protected", "volume is delete protected")
	case v.Server != nil:
		writeError(w, http.StatusLocked, "locked", "volume is attached to a server")
	default:
		delete(s.volumes, v.ID)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *store) volumeAction(w http.ResponseWriter, r *http.Request) {
	v := lookup(w, r, s.volumes, "volume")
	if v == nil {
		return
	}
	var a schema.Action
	switch r.PathValue("action") {
	case "attach":
		var req schema.VolumeActionAttachVolumeRequest
		if !decode(w, r, &req) {
			return
		}
		if _, ok := s.servers[req.Server]; !ok {
			notFound(w, "server")
			return
		}
		a = s.attachVolume(v, req.Server)
	case "detach":
		a = s.detachVolume(v)
	case "change_protection":
		var req schema.VolumeActionChangeProtectionRequest
		if !decode(w, r, &req) {
			return
		}
		if req.Delete != nil {
			v.Protection.Delete = *req.Delete
		}
		a = s.action("change_protection", ref("volume", v.ID))
	default:
		notFound(w, "volume action "+r.PathValue("action"))
		return
	}
	writeJSON(w, http.StatusCreated, schema.VolumeActionAttachVolumeResponse{Action: a})
}

// attachVolume keeps the volume's server and the server's volume list in step.
func (s *store) attachVolume(v *schema.Volume, serverID int64) schema.Action {
	v.Server = &serverID
	if srv, ok := s.servers[serverID]; ok {
		srv.Volumes = append(srv.Volumes, v.ID)
	}
	return s.action("attach_volume", ref("volume", v.ID), ref("server", serverID))
}

func (s *store) detachVolume(v *schema.Volume) schema.Action {
	if v.Server != nil {
		if srv, ok := s.servers[*v.Server]; ok {
			kept := []int64{}
			for _, id := range srv.Volumes {
				if id != v.ID {
					kept = append(kept, id)
				}
			}
			srv.Volumes = kept
		}
	}
	v.Server = nil
	return s.action("detach_volume", ref("volume", v.ID))
}
