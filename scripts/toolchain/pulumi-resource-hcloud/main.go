// pulumi-resource-hcloud for hostplane's offline toolchain: Hetzner's
// terraform-provider-hcloud (its SDKv2 provider muxed with its plugin-framework provider,
// both from the public package github.com/hetznercloud/terraform-provider-hcloud/hcloud)
// bridged with pulumi-terraform-bridge, using the tokens and property names of
// pulumi-hcloud (hcloud:index/server:Server, ...), so @pulumi/hcloud's SDK talks to it. The
// official provider module github.com/pulumi/pulumi-hcloud/provider is not served by the Go
// module proxy.
//
// The upstream's provider constructors live in a public package, so unlike docker and random
// no nested shim module is needed.
//
// schema-embed.json and bridge-metadata.json (which holds the SDKv2/framework dispatch table
// the muxer needs) are generated from this provider info by the same package built with
// -tags tfgen (see tfgen.go):
//
//	go run -tags tfgen -ldflags "-X main.version=v1.41.0" . schema
//
// build.sh sets the plugin version with -ldflags "-X main.version=vX.Y.Z".
package main

import (
	"context"
	_ "embed"
	"strings"

	"github.com/hetznercloud/terraform-provider-hcloud/hcloud"
	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shim "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
)

// version is set by the build (-X main.version=v1.41.0).
var version = "v0.0.0-dev"

// upstreamVersion is the terraform-provider-hcloud release in go.mod; the upstream sends it
// in its User-Agent (its release builds set it with -X, the module default is a placeholder).
const upstreamVersion = "1.68.0"

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed bridge-metadata.json
var bridgeMetadata []byte

func providerInfo() tfbridge.ProviderInfo {
	hcloud.Version = upstreamVersion
	prov := tfbridge.ProviderInfo{
		P: pfbridge.MuxShimWithPF(context.Background(),
			shimv2.NewProvider(hcloud.Provider()), hcloud.NewPluginProvider()),
		Name:         "hcloud",
		Version:      strings.TrimPrefix(version, "v"),
		Description:  "A Pulumi package for creating and managing hcloud cloud resources.",
		Keywords:     []string{"pulumi", "hcloud"},
		License:      "Apache-2.0",
		Homepage:     "https://pulumi.io",
		Repository:   "https://github.com/pulumi/pulumi-hcloud",
		GitHubOrg:    "hetznercloud",
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
		Resources: map[string]*tfbridge.ResourceInfo{
			// As pulumi-hcloud: the SDKs' Certificate has a `certificate` field, which C# can't
			// name like its class.
			"hcloud_certificate": {Fields: map[string]*tfbridge.SchemaInfo{"certificate": {CSharpName: "CertificateContents"}}},
		},
	}
	stringIDs(&prov)
	// hcloud_server -> hcloud:index/server:Server, hcloud_primary_ip -> ...primaryIp:PrimaryIp.
	prov.MustComputeTokens(tokens.SingleModule("hcloud_", "index", tokens.MakeStandard("hcloud")))
	prov.MustApplyAutoAliases()
	// As pulumi-hcloud: a resource's `name` is optional and defaults to the Pulumi name plus a
	// random suffix.
	prov.SetAutonaming(255, "-")
	return prov
}

// stringIDs: Pulumi resource ids are strings; several SDKv2 resources declare an integer
// `id` attribute, which the bridge must then treat as a string.
func stringIDs(prov *tfbridge.ProviderInfo) {
	prov.P.ResourcesMap().Range(func(key string, r shim.Resource) bool {
		id, ok := r.Schema().GetOk("id")
		if !ok || id.Type() == shim.TypeString {
			return true
		}
		info := prov.Resources[key]
		if info == nil {
			info = &tfbridge.ResourceInfo{}
			prov.Resources[key] = info
		}
		if info.Fields == nil {
			info.Fields = map[string]*tfbridge.SchemaInfo{}
		}
		info.Fields["id"] = &tfbridge.SchemaInfo{Type: "string"}
		return true
	})
}

func main() {
	if tfgenMain != nil && tfgenMain() {
		return
	}
	pfbridge.MainWithMuxer(context.Background(), "hcloud", providerInfo(), pulumiSchema)
}

// tfgenMain is set by tfgen.go (built only with -tags tfgen).
var tfgenMain func() bool
