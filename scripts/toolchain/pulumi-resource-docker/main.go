// pulumi-resource-docker for hostplane's offline toolchain: kreuzwerker's
// terraform-provider-docker (its SDKv2 provider, see ./shim) bridged with
// pulumi-terraform-bridge's pkg/tfbridge, using the tokens and property names of
// pulumi-docker 5.x (docker:index/container:Container, ...), so @pulumi/docker's SDK
// talks to it. The official provider module github.com/pulumi/pulumi-docker/provider/v5
// is not served by the Go module proxy.
//
// Not included: pulumi-docker's native (non-Terraform) docker:index/image:Image
// resource (and its buildx variant). Everything else in @pulumi/docker 5.2.0 is mapped.
//
// schema-embed.json and bridge-metadata.json are generated from this provider info by
// the same package built with -tags tfgen (see tfgen.go):
//
//	go run -tags tfgen,no_compose -ldflags "-X main.version=v5.2.0" . schema
//
// build.sh sets the plugin version with -ldflags "-X main.version=vX.Y.Z" and builds with
// -tags no_compose (the upstream then leaves out its docker_compose resource, which
// pulumi-docker doesn't map either).
package main

import (
	_ "embed"
	"strings"
	"unicode"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// version is set by the build (-X main.version=v5.2.0).
var version = "v0.0.0-dev"

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed bridge-metadata.json
var bridgeMetadata []byte

// resources maps the upstream's Terraform type names to pulumi-docker's type names; the
// token is docker:index/<lowerCamel>:<Name>, as in @pulumi/docker.
var resources = map[string]string{
	"docker_buildx_builder": "BuildxBuilder",
	"docker_config":         "ServiceConfig",
	"docker_container":      "Container",
	"docker_image":          "RemoteImage",
	"docker_network":        "Network",
	"docker_plugin":         "Plugin",
	"docker_registry_image": "RegistryImage",
	"docker_secret":         "Secret",
	"docker_service":        "Service",
	"docker_tag":            "Tag",
	"docker_volume":         "Volume",
}

// dataSources maps the upstream's data sources to pulumi-docker's functions.
var dataSources = map[string]string{
	"docker_image":                    "getRemoteImage",
	"docker_logs":                     "getLogs",
	"docker_network":                  "getNetwork",
	"docker_plugin":                   "getPlugin",
	"docker_registry_image":           "getRegistryImage",
	"docker_registry_image_manifests": "getRegistryImageManifests",
}

func lowerFirst(s string) string { return string(unicode.ToLower(rune(s[0]))) + s[1:] }

func providerInfo() tfbridge.ProviderInfo {
	res := map[string]*tfbridge.ResourceInfo{}
	for tf, name := range resources {
		res[tf] = &tfbridge.ResourceInfo{Tok: tokens.Type("docker:index/" + lowerFirst(name) + ":" + name)}
	}
	// Name overrides, as in pulumi-docker (the bridge would otherwise pluralize or
	// singularize these):
	res["docker_container"].Fields = map[string]*tfbridge.SchemaInfo{
		"command":           {Name: "command"}, // one command line, a list of words
		"networks_advanced": {Name: "networksAdvanced"},
	}
	// RemoteImage's name is the image reference: required, never auto-named.
	res["docker_image"].Fields = map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}}

	ds := map[string]*tfbridge.DataSourceInfo{}
	for tf, name := range dataSources {
		ds[tf] = &tfbridge.DataSourceInfo{Tok: tokens.ModuleMember("docker:index/" + name + ":" + name)}
	}

	prov := tfbridge.ProviderInfo{
		P:            shimv2.NewProvider(shim.NewProvider(strings.TrimPrefix(version, "v"))),
		Name:         "docker",
		Version:      strings.TrimPrefix(version, "v"),
		Description:  "A Pulumi package for interacting with Docker in Pulumi programs",
		Keywords:     []string{"pulumi", "docker"},
		License:      "Apache-2.0",
		Homepage:     "https://pulumi.io",
		Repository:   "https://github.com/pulumi/pulumi-docker",
		GitHubOrg:    "kreuzwerker",
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
		Config: map[string]*tfbridge.SchemaInfo{
			// The upstream defaults host to $DOCKER_HOST, then the local socket.
			"host":          {Default: &tfbridge.DefaultInfo{EnvVars: []string{"DOCKER_HOST"}}},
			"registry_auth": {Name: "registryAuth", MaxItemsOne: tfbridge.False()}, // not plural
		},
		Resources:   res,
		DataSources: ds,
	}
	// As pulumi-docker: a resource's `name` (container, network, volume, ...) is
	// optional and defaults to the Pulumi name plus a random suffix. The bridge then
	// replaces delete-before-create when the program sets `name` itself.
	prov.SetAutonaming(255, "-")
	return prov
}

func main() {
	if tfgenMain != nil && tfgenMain() {
		return
	}
	tfbridge.Main("docker", strings.TrimPrefix(version, "v"), providerInfo(), pulumiSchema)
}

// tfgenMain is set by tfgen.go (built only with -tags tfgen).
var tfgenMain func() bool
