package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// DeleteFolderInputs is one DeleteFolder item.
type DeleteFolderInputs struct {
	Path  string `input:"path,required"`
	Force bool   `input:"force"` // default false: only an empty folder is deleted
}

func init() {
	Register(NewListModule(Spec[DeleteFolderInputs]{
		Name: "DeleteFolder",
		Check: func(in *DeleteFolderInputs, p *Problems) {
			fsCheckPath(p, "path", in.Path)
		},
	}, runDeleteFolder))
}

// runDeleteFolder deletes folders; a non-empty one needs force. A folder
// that does not exist is not an error (UNCONFIRMED, as DeleteFile). A
// symbolic link to a folder is removed as the link, never its target.
func runDeleteFolder(ctx context.Context, env *Env, items []*DeleteFolderInputs) (Output, error) {
	return fsEach(ctx, items, func(in *DeleteFolderInputs) error {
		path := fsAbs(env, in.Path)
		if err := deleteFolder(path, in.Force); err != nil {
			return fmt.Errorf("delete folder %s: %w", path, err)
		}
		fsLog(env).Info("deleted folder", "path", path)
		return nil
	})
}

func deleteFolder(path string, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case os.IsNotExist(err):
		return nil
	case err != nil:
		return fsExplain(path, err, "")
	case fi.Mode()&os.ModeSymlink != 0:
		return os.Remove(path)
	case !fi.IsDir():
		return fmt.Errorf("%s is a file; use DeleteFile to delete files", path)
	case filepath.Dir(path) == path:
		return errors.New("refusing to delete the root of the file system")
	case force:
		return fsExplain(path, os.RemoveAll(path), "")
	}
	f, err := os.Open(path)
	if err != nil {
		return fsExplain(path, err, "")
	}
	_, err = f.Readdirnames(1)
	f.Close()
	if !errors.Is(err, io.EOF) {
		if err != nil {
			return fsExplain(path, err, "")
		}
		return fmt.Errorf("%s is not empty and force is false; set force: true to delete it with everything in it", path)
	}
	return fsExplain(path, os.Remove(path), "")
}
