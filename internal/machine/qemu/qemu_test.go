package qemu

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

func TestArgs(t *testing.T) {
	base := Config{Dir: "/vm", Base: "/base.qcow2", Accel: AccelTCG}.WithDefaults()
	common := "-name goldsmith-goldsmith -machine q35 -nodefaults -no-user-config -display none"
	tail := " -device virtio-rng-pci -device virtio-serial-pci,id=vser0" +
		" -chardev socket,id=agent0,path=/vm/agent.sock,server=on,wait=off" +
		" -device virtserialport,bus=vser0.0,chardev=agent0,name=org.goldsmith.agent.0" +
		" -chardev file,id=serial0,path=/vm/serial.log -serial chardev:serial0" +
		" -qmp unix:/vm/qmp.sock,server=on,wait=off -device vmgenid"
	disk := " -drive file=/vm/disk.qcow2,id=disk0,format=qcow2,if=virtio,discard=unmap"
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"tcg bios defaults", func(*Config) {},
			common + " -accel tcg,thread=multi -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16,-svm -smp 2 -m 1024" + disk + tail},
		{"kvm", func(c *Config) { c.Accel = AccelKVM; c.CPUs = 4; c.MemoryMiB = 4096 },
			common + " -accel kvm -cpu host -smp 4 -m 4096" + disk + tail},
		{"uefi", func(c *Config) { c.Firmware = FirmwareUEFI },
			common + " -accel tcg,thread=multi -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16,-svm -smp 2 -m 1024" +
				" -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd" +
				" -drive if=pflash,format=raw,unit=1,file=/vm/OVMF_VARS.fd" + disk + tail},
		{"network and seed", func(c *Config) {
			c.Network = true
			c.Drives = []Drive{{Path: "/seed.img", Format: "raw", ReadOnly: true}, {Path: "/data.qcow2", Format: "qcow2"}}
		}, common + " -accel tcg,thread=multi -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16,-svm -smp 2 -m 1024" + disk +
			" -drive file=/seed.img,format=raw,if=virtio,readonly=on -drive file=/data.qcow2,format=qcow2,if=virtio" +
			" -netdev user,id=net0 -device virtio-net-pci,netdev=net0" + tail},
		{"cpu model", func(c *Config) { c.CPUModel = "max" },
			common + " -accel tcg,thread=multi -cpu max -smp 2 -m 1024" + disk + tail},
		{"resume from a saved state", func(c *Config) { c.Incoming = "/vm/state" },
			common + " -accel tcg,thread=multi -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16,-svm -smp 2 -m 1024" + disk + tail + " -incoming exec:cat '/vm/state'"},
		{"unsafe cache", func(c *Config) { c.DiskCache = "unsafe" },
			common + " -accel tcg,thread=multi -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16,-svm -smp 2 -m 1024 -drive file=/vm/disk.qcow2,id=disk0,format=qcow2,if=virtio,discard=unmap,cache=unsafe" + tail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.mod(&c)
			got := strings.Join(Args(c), " ")
			if got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
			if strings.Contains(got, "-kernel") {
				t.Error("direct kernel boot")
			}
		})
	}
}

func TestOverlayArgs(t *testing.T) {
	c := Config{Dir: "/vm", Base: "/b/base.qcow2"}
	want := []string{"create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", "/b/base.qcow2", "/vm/disk.qcow2"}
	if got := overlayArgs(c); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
	c.DiskSizeMiB = 8192
	if got := overlayArgs(c); got[len(got)-1] != "8192M" {
		t.Errorf("got %q", got)
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Dir: "/vm", Base: "/b"}.WithDefaults()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*Config){
		"no dir":   func(c *Config) { c.Dir = "" },
		"no base":  func(c *Config) { c.Base = "" },
		"accel":    func(c *Config) { c.Accel = "hvf" },
		"firmware": func(c *Config) { c.Firmware = "coreboot" },
		"memory":   func(c *Config) { c.MemoryMiB = 1 },
		"drive":    func(c *Config) { c.Drives = []Drive{{Path: "/x", Format: "vmdk"}} },
		// QEMU would read a relative backing file from the overlay's folder.
		"relative base":     func(c *Config) { c.Base = "cache/base.qcow2" },
		"relative dir":      func(c *Config) { c.Dir = "vm" },
		"relative incoming": func(c *Config) { c.Incoming = "state" },
		"relative drive":    func(c *Config) { c.Drives = []Drive{{Path: "seed.img", Format: "raw"}} },
		"relative ovmf":     func(c *Config) { c.Firmware, c.OVMFVars = FirmwareUEFI, "OVMF_VARS.fd" },
	} {
		c := ok
		mod(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestProbePayloadRunsUnderTCG(t *testing.T) {
	testneed.Tools(t, "apt-get install qemu-system-x86", "qemu-system-x86_64")
	start := time.Now()
	if !runProbe(context.Background(), "qemu-system-x86_64", AccelTCG) {
		t.Fatal("the probe payload did not run under TCG")
	}
	t.Logf("tcg probe: %v", time.Since(start))
}

func TestProbeKVMIsQuickAndCached(t *testing.T) {
	testneed.Tools(t, "apt-get install qemu-system-x86", "qemu-system-x86_64")
	start := time.Now()
	ok := ProbeKVM(context.Background())
	first := time.Since(start)
	start = time.Now()
	if ProbeKVM(context.Background()) != ok {
		t.Fatal("answer changed")
	}
	t.Logf("ProbeKVM = %v in %v (cached: %v)", ok, first, time.Since(start))
	if first > probeTimeout+2*time.Second || time.Since(start) > 10*time.Millisecond {
		t.Errorf("probe too slow: %v", first)
	}
	if _, err := os.Stat("/dev/kvm"); err != nil && ok {
		t.Error("kvm without /dev/kvm")
	}
}

func TestLaunchFailsCleanly(t *testing.T) {
	testneed.Tools(t, "apt-get install qemu-system-x86", "qemu-system-x86_64")
	dir := t.TempDir()
	_, err := Launch(context.Background(), Config{Dir: dir, Base: filepath.Join(dir, "missing.qcow2")})
	if err == nil || !strings.Contains(err.Error(), "base disk") {
		t.Fatalf("got %v", err)
	}
}
