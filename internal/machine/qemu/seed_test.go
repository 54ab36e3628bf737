package qemu

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

func TestCloudInitSeed(t *testing.T) {
	t.Parallel()
	testneed.Tools(t, "run scripts/setup.sh", "mkfs.vfat", "mdir", "blkid")
	dir := t.TempDir()
	img := filepath.Join(dir, "cidata.img")
	if err := makeCloudInitSeed(t.Context(), img, filepath.Join(dir, "files")); err != nil {
		t.Fatal(err)
	}
	label, _ := exec.Command("blkid", "-o", "value", "-s", "LABEL", img).Output()
	if strings.TrimSpace(string(label)) != "CIDATA" {
		t.Errorf("label %q, want CIDATA (cloud-init's NoCloud looks for cidata, case-insensitively)", label)
	}
	cmd := exec.Command("mtype", "-i", img, "::user-data")
	cmd.Env = append(cmd.Environ(), "MTOOLS_SKIP_CHECK=1")
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "#cloud-config") || !strings.Contains(string(out), "goldsmith agent") {
		t.Errorf("user-data: %q %v", out, err)
	}
}

// TestAgentSeedIsReproducible: the same binary makes the same seed disk,
// byte for byte, also a second later, so a saved build VM (which has its
// seed mounted) resumes with a later build's seed; another binary makes
// another disk.
func TestAgentSeedIsReproducible(t *testing.T) {
	t.Parallel()
	testneed.Tools(t, "run scripts/setup.sh", "mkfs.ext4", "debugfs")
	dir := t.TempDir()
	bin := filepath.Join(dir, "agent")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho agent\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	seed := func(name string) string {
		img := filepath.Join(dir, name+".img")
		if err := makeSeed(t.Context(), bin, img, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		d, err := os.ReadFile(img)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", sha256.Sum256(d))
	}
	a := seed("a")
	time.Sleep(1100 * time.Millisecond) // a second later: times must not leak in
	if b := seed("b"); a != b {
		t.Fatalf("two seeds of one binary differ: %s, %s", a, b)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho other agent\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if c := seed("c"); c == a {
		t.Fatal("another binary made the same seed")
	}
}
