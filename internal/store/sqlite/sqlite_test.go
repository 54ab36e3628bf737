package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// TestPrivateFiles: the database and SQLite's files next to it are 0600
// in a directory anyone may read, with a umask that takes nothing away,
// whether Open creates the database or finds it (and its -wal and -shm
// files) readable by all. Not parallel: it sets the process's umask.
func TestPrivateFiles(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	tests := []struct {
		name     string
		existing bool // the files exist, 0644
	}{
		{"new database", false},
		{"existing database", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "goldsmith.db")
			if tt.existing {
				openAndWrite(t, path).Close()
				for _, p := range []string{path, path + "-wal", path + "-shm"} {
					f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644) // closing removed -wal and -shm
					if err != nil {
						t.Fatal(err)
					}
					f.Close()
					if err := os.Chmod(p, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			s := openAndWrite(t, path)
			defer s.Close()
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatalf("SQLite's file: %v", err)
				}
				if fi.Mode().Perm() != sqlite.FileMode {
					t.Errorf("%s has mode %v, want %v", filepath.Base(p), fi.Mode().Perm(), sqlite.FileMode)
				}
			}
		})
	}
}

// openAndWrite opens the store at path and writes an access key (a
// secret) into it; the store stays open until the test ends.
func openAndWrite(t *testing.T, path string) store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	id := fmt.Sprintf("%012d", time.Now().UnixNano()%1e12)
	if _, err := s.CreateAccount(ctx, store.Account{ID: id, Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAccessKey(ctx, store.AccessKey{ID: "AKIA" + id + "XXXX", Secret: "a-secret-of-some-length", Account: id}); err != nil {
		t.Fatal(err)
	}
	return s
}
