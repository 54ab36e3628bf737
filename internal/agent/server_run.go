package agent

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

// Files in STATE_DIR/runs/EXECUTION_ID/.
const (
	fileRequest   = "request.json"  // the RunRequest as the host sent it
	fileEvents    = "events.jsonl"  // every event, one runEvent per line
	fileResult    = "result.json"   // runDone, once the run is over
	fileRebooting = "rebooting"     // the run stopped for a reboot and resumes on start
	flushWait     = 3 * time.Second // how long a reboot waits for attached hosts to get every event
)

// runManager owns the runs. A run's events are kept in memory and in
// events.jsonl, so a host that attaches late (after a reboot, or after its
// session died) gets every event from the sequence number it asks for.
type runManager struct {
	ctx  context.Context
	opts *ServerOptions
	dir  string
	wg   sync.WaitGroup
	mu   sync.Mutex
	runs map[string]*runRec
}

type runRec struct {
	id     string
	dir    string
	req    RunRequest
	digest string
	cancel context.CancelFunc

	mu      sync.Mutex
	events  [][]byte // runEvent JSON by sequence number
	changed chan struct{}
	done    *runDone
	evf     *os.File
	subs    map[int]int // subscriber → events sent
	nextSub int
}

func newRunManager(ctx context.Context, opts *ServerOptions) (*runManager, error) {
	m := &runManager{ctx: ctx, opts: opts, dir: filepath.Join(opts.StateDir, "runs"), runs: map[string]*runRec{}}
	if err := os.MkdirAll(m.dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the agent state directory (set --state-dir to a writable folder): %w", err)
	}
	ents, err := os.ReadDir(m.dir)
	if err != nil {
		return nil, fmt.Errorf("read the agent state directory: %w", err)
	}
	for _, e := range ents {
		if e.IsDir() {
			if err := m.restore(e.Name()); err != nil {
				opts.Logger.Warn("skipping a damaged run record", "run", e.Name(), "err", err)
			}
		}
	}
	return m, nil
}

// restore loads a run record at start: finished runs stay attachable,
// runs that stopped for a reboot resume, anything else was interrupted.
func (m *runManager) restore(id string) error {
	rec := &runRec{id: id, dir: filepath.Join(m.dir, id), changed: make(chan struct{}), subs: map[int]int{}}
	b, err := os.ReadFile(filepath.Join(rec.dir, fileRequest))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &rec.req); err != nil {
		return err
	}
	rec.digest = requestDigest(rec.req)
	if err := rec.loadEvents(); err != nil {
		return err
	}
	m.runs[id] = rec
	if b, err := os.ReadFile(filepath.Join(rec.dir, fileResult)); err == nil {
		var d runDone
		if err := json.Unmarshal(b, &d); err != nil {
			return err
		}
		rec.done = &d
		return nil
	}
	if err := os.Remove(filepath.Join(rec.dir, fileRebooting)); err != nil {
		rec.finish(&runDone{Error: &wireError{Code: codeFailed, Message: "the agent stopped during the run without a reboot request (a crash, a power cut, or a reboot by something other than the run); the run cannot resume: start it again with a new execution id"}})
		return nil
	}
	inputs, ps := loadDocuments(rec.req)
	if len(ps) > 0 {
		rec.finish(&runDone{Error: &wireError{Code: codeInvalid, Message: "the saved documents no longer validate", Problems: ps}})
		return nil
	}
	m.opts.Logger.Info("resuming run after reboot", "run", id)
	return m.launch(rec, inputs, true)
}

func requestDigest(r RunRequest) string {
	r.ExecutionID = ""
	b, _ := json.Marshal(r)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func loadDocuments(req RunRequest) ([]toe.Input, component.Problems) {
	var inputs []toe.Input
	var all component.Problems
	if len(req.Documents) == 0 {
		return nil, component.Problems{{Msg: "the run request has no documents"}}
	}
	for _, d := range req.Documents {
		doc, err := component.Load(d.Name, d.Data, action.Set{})
		if err != nil {
			var ps component.Problems
			if errors.As(err, &ps) {
				all = append(all, ps...)
			} else {
				all = append(all, component.Problem{File: d.Name, Msg: err.Error()})
			}
			continue
		}
		inputs = append(inputs, toe.Input{Doc: doc, Location: d.Name, Parameters: d.Parameters})
	}
	return inputs, all
}

// start returns the run for req, starting it when it is new. Sending the
// same request twice attaches to the first run.
func (m *runManager) start(req RunRequest, from int) (*runRec, bool, *wireError) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rec := m.runs[req.ExecutionID]; rec != nil {
		if rec.digest != requestDigest(req) {
			return nil, false, &wireError{Code: codeOther, Message: fmt.Sprintf("execution id %s is already used by a different run; choose a new execution id", req.ExecutionID)}
		}
		return rec, true, nil
	}
	if from > 0 {
		return nil, false, &wireError{Code: codeNotFound, Message: fmt.Sprintf("the agent has no record of run %s (its state directory was lost)", req.ExecutionID)}
	}
	if req.ExecutionID == "" || filepath.Base(req.ExecutionID) != req.ExecutionID || req.ExecutionID == "." || req.ExecutionID == ".." {
		return nil, false, &wireError{Code: codeOther, Message: fmt.Sprintf("execution id %q is not usable as a folder name", req.ExecutionID)}
	}
	inputs, ps := loadDocuments(req)
	if len(ps) > 0 {
		ps.Sort()
		return nil, false, &wireError{Code: codeInvalid, Message: ps.Error(), Problems: ps}
	}
	rec := &runRec{id: req.ExecutionID, dir: filepath.Join(m.dir, req.ExecutionID), req: req, digest: requestDigest(req), changed: make(chan struct{}), subs: map[int]int{}}
	if err := os.MkdirAll(rec.dir, 0o700); err != nil {
		return nil, false, &wireError{Code: codeOther, Message: fmt.Sprintf("create the run's state folder: %v", err)}
	}
	b, _ := json.Marshal(req)
	if err := writeFileSync(filepath.Join(rec.dir, fileRequest), b); err != nil {
		return nil, false, &wireError{Code: codeOther, Message: err.Error()}
	}
	m.runs[rec.id] = rec
	if err := m.launch(rec, inputs, false); err != nil {
		return nil, false, &wireError{Code: codeOther, Message: err.Error()}
	}
	return rec, false, nil
}

// launch runs (or, after a reboot, resumes) the documents in the
// background. A resumed run waits for the machine to finish booting first.
func (m *runManager) launch(rec *runRec, inputs []toe.Input, resumed bool) error {
	f, err := os.OpenFile(filepath.Join(rec.dir, fileEvents), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open the run's event log: %w", err)
	}
	rec.evf = f
	ctx, cancel := context.WithCancel(m.ctx)
	rec.cancel = cancel
	logDir := rec.req.LogDir
	if logDir == "" {
		logDir = filepath.Join(m.opts.StateDir, "logs")
	}
	opts := toe.RunOptions{
		Phases:      rec.req.Phases,
		Parameters:  rec.req.Parameters,
		ExecutionID: rec.id,
		LogDir:      logDir,
		StateDir:    rec.dir,
		WorkDir:     rec.req.WorkDir,
		Emit:        rec.emit,
		Reboot: func(ctx context.Context, delay time.Duration) error {
			return m.reboot(ctx, rec, delay)
		},
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer cancel()
		if resumed {
			if err := m.opts.WaitBooted(ctx); err != nil {
				m.opts.Logger.Warn("resuming before the boot has finished", "run", rec.id, "err", err)
			}
		}
		res, err := toe.Run(ctx, inputs, opts)
		if res != nil && res.Rebooting && err == nil {
			rec.closeLog()
			return // the machine restarts; the next agent resumes the run
		}
		rec.finish(outcome(res, err))
	}()
	return nil
}

func outcome(res *toe.Result, err error) *runDone {
	d := &runDone{}
	if res != nil {
		d.Result = &RunResult{Report: res.Report, Summary: res.Summary, RunDir: res.RunDir}
	}
	switch {
	case err == nil:
	case res != nil && res.Rebooting:
		d.Error = &wireError{Code: codeFailed, Message: fmt.Sprintf("a step asked for a reboot, but rebooting failed: %v", err)}
	case errors.Is(err, toe.ErrFailed):
		d.Error = &wireError{Code: codeFailed, Message: failureMessage(res, err)}
	case errors.Is(err, context.Canceled):
		d.Error = &wireError{Code: codeCancelled, Message: failureMessage(res, err)}
	default:
		var ps component.Problems
		if errors.As(err, &ps) {
			d.Error = &wireError{Code: codeInvalid, Message: ps.Error(), Problems: ps}
		} else {
			d.Error = &wireError{Code: codeOther, Message: err.Error()}
		}
	}
	return d
}

func failureMessage(res *toe.Result, err error) string {
	if res != nil && res.Report != nil && res.Report.FailureMessage != "" {
		return res.Report.FailureMessage
	}
	return err.Error()
}

// reboot is the run's Reboot hook: toe has saved its state. Mark the run
// for resumption, give attached hosts a moment to receive every event
// (so they know a reboot is coming), then restart the machine.
func (m *runManager) reboot(ctx context.Context, rec *runRec, delay time.Duration) error {
	rec.mu.Lock()
	if rec.evf != nil {
		rec.evf.Sync()
	}
	rec.mu.Unlock()
	if err := writeFileSync(filepath.Join(rec.dir, fileRebooting), nil); err != nil {
		return err
	}
	rec.waitFlushed(ctx, flushWait)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			os.Remove(filepath.Join(rec.dir, fileRebooting))
			return ctx.Err()
		}
	}
	m.opts.Logger.Info("rebooting for run", "run", rec.id)
	// The reboot stops this agent, which cancels ctx: the command must not
	// be killed by that.
	if err := m.opts.Reboot(context.WithoutCancel(ctx)); err != nil {
		os.Remove(filepath.Join(rec.dir, fileRebooting))
		return err
	}
	return nil
}

func (rec *runRec) emit(e toe.Event) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	b, _ := json.Marshal(runEvent{Seq: len(rec.events), Event: e})
	rec.events = append(rec.events, b)
	if rec.evf != nil {
		rec.evf.Write(append(b, '\n'))
	}
	rec.broadcast()
}

// broadcast wakes everyone waiting on changed; call with mu held.
func (rec *runRec) broadcast() {
	close(rec.changed)
	rec.changed = make(chan struct{})
}

func (rec *runRec) closeLog() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.evf != nil {
		rec.evf.Sync()
		rec.evf.Close()
		rec.evf = nil
	}
}

func (rec *runRec) finish(d *runDone) {
	rec.closeLog()
	b, _ := json.Marshal(d)
	writeFileSync(filepath.Join(rec.dir, fileResult), b)
	os.Remove(filepath.Join(rec.dir, fileRebooting))
	rec.mu.Lock()
	rec.done = d
	rec.broadcast()
	rec.mu.Unlock()
}

func (rec *runRec) loadEvents() error {
	f, err := os.Open(filepath.Join(rec.dir, fileEvents))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	for sc.Scan() {
		var ev runEvent
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Seq != len(rec.events) {
			break // a torn last line after a power cut
		}
		rec.events = append(rec.events, append([]byte(nil), sc.Bytes()...))
	}
	return nil
}

// waitFlushed waits until every attached host was sent every event.
func (rec *runRec) waitFlushed(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		rec.mu.Lock()
		behind := false
		for _, n := range rec.subs {
			behind = behind || n < len(rec.events)
		}
		ch := rec.changed
		rec.mu.Unlock()
		if !behind {
			return
		}
		select {
		case <-ch:
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

func writeFileSync(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
