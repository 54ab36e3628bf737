package action

import (
	"context"
	"fmt"
	"os"
)

// DeleteFileInputs is one DeleteFile item.
type DeleteFileInputs struct {
	Path string `input:"path,required"` // * allowed in the file name
}

func init() {
	Register(NewListModule(Spec[DeleteFileInputs]{
		Name: "DeleteFile",
		Check: func(in *DeleteFileInputs, p *Problems) {
			fsCheckPath(p, "path", in.Path)
			fsCheckWildcard(p, "path", in.Path, "", "")
		},
	}, runDeleteFile))
}

// runDeleteFile deletes files (and symbolic links, never their targets).
// With a wildcard it deletes the matching files and leaves folders alone.
// A file that does not exist, or a wildcard matching nothing, is not an
// error (UNCONFIRMED: AWSTOE does not document it; this keeps reruns after
// a reboot working).
func runDeleteFile(ctx context.Context, env *Env, items []*DeleteFileInputs) (Output, error) {
	return fsEach(ctx, items, func(in *DeleteFileInputs) error {
		path := fsAbs(env, in.Path)
		if !fsHasWildcard(path) {
			return deleteOneFile(env, path, false)
		}
		matches, err := fsGlob(path)
		if err != nil {
			return fmt.Errorf("delete %s: %w", path, err)
		}
		if len(matches) == 0 {
			fsLog(env).Info("no files to delete", "path", path)
		}
		for _, m := range matches {
			if err := deleteOneFile(env, m, true); err != nil {
				return err
			}
		}
		return nil
	})
}

func deleteOneFile(env *Env, path string, skipDirs bool) error {
	fi, err := os.Lstat(path)
	switch {
	case os.IsNotExist(err):
		fsLog(env).Info("file already absent", "path", path)
		return nil
	case err != nil:
		return fmt.Errorf("delete %s: %w", path, fsExplain(path, err, ""))
	case fi.IsDir() && skipDirs:
		return nil
	case fi.IsDir():
		return fmt.Errorf("delete %s: it is a folder; use DeleteFolder to delete folders", path)
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("delete %s: %w", path, fsExplain(path, err, ""))
	}
	fsLog(env).Info("deleted file", "path", path)
	return nil
}
