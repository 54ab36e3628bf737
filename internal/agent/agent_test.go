package agent

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startAgent serves the fake VM's port in-process until the test ends.
func startAgent(t *testing.T, v *fakeVM, o ServerOptions) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Serve(ctx, v.openGuest(t), o)
	}()
	stop = func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return stop
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestSocketPair(t *testing.T) {
	t.Parallel()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) net.Conn {
		f := os.NewFile(uintptr(fd), "pair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	host, guest := conn(fds[0]), conn(fds[1])
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	o := testServerOptions(t, t.TempDir())
	o.BootID = func() string { return "boot-a" }
	go func() { served <- Serve(ctx, guest, o) }()
	dialed := false
	c, err := NewClient(testCtx(t, 10*time.Second), ClientOptions{
		Dial: func(context.Context) (io.ReadWriteCloser, error) {
			if dialed {
				return nil, errors.New("the pair is used up")
			}
			dialed = true
			return host, nil
		},
		KeepaliveInterval: testInterval, KeepaliveTimeout: testTimeout, Logger: testLogger(t, "host"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	in, err := c.Info(testCtx(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if in.BootID != "boot-a" || in.Protocol != ProtocolVersion || in.PID != os.Getpid() || in.Uptime <= 0 {
		t.Errorf("info = %+v", in)
	}
	if _, err := c.Ping(testCtx(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestGarbageAndRestarts restarts the agent several times with garbage
// injected in both directions before, between and after sessions; the
// same client must reach each new agent and tell the boots apart.
func TestGarbageAndRestarts(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, true)
	state := t.TempDir()
	o := testServerOptions(t, state)
	o.BootID = func() string { return "boot-0" }
	stop := startAgent(t, v, o)
	c := v.dial(t, testCtx(t, 20*time.Second), ClientOptions{})
	for i := 1; i <= 4; i++ {
		in, err := c.Info(testCtx(t, 10*time.Second))
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		if want := "boot-" + string(rune('0'+i-1)); in.BootID != want {
			t.Fatalf("round %d: boot id %q, want %q", i, in.BootID, want)
		}
		stop()
		o.BootID = func() string { return "boot-" + string(rune('0'+i)) }
		stop = startAgent(t, v, o)
		if _, err := c.waitFor(testCtx(t, 10*time.Second), -1, func(s *clientSession) bool { return s.hello.BootID == o.BootID() }); err != nil {
			t.Fatalf("round %d: the new agent was not found: %v", i, err)
		}
	}
}

// TestNewHost: a second host process connecting to a running agent is
// answered at once, without waiting for the agent's keepalive timeout.
func TestNewHost(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, false)
	o := testServerOptions(t, t.TempDir())
	o.KeepaliveTimeout = time.Hour
	startAgent(t, v, o)
	c1 := v.dial(t, testCtx(t, 10*time.Second), ClientOptions{})
	if _, err := c1.Ping(testCtx(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	c1.Close()
	start := time.Now()
	c2 := v.dial(t, testCtx(t, 10*time.Second), ClientOptions{})
	if _, err := c2.Ping(testCtx(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the second host took %s to get a session", d)
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, false)
	startAgent(t, v, testServerOptions(t, t.TempDir()))
	c := v.dial(t, testCtx(t, 10*time.Second), ClientOptions{})
	ctx := testCtx(t, 60*time.Second)

	data := make([]byte, 5<<20+123)
	rand.Read(data)
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "blob.bin")
	if err := c.PutFile(ctx, path, 0o640, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("stat = %v, %v", fi, err)
	}
	f, err := c.GetFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	f.Close()
	if err != nil || n != int64(len(data)) || f.Size != int64(len(data)) || f.Mode.Perm() != 0o640 {
		t.Fatalf("get: %d bytes, size %d, mode %v, %v", n, f.Size, f.Mode, err)
	}
	if want := sha256.Sum256(data); !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("the downloaded file differs from the uploaded one")
	}

	if _, err := c.GetFile(ctx, filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	if err := c.PutFile(ctx, "relative/path", 0o644, strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("relative put: %v", err)
	}
	if _, err := c.GetFile(ctx, dir); err == nil || !strings.Contains(err.Error(), "GetDir") {
		t.Errorf("get of a folder: %v", err)
	}

	os.WriteFile(filepath.Join(dir, "sub", "small.txt"), []byte("hello\n"), 0o644)
	tf, err := c.GetDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Close()
	got := map[string]int64{}
	tr := tar.NewReader(tf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = h.Size
	}
	if got["sub/blob.bin"] != int64(len(data)) || got["sub/small.txt"] != 6 {
		t.Errorf("tar entries = %v", got)
	}
}

func TestExec(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, false)
	startAgent(t, v, testServerOptions(t, t.TempDir()))
	c := v.dial(t, testCtx(t, 10*time.Second), ClientOptions{})
	ctx := testCtx(t, 30*time.Second)

	var out, errb bytes.Buffer
	code, err := c.Exec(ctx, ExecRequest{Argv: []string{"sh", "-c", "tr a-z A-Z; echo oops >&2; exit 7"}, Env: []string{"X=1"}},
		Stdio{Stdin: strings.NewReader("hello agent\n"), Stdout: &out, Stderr: &errb})
	if err != nil || code != 7 || out.String() != "HELLO AGENT\n" || errb.String() != "oops\n" {
		t.Errorf("exec = %d, %v, stdout %q, stderr %q", code, err, out.String(), errb.String())
	}

	code, err = c.Exec(ctx, ExecRequest{Argv: []string{"sh", "-c", "kill -TERM $$"}}, Stdio{})
	if err != nil || code != 128+int(syscall.SIGTERM) {
		t.Errorf("killed command = %d, %v", code, err)
	}

	if _, err := c.Exec(ctx, ExecRequest{Argv: []string{"/no/such/program"}}, Stdio{}); err == nil {
		t.Error("a missing program ran")
	}

	out.Reset()
	code, err = c.Exec(ctx, ExecRequest{Argv: []string{"sh", "-c", "tty; stty size; read x; echo got $x; exit 3"}, TTY: true, Rows: 33, Cols: 99},
		Stdio{Stdin: strings.NewReader("line\n"), Stdout: &out})
	if err != nil || code != 3 || !strings.Contains(out.String(), "/dev/pts/") || !strings.Contains(out.String(), "33 99") || !strings.Contains(out.String(), "got line") {
		t.Errorf("tty exec = %d, %v, output %q", code, err, out.String())
	}
}

func TestRebootAndShutdownCalls(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, true)
	o := testServerOptions(t, t.TempDir())
	o.BootID = func() string { return "first" }
	var mu sync.Mutex
	var stop func()
	current := func() func() {
		mu.Lock()
		defer mu.Unlock()
		return stop
	}
	powered := make(chan struct{})
	o.PowerOff = func(context.Context) error {
		close(powered)
		go current()()
		return nil
	}
	o.Reboot = func(context.Context) error {
		go func() {
			current()()
			o2 := o
			o2.BootID = func() string { return "second" }
			s := startAgent(t, v, o2)
			mu.Lock()
			stop = s
			mu.Unlock()
		}()
		return nil
	}
	mu.Lock()
	stop = startAgent(t, v, o)
	mu.Unlock()
	c := v.dial(t, testCtx(t, 10*time.Second), ClientOptions{})
	if err := c.Reboot(testCtx(t, 20*time.Second)); err != nil {
		t.Fatal(err)
	}
	in, err := c.Info(testCtx(t, 5*time.Second))
	if err != nil || in.BootID != "second" {
		t.Fatalf("after reboot: %+v, %v", in, err)
	}
	if err := c.Shutdown(testCtx(t, 20*time.Second)); err != nil {
		t.Fatal(err)
	}
	<-powered
}
