package baseimage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Cache builds base images on demand and keeps them by key:
// Dir/<key>/disk.qcow2 and Dir/<key>/image.json.
type Cache struct {
	// Dir holds the images. Default $XDG_CACHE_HOME/goldsmith/base, else
	// ~/.cache/goldsmith/base.
	Dir string
	// Log receives progress. Default: discard.
	Log *slog.Logger
	// AptRoot is where the host's apt configuration is read from
	// (AptRoot/etc/apt). Default "/"; tests point it elsewhere.
	AptRoot string
	// Progress, when set, hears the stages of a build as they happen
	// (see Stage); calls come from one goroutine at a time. Default: none.
	Progress func(Progress)
}

// DefaultDir is the default cache directory.
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "goldsmith", "base"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the base image cache: set XDG_CACHE_HOME or HOME: %w", err)
	}
	return filepath.Join(home, ".cache", "goldsmith", "base"), nil
}

func (c *Cache) withDefaults() (Cache, error) {
	cc := *c
	if cc.Log == nil {
		cc.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cc.AptRoot == "" {
		cc.AptRoot = "/"
	}
	if cc.Progress == nil {
		cc.Progress = func(Progress) {}
	}
	if cc.Dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return cc, err
		}
		cc.Dir = d
	}
	// Absolute: images are the backing files of VM disks and step cache
	// entries, which record the path as given.
	d, err := filepath.Abs(cc.Dir)
	if err != nil {
		return cc, fmt.Errorf("base image cache %s: give an absolute path: %w", cc.Dir, err)
	}
	cc.Dir = d
	return cc, nil
}

// Resolve returns the spec with defaults, the host apt sources it would be
// built from and its key, without building anything.
func (c *Cache) Resolve(spec Spec) (Spec, []SourceFile, string, error) {
	cc, err := c.withDefaults()
	if err != nil {
		return Spec{}, nil, "", err
	}
	s := spec.WithDefaults()
	if err := s.Validate(); err != nil {
		return Spec{}, nil, "", err
	}
	src, err := HostSources(cc.AptRoot, s.Suite)
	if err != nil {
		return Spec{}, nil, "", err
	}
	return s, src, Key(s, src), nil
}

// Get returns the image for spec, building it first unless the cache has it.
// Concurrent calls for the same key (also from other processes) build once.
// A failed or cancelled build leaves nothing behind.
func (c *Cache) Get(ctx context.Context, spec Spec) (*Image, error) {
	cc, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	s, src, key, err := c.Resolve(spec)
	if err != nil {
		return nil, err
	}
	final := filepath.Join(cc.Dir, key)
	if img, err := readImage(final); err == nil {
		cc.Log.Debug("base image cached", "name", s.Name, "key", key)
		return img, nil
	}
	if err := os.MkdirAll(cc.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create the base image cache %s: %w", cc.Dir, err)
	}
	unlock, err := lockFile(ctx, filepath.Join(cc.Dir, key+".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if img, err := readImage(final); err == nil { // built while we waited
		return img, nil
	}
	cc.Log.Info("building base image", "name", s.Name, "key", key)
	tmp, err := os.MkdirTemp(cc.Dir, ".build-"+key[:12]+"-")
	if err != nil {
		return nil, fmt.Errorf("create the build directory in %s: %w", cc.Dir, err)
	}
	defer os.RemoveAll(tmp) // after a successful rename this is a no-op
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("create the build directory in %s: %w", cc.Dir, err)
	}
	img, err := build(ctx, cc.Log, cc.Progress, s, key, src, tmp)
	if err != nil {
		return nil, fmt.Errorf("build base image %s: %w", s.Name, err)
	}
	if err := writeImage(tmp, img); err != nil {
		return nil, err
	}
	_ = os.RemoveAll(final) // a broken entry without image.json
	if err := os.Rename(tmp, final); err != nil {
		return nil, fmt.Errorf("store base image %s in the cache: %w", s.Name, err)
	}
	img.Path = filepath.Join(final, "disk.qcow2")
	cc.Log.Info("built base image", "name", s.Name, "key", key, "digest", img.Digest, "duration", img.BuildDuration.Round(time.Second))
	return img, nil
}

// Build builds the image for spec into dir, bypassing any cache: dir/disk.qcow2
// and dir/image.json. dir must not exist yet.
func (c *Cache) Build(ctx context.Context, spec Spec, dir string) (*Image, error) {
	cc, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	s, src, key, err := c.Resolve(spec)
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create the output directory: %w", err)
	}
	img, err := build(ctx, cc.Log, cc.Progress, s, key, src, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("build base image %s: %w", s.Name, err)
	}
	if err := writeImage(dir, img); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return img, nil
}

const imageJSON = "image.json"

func writeImage(dir string, img *Image) error {
	b, err := json.MarshalIndent(img, "", "  ")
	if err != nil {
		return fmt.Errorf("record the base image: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, imageJSON), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("record the base image: %w", err)
	}
	return nil
}

func readImage(dir string) (*Image, error) {
	b, err := os.ReadFile(filepath.Join(dir, imageJSON))
	if err != nil {
		return nil, err
	}
	var img Image
	if err := json.Unmarshal(b, &img); err != nil {
		return nil, err
	}
	img.Path = filepath.Join(dir, "disk.qcow2")
	if _, err := os.Stat(img.Path); err != nil {
		return nil, err
	}
	return &img, nil
}

// lockFile takes an exclusive flock on path, polling until ctx is done.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock the base image cache: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock the base image cache: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("wait for another build of the same base image: %w", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}
