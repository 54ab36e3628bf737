package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CopyFolderInputs is one CopyFolder item.
type CopyFolderInputs struct {
	Source      string `input:"source,required"` // * allowed in the last element
	Destination string `input:"destination,required"`
	Overwrite   bool   `input:"overwrite"` // default true
}

func init() {
	Register(NewListModule(Spec[CopyFolderInputs]{
		Name:     "CopyFolder",
		Defaults: func(in *CopyFolderInputs) { in.Overwrite = true },
		Check: func(in *CopyFolderInputs, p *Problems) {
			fsCheckCopy(p, in.Source, in.Destination)
		},
	}, runCopyFolder))
}

// runCopyFolder copies folders recursively. When the target folder exists
// and overwrite is true the copy is merged into it: files of the same name
// are replaced and other files are kept (UNCONFIRMED: AWSTOE does not say
// whether it empties the target first; merging loses nothing).
func runCopyFolder(ctx context.Context, env *Env, items []*CopyFolderInputs) (Output, error) {
	return fsEach(ctx, items, func(in *CopyFolderInputs) error {
		src, dst := fsAbs(env, in.Source), fsAbsDest(env, in.Destination)
		sources, err := fsSources(src, fs.FileInfo.IsDir)
		if err != nil {
			return fmt.Errorf("copy folder %s to %s: %w", src, dst, err)
		}
		for _, s := range sources {
			target := fsTarget(s, dst)
			if err := copyOneFolder(ctx, s, target, in.Overwrite); err != nil {
				return fmt.Errorf("copy folder %s to %s: %w", s, target, err)
			}
			fsLog(env).Info("copied folder", "source", s, "destination", target)
		}
		return nil
	})
}

func copyOneFolder(ctx context.Context, src, dst string, overwrite bool) error {
	if err := fsCheckFolderTarget(src, dst, overwrite); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
		return fsExplain(filepath.Dir(dst), err, "")
	}
	return fsCopyTree(ctx, src, dst, overwrite)
}

// fsCheckFolderTarget checks a folder copy or move: src must be a folder,
// dst must not lie inside it, and an existing dst must be a folder that
// may be overwritten.
func fsCheckFolderTarget(src, dst string, overwrite bool) error {
	fi, err := os.Stat(src)
	if err != nil {
		return fsExplain(src, err, "check the path, or create the folder in an earlier step")
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is a file; use CopyFile or MoveFile for files", src)
	}
	if fsWithin(src, dst) {
		return fmt.Errorf("the destination is inside the source folder; choose a destination outside %s", src)
	}
	ti, err := os.Stat(dst)
	switch {
	case err != nil:
		return nil
	case !ti.IsDir():
		return fsErrf(fs.ErrExist, "%s exists and is a file; remove it with DeleteFile or choose another destination", dst)
	case !overwrite:
		return fsExists(dst)
	}
	return nil
}
