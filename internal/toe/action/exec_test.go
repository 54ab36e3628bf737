package action

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// sysConsole is a console safe to read while a process may write to it.
type sysConsole struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (c *sysConsole) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.Write(p)
}

func (c *sysConsole) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}

func sysEnv(t *testing.T) (*Env, *sysConsole) {
	t.Helper()
	c := &sysConsole{}
	return &Env{Console: c, Log: slog.New(slog.DiscardHandler), ScratchDir: t.TempDir()}, c
}

func sysInputs(t *testing.T, yml string) *component.Value {
	t.Helper()
	v, err := component.ParseYAML([]byte(yml))
	if err != nil {
		t.Fatalf("ParseYAML: %v", err)
	}
	return v
}

// sysRun runs module with inputs written as YAML.
func sysRun(t *testing.T, ctx context.Context, env *Env, module, yml string) (Output, error) {
	t.Helper()
	m, ok := Lookup(module)
	if !ok {
		t.Fatalf("module %s not registered", module)
	}
	return m.Run(ctx, env, sysInputs(t, yml))
}

func TestExecuteBash(t *testing.T) {
	t.Parallel()
	workDir := t.TempDir()
	cases := []struct {
		name       string
		inputs     string
		workDir    string
		wantOut    string
		wantErr    string // substring; "" means success
		wantCode   int    // exit code in an *exec.ExitError, when wantErr is set
		wantReboot bool
		console    []string // substrings of the console
	}{
		{name: "stdout trimmed", inputs: `commands: ["echo hello"]`, wantOut: "hello"},
		{name: "one newline trimmed", inputs: `commands: ["printf 'a\n\n'"]`, wantOut: "a\n"},
		{name: "no newline", inputs: `commands: ["printf 'no newline'"]`, wantOut: "no newline"},
		{name: "one script", inputs: `commands: ["X=41", "echo $((X+1))"]`, wantOut: "42"},
		{name: "block scalar", inputs: "commands:\n  - |\n    for i in 1 2; do\n      echo $i\n    done\n", wantOut: "1\n2"},
		{name: "failing middle command does not stop", inputs: `commands: ["false", "echo after"]`, wantOut: "after"},
		{name: "stderr to console only", inputs: `commands: ["echo out", "echo err >&2"]`, wantOut: "out", console: []string{"out\n", "err\n"}},
		{name: "workdir", inputs: `commands: ["pwd"]`, workDir: workDir, wantOut: workDir},
		{name: "non-zero exit", inputs: `commands: ["echo partial", "exit 3"]`, wantOut: "partial", wantErr: "exit status 3", wantCode: 3},
		{name: "set -e", inputs: `commands: ["set -e", "false", "echo never"]`, wantErr: "exit status 1", wantCode: 1},
		{name: "reboot", inputs: `commands: ["echo before reboot", "exit 194"]`, wantOut: "before reboot", wantReboot: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env, console := sysEnv(t)
			env.WorkDir = tc.workDir
			out, err := sysRun(t, t.Context(), env, "ExecuteBash", tc.inputs)
			var reboot *RebootRequest
			switch {
			case tc.wantReboot:
				if !errors.As(err, &reboot) || !reboot.Rerun || reboot.Delay != 0 {
					t.Fatalf("err = %v, want *RebootRequest{Rerun: true}", err)
				}
			case tc.wantErr != "":
				var exitErr *exec.ExitError
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &exitErr) || exitErr.ExitCode() != tc.wantCode {
					t.Fatalf("err = %v, want %q with exit code %d", err, tc.wantErr, tc.wantCode)
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			}
			if got := out["stdout"]; got != tc.wantOut {
				t.Errorf("stdout = %q, want %q", got, tc.wantOut)
			}
			for _, want := range tc.console {
				if !strings.Contains(console.String(), want) {
					t.Errorf("console %q lacks %q", console.String(), want)
				}
			}
			if strings.Contains(tc.name, "stderr") && strings.Contains(out["stdout"].(string), "err") {
				t.Errorf("stderr leaked into stdout output: %q", out["stdout"])
			}
		})
	}
}

func TestExecuteBashTimeoutKillsTree(t *testing.T) {
	t.Parallel()
	env, _ := sysEnv(t)
	pidFile := filepath.Join(env.ScratchDir, "grandchild.pid")
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := sysRun(t, ctx, env, "ExecuteBash", `commands: ["sleep 30 & echo $! > `+pidFile+`", "sleep 30; wait"]`)
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a wrapped context.DeadlineExceeded", err)
	}
	if elapsed > 2*time.Second {
		t.Errorf("Run took %v after a 300ms timeout", elapsed)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("grandchild pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("grandchild pid %q: %v", data, err)
	}
	// Killed processes may linger briefly as zombies until reaped.
	deadline := time.Now().Add(3 * time.Second)
	for !sysProcessGone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d (sleep 30) still running after the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sysProcessGone reports whether pid no longer exists or is a zombie.
func sysProcessGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return os.IsNotExist(err)
	}
	// pid (comm) state ...; comm may contain spaces, so look after ")".
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && strings.HasPrefix(s[i:], ") Z")
}

func TestExecuteBashCancel(t *testing.T) {
	t.Parallel()
	env, _ := sysEnv(t)
	ctx, cancel := context.WithCancelCause(t.Context())
	time.AfterFunc(100*time.Millisecond, func() { cancel(errors.New("interrupted")) })
	_, err := sysRun(t, ctx, env, "ExecuteBash", `commands: ["sleep 30"]`)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err = %v, want context.Canceled with its cause", err)
	}
}

func TestExecuteBinary(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		inputs     string
		wantOut    string
		wantErr    string
		wantReboot bool
	}{
		{name: "arguments without a shell", inputs: `{path: echo, arguments: ["a  b", "$HOME", "c"]}`, wantOut: "a  b $HOME c"},
		{name: "absolute path", inputs: `{path: /bin/sh, arguments: ["-c", "printf 'x\n'"]}`, wantOut: "x"},
		{name: "no arguments", inputs: `{path: "true"}`, wantOut: ""},
		{name: "exit code", inputs: `{path: sh, arguments: ["-c", "exit 7"]}`, wantErr: "exit status 7"},
		{name: "reboot", inputs: `{path: sh, arguments: ["-c", "exit 194"]}`, wantReboot: true},
		{name: "missing program", inputs: `{path: /nonexistent/program}`, wantErr: "no such file"},
		{name: "missing path", inputs: `{arguments: [x]}`, wantErr: "inputs.path: required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env, _ := sysEnv(t)
			out, err := sysRun(t, t.Context(), env, "ExecuteBinary", tc.inputs)
			var reboot *RebootRequest
			switch {
			case tc.wantReboot:
				if !errors.As(err, &reboot) || !reboot.Rerun {
					t.Fatalf("err = %v, want *RebootRequest{Rerun: true}", err)
				}
				return
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			case err != nil:
				t.Fatalf("err = %v", err)
			}
			if got := out["stdout"]; got != tc.wantOut {
				t.Errorf("stdout = %q, want %q", got, tc.wantOut)
			}
		})
	}
}

func TestProcessHelpers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "a": "a", "a\n": "a", "a\n\n": "a\n", "a\r\n": "a", "\n": "", "a\r": "a\r"} {
		if got := trimOneNewline(in); got != want {
			t.Errorf("trimOneNewline(%q) = %q, want %q", in, got, want)
		}
	}
	c := &cappedBuffer{max: 5}
	for _, s := range []string{"abc", "defg", "hij"} {
		if n, err := c.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if c.String() != "abcde" || c.dropped != 5 {
		t.Errorf("cappedBuffer = %q dropped %d, want \"abcde\" dropped 5", c.String(), c.dropped)
	}
	if got := rebootExitCodes("windows"); len(got) != 1 || got[0] != 3010 {
		t.Errorf("rebootExitCodes(windows) = %v", got)
	}
	if got := rebootExitCodes("linux"); len(got) != 1 || got[0] != RebootExitCode {
		t.Errorf("rebootExitCodes(linux) = %v", got)
	}
}

// TestProcessBackgroundDaemon: a script that leaves a background process
// holding stdout still finishes, after processWaitDelay at most.
func TestProcessBackgroundDaemon(t *testing.T) {
	t.Parallel()
	env, _ := sysEnv(t)
	start := time.Now()
	out, err := sysRun(t, t.Context(), env, "ExecuteBash", `commands: ["(sleep 5; echo late) &", "echo done"]`)
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if out["stdout"] != "done" {
		t.Errorf("stdout = %q, want %q", out["stdout"], "done")
	}
	if d := time.Since(start); d > processWaitDelay+2*time.Second {
		t.Errorf("Run took %v; WaitDelay did not stop the wait", d)
	}
}

// slowConsole takes longer than processWaitDelay for every write, like a
// console streamed to the host from a loaded TCG guest.
type slowConsole struct{ n atomic.Int64 }

func (c *slowConsole) Write(p []byte) (int, error) {
	time.Sleep(processWaitDelay + processWaitDelay/4)
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// TestProcessSlowConsole: output the child wrote before it exited reaches
// the console and the step's output in full, even when passing it on takes
// longer than processWaitDelay after the child is gone (the last lines of
// a sorted file listing were lost that way under load).
func TestProcessSlowConsole(t *testing.T) {
	t.Parallel()
	env, _ := sysEnv(t)
	slow := &slowConsole{}
	env.Console = slow
	const size = 70000
	out, err := sysRun(t, t.Context(), env, "ExecuteBash", fmt.Sprintf(`commands: ["head -c %d /dev/zero | tr '\\0' x; echo; echo END"]`, size))
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if got, _ := out["stdout"].(string); len(got) != size+4 || !strings.HasSuffix(got, "\nEND") {
		t.Errorf("stdout has %d bytes ending %q, want %d ending \\nEND", len(got), got[max(0, len(got)-8):], size+4)
	}
	if got := slow.n.Load(); got != size+5 {
		t.Errorf("the console got %d bytes, want %d", got, size+5)
	}
}
