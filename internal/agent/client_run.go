package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/goldsmith-dev/goldsmith/internal/toe"
)

// Run runs documents in the guest and calls onEvent (which may be nil)
// with every event as it happens, step output lines included. It returns
// when the run is over: the result and nil on success; the result and an
// error wrapping toe.ErrFailed when a step failed; an error wrapping
// ErrInvalidDocuments (with the component.Problems) when nothing ran.
//
// Reboots are transparent: when a step asks for one, the guest restarts,
// the agent resumes the run, and Run re-attaches and goes on streaming
// from the first event it has not seen. Run gives up with ErrGuestGone
// when the agent stays away longer than RebootTimeout after an announced
// reboot, or ReconnectTimeout otherwise. Cancelling ctx cancels the run
// in the guest.
func (c *Client) Run(ctx context.Context, req RunRequest, onEvent func(toe.Event)) (*RunResult, error) {
	if req.ExecutionID == "" {
		req.ExecutionID = uuid.NewString()
	}
	if onEvent == nil {
		onEvent = func(toe.Event) {}
	}
	st := &runState{next: 0}
	for {
		wait := c.opts.ReconnectTimeout
		if st.rebooting {
			wait = c.opts.RebootTimeout
		}
		s, err := c.waitSession(ctx, wait)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", req.ExecutionID, err)
		}
		res, done, err := c.runOnce(ctx, s, req, st, onEvent)
		if done {
			return res, err
		}
		c.opts.Logger.Info("run detached; re-attaching when the agent is back", "run", req.ExecutionID, "next", st.next, "rebooting", st.rebooting)
	}
}

type runState struct {
	next      int  // first event not yet seen
	rebooting bool // the guest announced a reboot since the last event
	dropped   int  // streams the agent ended without a result
}

// runOnce attaches to the run on one session. done is false when the
// session ended before the run did.
func (c *Client) runOnce(ctx context.Context, s *clientSession, req RunRequest, st *runState, onEvent func(toe.Event)) (*RunResult, bool, error) {
	st2, err := s.mux.OpenStream()
	if err != nil {
		return nil, false, nil
	}
	sc := newStreamConn(st2)
	defer st2.Close()
	stop := context.AfterFunc(ctx, func() {
		st2.SetWriteDeadline(time.Now().Add(time.Second))
		sc.send(msgCancel, nil)
		st2.SetDeadline(time.Now())
	})
	defer stop()
	b, _ := json.Marshal(runCall{Request: req, From: st.next})
	if err := sc.sendJSON(msgRequest, request{Op: opRun, Body: b}); err != nil {
		return c.runBroken(ctx, s, st, err)
	}
	for {
		kind, p, err := sc.recv()
		if err != nil {
			return c.runBroken(ctx, s, st, err)
		}
		switch kind {
		case msgReply:
			var acc runAccepted
			if err := json.Unmarshal(p, &acc); err == nil && acc.Resumed {
				c.opts.Logger.Debug("attached to a run in progress", "run", acc.ExecutionID)
			}
		case msgEvent:
			var ev runEvent
			if err := json.Unmarshal(p, &ev); err != nil {
				return nil, true, fmt.Errorf("run %s: malformed event: %w", req.ExecutionID, err)
			}
			if ev.Seq < st.next {
				continue
			}
			st.next = ev.Seq + 1
			st.rebooting = ev.Event.Kind == toe.EventReboot
			onEvent(ev.Event)
		case msgDone:
			var d runDone
			if err := json.Unmarshal(p, &d); err != nil {
				return nil, true, fmt.Errorf("run %s: malformed result: %w", req.ExecutionID, err)
			}
			return d.Result, true, runError(req.ExecutionID, d.Error)
		case msgError:
			var we wireError
			if err := json.Unmarshal(p, &we); err != nil {
				return nil, true, fmt.Errorf("run %s: malformed error: %w", req.ExecutionID, err)
			}
			return nil, true, runError(req.ExecutionID, &we)
		}
	}
}

// runBroken decides whether a broken run stream ends Run.
func (c *Client) runBroken(ctx context.Context, s *clientSession, st *runState, err error) (*RunResult, bool, error) {
	if ctx.Err() != nil {
		return nil, true, ctx.Err()
	}
	if s.mux.IsClosed() {
		return nil, false, nil // re-attach on the next session
	}
	// The stream ended but the session lives: the agent dropped the call.
	// Wait for the session to be judged, then re-attach (a few times).
	st.dropped++
	if st.dropped > 3 {
		return nil, true, fmt.Errorf("the agent keeps dropping the run's stream (%v); see the agent's log in the guest journal", err)
	}
	select {
	case <-s.mux.CloseChan():
	case <-time.After(c.opts.KeepaliveTimeout):
	case <-ctx.Done():
		return nil, true, ctx.Err()
	}
	return nil, false, nil
}

func runError(id string, we *wireError) error {
	if we == nil {
		return nil
	}
	switch we.Code {
	case codeFailed:
		return fmt.Errorf("run %s: %w: %s", id, toe.ErrFailed, we.Message)
	case codeCancelled:
		return fmt.Errorf("run %s: %w: %s", id, context.Canceled, we.Message)
	}
	return fmt.Errorf("run %s: %w", id, we.toError("run"))
}
