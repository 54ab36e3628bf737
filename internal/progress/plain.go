// Package progress shows what a build is doing: one plain timestamped line
// per event off a terminal, a live view on one.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

// Plain writes one timestamped line per event; safe for logs and CI.
type Plain struct {
	mu    sync.Mutex
	w     io.Writer
	now   func() time.Time
	start time.Time

	base         baseimage.Progress      // the last base image progress
	baseQuarters map[baseimage.Stage]int // the quarters of its step shown
}

// NewPlain returns a printer writing to w.
func NewPlain(w io.Writer) *Plain {
	return &Plain{w: w, now: time.Now, start: time.Now()}
}

func (p *Plain) line(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s %s\n", p.now().UTC().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// StepStarted implements workflow.Observer.
func (p *Plain) StepStarted(name string) { p.line("==> %s", name) }

// StepFinished implements workflow.Observer.
func (p *Plain) StepFinished(t workflow.Timing) {
	switch t.Status {
	case "success":
		p.line("<== %s done in %s", t.Step, t.Duration.Round(time.Millisecond))
		return
	case "skipped":
		p.line("<== %s skipped: %s", t.Step, t.Note)
		return
	}
	p.line("<== %s %s after %s", t.Step, t.Status, t.Duration.Round(time.Millisecond))
}

// ComponentEvent implements workflow.Reporter.
func (p *Plain) ComponentEvent(c *workflow.Component, stage string, e toe.Event) {
	switch e.Kind {
	case toe.EventStepStart:
		p.line("    %s/%s %s (%s)", c.Name, e.Phase, e.Step, e.Action)
	case toe.EventStepOutput:
		p.line("    %s/%s %s | %s", c.Name, e.Phase, e.Step, e.Line)
	case toe.EventStepEnd:
		msg := ""
		if e.Message != "" {
			msg = ": " + e.Message
		}
		p.line("    %s/%s %s %s in %s%s", c.Name, e.Phase, e.Step, e.Status, e.Duration.Round(time.Millisecond), msg)
	case toe.EventReboot:
		p.line("    %s/%s %s: rebooting the VM", c.Name, e.Phase, e.Step)
	}
}

// Logf implements workflow.Reporter.
func (p *Plain) Logf(format string, args ...any) { p.line("    "+format, args...) }
