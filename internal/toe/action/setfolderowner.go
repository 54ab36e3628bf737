package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SetFolderOwnerInputs is one SetFolderOwner item.
type SetFolderOwnerInputs struct {
	Path      string `input:"path,required"`
	Owner     string `input:"owner,required"` // user name or numeric uid
	Group     string `input:"group"`          // default: the owner's primary group
	Recursive bool   `input:"recursive"`      // default true
}

func init() {
	Register(NewListModule(Spec[SetFolderOwnerInputs]{
		Name:     "SetFolderOwner",
		OS:       []string{"linux", "darwin"},
		Defaults: func(in *SetFolderOwnerInputs) { in.Recursive = true },
		Check: func(in *SetFolderOwnerInputs, p *Problems) {
			fsCheckPath(p, "path", in.Path)
			fsCheckOwner(p, in.Owner)
		},
	}, runSetFolderOwner))
}

// runSetFolderOwner changes the owner of a folder and, when recursive,
// of everything in it. Symbolic links inside are changed themselves, not
// followed, so nothing outside the folder changes.
func runSetFolderOwner(ctx context.Context, env *Env, items []*SetFolderOwnerInputs) (Output, error) {
	return fsEach(ctx, items, func(in *SetFolderOwnerInputs) error {
		path := fsAbs(env, in.Path)
		if err := setFolderOwner(ctx, path, in); err != nil {
			return fmt.Errorf("set owner of folder %s: %w", path, err)
		}
		fsLog(env).Info("set folder owner", "path", path, "owner", in.Owner, "group", in.Group, "recursive", in.Recursive)
		return nil
	})
}

func setFolderOwner(ctx context.Context, path string, in *SetFolderOwnerInputs) error {
	root, err := fsFolder(path, "SetFileOwner")
	if err != nil {
		return err
	}
	uid, gid, err := fsLookupIDs(in.Owner, in.Group)
	if err != nil {
		return err
	}
	if !in.Recursive {
		return fsExplain(root, os.Chown(root, uid, gid), "")
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fsExplain(p, err, "")
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return fsExplain(p, os.Lchown(p, uid, gid), "")
	})
}

// fsFolder checks that path is a folder and returns it with symbolic
// links resolved; fileModule is the module to suggest for a file.
func fsFolder(path, fileModule string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fsExplain(path, err, "check the path, or create the folder in an earlier step")
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s is a file; use %s for files", path, fileModule)
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real, nil
	}
	return path, nil
}
