package agent

import (
	"context"
	"io"
	"os"
	"testing"
	"time"
)

// pipePort is one end of a pair of OS pipes. Close only interrupts
// reading, so the same pipes can be served again, like a virtio-serial
// port that is closed and opened again.
type pipePort struct{ r, w *os.File }

func (p pipePort) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p pipePort) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p pipePort) Close() error                { return p.r.SetReadDeadline(time.Now()) }
func (p pipePort) reopen() pipePort            { p.r.SetReadDeadline(time.Time{}); return p }

func pipePair(t *testing.T) (host, guest pipePort) {
	hr, gw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	gr, hw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, f := range []*os.File{hr, gw, gr, hw} {
			f.Close()
		}
	})
	return pipePort{r: hr, w: hw}, pipePort{r: gr, w: gw}
}

// TestPipeWithGarbage: garbage before the first session, between frames
// of a live session, and between two agents on the same port.
func TestPipeWithGarbage(t *testing.T) {
	t.Parallel()
	host, guest := pipePair(t)
	host.w.Write(junkN(4000))  // stale bytes waiting for the agent
	guest.w.Write(junkN(3000)) // stale bytes waiting for the host
	o := testServerOptions(t, t.TempDir())
	serve := func(boot string) (stop func()) {
		o.BootID = func() string { return boot }
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			Serve(ctx, guest.reopen(), o)
		}()
		return func() { cancel(); <-done }
	}
	stop := serve("one")
	dialed := false
	c, err := NewClient(testCtx(t, 10*time.Second), ClientOptions{
		Dial: func(context.Context) (io.ReadWriteCloser, error) {
			if dialed {
				return nil, io.ErrClosedPipe
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
	s1, err := c.waitSession(testCtx(t, 5*time.Second), -1)
	if err != nil {
		t.Fatal(err)
	}
	// Writes of at most 4 KiB to a pipe are atomic, so this garbage lands
	// between frames of the live session; the session must survive it.
	for range 5 {
		host.w.Write(junkN(100))
		guest.w.Write(junkN(100))
		if _, err := c.Ping(testCtx(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if s2, _ := c.waitSession(testCtx(t, 5*time.Second), -1); s2 != s1 {
		t.Error("garbage between frames broke the session")
	}
	stop()
	guest.w.Write(junkN(3000))
	host.w.Write(junkN(100))
	stop = serve("two")
	defer stop()
	if _, err := c.waitFor(testCtx(t, 10*time.Second), -1, func(s *clientSession) bool { return s.hello.BootID == "two" }); err != nil {
		t.Fatal(err)
	}
	if in, err := c.Info(testCtx(t, 5*time.Second)); err != nil || in.BootID != "two" {
		t.Fatalf("second agent: %+v, %v", in, err)
	}
}
