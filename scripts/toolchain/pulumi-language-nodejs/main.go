// Command pulumi-language-nodejs is a small Node.js language host for the Pulumi
// engine, written for hostplane's offline toolchain.
//
// Why our own: the upstream module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 is not served by
// the Go module proxy this project can reach (HTTP 403 "This module version is not
// available" for every version and for the module's version list), so it cannot be
// built from modules here. This host implements the part of the LanguageRuntime
// gRPC service that `pulumi preview/up/refresh/destroy` need for a Node.js program:
//
//   - GetRequiredPackages / GetRequiredPlugins: the resource plugins named by the
//     "pulumi" block of the packages installed in the program's node_modules;
//   - Run: starts `node <@pulumi/pulumi/cmd/run> --monitor ... <program>` with the
//     config in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS, the way @pulumi/pulumi's
//     run script expects (see node_modules/@pulumi/pulumi/cmd/run/index.js);
//   - RunPlugin for policy packs (`--policy-pack DIR`, see runplugin.go);
//   - GetPluginInfo, About, GetProgramDependencies.
//
// Not implemented (the engine gets codes.Unimplemented): InstallDependencies
// (`pulumi install`: run `npm ci` yourself), RuntimeOptionsPrompts/Template/
// Generate* (`pulumi new`, `pulumi convert`), Pack/Link, RunPlugin for resource
// or tool plugins written in Node.js.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set at link time: -X main.version=3.248.0
var version = "0.0.0-dev"

// exitCodeUserActionable is the exit code @pulumi/pulumi's run script uses after it
// has already printed a message for the user (nodeJSProcessExitedAfterLoggingUserActionableMessage).
const exitCodeUserActionable = 32

func main() {
	// Flags older engines passed; accepted and ignored where the RunRequest carries the same data.
	flag.String("tracing", "", "Zipkin-compatible tracing endpoint (ignored)")
	flag.String("root", "", "project root (ignored: taken from the request)")
	flag.Bool("typescript", true, "default for the 'typescript' runtime option")
	flag.String("nodeargs", "", "default for the 'nodeargs' runtime option")
	flag.String("tsconfig", "", "default for the 'tsconfig' runtime option")
	flag.String("packagemanager", "", "ignored")
	flag.Parse()

	engineAddr := ""
	if flag.NArg() > 0 {
		engineAddr = flag.Arg(0)
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not find node on $PATH: %v\n", err)
		os.Exit(1)
	}

	h := &host{engineAddr: engineAddr, nodeBin: nodeBin}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, h)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of our stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: gRPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddr string
	nodeBin    string
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// Handshake is answered so that engines that start with it (attach mode) work too.
func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddr = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// ---------------------------------------------------------------------------
// Required plugins: the packages in node_modules whose package.json has a
// "pulumi": {"resource": true, ...} block.

type pkgJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

type plugin struct{ name, version, server string }

// nodeModulesDirs returns the node_modules directories Node.js would search from dir.
func nodeModulesDirs(dir string) []string {
	var out []string
	for d := dir; ; {
		nm := filepath.Join(d, "node_modules")
		if st, err := os.Stat(nm); err == nil && st.IsDir() {
			out = append(out, nm)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return out
		}
		d = parent
	}
}

func requiredPlugins(programDir string) ([]plugin, error) {
	seen := map[plugin]bool{}
	var out []plugin
	visited := map[string]bool{}
	var walk func(nm string) error
	readPkg := func(dir string) error {
		b, err := os.ReadFile(filepath.Join(dir, "package.json"))
		if err != nil {
			return nil // not a package
		}
		var p pkgJSON
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("parsing %s/package.json: %w", dir, err)
		}
		if p.Pulumi.Resource {
			name := p.Pulumi.Name
			if name == "" {
				name = strings.TrimPrefix(strings.TrimPrefix(p.Name, "@pulumi/"), "@")
			}
			v := p.Pulumi.Version
			if v == "" {
				v = p.Version
			}
			if name == "" || v == "" {
				return fmt.Errorf("%s/package.json: pulumi resource package without name or version", dir)
			}
			if !strings.HasPrefix(v, "v") {
				v = "v" + v
			}
			pl := plugin{name, v, p.Pulumi.Server}
			if !seen[pl] {
				seen[pl] = true
				out = append(out, pl)
			}
		}
		if nested := filepath.Join(dir, "node_modules"); isDir(nested) {
			return walk(nested)
		}
		return nil
	}
	walk = func(nm string) error {
		real, err := filepath.EvalSymlinks(nm)
		if err != nil || visited[real] {
			return nil
		}
		visited[real] = true
		entries, err := os.ReadDir(nm)
		if err != nil {
			return err
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			p := filepath.Join(nm, name)
			if strings.HasPrefix(name, "@") {
				scoped, err := os.ReadDir(p)
				if err != nil {
					continue
				}
				for _, s := range scoped {
					if err := readPkg(filepath.Join(p, s.Name())); err != nil {
						return err
					}
				}
				continue
			}
			if err := readPkg(p); err != nil {
				return err
			}
		}
		return nil
	}
	for _, nm := range nodeModulesDirs(programDir) {
		if err := walk(nm); err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].name != out[j].name {
			return out[i].name < out[j].name
		}
		return out[i].version < out[j].version
	})
	return out, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if d := info.GetProgramDirectory(); d != "" {
		return d
	}
	if fallback != "" {
		return fallback
	}
	wd, _ := os.Getwd()
	return wd
}

func (h *host) GetRequiredPackages(_ context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	plugins, err := requiredPlugins(programDir(req.GetInfo(), ""))
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	for _, p := range plugins {
		resp.Packages = append(resp.Packages, &pulumirpc.PackageDependency{
			Name: p.name, Kind: "resource", Version: p.version, Server: p.server,
		})
	}
	return resp, nil
}

//nolint:staticcheck // deprecated RPC, kept for older engines
func (h *host) GetRequiredPlugins(_ context.Context, req *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	plugins, err := requiredPlugins(programDir(req.GetInfo(), req.GetPwd()))
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPluginsResponse{}
	for _, p := range plugins {
		resp.Plugins = append(resp.Plugins, &pulumirpc.PluginDependency{
			Name: p.name, Kind: "resource", Version: p.version, Server: p.server,
		})
	}
	return resp, nil
}

// ---------------------------------------------------------------------------
// Run

// runtimeOptions reads the `runtime.options` block of Pulumi.yaml, with the
// command-line flags as defaults.
type runtimeOptions struct {
	typescript bool
	nodeargs   string
	tsconfig   string
}

func optionsFrom(info *pulumirpc.ProgramInfo) runtimeOptions {
	o := runtimeOptions{
		typescript: flagBool("typescript"),
		nodeargs:   flag.Lookup("nodeargs").Value.String(),
		tsconfig:   flag.Lookup("tsconfig").Value.String(),
	}
	if info.GetOptions() == nil {
		return o
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		o.typescript = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		o.nodeargs = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		o.tsconfig = v
	}
	return o
}

func flagBool(name string) bool {
	return flag.Lookup(name).Value.String() == "true"
}

// resolveRunScript finds @pulumi/pulumi/cmd/run the way `require.resolve` would
// from the program directory (PULUMI_LANGUAGE_NODEJS_RUN_PATH overrides it).
func (h *host) resolveRunScript(dir string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		return p, nil
	}
	cmd := exec.Command(h.nodeBin, "-e", "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/run'))")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", errors.New("could not find @pulumi/pulumi/cmd/run from " + dir +
			": it looks like the Pulumi SDK has not been installed (run `npm ci`)")
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := optionsFrom(info)

	runScript, err := h.resolveRunScript(dir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	var args []string
	args = append(args, strings.Fields(opts.nodeargs)...)
	args = append(args, runScript)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k+"="+v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddr)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		add("parallel", fmt.Sprint(req.GetParallel()))
	}
	program := info.GetEntryPoint()
	if program == "" {
		program = req.GetProgram()
	}
	if program == "" {
		program = "." // run.js then uses package.json's "main"/"exports"
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	// A stack without config arrives as nil: send {} (the SDK reads PULUMI_CONFIG as an object).
	cfgMap := req.GetConfig()
	if cfgMap == nil {
		cfgMap = map[string]string{}
	}
	config, err := json.Marshal(cfgMap)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON),
		fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%t", opts.typescript),
	)
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	cmd := exec.CommandContext(ctx, h.nodeBin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitCodeUserActionable {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// ---------------------------------------------------------------------------
// About / dependencies (used by `pulumi about` and update metadata).

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command(h.nodeBin, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: h.nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

func (h *host) GetProgramDependencies(_ context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	var p struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(p.Dependencies))
	for n := range p.Dependencies {
		names = append(names, n)
	}
	sort.Strings(names)
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, n := range names {
		v := p.Dependencies[n]
		// Prefer the installed version when there is one.
		for _, nm := range nodeModulesDirs(dir) {
			if ib, err := os.ReadFile(filepath.Join(nm, n, "package.json")); err == nil {
				var ip pkgJSON
				if json.Unmarshal(ib, &ip) == nil && ip.Version != "" {
					v = ip.Version
				}
				break
			}
		}
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: n, Version: v})
	}
	return resp, nil
}
