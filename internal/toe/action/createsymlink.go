package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CreateSymlinkInputs is one CreateSymlink item.
type CreateSymlinkInputs struct {
	Path   string `input:"path,required"`   // the link to create
	Target string `input:"target,required"` // what it points to
	Force  bool   `input:"force"`           // default false: keep an existing link
}

func init() {
	Register(NewListModule(Spec[CreateSymlinkInputs]{
		Name: "CreateSymlink",
		OS:   []string{"linux", "darwin"},
		Check: func(in *CreateSymlinkInputs, p *Problems) {
			fsCheckPath(p, "path", in.Path)
			fsCheckPath(p, "target", in.Target)
		},
	}, runCreateSymlink))
}

// runCreateSymlink creates symbolic links, creating the link's parent
// folders. A relative target is stored as written, so it is relative to
// the link's folder, as the operating system reads it (UNCONFIRMED:
// AWSTOE only says a relative path is made absolute).
func runCreateSymlink(ctx context.Context, env *Env, items []*CreateSymlinkInputs) (Output, error) {
	return fsEach(ctx, items, func(in *CreateSymlinkInputs) error {
		path := fsAbs(env, in.Path)
		if err := createSymlink(path, in.Target, in.Force); err != nil {
			return fmt.Errorf("create symlink %s to %s: %w", path, in.Target, err)
		}
		fsLog(env).Info("created symlink", "path", path, "target", in.Target)
		return nil
	})
}

func createSymlink(path, target string, force bool) error {
	resolved := target
	if !filepath.IsAbs(resolved) {
		resolved = filepath.Join(filepath.Dir(path), target)
	}
	if _, err := os.Stat(resolved); err != nil {
		return fsExplain(resolved, err, "create the target first; links to missing targets are refused")
	}
	fi, err := os.Lstat(path)
	switch {
	case err != nil:
	case fi.Mode()&fs.ModeSymlink == 0:
		return fsErrf(fs.ErrExist, "%s exists and is not a symbolic link; remove it first with DeleteFile or DeleteFolder", path)
	case !force:
		old, _ := os.Readlink(path)
		return fsErrf(fs.ErrExist, "%s is already a symbolic link (to %s) and force is false; set force: true to replace it", path, old)
	default:
		if err := os.Remove(path); err != nil {
			return fsExplain(path, err, "")
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return fsExplain(filepath.Dir(path), err, "")
	}
	return os.Symlink(target, path)
}
