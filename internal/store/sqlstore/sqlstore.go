// Package sqlstore implements store.Store over SQL, once for both dialects:
// internal/store/sqlite and internal/store/postgres provide a Backend
// (connections and transactions), a Dialect (the few SQL differences) and
// their migrations, and get the whole store from New.
//
// Queries are written with "?" placeholders and portable SQL (ON CONFLICT,
// RETURNING, row_number() windows); the Dialect renumbers placeholders for
// PostgreSQL and adds row locks where PostgreSQL needs them (SQLite
// serialises writers, so it needs none). Times are stored as Unix
// microseconds in both dialects.
package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// Querier runs statements.
type Querier interface {
	// Exec runs a statement and returns the number of rows it affected.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
}

// Rows is a result set.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// TxConn is a Querier inside a transaction.
type TxConn interface {
	Querier
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Backend gives connections.
type Backend interface {
	// Reader runs statements outside a transaction; used for reads only.
	Reader() Querier
	// Begin starts a read-write transaction that serialises with other
	// writers as far as the dialect needs (BEGIN IMMEDIATE on SQLite).
	Begin(ctx context.Context) (TxConn, error)
	Close() error
}

// Dialect is what differs between the SQL dialects.
type Dialect struct {
	Name string // "sqlite" or "postgres", for messages
	// Numbered placeholders ($1, $2 …) instead of "?".
	Numbered bool
	// LockShare and LockUpdate end a SELECT that must lock the rows it
	// reads until the transaction ends (" FOR SHARE", " FOR UPDATE").
	LockShare, LockUpdate string
	// Greatest is the two-argument maximum function ("max", "GREATEST").
	Greatest string
	// MigrationLock is run first in the migration transaction to keep
	// other processes out ("" when the transaction itself does that).
	MigrationLock string
}

func (d *Dialect) bind(q string) string {
	if !d.Numbered || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Store is store.Store over a Backend.
type Store struct {
	exec
	b Backend
}

var _ store.Store = (*Store)(nil)

// New returns a store over b, with clock now (nil: time.Now). The schema
// must already be migrated (Migrate).
func New(b Backend, d Dialect, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	s := &Store{b: b}
	s.exec = exec{q: b.Reader(), d: &d, now: now, s: s}
	return s
}

// Close closes the backend.
func (s *Store) Close() error { return s.b.Close() }

// BackendOf returns the backend of s as a B, when s is a Store over one;
// the dialect packages use it to give out their connections.
func BackendOf[B Backend](s store.Store) (B, bool) {
	var zero B
	ss, ok := s.(*Store)
	if !ok {
		return zero, false
	}
	b, ok := ss.b.(B)
	return b, ok
}

// TxConnOf returns the transaction under tx, a Tx that WithTx of a Store
// gave; false for any other value.
func TxConnOf(tx store.Tx) (TxConn, bool) {
	e, ok := tx.(exec)
	if !ok || !e.inTx {
		return nil, false
	}
	c, ok := e.q.(TxConn)
	return c, ok
}

// WithTx runs fn in one transaction.
func (s *Store) WithTx(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.withTx(ctx, func(e exec) error { return fn(e) })
}

func (s *Store) withTx(ctx context.Context, fn func(e exec) error) (err error) {
	tx, err := s.b.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin %s transaction: %w", s.d.Name, err)
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(exec{q: tx, d: s.d, now: s.now, s: s, inTx: true}); err != nil {
		done = true
		if rerr := tx.Rollback(context.WithoutCancel(ctx)); rerr != nil && !errors.Is(rerr, context.Canceled) {
			return errors.Join(err, fmt.Errorf("store: roll back: %w", rerr))
		}
		return err
	}
	done = true
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit %s transaction: %w", s.d.Name, err)
	}
	return nil
}

// exec implements store.Executor over a Querier: the reader outside a
// transaction (writes then begin their own), the transaction inside one.
type exec struct {
	q    Querier
	d    *Dialect
	now  func() time.Time
	s    *Store
	inTx bool
}

// write runs fn in the current transaction or in a new one.
func (e exec) write(ctx context.Context, fn func(e exec) error) error {
	if e.inTx {
		return fn(e)
	}
	return e.s.withTx(ctx, fn)
}

func (e exec) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return e.q.Exec(ctx, e.d.bind(q), args...)
}

func (e exec) query(ctx context.Context, q string, args ...any) (Rows, error) {
	return e.q.Query(ctx, e.d.bind(q), args...)
}

// queryRow scans the first row into dest; false when there is none.
func (e exec) queryRow(ctx context.Context, dest []any, q string, args ...any) (bool, error) {
	rows, err := e.query(ctx, q, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(dest...); err != nil {
		return false, err
	}
	return true, nil
}

// clock is the store's time, as stored.
func (e exec) clock() time.Time { return e.now().UTC().Truncate(time.Microsecond) }

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// placeholders is "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
