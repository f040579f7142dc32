// pulumi-resource-random for hostplane's offline toolchain: HashiCorp's
// terraform-provider-random (a terraform-plugin-framework provider, see ./shim) bridged
// with pulumi-terraform-bridge's pkg/pf, using the resource tokens of pulumi-random 4.x
// (random:index/randomPassword:RandomPassword, ...), so @pulumi/random's SDK talks to it.
//
// schema-embed.json and bridge-metadata.json are generated from this provider info by
// the same package built with -tags tfgen (see tfgen.go):
//
//	go run -tags tfgen -ldflags "-X main.version=v4.21.2" . schema
//
// build.sh sets the plugin version with -ldflags "-X main.version=vX.Y.Z".
package main

import (
	"context"
	_ "embed"
	"strings"

	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// version is set by the build (-X main.version=v4.21.2).
var version = "v0.0.0-dev"

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed bridge-metadata.json
var bridgeMetadata []byte

// resources maps the upstream's Terraform type names to pulumi-random's type names; the
// token is random:index/<lowerCamel>:<Name>, as in @pulumi/random.
var resources = map[string]string{
	"random_bytes":    "RandomBytes",
	"random_id":       "RandomId",
	"random_integer":  "RandomInteger",
	"random_password": "RandomPassword",
	"random_pet":      "RandomPet",
	"random_shuffle":  "RandomShuffle",
	"random_string":   "RandomString",
	"random_uuid":     "RandomUuid",
	"random_uuid4":    "RandomUuid4",
	"random_uuid7":    "RandomUuid7",
}

func providerInfo() tfbridge.ProviderInfo {
	res := map[string]*tfbridge.ResourceInfo{}
	for tf, name := range resources {
		tok := "random:index/" + strings.ToLower(name[:1]) + name[1:] + ":" + name
		res[tf] = &tfbridge.ResourceInfo{Tok: tokens.Type(tok)}
	}
	prov := tfbridge.ProviderInfo{
		P:            pfbridge.ShimProvider(shim.NewProvider()),
		Name:         "random",
		Version:      strings.TrimPrefix(version, "v"),
		Description:  "A Pulumi package to safely use randomness in Pulumi programs.",
		Keywords:     []string{"pulumi", "random"},
		License:      "Apache-2.0",
		Homepage:     "https://pulumi.io",
		Repository:   "https://github.com/pulumi/pulumi-random",
		GitHubOrg:    "hashicorp",
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
		Resources:    res,
		// Ephemeral resources and data sources are not mapped (pulumi-random has none).
		DataSources: map[string]*tfbridge.DataSourceInfo{},
	}
	// As pulumi-random does: record each resource's token and major version in
	// bridge-metadata.json so that future token renames get aliases.
	prov.MustApplyAutoAliases()
	return prov
}

func main() {
	if tfgenMain != nil && tfgenMain() {
		return
	}
	pfbridge.Main(context.Background(), "random", providerInfo(), pfbridge.ProviderMetadata{PackageSchema: pulumiSchema})
}

// tfgenMain is set by tfgen.go (built only with -tags tfgen).
var tfgenMain func() bool
