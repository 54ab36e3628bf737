package action

// Copying files and folder trees for CopyFile, CopyFolder, MoveFile and
// MoveFolder; the other shared helpers are in fsutil.go.

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// fsCopyFile copies one regular file's content and permission bits.
// Without overwrite an existing dst is an error.
func fsCopyFile(src, dst string, overwrite bool) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return fsExplain(src, err, "check the path")
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if !overwrite {
		flags |= os.O_EXCL
	}
	out, err := os.OpenFile(dst, flags, fi.Mode().Perm())
	if errors.Is(err, fs.ErrExist) {
		return fsExists(dst)
	}
	if err != nil {
		return fsExplain(dst, err, "")
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return err
	}
	return out.Chmod(fi.Mode() & (fs.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky))
}

// fsCopyTree copies folder src into dst, merging with what dst already
// holds. Symbolic links are copied as links; other special files are
// skipped. Without overwrite an existing file in dst is an error.
func fsCopyTree(ctx context.Context, src, dst string, overwrite bool) error {
	type dirMode struct {
		path string
		mode fs.FileMode
	}
	var dirs []dirMode
	// A source that is a link to a folder is copied as the folder.
	if real, err := filepath.EvalSymlinks(src); err == nil {
		src = real
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		existing, lerr := os.Lstat(target)
		switch {
		case d.IsDir():
			if lerr == nil && !existing.IsDir() {
				return fsErrf(fs.ErrExist, "%s exists and is not a folder; remove it first", target)
			}
			// Owner-writable while filling; the real mode is set at the end.
			if err := os.MkdirAll(target, 0o700); err != nil {
				return err
			}
			dirs = append(dirs, dirMode{target, fi.Mode()})
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if lerr == nil {
				if !overwrite {
					return fsExists(target)
				}
				if err := os.Remove(target); err != nil {
					return err
				}
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			if lerr == nil && existing.IsDir() {
				return fsErrf(fs.ErrExist, "%s is a folder, so file %s cannot replace it; remove it first", target, p)
			}
			return fsCopyFile(p, target, overwrite)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		m := dirs[i].mode & (fs.ModePerm | os.ModeSetgid | os.ModeSticky)
		if err := os.Chmod(dirs[i].path, m); err != nil {
			return err
		}
	}
	return nil
}
