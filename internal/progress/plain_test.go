package progress

import (
	"bytes"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/toe"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

// TestPlain checks the off-terminal output: one timestamped line per event.
func TestPlain(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := NewPlain(&buf)
	p.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC) }
	c := &workflow.Component{Name: "nginx"}
	p.StepStarted("build:nginx")
	p.ComponentEvent(c, "build", toe.Event{Kind: toe.EventStepStart, Phase: "build", Step: "Install", Action: "ExecuteBash"})
	p.ComponentEvent(c, "build", toe.Event{Kind: toe.EventStepOutput, Phase: "build", Step: "Install", Line: "Setting up nginx"})
	p.ComponentEvent(c, "build", toe.Event{Kind: toe.EventStepEnd, Phase: "build", Step: "Install", Status: toe.StatusFailed, Duration: 1500 * time.Millisecond, Message: "exit status 1"})
	p.ComponentEvent(c, "build", toe.Event{Kind: toe.EventReboot, Phase: "build", Step: "Install"})
	p.StepFinished(workflow.Timing{Step: "build:nginx", Status: "failed", Duration: 2 * time.Second})
	p.Logf("accelerator: %s", "tcg")
	want := `03:04:05.006 ==> build:nginx
03:04:05.006     nginx/build Install (ExecuteBash)
03:04:05.006     nginx/build Install | Setting up nginx
03:04:05.006     nginx/build Install failed in 1.5s: exit status 1
03:04:05.006     nginx/build Install: rebooting the VM
03:04:05.006 <== build:nginx failed after 2s
03:04:05.006     accelerator: tcg
`
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}
