package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// ErrJobLost is the cause of a handler's ctx, and the error of Job.Fence,
// when this worker no longer holds the job: its heartbeat found it rescued,
// taken by another worker, finished or deleted, or could not reach the
// database for so long that the job may have been rescued.
var ErrJobLost = errors.New("queue: this worker no longer holds the job")

// Config configures Open.
type Config struct {
	// Logger receives River's logs. Default: slog.Default().
	Logger *slog.Logger
}

// WithDefaults returns c with defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Queue enqueues jobs in a store's database and reports its depth. It is
// safe for concurrent use and holds nothing to close: it lives as long as
// the store.
type Queue struct {
	b      backend
	logger *slog.Logger
}

// Open returns the queue in s's database (a store of internal/store/sqlite
// or internal/store/postgres), creating or migrating River's tables first.
func Open(ctx context.Context, s store.Store, cfg Config) (*Queue, error) {
	cfg = cfg.WithDefaults()
	b, err := newBackend(s, cfg.Logger)
	if err != nil {
		return nil, err
	}
	if err := b.migrate(ctx, cfg.Logger); err != nil {
		return nil, err
	}
	return &Queue{b: b, logger: cfg.Logger}, nil
}

// Inserted is the job InsertTx enqueued, or found.
type Inserted struct {
	JobID int64
	// Duplicate: a job with the same unique arguments existed (in any
	// state), and nothing was inserted; JobID is that job's.
	Duplicate bool
}

// InsertTx enqueues args in tx, a transaction of the queue's store (from
// its WithTx): the job is committed or rolled back with it, and no worker
// sees it before the commit. In a transaction of a SQLite store it uses
// only tx (the store's writer connection).
func (q *Queue) InsertTx(ctx context.Context, tx store.Tx, args Args) (Inserted, error) {
	res, err := q.b.insertTx(ctx, tx, args)
	if err != nil {
		return Inserted{}, fmt.Errorf("queue: enqueue %s: %w", args.Kind(), err)
	}
	return Inserted{JobID: res.Job.ID, Duplicate: res.UniqueSkippedAsDuplicate}, nil
}

// Stats are the jobs of every worker that shares the database.
type Stats struct {
	// Available jobs wait for a worker: the queue depth. Jobs waiting for a
	// retry or a schedule are not counted until they are due.
	Available int64
	// Running jobs are held by a worker (or by a dead one, until rescued).
	Running int64
}

// Stats counts the jobs of this package's queues.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	rows, err := q.b.counts(ctx, queueNames)
	if err != nil {
		return Stats{}, fmt.Errorf("queue: count jobs on %s: %w", q.b.name(), err)
	}
	var s Stats
	for _, r := range rows {
		s.Available += r.CountAvailable
		s.Running += r.CountRunning
	}
	return s, nil
}
