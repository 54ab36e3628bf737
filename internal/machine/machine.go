// Package machine is the seam between the build workflow and the places
// where components run. The workflow (internal/workflow) launches
// machines through a Launcher and talks to the guest agent through them;
// it never imports an implementation. The wiring (cmd/goldsmith,
// internal/server, internal/buildjob) picks one:
//
//   - internal/machine/qemu: a VM booted, or resumed from a saved state,
//     from a qcow2 overlay; the agent over virtio-serial.
//   - a container (systemd-nspawn --boot on the image's root tree, the
//     agent over a unix socket, the disk assembled offline when it is
//     captured) fits the same interfaces; it is not written yet.
//
// What only some machines can do is an optional interface that the
// workflow asks for with a type assertion: Checkpointer (the step cache's
// saved layers and states) and Resizer (growing the disk of a running
// machine).
//
// machinetest is the conformance suite every implementation runs.
package machine

import (
	"context"
	"log/slog"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
)

// Launcher starts machines of one kind and shape (a QEMU VM with a given
// accelerator and firmware, say).
type Launcher interface {
	// Launch starts a machine from spec.Disk and returns once it runs (it
	// may still be booting: Machine.Agent waits for its agent). ctx bounds
	// the start only. On error nothing runs.
	Launch(ctx context.Context, spec Spec) (Machine, error)
	// Describe says what the launcher's machines are.
	Describe(ctx context.Context) Description
}

// Description is what a Launcher's machines are, for the build's manifest
// and log, and for the keys of saved machine states.
type Description struct {
	// Kind names the implementation: "qemu".
	Kind string
	// Accelerator is how guest code runs: "kvm" or "tcg" for QEMU; ""
	// where it runs natively.
	Accelerator string
	// StateKey covers everything beyond the Spec that a checkpoint's
	// saved state depends on (for QEMU: its version, accelerator, CPU
	// model, firmware and how the agent reaches the guest). A state loads
	// only into a machine of the same StateKey.
	StateKey string
}

// Spec is one machine to launch.
type Spec struct {
	// Name labels the machine in logs and process lists ("build-vm").
	Name string
	// Dir holds the machine's files (its disk layers, sockets, console
	// log). It must exist; the caller removes it after Terminate.
	Dir string
	// Disk is the qcow2 disk the machine starts from. It is never
	// written: the machine writes to a layer of its own on top.
	Disk string
	// Agent is the guest agent binary (cmd/goldsmith-agent) the machine
	// starts: each implementation carries it in its own way.
	Agent string
	// MemoryMiB and CPUs size the machine; defaults 1024 and 2.
	MemoryMiB, CPUs int
	// Network gives the guest a NAT network.
	Network bool
	// Resume, when set, is a state saved by a Checkpointer: the machine
	// carries on from it instead of booting. Disk must then be the layer
	// frozen with it, and the Launcher's StateKey and the Spec as they
	// were. A Launcher that cannot resume fails.
	Resume string
	// Log receives diagnostics (nil: discard).
	Log *slog.Logger
}

// Machine is a running place where components run.
type Machine interface {
	// Agent connects to the guest agent, waiting until it answers, the
	// machine stops, or ctx ends. The caller closes the client.
	Agent(ctx context.Context) (*agent.Client, error)
	// Stop asks the guest to power off (an ACPI power button, say) and
	// waits until the machine has stopped or ctx ends; then it terminates
	// it. It returns nil only for a clean power-off.
	Stop(ctx context.Context) error
	// Terminate stops the machine at once and waits until it has. It is
	// idempotent and safe after any failure, also after the machine
	// stopped by itself.
	Terminate(ctx context.Context) error
	// Done is closed when the machine has stopped; Err then says why (nil
	// for a clean exit).
	Done() <-chan struct{}
	Err() error
	// Capture writes the machine's disk, as it is now, to dst as a
	// standalone qcow2 image. Call it after the machine has stopped.
	Capture(ctx context.Context, dst string) error
	// ConsoleLog is the file that holds the guest's console output.
	ConsoleLog() string
	// AgentSocket is the host's unix socket to the guest agent, for
	// `goldsmith debug` on a machine kept after a failure.
	AgentSocket() string
}

// Checkpointer is a Machine that can save where it is, for the step
// cache: its disk as a chain of read-only layers, and optionally its
// running state.
type Checkpointer interface {
	// Checkpoint freezes the disk layer the machine has written since it
	// was launched (or last checkpointed) and sends further writes to a
	// new layer. When the machine can, it also saves its running state
	// (memory and devices), matching the frozen layer, so a Launch with
	// Spec.Resume on that layer carries on from this instant. The guest
	// goes on running afterwards; flush or freeze its file systems first.
	// The files are in Spec.Dir: the caller moves them away.
	Checkpoint(ctx context.Context) (Checkpoint, error)
}

// Checkpoint is what Checkpointer.Checkpoint saved.
type Checkpoint struct {
	// Layer is the frozen disk layer: a qcow2 file whose backing chain
	// ends at the Spec's Disk.
	Layer string
	// State is the saved running state, or "" (see NoState).
	State string
	// StateTook is how long saving the state kept the machine paused.
	StateTook time.Duration
	// NoState says why State is empty: the machine cannot save states
	// (QEMU with UEFI firmware), or saving it failed. The layer is good
	// either way.
	NoState string
}

// Resizer is a Machine whose disk can grow while it runs; the guest sees
// the new size at once.
type Resizer interface {
	Resize(ctx context.Context, bytes int64) error
}
