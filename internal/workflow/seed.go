package workflow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// cloudInitUserData starts the agent on images that boot with cloud-init
// (distributions' cloud images) but lack Goldsmith's agent unit. bootcmd
// runs on every boot, so the agent also comes back after a reboot in the
// middle of a build.
const cloudInitUserData = `#cloud-config
bootcmd:
  - - /bin/sh
    - -c
    - |
      systemctl cat goldsmith-agent.service >/dev/null 2>&1 && exit 0
      systemd-run --unit=goldsmith-agent-cloudinit --property=Restart=on-failure /bin/sh -c 'mkdir -p /run/goldsmith-seed; mountpoint -q /run/goldsmith-seed || mount -o ro /dev/disk/by-label/GSAGENT /run/goldsmith-seed; exec /run/goldsmith-seed/goldsmith agent'
`

// makeCloudInitSeed writes a NoCloud seed (a FAT disk labelled CIDATA
// with meta-data and user-data), made offline with mkfs.vfat and mtools.
func makeCloudInitSeed(ctx context.Context, img, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	id := make([]byte, 8)
	rand.Read(id)
	files := map[string]string{
		"meta-data": fmt.Sprintf("instance-id: goldsmith-%s\nlocal-hostname: goldsmith\n", hex.EncodeToString(id)),
		"user-data": cloudInitUserData,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	if out, err := exec.CommandContext(ctx, "mkfs.vfat", "-n", "CIDATA", "-C", img, "1024").CombinedOutput(); err != nil {
		return fmt.Errorf("make the cloud-init seed disk (install dosfstools): %w: %s", err, out)
	}
	for _, name := range []string{"meta-data", "user-data"} {
		cmd := exec.CommandContext(ctx, "mcopy", "-i", img, filepath.Join(dir, name), "::"+name)
		cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("write %s to the cloud-init seed (install mtools): %w: %s", name, err, out)
		}
	}
	return nil
}
