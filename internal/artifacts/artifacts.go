// Package artifacts keeps what image builds produce (disk images, their
// checksums, manifests, SBOMs and logs) in a local folder or in an
// S3-compatible bucket, under keys such as
// "123456789012/web/1.0.0/1/web.qcow2".
//
// A build writes its outputs into a folder on the worker's host and hands
// them to the store (PutDir); the API serves logs back from it (Read), so a
// server reads the log of a build that runs on another host when both use
// the same bucket. Open picks the implementation from a location string:
// s3://bucket/prefix, or a folder.
package artifacts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

// Store keeps build artifacts. Keys are slash-separated relative paths.
type Store interface {
	// Put stores the file at path under key, replacing what was there.
	// Readers see the old object or the whole new one, never a part.
	Put(ctx context.Context, key, path string) error
	// Read returns at most max bytes of key from offset, and the object's
	// size now. An offset at the end gives no bytes; beyond it, an error.
	// A missing object is ErrNotFound.
	Read(ctx context.Context, key string, offset, max int64) ([]byte, int64, error)
	// Get copies key into the file dst (replaced whole, never left
	// partial). A missing object is ErrNotFound.
	Get(ctx context.Context, key, dst string) error
	// Delete removes the objects; missing ones are not an error.
	Delete(ctx context.Context, keys ...string) error
	// URI is where key is stored: file:///… or s3://bucket/….
	URI(key string) string
}

// ImagePrefix is the key prefix of the outputs, SBOM and logs of an image
// build version of account: <account>/<name>/<version>/<build>.
func ImagePrefix(account string, image arn.ARN) string {
	return path.Join(account, image.Name, image.Version.Semantic().String(), fmt.Sprint(image.Version.Build()))
}

// ErrNotFound is returned for an object the store does not have.
var ErrNotFound = errors.New("no such artifact")

// ErrOffset is returned by Read for an offset beyond the object's end.
var ErrOffset = errors.New("offset beyond the end of the artifact")

// Open returns the store at location: s3://bucket[/prefix] (credentials,
// region and endpoint from the standard AWS configuration: environment,
// shared files; AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for S3-compatible
// servers such as MinIO), or else a local folder, created when missing.
func Open(ctx context.Context, location string) (Store, error) {
	if strings.HasPrefix(strings.ToLower(location), "s3://") {
		return OpenS3(ctx, location)
	}
	if location == "" {
		return nil, errors.New("artifact store: no location given (a folder or s3://bucket/prefix)")
	}
	return NewLocal(location)
}

// PutDir stores every regular file under dir as prefix/<path relative to
// dir>, skipping files for which skip returns true (nil: none), and
// returns the keys it stored in the order it stored them.
func PutDir(ctx context.Context, s Store, prefix, dir string, skip func(rel string) bool) ([]string, error) {
	var keys []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if skip != nil && skip(rel) {
			return nil
		}
		key := path.Join(prefix, rel)
		if err := s.Put(ctx, key, p); err != nil {
			return fmt.Errorf("store %s in %s: %w", rel, s.URI(key), err)
		}
		keys = append(keys, key)
		return nil
	})
	return keys, err
}

// writeFile fills dst from r through a temporary file in dst's folder, so
// that dst is replaced whole or not at all.
func writeFile(dst string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".get-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// checkKey rejects keys that could leave the store's root.
func checkKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || path.Clean(key) != key || key == ".." || strings.HasPrefix(key, "../") {
		return fmt.Errorf("artifact key %q must be a clean relative path", key)
	}
	return nil
}
