package main

import (
	"net/http"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// The read-only catalog the provider looks names up in: a few locations, server types and
// images with the shapes of the real API's entries (values are illustrative, not Hetzner's
// current price list or availability).
var locations = []schema.Location{
	{ID: 1, Name: "fsn1", Description: "Falkenstein DC Park 1", Country: "DE", City: "Falkenstein", Latitude: 50.47612, Longitude: 12.370071, NetworkZone: "eu-central"},
	{ID: 2, Name: "nbg1", Description: "Nuremberg DC Park 1", Country: "DE", City: "Nuremberg", Latitude: 49.452102, Longitude: 11.076665, NetworkZone: "eu-central"},
	{ID: 3, Name: "hel1", Description: "Helsinki DC Park 1", Country: "FI", City: "Helsinki", Latitude: 60.169855, Longitude: 24.938379, NetworkZone: "eu-central"},
}

func serverType(id int64, name string, cores int, memory float32, disk int, cpu string) schema.ServerType {
	st := schema.ServerType{
		ID: id, Name: name, Description: name, Category: "shared", Cores: cores, Memory: memory, Disk: disk,
		StorageType: "local", CPUType: cpu, Architecture: "x86",
	}
	for _, l := range locations {
		st.Locations = append(st.Locations, schema.ServerTypeLocation{ID: l.ID, Name: l.Name, Available: true, Recommended: true})
	}
	return st
}

var serverTypes = []schema.ServerType{
	serverType(104, "cx22", 2, 4, 40, "shared"),
	serverType(108, "cx23", 2, 4, 40, "shared"),
	serverType(97, "cpx31", 4, 8, 160, "shared"),
}

func image(id int64, name, flavor, version string) schema.Image {
	created := time.Date(2023, 6, 13, 6, 0, 0, 0, time.UTC)
	return schema.Image{
		ID: id, Status: "available", Type: "system", Name: &name, Description: name, DiskSize: 5,
		Created: &created, OSFlavor: flavor, OSVersion: &version, Architecture: "x86", RapidDeploy: true,
		Labels: map[string]string{},
	}
}

var images = []schema.Image{
	image(114690387, "debian-12", "debian", "12"),
	image(161547269, "debian-13", "debian", "13"),
	image(161547270, "ubuntu-24.04", "ubuntu", "24.04"),
}

func locationByName(name string) (schema.Location, bool) {
	for _, l := range locations {
		if l.Name == name {
			return l, true
		}
	}
	return schema.Location{}, false
}

func (s *store) catalogRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/locations", func(w http.ResponseWriter, r *http.Request) {
		var out []schema.Location
		for _, l := range locations {
			if matches(r, l.Name, nil) {
				out = append(out, l)
			}
		}
		writeJSON(w, http.StatusOK, listPage("locations", nonNil(out), len(out)))
	})
	mux.HandleFunc("GET /v1/server_types", func(w http.ResponseWriter, r *http.Request) {
		var out []schema.ServerType
		for _, t := range serverTypes {
			if matches(r, t.Name, nil) {
				out = append(out, t)
			}
		}
		writeJSON(w, http.StatusOK, listPage("server_types", nonNil(out), len(out)))
	})
	mux.HandleFunc("GET /v1/images", func(w http.ResponseWriter, r *http.Request) {
		arch := r.URL.Query().Get("architecture")
		var out []schema.Image
		for _, i := range images {
			if matches(r, *i.Name, i.Labels) && (arch == "" || arch == i.Architecture) {
				out = append(out, i)
			}
		}
		writeJSON(w, http.StatusOK, listPage("images", nonNil(out), len(out)))
	})
}

// nonNil: the API sends [] for an empty list, never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
