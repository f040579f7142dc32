//go:build tfgen

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"
)

// Built with -tags tfgen, the binary regenerates this directory's schema-embed.json and
// bridge-metadata.json instead of serving the provider:
//
//	go run -tags tfgen -ldflags "-X main.version=v1.41.0" . schema
//
// It runs the bridge's muxed tfgen (`schema --out TMP --skip-docs --skip-examples`), which
// also writes the SDKv2/framework dispatch table into the metadata, then writes schema.json
// with "version" set (the engine reports it) as schema-embed.json.
func init() {
	tfgenMain = func() bool {
		if len(os.Args) != 2 || os.Args[1] != "schema" {
			return false
		}
		tmp, err := os.MkdirTemp("", "tfgen-hcloud")
		check(err)
		defer os.RemoveAll(tmp)
		// An empty metadata file to start from: the generator fills in the mux table.
		check(os.WriteFile("bridge-metadata.json", []byte("{}\n"), 0o644))
		info := providerInfo()
		os.Args = []string{os.Args[0], "schema", "--out", tmp, "--skip-docs", "--skip-examples"}
		pftfgen.MainWithMuxer("hcloud", info)

		raw, err := os.ReadFile(filepath.Join(tmp, "schema.json"))
		check(err)
		var schema map[string]any
		check(json.Unmarshal(raw, &schema))
		schema["version"] = strings.TrimPrefix(version, "v")
		out, err := json.MarshalIndent(schema, "", "    ")
		check(err)
		check(os.WriteFile("schema-embed.json", append(out, '\n'), 0o644))
		meta, err := os.ReadFile(filepath.Join(tmp, info.MetadataInfo.Path)) // relative to --out
		check(err)
		check(os.WriteFile("bridge-metadata.json", meta, 0o644))
		fmt.Fprintf(os.Stderr, "wrote schema-embed.json (version %s) and bridge-metadata.json\n", schema["version"])
		return true
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "tfgen:", err)
		os.Exit(1)
	}
}
