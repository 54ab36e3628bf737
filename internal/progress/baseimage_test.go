package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"

	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
)

// baseImageRun is a base image build's progress, in order.
func baseImageRun() []baseimage.Progress {
	ps := []baseimage.Progress{
		{Stage: baseimage.StageResolve, Item: "apt-get update"},
		{Stage: baseimage.StageResolve, Item: "the essential packages"},
		{Stage: baseimage.StageDownload, Total: 8},
	}
	for i := 1; i <= 8; i++ {
		ps = append(ps, baseimage.Progress{Stage: baseimage.StageDownload, Done: i, Total: 8, Item: "pkg" + string(rune('0'+i))})
	}
	return append(ps,
		baseimage.Progress{Stage: baseimage.StageUnpack, Total: 8, Item: "the essential packages"},
		baseimage.Progress{Stage: baseimage.StageConfigure, Done: 1, Total: 8, Item: "pkg1"},
		baseimage.Progress{Stage: baseimage.StageCustomize, Item: "goldsmith's files and setup"},
		baseimage.Progress{Stage: baseimage.StageAssemble, Done: 0, Total: 5, Item: "boot partition"},
		baseimage.Progress{Stage: baseimage.StageAssemble, Done: 1, Total: 5, Item: "partition table"},
		baseimage.Progress{Stage: baseimage.StageDone},
	)
}

// TestPlainBaseImage: off a terminal, a line per stage (per step while
// assembling the disk) and per quarter of a stage's packages.
func TestPlainBaseImage(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := NewPlain(&buf)
	p.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC) }
	for _, bp := range baseImageRun() {
		p.BaseImageProgress(bp)
	}
	want := `03:04:05.006     base image: resolving packages · apt-get update
03:04:05.006     base image: downloading 0/8 packages
03:04:05.006     base image: downloading 2/8 packages · pkg2
03:04:05.006     base image: downloading 4/8 packages · pkg4
03:04:05.006     base image: downloading 6/8 packages · pkg6
03:04:05.006     base image: downloading 8/8 packages · pkg8
03:04:05.006     base image: unpacking 0/8 packages · the essential packages
03:04:05.006     base image: configuring 1/8 packages · pkg1
03:04:05.006     base image: customizing · goldsmith's files and setup
03:04:05.006     base image: assembling the disk · boot partition
03:04:05.006     base image: assembling the disk · partition table
03:04:05.006     base image: done
`
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// TestLiveBaseImage: on a terminal, each stage gets a bar that stays as a
// line, with its count, when the next starts.
func TestLiveBaseImage(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer // read after l.p.Wait: mpb has stopped writing
	l := newLive(&buf, mpb.WithAutoRefresh(), mpb.WithWidth(160))
	for _, bp := range baseImageRun() {
		l.BaseImageProgress(bp)
		time.Sleep(20 * time.Millisecond)
	}
	l.bar.Abort(true)
	l.p.Wait()
	out := buf.String()
	for _, want := range []string{"base image: downloading", "8/8", "base image: assembling the disk", "base image: customizing"} {
		if !strings.Contains(out, want) {
			t.Errorf("the live view lacks %q:\n%s", want, out)
		}
	}
}
