// Package agentbin finds the guest agent binary (cmd/goldsmith-agent)
// that build machines run: the one passed explicitly, else the one built
// into this goldsmith (make build compiles the agent first and goldsmith
// embeds it, so the single goldsmith binary is all a user needs), else
// goldsmith-agent next to the running executable (a plain `go build` of
// both). docs/build.md explains the choice.
package agentbin

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

//go:generate sh -c "CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o files/goldsmith-agent ../../cmd/goldsmith-agent"

// Name is the agent binary's file name.
const Name = "goldsmith-agent"

//go:embed files
var files embed.FS

// Embedded is the agent built into this goldsmith, or nil when it was
// built without one (a plain `go build ./cmd/goldsmith`).
func Embedded() []byte {
	b, _ := files.ReadFile("files/" + Name)
	return b
}

// ErrNotFound is Find's error when there is no agent anywhere.
var ErrNotFound = errors.New("no guest agent binary: this goldsmith was built without one (build it with `make build`, which embeds it), " +
	"and there is no " + Name + " next to it (CGO_ENABLED=0 go build -o DIR/" + Name + " ./cmd/" + Name + "); or pass --agent-binary")

// Where says which agent Find chose.
type Where string

// Where Find found the agent.
const (
	Explicit Where = "given"
	Builtin  Where = "built into goldsmith"
	Beside   Where = "next to goldsmith"
)

// Find returns the path of the guest agent: explicit when given (it must
// exist); else the embedded agent, written to dir (which must exist);
// else Name next to the running executable.
func Find(explicit, dir string) (string, Where, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		exe = ""
	}
	return find(explicit, dir, Embedded(), exe)
}

// find is Find with the embedded agent and the executable's path given.
func find(explicit, dir string, embedded []byte, exe string) (string, Where, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", "", fmt.Errorf("the guest agent binary: %w", err)
		}
		return explicit, Explicit, nil
	}
	if len(embedded) > 0 {
		path := filepath.Join(dir, Name)
		if err := os.WriteFile(path, embedded, 0o755); err != nil {
			return "", "", fmt.Errorf("write the built-in guest agent: %w", err)
		}
		return path, Builtin, nil
	}
	if exe != "" {
		path := filepath.Join(filepath.Dir(exe), Name)
		if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
			return path, Beside, nil
		}
	}
	return "", "", ErrNotFound
}
