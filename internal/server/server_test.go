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
