package toe

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Position is where a run stopped for a reboot.
type Position struct {
	Document  int    `json:"document"`
	Phase     int    `json:"phase"`
	StepIndex int    `json:"stepIndex"`
	Step      string `json:"step"` // phase.step, for messages
	// Rerun says the step at StepIndex runs again (exit code 194); false
	// means it finished (the Reboot module) and the run continues after it.
	Rerun bool `json:"rerun"`
	// IfResult keeps the step's `if` decision, evaluated once per step.
	IfResult *bool `json:"ifResult,omitempty"`
}

// state is what survives a reboot.
type state struct {
	ExecutionID string            `json:"executionId"`
	RunDir      string            `json:"runDir"`
	Digests     []string          `json:"documentDigests"`
	Position    Position          `json:"position"`
	Report      *Report           `json:"report"`
	Chain       *chain            `json:"chain"`
	SavedAt     time.Time         `json:"savedAt"`
	Parameters  map[string]string `json:"parameters,omitempty"`
}

func statePath(dir, id string) string {
	return filepath.Join(dir, "toe-state-"+id+".json")
}

func loadState(dir, id string) (*state, error) {
	b, err := os.ReadFile(statePath(dir, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the reboot state: %w", err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("the reboot state %s is damaged (%v); delete it to start the run afresh", statePath(dir, id), err)
	}
	return &st, nil
}

func (st *state) matches(inputs []Input) error {
	if len(st.Digests) != len(inputs) {
		return fmt.Errorf("execution %s was started with %d documents, now %d; use a new --execution-id or delete %s", st.ExecutionID, len(st.Digests), len(inputs), "the state file")
	}
	for i, in := range inputs {
		if in.Doc.Digest() != st.Digests[i] {
			return fmt.Errorf("document %s changed since execution %s was interrupted by a reboot; use a new --execution-id", in.Location, st.ExecutionID)
		}
	}
	return nil
}

// saveState writes atomically: a half-written state must never be read
// after a power cut.
func saveState(dir string, st *state) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the state directory: %w", err)
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := statePath(dir, st.ExecutionID) + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("save the reboot state: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("save the reboot state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("save the reboot state: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, statePath(dir, st.ExecutionID))
}

func removeState(dir, id string) { os.Remove(statePath(dir, id)) }

func (r *run) stateFor(inputs []Input) *state {
	st := &state{ExecutionID: r.opts.ExecutionID, RunDir: r.runDir, Position: r.rebootPos, Report: r.report, Chain: r.chain, SavedAt: r.opts.Now()}
	for _, in := range inputs {
		st.Digests = append(st.Digests, in.Doc.Digest())
	}
	return st
}
