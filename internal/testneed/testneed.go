// Package testneed is how a test reports that a real part it needs (QEMU,
// root, PostgreSQL, MinIO, a tool) is missing: it skips with the reason on
// a developer's machine, and fails under CI (CI=true), where the setup
// installs everything, so that a broken setup never passes as green skips.
package testneed

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// EnvCI is the environment variable that marks a CI run (CI=true, as CI
// services set it).
const EnvCI = "CI"

// InCI tells whether tests run under CI.
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv(EnvCI))
	return ci
}

// Missing ends t because a real part it needs is missing: a skip with the
// reason, or, under CI, a failure.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	reason := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("%s (CI=%s: a test whose real parts are missing fails instead of skipping; install them with scripts/setup-test.sh)", reason, os.Getenv(EnvCI))
	}
	t.Skip(reason)
}

// Root ends t (see Missing) unless it runs as root.
func Root(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "%s needs root", why)
	}
}

// Tools ends t (see Missing) unless every tool is on PATH; install says
// how to get them.
func Tools(t testing.TB, install string, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			Missing(t, "%s is not installed: %s", tool, install)
		}
	}
}
