package action

import (
	"errors"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// errKeptOpen: the child exited, but its output pipe stayed open and
// silent (a background process holds it).
var errKeptOpen = errors.New("the output pipe stayed open after the process ended")

// drain reads a child's output pipe into a writer. Unlike exec.Cmd's own
// copying, whose WaitDelay cuts the copy off a fixed time after the child
// exits, it reads everything the pipe holds however slow the writer is,
// and stops early only when the pipe stays silent (see finishAll).
type drain struct {
	r, w *os.File
	dst  io.Writer
	idle atomic.Int64 // once the child has ended: the silence allowed, in ns
	done chan error
}

// newDrain makes the pipe; give w to the child, then call started, and
// finishAll once the child has ended (or could not start).
func newDrain(dst io.Writer) (*drain, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	d := &drain{r: r, w: w, dst: dst, done: make(chan error, 1)}
	go d.copy()
	return d, nil
}

func (d *drain) copy() {
	buf := make([]byte, 32<<10)
	for {
		if idle := d.idle.Load(); idle > 0 {
			_ = d.r.SetReadDeadline(time.Now().Add(time.Duration(idle)))
		}
		n, err := d.r.Read(buf)
		if n > 0 {
			_, _ = d.dst.Write(buf[:n]) // a failing console must not stop the step
		}
		switch {
		case errors.Is(err, io.EOF):
			d.done <- nil
			return
		case errors.Is(err, os.ErrDeadlineExceeded):
			d.done <- errKeptOpen
			return
		case err != nil:
			d.done <- err
			return
		}
	}
}

// started closes this process's copy of the write end (the child has its
// own), so that the pipe ends when the child and its children close it.
func (d *drain) started() { d.w.Close() }

// finishAll waits, once the child has ended, until each pipe is read to
// its end, or has been silent for idle (all pipes' silence counts from
// now), and returns the pipes' errors in order.
func finishAll(idle time.Duration, ds ...*drain) []error {
	for _, d := range ds {
		d.idle.Store(int64(idle))
		_ = d.r.SetReadDeadline(time.Now().Add(idle)) // wakes a read that waits already
	}
	errs := make([]error, len(ds))
	for i, d := range ds {
		errs[i] = <-d.done
		d.r.Close()
	}
	return errs
}
