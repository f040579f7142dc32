// pulumi-resource-command for hostplane's offline toolchain: our own implementation of
// the Pulumi Command provider (github.com/pulumi/pulumi-command 1.x is not served by the
// Go module proxy), written with pulumi-go-provider's infer package. It serves the
// tokens and property names of the @pulumi/command 1.x SDK:
//
//	command:local:Command        local.go
//	command:local:run            local.go (invoke)
//	command:remote:Command       remote.go, connection.go (SSH, golang.org/x/crypto/ssh)
//	command:remote:CopyToRemote  copy.go (SFTP)
//
// Diff rules are infer's defaults, as in the upstream provider: a change to `triggers`
// replaces the resource; any other input change is an update, which runs `update` (or
// `create` when `update` is unset). Delete runs `delete`. The schema (GetSchema) is
// generated from these Go types.
//
// build.sh sets the plugin version with -ldflags "-X main.version=vX.Y.Z".
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi-go-provider/infer"
)

// version is set by the build (-X main.version=v1.2.1).
var version = "v0.0.0-dev"

func main() {
	prov, err := infer.NewProviderBuilder().
		WithDisplayName("Command").
		WithDescription("The Pulumi Command Provider enables you to execute commands and scripts either locally or remotely as part of the Pulumi resource model.").
		WithKeywords("pulumi", "command", "category/utility", "kind/native").
		WithHomepage("https://pulumi.com").
		WithLicense("Apache-2.0").
		WithRepository("https://github.com/pulumi/pulumi-command").
		WithPublisher("Pulumi").
		WithResources(
			infer.Resource[*LocalCommand, LocalCommandInputs, LocalCommandOutputs](&LocalCommand{}),
			infer.Resource[*RemoteCommand, RemoteCommandInputs, RemoteCommandOutputs](&RemoteCommand{}),
			infer.Resource[*CopyToRemote, CopyToRemoteInputs, CopyToRemoteOutputs](&CopyToRemote{}),
		).
		WithFunctions(
			infer.Function[*LocalRun, LocalRunInputs, LocalRunOutputs](&LocalRun{}),
		).
		Build()
	if err == nil {
		err = prov.Run(context.Background(), "command", strings.TrimPrefix(version, "v"))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: %v\n", err)
		os.Exit(1)
	}
}
