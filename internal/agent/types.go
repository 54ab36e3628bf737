package agent

import (
	"io"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/toe"
)

// Document is one component document to run, as bytes: the agent parses
// and validates it with the same code as `goldsmith toe validate`.
type Document struct {
	// Name is the document's location as shown in reports and errors.
	Name string `json:"name"`
	// Data is the YAML document.
	Data []byte `json:"data"`
	// Parameters are per-document values; they win over
	// RunRequest.Parameters.
	Parameters map[string]string `json:"parameters,omitempty"`
}

// RunRequest runs documents in the guest with toe.Run.
type RunRequest struct {
	Documents []Document `json:"documents"`
	// Phases selects phases by name; empty runs all, in document order.
	Phases []string `json:"phases,omitempty"`
	// Parameters apply to every document.
	Parameters map[string]string `json:"parameters,omitempty"`
	// ExecutionID names the run and makes the request idempotent: sending
	// the same request again attaches to the run instead of starting a
	// second one. Default: a random UUID chosen by the client.
	ExecutionID string `json:"executionId"`
	// WorkDir is where commands run; default the agent's directory.
	WorkDir string `json:"workDir,omitempty"`
	// LogDir is the parent of the run folder; default
	// STATE_DIR/logs on the agent.
	LogDir string `json:"logDir,omitempty"`
}

// RunResult is a finished run.
type RunResult struct {
	Report  *toe.Report `json:"report"`
	Summary toe.Summary `json:"summary"`
	// RunDir is the run folder in the guest (fetch it with GetDir).
	RunDir string `json:"runDir"`
}

// Info describes the agent and its machine.
type Info struct {
	Protocol int           `json:"protocol"`
	Version  string        `json:"version"`
	Hostname string        `json:"hostname"`
	BootID   string        `json:"bootId"` // changes on every boot
	Uptime   time.Duration `json:"uptime"` // of the machine
	OS       string        `json:"os"`
	Arch     string        `json:"arch"`
	PID      int           `json:"pid"`
}

// ExecRequest runs one command in the guest.
type ExecRequest struct {
	Argv []string `json:"argv"`
	// Env is added to the agent's environment (KEY=value).
	Env []string `json:"env,omitempty"`
	// Dir is the working directory; default the agent's.
	Dir string `json:"dir,omitempty"`
	// TTY runs the command on a pseudo-terminal (an interactive shell);
	// its stdout and stderr are then one stream, sent to Stdio.Stdout.
	TTY bool `json:"tty,omitempty"`
	// Rows and Cols size the terminal; default 24x80.
	Rows uint16 `json:"rows,omitempty"`
	Cols uint16 `json:"cols,omitempty"`
}

// WindowSize is a terminal size.
type WindowSize struct {
	Rows uint16 `json:"rows"`
	Cols uint16 `json:"cols"`
}

// Stdio connects a command's standard streams. Nil readers are empty,
// nil writers discard. Stdout and Stderr are written from one goroutine,
// so they may be the same buffer.
type Stdio struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Resize delivers terminal size changes for TTY commands.
	Resize <-chan WindowSize
}

// wire bodies of calls.

type runCall struct {
	Request RunRequest `json:"request"`
	From    int        `json:"from"` // first event sequence number wanted
}

type runAccepted struct {
	ExecutionID string `json:"executionId"`
	Resumed     bool   `json:"resumed"`
}

type runEvent struct {
	Seq   int       `json:"seq"`
	Event toe.Event `json:"event"`
}

type runDone struct {
	Result *RunResult `json:"result,omitempty"`
	Error  *wireError `json:"error,omitempty"`
}

type putCall struct {
	Path string `json:"path"`
	Mode uint32 `json:"mode"`
}

type getCall struct {
	Path string `json:"path"`
	Tar  bool   `json:"tar,omitempty"`
}

// fileHeader answers a get.
type fileHeader struct {
	Size    int64     `json:"size"` // -1 for a tar stream
	Mode    uint32    `json:"mode"`
	ModTime time.Time `json:"modTime"`
}

// fileEnd ends file data.
type fileEnd struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

type execDone struct {
	Code  int    `json:"code"`
	Error string `json:"error,omitempty"`
}
