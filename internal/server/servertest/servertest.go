// Package servertest runs `goldsmith serve` inside a test (server.Run, with
// Start) or as a process (Exec) and gives an AWS SDK client for it, signed
// with the credentials the server wrote on first start.
package servertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/server"
)

// Server is a running server.
type Server struct {
	Endpoint string
	DataDir  string
	Config   aws.Config // credentials and region of the first account
	Client   *imagebuilder.Client
	out      *Buffer
	stop     func() // stops a server of Start and waits for it
}

// Stop stops a server of Start (as Ctrl-C would) and waits until it has
// stopped; it fails the test if the server returns an error. Without it,
// the server stops when the test ends.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.stop()
}

// Output is what the server printed so far.
func (s *Server) Output() string { return s.out.String() }

// Start runs server.Run with cfg (DataDir defaults to a temporary folder,
// Listen to a free port) until the test ends, and waits until it serves.
// Client is set when the server wrote first-start credentials.
func Start(t testing.TB, cfg server.Config) *Server {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	s := &Server{DataDir: cfg.DataDir, out: &Buffer{}}
	cfg.Out = s.out
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Run(ctx, cfg) }()
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server: %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	s.await(t, done)
	return s
}

// Exec runs `binary serve --listen 127.0.0.1:0 --data-dir <temp> args...`
// as its own process with env added to the test's environment, until the
// test ends, and waits until it serves: the API server of a scale-out
// setup, which shares nothing with the test process.
func Exec(t testing.TB, binary string, env []string, args ...string) *Server {
	t.Helper()
	s := &Server{DataDir: t.TempDir(), out: &Buffer{}}
	cmd := exec.Command(binary, append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", s.DataDir}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test binary
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	s.await(t, done)
	return s
}

// await waits until the server printed its endpoint (failing the test when
// it stops first) and sets Client from its first-start credentials.
func (s *Server) await(t testing.TB, done chan error) {
	t.Helper()
	for i := 0; i < 400 && s.Endpoint == ""; i++ {
		for _, f := range strings.Fields(s.out.String()) {
			if strings.HasPrefix(f, "http://127.0.0.1:") {
				s.Endpoint = f
			}
		}
		if s.Endpoint == "" {
			select {
			case err := <-done:
				done <- err // for the cleanup, which waits for it
				t.Fatalf("server stopped: %v\n%s", err, s.out.String())
			case <-time.After(25 * time.Millisecond):
			}
		}
	}
	if s.Endpoint == "" {
		t.Fatalf("no endpoint printed: %s", s.out.String())
	}
	creds := filepath.Join(s.DataDir, server.CredentialsFile)
	if _, err := os.Stat(creds); err != nil {
		return // configured keys only: no first-start credentials, no Client
	}
	ac, err := config.LoadDefaultConfig(context.Background(), config.WithSharedCredentialsFiles([]string{creds}),
		config.WithSharedConfigFiles([]string{filepath.Join(s.DataDir, server.ConfigFile)}), config.WithSharedConfigProfile(server.Profile))
	if err != nil {
		t.Fatal(err)
	}
	s.Config = ac
	s.Client = imagebuilder.NewFromConfig(ac, func(o *imagebuilder.Options) { o.BaseEndpoint = aws.String(s.Endpoint) })
}

// Buffer is an io.Writer safe for concurrent use.
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// ImageInput creates component name (document doc, built with params), a
// recipe of it on debian-12 and an infrastructure configuration, and
// returns a CreateImage input for them with tests off (one VM boot per
// build).
func ImageInput(t testing.TB, c *imagebuilder.Client, name, doc string, params ...types.ComponentParameter) *imagebuilder.CreateImageInput {
	t.Helper()
	ctx := context.Background()
	comp, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String(name), SemanticVersion: aws.String("1.0.0"),
		Platform: types.PlatformLinux, Data: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String(name), SemanticVersion: aws.String("1.0.0"),
		ParentImage: aws.String("debian-12"), Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn,
			Parameters: params}}})
	if err != nil {
		t.Fatal(err)
	}
	infra, err := c.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("local"), InstanceProfileName: aws.String("none")})
	if err != nil {
		t.Fatal(err)
	}
	return &imagebuilder.CreateImageInput{ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn,
		ImageTestsConfiguration: &types.ImageTestsConfiguration{ImageTestsEnabled: aws.Bool(false)}}
}
