package fileutil_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/fileutil"
)

func TestClone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	data := bytes.Repeat([]byte("golden"), 100000)
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, []byte("longer old content that must go entirely, longer than nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fileutil.Clone(dst, src); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("dst has %d bytes (%v), want the %d of src", len(got), err, len(data))
	}
	if err := fileutil.Clone(dst, filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("Clone of a missing file: %v", err)
	}
}
