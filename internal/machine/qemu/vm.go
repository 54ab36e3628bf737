package qemu

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/digitalocean/go-qemu/qmp"

	"github.com/goldsmith-dev/goldsmith/internal/fileutil"
)

// VM is a running QEMU process.
type VM struct {
	// Config is the resolved config (defaults set, Accel kvm or tcg).
	Config Config

	cmd    *exec.Cmd
	mon    *qmp.SocketMonitor
	qmpID  atomic.Uint64 // the last QMP command id
	stderr *tailBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // exit status, set before done closes
	kill   sync.Once

	snapMu sync.Mutex
	top    string // the disk layer the VM writes to
}

// DiskID is the QEMU drive id of the VM's main disk.
const DiskID = "disk0"

// Snapshot freezes the main disk's current layer and sends further writes to
// a new qcow2 overlay, file, on top of it (QMP blockdev-snapshot-sync, an
// external snapshot: no data is copied). It returns the frozen layer, which
// QEMU no longer writes. The guest keeps running: flush or freeze its file
// systems first for a consistent layer.
func (v *VM) Snapshot(ctx context.Context, file string) (string, error) {
	v.snapMu.Lock()
	defer v.snapMu.Unlock()
	file = absPath(file)
	if _, err := v.run(ctx, "blockdev-snapshot-sync", map[string]any{
		"device": DiskID, "snapshot-file": file, "format": "qcow2", "mode": "absolute-paths"}); err != nil {
		return "", fmt.Errorf("snapshot the disk to %s: %w", file, err)
	}
	frozen := v.top
	v.top = file
	return frozen, nil
}

// TopLayer is the disk layer the VM writes to now: Config.DiskPath() until
// the first Snapshot.
func (v *VM) TopLayer() string {
	v.snapMu.Lock()
	defer v.snapMu.Unlock()
	return v.top
}

// Launch creates the VM's disk overlay (and UEFI variable store) in cfg.Dir
// and starts QEMU in its own process group. ctx bounds the start-up only, up to
// QMP answering; the VM runs until Shutdown or Kill. On error nothing runs.
func Launch(ctx context.Context, cfg Config) (*VM, error) {
	c := cfg.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := checkFiles(c); err != nil {
		return nil, err
	}
	if n := len(c.QMPPath()); n > 100 {
		return nil, fmt.Errorf("vm directory %s is too long for unix sockets (%d bytes): use a shorter path", c.Dir, n)
	}
	if _, err := exec.LookPath(c.QEMU); err != nil {
		return nil, fmt.Errorf("%s not found: install qemu-system-x86: %w", c.QEMU, err)
	}
	c.Accel = ResolveAccel(ctx, c.Accel)

	img := exec.CommandContext(ctx, "qemu-img", overlayArgs(c)...)
	if out, err := img.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("create the disk overlay on %s (install qemu-utils; the base must be qcow2): %w: %s", c.Base, err, bytes.TrimSpace(out))
	}
	if c.Firmware == FirmwareUEFI {
		if err := fileutil.Clone(c.VarsPath(), c.OVMFVars); err != nil {
			return nil, fmt.Errorf("copy the uefi variable store: %w", err)
		}
	}

	v := &VM{Config: c, stderr: &tailBuffer{}, done: make(chan struct{}), top: absPath(c.DiskPath())}
	v.cmd = exec.Command(c.QEMU, Args(c)...)
	v.cmd.Stdout, v.cmd.Stderr = v.stderr, v.stderr
	// Its own process group (Ctrl-C reaches us, not QEMU, so cleanup can
	// run), and killed by the kernel if this process dies: a crashed or
	// SIGKILLed goldsmith never leaves a VM running.
	v.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := v.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", c.QEMU, err)
	}
	go func() {
		v.err = v.cmd.Wait()
		close(v.done)
	}()
	if err := v.connectQMP(ctx); err != nil {
		v.Kill()
		return nil, err
	}
	if c.Incoming != "" {
		if err := v.waitRunning(ctx); err != nil {
			v.Kill()
			return nil, err
		}
	}
	return v, nil
}

// Shutdown asks the guest to power off (ACPI, via QMP system_powerdown) and
// waits until QEMU exits or ctx is done; then it kills QEMU. It returns nil
// only for a clean power-off.
func (v *VM) Shutdown(ctx context.Context) error {
	select {
	case <-v.done:
		return nil
	default:
	}
	if v.mon != nil {
		if _, err := v.run(ctx, "system_powerdown", nil); err != nil {
			v.Kill()
			return fmt.Errorf("ask the guest to power off: %w; killed it", err)
		}
	}
	select {
	case <-v.done:
		v.closeMonitor()
		return nil
	case <-ctx.Done():
		v.Kill()
		return fmt.Errorf("the guest did not power off in time (%w); killed it: look at %s", ctx.Err(), v.Config.SerialPath())
	}
}

// Kill stops QEMU at once (SIGKILL to its process group) and waits for it.
// It is safe to call more than once and after the VM has exited.
func (v *VM) Kill() {
	v.kill.Do(func() {
		select {
		case <-v.done:
		default:
			_ = syscall.Kill(-v.cmd.Process.Pid, syscall.SIGKILL)
			<-v.done
		}
		v.closeMonitor()
	})
}

func (v *VM) closeMonitor() {
	if v.mon != nil {
		_ = v.mon.Disconnect()
	}
}

// Wait blocks until QEMU exits and returns its exit error with the tail of
// its output, or ctx's error.
func (v *VM) Wait(ctx context.Context) error {
	select {
	case <-v.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if v.err != nil {
		return fmt.Errorf("qemu: %w: %s", v.err, v.stderr)
	}
	return nil
}

// Done is closed when QEMU has exited.
func (v *VM) Done() <-chan struct{} { return v.done }

// WaitConsole waits until the serial console log contains s. It fails if QEMU
// exits first or ctx is done, quoting the end of the console log.
func (v *VM) WaitConsole(ctx context.Context, s string) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		b, _ := os.ReadFile(v.Config.SerialPath())
		if bytes.Contains(b, []byte(s)) {
			return nil
		}
		select {
		case <-v.done:
			return fmt.Errorf("qemu exited before %q appeared on the console: %v: %s\nconsole:\n%s", s, v.err, v.stderr, tail(b, 2000))
		case <-ctx.Done():
			return fmt.Errorf("wait for %q on the console: %w\nconsole:\n%s", s, ctx.Err(), tail(b, 2000))
		case <-tick.C:
		}
	}
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}

// tailBuffer keeps the last 4 KiB written to it; safe for concurrent use.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.b))
}
