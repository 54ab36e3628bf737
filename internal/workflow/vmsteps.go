package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
	"github.com/goldsmith-dev/goldsmith/internal/agentbin"
	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/machine"
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
	agentBin, where, err := agentbin.Find(b.opts.AgentBinary, work)
	if err != nil {
		return err
	}
	b.agentBin = agentBin
	b.machines = b.opts.Machines.Describe(ctx)
	b.manifest.Accelerator = b.machines.Accelerator
	b.opts.Reporter.Logf("machines: %s, accelerator %s; guest agent %s (%s)", b.machines.Kind, b.machines.Accelerator, agentbin.Name, where)
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

func (b *vmBuild) removeWork(ctx context.Context) error {
	if b.work == "" || b.kept {
		return nil
	}
	return os.RemoveAll(b.work)
}

// machineSpec is the Spec of a build or test machine on disk, with a
// new folder for its files.
func (b *vmBuild) machineSpec(name, disk string) (machine.Spec, error) {
	dir := filepath.Join(b.work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return machine.Spec{}, err
	}
	return machine.Spec{
		Name: name, Dir: dir, Disk: disk, Agent: b.agentBin,
		MemoryMiB: b.opts.MemoryMiB, CPUs: b.opts.CPUs, Network: !b.opts.NoNetwork, Log: b.opts.Log,
	}, nil
}

func (b *vmBuild) launchBuild(ctx context.Context) error {
	b.cache.launched = time.Now()
	spec, err := b.machineSpec("build-vm", b.base)
	if err != nil {
		return err
	}
	if b.cache.resume != "" {
		spec.Resume = b.cache.resume
		m, err := b.opts.Machines.Launch(ctx, spec)
		if err == nil {
			b.buildVM, b.cache.resumed = m, true
			b.opts.Reporter.Logf("build machine resumed from the step cache's saved state (no boot)")
			return nil
		}
		b.opts.Reporter.Logf("could not resume the saved machine state (%v); booting its disk instead", err)
		if err := os.RemoveAll(spec.Dir); err != nil {
			return err
		}
		if spec, err = b.machineSpec("build-vm", b.base); err != nil {
			return err
		}
	}
	b.buildVM, err = b.opts.Machines.Launch(ctx, spec)
	return err
}

func (b *vmBuild) stopBuild(ctx context.Context) error {
	return b.stopMachine(ctx, "build", b.buildVM, b.buildAgent)
}

// stopMachine terminates a machine (after keeping it for debugging, when
// asked to) and keeps its console log.
func (b *vmBuild) stopMachine(ctx context.Context, which string, m machine.Machine, c *agent.Client) error {
	if c != nil {
		// Disconnect first: QEMU's agent socket takes one client at a time,
		// and `goldsmith debug` must be able to reach a kept machine.
		c.Close()
	}
	if m == nil {
		return nil
	}
	b.keepForDebug(which, m)
	err := m.Terminate(ctx)
	return errors.Join(err, copyLog(m.ConsoleLog(), filepath.Join(b.opts.OutDir, "logs", which+"-vm-serial.log")))
}

// keepForDebug leaves a failed build's machine running until the user
// stops the build (Ctrl-C), so `goldsmith debug OUTDIR` can open a shell
// in it.
func (b *vmBuild) keepForDebug(which string, m machine.Machine) {
	if !b.opts.KeepOnFailure || b.failedAt == "" || b.buildCtx == nil || b.buildCtx.Err() != nil {
		return
	}
	select {
	case <-m.Done():
		return
	default:
	}
	info := DebugInfo{AgentSocket: m.AgentSocket(), SerialLog: m.ConsoleLog(), VM: which, PID: os.Getpid()}
	data, _ := json.MarshalIndent(info, "", "  ")
	path := filepath.Join(b.opts.OutDir, DebugFile)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return
	}
	defer os.Remove(path)
	b.opts.Reporter.Logf("the %s VM is kept for debugging: run `goldsmith debug %s` in another terminal; press Ctrl-C here to stop it and clean up", which, b.opts.OutDir)
	select {
	case <-b.buildCtx.Done():
	case <-m.Done():
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

// dialAgent connects to a machine's agent and waits for the guest to be
// booted. prelude, when set, runs first (on a resumed machine: thaw, set
// the clock).
func (b *vmBuild) dialAgent(ctx context.Context, m machine.Machine, prelude string) (*agent.Client, error) {
	actx, cancel := context.WithTimeout(ctx, AgentTimeout)
	defer cancel()
	c, err := m.Agent(actx)
	if err != nil {
		return nil, machineError(m, fmt.Errorf("wait for the guest agent: %w", err))
	}
	info, err := c.Info(actx)
	if err != nil {
		c.Close()
		return nil, machineError(m, fmt.Errorf("ask the guest agent: %w", err))
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

// machineError adds the end of the machine's console to an error.
func machineError(m machine.Machine, err error) error {
	select {
	case <-m.Done():
		err = fmt.Errorf("%w (the machine stopped: %v)", err, m.Err())
	default:
	}
	data, _ := os.ReadFile(m.ConsoleLog())
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
	c, err := b.dialAgent(ctx, b.buildVM, prelude)
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
	r, ok := b.buildVM.(machine.Resizer)
	if !ok {
		return &Skip{Reason: "this kind of machine cannot grow its disk while it runs"}
	}
	if err := r.Resize(ctx, int64(gib)<<30); err != nil {
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
