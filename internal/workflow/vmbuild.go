package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/machine"
	"github.com/goldsmith-dev/goldsmith/internal/recipe"
	"github.com/goldsmith-dev/goldsmith/internal/sbom"
	"github.com/goldsmith-dev/goldsmith/internal/stepcache"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
)

// Options configure a local VM build (`goldsmith build`).
type Options struct {
	Recipe *recipe.Recipe
	// OutDir receives the image, checksums, manifest, SBOM and logs.
	OutDir string
	// Formats of the image; default qcow2.
	Formats []Format
	// Machines launches the build machine, TestMachines the test machine
	// that boots the captured image (default Machines). The wiring picks
	// them: a qemu.Launcher with its accelerator, CPU model and firmware.
	Machines, TestMachines machine.Launcher
	// MemoryMiB and CPUs size both machines; defaults 2048 and 2.
	MemoryMiB, CPUs int
	// NoNetwork detaches the guest network (on by default, so package
	// installs work).
	NoNetwork bool
	// KeepOnFailure leaves the build VM running after a failure, for
	// `goldsmith debug OUTDIR`.
	KeepOnFailure bool
	// SkipTests skips the test instance.
	SkipTests bool
	// AgentBinary is the guest agent (cmd/goldsmith-agent) the machines
	// start; default the one built into goldsmith, else goldsmith-agent
	// next to it (internal/agentbin). It must run on the guest (a static
	// build does).
	AgentBinary string
	// Bases builds and caches base images.
	Bases *baseimage.Cache
	// Cache is the step cache: the disk after each component's build phase
	// is saved, and a build starts from the longest cached prefix of its
	// components. Nil: no step cache.
	Cache *stepcache.Cache
	// CacheNamespace keeps entries apart (the account id on a server);
	// default "local".
	CacheNamespace string
	// NoCache runs every build phase: nothing is read from the cache (new
	// entries are still saved, replacing stale ones).
	NoCache bool
	// TempDir is where VM files live while building; default os.TempDir().
	TempDir string
	// Reporter receives progress (nil: none).
	Reporter Reporter
	// Log is the diagnostic log (nil: discard).
	Log *slog.Logger
}

// Reporter hears what a build does, for progress views and logs.
type Reporter interface {
	Observer
	// ComponentEvent is a component runner event inside a VM.
	ComponentEvent(c *Component, stage string, e toe.Event)
	// Logf is a free-form progress message.
	Logf(format string, args ...any)
}

// Result is a finished build.
type Result struct {
	Manifest *Manifest
	OutDir   string
}

// Failure is a build failure that names the component, phase and step.
type Failure struct {
	Component string
	Phase     string
	Step      string
	Action    string
	Message   string
	Tail      []string // the last lines of the step's output
}

func (f *Failure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "component %s, phase %s, step %s (%s) failed: %s", f.Component, f.Phase, f.Step, f.Action, f.Message)
	if len(f.Tail) > 0 {
		b.WriteString("\nlast output:\n  ")
		b.WriteString(strings.Join(f.Tail, "\n  "))
	}
	return b.String()
}

// vmBuild is the state the build steps share.
type vmBuild struct {
	opts     Options
	comps    []*Component
	base     string // backing disk (qcow2)
	baseInfo BaseInfo
	work     string // temp folder for this build
	agentBin string // the guest agent binary
	machines machine.Description

	buildVM    machine.Machine
	buildAgent *agent.Client
	kept       bool // the build VM is left running for debugging

	image    string // the captured image (qcow2) in OutDir
	testVM   machine.Machine
	testAgt  *agent.Client
	packages []sbom.Package

	cache cacheState

	manifest *Manifest
	tails    map[string][]string // step output tails, by component/phase/step
	failure  *Failure
	failedAt string          // the first step that failed
	buildCtx context.Context // the build's own context, for cleanups that wait on it
}

func (o Options) withDefaults() (Options, error) {
	if o.Recipe == nil {
		return o, errors.New("no recipe")
	}
	if o.OutDir == "" {
		return o, errors.New("give an output folder (-o)")
	}
	if len(o.Formats) == 0 {
		o.Formats = []Format{QCOW2}
	}
	if o.MemoryMiB == 0 {
		o.MemoryMiB = 2048
	}
	if o.CPUs == 0 {
		o.CPUs = 2
	}
	if o.Machines == nil {
		return o, errors.New("no machine launcher: give Options.Machines (a qemu.Launcher)")
	}
	if o.TestMachines == nil {
		o.TestMachines = o.Machines
	}
	// Paths handed to QEMU and stored in the step cache must be absolute
	// (QEMU reads a relative backing file from the overlay's folder).
	for _, p := range []*string{&o.OutDir, &o.TempDir, &o.AgentBinary} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return o, fmt.Errorf("folder %s: give an absolute path: %w", *p, err)
		}
		*p = abs
	}
	if o.CacheNamespace == "" {
		o.CacheNamespace = "local"
	}
	if o.Bases == nil {
		o.Bases = &baseimage.Cache{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Reporter == nil {
		o.Reporter = nopReporter{}
	}
	return o, nil
}

// BaseImageReporter is a Reporter that also shows the stages of a base
// image build (minutes the first time).
type BaseImageReporter interface {
	BaseImageProgress(p baseimage.Progress)
}

type nopReporter struct{}

func (nopReporter) StepStarted(string)                           {}
func (nopReporter) StepFinished(Timing)                          {}
func (nopReporter) ComponentEvent(*Component, string, toe.Event) {}
func (nopReporter) Logf(string, ...any)                          {}

// Build runs a recipe in a VM and writes a tested image to OutDir.
func Build(ctx context.Context, opts Options) (*Result, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	// Every component is loaded and checked before anything boots.
	comps, err := ResolveComponents(opts.Recipe)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(opts.OutDir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("create the output folder: %w", err)
	}
	b := &vmBuild{opts: opts, comps: comps, tails: map[string][]string{}, cache: cacheState{buildTimes: map[int]time.Duration{}}}
	b.manifest = newManifest(opts, comps)
	started := time.Now()
	timings, err := Run(ctx, b, b.steps(), opts.Reporter)
	b.manifest.Timings.Steps = timings
	b.manifest.Timings.Total = time.Since(started)
	if err != nil {
		b.manifest.Status = "failed"
		if b.failure != nil {
			b.manifest.Failure = b.failure.Error()
			err = fmt.Errorf("%w", b.failure)
		} else {
			b.manifest.Failure = err.Error()
		}
		b.removeOutputs()
		b.manifest.write(opts.OutDir)
		return &Result{Manifest: b.manifest, OutDir: opts.OutDir}, err
	}
	b.manifest.Status = "success"
	if err := b.manifest.write(opts.OutDir); err != nil {
		return nil, err
	}
	return &Result{Manifest: b.manifest, OutDir: opts.OutDir}, nil
}

// removeOutputs deletes image files after a failure: nothing half-built
// may look like a result.
func (b *vmBuild) removeOutputs() {
	for _, o := range b.manifest.Outputs {
		os.Remove(filepath.Join(b.opts.OutDir, o.File))
		os.Remove(filepath.Join(b.opts.OutDir, o.File+".sha256"))
	}
	b.manifest.Outputs = nil
	if b.image != "" {
		os.Remove(b.image)
		os.Remove(b.image + ".sha256")
	}
	os.Remove(filepath.Join(b.opts.OutDir, sbom.FileName))
}
