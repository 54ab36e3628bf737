package action

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// MoveFileInputs is one MoveFile item.
type MoveFileInputs struct {
	Source      string `input:"source,required"` // * allowed in the last element
	Destination string `input:"destination,required"`
	Overwrite   bool   `input:"overwrite"` // default true
}

func init() {
	Register(NewListModule(Spec[MoveFileInputs]{
		Name:     "MoveFile",
		Defaults: func(in *MoveFileInputs) { in.Overwrite = true },
		Check: func(in *MoveFileInputs, p *Problems) {
			fsCheckCopy(p, in.Source, in.Destination)
		},
	}, runMoveFile))
}

// runMoveFile moves files like CopyFile copies them. A symbolic link is
// moved as the link. Across file systems the file is copied, then removed.
func runMoveFile(ctx context.Context, env *Env, items []*MoveFileInputs) (Output, error) {
	return fsEach(ctx, items, func(in *MoveFileInputs) error {
		src, dst := fsAbs(env, in.Source), fsAbsDest(env, in.Destination)
		sources, err := fsSources(src, func(fi fs.FileInfo) bool { return !fi.IsDir() })
		if err != nil {
			return fmt.Errorf("move %s to %s: %w", src, dst, err)
		}
		for _, s := range sources {
			target := fsTarget(s, dst)
			if err := moveOneFile(s, target, in.Overwrite); err != nil {
				return fmt.Errorf("move %s to %s: %w", s, target, err)
			}
			fsLog(env).Info("moved file", "source", s, "destination", target)
		}
		return nil
	})
}

func moveOneFile(src, dst string, overwrite bool) error {
	fi, err := os.Lstat(src)
	if err != nil {
		return fsExplain(src, err, "check the path, or create the file in an earlier step")
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a folder; use MoveFolder to move folders", src)
	}
	if err := fsCheckFileTarget(src, fi, dst, overwrite); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
		return fsExplain(filepath.Dir(dst), err, "")
	}
	err = os.Rename(src, dst)
	if errors.Is(err, syscall.EXDEV) && fi.Mode().IsRegular() {
		if err := fsCopyFile(src, dst, overwrite); err != nil {
			return err
		}
		return os.Remove(src)
	}
	return err
}
