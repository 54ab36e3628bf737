package artifacts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/goldsmith-dev/goldsmith/internal/fileutil"
)

// Local is a store in a folder on this host (the default: DATA_DIR/images).
type Local struct{ dir string }

// NewLocal returns the store in dir, creating the folder when missing.
func NewLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("artifact store: %w", err)
	}
	return &Local{dir: abs}, nil
}

// Path is the file that holds key.
func (l *Local) Path(key string) string { return filepath.Join(l.dir, filepath.FromSlash(key)) }

// Put hard-links src into the store when both are on one file system (a
// multi-gigabyte image costs nothing) and copies it otherwise (sharing
// blocks where the file system can), through a temporary name and a
// rename so that readers never see a part. After a link the object shares
// src: the caller may still append to src (a build log), and must not
// rewrite it in place.
func (l *Local) Put(ctx context.Context, key, src string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	dst := l.Path(key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(dst), ".put-"+filepath.Base(dst))
	_ = os.Remove(tmp)
	if err := os.Link(src, tmp); err != nil {
		if err := fileutil.Clone(tmp, src); err != nil {
			_ = os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

func (l *Local) Read(ctx context.Context, key string, offset, max int64) ([]byte, int64, error) {
	if err := checkKey(key); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(l.Path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, fmt.Errorf("%s: %w", l.URI(key), ErrNotFound)
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	size := st.Size()
	if offset < 0 || offset > size {
		return nil, size, fmt.Errorf("%s: offset %d, size %d: %w", l.URI(key), offset, size, ErrOffset)
	}
	buf := make([]byte, min(size-offset, max))
	n, err := f.ReadAt(buf, offset)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, size, err
	}
	return buf[:n], size, nil
}

func (l *Local) Get(ctx context.Context, key, dst string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	f, err := os.Open(l.Path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", l.URI(key), ErrNotFound)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return writeFile(dst, f)
}

func (l *Local) Delete(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if err := checkKey(k); err != nil {
			return err
		}
		if err := os.Remove(l.Path(k)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func (l *Local) URI(key string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(l.Path(key))}).String()
}
