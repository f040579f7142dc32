module hostplane.dev/scripts/grafana-check

go 1.25.0

// Pinned: v0.0.22 is the newest release on the Go module proxy (2026-10-29); its dashboard types
// carry UnmarshalJSONStrict. The npm package of the SDK has builders only, no decoder or schema.
require github.com/grafana/grafana-foundation-sdk/go v0.0.22
