package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
)

// TestRunFirstStart starts the server on an empty data directory and uses
// the credentials file it writes with the SDK's shared-config loader.
func TestRunFirstStart(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t, server.Config{})
	dir, endpoint := srv.DataDir, srv.Endpoint
	creds := filepath.Join(dir, server.CredentialsFile)
	fi, err := os.Stat(creds)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", fi, err)
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithSharedCredentialsFiles([]string{creds}),
		config.WithSharedConfigFiles([]string{filepath.Join(dir, server.ConfigFile)}), config.WithSharedConfigProfile(server.Profile))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != server.DefaultRegion {
		t.Errorf("region = %q", cfg.Region)
	}
	c := imagebuilder.NewFromConfig(cfg, func(o *imagebuilder.Options) { o.BaseEndpoint = aws.String(endpoint) })
	if _, err := c.ListComponents(context.Background(), &imagebuilder.ListComponentsInput{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(srv.Output(), "imagebuilder list-components") {
		t.Errorf("no CLI example in %q", srv.Output())
	}
}

// TestSecretFilesPrivate: in a data directory that anyone may read
// (created 0755 before the first start), the files holding secrets — the
// database with the access keys, SQLite's files next to it, and the
// credentials file — are readable by their owner only.
func TestSecretFilesPrivate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	srv := servertest.Start(t, server.Config{DataDir: dir, Build: server.BuildConfig{Workers: -1}})
	// A write, so that SQLite's write-ahead log and shared memory exist.
	if _, err := srv.Client.CreateInfrastructureConfiguration(context.Background(), &imagebuilder.CreateInfrastructureConfigurationInput{
		Name: aws.String("local"), InstanceProfileName: aws.String("none")}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"goldsmith.db", "goldsmith.db-wal", "goldsmith.db-shm", server.CredentialsFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v in a 0755 data directory, want -rw-------", name, fi.Mode().Perm())
		}
	}
}
