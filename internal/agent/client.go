package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/yamux"
)

// ClientOptions configure the host side. Zero values are the defaults.
type ClientOptions struct {
	// SocketPath is the unix socket of QEMU's chardev for the agent port
	// (`-chardev socket,id=agent0,path=SOCKET,server=on,wait=off`).
	SocketPath string
	// Dial, when set, opens the byte stream instead of SocketPath. It is
	// called again whenever the stream fails.
	Dial func(ctx context.Context) (io.ReadWriteCloser, error)
	// KeepaliveInterval is how often the host pings; default 1s.
	KeepaliveInterval time.Duration
	// KeepaliveTimeout is how long without a frame from the agent before
	// the session counts as lost; default 5s.
	KeepaliveTimeout time.Duration
	// ReconnectTimeout is how long calls wait for an agent that went away
	// unannounced before failing with ErrGuestGone; default 60s.
	ReconnectTimeout time.Duration
	// RebootTimeout is how long a run or Reboot waits for the agent to
	// come back after the guest announced a reboot; default 10m.
	RebootTimeout time.Duration
	// Logger receives diagnostics; default discards them.
	Logger *slog.Logger
}

func (o ClientOptions) withDefaults() (ClientOptions, error) {
	if o.Dial == nil {
		if o.SocketPath == "" {
			return o, errors.New("agent client: give a socket path or a dial function")
		}
		path := o.SocketPath
		o.Dial = func(ctx context.Context) (io.ReadWriteCloser, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
	}
	if o.KeepaliveInterval <= 0 {
		o.KeepaliveInterval = time.Second
	}
	if o.KeepaliveTimeout <= 0 {
		o.KeepaliveTimeout = 5 * time.Second
	}
	if o.ReconnectTimeout <= 0 {
		o.ReconnectTimeout = 60 * time.Second
	}
	if o.RebootTimeout <= 0 {
		o.RebootTimeout = 10 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// Client talks to one guest agent. It keeps reconnecting in the
// background (the socket, and the session after the agent restarts or the
// guest reboots) until Close. Its methods are safe for concurrent use.
type Client struct {
	opts   ClientOptions
	cancel context.CancelFunc
	done   chan struct{}

	mu           sync.Mutex
	sess         *clientSession
	changed      chan struct{}
	lostAt       time.Time
	lostReason   string
	incompatible error
	closed       bool
}

type clientSession struct {
	mux   *yamux.Session
	hello helloInfo
}

// Dial connects to the agent behind QEMU's unix socket and waits until the
// agent answers; ctx bounds the wait (give it a deadline that covers the
// guest's boot).
func Dial(ctx context.Context, socketPath string) (*Client, error) {
	return NewClient(ctx, ClientOptions{SocketPath: socketPath})
}

// NewClient is Dial with options.
func NewClient(ctx context.Context, opts ClientOptions) (*Client, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	mctx, cancel := context.WithCancel(context.Background())
	c := &Client{opts: opts, cancel: cancel, done: make(chan struct{}), changed: make(chan struct{}), lostAt: time.Now(), lostReason: "the agent has not answered yet"}
	go c.manage(mctx)
	if _, err := c.waitSession(ctx, -1); err != nil {
		c.Close()
		return nil, fmt.Errorf("wait for the guest agent (is the VM booting, with the agent on its seed disk? see its serial console): %w", err)
	}
	return c, nil
}

// Close stops the client; calls in progress fail with ErrClosed.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	c.broadcast()
	c.mu.Unlock()
	c.cancel()
	<-c.done
	return nil
}

func (c *Client) manage(ctx context.Context) {
	defer close(c.done)
	for {
		rw, err := c.opts.Dial(ctx)
		if err == nil {
			w := newWire(rw)
			m := &hostMachine{w: w, timeout: c.opts.KeepaliveTimeout, log: c.opts.Logger, onSession: c.setSession, onLost: c.lost}
			err = runLink(ctx, rw, w, m, c.opts.KeepaliveInterval, false)
		}
		if ctx.Err() != nil {
			return
		}
		c.opts.Logger.Debug("agent port unavailable; retrying", "err", err)
		select {
		case <-time.After(250 * time.Millisecond):
		case <-ctx.Done():
			return
		}
	}
}

func (c *Client) broadcast() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Client) setSession(conn *sessionConn, h helloInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.broadcast()
	if h.Protocol != ProtocolVersion {
		c.incompatible = fmt.Errorf("%w: the agent (version %s) speaks protocol %d, this host speaks %d; put the matching goldsmith binary on the seed disk", ErrIncompatible, h.Version, h.Protocol, ProtocolVersion)
		conn.Close()
		return
	}
	mux, err := yamux.Client(conn, yamuxConfig())
	if err != nil {
		conn.Close()
		return
	}
	c.incompatible = nil
	c.sess = &clientSession{mux: mux, hello: h}
	c.opts.Logger.Info("agent session started", "boot", h.BootID, "host", h.Hostname, "version", h.Version)
}

func (c *Client) lost(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != nil {
		c.sess.mux.Close()
		c.sess = nil
	}
	c.lostAt, c.lostReason = time.Now(), reason
	c.opts.Logger.Info("agent session lost", "reason", reason)
	c.broadcast()
}

// waitSession returns a live session, waiting at most max after the last
// one was lost (max < 0: no limit but ctx).
func (c *Client) waitSession(ctx context.Context, max time.Duration) (*clientSession, error) {
	return c.waitFor(ctx, max, func(*clientSession) bool { return true })
}

func (c *Client) waitFor(ctx context.Context, max time.Duration, ok func(*clientSession) bool) (*clientSession, error) {
	for {
		c.mu.Lock()
		s, ch, lostAt, reason, inc, closed := c.sess, c.changed, c.lostAt, c.lostReason, c.incompatible, c.closed
		c.mu.Unlock()
		if closed {
			return nil, ErrClosed
		}
		if s != nil && !s.mux.IsClosed() && ok(s) {
			return s, nil
		}
		if inc != nil {
			return nil, inc
		}
		var t *time.Timer
		var timer <-chan time.Time
		if max >= 0 {
			left := time.Until(lostAt.Add(max))
			if left <= 0 {
				return nil, fmt.Errorf("%w: no session for %s (last: %s); check the VM's serial console", ErrGuestGone, max.Round(time.Millisecond), reason)
			}
			t = time.NewTimer(left)
			timer = t.C
		}
		select {
		case <-ch:
		case <-timer:
		case <-ctx.Done():
		}
		if t != nil {
			t.Stop()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
}

// call opens a stream and sends the request. cleanup ends the stream.
func (c *Client) call(ctx context.Context, op string, body any) (*streamConn, *clientSession, func(), error) {
	s, err := c.waitSession(ctx, c.opts.ReconnectTimeout)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("agent %s: %w", op, err)
	}
	st, err := s.mux.OpenStream()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("agent %s: %w", op, ErrSessionLost)
	}
	stop := context.AfterFunc(ctx, func() { st.SetDeadline(time.Now()) })
	cleanup := func() {
		stop()
		st.Close()
	}
	sc := newStreamConn(st)
	b, err := json.Marshal(body)
	if err == nil {
		err = sc.sendJSON(msgRequest, request{Op: op, Body: b})
	}
	if err != nil {
		cleanup()
		return nil, nil, nil, c.failed(ctx, s, op, err)
	}
	return sc, s, cleanup, nil
}

// failed explains an error on a stream: cancelled, session lost, or other.
func (c *Client) failed(ctx context.Context, s *clientSession, op string, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case s.mux.IsClosed():
		return fmt.Errorf("agent %s: %w", op, ErrSessionLost)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("agent %s: the agent ended the call early (see the agent's log in the guest journal)", op)
	}
	return err
}

// simple makes a call with one JSON reply.
func (c *Client) simple(ctx context.Context, op string, body, reply any) (*clientSession, error) {
	sc, s, cleanup, err := c.call(ctx, op, body)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if err := sc.recvJSON(op, msgReply, reply); err != nil {
		return nil, c.failed(ctx, s, op, err)
	}
	return s, nil
}

// Ping checks that the agent answers and returns the round-trip time.
func (c *Client) Ping(ctx context.Context) (time.Duration, error) {
	t := time.Now()
	_, err := c.simple(ctx, opPing, struct{}{}, nil)
	return time.Since(t), err
}

// Info describes the agent and its machine.
func (c *Client) Info(ctx context.Context) (*Info, error) {
	var in Info
	if _, err := c.simple(ctx, opInfo, struct{}{}, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// Reboot restarts the guest and returns when the agent answers again
// from the new boot (a different boot id), or after RebootTimeout.
func (c *Client) Reboot(ctx context.Context) error {
	before, err := c.Info(ctx)
	if err != nil {
		return err
	}
	if _, err := c.simple(ctx, opReboot, struct{}{}, nil); err != nil {
		return err
	}
	t := time.Now()
	wctx, cancel := context.WithTimeout(ctx, c.opts.RebootTimeout)
	defer cancel()
	_, err = c.waitFor(wctx, -1, func(s *clientSession) bool {
		return s.hello.BootID != before.BootID
	})
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w: it did not come back within %s", ErrGuestGone, c.opts.RebootTimeout)
	}
	if err != nil {
		return fmt.Errorf("wait for the guest to come back from its reboot: %w", err)
	}
	c.opts.Logger.Info("guest rebooted", "took", time.Since(t))
	return nil
}

// Shutdown powers the guest off and returns when its agent session ends.
func (c *Client) Shutdown(ctx context.Context) error {
	s, err := c.simple(ctx, opPowerOff, struct{}{}, nil)
	if err != nil {
		return err
	}
	select {
	case <-s.mux.CloseChan():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
