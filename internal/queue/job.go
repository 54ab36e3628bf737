package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// Job is one attempt at a job, as its handler sees it.
type Job[T Args] struct {
	ID   int64
	Args T
	// Attempt counts from 1; an attempt handed back by Stop is not counted.
	Attempt     int
	MaxAttempts int
	// Errors are the errors of the earlier attempts, oldest first.
	Errors []string
	// Rescued: the previous attempt's worker stopped writing heartbeats
	// (killed, or cut off from the database) and the job was rescued.
	Rescued bool

	hb *heartbeat
}

// Final reports whether this is the job's last attempt: if it fails, or
// its worker dies, the job is given up.
func (j *Job[T]) Final() bool { return j.Attempt >= j.MaxAttempts }

// Fence checks, inside tx (a transaction of the queue's store), that this
// attempt still holds the job, and writes a heartbeat. On PostgreSQL it
// locks the job until tx ends, so the job cannot be rescued meanwhile; on
// SQLite the transaction is exclusive anyway. It returns ErrJobLost (and
// cancels the handler's ctx) when another worker has taken the job over:
// roll tx back then. Call it in the transaction that records the outcome.
func (j *Job[T]) Fence(ctx context.Context, tx store.Tx) error { return j.hb.fence(ctx, tx) }

// rescuedError is the error River's rescuer records for the attempt it
// ended.
const rescuedError = "Stuck job rescued by JobRescuer"

func newJob[T Args](rj *river.Job[T], hb *heartbeat) *Job[T] {
	j := &Job[T]{ID: rj.ID, Args: rj.Args, Attempt: rj.Attempt, MaxAttempts: rj.MaxAttempts, hb: hb}
	for _, e := range rj.Errors {
		j.Errors = append(j.Errors, e.Error)
	}
	if n := len(rj.Errors); n > 0 && rj.Errors[n-1].Error == rescuedError {
		j.Rescued = true
	}
	return j
}

// riverWorker is the River worker of kind T: it runs fn with a heartbeat.
type riverWorker[T Args] struct {
	river.WorkerDefaults[T]
	w       *Workers
	fn      func(ctx context.Context, job *Job[T]) error
	counted bool // in Workers.Running
}

// Timeout is River's timeout of the job; see the package doc and
// rescueTimeout.
func (rw *riverWorker[T]) Timeout(job *river.Job[T]) time.Duration {
	return rescueTimeout(job.AttemptedAt, time.Now(), rw.w.cfg.HeartbeatTimeout)
}

// rescueTimeout is River's per-job timeout. River asks for it when an
// attempt starts, to bound the handler's ctx, and in the rescuer, which
// leaves alone a running job younger than it. It is "none" (-1) while the
// job's heartbeat (attempted_at) is younger than window, as it is when the
// attempt starts, and window once it is stale, so that the rescuer may take
// the job.
func rescueTimeout(attemptedAt *time.Time, now time.Time, window time.Duration) time.Duration {
	if attemptedAt != nil && now.Sub(*attemptedAt) >= window {
		return window
	}
	return -1
}

func (rw *riverWorker[T]) Work(ctx context.Context, rj *river.Job[T]) error {
	w := rw.w
	if rw.counted {
		w.running.Add(1)
		defer w.running.Add(-1)
	}
	hctx, cancel := context.WithCancelCause(ctx)
	hb := &heartbeat{
		b:        w.q.b,
		own:      ownership{JobID: rj.ID, Attempt: rj.Attempt, ClientID: w.client.ID()},
		interval: w.cfg.HeartbeatInterval,
		giveUp:   w.cfg.HeartbeatTimeout - w.cfg.HeartbeatInterval,
		logger:   w.cfg.Logger,
		cancel:   cancel,
		last:     time.Now(),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		hb.run(hctx)
	}()
	defer func() {
		cancel(errFinished)
		<-done
	}()
	err := rw.fn(hctx, newJob(rj, hb))
	if errors.Is(context.Cause(hctx), ErrJobLost) {
		w.awaitNewOwner(ctx, hb.own)
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		// River cancelled the attempt (Stop, a remote cancel): keep its
		// cause in the error, so that a stopping client hands the job back.
		return errors.Join(err, context.Cause(ctx))
	case errors.Is(context.Cause(hctx), ErrJobLost) && !errors.Is(err, ErrJobLost):
		return fmt.Errorf("%w (%w)", err, context.Cause(hctx))
	}
	return err
}

// awaitNewOwner waits while the job that own lost runs under another
// attempt or worker. River ends an attempt with its handler's result
// checking only that the job runs, so returning at once would end the new
// owner's attempt (its builds would be cut off and retried). It returns
// when the job no longer runs, still runs under own (this worker lost the
// database, not the job), on an error reading the job, or when ctx ends
// (Stop). It reads the job every PollInterval.
func (w *Workers) awaitNewOwner(ctx context.Context, own ownership) {
	t := time.NewTicker(w.cfg.PollInterval)
	defer t.Stop()
	logged := false
	for {
		row, err := w.q.b.executor().JobGetByID(ctx, &riverdriver.JobGetByIDParams{ID: own.JobID})
		if err != nil || row.State != rivertype.JobStateRunning || own.holds(row) {
			return
		}
		if !logged {
			w.cfg.Logger.InfoContext(ctx, "queue: waiting for the worker that took the job over to finish it before ending this attempt",
				slog.Int64("job_id", own.JobID), slog.Int("attempt", own.Attempt), slog.Int("new_attempt", row.Attempt))
			logged = true
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// errFinished ends a heartbeat when its handler returns.
var errFinished = errors.New("queue: the handler returned")

// heartbeat keeps one attempt's job fresh while its handler runs.
type heartbeat struct {
	b        backend
	own      ownership
	interval time.Duration
	giveUp   time.Duration // without a successful beat for this long, give the job up
	logger   *slog.Logger
	cancel   context.CancelCauseFunc // the handler's ctx

	mu   sync.Mutex
	last time.Time // of the last successful beat
}

// run beats every interval until ctx ends, and cancels the handler's ctx
// with ErrJobLost when the job is lost or beats fail for giveUp.
func (h *heartbeat) run(ctx context.Context) {
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// A slow beat may take until the job must be given up.
		h.mu.Lock()
		deadline := h.last.Add(h.giveUp)
		h.mu.Unlock()
		bctx, cancel := context.WithDeadline(ctx, deadline)
		err := h.b.beat(bctx, nil, h.own)
		cancel()
		now := time.Now()
		h.mu.Lock()
		if err == nil {
			h.last = now
		}
		since := now.Sub(h.last)
		h.mu.Unlock()
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return
		case errors.Is(err, ErrJobLost):
			h.logger.WarnContext(ctx, "queue: job lost; cancelling its handler", slog.Int64("job_id", h.own.JobID),
				slog.String("error", err.Error()))
			h.cancel(err)
			return
		case since >= h.giveUp:
			err = fmt.Errorf("%w: no heartbeat for %s, so it may be rescued: %w", ErrJobLost, since.Round(time.Millisecond), err)
			h.logger.ErrorContext(ctx, "queue: giving up job", slog.Int64("job_id", h.own.JobID),
				slog.String("error", err.Error()))
			h.cancel(err)
			return
		default:
			h.logger.WarnContext(ctx, "queue: heartbeat failed", slog.Int64("job_id", h.own.JobID),
				slog.String("error", err.Error()))
		}
	}
}

func (h *heartbeat) fence(ctx context.Context, tx store.Tx) error {
	err := h.b.beat(ctx, tx, h.own)
	if errors.Is(err, ErrJobLost) {
		h.cancel(err)
	}
	return err
}

// ensure the River worker interface is met.
var _ river.Worker[BuildImage] = (*riverWorker[BuildImage])(nil)
