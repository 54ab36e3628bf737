package agent

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeVM stands in for QEMU's virtio-serial plumbing. hostPath is the
// chardev socket the client dials; guestPath plays the guest's port
// device, opened by one agent at a time. Like virtio-serial, an agent
// going away does not close the host's connection; bytes nobody reads are
// dropped. With garbage on, random bytes are injected into both
// directions whenever an agent comes or goes.
type fakeVM struct {
	hostPath, guestPath string
	garbage             bool

	mu    sync.Mutex
	host  net.Conn
	guest net.Conn
	hmu   sync.Mutex // serialises writes to host
}

func newFakeVM(t *testing.T, garbage bool) *fakeVM {
	dir, err := os.MkdirTemp("", "gsagent")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	v := &fakeVM{hostPath: filepath.Join(dir, "host.sock"), guestPath: filepath.Join(dir, "guest.sock"), garbage: garbage}
	hl, err := net.Listen("unix", v.hostPath)
	if err != nil {
		t.Fatal(err)
	}
	gl, err := net.Listen("unix", v.guestPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		hl.Close()
		gl.Close()
		v.mu.Lock()
		for _, c := range []net.Conn{v.host, v.guest} {
			if c != nil {
				c.Close()
			}
		}
		v.mu.Unlock()
	})
	go v.acceptHosts(hl)
	go v.acceptGuests(gl)
	return v
}

func (v *fakeVM) junk() []byte {
	if !v.garbage {
		return nil
	}
	return junkN(1 + rand.IntN(3000))
}

// junkN is n random bytes with magics sprinkled in.
func junkN(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rand.IntN(256))
	}
	// Sprinkle magics, so the decoder must reject forged headers too.
	for i := 0; i+len(magic) < len(b); i += 1 + rand.IntN(200) {
		copy(b[i:], magic[:])
	}
	return b
}

func (v *fakeVM) toHost(b []byte) {
	v.mu.Lock()
	h := v.host
	v.mu.Unlock()
	if h != nil && len(b) > 0 {
		v.hmu.Lock()
		h.Write(b)
		v.hmu.Unlock()
	}
}

func (v *fakeVM) acceptHosts(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		v.mu.Lock()
		if v.host != nil {
			v.host.Close()
		}
		v.host = c
		v.mu.Unlock()
		v.toHost(v.junk())
		go func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					v.mu.Lock()
					g := v.guest
					v.mu.Unlock()
					if g != nil {
						g.Write(buf[:n])
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

func (v *fakeVM) acceptGuests(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		c.Write(v.junk()) // stale bytes for the new agent
		v.toHost(v.junk())
		v.mu.Lock()
		if v.guest != nil {
			v.guest.Close()
		}
		v.guest = c
		v.mu.Unlock()
		go func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					v.toHost(buf[:n])
				}
				if err != nil {
					break
				}
			}
			v.mu.Lock()
			if v.guest == c {
				v.guest = nil
			}
			v.mu.Unlock()
			v.toHost(v.junk()) // stale bytes after the agent
		}()
	}
}

// openGuest opens the fake port as an agent would.
func (v *fakeVM) openGuest(t *testing.T) io.ReadWriteCloser {
	t.Helper()
	p, err := OpenPort(v.guestPath)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Fast keepalives for tests.
const (
	testInterval = 100 * time.Millisecond
	testTimeout  = 700 * time.Millisecond
)

func testLogger(t *testing.T, side string) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})).With("side", side)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func (v *fakeVM) dial(t *testing.T, ctx context.Context, o ClientOptions) *Client {
	t.Helper()
	o.SocketPath = v.hostPath
	if o.KeepaliveInterval == 0 {
		o.KeepaliveInterval = testInterval
		o.KeepaliveTimeout = testTimeout
	}
	if o.Logger == nil {
		o.Logger = testLogger(t, "host")
	}
	c, err := NewClient(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testServerOptions(t *testing.T, stateDir string) ServerOptions {
	return ServerOptions{StateDir: stateDir, KeepaliveInterval: testInterval, KeepaliveTimeout: 3 * time.Second,
		Logger: testLogger(t, "guest"), Reboot: func(context.Context) error { return nil }, PowerOff: func(context.Context) error { return nil },
		WaitBooted: func(context.Context) error { return nil }}
}

// agentProc runs an agent in this test binary as a child process.
func agentProc(t *testing.T, v *fakeVM, stateDir string) *os.Process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p, err := os.StartProcess(exe, []string{exe, "-test.run=^$"}, &os.ProcAttr{
		Env:   append(os.Environ(), "GOLDSMITH_AGENT_TEST_PORT="+v.guestPath, "GOLDSMITH_AGENT_TEST_STATE="+stateDir),
		Files: []*os.File{nil, os.Stderr, os.Stderr},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Kill()
		p.Wait()
	})
	return p
}

func TestMain(m *testing.M) {
	if port := os.Getenv("GOLDSMITH_AGENT_TEST_PORT"); port != "" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		err := ServePath(ctx, port, ServerOptions{StateDir: os.Getenv("GOLDSMITH_AGENT_TEST_STATE"),
			KeepaliveInterval: testInterval, KeepaliveTimeout: 3 * time.Second, Version: "test-child",
			RebootCommand: "kill -TERM $PPID", // like systemctl reboot: the agent is told to stop
			WaitBooted:    func(context.Context) error { return nil }})
		if err != nil {
			os.Stderr.WriteString("agent: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
