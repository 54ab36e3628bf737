package baseimage

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

// testLogger sends the builder's log to t.Logf.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) { w.t.Logf("%s", p); return len(p), nil }

func requireTools(t *testing.T) {
	t.Helper()
	testneed.Tools(t, "apt-get install mmdebstrap e2fsprogs dosfstools mtools syslinux syslinux-common systemd-boot-efi fdisk qemu-utils",
		"mmdebstrap", "mkfs.ext4", "debugfs", "mkfs.vfat", "mcopy", "syslinux", "sfdisk", "qemu-img")
	testneed.Root(t, "building base images")
}

// TestBuildDebian12 builds debian-12 into the default cache (a cold build
// takes minutes; later runs hit the cache), checks that a second request
// returns at once, and, unless -short, builds it again with the cache bypassed
// and compares the raw disks' digests.
func TestBuildDebian12(t *testing.T) {
	requireTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	c := &Cache{Log: testLogger(t)}

	start := time.Now()
	img, err := c.Get(ctx, Debian12())
	if err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	t.Logf("first Get: %v (build duration recorded in the image: %v), digest %s, kernel %s, %s",
		first.Round(time.Millisecond), img.BuildDuration.Round(time.Second), img.Digest, img.Kernel, img.Path)

	start = time.Now()
	again, err := c.Get(ctx, Debian12())
	if err != nil {
		t.Fatal(err)
	}
	warm := time.Since(start)
	t.Logf("warm Get: %v", warm)
	if warm > time.Second || again.Digest != img.Digest || again.Path != img.Path {
		t.Errorf("second Get took %v and returned %+v, want the cached %+v at once", warm, again, img)
	}
	if testing.Short() {
		t.Skip("-short: not rebuilding to check reproducibility")
	}

	dir := filepath.Join(t.TempDir(), "rebuild")
	start = time.Now()
	img2, err := c.Build(ctx, Debian12(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("uncached rebuild: %v", time.Since(start).Round(time.Second))
	if img2.Key != img.Key {
		t.Fatalf("keys differ: %s vs %s", img.Key, img2.Key)
	}
	if img2.Digest != img.Digest {
		t.Errorf("not reproducible: digest %s, rebuilt %s", img.Digest, img2.Digest)
	}
}

// TestGetCancelledLeavesNothing cancels a build after 3 s, or after
// $GOLDSMITH_TEST_CANCEL_AFTER (e.g. 60s, to cancel mid-install, when
// mmdebstrap has /dev, /proc and /sys mounted in the tree).
func TestGetCancelledLeavesNothing(t *testing.T) {
	requireTools(t)
	after := 3 * time.Second
	if v := os.Getenv("GOLDSMITH_TEST_CANCEL_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		after = d
	}
	dir := t.TempDir()
	c := &Cache{Dir: dir, Log: testLogger(t)}
	ctx, cancel := context.WithTimeout(context.Background(), after)
	defer cancel()
	if _, err := c.Get(ctx, Debian12()); err == nil {
		t.Fatal("want a cancellation error")
	}
	if b, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(b), dir) {
		t.Errorf("mounts left behind under %s", dir)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".lock" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
