package agent

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// errLinkClosed is returned by a session's Read and Write once the session
// is over (the other side went away, restarted or stopped answering).
var errLinkClosed = errors.New("the agent session ended")

// maxFrameWait is how long the decoder waits for the rest of a frame whose
// header arrived. A sender that died mid-frame leaves such a stub; after
// this long it is skipped as garbage.
const maxFrameWait = 3 * time.Second

// wire is a link's single writer: frames go out whole and in order.
// Control frames are dropped when the queue is full (they are repeated
// anyway); session data waits, so the multiplexer sees back-pressure.
type wire struct {
	w    io.Writer
	ctrl chan []byte
	data chan dataFrame
	done chan struct{}
	err  error // set before done is closed
}

type dataFrame struct {
	b    []byte
	conn *sessionConn
}

func newWire(w io.Writer) *wire {
	return &wire{w: w, ctrl: make(chan []byte, 16), data: make(chan dataFrame), done: make(chan struct{})}
}

func (w *wire) run() {
	defer close(w.done)
	for {
		var b []byte
		// Control frames first: a welcome must not be overtaken by the
		// session data that follows it, nor a resync by data.
		select {
		case b = <-w.ctrl:
			if b == nil {
				return
			}
			if _, err := w.w.Write(b); err != nil {
				w.err = err
				return
			}
			continue
		default:
		}
		select {
		case b = <-w.ctrl:
		case d := <-w.data:
			if d.conn.isClosed() {
				continue
			}
			b = d.b
		}
		if b == nil {
			return
		}
		if _, err := w.w.Write(b); err != nil {
			w.err = err
			return
		}
	}
}

// control queues a control frame, dropping it when the writer is behind.
func (w *wire) control(typ byte, sid uint64, payload []byte) {
	select {
	case w.ctrl <- appendFrame(nil, typ, sid, payload):
	default:
	}
}

// sessionConn is one session's byte stream, carried in data frames; the
// multiplexer runs over it. Closing it ends the session for both.
type sessionConn struct {
	sid  uint64
	w    *wire
	mu   sync.Mutex
	cond *sync.Cond
	in   [][]byte
	done chan struct{}
	once sync.Once
}

func newSessionConn(sid uint64, w *wire) *sessionConn {
	c := &sessionConn{sid: sid, w: w, done: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *sessionConn) deliver(p []byte) {
	c.mu.Lock()
	c.in = append(c.in, p)
	c.mu.Unlock()
	c.cond.Signal()
}

func (c *sessionConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.in) == 0 {
		if c.isClosed() {
			return 0, errLinkClosed
		}
		c.cond.Wait()
	}
	n := copy(p, c.in[0])
	if n == len(c.in[0]) {
		c.in[0] = nil
		c.in = c.in[1:]
	} else {
		c.in[0] = c.in[0][n:]
	}
	return n, nil
}

func (c *sessionConn) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := min(len(p), maxPayload)
		select {
		case c.w.data <- dataFrame{b: appendFrame(nil, frameData, c.sid, p[:n]), conn: c}:
		case <-c.done:
			return written, errLinkClosed
		case <-c.w.done:
			return written, errLinkClosed
		}
		written += n
		p = p[n:]
	}
	return written, nil
}

func (c *sessionConn) Close() error {
	c.once.Do(func() {
		close(c.done)
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	return nil
}

func (c *sessionConn) isClosed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// machine is one side's handshake and keepalive logic. Its methods are
// called from a single goroutine.
type machine interface {
	start(now time.Time)
	handle(f frame, now time.Time)
	tick(now time.Time)
	stop()
}

// runLink reads frames from rw and drives m until ctx ends or rw fails.
// With eofIdle, end of file means "nobody on the other end yet" (a
// virtio-serial port whose host is not connected reads as EOF) and
// reading continues after a pause.
func runLink(ctx context.Context, rw io.ReadWriteCloser, w *wire, m machine, interval time.Duration, eofIdle bool) error {
	chunks := make(chan []byte)
	readErr := make(chan error, 1)
	stopRead := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		buf := make([]byte, 64<<10)
		for {
			n, err := rw.Read(buf)
			if n > 0 {
				select {
				case chunks <- append([]byte(nil), buf[:n]...):
				case <-stopRead:
					return
				}
			}
			if errors.Is(err, io.EOF) && eofIdle {
				select {
				case <-time.After(100 * time.Millisecond):
					continue
				case <-stopRead:
					return
				}
			}
			if err != nil {
				readErr <- err
				return
			}
		}
	}()
	go w.run()
	defer func() {
		close(stopRead)
		m.stop() // may queue a goodbye: let the writer send it first
		select {
		case w.ctrl <- nil:
		case <-w.done:
		case <-time.After(time.Second):
		}
		select {
		case <-w.done:
		case <-time.After(time.Second):
		}
		rw.Close()
		// The port may be opened again: do not leave a reader behind that
		// would steal its bytes.
		select {
		case <-readerDone:
		case <-time.After(time.Second):
		}
	}()
	tk := time.NewTicker(interval)
	defer tk.Stop()
	var dec decoder
	var pendingSince time.Time
	m.start(time.Now())
	drain := func(now time.Time) {
		for {
			f, ok := dec.next()
			if !ok {
				break
			}
			m.handle(f, now)
		}
		switch {
		case !dec.pending():
			pendingSince = time.Time{}
		case pendingSince.IsZero():
			pendingSince = now
		}
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return err
		case <-w.done:
			return w.err
		case b := <-chunks:
			dec.feed(b)
			drain(time.Now())
		case now := <-tk.C:
			if !pendingSince.IsZero() && now.Sub(pendingSince) > maxFrameWait {
				dec.abandon()
				pendingSince = time.Time{}
				drain(now)
			}
			m.tick(now)
		}
	}
}
