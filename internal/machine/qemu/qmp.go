package qemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/digitalocean/go-qemu/qmp"
)

// errOutOfStep is the answer to a QMP command whose reply carries another
// command's id: the connection pairs commands with the wrong replies.
var errOutOfStep = errors.New("the QMP reply belongs to another command")

// connectQMP waits for QEMU's QMP socket, completes the handshake and
// checks that replies pair with their commands.
//
// go-qemu's Connect takes the first line after qmp_capabilities as its
// reply; when an event comes first (QEMU loading a saved state sends them
// early), the real reply is left over and would answer the next command
// (digitalocean/go-qemu#210). A connection whose first command gets a
// reply with the wrong id is closed and opened again.
func (v *VM) connectQMP(ctx context.Context) error {
	for {
		mon, err := qmp.NewSocketMonitor("unix", v.Config.QMPPath(), 2*time.Second)
		if err == nil {
			if err = mon.Connect(); err != nil {
				// QEMU serves one QMP client at a time: free it for the next try.
				_ = mon.Disconnect()
			} else {
				v.mon = mon
				if _, err = v.run(ctx, "query-version", nil); err == nil {
					return nil
				}
				v.mon = nil
				_ = mon.Disconnect()
				if !errors.Is(err, errOutOfStep) {
					return fmt.Errorf("talk to qemu: %w", err)
				}
			}
		}
		select {
		case <-v.done:
			return fmt.Errorf("qemu exited while starting: %v: %s", v.err, v.stderr)
		case <-ctx.Done():
			return fmt.Errorf("wait for qemu to start: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// run sends one QMP command and returns its "return" value. Each command
// carries its own id, and a reply with another id is errOutOfStep. run
// gives up when ctx ends (QEMU may still carry the command out).
func (v *VM) run(ctx context.Context, execute string, args any) (json.RawMessage, error) {
	select {
	case <-v.done:
		return nil, fmt.Errorf("%s: the VM has stopped", execute)
	default:
	}
	mon := v.mon
	if mon == nil {
		return nil, fmt.Errorf("%s: no QMP connection to the VM", execute)
	}
	id := "goldsmith-" + strconv.FormatUint(v.qmpID.Add(1), 10)
	req := map[string]any{"execute": execute, "id": id}
	if args != nil {
		req["arguments"] = args
	}
	cmd, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	type result struct {
		out []byte
		err error
	}
	ch := make(chan result, 1)
	go func() { out, err := mon.Run(cmd); ch <- result{out, err} }()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("%s: %w", execute, r.err)
		}
		var resp struct {
			ID     any             `json:"id"`
			Return json.RawMessage `json:"return"`
		}
		if err := json.Unmarshal(r.out, &resp); err != nil {
			return nil, fmt.Errorf("%s: %w", execute, err)
		}
		if resp.ID != id {
			return nil, fmt.Errorf("%s (id %s): %w: %s", execute, id, errOutOfStep, r.out)
		}
		return resp.Return, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", execute, ctx.Err())
	}
}
