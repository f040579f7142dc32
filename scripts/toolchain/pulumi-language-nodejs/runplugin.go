package main

// RunPlugin: how the engine (3.248) starts a Node.js policy pack. When a language host
// for the pack's runtime exists, `pulumi preview --policy-pack DIR` no longer looks for a
// `pulumi-analyzer-policy` script: it asks the language host to run the plugin directory
// (sdk/go/common/resource/plugin: NewPolicyAnalyzer -> newPlugin -> LanguageRuntime.RunPlugin)
// and reads the analyzer's gRPC port from the plugin's stdout, which we stream back.
// We run `node @pulumi/pulumi/cmd/run-policy-pack <engine-address> <pack-directory>`, the
// same command the upstream `pulumi-analyzer-policy` script runs, resolved from the pack's
// directory (Node's lookup walks up to the project's node_modules).

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const runPolicyPackModule = "@pulumi/pulumi/cmd/run-policy-pack"

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	if req.GetKind() != "analyzer" {
		// Resource or tool plugins written in Node.js are not used by hostplane.
		return status.Errorf(codes.Unimplemented, "pulumi-language-nodejs (hostplane): running %q plugins is not implemented, only policy packs (analyzer)", req.GetKind())
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	runScript, err := h.resolveModule(dir, runPolicyPackModule)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	opts := optionsFrom(req.GetInfo())
	args := append(strings.Fields(opts.nodeargs), runScript)
	args = append(args, req.GetArgs()...) // the engine's address
	args = append(args, dir)
	cmd := exec.CommandContext(server.Context(), h.nodeBin, args...)
	// The pack's own directory, like the `pulumi-analyzer-policy` script: run-policy-pack reads
	// tsconfig.json from its working directory (none there: ts-node's defaults).
	cmd.Dir = dir
	// The engine's environment for the analyzer, over ours (exec keeps the last of a duplicate).
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	cmd.Env = append(cmd.Env, fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%t", opts.typescript))
	cmd.Stdout = stdout
	cmd.Stderr = stderr

	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("could not run node for the policy pack in %s: %w", dir, err)
		}
		code = int32(exitErr.ExitCode())
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

// resolveModule finds a module the way `require.resolve` would from dir.
func (h *host) resolveModule(dir, module string) (string, error) {
	cmd := exec.Command(h.nodeBin, "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("could not find %s from the policy pack %s: install its dependencies (npm ci at the project root)", module, dir)
	}
	return strings.TrimSpace(string(out)), nil
}
