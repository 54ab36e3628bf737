// Package pgtest gives tests a fresh, empty PostgreSQL database.
//
// URL(t) creates a database with a random name and returns its connection
// URL; the database is dropped when the test ends. The server is
//
//   - the one $GOLDSMITH_TEST_POSTGRES names (a postgres:// URL of a role
//     that may CREATE DATABASE), when set; or else
//   - a private throwaway cluster, started once per test binary on first
//     use: initdb into a temporary directory and `postgres` listening only
//     on a unix socket in that directory, with fsync off. When the tests run
//     as root, both run as the "postgres" user (initdb refuses root).
//
// Starting the private cluster takes about a second; every later URL call
// costs one CREATE DATABASE. Call Main from TestMain to stop the cluster and
// remove its directory when the tests end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without Main the server still dies with the test binary (parent-death
// signal), and the next run removes directories left by dead processes.
//
// When no PostgreSQL server binaries are found (Debian's postgresql package:
// /usr/lib/postgresql/*/bin) and $GOLDSMITH_TEST_POSTGRES is unset, URL
// skips the test with SkipReason (fails it under CI=true). Go caches test results, skips included:
// after installing PostgreSQL, run the tests once with -count=1.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

// EnvURL names the environment variable with the URL of a server to use
// instead of a private cluster.
const EnvURL = "GOLDSMITH_TEST_POSTGRES"

// SkipReason is the skip message when PostgreSQL is not installed.
const SkipReason = "PostgreSQL not installed: run scripts/setup-test.sh"

// StartTimeout bounds how long the private cluster may take to accept
// connections.
var StartTimeout = 60 * time.Second

var (
	once      sync.Once
	shared    *server
	sharedErr error
	errSkip   = errors.New(SkipReason)
)

// server is where test databases are created.
type server struct {
	admin   string              // URL of a database to connect to for CREATE DATABASE
	urlFor  func(string) string // URL of database name
	cluster *cluster            // nil for $GOLDSMITH_TEST_POSTGRES
}

// URL returns the connection URL of a new, empty database, dropped at the
// end of the test. It skips the test when PostgreSQL is not installed and
// fails it when the server cannot be started or reached. Under CI=true a
// missing PostgreSQL fails the test too.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { shared, sharedErr = start() })
	if errors.Is(sharedErr, errSkip) {
		testneed.Missing(t, SkipReason)
	}
	if sharedErr != nil {
		t.Fatalf("pgtest: %v", sharedErr)
	}
	name := "goldsmith_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := adminExec(ctx, shared.admin, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adminExec(ctx, shared.admin, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return shared.urlFor(name)
}

// Main runs the tests and then stops the private cluster, if one was
// started, and removes its directory. Call it from TestMain.
func Main(m *testing.M) {
	m.Run() // the test wrapper exits with its result when TestMain returns
	if shared != nil && shared.cluster != nil {
		if err := shared.cluster.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
	}
}

func start() (*server, error) {
	if env := os.Getenv(EnvURL); env != "" {
		u, err := url.Parse(env)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, fmt.Errorf("$%s must be a postgres:// URL, not %q", EnvURL, env)
		}
		return &server{admin: env, urlFor: func(name string) string {
			v := *u
			v.Path = "/" + name
			return v.String()
		}}, nil
	}
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	c, err := startCluster(bin)
	if err != nil {
		return nil, err
	}
	return &server{admin: c.url("postgres"), urlFor: c.url, cluster: c}, nil
}

// findBinDir finds the directory with initdb and postgres: the newest
// /usr/lib/postgresql/N/bin (Debian), else $PATH.
func findBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && isExec(filepath.Join(filepath.Dir(p), "postgres")) {
		return filepath.Dir(p), nil
	}
	return "", errSkip
}

func versionOf(binDir string) int {
	var n int
	fmt.Sscanf(filepath.Base(filepath.Dir(binDir)), "%d", &n)
	return n
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func adminExec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// tail is the end of a log file, for error messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}
