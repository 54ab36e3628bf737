// Package s3test starts real MinIO servers for tests that talk to S3.
//
// Start launches one MinIO process on a free loopback port with a private
// data directory and random root credentials, waits until it serves
// requests, and stops it when the test ends. Tests skip, with the reason,
// when MinIO is not installed; .ci/install-minio.sh installs it.
//
// MinIO takes a second or so to start, so a test that needs many buckets
// should start one server and give each parallel subtest its own bucket.
//
// Go caches test results, skips included, and does not notice a MinIO
// binary appearing outside the module: after installing it, run the
// tests once with -count=1.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/goldsmith-dev/goldsmith/internal/s3client"
	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

// SkipReason is the skip message when no MinIO binary is found.
const SkipReason = "minio not installed: run .ci/install-minio.sh"

// ReadyTimeout bounds how long Start waits for MinIO to serve requests.
var ReadyTimeout = 60 * time.Second

// Server is a running MinIO server.
type Server struct {
	Endpoint  string // http://127.0.0.1:<port>
	AccessKey string
	SecretKey string
	Region    string // us-east-1, MinIO's default

	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{} // closed when the process has exited
}

// Start starts a MinIO server for the test and stops it at t.Cleanup. It
// skips the test when MinIO is not installed (fails it under CI=true) and
// fails it when MinIO does not start.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := FindBinary()
	if err != nil {
		testneed.Missing(t, SkipReason)
	}
	dir := t.TempDir()
	// Picking a free port and then handing it to MinIO is racy; retry when
	// MinIO exits early (typically "address already in use").
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := launch(t, bin, dir)
		if err == nil {
			return s
		}
		lastErr = err
	}
	t.Fatalf("s3test: %v", lastErr)
	return nil
}

// FindBinary locates minio: $GOLDSMITH_MINIO, then PATH, then
// $(go env GOPATH)/bin/minio.
func FindBinary() (string, error) {
	if p := os.Getenv("GOLDSMITH_MINIO"); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("GOLDSMITH_MINIO=%s is not an executable file", p)
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	if gp := goPath(); gp != "" {
		p := filepath.Join(gp, "bin", "minio")
		if isExecutable(p) {
			return p, nil
		}
	}
	return "", errors.New(SkipReason)
}

func goPath() string {
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		// GOPATH may be a list; the first entry is where go install writes.
		first, _, _ := strings.Cut(strings.TrimSpace(string(out)), string(os.PathListSeparator))
		if first != "" {
			return first
		}
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		first, _, _ := strings.Cut(gp, string(os.PathListSeparator))
		return first
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go")
	}
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func launch(t testing.TB, bin, dir string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	consolePort, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{
		Endpoint:  fmt.Sprintf("http://127.0.0.1:%d", port),
		AccessKey: "goldsmith-" + randomHex(6),
		SecretKey: randomHex(20),
		Region:    "us-east-1",
		logs:      &syncBuffer{},
		done:      make(chan struct{}),
	}
	data := filepath.Join(dir, fmt.Sprintf("data-%d", port))
	certs := filepath.Join(dir, "certs")
	cmd := exec.Command(bin, "server", data,
		"--address", fmt.Sprintf("127.0.0.1:%d", port),
		"--console-address", fmt.Sprintf("127.0.0.1:%d", consolePort),
		"--certs-dir", certs, "--quiet")
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+s.AccessKey,
		"MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_CI_CD=on",
	)
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	killWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s.cmd = cmd
	go func() {
		_ = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w\nminio output:\n%s", err, s.logs.String())
	}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("minio output:\n%s", s.logs.String())
		}
	})
	return s, nil
}

// waitReady polls until MinIO answers a signed ListBuckets: its health
// endpoints report ready before the object layer is initialised, when
// requests still fail with XMinioServerNotInitialized.
func (s *Server) waitReady() error {
	client := s3client.New(s.Config(), func(o *s3.Options) {
		o.RetryMaxAttempts = 1
		o.HTTPClient = &http.Client{Timeout: 2 * time.Second}
	})
	deadline := time.Now().Add(ReadyTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("minio exited before it was ready (%v)", s.cmd.ProcessState)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("minio not ready at %s after %s: %w", s.Endpoint, ReadyTimeout, err)
		}
	}
}

func (s *Server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Config is an aws.Config for this server: static credentials, region and
// BaseEndpoint. Clients built from it with s3client.New use path-style
// addressing.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       s.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		BaseEndpoint: aws.String(s.Endpoint),
	}
}

// Client returns an S3 client for this server (path-style addressing).
func (s *Server) Client(t testing.TB) *s3.Client {
	t.Helper()
	return s3client.New(s.Config(), func(o *s3.Options) { o.UsePathStyle = true })
}

// MakeBucket creates a bucket, failing the test on error.
func (s *Server) MakeBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Client(t).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("s3test: create bucket %q: %v", name, err)
	}
}

// Env is the environment a subprocess needs to reach this server with the
// standard AWS configuration chain.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.Endpoint,
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_REGION=" + s.Region,
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Setenv sets Env in the test's own process environment (restored when
// the test ends), for code that loads the standard AWS configuration
// in-process. The test must not be parallel.
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}
