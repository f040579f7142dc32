package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"strings"

	"github.com/gobwas/glob"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// LocalCommand is command:local:Command.
type LocalCommand struct{}

func (c *LocalCommand) Annotate(a infer.Annotator) {
	a.SetToken("local", "Command")
	a.Describe(&c, "A local command to be executed.\n\n"+
		"This command can be inserted into the life cycles of other resources using the `dependsOn` or `parent`\n"+
		"resource options. A command is considered to have failed when it finished with a non-zero exit code.\n"+
		"This will fail the CRUD step of the `Command` resource.")
}

// LocalBaseInputs are the inputs that local.Command and local.run share.
type LocalBaseInputs struct {
	Stdin                  *string            `pulumi:"stdin,optional"`
	Logging                *LocalLogging      `pulumi:"logging,optional"`
	Interpreter            *[]string          `pulumi:"interpreter,optional"`
	Dir                    *string            `pulumi:"dir,optional"`
	Environment            *map[string]string `pulumi:"environment,optional"`
	AssetPaths             *[]string          `pulumi:"assetPaths,optional"`
	ArchivePaths           *[]string          `pulumi:"archivePaths,optional"`
	AddPreviousOutputInEnv *bool              `pulumi:"addPreviousOutputInEnv,optional"`
}

func (c *LocalBaseInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Stdin, "Pass a string to the command's process as standard in")
	a.Describe(&c.Logging, loggingDoc)
	a.Describe(&c.Interpreter, "The program and arguments to run the command.\n"+
		"On Linux and macOS, defaults to: `[\"/bin/sh\", \"-c\"]`. On Windows, defaults to: `[\"cmd\", \"/C\"]`")
	a.Describe(&c.Dir, "The directory from which to run the command from. If `dir` does not exist, then\n`Command` will fail.")
	a.Describe(&c.Environment, "Additional environment variables available to the command's process.")
	a.Describe(&c.AssetPaths, "A list of path globs to read after the command completes (see github.com/gobwas/glob; `!` excludes).")
	a.Describe(&c.ArchivePaths, "A list of path globs to return as a single archive asset after the command completes.")
	a.Describe(&c.AddPreviousOutputInEnv, addPrevDoc)
	a.SetDefault(&c.AddPreviousOutputInEnv, true)
}

// LocalBaseOutputs are the outputs of a local run.
type LocalBaseOutputs struct {
	BaseOutputs
	Assets  *map[string]*resource.Asset `pulumi:"assets,optional"`
	Archive *resource.Archive           `pulumi:"archive,optional"`
}

func (c *LocalBaseOutputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Assets, "A map of assets found after running the command.\nThe key is the relative path from the command dir")
	a.Describe(&c.Archive, "An archive asset containing files found after running the command.")
}

type LocalCommandInputs struct {
	ResourceInputs
	LocalBaseInputs
}

type LocalCommandOutputs struct {
	LocalCommandInputs
	LocalBaseOutputs
}

var (
	_ infer.CustomResource[LocalCommandInputs, LocalCommandOutputs] = (*LocalCommand)(nil)
	_ infer.CustomUpdate[LocalCommandInputs, LocalCommandOutputs]   = (*LocalCommand)(nil)
	_ infer.CustomDelete[LocalCommandOutputs]                       = (*LocalCommand)(nil)
)

func (*LocalCommand) Create(ctx context.Context, req infer.CreateRequest[LocalCommandInputs]) (infer.CreateResponse[LocalCommandOutputs], error) {
	in := req.Inputs
	state := LocalCommandOutputs{LocalCommandInputs: in}
	id, err := resource.NewUniqueHex(req.Name, 8, 0)
	if err != nil || req.DryRun || in.Create == nil {
		return infer.CreateResponse[LocalCommandOutputs]{ID: id, Output: state}, err
	}
	state.LocalBaseOutputs, err = runLocal(ctx, *in.Create, in.LocalBaseInputs, state.LocalBaseOutputs)
	return infer.CreateResponse[LocalCommandOutputs]{ID: id, Output: state}, err
}

func (*LocalCommand) Update(ctx context.Context, req infer.UpdateRequest[LocalCommandInputs, LocalCommandOutputs]) (infer.UpdateResponse[LocalCommandOutputs], error) {
	state := LocalCommandOutputs{LocalCommandInputs: req.Inputs, LocalBaseOutputs: req.State.LocalBaseOutputs}
	cmd := req.Inputs.updateCommand()
	if req.DryRun || cmd == nil {
		return infer.UpdateResponse[LocalCommandOutputs]{Output: state}, nil
	}
	var err error
	state.LocalBaseOutputs, err = runLocal(ctx, *cmd, req.Inputs.LocalBaseInputs, req.State.LocalBaseOutputs)
	return infer.UpdateResponse[LocalCommandOutputs]{Output: state}, err
}

func (*LocalCommand) Delete(ctx context.Context, req infer.DeleteRequest[LocalCommandOutputs]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	_, err := runLocal(ctx, *req.State.Delete, req.State.LocalBaseInputs, req.State.LocalBaseOutputs)
	return infer.DeleteResponse{}, err
}

// LocalRun is the command:local:run invoke.
type LocalRun struct{}

func (r *LocalRun) Annotate(a infer.Annotator) {
	a.SetToken("local", "run")
	a.Describe(&r, "A local command to be executed.\nThis command will always be run on any preview or deployment. Use `local.Command` to avoid duplicating executions.")
}

type LocalRunInputs struct {
	LocalBaseInputs
	Command string `pulumi:"command"`
}

func (r *LocalRunInputs) Annotate(a infer.Annotator) {
	a.Describe(&r.Command, "The command to run.")
}

// LocalRunOutputs has stdout and stderr; unlike upstream, no assets/archive (infer
// cannot describe assets in a function result).
type LocalRunOutputs struct {
	LocalRunInputs
	BaseOutputs
}

func (*LocalRun) Invoke(ctx context.Context, req infer.FunctionRequest[LocalRunInputs]) (infer.FunctionResponse[LocalRunOutputs], error) {
	out, err := runLocal(ctx, req.Input.Command, req.Input.LocalBaseInputs, LocalBaseOutputs{})
	return infer.FunctionResponse[LocalRunOutputs]{Output: LocalRunOutputs{req.Input, out.BaseOutputs}}, err
}

// runLocal runs command with the interpreter (default /bin/sh -c) in dir, with the
// environment plus, unless addPreviousOutputInEnv is false, the previous stdout/stderr.
func runLocal(ctx context.Context, command string, in LocalBaseInputs, prev LocalBaseOutputs) (LocalBaseOutputs, error) {
	args := []string{"/bin/sh", "-c"}
	if in.Interpreter != nil && len(*in.Interpreter) > 0 {
		args = append([]string(nil), *in.Interpreter...)
	}
	args = append(args, command)

	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	if in.Dir != nil {
		cmd.Dir = *in.Dir
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return prev, err
		}
		cmd.Dir = wd
	}
	cmd.Env = os.Environ()
	if in.Environment != nil {
		for k, v := range *in.Environment {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	if in.AddPreviousOutputInEnv == nil || *in.AddPreviousOutputInEnv {
		if prev.Stdout != "" {
			cmd.Env = append(cmd.Env, envStdout+"="+prev.Stdout)
		}
		if prev.Stderr != "" {
			cmd.Env = append(cmd.Env, envStderr+"="+prev.Stderr)
		}
	}
	if in.Stdin != nil && *in.Stdin != "" {
		cmd.Stdin = strings.NewReader(*in.Stdin)
	}

	c := newCapture(ctx)
	cmd.Stdout, cmd.Stderr = c.writers(logStdout(in.Logging), logStderr(in.Logging))
	base, err := c.finish(cmd.Run(), command)
	if err != nil {
		return prev, err
	}
	out := LocalBaseOutputs{BaseOutputs: base}
	if in.AssetPaths != nil {
		assets, err := globAssets(cmd.Dir, *in.AssetPaths)
		if err != nil {
			return out, err
		}
		out.Assets = &assets
	}
	if in.ArchivePaths != nil {
		assets, err := globAssets(cmd.Dir, *in.ArchivePaths)
		if err != nil {
			return out, err
		}
		m := map[string]any{}
		for k, v := range assets {
			m[k] = v
		}
		if out.Archive, err = resource.NewAssetArchive(m); err != nil {
			return out, err
		}
	}
	return out, nil
}

// globAssets returns the files under dir matching the globs, in order; a glob
// starting with ! removes earlier matches. Paths are relative and use /.
func globAssets(dir string, globs []string) (map[string]*resource.Asset, error) {
	type rule struct {
		g       glob.Glob
		exclude bool
	}
	rules := make([]rule, 0, len(globs))
	for _, s := range globs {
		ex := strings.HasPrefix(s, "!")
		g, err := glob.Compile(strings.TrimPrefix(s, "!"), '/')
		if err != nil {
			return nil, fmt.Errorf("glob %q: %w", s, err)
		}
		rules = append(rules, rule{g, ex})
	}
	assets := map[string]*resource.Asset{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, r := range rules {
			if !r.g.Match(p) {
				continue
			}
			if r.exclude {
				delete(assets, p)
			} else if assets[p], err = resource.NewPathAsset(path.Join(dir, p)); err != nil {
				return err
			}
		}
		return nil
	})
	return assets, err
}
