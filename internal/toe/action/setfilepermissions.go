package action

import (
	"context"
	"fmt"
	"os"
)

// SetFilePermissionsInputs is one SetFilePermissions item.
type SetFilePermissionsInputs struct {
	Path        string `input:"path,required"`
	Permissions string `input:"permissions,required"` // octal, e.g. "0755" or "644"
}

func init() {
	Register(NewListModule(Spec[SetFilePermissionsInputs]{
		Name: "SetFilePermissions",
		OS:   []string{"linux", "darwin"},
		Check: func(in *SetFilePermissionsInputs, p *Problems) {
			fsCheckPath(p, "path", in.Path)
			fsCheckMode(p, "permissions", in.Permissions)
		},
	}, runSetFilePermissions))
}

// runSetFilePermissions sets a file's permission bits, following a
// symbolic link to its target.
func runSetFilePermissions(ctx context.Context, env *Env, items []*SetFilePermissionsInputs) (Output, error) {
	return fsEach(ctx, items, func(in *SetFilePermissionsInputs) error {
		path := fsAbs(env, in.Path)
		if err := setFilePermissions(path, in.Permissions); err != nil {
			return fmt.Errorf("set permissions of %s: %w", path, err)
		}
		fsLog(env).Info("set file permissions", "path", path, "permissions", in.Permissions)
		return nil
	})
}

func setFilePermissions(path, perms string) error {
	m, err := fsParseMode(perms)
	if err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fsExplain(path, err, "check the path, or create the file in an earlier step")
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a folder; use SetFolderPermissions for folders", path)
	}
	return fsExplain(path, os.Chmod(path, m), "")
}
