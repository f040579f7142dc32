// Package shim exposes the SDKv2 half of kreuzwerker's terraform-provider-docker (the
// half that holds docker_container, docker_network, docker_volume, docker_image, ...).
// Its module path sits under the upstream's module path, so it may import the
// upstream's internal/provider package (Go's internal rule is path-based).
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// NewProvider returns the upstream's SDKv2 provider. The version string is only used
// in the upstream's User-Agent header.
func NewProvider(version string) *schema.Provider { return provider.New(version)() }
