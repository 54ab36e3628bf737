package workflow

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/sbom"
)

// cleanupScript removes what must not ship in an image, like Image
// Builder's cleanup: identity (machine-id, SSH host keys, regenerated at
// first boot), logs, shell history, package caches, temporary files and
// the agent's own state.
const cleanupScript = `set -u
if [ -d /etc/ssh ]; then
  rm -f /etc/ssh/ssh_host_*
  cat > /etc/systemd/system/goldsmith-ssh-hostkeys.service <<'UNIT'
[Unit]
Description=Generate SSH host keys removed when the image was captured
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
[Install]
WantedBy=multi-user.target
UNIT
  # --no-reload: the guest is about to power off; a reload costs seconds under TCG
  systemctl --no-reload enable goldsmith-ssh-hostkeys.service >/dev/null 2>&1 || true
fi
# An account without a password would log in on the console: lock root's
# if it has none (a base made for debugging), as Image Builder's AMIs do.
if [ -z "$(getent shadow root | cut -d: -f2)" ]; then passwd --lock root >/dev/null; fi
truncate -s 0 /etc/machine-id
rm -f /var/lib/dbus/machine-id
command -v apt-get >/dev/null && apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
rm -rf /tmp/* /var/tmp/* /var/lib/goldsmith-agent /var/lib/cloud/instances
rm -f /root/.bash_history /home/*/.bash_history
find /var/log -type f \( -name '*.gz' -o -name '*.[0-9]' \) -delete
find /var/log -type f -exec truncate -s 0 {} +
journalctl --rotate >/dev/null 2>&1; journalctl --vacuum-time=1s >/dev/null 2>&1
rm -rf /var/log/journal/*
fstrim -a >/dev/null 2>&1 || true
sync
echo cleaned`

func (b *vmBuild) packageList(ctx context.Context) error {
	out, err := execGuest(ctx, b.buildAgent, strings.Join(quoteAll(sbom.DpkgQueryCommand), " ")+" 2>/dev/null || true")
	if err != nil {
		return fmt.Errorf("list installed packages: %w", err)
	}
	pkgs, err := sbom.ParseDpkg(strings.NewReader(out))
	if err != nil {
		return err
	}
	b.packages = pkgs
	return nil
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return out
}

func (b *vmBuild) guestCleanup(ctx context.Context) error {
	if _, err := execGuest(ctx, b.buildAgent, cleanupScript); err != nil {
		return fmt.Errorf("clean up the guest: %w", err)
	}
	return nil
}

func (b *vmBuild) shutdownBuild(ctx context.Context) error {
	if err := b.buildAgent.Shutdown(ctx); err != nil {
		b.opts.Reporter.Logf("the agent could not power off the guest (%v); using ACPI", err)
	}
	if !waitStopped(ctx, b.buildVM.Done(), ShutdownTimeout) {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := b.buildVM.Stop(sctx); err != nil {
			return fmt.Errorf("the build VM did not power off: %w", err)
		}
	}
	return nil
}

// capture writes the build machine's disk (for QEMU: its layers and the
// base, flattened) as the image.
func (b *vmBuild) capture(ctx context.Context) error {
	dir := b.work
	for _, f := range b.opts.Formats {
		if f == QCOW2 {
			dir = b.opts.OutDir
		}
	}
	b.image = filepath.Join(dir, b.outputName(QCOW2))
	return b.buildVM.Capture(ctx, b.image)
}

func (b *vmBuild) outputName(f Format) string {
	return fmt.Sprintf("%s-%s.%s", slug(b.opts.Recipe.Name), b.opts.Recipe.SemanticVersion, f.Ext())
}

func (b *vmBuild) launchTest(ctx context.Context) error {
	spec, err := b.machineSpec("test-vm", b.image)
	if err != nil {
		return err
	}
	b.testVM, err = b.opts.TestMachines.Launch(ctx, spec)
	return err
}

func (b *vmBuild) waitTestAgent(ctx context.Context) error {
	c, err := b.dialAgent(ctx, b.testVM, "")
	if err != nil {
		return err
	}
	b.testAgt = c
	return nil
}

func (b *vmBuild) stopTest(ctx context.Context) error {
	return b.stopMachine(ctx, "test", b.testVM, b.testAgt)
}

// shutdownTest stops the test VM at once: its disk is a throwaway overlay
// on the image, so nothing it would write on the way down matters, and a
// clean power-off costs seconds under TCG.
func (b *vmBuild) shutdownTest(ctx context.Context) error {
	b.testAgt.Close()
	return b.testVM.Terminate(ctx)
}

func (b *vmBuild) convert(ctx context.Context) error {
	for _, f := range b.opts.Formats {
		path := filepath.Join(b.opts.OutDir, b.outputName(f))
		if f != QCOW2 {
			b.opts.Reporter.Logf("converting to %s", f)
			if err := Convert(ctx, f, b.image, path); err != nil {
				return err
			}
		}
		sum, err := SHA256File(path)
		if err != nil {
			return err
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		b.manifest.Outputs = append(b.manifest.Outputs, Output{Format: f, File: filepath.Base(path), SHA256: sum, Size: st.Size()})
	}
	return nil
}

func (b *vmBuild) writeSBOM(ctx context.Context) error {
	f, err := os.Create(filepath.Join(b.opts.OutDir, sbom.FileName))
	if err != nil {
		return err
	}
	defer f.Close()
	bom := sbom.BOM(sbom.Subject{Name: b.opts.Recipe.Name, Version: b.opts.Recipe.SemanticVersion}, b.packages, b.manifest.CreatedAt)
	if err := sbom.Encode(f, bom); err != nil {
		return fmt.Errorf("write the SBOM: %w", err)
	}
	b.manifest.Packages = len(b.packages)
	b.manifest.SBOM = sbom.FileName
	return nil
}
