package qemu

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
)

// The guest agent reaches a VM on two small read-only disks that Launch
// makes in the VM's folder: the agent's seed (ext4, label GSAGENT, holding
// the agent binary as /goldsmith, which base images' goldsmith-agent unit
// starts as "goldsmith agent") and a cloud-init NoCloud seed (label CIDATA)
// that starts it on cloud images without that unit.

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

// Fixed identities of the seed's file system: the same agent binary makes
// the same seed disk, byte for byte, so a saved build VM (which has the
// seed mounted) can be resumed with the seed of a later build.
const (
	seedUUID     = "6f0c4e5c-5eed-4a6e-8000-000000000001"
	seedHashSeed = "6f0c4e5c-5eed-4a6e-8000-000000000002"
)

// makeSeed builds the read-only disk that carries the agent into the guest:
// an ext4 file system labelled GSAGENT holding the goldsmith binary, made
// offline (no loop devices) with mkfs.ext4 -d, reproducibly (fixed UUID,
// hash seed and times).
func makeSeed(ctx context.Context, binary, img, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src, err := os.Open(binary)
	if err != nil {
		return fmt.Errorf("open the agent binary %s: %w", binary, err)
	}
	defer src.Close()
	dst, err := os.OpenFile(filepath.Join(dir, "goldsmith"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	n, err := io.Copy(dst, src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy the agent binary: %w", err)
	}
	epoch := time.Unix(1, 0)
	for _, p := range []string{dst.Name(), dir} {
		if err := os.Chtimes(p, epoch, epoch); err != nil {
			return err
		}
	}
	sizeMiB := n/(1<<20) + 16
	fixed := append(os.Environ(), "E2FSPROGS_FAKE_TIME=1")
	mkfs := exec.CommandContext(ctx, "mkfs.ext4", "-q", "-F", "-L", baseimage.AgentLabel, "-O", "^has_journal",
		"-U", seedUUID, "-E", "hash_seed="+seedHashSeed, "-d", dir, img, fmt.Sprintf("%dM", sizeMiB))
	mkfs.Env = fixed
	if out, err := mkfs.CombinedOutput(); err != nil {
		return fmt.Errorf("make the agent seed disk (install e2fsprogs): %w: %s", err, out)
	}
	// mkfs copies the binary's change and access times, which cannot be
	// set on the host: fix them in the image.
	fix := exec.CommandContext(ctx, "debugfs", "-w", "-R", "set_inode_field /goldsmith ctime 1", img)
	fix.Env = fixed
	if out, err := fix.CombinedOutput(); err != nil {
		return fmt.Errorf("make the agent seed disk (debugfs): %w: %s", err, out)
	}
	fix = exec.CommandContext(ctx, "debugfs", "-w", "-R", "set_inode_field /goldsmith atime 1", img)
	fix.Env = fixed
	if out, err := fix.CombinedOutput(); err != nil {
		return fmt.Errorf("make the agent seed disk (debugfs): %w: %s", err, out)
	}
	return nil
}

// seedFormat names how makeSeed lays out the seed disk: with the agent
// binary's digest it fixes the seed's bytes, which a saved state depends
// on (the guest has the seed mounted).
var seedFormat = sync.OnceValue(func() string {
	out, _ := exec.Command("mkfs.ext4", "-V").CombinedOutput()
	line, _, _ := strings.Cut(string(out), "\n")
	return "goldsmith-seed-v1 " + strings.TrimSpace(line)
})
