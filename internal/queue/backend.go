package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/postgres"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

// migrationLockID is the PostgreSQL advisory lock key of River's migrations
// ("goldqueu"); the store's own migrations use another.
const migrationLockID = 0x676f6c6471756575

// backend is River on one kind of database. River's client is generic in
// the driver's transaction type; riverBackend is the one implementation,
// instantiated for *sql.Tx (SQLite) and pgx.Tx (PostgreSQL).
type backend interface {
	// name is the database, for messages ("SQLite", "PostgreSQL").
	name() string
	migrate(ctx context.Context, logger *slog.Logger) error
	insertTx(ctx context.Context, tx store.Tx, args Args) (*rivertype.JobInsertResult, error)
	counts(ctx context.Context, queues []string) ([]*riverdriver.JobCountByQueueAndStateResult, error)
	// newClient makes a River client on the database with cfg (Workers and
	// Queues set for a worker client).
	newClient(cfg *river.Config) (client, error)
	// beat is one heartbeat of o: see beatOn. With tx nil it runs in a
	// transaction of its own; else in tx, a store transaction.
	beat(ctx context.Context, tx store.Tx, o ownership) error
	// pollOnly is whether worker clients poll instead of listening.
	pollOnly() bool
	// executor runs River's queries outside a transaction (tests look at
	// jobs with it).
	executor() riverdriver.Executor
}

// client is what Workers uses of a River client.
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	ID() string
}

// newBackend returns the backend for s's database.
func newBackend(s store.Store, logger *slog.Logger) (backend, error) {
	if db, ok := sqlite.WriterDB(s); ok {
		return newRiverBackend("SQLite", func() riverdriver.Driver[*sql.Tx] { return riversqlite.New(db) },
			sqlite.SQLTx, nil, logger)
	}
	if pool, ok := postgres.Pool(s); ok {
		return newRiverBackend("PostgreSQL", func() riverdriver.Driver[pgx.Tx] { return riverpgxv5.New(pool) },
			postgres.PgxTx, lockPostgres(pool), logger)
	}
	return nil, fmt.Errorf("queue: the store (%T) is neither a SQLite nor a PostgreSQL store: "+
		"open it with internal/store/sqlite or internal/store/postgres", s)
}

type riverBackend[TTx any] struct {
	db        string
	newDriver func() riverdriver.Driver[TTx]
	driver    riverdriver.Driver[TTx]
	inserter  *river.Client[TTx]
	unwrap    func(store.Tx) (TTx, bool)
	postgres  bool
	// lockMigrations excludes other processes from migrating until the
	// returned function is called; nil: migrate in one transaction.
	lockMigrations func(ctx context.Context) (unlock func(), err error)
}

func newRiverBackend[TTx any](db string, newDriver func() riverdriver.Driver[TTx], unwrap func(store.Tx) (TTx, bool),
	lockMigrations func(context.Context) (func(), error), logger *slog.Logger) (*riverBackend[TTx], error) {
	b := &riverBackend[TTx]{db: db, newDriver: newDriver, driver: newDriver(), unwrap: unwrap,
		postgres: lockMigrations != nil, lockMigrations: lockMigrations}
	// An insert-only client: no Queues, never started.
	c, err := river.NewClient(newDriver(), &river.Config{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("queue: River client on %s: %w", db, err)
	}
	b.inserter = c
	return b, nil
}

func (b *riverBackend[TTx]) name() string   { return b.db }
func (b *riverBackend[TTx]) pollOnly() bool { return !b.postgres }

// migrate applies River's migrations, one process at a time; the next finds
// nothing to do. On SQLite they run in one transaction on the store's
// writer, which begins IMMEDIATE and so excludes other processes. On
// PostgreSQL, where River needs a transaction per migration (one adds an
// enum value that the next uses), they run while a connection holds a
// session advisory lock; the lock dies with its connection.
func (b *riverBackend[TTx]) migrate(ctx context.Context, logger *slog.Logger) error {
	m, err := rivermigrate.New(b.driver, &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("queue: River migrations: %w", err)
	}
	if b.lockMigrations != nil {
		unlock, err := b.lockMigrations(ctx)
		if err != nil {
			return fmt.Errorf("queue: lock %s database for River migrations: %w", b.db, err)
		}
		defer unlock()
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("queue: migrate River tables on %s: %w", b.db, err)
		}
		return nil
	}
	tx, err := b.driver.GetExecutor().Begin(ctx)
	if err != nil {
		return fmt.Errorf("queue: begin River migrations on %s: %w", b.db, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := m.MigrateTx(ctx, b.driver.UnwrapTx(tx), rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("queue: migrate River tables on %s: %w", b.db, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("queue: commit River migrations on %s: %w", b.db, err)
	}
	return nil
}

// lockPostgres takes the session advisory lock of River's migrations on a
// connection of pool, until the returned function releases it.
func lockPostgres(pool *pgxpool.Pool) func(ctx context.Context) (func(), error) {
	return func(ctx context.Context) (func(), error) {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLockID)); err != nil {
			conn.Release()
			return nil, err
		}
		return func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", int64(migrationLockID)); err != nil {
				// Closing the connection ends its session and the lock.
				_ = conn.Conn().Close(ctx)
			}
			conn.Release()
		}, nil
	}
}

func (b *riverBackend[TTx]) insertTx(ctx context.Context, tx store.Tx, args Args) (*rivertype.JobInsertResult, error) {
	ttx, ok := b.unwrap(tx)
	if !ok {
		return nil, errForeignTx(tx, b.db)
	}
	opts := args.insertOpts()
	return b.inserter.InsertTx(ctx, ttx, args, &opts)
}

func (b *riverBackend[TTx]) counts(ctx context.Context, queues []string) ([]*riverdriver.JobCountByQueueAndStateResult, error) {
	return b.executor().JobCountByQueueAndState(ctx, &riverdriver.JobCountByQueueAndStateParams{QueueNames: queues})
}

func (b *riverBackend[TTx]) newClient(cfg *river.Config) (client, error) {
	return river.NewClient(b.newDriver(), cfg)
}

func (b *riverBackend[TTx]) executor() riverdriver.Executor { return b.driver.GetExecutor() }

func (b *riverBackend[TTx]) beat(ctx context.Context, tx store.Tx, o ownership) error {
	if tx != nil {
		ttx, ok := b.unwrap(tx)
		if !ok {
			return errForeignTx(tx, b.db)
		}
		return beatOn(ctx, b.driver.UnwrapExecutor(ttx), o)
	}
	etx, err := b.driver.GetExecutor().Begin(ctx)
	if err != nil {
		return err
	}
	if err := beatOn(ctx, etx, o); err != nil {
		_ = etx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	return etx.Commit(ctx)
}

func errForeignTx(tx store.Tx, db string) error {
	return fmt.Errorf("queue: %T is not a transaction of a %s store: "+
		"pass the Tx that WithTx of the queue's store gave", tx, db)
}

// ownership identifies one attempt of a job on one worker.
type ownership struct {
	JobID    int64
	Attempt  int
	ClientID string
}

// beatOn sets the job's attempted_at to now in the transaction exec (which
// locks the row on PostgreSQL until it ends), and fails with ErrJobLost,
// for the caller to roll back, unless the job is still running under o's
// attempt on o's client.
func beatOn(ctx context.Context, exec riverdriver.Executor, o ownership) error {
	now := time.Now().UTC()
	row, err := exec.JobUpdateFull(ctx, &riverdriver.JobUpdateFullParams{
		ID: o.JobID, AttemptedAtDoUpdate: true, AttemptedAt: &now,
	})
	if errors.Is(err, rivertype.ErrNotFound) {
		return fmt.Errorf("%w: job %d was deleted", ErrJobLost, o.JobID)
	}
	if err != nil {
		return fmt.Errorf("queue: heartbeat of job %d: %w", o.JobID, err)
	}
	if !o.holds(row) {
		by := ""
		if len(row.AttemptedBy) > 0 {
			by = row.AttemptedBy[len(row.AttemptedBy)-1]
		}
		return fmt.Errorf("%w: job %d is %s, attempt %d by %q, not attempt %d by %q", ErrJobLost, o.JobID,
			row.State, row.Attempt, by, o.Attempt, o.ClientID)
	}
	return nil
}

// holds reports whether row is running under o's attempt on o's client.
func (o ownership) holds(row *rivertype.JobRow) bool {
	return row.State == rivertype.JobStateRunning && row.Attempt == o.Attempt &&
		len(row.AttemptedBy) > 0 && row.AttemptedBy[len(row.AttemptedBy)-1] == o.ClientID
}

// queueNames lists the River queues of this package.
var queueNames = []string{QueueBuilds}
