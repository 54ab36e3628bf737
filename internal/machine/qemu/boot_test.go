package qemu

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/vmtest"
)

// TestBootDebian12 boots the debian-12 base image (built into the default
// cache if it is not there yet, which takes minutes) under TCG with SeaBIOS
// and with OVMF, waits for the login prompt on the serial console and powers
// the VM off.
func TestBootDebian12(t *testing.T) {
	vmtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	base := debian12(ctx, t)
	// Every build test boots with BIOS (SeaBIOS and the image's syslinux);
	// this one covers UEFI (OVMF and systemd-boot) and the agent unit.
	for _, fw := range []Firmware{FirmwareUEFI} {
		t.Run(string(fw), func(t *testing.T) {
			dir, err := os.MkdirTemp("", "gs-vm-")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			cfg := Config{Name: "boot-" + string(fw), Dir: dir, Base: base, Firmware: fw, Accel: AccelTCG, Network: true}
			if fw == FirmwareUEFI { // the boot checks the agent unit too
				cfg.Drives = []Drive{{Path: fakeAgentSeed(t, dir), Format: "raw", ReadOnly: true}}
			}
			start := time.Now()
			vm, err := Launch(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer vm.Kill()
			bootCtx, cancel := context.WithTimeout(ctx, 180*time.Second)
			defer cancel()
			err = vm.WaitConsole(bootCtx, "login:")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: boot to login prompt in %v", fw, time.Since(start).Round(100*time.Millisecond))
			if len(cfg.Drives) > 0 {
				if err := vm.WaitConsole(bootCtx, agentMarker+" agent"); err != nil {
					t.Errorf("goldsmith-agent.service did not run the seed disk's binary: %v", err)
				}
			}
			start = time.Now()
			sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			if err := vm.Shutdown(sctx); err != nil {
				t.Error(err)
			}
			t.Logf("%s: power-off in %v", fw, time.Since(start).Round(100*time.Millisecond))
		})
	}
}

const agentMarker = "GOLDSMITH-FAKE-AGENT-RAN"

// fakeAgentSeed makes a read-only ext4 seed disk labelled GSAGENT whose
// "goldsmith" binary is a script announcing itself on the serial console.
func fakeAgentSeed(t *testing.T, dir string) string {
	t.Helper()
	content := filepath.Join(dir, "seed")
	if err := os.Mkdir(content, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho " + agentMarker + " \"$@\" > /dev/ttyS0\nexec sleep infinity\n"
	if err := os.WriteFile(filepath.Join(content, "goldsmith"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	seed := filepath.Join(dir, "seed.img")
	out, err := exec.Command("mkfs.ext4", "-q", "-L", baseimage.AgentLabel, "-d", content, seed, "8M").CombinedOutput()
	if err != nil {
		t.Fatalf("make the seed disk: %v: %s", err, out)
	}
	return seed
}
