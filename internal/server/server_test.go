package server_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"

	"github.com/goldsmith-dev/goldsmith/internal/server"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestRunFirstStart starts the server on an empty data directory and uses
// the credentials file it writes with the SDK's shared-config loader.
func TestRunFirstStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, server.Config{DataDir: dir, Listen: "127.0.0.1:0", Out: out})
	}()
	var endpoint string
	for i := 0; i < 200 && endpoint == ""; i++ {
		time.Sleep(25 * time.Millisecond)
		for _, f := range strings.Fields(out.String()) {
			if strings.HasPrefix(f, "http://127.0.0.1:") {
				endpoint = f
				break
			}
		}
	}
	if endpoint == "" {
		cancel()
		t.Fatalf("no endpoint printed: %s (run: %v)", out.String(), <-done)
	}
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
	if !strings.Contains(out.String(), "imagebuilder list-components") {
		t.Errorf("no CLI example in %q", out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
