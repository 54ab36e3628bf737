// Package buildjob runs the image builds the API queues. A Runner turns
// an image's build spec (frozen when CreateImage or
// StartImagePipelineExecution made the PENDING record) into a VM build
// (internal/workflow), moves the image through BUILDING, TESTING and
// DISTRIBUTING, and ends it AVAILABLE with its outputs in the local
// artifact store, or FAILED with a reason that names the component, phase
// and step. A cancelled image (CancelImageCreation) stops its build: the
// VM is stopped and every temporary file removed; a final state is never
// left, so a cancelled or failed build never becomes AVAILABLE.
package buildjob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/machine"
	"github.com/goldsmith-dev/goldsmith/internal/metrics"
	"github.com/goldsmith-dev/goldsmith/internal/progress"
	"github.com/goldsmith-dev/goldsmith/internal/recipe"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/stepcache"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

// Runner runs queued image builds on this host.
type Runner struct {
	Service *service.Service
	// Artifacts stores each image's outputs and logs under
	// <account>/<name>/<version>/<build>/ (Prefix).
	Artifacts artifacts.Store
	// Worker names this worker in the images it builds (goldsmithWorker).
	Worker string
	// Bases caches base images; Cache is the step cache (nil: none).
	Bases *baseimage.Cache
	Cache *stepcache.Cache
	// AgentBinary is the guest agent; default the one built into
	// goldsmith (see internal/agentbin).
	AgentBinary string
	// Machines launches the build and test machines (a qemu.Launcher).
	Machines machine.Launcher
	// NoNetwork detaches the guests' network.
	NoNetwork bool
	TempDir   string
	// PollInterval is how often a running build checks for cancellation
	// and stores its log when it grew; default 2s.
	PollInterval time.Duration
	Log          *slog.Logger
	// Metrics receives build and step durations (nil: none).
	Metrics *metrics.Metrics
}

// errCancelled stops a build whose image was cancelled.
var errCancelled = errors.New("the image was cancelled (CancelImageCreation)")

// logFile is the build log's path under an image's prefix.
const logFile = "logs/build.log"

// storeStep is the step that puts a built image into the artifact store.
const storeStep = "store-artifacts"

// Run builds image. It returns an error only when the build could not be
// recorded (the store is unreachable): a failed build is a FAILED image,
// not an error.
func (r *Runner) Run(ctx context.Context, account string, image arn.ARN) error {
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	spec, err := r.Service.BuildSpecOf(ctx, account, image)
	if apierr.HasCode(err, apierr.CodeResourceNotFoundException) {
		// DeleteImage deletes only finished (e.g. cancelled) images: the
		// job of a deleted one ends here, with nothing to build.
		log.Info("image build skipped: the image was deleted", "image", image)
		return nil
	}
	if err != nil {
		return err
	}
	if spec.Status.Final() {
		log.Info("image build skipped: the image is already final", "image", image, "status", spec.Status)
		return nil
	}
	work, err := os.MkdirTemp(r.TempDir, "gsimage-")
	if err != nil {
		return r.fail(ctx, image, err)
	}
	defer os.RemoveAll(work)
	out := filepath.Join(work, "out")
	if err := os.MkdirAll(filepath.Join(out, "logs"), 0o755); err != nil {
		return r.fail(ctx, image, err)
	}
	rec, err := recipeOf(spec, work)
	if err != nil {
		return r.fail(ctx, image, err)
	}
	prefix := artifacts.ImagePrefix(account, image)
	logs := &logStore{files: r.Artifacts, key: path.Join(prefix, logFile), path: filepath.Join(out, filepath.FromSlash(logFile)), log: log}
	lf, err := os.Create(logs.path)
	if err != nil {
		return r.fail(ctx, image, err)
	}
	defer lf.Close()
	if err := r.Service.SetImageLog(ctx, image, logs.key); err != nil {
		return err
	}
	if _, err := r.Service.SetImageState(ctx, image, service.StateChange{Status: service.ImageBuilding, Worker: r.Worker}); err != nil {
		return err
	}

	bctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); r.watch(bctx, image, cancel, logs) }()

	rep := &reporter{Plain: progress.NewPlain(lf), ctx: bctx, svc: r.Service, image: image, log: log, metrics: r.Metrics}
	started := time.Now()
	defer func() {
		if st, err := r.Service.ImageStatusOf(context.WithoutCancel(ctx), image); err == nil && st.Final() {
			r.Metrics.BuildFinished(string(st), time.Since(started))
		}
	}()
	res, err := workflow.Build(bctx, workflow.Options{
		Recipe: rec, OutDir: out, Formats: []workflow.Format{workflow.QCOW2}, Machines: r.Machines,
		NoNetwork: r.NoNetwork, SkipTests: !spec.TestsEnabled, AgentBinary: r.AgentBinary, Bases: r.Bases,
		Cache: r.Cache, CacheNamespace: account, TempDir: r.TempDir, Reporter: rep, Log: log,
	})
	cancel(nil)
	wg.Wait()
	// Whatever the outcome, the logs (the build log last, so that it ends
	// with everything) stay in the artifact store.
	storeLogs := func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
		defer cancel()
		if _, err := artifacts.PutDir(sctx, r.Artifacts, prefix, out, func(rel string) bool { return !strings.HasPrefix(rel, "logs/") || rel == logFile }); err != nil {
			log.Warn("could not store the build's logs", "image", image, "err", err)
		}
		logs.sync(sctx, true)
	}
	if errors.Is(context.Cause(bctx), errCancelled) {
		log.Info("image build cancelled", "image", image)
		storeLogs()
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // the worker is stopping: hand the job back
		}
		storeLogs()
		return r.fail(ctx, image, err)
	}

	// The image goes into the artifact store before it may be AVAILABLE.
	rep.StepStarted(storeStep)
	t0 := time.Now()
	images, err := artifacts.PutDir(ctx, r.Artifacts, prefix, out, func(rel string) bool { return strings.HasPrefix(rel, "logs/") })
	step := workflow.Timing{Step: storeStep, Start: t0, Duration: time.Since(t0), Status: "success"}
	if err != nil {
		step.Status, step.Error = "failed", err.Error()
	}
	rep.StepFinished(step)
	if err != nil {
		r.deleteImages(ctx, images, log)
		storeLogs()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return r.fail(ctx, image, fmt.Errorf("store the image in the artifact store: %w", err))
	}
	m := res.Manifest
	var files []service.Artifact
	for _, o := range m.Outputs {
		files = append(files, service.Artifact{Format: string(o.Format), URI: r.Artifacts.URI(path.Join(prefix, o.File)), SHA256: o.SHA256, Size: o.Size})
	}
	steps := make([]service.StepTiming, 0, len(m.Timings.Steps)+1)
	for _, t := range append(m.Timings.Steps, step) {
		steps = append(steps, service.StepTiming{Step: t.Step, Status: t.Status, Seconds: t.Duration.Seconds()})
	}
	storeLogs()
	cur, err := r.Service.SetImageState(ctx, image, service.StateChange{
		Status: service.ImageAvailable, Outputs: &service.OutputResources{Amis: []service.Ami{}, GoldsmithArtifacts: files},
		Timings:  &service.BuildTimings{TotalSeconds: time.Since(started).Seconds(), Steps: steps},
		Manifest: r.Artifacts.URI(path.Join(prefix, workflow.ManifestFile)),
	})
	if err != nil {
		return err
	}
	if cur != service.ImageAvailable {
		// Cancelled at the last moment: nothing of it may look available.
		r.deleteImages(ctx, images, log)
	}
	log.Info("image build finished", "image", image, "status", cur, "took", time.Since(started).Round(time.Second))
	return nil
}

// deleteImages removes an image's stored outputs (not its logs).
func (r *Runner) deleteImages(ctx context.Context, keys []string, log *slog.Logger) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := r.Artifacts.Delete(dctx, keys...); err != nil {
		log.Warn("could not delete the outputs of an image that is not available", "keys", keys, "err", err)
	}
}

// logStore copies a running build's log to the artifact store when it
// has grown, so that every server sharing the store can show it.
type logStore struct {
	files  artifacts.Store
	key    string
	path   string
	log    *slog.Logger
	stored int64 // size last stored
}

func (l *logStore) sync(ctx context.Context, final bool) {
	st, err := os.Stat(l.path)
	if err != nil || (st.Size() == l.stored && !final) {
		return
	}
	if err := l.files.Put(ctx, l.key, l.path); err != nil {
		l.log.Warn("could not store the build log", "key", l.key, "err", err)
		return
	}
	l.stored = st.Size()
}

// fail ends the image FAILED with err as the reason.
func (r *Runner) fail(ctx context.Context, image arn.ARN, err error) error {
	reason := err.Error()
	if len(reason) > 1000 {
		reason = reason[:1000] + "…"
	}
	_, serr := r.Service.SetImageState(ctx, image, service.StateChange{Status: service.ImageFailed, Reason: reason})
	return serr
}

// Fail ends an image FAILED (for a job whose last attempt could not run).
func (r *Runner) Fail(ctx context.Context, image arn.ARN, reason string) error {
	return r.fail(ctx, image, errors.New(reason))
}

// watch cancels the build when the image is cancelled, and stores the
// log as it grows.
func (r *Runner) watch(ctx context.Context, image arn.ARN, cancel context.CancelCauseFunc, logs *logStore) {
	every := r.PollInterval
	if every <= 0 {
		every = 2 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if st, err := r.Service.ImageStatusOf(ctx, image); err == nil && st == service.ImageCancelled {
				cancel(errCancelled)
				return
			}
			logs.sync(ctx, false)
		}
	}
}

// recipeOf writes the spec's component documents into dir and returns
// the recipe that builds them.
func recipeOf(spec *service.BuildSpec, dir string) (*recipe.Recipe, error) {
	r := &recipe.Recipe{
		Name: spec.Name, SemanticVersion: strings.SplitN(spec.Version, "/", 2)[0], ParentImage: spec.ParentImage,
		WorkingDirectory: spec.WorkingDirectory, RootVolumeGiB: spec.RootVolumeGiB, File: filepath.Join(dir, "recipe.yaml"),
	}
	if r.WorkingDirectory == "" {
		r.WorkingDirectory = "/tmp"
	}
	for i, c := range spec.Components {
		p := filepath.Join(dir, fmt.Sprintf("%02d-%s.yaml", i+1, c.Name))
		if err := os.WriteFile(p, []byte(c.Data), 0o644); err != nil {
			return nil, err
		}
		ref := recipe.ComponentRef{ComponentArn: p}
		for k, v := range c.Parameters {
			ref.Parameters = append(ref.Parameters, recipe.Parameter{Name: k, Value: []string{v}})
		}
		r.Components = append(r.Components, ref)
	}
	return r, nil
}

// reporter writes the build log and moves the image through its states.
type reporter struct {
	*progress.Plain
	ctx     context.Context
	svc     *service.Service
	image   arn.ARN
	log     *slog.Logger
	metrics *metrics.Metrics
}

func (r *reporter) StepStarted(name string) {
	r.Plain.StepStarted(name)
	r.record(service.StepEvent{Name: name, Status: "RUNNING", Time: time.Now()})
	var st service.ImageStatus
	switch name {
	case "launch-test-vm":
		st = service.ImageTesting
	case "convert":
		st = service.ImageDistributing
	default:
		return
	}
	if _, err := r.svc.SetImageState(r.ctx, r.image, service.StateChange{Status: st}); err != nil {
		r.log.Warn("could not record the image's state", "image", r.image, "status", st, "err", err)
	}
}

func (r *reporter) StepFinished(t workflow.Timing) {
	r.Plain.StepFinished(t)
	r.metrics.StepFinished(t.Step, t.Status, t.Duration)
	status := map[string]string{"success": "COMPLETED", "skipped": "SKIPPED", "failed": "FAILED", "cancelled": "CANCELLED"}[t.Status]
	msg := t.Error
	if t.Status == "skipped" {
		msg = t.Note
	}
	r.record(service.StepEvent{Name: t.Step, Status: status, Message: msg, Time: t.Start.Add(t.Duration)})
}

// record keeps the workflow step executions up to date. Recording must
// outlive a cancelled build (its last step ends CANCELLED).
func (r *reporter) record(ev service.StepEvent) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 10*time.Second)
	defer cancel()
	if err := r.svc.RecordStep(ctx, r.image, ev); err != nil {
		r.log.Warn("could not record a workflow step", "image", r.image, "step", ev.Name, "err", err)
	}
}
