package build

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCloudInitSeed(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"mkfs.vfat", "mdir", "blkid"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: run scripts/setup.sh", tool)
		}
	}
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
