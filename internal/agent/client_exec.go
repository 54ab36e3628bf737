package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// Exec runs a command in the guest with its standard streams connected
// to stdio and returns its exit code (128+N when killed by signal N). An
// error means the command could not run or the call broke. Exec does not
// wait for a Stdin that blocks after the command ended.
func (c *Client) Exec(ctx context.Context, req ExecRequest, stdio Stdio) (int, error) {
	sc, s, cleanup, err := c.call(ctx, opExec, req)
	if err != nil {
		return -1, err
	}
	defer cleanup()
	if err := sc.recvJSON(opExec, msgReply, nil); err != nil {
		return -1, c.failed(ctx, s, opExec, err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		if stdio.Stdin != nil {
			io.CopyBuffer(&msgWriter{sc: sc, kind: msgData}, stdio.Stdin, make([]byte, maxPayload))
		}
		sc.send(msgEOF, nil)
	}()
	if stdio.Resize != nil {
		go func() {
			for {
				select {
				case ws, ok := <-stdio.Resize:
					if !ok {
						return
					}
					sc.sendJSON(msgResize, ws)
				case <-stop:
					return
				}
			}
		}()
	}
	stdout, stderr := stdio.Stdout, stdio.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	for {
		kind, p, err := sc.recv()
		if err != nil {
			return -1, c.failed(ctx, s, opExec, err)
		}
		switch kind {
		case msgData:
			stdout.Write(p)
		case msgStderr:
			stderr.Write(p)
		case msgDone:
			var d execDone
			if err := json.Unmarshal(p, &d); err != nil {
				return -1, fmt.Errorf("agent exec: malformed exit status: %w", err)
			}
			if d.Error != "" {
				return d.Code, fmt.Errorf("agent exec %s: %s", req.Argv[0], d.Error)
			}
			return d.Code, nil
		case msgError:
			var we wireError
			json.Unmarshal(p, &we)
			return -1, we.toError(opExec)
		}
	}
}
