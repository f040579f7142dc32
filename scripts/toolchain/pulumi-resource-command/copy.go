package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pkg/sftp"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/infer/types"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// CopyToRemote is command:remote:CopyToRemote: copies a path-based FileAsset or
// FileArchive (a file or a directory) to the remote host over SFTP.
type CopyToRemote struct{}

func (c *CopyToRemote) Annotate(a infer.Annotator) {
	a.SetToken("remote", "CopyToRemote")
	a.Describe(&c, "Copy an Asset or Archive to a remote host.")
}

type CopyToRemoteInputs struct {
	Connection *Connection          `pulumi:"connection" provider:"secret"`
	Triggers   *[]any               `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Source     types.AssetOrArchive `pulumi:"source"`
	RemotePath string               `pulumi:"remotePath"`
}

func (c *CopyToRemoteInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Connection, "The parameters with which to connect to the remote host.")
	a.Describe(&c.Triggers, "Trigger replacements on changes to this input.")
	a.Describe(&c.Source, "An asset or an archive to upload as the source of the copy. It must be path-based, "+
		"i.e., be a `FileAsset` or a `FileArchive`. Directories are copied recursively, overwriting existing files.")
	a.Describe(&c.RemotePath, "The destination path on the remote host.")
}

func (c CopyToRemoteInputs) sourcePath() string {
	if c.Source.Asset != nil {
		return c.Source.Asset.Path
	}
	if c.Source.Archive != nil {
		return c.Source.Archive.Path
	}
	return ""
}

func (c CopyToRemoteInputs) hash() string {
	if c.Source.Archive != nil {
		return c.Source.Archive.Hash
	}
	if c.Source.Asset != nil {
		return c.Source.Asset.Hash
	}
	return ""
}

type CopyToRemoteOutputs struct {
	CopyToRemoteInputs
}

var (
	_ infer.CustomResource[CopyToRemoteInputs, CopyToRemoteOutputs] = (*CopyToRemote)(nil)
	_ infer.CustomCheck[CopyToRemoteInputs]                         = (*CopyToRemote)(nil)
	_ infer.CustomUpdate[CopyToRemoteInputs, CopyToRemoteOutputs]   = (*CopyToRemote)(nil)
)

func (*CopyToRemote) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[CopyToRemoteInputs], error) {
	in, failures, err := infer.DefaultCheck[CopyToRemoteInputs](ctx, req.NewInputs)
	if err != nil {
		return infer.CheckResponse[CopyToRemoteInputs]{Inputs: in, Failures: failures}, err
	}
	// An unknown source (preview) is not checked.
	if v, ok := req.NewInputs.GetOk("source"); ok && v.IsComputed() {
		return infer.CheckResponse[CopyToRemoteInputs]{Inputs: in, Failures: failures}, nil
	}
	fail := func(prop, reason string) { failures = append(failures, p.CheckFailure{Property: prop, Reason: reason}) }
	switch a, ar := in.Source.Asset, in.Source.Archive; {
	case a != nil && ar != nil:
		fail("source", "only one of asset or archive can be set")
	case a == nil && ar == nil:
		fail("source", "either asset or archive must be set")
	case a != nil && !a.IsPath():
		fail("source", "asset must be a path-based file asset")
	case ar != nil && !ar.IsPath():
		fail("source", "archive must be a path to a file or directory")
	}
	return infer.CheckResponse[CopyToRemoteInputs]{Inputs: in, Failures: failures}, nil
}

func (*CopyToRemote) Create(ctx context.Context, req infer.CreateRequest[CopyToRemoteInputs]) (infer.CreateResponse[CopyToRemoteOutputs], error) {
	out := CopyToRemoteOutputs{req.Inputs}
	if req.DryRun {
		return infer.CreateResponse[CopyToRemoteOutputs]{Output: out}, nil
	}
	if err := copyToRemote(ctx, req.Inputs); err != nil {
		return infer.CreateResponse[CopyToRemoteOutputs]{Output: out}, err
	}
	id, err := resource.NewUniqueHex(req.Name, 8, 0)
	return infer.CreateResponse[CopyToRemoteOutputs]{ID: id, Output: out}, err
}

func (*CopyToRemote) Update(ctx context.Context, req infer.UpdateRequest[CopyToRemoteInputs, CopyToRemoteOutputs]) (infer.UpdateResponse[CopyToRemoteOutputs], error) {
	out := CopyToRemoteOutputs{req.Inputs}
	if req.DryRun {
		return infer.UpdateResponse[CopyToRemoteOutputs]{Output: out}, nil
	}
	if req.Inputs.hash() != req.State.hash() || req.Inputs.RemotePath != req.State.RemotePath {
		return infer.UpdateResponse[CopyToRemoteOutputs]{Output: out}, copyToRemote(ctx, req.Inputs)
	}
	return infer.UpdateResponse[CopyToRemoteOutputs]{Output: out}, nil
}

func copyToRemote(ctx context.Context, in CopyToRemoteInputs) error {
	src := in.sourcePath()
	p.GetLogger(ctx).Debugf("copying %s to %s:%s", src, in.Connection.endpoint(), in.RemotePath)
	client, err := in.Connection.Dial(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	sc, err := sftp.NewClient(client)
	if err != nil {
		return fmt.Errorf("sftp: %w", err)
	}
	defer sc.Close()
	return sftpCopy(sc, src, in.RemotePath)
}

func remoteStat(sc *sftp.Client, p string) (fs.FileInfo, error) {
	fi, err := sc.Stat(p)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("stat remote %s: %w", p, err)
	}
	if err != nil {
		return nil, nil
	}
	return fi, nil
}

// sftpCopy: a file goes to dest (or dest/base when dest is a directory); a directory
// "d" goes to dest/d, "d/" copies its contents into dest.
func sftpCopy(sc *sftp.Client, src, dest string) error {
	si, err := os.Stat(src)
	if err != nil {
		return err
	}
	di, err := remoteStat(sc, dest)
	if err != nil {
		return err
	}
	if !si.IsDir() {
		if di != nil && di.IsDir() {
			dest = path.Join(dest, filepath.Base(src))
		}
		return copyFile(sc, src, dest)
	}
	if di == nil {
		if err := sc.Mkdir(dest); err != nil {
			return fmt.Errorf("create remote directory %s: %w", dest, err)
		}
	} else if !di.IsDir() {
		return fmt.Errorf("remote path %s exists but is not a directory", dest)
	}
	if !strings.HasSuffix(src, "/") {
		dest = path.Join(dest, filepath.Base(src))
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		rp := path.Join(dest, filepath.ToSlash(rel))
		if !d.IsDir() {
			return copyFile(sc, p, rp)
		}
		fi, err := remoteStat(sc, rp)
		if err != nil {
			return err
		}
		if fi == nil {
			if err := sc.Mkdir(rp); err != nil {
				return fmt.Errorf("create remote directory %s: %w", rp, err)
			}
		} else if !fi.IsDir() {
			return fmt.Errorf("remote path %s exists but is not a directory", rp)
		}
		return nil
	})
}

func copyFile(sc *sftp.Client, src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := sc.Create(dst)
	if err != nil {
		return fmt.Errorf("create remote file %s: %w", dst, err)
	}
	defer r.Close()
	if _, err := r.ReadFrom(f); err != nil {
		return fmt.Errorf("copy %s to remote %s: %w", src, dst, err)
	}
	if fi, err := f.Stat(); err == nil {
		_ = r.Chmod(fi.Mode().Perm())
	}
	return nil
}
