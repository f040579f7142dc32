// grafana-check decodes Grafana dashboards strictly with the Grafana Foundation SDK (the types
// Grafana generates from its own dashboard schema): an unknown field, a field of the wrong type or
// a missing required one is an error, and so is a panel type or a query datasource type the SDK
// does not know (its non-strict fallback would accept anything there).
//
// Usage: grafana-check FILE...   prints one line per problem, "FILE: PATH: MESSAGE"; exit 1 if any.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: grafana-check FILE...")
		os.Exit(2)
	}
	// Panel options and queries decode through the registered plugin variants.
	plugins.RegisterDefaultPlugins()
	failed := false
	for _, file := range os.Args[1:] {
		for _, problem := range check(file) {
			failed = true
			fmt.Printf("%s: %s\n", file, problem)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(file string) []string {
	raw, err := os.ReadFile(file)
	if err != nil {
		return []string{err.Error()}
	}
	var d dashboard.Dashboard
	var problems []string
	// The SDK returns its error list typed as error even when it is empty: test its length. It
	// decodes every field it can, so the plugin check below still sees the other panels.
	if err := d.UnmarshalJSONStrict(raw); err != nil {
		if errs, ok := err.(cog.BuildErrors); !ok || len(errs) > 0 {
			problems = strings.Split(err.Error(), "\n")
		}
	}
	return append(problems, knownPlugins(raw)...)
}

// rawPanel is what the plugin check reads; a collapsed row carries its panels inside.
type rawPanel struct {
	Type       string                 `json:"type"`
	Datasource *struct{ Type string } `json:"datasource"`
	Targets    []json.RawMessage      `json:"targets"`
	Panels     []rawPanel             `json:"panels"`
}

// knownPlugins: strict decoding falls back to an untyped bag for a panel type or a query
// datasource type it has no schema for, so those must be known plugins. Read from the raw JSON:
// the SDK's decoders drop a panel whose (empty) error list is returned as a non-nil error.
func knownPlugins(raw []byte) []string {
	var d struct {
		Panels []rawPanel `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return []string{err.Error()}
	}
	return checkPanels(d.Panels, "panels")
}

func checkPanels(panels []rawPanel, prefix string) []string {
	var problems []string
	for i, p := range panels {
		at := fmt.Sprintf("%s[%d]", prefix, i)
		if p.Type == "row" {
			problems = append(problems, checkPanels(p.Panels, at+".panels")...)
			continue
		}
		if _, ok := cog.ConfigForPanelcfgVariant(p.Type); !ok {
			problems = append(problems, fmt.Sprintf("%s.type: no schema for panel type %q", at, p.Type))
		}
		hint := ""
		if p.Datasource != nil {
			hint = p.Datasource.Type
		}
		for j, t := range p.Targets {
			// A query's own datasource wins over the panel's (Grafana's order too).
			queryType := hint
			var own struct{ Datasource *struct{ Type string } }
			if json.Unmarshal(t, &own) == nil && own.Datasource != nil && own.Datasource.Type != "" {
				queryType = own.Datasource.Type
			}
			q, err := cog.StrictUnmarshalDataquery(t, queryType)
			if _, unknown := q.(variants.UnknownDataquery); err == nil && unknown {
				problems = append(problems, fmt.Sprintf("%s.targets[%d].datasource.type: no schema for this datasource type (expected prometheus or loki)", at, j))
			}
		}
	}
	return problems
}
