// Package sqlite is the embedded store: store.Store in one SQLite database
// file (modernc.org/sqlite, pure Go), the default of `goldsmith serve`.
//
// The database runs in WAL mode with foreign keys on and a busy timeout.
// Writes go through a single writer connection whose transactions begin
// with BEGIN IMMEDIATE, so writers in this process queue in Go and writers
// in other processes wait on SQLite's lock instead of failing with
// SQLITE_BUSY; reads use a pool of read-only connections that WAL lets run
// alongside the writer. The schema is migrated at Open from the embedded
// migrations/NNNN_*.sql files, inside an IMMEDIATE transaction, so two
// processes may open a new database at once.
//
// Commits use synchronous=NORMAL: a committed transaction survives a crash
// of the process; a power loss may lose the last ones.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Config configures Open.
type Config struct {
	// Path is the database file; created when missing (its directory must
	// exist). Required.
	Path string
	// Now is the store's clock. Default: time.Now.
	Now func() time.Time
	// Readers is the number of read connections. Default: 4.
	Readers int
	// BusyTimeout is how long a write waits for another process holding
	// the write lock. Default: 10s.
	BusyTimeout time.Duration
}

// WithDefaults returns c with defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Readers <= 0 {
		c.Readers = 4
	}
	if c.BusyTimeout <= 0 {
		c.BusyTimeout = 10 * time.Second
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.Path == "":
		return fmt.Errorf("sqlite store: no database path: set the data directory")
	case strings.ContainsAny(c.Path, "?#"):
		return fmt.Errorf("sqlite store: database path %q contains '?' or '#': choose another data directory", c.Path)
	}
	return nil
}

// Dialect is the SQLite dialect of sqlstore.
var Dialect = sqlstore.Dialect{Name: "sqlite", Greatest: "max"}

// Open opens (creating and migrating it if needed) the database at
// cfg.Path.
func Open(ctx context.Context, cfg Config) (store.Store, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	pragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(NORMAL)", cfg.BusyTimeout.Milliseconds())
	writer, err := sql.Open("sqlite", cfg.Path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite store: open %s: %w", cfg.Path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite store: open %s: %w (is the directory there and writable?)", cfg.Path, err)
	}
	reader, err := sql.Open("sqlite", cfg.Path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite store: open %s: %w", cfg.Path, err)
	}
	reader.SetMaxOpenConns(cfg.Readers)
	reader.SetMaxIdleConns(cfg.Readers)
	b := &backend{writer: writer, reader: reader}
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	if err == nil {
		err = sqlstore.Migrate(ctx, b, Dialect, ms)
	}
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", cfg.Path, err)
	}
	return sqlstore.New(b, Dialect, cfg.Now), nil
}

// backend is sqlstore.Backend over database/sql.
type backend struct {
	writer, reader *sql.DB
}

func (b *backend) Reader() sqlstore.Querier { return querier{b.reader} }

func (b *backend) Begin(ctx context.Context) (sqlstore.TxConn, error) {
	tx, err := b.writer.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock)
	if err != nil {
		return nil, err
	}
	return txConn{querier{tx}, tx}, nil
}

func (b *backend) Close() error {
	rerr := b.reader.Close()
	// Closing the last connection checkpoints the WAL into the database.
	if err := b.writer.Close(); err != nil {
		return fmt.Errorf("sqlite store: close: %w", err)
	}
	if rerr != nil {
		return fmt.Errorf("sqlite store: close: %w", rerr)
	}
	return nil
}

type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type querier struct{ q sqlQuerier }

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

type txConn struct {
	querier
	tx *sql.Tx
}

func (t txConn) Commit(context.Context) error   { return t.tx.Commit() }
func (t txConn) Rollback(context.Context) error { return t.tx.Rollback() }
