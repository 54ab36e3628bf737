package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/goldsmith-dev/goldsmith/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestURLGivesFreshEmptyDatabases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	seen := map[string]bool{}
	for i := 0; i < 2; i++ {
		u := pgtest.URL(t)
		if seen[u] {
			t.Fatalf("URL returned %s twice", u)
		}
		seen[u] = true
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatalf("connect %s: %v", u, err)
		}
		var tables int
		err = conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables)
		if err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("new database has %d tables, want 0", tables)
		}
		if _, err := conn.Exec(ctx, `CREATE TABLE t (x int)`); err != nil {
			t.Errorf("create table in %s: %v", u, err)
		}
		conn.Close(ctx)
	}
}

func TestURLParallel(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"a", "b", "c", "d"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, pgtest.URL(t))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var one int
			if err := conn.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
				t.Fatalf("SELECT 1 = %d, %v", one, err)
			}
		})
	}
}
