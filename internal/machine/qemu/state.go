package qemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// State is a saved VM state (a QEMU migration stream in a file).
type State struct {
	Path string
	Size int64
	// Took is how long saving it took, with the VM paused.
	Took time.Duration
}

// stateURI is the migration URI that writes (save) or reads (load) a file.
// QEMU runs exec: URIs with /bin/sh -c.
func stateURI(path string, save bool) (string, error) {
	if strings.ContainsAny(path, "'\n") {
		return "", fmt.Errorf("vm state file %q: the path must not contain quotes or newlines", path)
	}
	if save {
		return "exec:cat > '" + path + "'", nil
	}
	return "exec:cat '" + path + "'", nil
}

// Pause stops the guest's CPUs; Continue resumes them. The disks are
// drained and flushed while the guest is paused.
func (v *VM) Pause(ctx context.Context) error {
	_, err := v.run(ctx, "stop", nil)
	return err
}

// Continue resumes a paused guest (after Pause or SaveState).
func (v *VM) Continue(ctx context.Context) error {
	_, err := v.run(ctx, "cont", nil)
	return err
}

// SaveState pauses the guest and writes its whole machine state (memory
// and devices, not the disks) to path. The guest stays paused: snapshot its
// disk now (Snapshot) for a disk that matches the state, then Continue.
// A VM launched with Config.Incoming set to the file, on a disk with the
// same content, carries on from this instant.
func (v *VM) SaveState(ctx context.Context, path string) (State, error) {
	path = absPath(path)
	uri, err := stateURI(path, true)
	if err != nil {
		return State{}, err
	}
	start := time.Now()
	if err := v.Pause(ctx); err != nil {
		return State{}, err
	}
	// QEMU's default migration bandwidth limit (32 MiB/s) is meant for
	// networks; a file on the same host takes what it can.
	if _, err := v.run(ctx, "migrate-set-parameters", map[string]any{"max-bandwidth": int64(1) << 40}); err != nil {
		return State{}, err
	}
	if _, err := v.run(ctx, "migrate", map[string]any{"uri": uri}); err != nil {
		return State{}, err
	}
	if err := v.waitMigration(ctx, "save the VM state to "+path); err != nil {
		os.Remove(path)
		return State{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return State{}, fmt.Errorf("save the VM state: %w", err)
	}
	return State{Path: path, Size: st.Size(), Took: time.Since(start)}, nil
}

// waitMigration polls query-migrate until the migration has completed.
func (v *VM) waitMigration(ctx context.Context, what string) error {
	for {
		out, err := v.run(ctx, "query-migrate", nil)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		var st struct {
			Status    string `json:"status"`
			ErrorDesc string `json:"error-desc"`
		}
		if err := json.Unmarshal(out, &st); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		switch st.Status {
		case "completed":
			return nil
		case "failed", "cancelled":
			return fmt.Errorf("%s: migration %s: %s", what, st.Status, st.ErrorDesc)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-v.done:
			return fmt.Errorf("%s: qemu exited: %v: %s", what, v.err, v.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitRunning waits until a VM launched with Incoming has loaded its
// state and runs.
func (v *VM) waitRunning(ctx context.Context) error {
	for {
		out, err := v.run(ctx, "query-status", nil)
		if err != nil {
			return fmt.Errorf("load the VM state %s: %w", v.Config.Incoming, err)
		}
		var st struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(out, &st); err != nil {
			return err
		}
		switch st.Status {
		case "running":
			return nil
		case "inmigrate", "prelaunch":
		case "paused":
			// The state was saved from a paused guest (SaveState pauses),
			// and QEMU keeps that run state: the load is done.
			if err := v.Continue(ctx); err != nil {
				return fmt.Errorf("load the VM state %s: %w", v.Config.Incoming, err)
			}
		default:
			return fmt.Errorf("load the VM state %s: the VM is %q, not running (QMP said %s): %s", v.Config.Incoming, st.Status, out, v.stderr)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("load the VM state %s: %w", v.Config.Incoming, ctx.Err())
		case <-v.done:
			return errors.New("load the VM state " + v.Config.Incoming + ": qemu exited: " + v.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Resize grows the main disk to bytes while the guest runs (QMP
// block_resize); the guest sees the new size at once (virtio-blk tells it).
func (v *VM) Resize(ctx context.Context, bytes int64) error {
	if _, err := v.run(ctx, "block_resize", map[string]any{"device": DiskID, "size": bytes}); err != nil {
		return fmt.Errorf("grow the disk to %d bytes: %w", bytes, err)
	}
	return nil
}
