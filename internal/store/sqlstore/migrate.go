package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string // file name
	SQL     string
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// LoadMigrations reads the migrations in dir of fsys: files named
// NNNN_description.sql, numbered 1, 2, 3 … without gaps.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration file %q is not named NNNN_description.sql", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read migration: %w", err)
		}
		v, _ := strconv.Atoi(m[1])
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: migration %s: expected number %04d", m.Name, i+1)
		}
	}
	return ms, nil
}

// Migrate applies the migrations b's database lacks, in one transaction,
// and records them in schema_migrations. Two processes may migrate at once:
// the transaction begins with d.MigrationLock (or, on SQLite, as an
// IMMEDIATE transaction), so the second waits and then finds nothing to do.
func Migrate(ctx context.Context, b Backend, d Dialect, ms []Migration) error {
	tx, err := b.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate %s database: %w", d.Name, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	run := func(q string, args ...any) error {
		_, err := tx.Exec(ctx, d.bind(q), args...)
		return err
	}
	if d.MigrationLock != "" {
		if err := run(d.MigrationLock); err != nil {
			return fmt.Errorf("store: lock %s database for migration: %w", d.Name, err)
		}
	}
	if err := run(`CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("store: read schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	maxApplied := 0
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("store: read schema_migrations: %w", err)
		}
		applied[int(v)] = true
		maxApplied = max(maxApplied, int(v))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: read schema_migrations: %w", err)
	}
	if maxApplied > len(ms) {
		return fmt.Errorf("store: the database schema is at version %d but this goldsmith knows only %d: "+
			"upgrade goldsmith or point it at another database", maxApplied, len(ms))
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if err := run(m.SQL); err != nil {
			return fmt.Errorf("store: apply %s migration %s: %w", d.Name, m.Name, err)
		}
		if err := run(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			int64(m.Version), m.Name, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("store: record migration %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit %s migrations: %w", d.Name, err)
	}
	return nil
}
