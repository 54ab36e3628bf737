package toe

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"
)

// console writes AWSTOE-style log lines ("2006-01-02 15:04:05 Info msg",
// UTC) to the terminal and console.log at once.
type console struct {
	mu  sync.Mutex
	out io.Writer
	now func() time.Time
}

func (c *console) line(level, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, "%s %s %s\n", c.now().UTC().Format(time.DateTime), level, msg)
}

// stepWriter turns a step's raw output into console lines tagged with the
// step, and passes each line to onLine.
type stepWriter struct {
	c      *console
	tag    string
	onLine func(string)
	mu     sync.Mutex
	buf    bytes.Buffer
}

func (w *stepWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		i := bytes.IndexByte(w.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		line := string(w.buf.Next(i + 1))
		w.emit(line[:len(line)-1])
	}
	// Keep a runaway line without newlines from growing without bound.
	if w.buf.Len() > 64<<10 {
		w.emit(w.buf.String())
		w.buf.Reset()
	}
	return len(p), nil
}

func (w *stepWriter) emit(line string) {
	w.c.line("Info", "[%s] %s", w.tag, line)
	if w.onLine != nil {
		w.onLine(line)
	}
}

// Flush writes a final partial line.
func (w *stepWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() > 0 {
		w.emit(w.buf.String())
		w.buf.Reset()
	}
}
