package agent

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// Each multiplexed stream carries one call as a sequence of messages:
// kind (1 byte), length (4 bytes, big endian), payload. The first message
// is always msgRequest; what follows depends on the operation.
const (
	msgRequest byte = 1 + iota // JSON request: {op, body}
	msgReply                   // JSON reply to the request (or a header)
	msgEvent                   // JSON run event with its sequence number
	msgData                    // raw bytes: file content, stdin, stdout
	msgStderr                  // raw bytes: stderr
	msgEOF                     // end of the data; JSON checksum for files
	msgResize                  // JSON window size for a terminal
	msgCancel                  // stop the run this stream watches
	msgDone                    // JSON final result
	msgError                   // JSON wireError; ends the call
)

// maxMessage bounds one message (a run request carries its documents).
const maxMessage = 64 << 20

// Operation names.
const (
	opPing     = "ping"
	opInfo     = "info"
	opRun      = "run"
	opExec     = "exec"
	opPut      = "put"
	opGet      = "get"
	opReboot   = "reboot"
	opPowerOff = "poweroff"
)

type request struct {
	Op   string          `json:"op"`
	Body json.RawMessage `json:"body,omitempty"`
}

// Error codes on the wire.
const (
	codeInvalid   = "invalid"   // documents failed validation
	codeFailed    = "failed"    // the run failed
	codeCancelled = "cancelled" // the run was cancelled
	codeNotFound  = "not-found" // no such file or run
	codeOther     = "error"
)

type wireError struct {
	Code     string             `json:"code"`
	Message  string             `json:"message"`
	Problems component.Problems `json:"problems,omitempty"`
}

// Sentinel errors callers can check with errors.Is.
var (
	// ErrGuestGone: no agent session for longer than the client's
	// reconnect (or reboot) timeout.
	ErrGuestGone = errors.New("the guest agent is gone")
	// ErrSessionLost: the session ended during a call (the agent
	// restarted or the guest rebooted); the call may be retried.
	ErrSessionLost = errors.New("the guest agent session ended during the call")
	// ErrInvalidDocuments: the agent rejected the documents; nothing ran.
	ErrInvalidDocuments = errors.New("the documents are invalid; nothing was run")
	// ErrIncompatible: host and agent speak different protocol versions.
	ErrIncompatible = errors.New("the guest agent speaks another protocol version")
	// ErrClosed: the client was closed.
	ErrClosed = errors.New("the agent client is closed")
)

var errNotExist = fs.ErrNotExist

// toError turns a wire error back into a Go error with the matching
// sentinel.
func (e *wireError) toError(op string) error {
	switch e.Code {
	case codeInvalid:
		if len(e.Problems) > 0 {
			return fmt.Errorf("%w:\n%w", ErrInvalidDocuments, e.Problems)
		}
		return fmt.Errorf("%w: %s", ErrInvalidDocuments, e.Message)
	case codeNotFound:
		return fmt.Errorf("agent %s: %s: %w", op, e.Message, errNotExist)
	}
	return fmt.Errorf("agent %s: %s", op, e.Message)
}

// streamConn reads and writes messages on one stream.
type streamConn struct {
	rw  io.ReadWriteCloser
	br  *bufio.Reader
	wmu sync.Mutex
}

func newStreamConn(rw io.ReadWriteCloser) *streamConn {
	return &streamConn{rw: rw, br: bufio.NewReaderSize(rw, 64<<10)}
}

func (s *streamConn) send(kind byte, payload []byte) error {
	if len(payload) > maxMessage {
		return fmt.Errorf("message of %d bytes is over the %d-byte limit", len(payload), maxMessage)
	}
	b := make([]byte, 5, 5+len(payload))
	b[0] = kind
	binary.BigEndian.PutUint32(b[1:], uint32(len(payload)))
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err := s.rw.Write(append(b, payload...))
	return err
}

func (s *streamConn) sendJSON(kind byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.send(kind, b)
}

func (s *streamConn) sendError(code, format string, args ...any) error {
	return s.sendJSON(msgError, wireError{Code: code, Message: fmt.Sprintf(format, args...)})
}

func (s *streamConn) recv() (byte, []byte, error) {
	var h [5]byte
	if _, err := io.ReadFull(s.br, h[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n > maxMessage {
		return 0, nil, fmt.Errorf("message of %d bytes is over the %d-byte limit", n, maxMessage)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(s.br, p); err != nil {
		return 0, nil, err
	}
	return h[0], p, nil
}

// recvJSON reads one message and decodes it; msgError becomes an error.
func (s *streamConn) recvJSON(op string, want byte, v any) error {
	kind, p, err := s.recv()
	if err != nil {
		return err
	}
	switch kind {
	case want:
		if v == nil {
			return nil
		}
		if err := json.Unmarshal(p, v); err != nil {
			return fmt.Errorf("agent %s: malformed reply: %w", op, err)
		}
		return nil
	case msgError:
		var we wireError
		if err := json.Unmarshal(p, &we); err != nil {
			return fmt.Errorf("agent %s: malformed error: %w", op, err)
		}
		return we.toError(op)
	}
	return fmt.Errorf("agent %s: unexpected message kind %d", op, kind)
}
