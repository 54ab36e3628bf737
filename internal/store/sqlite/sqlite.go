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
// The database holds access keys' secrets, so its file and SQLite's -wal,
// -shm and -journal files are readable by their owner only (0600),
// whatever the directory's mode and the process's umask: Open creates the
// file with that mode before SQLite opens it (SQLite gives the files it
// creates next to a database the database's mode) and narrows existing
// files to it.
//
// Commits use synchronous=NORMAL: a committed transaction survives a crash
// of the process; a power loss may lose the last ones.
//
// WriterDB and SQLTx hand the writer connection and a WithTx transaction to
// packages that keep their own tables in the same file and must write in
// the store's transactions (the job queue, River).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

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
	if err := privateFiles(cfg.Path); err != nil {
		return nil, fmt.Errorf("sqlite store: open %s: %w (is the directory there and writable?)", cfg.Path, err)
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
	if err := pingWhileBusy(ctx, writer, cfg.BusyTimeout); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite store: open %s: %w (is the directory there and writable?)", cfg.Path, err)
	}
	// WAL is a property of the file, set by the writer above; readers
	// only need the timeout and the foreign-key setting.
	readPragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=query_only(1)",
		cfg.BusyTimeout.Milliseconds())
	reader, err := sql.Open("sqlite", cfg.Path+"?"+readPragmas)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite store: open %s: %w", cfg.Path, err)
	}
	reader.SetMaxOpenConns(cfg.Readers)
	reader.SetMaxIdleConns(cfg.Readers)
	b := &backend{writer: writer, reader: reader, readerStmts: newStmtCache(reader), writerStmts: newStmtCache(writer)}
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

// FileMode is the mode of the database file and of SQLite's files next to
// it.
const FileMode os.FileMode = 0o600

// privateFiles creates the database file at path with FileMode when it is
// missing, and sets FileMode on it and SQLite's files next to it when they
// exist (a database of an older version, or created by another program).
// The mode is set with chmod, so no umask widens or narrows it.
func privateFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(p, FileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// WriterDB returns the writer of s, a store Open returned: a *sql.DB with
// one connection whose transactions begin with BEGIN IMMEDIATE. A WithTx
// transaction holds that connection, so code that holds it (a transaction
// begun on WriterDB, or a WithTx) must not wait for the other. False when s
// is not a store of this package.
func WriterDB(s store.Store) (*sql.DB, bool) {
	b, ok := sqlstore.BackendOf[*backend](s)
	if !ok {
		return nil, false
	}
	return b.writer, true
}

// SQLTx returns the database/sql transaction under tx, a Tx that WithTx of
// a store of this package gave; false for any other value.
func SQLTx(tx store.Tx) (*sql.Tx, bool) {
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

// pingWhileBusy opens db's connection, retrying while SQLite reports
// SQLITE_BUSY. Switching a new database to WAL takes an exclusive lock
// for which SQLite does not call the busy handler, so processes opening a
// new database together see SQLITE_BUSY at once instead of waiting.
func pingWhileBusy(ctx context.Context, db *sql.DB, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	delay := 5 * time.Millisecond
	for {
		err := db.PingContext(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 200*time.Millisecond)
	}
}

// backend is sqlstore.Backend over database/sql.
//
// Statements are prepared once and reused (modernc.org/sqlite keeps a
// prepared statement compiled between runs, while a plain query is parsed
// and planned on every call): each *sql.DB has a cache of *sql.Stmt by
// query text. Reads outside a transaction use the reader's statements,
// which database/sql prepares on each pooled connection as needed.
// Statements inside a transaction use the writer's statements through
// tx.StmtContext. The writer has a single connection, which the transaction
// holds, so a statement cannot be prepared on it during the transaction: a
// transaction that runs a query not yet prepared runs it unprepared and
// leaves its text for the next Begin to prepare before it starts its own
// transaction.
type backend struct {
	writer, reader           *sql.DB
	readerStmts, writerStmts *stmtCache
}

func (b *backend) Reader() sqlstore.Querier { return querier{q: b.reader, stmts: b.readerStmts} }

func (b *backend) Begin(ctx context.Context) (sqlstore.TxConn, error) {
	b.writerStmts.preparePending(ctx)
	tx, err := b.writer.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock)
	if err != nil {
		return nil, err
	}
	return txConn{querier{q: tx, stmts: b.writerStmts, tx: tx}, tx}, nil
}

func (b *backend) Close() error {
	b.readerStmts.close()
	b.writerStmts.close()
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

// maxCachedStmts bounds the statements a stmtCache holds: queries are
// built from a bounded set of shapes, but the number of IN (?, …) values
// varies, so past the bound a query simply runs unprepared.
const maxCachedStmts = 512

// stmtCache holds the prepared statements of one *sql.DB by query text.
type stmtCache struct {
	db      *sql.DB
	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]struct{} // writer: texts to prepare at the next Begin
	closed  bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]struct{}{}}
}

// get returns the statement of query, or nil.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.RLock()
	st := c.m[query]
	c.mu.RUnlock()
	return st
}

// prepare returns the statement of query, preparing it when needed; nil
// when the cache is full or preparing fails (the caller then runs the query
// unprepared, which reports the same error).
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	if st := c.get(query); st != nil {
		return st
	}
	c.mu.RLock()
	full := len(c.m) >= maxCachedStmts || c.closed
	c.mu.RUnlock()
	if full {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	return c.add(query, st)
}

// add stores st unless the cache has one for query already (then st is
// closed and the cached one returned) or is closed or full (st is closed,
// nil returned).
func (c *stmtCache) add(query string, st *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[query]; old != nil {
		st.Close()
		return old
	}
	if c.closed || len(c.m) >= maxCachedStmts {
		st.Close()
		return nil
	}
	c.m[query] = st
	return st
}

// want records a query run unprepared in a transaction, for preparePending.
func (c *stmtCache) want(query string) {
	c.mu.Lock()
	if !c.closed && len(c.m)+len(c.pending) < maxCachedStmts {
		c.pending[query] = struct{}{}
	}
	c.mu.Unlock()
}

// preparePending prepares the queries want recorded. It must not run while
// the caller holds the writer connection.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.pending))
	for q := range c.pending {
		queries = append(queries, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range queries {
		c.prepare(ctx, q)
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
	clear(c.pending)
}

type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// querier runs statements on a *sql.DB (tx nil) or in a transaction.
type querier struct {
	q     sqlQuerier
	stmts *stmtCache
	tx    *sql.Tx
}

// stmt is the prepared statement to run query with, or nil to run it
// unprepared.
func (q querier) stmt(ctx context.Context, query string) *sql.Stmt {
	if q.tx == nil {
		return q.stmts.prepare(ctx, query)
	}
	st := q.stmts.get(query)
	if st == nil {
		q.stmts.want(query)
		return nil
	}
	return q.tx.StmtContext(ctx, st) // closed with the transaction
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if st := q.stmt(ctx, query); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = q.q.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	var rows *sql.Rows
	var err error
	if st := q.stmt(ctx, query); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = q.q.QueryContext(ctx, query, args...)
	}
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
