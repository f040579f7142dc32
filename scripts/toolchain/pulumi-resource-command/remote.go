package main

import (
	"context"
	"fmt"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// RemoteCommand is command:remote:Command.
type RemoteCommand struct{}

func (c *RemoteCommand) Annotate(a infer.Annotator) {
	a.SetToken("remote", "Command")
	a.Describe(&c, "A command to run on a remote host. The connection is established via ssh.")
}

type RemoteCommandInputs struct {
	ResourceInputs
	Stdin                  *string           `pulumi:"stdin,optional"`
	Logging                *RemoteLogging    `pulumi:"logging,optional"`
	Connection             *Connection       `pulumi:"connection" provider:"secret"`
	Environment            map[string]string `pulumi:"environment,optional"`
	AddPreviousOutputInEnv *bool             `pulumi:"addPreviousOutputInEnv,optional"`
}

func (c *RemoteCommandInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Stdin, "Pass a string to the command's process as standard in")
	a.Describe(&c.Logging, loggingDoc)
	a.Describe(&c.Connection, "The parameters with which to connect to the remote host.")
	a.Describe(&c.Environment, "Additional environment variables available to the command's process.\n"+
		"Note that this only works if the SSH server is configured to accept these variables via AcceptEnv.\n"+
		"Alternatively, if a Bash-like shell runs the command on the remote host, you could prefix the command itself\n"+
		"with the variables in the form 'VAR=value command'.")
	a.Describe(&c.AddPreviousOutputInEnv, addPrevDoc)
	a.SetDefault(&c.AddPreviousOutputInEnv, true)
}

type RemoteCommandOutputs struct {
	RemoteCommandInputs
	BaseOutputs
}

var (
	_ infer.CustomResource[RemoteCommandInputs, RemoteCommandOutputs] = (*RemoteCommand)(nil)
	_ infer.CustomUpdate[RemoteCommandInputs, RemoteCommandOutputs]   = (*RemoteCommand)(nil)
	_ infer.CustomDelete[RemoteCommandOutputs]                        = (*RemoteCommand)(nil)
)

func (*RemoteCommand) Create(ctx context.Context, req infer.CreateRequest[RemoteCommandInputs]) (infer.CreateResponse[RemoteCommandOutputs], error) {
	state := RemoteCommandOutputs{RemoteCommandInputs: req.Inputs}
	id, err := resource.NewUniqueHex(req.Name, 8, 0)
	if err != nil || req.DryRun || req.Inputs.Create == nil {
		return infer.CreateResponse[RemoteCommandOutputs]{ID: id, Output: state}, err
	}
	state.BaseOutputs, err = runRemote(ctx, *req.Inputs.Create, req.Inputs, state.BaseOutputs)
	return infer.CreateResponse[RemoteCommandOutputs]{ID: id, Output: state}, err
}

func (*RemoteCommand) Update(ctx context.Context, req infer.UpdateRequest[RemoteCommandInputs, RemoteCommandOutputs]) (infer.UpdateResponse[RemoteCommandOutputs], error) {
	state := RemoteCommandOutputs{RemoteCommandInputs: req.Inputs, BaseOutputs: req.State.BaseOutputs}
	cmd := req.Inputs.updateCommand()
	if req.DryRun || cmd == nil {
		return infer.UpdateResponse[RemoteCommandOutputs]{Output: state}, nil
	}
	var err error
	state.BaseOutputs, err = runRemote(ctx, *cmd, req.Inputs, req.State.BaseOutputs)
	return infer.UpdateResponse[RemoteCommandOutputs]{Output: state}, err
}

func (*RemoteCommand) Delete(ctx context.Context, req infer.DeleteRequest[RemoteCommandOutputs]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	_, err := runRemote(ctx, *req.State.Delete, req.State.RemoteCommandInputs, req.State.BaseOutputs)
	return infer.DeleteResponse{}, err
}

// runRemote runs command in a new SSH session. Environment variables need the
// server's AcceptEnv; PULUMI_COMMAND_STDOUT/STDERR are only attempted (warning on refusal).
func runRemote(ctx context.Context, command string, in RemoteCommandInputs, prev BaseOutputs) (BaseOutputs, error) {
	client, err := in.Connection.Dial(ctx)
	if err != nil {
		return prev, err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return prev, err
	}
	defer session.Close()

	for k, v := range in.Environment {
		if err := session.Setenv(k, v); err != nil {
			p.GetLogger(ctx).Error(setenvHint(k))
			return prev, fmt.Errorf("could not set environment variable %q: %w", k, err)
		}
	}
	if in.AddPreviousOutputInEnv == nil || *in.AddPreviousOutputInEnv {
		for k, v := range map[string]string{envStdout: prev.Stdout, envStderr: prev.Stderr} {
			if v != "" {
				if err := session.Setenv(k, v); err != nil {
					p.GetLogger(ctx).Warning(setenvHint(k))
				}
			}
		}
	}
	if in.Stdin != nil && *in.Stdin != "" {
		session.Stdin = strings.NewReader(*in.Stdin)
	}
	c := newCapture(ctx)
	session.Stdout, session.Stderr = c.writers(logStdout(in.Logging), logStderr(in.Logging))
	out, err := c.finish(session.Run(command), command)
	if err != nil {
		return prev, err
	}
	return out, nil
}

func setenvHint(key string) string {
	return fmt.Sprintf("Unable to set '%s'. This only works if your SSH server is configured to accept these "+
		"variables via AcceptEnv. Alternatively, if a Bash-like shell runs the command on the remote host, you could "+
		"prefix the command itself with the variables in the form 'VAR=value command'", key)
}
