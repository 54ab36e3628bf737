package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
)

// CreateFolderInputs is one CreateFolder item.
type CreateFolderInputs struct {
	Path        string `input:"path,required"`
	Owner       string `input:"owner"`       // default: unchanged (the runner's user)
	Group       string `input:"group"`       // default: the owner's primary group when owner is set
	Permissions string `input:"permissions"` // default 0777 before umask
	Overwrite   bool   `input:"overwrite"`   // default true
}

func init() {
	Register(NewListModule(Spec[CreateFolderInputs]{
		Name:     "CreateFolder",
		Defaults: func(in *CreateFolderInputs) { in.Overwrite = true },
		Check:    checkCreateFolder,
	}, runCreateFolder))
}

func checkCreateFolder(in *CreateFolderInputs, p *Problems) {
	fsCheckPath(p, "path", in.Path)
	if in.Permissions != "" {
		fsCheckMode(p, "permissions", in.Permissions)
	}
	fsCheckUnixOnly(p, map[string]string{"owner": in.Owner, "group": in.Group, "permissions": in.Permissions})
}

// runCreateFolder creates folders with their parents. An existing folder
// with overwrite true is kept as it is (its content is not touched) and
// gets the owner and permissions given (UNCONFIRMED: AWSTOE does not say
// whether "overwrite" empties it; keeping the content is the safe choice).
func runCreateFolder(ctx context.Context, env *Env, items []*CreateFolderInputs) (Output, error) {
	return fsEach(ctx, items, func(in *CreateFolderInputs) error {
		path := fsAbs(env, in.Path)
		if err := createFolder(path, in); err != nil {
			return fmt.Errorf("create folder %s: %w", path, err)
		}
		fsLog(env).Info("created folder", "path", path)
		return nil
	})
}

func createFolder(path string, in *CreateFolderInputs) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && !fi.IsDir():
		return fsErrf(fs.ErrExist, "%s exists and is a file; remove it with DeleteFile or choose another path", path)
	case err == nil && !in.Overwrite:
		return fsExists(path)
	case err == nil:
	default:
		if err := os.MkdirAll(path, 0o777); err != nil {
			return fsExplain(path, err, "")
		}
	}
	return fsApplyAccess(path, in.Owner, in.Group, in.Permissions)
}
