package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"time"
)

// PutFile writes r to path in the guest with mode's permission bits,
// creating missing parent folders. The file appears whole or not at all:
// the agent writes a temporary file and renames it only when the size
// and sha256 match what was sent.
func (c *Client) PutFile(ctx context.Context, path string, mode fs.FileMode, r io.Reader) error {
	sc, s, cleanup, err := c.call(ctx, opPut, putCall{Path: path, Mode: uint32(mode.Perm())})
	if err != nil {
		return err
	}
	defer cleanup()
	h := sha256.New()
	var size int64
	buf := make([]byte, maxPayload)
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			size += int64(n)
			if err := sc.send(msgData, buf[:n]); err != nil {
				return c.failed(ctx, s, opPut, err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("put %s: read the local data: %w", path, rerr)
		}
	}
	if err := sc.sendJSON(msgEOF, fileEnd{Size: size, SHA256: hex.EncodeToString(h.Sum(nil))}); err != nil {
		return c.failed(ctx, s, opPut, err)
	}
	if err := sc.recvJSON(opPut, msgReply, nil); err != nil {
		return c.failed(ctx, s, opPut, err)
	}
	return nil
}

// File is a file (or a folder's tar stream) read from the guest. Read
// returns an error instead of io.EOF when the data does not match the
// agent's checksum. Close it when done.
type File struct {
	Size    int64 // -1 for a tar stream
	Mode    fs.FileMode
	ModTime time.Time

	sc      *streamConn
	s       *clientSession
	c       *Client
	ctx     context.Context
	cleanup func()
	h       hash.Hash
	n       int64
	buf     []byte
	err     error
}

// GetFile opens a file in the guest for reading. A missing file gives an
// error wrapping fs.ErrNotExist.
func (c *Client) GetFile(ctx context.Context, path string) (*File, error) {
	return c.get(ctx, getCall{Path: path})
}

// GetDir reads a folder in the guest (a run folder, say) as a tar stream
// with paths relative to the folder.
func (c *Client) GetDir(ctx context.Context, path string) (*File, error) {
	return c.get(ctx, getCall{Path: path, Tar: true})
}

func (c *Client) get(ctx context.Context, call getCall) (*File, error) {
	sc, s, cleanup, err := c.call(ctx, opGet, call)
	if err != nil {
		return nil, err
	}
	var hdr fileHeader
	if err := sc.recvJSON(opGet, msgReply, &hdr); err != nil {
		cleanup()
		return nil, c.failed(ctx, s, opGet, err)
	}
	return &File{Size: hdr.Size, Mode: fs.FileMode(hdr.Mode), ModTime: hdr.ModTime, sc: sc, s: s, c: c, ctx: ctx, cleanup: cleanup, h: sha256.New()}, nil
}

func (f *File) Read(p []byte) (int, error) {
	for len(f.buf) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		f.fill()
	}
	n := copy(p, f.buf)
	f.buf = f.buf[n:]
	return n, nil
}

func (f *File) fill() {
	kind, p, err := f.sc.recv()
	if err != nil {
		f.err = f.c.failed(f.ctx, f.s, opGet, err)
		return
	}
	switch kind {
	case msgData:
		f.h.Write(p)
		f.n += int64(len(p))
		f.buf = p
	case msgEOF:
		var end fileEnd
		if err := json.Unmarshal(p, &end); err != nil {
			f.err = fmt.Errorf("agent get: malformed end of file: %w", err)
			return
		}
		if sum := hex.EncodeToString(f.h.Sum(nil)); sum != end.SHA256 || f.n != end.Size {
			f.err = fmt.Errorf("agent get: received %d bytes with sha256 %s, the agent sent %d bytes with sha256 %s; try again", f.n, sum, end.Size, end.SHA256)
			return
		}
		f.err = io.EOF
	case msgError:
		var we wireError
		json.Unmarshal(p, &we)
		f.err = we.toError(opGet)
	default:
		f.err = fmt.Errorf("agent get: unexpected message kind %d", kind)
	}
}

// Close ends the transfer.
func (f *File) Close() error {
	f.cleanup()
	return nil
}
