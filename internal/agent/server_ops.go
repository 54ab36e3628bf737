package agent

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// serveRun starts or attaches to a run and streams its events from the
// requested sequence number, then its result. A msgCancel from the host
// cancels the run; the stream merely ending does not (the host may be
// reconnecting).
func (s *Server) serveRun(ctx context.Context, sc *streamConn, body json.RawMessage) {
	var call runCall
	if err := json.Unmarshal(body, &call); err != nil {
		sc.sendError(codeOther, "malformed run request: %v", err)
		return
	}
	rec, resumed, werr := s.runs.start(call.Request, call.From)
	if werr != nil {
		sc.sendJSON(msgError, werr)
		return
	}
	if err := sc.sendJSON(msgReply, runAccepted{ExecutionID: rec.id, Resumed: resumed}); err != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer cancel()
		for {
			kind, _, err := sc.recv()
			if err != nil {
				return
			}
			if kind == msgCancel && rec.cancel != nil {
				rec.cancel()
			}
		}
	}()
	rec.attach(ctx, sc, call.From)
}

func (rec *runRec) attach(ctx context.Context, sc *streamConn, next int) {
	rec.mu.Lock()
	id := rec.nextSub
	rec.nextSub++
	rec.subs[id] = 0
	rec.mu.Unlock()
	defer func() {
		rec.mu.Lock()
		delete(rec.subs, id)
		rec.broadcast()
		rec.mu.Unlock()
	}()
	for {
		rec.mu.Lock()
		next = min(next, len(rec.events))
		evs := rec.events[next:]
		done, ch := rec.done, rec.changed
		rec.mu.Unlock()
		for _, e := range evs {
			if err := sc.send(msgEvent, e); err != nil {
				return
			}
			next++
		}
		if len(evs) > 0 {
			rec.mu.Lock()
			rec.subs[id] = next
			rec.broadcast()
			rec.mu.Unlock()
			continue
		}
		if done != nil {
			sc.sendJSON(msgDone, done)
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

// servePut writes a file atomically: data goes to a temporary file in the
// same folder, which replaces the target only when the checksum matches.
func (s *Server) servePut(sc *streamConn, body json.RawMessage) {
	var call putCall
	if err := json.Unmarshal(body, &call); err != nil {
		sc.sendError(codeOther, "malformed put request: %v", err)
		return
	}
	end, err := receiveFile(sc, call)
	if err != nil {
		sc.sendError(codeOther, "%v", err)
		return
	}
	sc.sendJSON(msgReply, end)
}

func receiveFile(sc *streamConn, call putCall) (*fileEnd, error) {
	var f *os.File
	var ferr error
	if !filepath.IsAbs(call.Path) {
		ferr = fmt.Errorf("put %q: the guest path must be absolute", call.Path)
	} else if ferr = os.MkdirAll(filepath.Dir(call.Path), 0o755); ferr == nil {
		f, ferr = os.CreateTemp(filepath.Dir(call.Path), ".goldsmith-put-*")
	}
	if f != nil {
		defer func() {
			f.Close()
			os.Remove(f.Name()) // gone already after a successful rename
		}()
	}
	h := sha256.New()
	var size int64
	for {
		kind, p, err := sc.recv()
		if err != nil {
			return nil, fmt.Errorf("put %s: the host went away during the upload: %w", call.Path, err)
		}
		switch kind {
		case msgData:
			if ferr == nil {
				_, ferr = f.Write(p)
			}
			h.Write(p)
			size += int64(len(p))
			continue
		case msgEOF:
		default:
			return nil, fmt.Errorf("put %s: unexpected message kind %d", call.Path, kind)
		}
		var end fileEnd
		if err := json.Unmarshal(p, &end); err != nil {
			return nil, fmt.Errorf("put %s: malformed end of file: %w", call.Path, err)
		}
		if ferr != nil {
			return nil, fmt.Errorf("put %s: %w", call.Path, ferr)
		}
		sum := hex.EncodeToString(h.Sum(nil))
		if end.SHA256 != sum || end.Size != size {
			return nil, fmt.Errorf("put %s: received %d bytes with sha256 %s, the host sent %d bytes with sha256 %s; try again", call.Path, size, sum, end.Size, end.SHA256)
		}
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("put %s: %w", call.Path, err)
		}
		if err := f.Chmod(fs.FileMode(call.Mode).Perm()); err != nil {
			return nil, fmt.Errorf("put %s: %w", call.Path, err)
		}
		if err := os.Rename(f.Name(), call.Path); err != nil {
			return nil, fmt.Errorf("put %s: %w", call.Path, err)
		}
		return &fileEnd{Size: size, SHA256: sum}, nil
	}
}

// serveGet sends a file, or a folder as a tar stream.
func (s *Server) serveGet(sc *streamConn, body json.RawMessage) {
	var call getCall
	if err := json.Unmarshal(body, &call); err != nil {
		sc.sendError(codeOther, "malformed get request: %v", err)
		return
	}
	fi, err := os.Stat(call.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		sc.sendError(codeNotFound, "%s does not exist in the guest", call.Path)
		return
	case err != nil:
		sc.sendError(codeOther, "%v", err)
		return
	case fi.IsDir() != call.Tar:
		if call.Tar {
			sc.sendError(codeOther, "%s is not a folder; use GetFile", call.Path)
		} else {
			sc.sendError(codeOther, "%s is a folder; use GetDir", call.Path)
		}
		return
	}
	hdr := fileHeader{Size: fi.Size(), Mode: uint32(fi.Mode()), ModTime: fi.ModTime()}
	if call.Tar {
		hdr.Size = -1
	}
	if err := sc.sendJSON(msgReply, hdr); err != nil {
		return
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(h, &msgWriter{sc: sc, kind: msgData})}
	if call.Tar {
		err = writeTar(cw, call.Path)
	} else {
		err = copyFile(cw, call.Path)
	}
	if err != nil {
		sc.sendError(codeOther, "read %s: %v", call.Path, err)
		return
	}
	sc.sendJSON(msgEOF, fileEnd{Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))})
}

func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyBuffer(w, f, make([]byte, maxPayload))
	return err
}

func writeTar(w io.Writer, root string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		h, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return nil // sockets and the like: skip
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		h.Name = filepath.ToSlash(rel)
		if d.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			return copyFile(tw, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// msgWriter sends what is written as messages of one kind, in chunks.
type msgWriter struct {
	sc   *streamConn
	kind byte
}

func (w *msgWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		c := min(len(p), maxPayload)
		if err := w.sc.send(w.kind, p[:c]); err != nil {
			return n, err
		}
		n += c
		p = p[c:]
	}
	return n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
