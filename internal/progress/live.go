package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

// tailSize is how many output lines of the running step the live view shows.
const tailSize = 5

// Live is the terminal view: finished build steps scroll up as lines; at
// the bottom a spinner shows the build step, the component, phase and
// step running in the VM, the elapsed time, and the tail of the step's
// output.
type Live struct {
	p     *mpb.Progress
	bar   *mpb.Bar
	mu    sync.Mutex
	step  string // build step
	where string // component/phase step
	since time.Time
	tail  []string

	baseBars map[baseimage.Stage]*baseBar // the base image stages running
}

// NewLive starts a live view on a terminal.
func NewLive(w io.Writer) *Live { return newLive(w) }

// newLive is NewLive with more container options (tests render to a
// buffer: mpb.WithAutoRefresh and a width).
func newLive(w io.Writer, opts ...mpb.ContainerOption) *Live {
	l := &Live{since: time.Now()}
	l.p = mpb.New(append([]mpb.ContainerOption{mpb.WithOutput(w), mpb.WithWidth(1), mpb.WithRefreshRate(150 * time.Millisecond)}, opts...)...)
	l.bar = l.p.New(0, mpb.SpinnerStyle(), mpb.BarFillerOnComplete(""),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return l.status() })))
	return l
}

func (l *Live) status() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, " %s", l.step)
	if l.where != "" {
		fmt.Fprintf(&b, " · %s", l.where)
	}
	fmt.Fprintf(&b, " · %s", time.Since(l.since).Round(time.Second))
	for _, t := range l.tail {
		if len(t) > 160 {
			t = t[:160] + "…"
		}
		fmt.Fprintf(&b, "\n   │ %s", t)
	}
	return b.String()
}

func (l *Live) println(format string, args ...any) {
	fmt.Fprintf(l.p, format+"\n", args...)
}

// StepStarted implements workflow.Observer.
func (l *Live) StepStarted(name string) {
	l.mu.Lock()
	l.step, l.where, l.since, l.tail = name, "", time.Now(), nil
	l.mu.Unlock()
}

// StepFinished implements workflow.Observer.
func (l *Live) StepFinished(t workflow.Timing) {
	if t.Status == "skipped" {
		l.println("↷ %-28s %8s  %s", t.Step, "", t.Note)
		return
	}
	mark := "✓"
	if t.Status != "success" {
		mark = "✗"
	}
	l.println("%s %-28s %8s", mark, t.Step, t.Duration.Round(100*time.Millisecond))
	if t.Step == "sbom" || t.Status != "success" {
		l.Close()
	}
}

// ComponentEvent implements workflow.Reporter.
func (l *Live) ComponentEvent(c *workflow.Component, stage string, e toe.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch e.Kind {
	case toe.EventStepStart:
		l.where, l.tail = fmt.Sprintf("%s/%s %s", c.Name, e.Phase, e.Step), nil
	case toe.EventStepOutput:
		l.tail = append(l.tail, e.Line)
		if len(l.tail) > tailSize {
			l.tail = l.tail[len(l.tail)-tailSize:]
		}
	case toe.EventStepEnd:
		if e.Status != toe.StatusSuccess && e.Status != toe.StatusSkipped {
			go l.println("  ✗ %s/%s %s: %s", c.Name, e.Phase, e.Step, e.Message)
		}
	}
}

// Logf implements workflow.Reporter.
func (l *Live) Logf(format string, args ...any) { l.println("  "+format, args...) }

// Close stops the view.
func (l *Live) Close() {
	l.bar.Abort(true)
	go l.p.Wait()
}
