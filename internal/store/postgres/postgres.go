// Package postgres is the scale-out store: store.Store in a PostgreSQL
// database (pgx, pgxpool), shared by any number of `goldsmith serve` and
// `goldsmith worker` processes.
//
// Transactions run at READ COMMITTED; operations that read before they
// write lock the rows they depend on (FOR UPDATE / FOR SHARE), build
// numbers come from an upsert on a counter row, and Update is optimistic
// (revision), so concurrent writers are safe. The schema is migrated at Open
// from the embedded migrations/NNNN_*.sql files in one transaction that
// first takes a transaction-scoped advisory lock, so processes starting at
// once migrate one after the other.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockID is the advisory lock key of migrations ("goldsmth").
const migrationLockID = 0x676f6c64736d7468

// Dialect is the PostgreSQL dialect of sqlstore.
var Dialect = sqlstore.Dialect{
	Name:          "postgres",
	Numbered:      true,
	LockShare:     " FOR SHARE",
	LockUpdate:    " FOR UPDATE",
	Greatest:      "GREATEST",
	MigrationLock: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", int64(migrationLockID)),
}

// Config configures Open.
type Config struct {
	// URL is the connection URL or keyword/value string
	// (postgres://user:pass@host:5432/db?sslmode=…). Required.
	URL string
	// Now is the store's clock. Default: time.Now.
	Now func() time.Time
	// MaxConns bounds the connection pool. Default: pgxpool's (the larger
	// of 4 and the number of CPUs), or pool_max_conns in URL.
	MaxConns int32
}

// WithDefaults returns c with defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func (c Config) validate() error {
	if c.URL == "" {
		return fmt.Errorf("postgres store: no database URL: set the PostgreSQL URL (postgres://user@host/db)")
	}
	return nil
}

// Open connects to the database at cfg.URL and migrates its schema.
func Open(ctx context.Context, cfg Config) (store.Store, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres store: parse database URL: %w", err)
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres store: connect to %s/%s: %w (is the server running and the URL right?)",
			pc.ConnConfig.Host, pc.ConnConfig.Database, err)
	}
	b := &backend{pool: pool}
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	if err == nil {
		err = sqlstore.Migrate(ctx, b, Dialect, ms)
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	return sqlstore.New(b, Dialect, cfg.Now), nil
}

// Pool returns the connection pool of s, a store Open returned; false when s
// is not a store of this package. The pool closes with s.
func Pool(s store.Store) (*pgxpool.Pool, bool) {
	b, ok := sqlstore.BackendOf[*backend](s)
	if !ok {
		return nil, false
	}
	return b.pool, true
}

// PgxTx returns the pgx transaction under tx, a Tx that WithTx of a store of
// this package gave; false for any other value.
func PgxTx(tx store.Tx) (pgx.Tx, bool) {
	c, ok := sqlstore.TxConnOf(tx)
	if !ok {
		return nil, false
	}
	t, ok := c.(txConn)
	if !ok {
		return nil, false
	}
	return t.tx, true
}

// backend is sqlstore.Backend over a pgxpool.
type backend struct{ pool *pgxpool.Pool }

func (b *backend) Reader() sqlstore.Querier { return querier{b.pool} }

func (b *backend) Begin(ctx context.Context) (sqlstore.TxConn, error) {
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return txConn{querier{tx}, tx}, nil
}

func (b *backend) Close() error {
	b.pool.Close()
	return nil
}

type pgQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

type querier struct{ q pgQuerier }

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.q.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return q.q.Query(ctx, query, args...)
}

type txConn struct {
	querier
	tx pgx.Tx
}

func (t txConn) Commit(ctx context.Context) error   { return t.tx.Commit(ctx) }
func (t txConn) Rollback(ctx context.Context) error { return t.tx.Rollback(ctx) }
