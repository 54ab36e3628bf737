package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencies keeps the guest agent small (Tailscale's deptest
// idea): it goes into every build machine, so it links none of the
// server's store, API, queue or machine code, no database driver, and of
// the AWS SDK only S3 and the credential chain the toe modules S3Download
// and S3Upload need (the config loader brings STS, SSO and sign-in for
// roles and SSO profiles).
func TestDependencies(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list the agent's dependencies: %v", err)
	}
	deps := strings.Fields(string(out))
	// The list must be the agent's: a check over an empty or wrong list
	// would pass without looking.
	for _, want := range []string{"github.com/goldsmith-dev/goldsmith/internal/agent", "github.com/goldsmith-dev/goldsmith/internal/toe"} {
		if !slices.Contains(deps, want) {
			t.Fatalf("go list does not show %s among the agent's dependencies: %v", want, deps)
		}
	}
	const mod = "github.com/goldsmith-dev/goldsmith/"
	// A path and the packages under it.
	forbidden := []struct{ prefix, why string }{
		{mod + "internal/store", "the server's database"},
		{mod + "internal/api", "the server's API"},
		{mod + "internal/queue", "the server's job queue"},
		{mod + "internal/service", "the server's service layer"},
		{mod + "internal/server", "the server's wiring"},
		{mod + "internal/console", "the web console"},
		{mod + "internal/workflow", "the host's build workflow"},
		{mod + "internal/buildjob", "the host's queued builds"},
		{mod + "internal/machine", "the host's machines"},
		{mod + "internal/stepcache", "the host's step cache"},
		{mod + "internal/artifacts", "the host's artifact store"},
		{"github.com/riverqueue/", "the job queue"},
		{"github.com/jackc/pgx", "the PostgreSQL driver"},
		{"modernc.org/sqlite", "the SQLite driver"},
		{"github.com/spf13/cobra", "the goldsmith command line (the agent has a few flags)"},
		{"github.com/digitalocean/go-qemu", "QEMU control"},
	}
	// Of the AWS SDK's services, S3 and those its credential chain loads.
	awsAllowed := []string{"s3", "sts", "sso", "ssooidc", "signin", "internal"}
	for _, p := range deps {
		for _, f := range forbidden {
			if p == f.prefix || strings.HasPrefix(p, f.prefix+"/") {
				t.Errorf("goldsmith-agent depends on %s (%s); the guest agent must stay small", p, f.why)
			}
		}
		// database/sql/driver (interfaces only) comes with google/uuid.
		if p == "database/sql" {
			t.Errorf("goldsmith-agent depends on database/sql; the guest agent uses no database")
		}
		if svc, ok := strings.CutPrefix(p, "github.com/aws/aws-sdk-go-v2/service/"); ok {
			name, _, _ := strings.Cut(svc, "/")
			if !slices.Contains(awsAllowed, name) {
				t.Errorf("goldsmith-agent depends on the AWS SDK's %s service (%s); only S3 (S3Download, S3Upload) and its credential chain belong in the agent", name, p)
			}
		}
	}
}
