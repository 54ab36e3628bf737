package action

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// process is one child process a step runs.
type process struct {
	name string   // program: a path, or a name looked up on PATH
	args []string // arguments after the program
	env  []string // extra KEY=value pairs on top of the runner's environment
	// rebootCodes are exit codes that mean "reboot, then run this step
	// again" (194 on Linux, 3010 on Windows; see rebootExitCodes).
	rebootCodes []int
	// okCodes are non-zero exit codes that still mean success
	// (zypper's informational 100-106, MSI's 1641, ...).
	okCodes []int
}

// processWaitDelay is how long, once the child has exited or been killed,
// its stdout and stderr may stay silent before they are no longer read. A
// grandchild that escaped the process group, or a daemon a script started
// in the background, may hold the pipes open for ever; after this much
// silence they are closed (the daemon keeps running but gets EPIPE if it
// writes to them again). Output that is already there is always read in
// full, however slow the console that receives it: the delay counts
// silence, not the time it takes to pass the output on.
const processWaitDelay = 2 * time.Second

// maxCapturedStdout caps the stdout kept for the step's output. The console
// still gets everything. UNCONFIRMED: AWSTOE documents no limit; 16 MiB
// keeps a runaway `yes` from exhausting memory while being far above what
// anyone chains into another step.
const maxCapturedStdout = 16 << 20

// rebootExitCodes are the exit codes that ask for reboot-and-rerun on goos:
// 3010 on Windows, RebootExitCode (194) elsewhere. Note 3010 & 0xff == 194,
// so a PowerShell `exit 3010` on Linux arrives as 194 and still works.
func rebootExitCodes(goos string) []int {
	if goos == "windows" {
		return []int{3010}
	}
	return []int{RebootExitCode}
}

// envOS is the platform the step runs on.
func envOS(env *Env) string {
	if env.OS != "" {
		return env.OS
	}
	return HostOS
}

// envLog is env.Log, or a logger that drops everything.
func envLog(env *Env) *slog.Logger {
	if env.Log != nil {
		return env.Log
	}
	return slog.New(slog.DiscardHandler)
}

// runProcess runs p for a step and returns its stdout, with one trailing
// newline ("\n" or "\r\n") removed.
//
// The child runs in env.WorkDir, in its own process group; stdout goes live
// to env.Console and is captured, stderr goes only to env.Console. When ctx
// is done (step timeout, Ctrl-C) the whole process group is killed with
// SIGKILL and the returned error wraps ctx.Err() (and its cause, if
// different), so errors.Is(err, context.DeadlineExceeded) tells a timeout.
// An exit code in p.rebootCodes returns *RebootRequest{Rerun: true}; any
// other non-zero code returns an error wrapping *exec.ExitError, whose text
// ends in "exit status N".
func runProcess(ctx context.Context, env *Env, p process) (string, error) {
	cmd := exec.CommandContext(ctx, p.name, p.args...)
	cmd.Dir = env.WorkDir
	if len(p.env) > 0 {
		cmd.Env = append(os.Environ(), p.env...)
	}
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return killProcessGroup(cmd) }
	cmd.WaitDelay = processWaitDelay // from Cancel to SIGKILL of the child itself

	console := env.Console
	if console == nil {
		console = io.Discard
	}
	// stdout and stderr are copied by two goroutines; serialise them so
	// Console needs no locking of its own.
	lw := &lockedWriter{w: console}
	capture := &cappedBuffer{max: maxCapturedStdout}
	stdout, err := newDrain(io.MultiWriter(lw, capture))
	if err != nil {
		return "", err
	}
	stderr, err := newDrain(lw)
	if err != nil {
		stdout.started()
		finishAll(processWaitDelay, stdout) // no writer left: ends at once
		return "", err
	}
	cmd.Stdout, cmd.Stderr = stdout.w, stderr.w

	log := envLog(env)
	start := time.Now()
	err = cmd.Start()
	stdout.started()
	stderr.started()
	if err != nil {
		finishAll(processWaitDelay, stdout, stderr) // no writer left: ends at once
		return "", fmt.Errorf("start %s: %w", p.name, err)
	}
	log.Debug("process started", "cmd", p.name, "args", p.args, "pid", cmd.Process.Pid, "dir", cmd.Dir)
	err = cmd.Wait()
	if errs := finishAll(processWaitDelay, stdout, stderr); errors.Is(errs[0], errKeptOpen) || errors.Is(errs[1], errKeptOpen) {
		// The child ended, but something it started kept the output pipes
		// open; the step's result does not wait for it.
		log.Warn("a background process kept the step's output open; stopped reading it", "cmd", p.name, "after", processWaitDelay)
	}
	out := trimOneNewline(capture.String())
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	log.Debug("process ended", "cmd", p.name, "pid", cmd.Process.Pid, "exit", code, "elapsed", time.Since(start))
	if capture.dropped > 0 {
		log.Warn("stdout too large; the step output keeps only the start", "cmd", p.name, "kept", capture.max, "dropped", capture.dropped)
	}

	if ctxErr := ctx.Err(); ctxErr != nil {
		if cause := context.Cause(ctx); cause != nil && cause != ctxErr {
			return out, fmt.Errorf("%s was killed: %w (%w)", filepath.Base(p.name), ctxErr, cause)
		}
		return out, fmt.Errorf("%s was killed: %w", filepath.Base(p.name), ctxErr)
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		c := exitErr.ExitCode()
		switch {
		case slices.Contains(p.rebootCodes, c):
			return out, &RebootRequest{Rerun: true}
		case slices.Contains(p.okCodes, c):
			return out, nil
		}
		return out, fmt.Errorf("%s: %w", filepath.Base(p.name), exitErr)
	}
	if err != nil {
		return out, fmt.Errorf("%s: %w", filepath.Base(p.name), err)
	}
	return out, nil
}

func trimOneNewline(s string) string {
	if len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
		if len(s) > 0 && s[len(s)-1] == '\r' {
			s = s[:len(s)-1]
		}
	}
	return s
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// cappedBuffer keeps the first max bytes written and counts the rest.
type cappedBuffer struct {
	buf     bytes.Buffer
	max     int
	dropped int64
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := c.max - c.buf.Len()
	if room >= len(p) {
		return c.buf.Write(p)
	}
	if room > 0 {
		c.buf.Write(p[:room])
	} else {
		room = 0
	}
	c.dropped += int64(len(p) - room)
	return len(p), nil
}

func (c *cappedBuffer) String() string { return c.buf.String() }
