package qemu

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/vmtest"
)

// BenchmarkBootToAgent measures what every build waits for twice: the
// time from QEMU's start until the real guest agent answers, the boot has
// finished and the guest has a default route (agent.DefaultWaitBooted, as
// the build's wait-*-agent steps wait). It boots b.N times per firmware and
// logs each boot's times, the CPU time QEMU used (steadier than wall time on
// a busy host) and the load average:
//
//	go test ./internal/machine/qemu -run '^$' -bench BootToAgent -benchtime 2x
//
// Other variables:
//
//	GOLDSMITH_BOOT_FIRMWARE=bios|uefi  boot with one firmware only
//	GOLDSMITH_BOOT_BASE=disk.qcow2     boot this disk instead of the debian-12 base
//	GOLDSMITH_BOOT_ANALYZE=1           log systemd-analyze (blame, critical chain)
//	GOLDSMITH_BOOT_SCRIPT=script       run a shell script in the guest after the boot
//	GOLDSMITH_BOOT_SAVE=disk.qcow2     keep the VM's overlay (on the base) there
//
// SCRIPT and SAVE make an experimental image without rebuilding the base:
// change the guest, power off, and boot the saved overlay with BASE.
func BenchmarkBootToAgent(b *testing.B) {
	vmtest.Require(b)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	base := os.Getenv("GOLDSMITH_BOOT_BASE")
	if base == "" {
		base = debian12(ctx, b)
	}
	bin := vmtest.AgentBinary(b)
	fws := []Firmware{FirmwareBIOS, FirmwareUEFI}
	if f := os.Getenv("GOLDSMITH_BOOT_FIRMWARE"); f != "" {
		fws = []Firmware{Firmware(f)}
	}
	for _, fw := range fws {
		b.Run(string(fw), func(b *testing.B) {
			var ready, cpu float64
			for range b.N {
				r, c := bootToAgent(ctx, b, base, bin, fw)
				ready, cpu = ready+r, cpu+c
			}
			b.ReportMetric(ready/float64(b.N), "s-to-ready")
			b.ReportMetric(cpu/float64(b.N), "s-qemu-cpu")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// bootToAgent boots base once and returns the seconds until the guest was
// ready and the CPU seconds QEMU used by then.
func bootToAgent(ctx context.Context, t testing.TB, base, bin string, fw Firmware) (float64, float64) {
	dir, err := os.MkdirTemp("", "gs-vm-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	seed := agentSeed(t, dir, bin)
	load, _ := os.ReadFile("/proc/loadavg")
	cfg := Config{Name: "bench-" + string(fw), Dir: dir, Base: base, Firmware: fw, Accel: AccelTCG,
		Network: true, DiskCache: "unsafe", MemoryMiB: 2048,
		Drives: []Drive{{Path: seed, Format: "raw", ReadOnly: true}}}
	start := time.Now()
	vm, err := Launch(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Kill()
	actx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	c := dial(actx, t, cfg)
	defer c.Close()
	answered := time.Since(start)
	state := guestSh(actx, t, c, agent.DefaultWaitBooted)
	up, cpu := time.Since(start), cpuSeconds(vm.cmd.Process.Pid)
	t.Logf("%s: agent answers %.1fs, system %s with a default route %.1fs after QEMU start (QEMU used %.1fs of CPU); load %s",
		fw, answered.Seconds(), strings.TrimSpace(state), up.Seconds(), cpu, strings.Fields(string(load))[0])
	if os.Getenv("GOLDSMITH_BOOT_ANALYZE") != "" {
		t.Log(guestSh(actx, t, c, "systemd-analyze; systemd-analyze critical-chain goldsmith-agent.service multi-user.target; systemd-analyze blame | head -30; cat /proc/cmdline"))
	}
	if s := os.Getenv("GOLDSMITH_BOOT_SCRIPT"); s != "" {
		t.Log(guestSh(actx, t, c, s))
	}
	sctx, cancel2 := context.WithTimeout(ctx, 60*time.Second)
	defer cancel2()
	if err := vm.Shutdown(sctx); err != nil {
		t.Error(err)
	}
	if s := os.Getenv("GOLDSMITH_BOOT_SAVE"); s != "" {
		if err := os.Rename(cfg.WithDefaults().DiskPath(), s); err != nil {
			t.Fatal(err)
		}
	}
	return up.Seconds(), cpu
}

// debian12 is the debian-12 base image, built into the default cache on
// the first call (minutes).
func debian12(ctx context.Context, t testing.TB) string {
	t.Helper()
	cache := &baseimage.Cache{Log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	img, err := cache.Get(ctx, baseimage.Debian12())
	if err != nil {
		t.Fatal(err)
	}
	return img.Path
}

// dial connects to a VM's agent and waits (up to 5 minutes) until it
// answers; a failure quotes the end of the serial console.
func dial(ctx context.Context, t testing.TB, cfg Config) *agent.Client {
	t.Helper()
	actx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	c, err := agent.NewClient(actx, agent.ClientOptions{SocketPath: cfg.WithDefaults().AgentPath()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Info(actx); err != nil {
		c.Close()
		b, _ := os.ReadFile(cfg.WithDefaults().SerialPath())
		t.Fatalf("%v\n%s", err, tail(b, 3000))
	}
	return c
}

func guestSh(ctx context.Context, t testing.TB, c *agent.Client, script string) string {
	var out bytes.Buffer
	code, err := c.Exec(ctx, agent.ExecRequest{Argv: []string{"sh", "-c", script}}, agent.Stdio{Stdout: &out, Stderr: &out})
	if err != nil || code != 0 {
		t.Fatalf("%s: exit %d, %v: %s", script, code, err, out.String())
	}
	return out.String()
}

// agentSeed makes the seed disk a build attaches: the agent binary on a
// read-only ext4 disk labelled GSAGENT.
func agentSeed(t testing.TB, dir, bin string) string {
	t.Helper()
	seed := filepath.Join(dir, "agent.img")
	if err := makeSeed(context.Background(), bin, seed, filepath.Join(dir, "agent")); err != nil {
		t.Fatal(err)
	}
	return seed
}

// cpuSeconds is the CPU time (user and system) a process has used so far:
// less sensitive than wall time to other work on a busy host.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which ends with the last ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ
}
