package qemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
	"github.com/goldsmith-dev/goldsmith/internal/machine"
)

// Launcher launches QEMU VMs as machines (machine.Launcher): each boots,
// or resumes from a saved state, a qcow2 overlay on the Spec's disk, with
// the agent's seed disks attached and its agent on virtio-serial. Its
// machines are Checkpointers (external snapshots of the disk, and QEMU
// migrations to a file for the state unless the firmware is UEFI) and
// Resizers. The zero value is usable: auto accelerator, BIOS firmware.
type Launcher struct {
	// Accel is the accelerator. Default AccelAuto (KVM when ProbeKVM
	// proves it works, else TCG).
	Accel Accel
	// CPUModel is QEMU's -cpu value. Default: "host" with KVM,
	// TCGCPUModel with TCG.
	CPUModel string
	// Firmware is how the VMs boot. Default FirmwareBIOS.
	Firmware Firmware
}

var (
	_ machine.Launcher     = Launcher{}
	_ machine.Checkpointer = (*Machine)(nil)
	_ machine.Resizer      = (*Machine)(nil)
)

// qemuVersion is the emulator's version line: a saved VM state loads only
// into the QEMU that wrote it.
var qemuVersion = sync.OnceValue(func() string {
	out, err := exec.Command("qemu-system-x86_64", "--version").Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := bytes.Cut(out, []byte("\n"))
	return string(line)
})

func (l Launcher) firmware() Firmware {
	if l.Firmware == "" {
		return FirmwareBIOS
	}
	return l.Firmware
}

// savesState tells whether the VMs' checkpoints carry a saved state. Not
// with UEFI: its variable store is a disk of its own that the state does
// not cover.
func (l Launcher) savesState() bool { return l.firmware() != FirmwareUEFI }

// Describe resolves the accelerator (probing KVM once per process) and
// names what saved states depend on.
func (l Launcher) Describe(ctx context.Context) machine.Description {
	accel := ResolveAccel(ctx, l.Accel)
	return machine.Description{
		Kind:        "qemu",
		Accelerator: string(accel),
		StateKey: fmt.Sprintf("qemu %s\naccel %s\ncpu %q\nfirmware %s\nseed %s",
			qemuVersion(), accel, l.CPUModel, l.firmware(), seedFormat()),
	}
}

// Launch makes the agent's seed disks in spec.Dir and starts a VM there.
func (l Launcher) Launch(ctx context.Context, spec machine.Spec) (machine.Machine, error) {
	if spec.Agent == "" {
		return nil, errors.New("launch a VM: no guest agent binary: give Spec.Agent")
	}
	if spec.Resume != "" && !l.savesState() {
		return nil, errors.New("a VM with UEFI firmware cannot resume a saved state: its variable store is not part of the state")
	}
	seed := filepath.Join(spec.Dir, "agent-seed.img")
	if err := makeSeed(ctx, spec.Agent, seed, filepath.Join(spec.Dir, "agent-seed")); err != nil {
		return nil, err
	}
	cidata := filepath.Join(spec.Dir, "cidata.img")
	if err := makeCloudInitSeed(ctx, cidata, filepath.Join(spec.Dir, "cidata")); err != nil {
		return nil, err
	}
	cfg := Config{
		Name: spec.Name, Dir: spec.Dir, Base: spec.Disk,
		MemoryMiB: spec.MemoryMiB, CPUs: spec.CPUs, Accel: ResolveAccel(ctx, l.Accel),
		Firmware: l.firmware(), CPUModel: l.CPUModel, Network: spec.Network,
		// The VM writes to a throwaway overlay, captured (or dropped) only
		// after a clean power-off or a checkpoint (which drains and flushes
		// it): guest flushes need not reach the host disk. dpkg flushes
		// after every file, and under TCG that cost minutes per install.
		DiskCache: "unsafe",
		Drives:    []Drive{{Path: seed, Format: "raw", ReadOnly: true}, {Path: cidata, Format: "raw", ReadOnly: true}},
		Incoming:  spec.Resume,
	}
	vm, err := Launch(ctx, cfg)
	if err != nil {
		return nil, err
	}
	log := spec.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Machine{VM: vm, log: log, savesState: l.savesState()}, nil
}

// Machine is a VM launched by Launcher.
type Machine struct {
	*VM
	log         *slog.Logger
	savesState  bool
	checkpoints atomic.Int32
}

// Agent connects to the guest agent over the VM's virtio-serial port.
func (m *Machine) Agent(ctx context.Context) (*agent.Client, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-m.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	return agent.NewClient(ctx, agent.ClientOptions{SocketPath: m.Config.AgentPath(), Logger: m.log})
}

// Stop powers the guest off through ACPI (see VM.Shutdown).
func (m *Machine) Stop(ctx context.Context) error { return m.Shutdown(ctx) }

// Terminate kills QEMU (see VM.Kill).
func (m *Machine) Terminate(context.Context) error {
	m.Kill()
	return nil
}

// Err is QEMU's exit error, with the end of its output; nil while it runs
// or after a clean exit.
func (m *Machine) Err() error {
	if !m.stopped() {
		return nil
	}
	return m.Wait(context.Background())
}

func (m *Machine) stopped() bool {
	select {
	case <-m.Done():
		return true
	default:
		return false
	}
}

// Capture flattens the disk the VM writes (its top layer and the whole
// backing chain) into a standalone qcow2 image.
func (m *Machine) Capture(ctx context.Context, dst string) error {
	out, err := exec.CommandContext(ctx, "qemu-img", "convert", "-f", "qcow2", "-O", "qcow2", "-o", "compat=1.1", m.TopLayer(), dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("capture the disk: qemu-img convert: %w: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// ConsoleLog is the serial console's log file.
func (m *Machine) ConsoleLog() string { return m.Config.SerialPath() }

// AgentSocket is QEMU's unix socket for the agent's virtio-serial port.
func (m *Machine) AgentSocket() string { return m.Config.AgentPath() }

// Checkpoint pauses the VM, saves its state (unless the firmware is
// UEFI), freezes the disk's top layer with an external snapshot, and lets
// the VM go on. A failure to save the state leaves a checkpoint without
// one.
func (m *Machine) Checkpoint(ctx context.Context) (machine.Checkpoint, error) {
	n := m.checkpoints.Add(1)
	var cp machine.Checkpoint
	if m.savesState {
		st, err := m.SaveState(ctx, filepath.Join(m.Config.Dir, fmt.Sprintf("state-%02d", n)))
		if err != nil {
			cp.NoState = "saving the VM state failed: " + err.Error()
		} else {
			cp.State, cp.StateTook = st.Path, st.Took
		}
	} else {
		cp.NoState = "a VM with UEFI firmware saves no state (its variable store is not part of it)"
	}
	layer, snapErr := m.Snapshot(ctx, filepath.Join(m.Config.Dir, fmt.Sprintf("layer-%02d.qcow2", n)))
	if m.savesState {
		// SaveState leaves the VM paused, also when it failed half-way.
		if err := m.Continue(ctx); err != nil {
			os.Remove(cp.State)
			return machine.Checkpoint{}, fmt.Errorf("resume the VM after saving its state: %w", err)
		}
	}
	if snapErr != nil {
		os.Remove(cp.State)
		return machine.Checkpoint{}, snapErr
	}
	cp.Layer = layer
	return cp, nil
}
