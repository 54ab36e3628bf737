package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/buildjob"
	"github.com/goldsmith-dev/goldsmith/internal/machine/qemu"
	"github.com/goldsmith-dev/goldsmith/internal/metrics"
	"github.com/goldsmith-dev/goldsmith/internal/queue"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/stepcache"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// BuildConfig configures the image builds the server runs.
type BuildConfig struct {
	// Workers is how many builds this process runs at once; 0 means 1,
	// negative means none (an API-only server; `goldsmith worker`
	// processes run the builds).
	Workers int
	// Artifacts is where built images and build logs go: a folder
	// (default DATA_DIR/images), or s3://bucket/prefix, which servers and
	// workers on several hosts share (credentials, region and endpoint
	// from the standard AWS environment, e.g. AWS_ENDPOINT_URL for MinIO).
	Artifacts string
	// CacheDir is the step cache. Default DATA_DIR/steps; "off" disables it.
	CacheDir string
	// SharedCache, when set (s3://bucket/prefix or a folder), is where the
	// workers of several hosts publish their step cache entries and fetch
	// the ones they lack; each host still keeps its own CacheDir.
	SharedCache string
	// BaseCache is the base image cache. Default ~/.cache/goldsmith/base.
	BaseCache string
	// AgentBinary is the guest agent (cmd/goldsmith-agent). Default: the
	// one built into goldsmith (see internal/agentbin).
	AgentBinary string
	// Accel is the build VMs' accelerator; default auto.
	Accel     qemu.Accel
	NoNetwork bool
	TempDir   string
}

// queueBuilds is service.Builds on the River queue.
type queueBuilds struct{ q *queue.Queue }

func (b queueBuilds) Enqueue(ctx context.Context, tx store.Tx, account string, image arn.ARN) error {
	_, err := b.q.InsertTx(ctx, tx, queue.BuildImage{Account: account, ImageARN: image.String()})
	return err
}

// startWorkers runs queued builds (unless c.Build.Workers is negative) and
// delivers notifications (when this process has webhooks) until ctx ends;
// the returned func stops them gracefully (running builds get until its
// context's deadline, then are handed back to the queue).
func startWorkers(ctx context.Context, c Config, q *queue.Queue, svc *service.Service, files artifacts.Store, m *metrics.Metrics, ns *notifications) (*queue.Workers, func(context.Context) error, error) {
	bc := c.Build
	removeTemp := func() {} // this process's build folder, once the workers stop
	wc := queue.WorkersConfig{Logger: c.Logger}
	if ns.enabled() {
		wc.Notify = ns.deliver
	}
	var runner *buildjob.Runner
	if bc.Workers >= 0 {
		tmp, err := workerTempDir(bc.TempDir, c.Logger)
		if err != nil {
			return nil, nil, err
		}
		bc.TempDir = tmp
		// Removed only when empty: a build handed back may have left files
		// for the next start.
		removeTemp = func() { _ = os.Remove(tmp) }
		runner = &buildjob.Runner{
			Service: svc, Artifacts: files, Bases: &baseimage.Cache{Dir: bc.BaseCache},
			AgentBinary: bc.AgentBinary, Machines: qemu.Launcher{Accel: bc.Accel}, NoNetwork: bc.NoNetwork, TempDir: bc.TempDir, Log: c.Logger, Metrics: m,
		}
		switch bc.CacheDir {
		case "off":
		case "":
			runner.Cache = &stepcache.Cache{Dir: filepath.Join(c.DataDir, "steps")}
		default:
			runner.Cache = &stepcache.Cache{Dir: bc.CacheDir}
		}
		if runner.Cache != nil && bc.SharedCache != "" {
			if runner.Cache.Shared, err = artifacts.Open(ctx, bc.SharedCache); err != nil {
				return nil, nil, fmt.Errorf("shared step cache: %w", err)
			}
		}
		wc.Concurrency = max(bc.Workers, 1)
		wc.BuildImage = func(ctx context.Context, job *queue.Job[queue.BuildImage]) error {
			return runBuild(ctx, runner, job, c.Logger)
		}
	}
	if wc.BuildImage == nil && wc.Notify == nil {
		return nil, func(context.Context) error { return nil }, nil
	}
	w, err := queue.NewWorkers(q, wc)
	if err != nil {
		return nil, nil, err
	}
	if runner != nil {
		runner.Worker = w.ID()
	}
	if err := w.Start(ctx); err != nil {
		return nil, nil, fmt.Errorf("start the queue workers: %w", err)
	}
	stop := func(ctx context.Context) error {
		err := w.Stop(ctx)
		removeTemp()
		return err
	}
	return w, stop, nil
}

// runBuild is the build job: a failed build is a FAILED image, not a job
// error; a job error (the store unreachable) is retried, and on its last
// attempt the image is marked FAILED so it never stays BUILDING.
func runBuild(ctx context.Context, r *buildjob.Runner, job *queue.Job[queue.BuildImage], log *slog.Logger) error {
	image, err := arn.Parse(job.Args.ImageARN)
	if err != nil {
		return fmt.Errorf("job %d: bad image ARN %q: %w", job.ID, job.Args.ImageARN, err)
	}
	if job.Rescued {
		log.Warn("image build restarted: its worker stopped answering", "image", image, "attempt", job.Attempt)
	}
	err = r.Run(ctx, job.Args.Account, image)
	if err != nil && ctx.Err() == nil && job.Final() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = r.Fail(fctx, image, fmt.Sprintf("The build could not run after %d attempts: %v", job.Attempt, err))
	}
	return err
}

// plane is what runs builds: the queue, the service over the store, the
// webhook outbox, metrics and this process's workers.
type plane struct {
	q           *queue.Queue
	svc         *service.Service
	metrics     *metrics.Metrics
	workers     *queue.Workers
	stopWorkers func(context.Context) error
	log         *slog.Logger
}

// startPlane opens the queue on st and starts this process's workers.
func startPlane(ctx context.Context, c Config, st store.Store) (*plane, error) {
	p := &plane{log: c.Logger}
	q, err := queue.Open(ctx, st, queue.Config{Logger: c.Logger})
	if err != nil {
		return nil, err
	}
	p.q = q
	loc := c.Build.Artifacts
	if loc == "" {
		loc = filepath.Join(c.DataDir, "images")
	}
	files, err := artifacts.Open(ctx, loc)
	if err != nil {
		return nil, err
	}
	p.metrics = metrics.New(metrics.Sources{
		Queue: func(ctx context.Context) (int64, int64, error) {
			st, err := q.Stats(ctx)
			return st.Available, st.Running, err
		},
		Workers: func() (int, int) {
			if p.workers == nil {
				return 0, 0
			}
			return p.workers.Concurrency(), p.workers.Running()
		},
		Log: c.Logger,
	})
	ns, err := newNotifications(c, q)
	if err != nil {
		return nil, err
	}
	p.svc, err = service.New(ctx, service.Config{Store: st, Region: c.Region, Sites: c.Sites(), Logger: c.Logger, Builds: queueBuilds{q},
		OnImageState: imageMetrics(p.metrics), Notifications: ns, Artifacts: files})
	if err != nil {
		return nil, err
	}
	p.metrics.SetImageCounter(p.svc.ImagesByState)
	if p.workers, p.stopWorkers, err = startWorkers(ctx, c, q, p.svc, files, p.metrics, ns); err != nil {
		return nil, err
	}
	return p, nil
}

// stop gives running builds and notification deliveries a minute to
// finish (then hands them back to the queue: another process, or this one
// at its next start, takes them).
func (p *plane) stop(ctx context.Context) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := p.stopWorkers(sctx); err != nil {
		p.log.Warn("stopping the queue workers", "err", err)
	}
}

// RunWorker runs queued builds in this process, without the API, until ctx
// ends (goldsmith worker).
func RunWorker(ctx context.Context, c Config) error {
	c = c.WithDefaults()
	st, err := OpenExistingStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := startPlane(ctx, c, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Out, "Goldsmith worker %s running up to %d builds at a time\n", p.workers.ID(), p.workers.Concurrency())
	<-ctx.Done()
	p.stop(ctx)
	return nil
}

// workerTempDir makes this process's folder for build files under base
// (default the system's temp folder), gsw-<pid>, and removes
// those of worker processes that died (killed mid-build: their VMs died
// with them, their files stay until now).
func workerTempDir(base string, log *slog.Logger) (string, error) {
	if base == "" {
		base = os.TempDir()
	}
	stale, _ := filepath.Glob(filepath.Join(base, "gsw-*"))
	for _, d := range stale {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "gsw-"))
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue // not ours to judge, or still running
		}
		log.Warn("removing the build files of a worker that died", "dir", d)
		if err := os.RemoveAll(d); err != nil {
			log.Warn("could not remove a dead worker's files", "dir", d, "err", err)
		}
	}
	dir := filepath.Join(base, fmt.Sprintf("gsw-%d", os.Getpid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create the workers' temp folder: %w", err)
	}
	return dir, nil
}
