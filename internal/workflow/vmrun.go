package workflow

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
)

// tailLines is how many output lines of a failed step a failure shows.
const tailLines = 15

var slugRe = regexp.MustCompile(`[^a-z0-9-]+`)

func slug(s string) string {
	return strings.Trim(slugRe.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// runComponent runs one phase of one component in a VM through its agent,
// streams its events to the reporter, stores its run folder under
// OUTDIR/logs and turns a failed step into a *Failure naming it.
func (b *vmBuild) runComponent(ctx context.Context, client *agent.Client, c *Component, phase string) error {
	name := fmt.Sprintf("%02d-%s", c.Index+1, slug(c.Name))
	req := agent.RunRequest{
		Documents:   []agent.Document{{Name: c.Name, Data: c.Doc.Raw, Parameters: c.Parameters}},
		Phases:      []string{phase},
		ExecutionID: phase + "-" + name,
		WorkDir:     b.opts.Recipe.WorkingDirectory,
	}
	tails := map[string][]string{}
	res, err := client.Run(ctx, req, func(e toe.Event) {
		b.opts.Reporter.ComponentEvent(c, phase, e)
		switch e.Kind {
		case toe.EventStepStart:
			tails[e.Step] = nil
		case toe.EventStepOutput:
			t := append(tails[e.Step], e.Line)
			if len(t) > tailLines {
				t = t[len(t)-tailLines:]
			}
			tails[e.Step] = t
		}
	})
	if err != nil && !(errors.Is(err, toe.ErrFailed) && res != nil && res.Report != nil) {
		return fmt.Errorf("run %s (%s phase) in the VM: %w", c.Name, phase, err)
	}
	b.recordPhase(c, phase, res.Report)
	// The runner's folder keeps its awstoe name: logs/<phase>/<NN-component>/TOE_.../
	dst := filepath.Join(b.opts.OutDir, "logs", phase, name, filepath.Base(res.RunDir))
	if err := b.fetchLogs(ctx, client, res.RunDir, dst); err != nil {
		b.opts.Reporter.Logf("could not fetch the runner's logs of %s: %v", c.Name, err)
	}
	if res.Summary.Status.OK() {
		return nil
	}
	f := &Failure{Component: c.Name, Phase: phase, Message: res.Summary.FailureMessage}
	if _, _, st := res.Report.Failure(); st != nil {
		f.Step, f.Action, f.Message, f.Tail = st.Name, st.Action, st.FailureMessage, tails[st.Name]
	}
	b.failure = f
	return f
}

func (b *vmBuild) recordPhase(c *Component, phase string, rep *toe.Report) {
	if rep == nil {
		return
	}
	for _, d := range rep.Documents {
		for _, p := range d.Phases {
			pt := PhaseTiming{Component: c.Name, Phase: p.Name, Status: string(p.Status), Duration: p.EndTime.Sub(p.StartTime.Time)}
			for _, s := range p.Steps {
				pt.Steps = append(pt.Steps, StepTiming{Name: s.Name, Action: s.Action, Status: string(s.Status), Duration: s.EndTime.Sub(s.StartTime.Time)})
			}
			b.manifest.Timings.Phases = append(b.manifest.Timings.Phases, pt)
		}
	}
}

// fetchLogs copies a guest folder (a tar stream from the agent) to dst.
func (b *vmBuild) fetchLogs(ctx context.Context, client *agent.Client, guestDir, dst string) error {
	f, err := client.GetDir(ctx, guestDir)
	if err != nil {
		return err
	}
	defer f.Close()
	return untar(f, dst)
}

// untar extracts regular files and folders, refusing paths that escape dst.
func untar(r io.Reader, dst string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("refusing tar entry %q outside the log folder", h.Name)
		}
		p := filepath.Join(dst, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}

func hashReader(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// exec runs a command in the guest and returns its combined output.
func execGuest(ctx context.Context, c *agent.Client, script string) (string, error) {
	var out bytes.Buffer
	code, err := c.Exec(ctx, agent.ExecRequest{Argv: []string{"bash", "-c", script}}, agent.Stdio{Stdout: &out, Stderr: &out})
	if err != nil {
		return out.String(), err
	}
	if code != 0 {
		return out.String(), fmt.Errorf("exit status %d: %s", code, lastLines(out.String(), 5))
	}
	return out.String(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitStopped waits for a VM to power off after the guest was told to.
func waitStopped(ctx context.Context, done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}
