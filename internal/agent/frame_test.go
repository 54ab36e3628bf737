package agent

import (
	"bytes"
	"testing"
)

func TestDecoderChunked(t *testing.T) {
	t.Parallel()
	var stream []byte
	var want []frame
	for i := range 50 {
		f := frame{typ: byte(1 + i%6), sid: uint64(i * 7919), payload: bytes.Repeat([]byte{byte(i)}, i*331%maxPayload)}
		want = append(want, f)
		stream = appendFrame(stream, f.typ, f.sid, f.payload)
	}
	for _, chunk := range []int{1, 7, 21, 4096, len(stream)} {
		var d decoder
		var got []frame
		for i := 0; i < len(stream); i += chunk {
			d.feed(stream[i:min(i+chunk, len(stream))])
			for f, ok := d.next(); ok; f, ok = d.next() {
				got = append(got, f)
			}
		}
		if !sameFrames(got, want) || d.skipped != 0 {
			t.Errorf("chunk %d: %d frames, %d skipped; want %d, 0", chunk, len(got), d.skipped, len(want))
		}
	}
}

// TestDecoderTruncated: a frame cut short by a dying sender holds up the
// decoder only until it is abandoned; the frames after it come through.
func TestDecoderTruncated(t *testing.T) {
	t.Parallel()
	cut := appendFrame(nil, frameData, 1, bytes.Repeat([]byte("x"), 20000))
	cut = cut[:len(cut)/2]
	var d decoder
	d.feed(cut)
	d.feed(appendFrame(nil, frameHello, 2, []byte(`{}`)))
	if _, ok := d.next(); ok || !d.pending() {
		t.Fatal("the decoder should wait for the cut frame")
	}
	d.abandon()
	f, ok := d.next()
	if !ok || f.typ != frameHello || f.sid != 2 {
		t.Fatalf("after abandoning: %+v, %v", f, ok)
	}
}

func sameFrames(a, b []frame) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].typ != b[i].typ || a[i].sid != b[i].sid || !bytes.Equal(a[i].payload, b[i].payload) {
			return false
		}
	}
	return true
}

// FuzzResync: whatever garbage precedes and separates two frames, both are
// decoded, in order, as the last frames of the stream, in any chunking.
func FuzzResync(f *testing.F) {
	f.Add([]byte{}, []byte{}, []byte("payload"), uint8(3))
	f.Add(magic[:], append(magic[:], 0, 0, 0), []byte{}, uint8(1))
	f.Add(appendFrame(nil, frameData, 9, []byte("old session")), []byte{0xE7, 'G', 'S'}, []byte("x"), uint8(17))
	f.Add(appendFrame(nil, frameData, 9, bytes.Repeat([]byte("y"), 300))[:150], []byte("junk"), []byte("z"), uint8(64))
	f.Fuzz(func(t *testing.T, before, between, payload []byte, chunk uint8) {
		if len(payload) > maxPayload {
			payload = payload[:maxPayload]
		}
		want := []frame{{typ: frameHello, sid: 42, payload: payload}, {typ: frameData, sid: 42, payload: []byte("second")}}
		var stream []byte
		stream = append(stream, before...)
		stream = appendFrame(stream, want[0].typ, want[0].sid, want[0].payload)
		stream = append(stream, between...)
		stream = appendFrame(stream, want[1].typ, want[1].sid, want[1].payload)
		step := int(chunk) + 1
		var d decoder
		var got []frame
		drain := func() {
			for f, ok := d.next(); ok; f, ok = d.next() {
				got = append(got, f)
			}
		}
		for i := 0; i < len(stream); i += step {
			d.feed(stream[i:min(i+step, len(stream))])
			drain()
		}
		// A stub frame in the garbage may still hold the decoder; the
		// link abandons it after a while.
		for d.pending() {
			d.abandon()
			drain()
		}
		if len(got) < 2 || !sameFrames(got[len(got)-2:], want) {
			t.Fatalf("decoded %d frames; the last two are not the frames sent", len(got))
		}
	})
}
