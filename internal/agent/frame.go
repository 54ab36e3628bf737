package agent

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// Frame layout (big endian):
//
//	magic   4  0xE7 'G' 'S' 'A'
//	type    1  frameHello ... frameBye
//	session 8  session id (0 in resync frames)
//	length  4  payload length, at most maxPayload
//	hcrc    4  CRC-32C of the 17 bytes above
//	payload length bytes
//	pcrc    4  CRC-32C of the payload
//
// The header has its own checksum so that a forged length in garbage is
// rejected before the decoder waits for a payload that never comes.
const (
	headerLen  = 21
	trailerLen = 4
	maxPayload = 32 << 10
)

var magic = [4]byte{0xE7, 'G', 'S', 'A'}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Frame types.
const (
	frameHello   byte = 1 // agent → host: a session id looking for a host; payload: hello JSON
	frameWelcome byte = 2 // host → agent: session accepted; payload: 8-byte host nonce
	frameResync  byte = 3 // host → agent: a host without a session; payload: 8-byte host nonce
	frameData    byte = 4 // both: multiplexer bytes of the session
	framePing    byte = 5 // both: keepalive of the session
	frameBye     byte = 6 // agent → host: the session ends now
)

type frame struct {
	typ     byte
	sid     uint64
	payload []byte
}

// appendFrame encodes one frame onto dst.
func appendFrame(dst []byte, typ byte, sid uint64, payload []byte) []byte {
	if len(payload) > maxPayload {
		panic("agent: frame payload too large")
	}
	start := len(dst)
	dst = append(dst, magic[:]...)
	dst = append(dst, typ)
	dst = binary.BigEndian.AppendUint64(dst, sid)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:start+17], castagnoli))
	dst = append(dst, payload...)
	return binary.BigEndian.AppendUint32(dst, crc32.Checksum(payload, castagnoli))
}

// decoder finds frames in a byte stream that may hold garbage anywhere:
// bytes that do not form a valid frame are skipped one at a time, so the
// next valid frame is always found. It does no I/O; feed it bytes.
type decoder struct {
	buf     []byte
	skipped int // garbage bytes dropped so far
}

func (d *decoder) feed(p []byte) { d.buf = append(d.buf, p...) }

// next returns the next valid frame, or false when more bytes are needed.
func (d *decoder) next() (frame, bool) {
	for {
		i := bytes.Index(d.buf, magic[:])
		if i < 0 {
			// Keep a tail that may be the start of a magic.
			keep := min(len(d.buf), len(magic)-1)
			d.drop(len(d.buf) - keep)
			return frame{}, false
		}
		d.drop(i)
		if len(d.buf) < headerLen {
			return frame{}, false
		}
		h := d.buf[:headerLen]
		n := binary.BigEndian.Uint32(h[13:17])
		if crc32.Checksum(h[:17], castagnoli) != binary.BigEndian.Uint32(h[17:21]) || n > maxPayload || h[4] < frameHello || h[4] > frameBye {
			d.drop(1)
			continue
		}
		total := headerLen + int(n) + trailerLen
		if len(d.buf) < total {
			return frame{}, false
		}
		p := d.buf[headerLen : headerLen+int(n)]
		if crc32.Checksum(p, castagnoli) != binary.BigEndian.Uint32(d.buf[headerLen+int(n):total]) {
			d.drop(1)
			continue
		}
		f := frame{typ: h[4], sid: binary.BigEndian.Uint64(h[5:13]), payload: bytes.Clone(p)}
		d.buf = d.buf[total:]
		return f, true
	}
}

// pending reports whether the buffer starts with a valid header whose
// payload has not fully arrived.
func (d *decoder) pending() bool {
	return len(d.buf) >= headerLen && bytes.HasPrefix(d.buf, magic[:])
}

// abandon gives up on a pending frame (its sender died mid-write) and
// lets the scan continue one byte further.
func (d *decoder) abandon() {
	if d.pending() {
		d.drop(1)
	}
}

func (d *decoder) drop(n int) {
	d.skipped += n
	d.buf = d.buf[n:]
	if len(d.buf) == 0 {
		d.buf = nil
	}
}
