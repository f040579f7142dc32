// Wrapper module: runc (cgo, libseccomp) at the version versions.env pins.
module hostplane.local/engine/runc

go 1.24.0

require github.com/opencontainers/runc v1.3.3

tool github.com/opencontainers/runc
