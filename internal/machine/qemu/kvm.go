package qemu

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// probeExitCode is what QEMU exits with when the probe payload ran: the
// isa-debug-exit device turns the written value v into (v<<1)|1.
const probeExitCode = 0x31<<1 | 1

// probeFirmware is a 64 KiB firmware image whose reset vector (at 0xFFFF0,
// the image's last 16 bytes) writes 0x31 to port 0xf4 and halts:
//
//	mov al, 0x31 ; out 0xf4, al ; hlt ; jmp $-1
func probeFirmware() []byte {
	b := bytes.Repeat([]byte{0xff}, 64<<10)
	copy(b[len(b)-16:], []byte{0xb0, 0x31, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd})
	return b
}

// probeArgs is the command line running the probe firmware with accel.
func probeArgs(accel Accel, firmware string) []string {
	a := []string{"-machine", "pc", "-nodefaults", "-no-user-config", "-display", "none", "-m", "16"}
	if accel == AccelKVM {
		a = append(a, "-accel", "kvm", "-cpu", "host")
	} else {
		a = append(a, "-accel", "tcg")
	}
	return append(a, "-bios", firmware, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04")
}

// probeTimeout bounds one probe: the payload runs in microseconds, so
// anything slower is a hang.
const probeTimeout = 3 * time.Second

// runProbe boots the probe payload with accel and reports whether it ran.
func runProbe(ctx context.Context, qemu string, accel Accel) bool {
	dir, err := os.MkdirTemp("", "goldsmith-kvm-probe-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(dir)
	fw := filepath.Join(dir, "probe.bin")
	if err := os.WriteFile(fw, probeFirmware(), 0o644); err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, qemu, probeArgs(accel, fw)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == probeExitCode
}

var kvm struct {
	sync.Mutex
	known, ok bool
}

// ProbeKVM reports whether KVM can actually run a guest here: /dev/kvm must
// open read-write and a tiny firmware-only guest must run to completion under
// -accel kvm within a few seconds. The answer is computed once per process
// (unless ctx ended the probe, which then answers false without caching).
func ProbeKVM(ctx context.Context) bool {
	kvm.Lock()
	defer kvm.Unlock()
	if kvm.known {
		return kvm.ok
	}
	ok := false
	if f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0); err == nil {
		f.Close()
		ok = runProbe(ctx, "qemu-system-x86_64", AccelKVM)
	}
	if ctx.Err() == nil {
		kvm.known, kvm.ok = true, ok
	}
	return ok
}

// ResolveAccel turns AccelAuto into kvm or tcg.
func ResolveAccel(ctx context.Context, a Accel) Accel {
	if a != AccelAuto && a != "" {
		return a
	}
	if ProbeKVM(ctx) {
		return AccelKVM
	}
	return AccelTCG
}
