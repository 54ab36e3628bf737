package agent

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// serveExec runs one command. Its streams travel as messages; the exit
// status ends the call. When the host goes away the command is killed.
func (s *Server) serveExec(ctx context.Context, sc *streamConn, body json.RawMessage) {
	var req ExecRequest
	if err := json.Unmarshal(body, &req); err != nil {
		sc.sendError(codeOther, "malformed exec request: %v", err)
		return
	}
	if len(req.Argv) == 0 {
		sc.sendError(codeOther, "exec: no command given")
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, req.Argv[0], req.Argv[1:]...)
	cmd.Dir = req.Dir
	cmd.Env = append(os.Environ(), req.Env...)
	cmd.WaitDelay = 2 * time.Second
	var stdin io.WriteCloser
	var resize func(WindowSize)
	var ptyOut *os.File
	var err error
	if req.TTY {
		ptyOut, resize, err = startPTY(cmd, WindowSize{Rows: req.Rows, Cols: req.Cols})
		stdin = ptyOut
	} else {
		cmd.Stdout = &msgWriter{sc: sc, kind: msgData}
		cmd.Stderr = &msgWriter{sc: sc, kind: msgStderr}
		if stdin, err = cmd.StdinPipe(); err == nil {
			err = cmd.Start()
		}
	}
	if err != nil {
		sc.sendError(codeOther, "exec %s: %v", req.Argv[0], err)
		return
	}
	if err := sc.sendJSON(msgReply, struct{}{}); err != nil {
		cancel()
	}
	go func() {
		for {
			kind, p, err := sc.recv()
			if err != nil {
				cancel() // the host is gone: stop the command
				return
			}
			switch kind {
			case msgData:
				stdin.Write(p)
			case msgEOF:
				if req.TTY {
					stdin.Write([]byte{4}) // ^D
				} else {
					stdin.Close()
				}
			case msgResize:
				var ws WindowSize
				if json.Unmarshal(p, &ws) == nil && resize != nil {
					resize(ws)
				}
			}
		}
	}()
	pumped := make(chan struct{})
	if ptyOut != nil {
		go func() {
			defer close(pumped)
			io.CopyBuffer(&msgWriter{sc: sc, kind: msgData}, ptyOut, make([]byte, maxPayload))
		}()
	} else {
		close(pumped)
	}
	werr := cmd.Wait()
	if ptyOut != nil {
		select {
		case <-pumped:
		case <-time.After(2 * time.Second): // a background child keeps the terminal open
		}
		ptyOut.Close()
	}
	sc.sendJSON(msgDone, exitStatus(werr))
}

func exitStatus(err error) execDone {
	if err == nil {
		return execDone{}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return execDone{Code: 128 + int(ws.Signal())}
		}
		return execDone{Code: ee.ExitCode()}
	}
	return execDone{Code: -1, Error: err.Error()}
}
