package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CopyFileInputs is one CopyFile item.
type CopyFileInputs struct {
	Source      string `input:"source,required"` // * allowed in the last element
	Destination string `input:"destination,required"`
	Overwrite   bool   `input:"overwrite"` // default true
}

func init() {
	Register(NewListModule(Spec[CopyFileInputs]{
		Name:     "CopyFile",
		Defaults: func(in *CopyFileInputs) { in.Overwrite = true },
		Check: func(in *CopyFileInputs, p *Problems) {
			fsCheckCopy(p, in.Source, in.Destination)
		},
	}, runCopyFile))
}

// fsCheckCopy checks the source and destination of the copy and move
// modules.
func fsCheckCopy(p *Problems, src, dst string) {
	fsCheckPath(p, "source", src)
	fsCheckPath(p, "destination", dst)
	fsCheckWildcard(p, "source", src, "destination", dst)
}

// runCopyFile copies files; a wildcard copies every matching file (not
// folders) into the destination folder. Parent folders are created.
func runCopyFile(ctx context.Context, env *Env, items []*CopyFileInputs) (Output, error) {
	return fsEach(ctx, items, func(in *CopyFileInputs) error {
		src, dst := fsAbs(env, in.Source), fsAbsDest(env, in.Destination)
		sources, err := fsSources(src, func(fi fs.FileInfo) bool { return !fi.IsDir() })
		if err != nil {
			return fmt.Errorf("copy %s to %s: %w", src, dst, err)
		}
		for _, s := range sources {
			target := fsTarget(s, dst)
			if err := copyOneFile(s, target, in.Overwrite); err != nil {
				return fmt.Errorf("copy %s to %s: %w", s, target, err)
			}
			fsLog(env).Info("copied file", "source", s, "destination", target)
		}
		return nil
	})
}

func copyOneFile(src, dst string, overwrite bool) error {
	fi, err := os.Stat(src)
	if err != nil {
		return fsExplain(src, err, "check the path, or create the file in an earlier step")
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a folder; use CopyFolder to copy folders", src)
	}
	if err := fsCheckFileTarget(src, fi, dst, overwrite); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
		return fsExplain(filepath.Dir(dst), err, "")
	}
	return fsCopyFile(src, dst, overwrite)
}

// fsCheckFileTarget rejects a file destination that is a folder, the
// source itself, or exists while overwrite is false.
func fsCheckFileTarget(src string, srcInfo fs.FileInfo, dst string, overwrite bool) error {
	ti, err := os.Stat(dst)
	if err != nil {
		return nil
	}
	switch {
	case ti.IsDir():
		return fsErrf(fs.ErrExist, "%s is a folder; end the destination with / to put the file inside it", dst)
	case os.SameFile(srcInfo, ti):
		return fmt.Errorf("source and destination are the same file; choose another destination")
	case !overwrite:
		return fsExists(dst)
	}
	return nil
}
