package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SetFolderPermissionsInputs is one SetFolderPermissions item.
type SetFolderPermissionsInputs struct {
	Path        string `input:"path,required"`
	Permissions string `input:"permissions,required"` // octal, e.g. "0755" or "644"
	Recursive   bool   `input:"recursive"`            // default true
}

func init() {
	Register(NewListModule(Spec[SetFolderPermissionsInputs]{
		Name:     "SetFolderPermissions",
		OS:       []string{"linux", "darwin"},
		Defaults: func(in *SetFolderPermissionsInputs) { in.Recursive = true },
		Check: func(in *SetFolderPermissionsInputs, p *Problems) {
			fsCheckPath(p, "path", in.Path)
			fsCheckMode(p, "permissions", in.Permissions)
		},
	}, runSetFolderPermissions))
}

// runSetFolderPermissions sets a folder's permission bits and, when
// recursive, the same bits on every file and folder inside, like
// chmod -R (UNCONFIRMED: AWSTOE does not say whether files get the
// folder's bits; this is what chmod -R does). Symbolic links inside are
// skipped. Bits are set deepest first, so a mode that removes access does
// not stop the walk.
func runSetFolderPermissions(ctx context.Context, env *Env, items []*SetFolderPermissionsInputs) (Output, error) {
	return fsEach(ctx, items, func(in *SetFolderPermissionsInputs) error {
		path := fsAbs(env, in.Path)
		if err := setFolderPermissions(ctx, path, in); err != nil {
			return fmt.Errorf("set permissions of folder %s: %w", path, err)
		}
		fsLog(env).Info("set folder permissions", "path", path, "permissions", in.Permissions, "recursive", in.Recursive)
		return nil
	})
}

func setFolderPermissions(ctx context.Context, path string, in *SetFolderPermissionsInputs) error {
	m, err := fsParseMode(in.Permissions)
	if err != nil {
		return err
	}
	root, err := fsFolder(path, "SetFilePermissions")
	if err != nil {
		return err
	}
	paths := []string{root}
	if in.Recursive {
		paths = paths[:0]
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return fsExplain(p, err, "")
			}
			if d.Type()&fs.ModeSymlink == 0 {
				paths = append(paths, p)
			}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
	}
	for i := len(paths) - 1; i >= 0; i-- {
		if err := os.Chmod(paths[i], m); err != nil {
			return fsExplain(paths[i], err, "")
		}
	}
	return nil
}
