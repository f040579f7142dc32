module hostplane.dev/e2e/hcloud-api

go 1.25.0

// The same hcloud-go as terraform-provider-hcloud v1.68.0 (scripts/toolchain/pulumi-resource-hcloud),
// so the double answers with the very types the provider decodes.
require github.com/hetznercloud/hcloud-go/v2 v2.47.0
