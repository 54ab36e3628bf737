package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/machine/qemu"
)

// Time limits of a build's waits.
var (
	AgentTimeout    = 5 * time.Minute // boot to agent answering (TCG is slow)
	ShutdownTimeout = 3 * time.Minute
)

// DebugFile in the output folder tells `goldsmith debug` how to reach a
// VM kept after a failure.
const DebugFile = "debug.json"

// DebugInfo is the content of DebugFile.
type DebugInfo struct {
	AgentSocket string `json:"agentSocket"`
	SerialLog   string `json:"serialLog"`
	VM          string `json:"vm"` // "build" or "test"
	PID         int    `json:"pid"`
}

// m adapts a method to a step function (ctx first).
func m(f func(*vmBuild, context.Context) error) func(context.Context, *vmBuild) error {
	return func(ctx context.Context, b *vmBuild) error { return f(b, ctx) }
}

func (b *vmBuild) steps() []Step[vmBuild] {
	steps := []Step[vmBuild]{
		{Name: "base-image", Run: m((*vmBuild).baseImage)},
		{Name: "prepare", Run: m((*vmBuild).prepare), Cleanup: m((*vmBuild).removeWork)},
	}
	if b.opts.Cache != nil {
		steps = append(steps, Step[vmBuild]{Name: "step-cache", Run: m((*vmBuild).lookupCache)})
	}
	steps = append(steps, []Step[vmBuild]{
		{Name: "launch-build-vm", Run: m((*vmBuild).launchBuild), Cleanup: m((*vmBuild).stopBuild)},
		{Name: "wait-build-agent", Run: m((*vmBuild).waitBuildAgent)},
	}...)
	if b.opts.Cache != nil {
		steps = append(steps, Step[vmBuild]{Name: "cache:boot", Run: m((*vmBuild).storeBoot)})
	}
	steps = append(steps, Step[vmBuild]{Name: "grow-disk", Run: m((*vmBuild).growDisk)})
	for _, c := range b.comps {
		if c.HasPhase("build") {
			steps = append(steps, Step[vmBuild]{Name: "build:" + c.Name, Run: func(ctx context.Context, b *vmBuild) error {
				if err := b.buildPhaseCached(c); err != nil {
					return err
				}
				start := time.Now()
				err := b.runComponent(ctx, b.buildAgent, c, "build")
				b.cache.buildTimes[c.Index] = time.Since(start)
				return err
			}})
		}
		if b.opts.Cache != nil {
			steps = append(steps, Step[vmBuild]{Name: "cache:" + c.Name, Run: func(ctx context.Context, b *vmBuild) error {
				return b.storeLayer(ctx, c)
			}})
		}
	}
	for _, c := range b.comps {
		if c.HasPhase("validate") {
			steps = append(steps, Step[vmBuild]{Name: "validate:" + c.Name, Run: func(ctx context.Context, b *vmBuild) error {
				return b.runComponent(ctx, b.buildAgent, c, "validate")
			}})
		}
	}
	steps = append(steps,
		Step[vmBuild]{Name: "package-list", Run: m((*vmBuild).packageList)},
		Step[vmBuild]{Name: "guest-cleanup", Run: m((*vmBuild).guestCleanup)},
		Step[vmBuild]{Name: "shutdown-build-vm", Run: m((*vmBuild).shutdownBuild)},
		Step[vmBuild]{Name: "capture", Run: m((*vmBuild).capture)},
	)
	tests := false
	for _, c := range b.comps {
		tests = tests || c.HasPhase("test")
	}
	if tests && !b.opts.SkipTests {
		steps = append(steps,
			Step[vmBuild]{Name: "launch-test-vm", Run: m((*vmBuild).launchTest), Cleanup: m((*vmBuild).stopTest)},
			Step[vmBuild]{Name: "wait-test-agent", Run: m((*vmBuild).waitTestAgent)})
		for _, c := range b.comps {
			if c.HasPhase("test") {
				c := c
				steps = append(steps, Step[vmBuild]{Name: "test:" + c.Name, Run: func(ctx context.Context, b *vmBuild) error {
					return b.runComponent(ctx, b.testAgt, c, "test")
				}})
			}
		}
		steps = append(steps, Step[vmBuild]{Name: "shutdown-test-vm", Run: m((*vmBuild).shutdownTest)})
	}
	steps = append(steps,
		Step[vmBuild]{Name: "convert", Run: m((*vmBuild).convert)},
		Step[vmBuild]{Name: "sbom", Run: m((*vmBuild).writeSBOM)})
	// Remember the first failure, so cleanups know whether to keep a VM.
	for i := range steps {
		run := steps[i].Run
		steps[i].Run = func(ctx context.Context, b *vmBuild) error {
			err := run(ctx, b)
			if err != nil && b.failedAt == "" {
				b.failedAt = steps[i].Name
				b.buildCtx = ctx
			}
			return err
		}
	}
	return steps
}

func (b *vmBuild) baseImage(ctx context.Context) error {
	name := b.opts.Recipe.ParentImage
	start := time.Now()
	if spec, err := baseimage.Lookup(name); err == nil {
		b.opts.Reporter.Logf("base image %s: looking in the cache (built from Debian packages on a miss)", name)
		bases := *b.opts.Bases
		if r, ok := b.opts.Reporter.(BaseImageReporter); ok && bases.Progress == nil {
			bases.Progress = r.BaseImageProgress
		}
		img, err := bases.Get(ctx, spec)
		if err != nil {
			return fmt.Errorf("base image %s: %w", name, err)
		}
		b.base = img.Path
		b.baseInfo = BaseInfo{Name: name, Digest: img.Digest, Path: img.Path}
		if st, err := os.Stat(img.Path); err == nil && st.ModTime().Before(start) {
			b.baseInfo.Cached = true
		}
	} else if st, err := os.Stat(name); err == nil && !st.IsDir() {
		// Absolute: the VMs' disks and the step cache's entries record
		// the path of the disk they sit on.
		if name, err = filepath.Abs(name); err != nil {
			return fmt.Errorf("parentImage %q: %w", b.opts.Recipe.ParentImage, err)
		}
		digest, err := fileDigest(name)
		if err != nil {
			return err
		}
		b.base = name
		b.baseInfo = BaseInfo{Name: filepath.Base(name), Digest: digest, Path: name}
	} else {
		return fmt.Errorf("parentImage %q is neither a known base image (debian-12) nor a disk file", name)
	}
	b.manifest.Base = b.baseInfo
	return nil
}

func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return hashReader(f)
}

func (b *vmBuild) prepare(ctx context.Context) error {
	work, err := os.MkdirTemp(b.opts.TempDir, "gsb-")
	if err != nil {
		return fmt.Errorf("create a work folder: %w", err)
	}
	b.work = work
	// A base that is not qcow2 (a raw disk) is converted once, so the VM's
	// overlay can sit on it.
	if format, err := diskFormat(ctx, b.base); err != nil {
		return err
	} else if format != "qcow2" {
		conv := filepath.Join(work, "base.qcow2")
		out, err := exec.CommandContext(ctx, "qemu-img", "convert", "-f", format, "-O", "qcow2", b.base, conv).CombinedOutput()
		if err != nil {
			return fmt.Errorf("convert the %s base disk to qcow2: %w: %s", format, err, out)
		}
		b.base = conv
	}
	b.seed = filepath.Join(work, "seed.img")
	if err := makeSeed(ctx, b.opts.AgentBinary, b.seed, filepath.Join(work, "seed")); err != nil {
		return err
	}
	b.cidata = filepath.Join(work, "cidata.img")
	if err := makeCloudInitSeed(ctx, b.cidata, filepath.Join(work, "cidata")); err != nil {
		return err
	}
	b.accel = qemu.ResolveAccel(ctx, b.opts.Accel)
	b.manifest.Accelerator = string(b.accel)
	b.opts.Reporter.Logf("accelerator: %s", b.accel)
	if err := b.bootKey(ctx); err != nil {
		return err
	}
	CacheKeys(b.cache.bootKey, b.opts.Recipe, b.comps)
	return nil
}

func diskFormat(ctx context.Context, path string) (string, error) {
	out, err := exec.CommandContext(ctx, "qemu-img", "info", "--output=json", path).Output()
	if err != nil {
		return "", fmt.Errorf("read the base disk %s with qemu-img: %w", path, err)
	}
	var info struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		return "", err
	}
	return info.Format, nil
}

// Fixed identities of the seed's file system: the same agent binary makes
// the same seed disk, byte for byte, so a saved build VM (which has the
// seed mounted) can be resumed with the seed of a later build.
const (
	seedUUID     = "6f0c4e5c-5eed-4a6e-8000-000000000001"
	seedHashSeed = "6f0c4e5c-5eed-4a6e-8000-000000000002"
)

// makeSeed builds the read-only disk that carries the agent into the guest:
// an ext4 file system labelled GSAGENT holding the goldsmith binary, made
// offline (no loop devices) with mkfs.ext4 -d, reproducibly (fixed UUID,
// hash seed and times).
func makeSeed(ctx context.Context, binary, img, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src, err := os.Open(binary)
	if err != nil {
		return fmt.Errorf("open the agent binary %s: %w", binary, err)
	}
	defer src.Close()
	dst, err := os.OpenFile(filepath.Join(dir, "goldsmith"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	n, err := io.Copy(dst, src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy the agent binary: %w", err)
	}
	epoch := time.Unix(1, 0)
	for _, p := range []string{dst.Name(), dir} {
		if err := os.Chtimes(p, epoch, epoch); err != nil {
			return err
		}
	}
	sizeMiB := n/(1<<20) + 16
	fixed := append(os.Environ(), "E2FSPROGS_FAKE_TIME=1")
	mkfs := exec.CommandContext(ctx, "mkfs.ext4", "-q", "-F", "-L", baseimage.AgentLabel, "-O", "^has_journal",
		"-U", seedUUID, "-E", "hash_seed="+seedHashSeed, "-d", dir, img, fmt.Sprintf("%dM", sizeMiB))
	mkfs.Env = fixed
	if out, err := mkfs.CombinedOutput(); err != nil {
		return fmt.Errorf("make the agent seed disk (install e2fsprogs): %w: %s", err, out)
	}
	// mkfs copies the binary's change and access times, which cannot be
	// set on the host: fix them in the image.
	fix := exec.CommandContext(ctx, "debugfs", "-w", "-R", "set_inode_field /goldsmith ctime 1", img)
	fix.Env = fixed
	if out, err := fix.CombinedOutput(); err != nil {
		return fmt.Errorf("make the agent seed disk (debugfs): %w: %s", err, out)
	}
	fix = exec.CommandContext(ctx, "debugfs", "-w", "-R", "set_inode_field /goldsmith atime 1", img)
	fix.Env = fixed
	if out, err := fix.CombinedOutput(); err != nil {
		return fmt.Errorf("make the agent seed disk (debugfs): %w: %s", err, out)
	}
	return nil
}

func (b *vmBuild) removeWork(ctx context.Context) error {
	if b.work == "" || b.kept {
		return nil
	}
	return os.RemoveAll(b.work)
}

func (b *vmBuild) vmConfig(name, base string, firmware qemu.Firmware) (qemu.Config, error) {
	dir := filepath.Join(b.work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return qemu.Config{}, err
	}
	return qemu.Config{
		Name: name, Dir: dir, Base: base,
		MemoryMiB: b.opts.MemoryMiB, CPUs: b.opts.CPUs, Accel: b.accel, Firmware: firmware, CPUModel: b.opts.CPUModel,
		Network: !b.opts.NoNetwork,
		// Both VMs' disks are throwaway overlays, captured (or dropped) only
		// after a clean power-off: guest flushes need not reach the host disk.
		DiskCache: "unsafe",
		Drives:    []qemu.Drive{{Path: b.seed, Format: "raw", ReadOnly: true}, {Path: b.cidata, Format: "raw", ReadOnly: true}},
	}, nil
}

func (b *vmBuild) launchBuild(ctx context.Context) error {
	b.cache.launched = time.Now()
	cfg, err := b.vmConfig("build-vm", b.base, b.opts.Firmware)
	if err != nil {
		return err
	}
	if b.cache.resume != "" {
		cfg.Incoming = b.cache.resume
		vm, err := qemu.Launch(ctx, cfg)
		if err == nil {
			b.buildCfg, b.buildVM, b.cache.resumed = cfg, vm, true
			b.opts.Reporter.Logf("build VM resumed from the step cache's saved VM state (no boot)")
			return nil
		}
		b.opts.Reporter.Logf("could not resume the saved VM state (%v); booting its disk instead", err)
		if err := os.RemoveAll(cfg.Dir); err != nil {
			return err
		}
		if cfg, err = b.vmConfig("build-vm", b.base, b.opts.Firmware); err != nil {
			return err
		}
	}
	b.buildCfg = cfg
	b.buildVM, err = qemu.Launch(ctx, cfg)
	return err
}

func (b *vmBuild) stopBuild(ctx context.Context) error {
	if b.buildAgent != nil {
		// Disconnect first: QEMU's agent socket takes one client at a time,
		// and `goldsmith debug` must be able to reach a kept VM.
		b.buildAgent.Close()
	}
	if b.buildVM == nil {
		return nil
	}
	b.keepForDebug(ctx, "build", b.buildVM, b.buildCfg)
	b.buildVM.Kill()
	return copyLog(b.buildCfg.SerialPath(), filepath.Join(b.opts.OutDir, "logs", "build-vm-serial.log"))
}

// keepForDebug leaves a failed build's VM running until the user stops the
// build (Ctrl-C), so `goldsmith debug OUTDIR` can open a shell in it.
func (b *vmBuild) keepForDebug(ctx context.Context, which string, vm *qemu.VM, cfg qemu.Config) {
	if !b.opts.KeepOnFailure || b.failedAt == "" || b.buildCtx == nil || b.buildCtx.Err() != nil {
		return
	}
	select {
	case <-vm.Done():
		return
	default:
	}
	info := DebugInfo{AgentSocket: cfg.AgentPath(), SerialLog: cfg.SerialPath(), VM: which, PID: os.Getpid()}
	data, _ := json.MarshalIndent(info, "", "  ")
	path := filepath.Join(b.opts.OutDir, DebugFile)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return
	}
	defer os.Remove(path)
	b.opts.Reporter.Logf("the %s VM is kept for debugging: run `goldsmith debug %s` in another terminal; press Ctrl-C here to stop it and clean up", which, b.opts.OutDir)
	select {
	case <-b.buildCtx.Done():
	case <-vm.Done():
	}
}

func copyLog(src, dst string) error {
	data, err := os.ReadFile(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

// dialAgent connects to a VM's agent and waits for the guest to be booted.
// prelude, when set, runs first (on a resumed VM: thaw, set the clock).
func (b *vmBuild) dialAgent(ctx context.Context, cfg qemu.Config, vm *qemu.VM, prelude string) (*agent.Client, error) {
	actx, cancel := context.WithTimeout(ctx, AgentTimeout)
	defer cancel()
	go func() {
		select {
		case <-vm.Done():
			cancel()
		case <-actx.Done():
		}
	}()
	c, err := agent.NewClient(actx, agent.ClientOptions{SocketPath: cfg.AgentPath(), Logger: b.opts.Log})
	if err != nil {
		return nil, b.vmError(vm, cfg, fmt.Errorf("wait for the guest agent: %w", err))
	}
	info, err := c.Info(actx)
	if err != nil {
		c.Close()
		return nil, b.vmError(vm, cfg, fmt.Errorf("ask the guest agent: %w", err))
	}
	b.opts.Reporter.Logf("guest agent %s answers from %s (%s/%s)", info.Version, info.Hostname, info.OS, info.Arch)
	if prelude != "" {
		if out, err := execGuest(actx, c, prelude); err != nil {
			c.Close()
			return nil, fmt.Errorf("prepare the resumed guest: %w: %s", err, out)
		}
	}
	// The agent starts as soon as its seed disk appears, before the boot
	// has finished; components run on a booted system (first-boot units,
	// such as SSH host key generation, done), as on Image Builder.
	state, _ := execGuest(actx, c, agent.DefaultWaitBooted)
	if s := strings.TrimSpace(state); s != "" {
		b.opts.Reporter.Logf("guest system state: %s", s)
	}
	return c, nil
}

// vmError adds what the VM said last to an error.
func (b *vmBuild) vmError(vm *qemu.VM, cfg qemu.Config, err error) error {
	select {
	case <-vm.Done():
		err = fmt.Errorf("%w (the VM stopped: %v)", err, vm.Wait(context.Background()))
	default:
	}
	data, _ := os.ReadFile(cfg.SerialPath())
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return fmt.Errorf("%w\nlast lines of the serial console:\n  %s", err, strings.Join(lines, "\n  "))
}

func (b *vmBuild) waitBuildAgent(ctx context.Context) error {
	prelude := ""
	if b.cache.resumed {
		prelude = resumeScript(time.Now())
	}
	c, err := b.dialAgent(ctx, b.buildCfg, b.buildVM, prelude)
	if err != nil {
		return err
	}
	b.buildAgent = c
	return nil
}

// growDisk gives the build VM's disk the recipe's root volume size, once
// the booted base is saved (so that one booted base serves every size):
// the disk grows under the running guest, then its root file system. A
// build that starts from a component's entry has it grown already.
func (b *vmBuild) growDisk(ctx context.Context) error {
	gib := b.opts.Recipe.RootVolumeGiB
	if gib == 0 {
		return &Skip{Reason: "the recipe keeps the base image's disk size"}
	}
	if b.cache.start > 0 {
		return &Skip{Reason: "the cached disk has its size"}
	}
	if err := b.buildVM.Resize(ctx, int64(gib)<<30); err != nil {
		return err
	}
	return b.growRoot(ctx)
}

// growRoot makes the root file system fill a disk the recipe enlarged.
func (b *vmBuild) growRoot(ctx context.Context) error {
	if b.opts.Recipe.RootVolumeGiB == 0 {
		return nil
	}
	script := `set -e
dev=$(findmnt -no SOURCE /); disk=/dev/$(lsblk -no PKNAME "$dev"); part=${dev##*[!0-9]}
command -v sfdisk >/dev/null || { echo "sfdisk missing: cannot grow $dev"; exit 0; }
sfdisk --relocate gpt-bak-std "$disk" >/dev/null 2>&1 || true
echo ", +" | sfdisk --no-reread --no-tell-kernel -N "$part" "$disk" >/dev/null 2>&1 || true
partx -u "$disk" 2>/dev/null || true
resize2fs "$dev" >/dev/null 2>&1 || true
df -h / | tail -1`
	var out bytes.Buffer
	code, err := b.buildAgent.Exec(ctx, agent.ExecRequest{Argv: []string{"bash", "-c", script}}, agent.Stdio{Stdout: &out, Stderr: &out})
	if err != nil || code != 0 {
		return fmt.Errorf("grow the root file system: exit %d, %v: %s", code, err, out.String())
	}
	b.opts.Reporter.Logf("root file system: %s", strings.TrimSpace(out.String()))
	return nil
}
