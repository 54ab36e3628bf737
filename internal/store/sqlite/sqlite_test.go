package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
	"github.com/goldsmith-dev/goldsmith/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, storetest.Backend{
		NewLocation: func(t *testing.T) string { return filepath.Join(t.TempDir(), "goldsmith.db") },
		Open: func(ctx context.Context, loc string, now func() time.Time) (store.Store, error) {
			return sqlite.Open(ctx, sqlite.Config{Path: loc, Now: now})
		},
	})
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, path, want string
	}{
		{"no path", "", "no database path"},
		{"query characters", filepath.Join(dir, "a?b.db"), "contains '?'"},
		{"missing directory", filepath.Join(dir, "missing", "x.db"), "is the directory there"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := sqlite.Open(context.Background(), sqlite.Config{Path: tt.path})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tt.path)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q) = %v, want it to mention %q", tt.path, err, tt.want)
			}
		})
	}
}

func TestWALMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "wal.db")
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no write-ahead log next to the database: %v", err)
	}
}
