package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
)

// WorkersConfig configures NewWorkers. The heartbeat settings must be the
// same in every process on the database: the rescuer runs in whichever
// process River elects.
type WorkersConfig struct {
	// BuildImage runs a BuildImage job. See the package doc for what it
	// must do. Without it, this process runs no builds.
	BuildImage func(ctx context.Context, job *Job[BuildImage]) error
	// Concurrency is how many builds this process runs at once. Default: 1
	// with BuildImage, else 0.
	Concurrency int
	// Notify delivers a Notify job's event (one attempt: return an error,
	// wrapped with Permanent when retrying cannot help, and River retries
	// later). Without it, this process delivers no notifications. At
	// least one of BuildImage and Notify is required.
	Notify func(ctx context.Context, job *Job[Notify]) error
	// NotifyConcurrency is how many notifications this process delivers at
	// once. Default: 4.
	NotifyConcurrency int
	// ID names this worker in the database (River's client id; the jobs'
	// attempted_by). It must be unique among running processes. Default:
	// River's, the host name and the start time.
	ID string
	// Logger receives the workers' and River's logs. Default: slog.Default().
	Logger *slog.Logger
	// HeartbeatInterval is how often a running job's heartbeat is written.
	// Default: 3s.
	HeartbeatInterval time.Duration
	// HeartbeatTimeout is how long after its last heartbeat a running job
	// may be rescued (River's RescueStuckJobsAfter); a worker that cannot
	// write a heartbeat for HeartbeatTimeout−HeartbeatInterval gives the
	// job up first. At least twice HeartbeatInterval. Default: 15s.
	HeartbeatTimeout time.Duration
	// PollInterval is how often an idle worker looks for jobs on SQLite,
	// and without a notification on PostgreSQL. Default: 1s.
	PollInterval time.Duration
	// CancelTimeout is how long Stop waits for cancelled jobs to return once
	// its ctx is done. Default: 30s.
	CancelTimeout time.Duration
}

// WithDefaults returns c with defaults filled in.
func (c WorkersConfig) WithDefaults() WorkersConfig {
	if c.Concurrency == 0 && c.BuildImage != nil {
		c.Concurrency = 1
	}
	if c.NotifyConcurrency == 0 {
		c.NotifyConcurrency = 4
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = 3 * time.Second
	}
	if c.HeartbeatTimeout == 0 {
		c.HeartbeatTimeout = 15 * time.Second
	}
	if c.PollInterval == 0 {
		c.PollInterval = time.Second
	}
	if c.CancelTimeout == 0 {
		c.CancelTimeout = 30 * time.Second
	}
	return c
}

func (c WorkersConfig) validate() error {
	switch {
	case c.BuildImage == nil && c.Notify == nil:
		return errors.New("queue workers: nothing to run: set WorkersConfig.BuildImage, Notify or both")
	case c.BuildImage != nil && (c.Concurrency < 1 || c.Concurrency > 10_000):
		return fmt.Errorf("queue workers: concurrency %d: set 1 to 10000 jobs at once", c.Concurrency)
	case c.NotifyConcurrency < 1 || c.NotifyConcurrency > 10_000:
		return fmt.Errorf("queue workers: notify concurrency %d: set 1 to 10000 at once", c.NotifyConcurrency)
	case c.HeartbeatInterval < 0 || c.HeartbeatTimeout < 0 || c.PollInterval < 0 || c.CancelTimeout < 0:
		return errors.New("queue workers: a negative duration: set the heartbeat, poll and cancel durations to positive values")
	case c.HeartbeatTimeout < 2*c.HeartbeatInterval:
		return fmt.Errorf("queue workers: heartbeat timeout %s is less than twice the heartbeat interval %s: "+
			"raise the timeout or shorten the interval", c.HeartbeatTimeout, c.HeartbeatInterval)
	case c.PollInterval < 100*time.Millisecond:
		return fmt.Errorf("queue workers: poll interval %s: set at least 100ms", c.PollInterval)
	}
	return nil
}

// Workers runs the jobs of this package in one process.
type Workers struct {
	q       *Queue
	cfg     WorkersConfig
	client  client
	running atomic.Int64
}

// NewWorkers returns workers on q's database; they run nothing before
// Start.
func NewWorkers(q *Queue, cfg WorkersConfig) (*Workers, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	w := &Workers{q: q, cfg: cfg}
	workers := river.NewWorkers()
	queues := map[string]river.QueueConfig{}
	if cfg.BuildImage != nil {
		if err := river.AddWorkerSafely(workers, &riverWorker[BuildImage]{w: w, fn: cfg.BuildImage, counted: true}); err != nil {
			return nil, fmt.Errorf("queue workers: %w", err)
		}
		queues[QueueBuilds] = river.QueueConfig{MaxWorkers: cfg.Concurrency}
	}
	if cfg.Notify != nil {
		if err := river.AddWorkerSafely(workers, &riverWorker[Notify]{w: w, fn: cfg.Notify}); err != nil {
			return nil, fmt.Errorf("queue workers: %w", err)
		}
		queues[QueueNotifications] = river.QueueConfig{MaxWorkers: cfg.NotifyConcurrency}
	}
	c, err := q.b.newClient(&river.Config{
		ID:                   cfg.ID,
		Logger:               cfg.Logger,
		Queues:               queues,
		Workers:              workers,
		JobTimeout:           -1, // per job: see riverWorker.Timeout
		RescueStuckJobsAfter: cfg.HeartbeatTimeout,
		FetchPollInterval:    cfg.PollInterval,
		PollOnly:             q.b.pollOnly(),
	})
	if err != nil {
		return nil, fmt.Errorf("queue workers: River client on %s: %w", q.b.name(), err)
	}
	w.client = c
	return w, nil
}

// Start starts fetching and running jobs. ctx is for starting only: the
// workers run until Stop. Calling Start on started workers does nothing.
func (w *Workers) Start(ctx context.Context) error {
	if err := w.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("queue workers: start on %s: %w", w.q.b.name(), err)
	}
	return nil
}

// Stop stops fetching jobs and waits for the running ones to finish. When
// ctx is done first, it cancels them: River hands each job whose handler
// then returns the ctx error back to the queue, available to any worker,
// without counting the attempt. It waits CancelTimeout for that, then
// gives up with an error (the jobs left running are rescued once this
// process exits and their heartbeats stop). Calling Stop on stopped
// workers does nothing.
func (w *Workers) Stop(ctx context.Context) error {
	err := w.client.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	n := w.running.Load()
	w.cfg.Logger.InfoContext(ctx, "queue workers: stop deadline reached; cancelling running jobs to hand them back",
		slog.Int64("running", n))
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.CancelTimeout)
	defer cancel()
	if err := w.client.StopAndCancel(cctx); err != nil {
		return fmt.Errorf("queue workers: %d jobs did not return within %s of being cancelled "+
			"(they are rescued once this process exits): %w", w.running.Load(), w.cfg.CancelTimeout, err)
	}
	return nil
}

// Concurrency is how many builds this process runs at most (0 without
// BuildImage).
func (w *Workers) Concurrency() int { return w.cfg.Concurrency }

// Running is how many builds this process is running.
func (w *Workers) Running() int { return int(w.running.Load()) }

// ID is the worker's name in the database (see WorkersConfig.ID).
func (w *Workers) ID() string { return w.client.ID() }
