package qemu

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
	"github.com/goldsmith-dev/goldsmith/internal/vmtest"
)

// TestSaveAndResume boots the debian-12 base, saves the running VM's state
// with a snapshot of its disk, lets the first VM go on, and starts a second
// VM from the state: it is the same boot (boot id, a file in tmpfs), on the
// disk as it was at the save, and its agent answers without a boot.
func TestSaveAndResume(t *testing.T) {
	vmtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	base := debian12(ctx, t)
	bin := vmtest.AgentBinary(t)
	dir, err := os.MkdirTemp("", "gs")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	seed := agentSeed(t, dir, bin)
	cfg := Config{Name: "save", Dir: filepath.Join(dir, "a"), Base: base, Accel: AccelTCG, Network: true,
		DiskCache: "unsafe", Drives: []Drive{{Path: seed, Format: "raw", ReadOnly: true}}}
	if err := os.Mkdir(cfg.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	vm, err := Launch(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Kill()
	c := dial(ctx, t, cfg)
	guestSh(ctx, t, c, agent.DefaultWaitBooted)
	bootID := guestSh(ctx, t, c, "cat /proc/sys/kernel/random/boot_id; echo in-memory > /run/marker; echo saved > /root/disk-marker; sync")

	state, err := vm.SaveState(ctx, filepath.Join(dir, "vm.state"))
	if err != nil {
		t.Fatal(err)
	}
	layer, err := vm.Snapshot(ctx, filepath.Join(dir, "after.qcow2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := vm.Continue(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("state: %.1f MiB in %v", float64(state.Size)/(1<<20), state.Took.Round(time.Millisecond))
	// The first VM goes on; what it writes now is not in the saved layer.
	guestSh(ctx, t, c, "echo later > /root/disk-marker; sync")
	c.Close()
	vm.Kill()

	cfg2 := cfg
	cfg2.Name, cfg2.Dir, cfg2.Base, cfg2.Incoming = "resume", filepath.Join(dir, "b"), layer, state.Path
	if err := os.Mkdir(cfg2.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	vm2, err := Launch(ctx, cfg2)
	if err != nil {
		t.Fatal(err)
	}
	defer vm2.Kill()
	c2 := dial(ctx, t, cfg2)
	defer c2.Close()
	t.Logf("resumed: agent answers %v after QEMU start", time.Since(start).Round(time.Millisecond))
	got := guestSh(ctx, t, c2, "cat /proc/sys/kernel/random/boot_id /run/marker /root/disk-marker")
	if want := bootID + "in-memory\nsaved\n"; got != want {
		t.Errorf("resumed guest has\n%s\nwant\n%s", got, want)
	}
	// The resumed guest works on: it writes, and powers off cleanly.
	guestSh(ctx, t, c2, "echo resumed > /root/disk-marker; sync")
	sctx, cancel2 := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel2()
	if err := vm2.Shutdown(sctx); err != nil {
		t.Error(err)
	}
}
