package progress

import (
	"fmt"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
)

// baseImageLine is the text of a base image build's progress: the stage,
// the package count when there is one, and the item.
func baseImageLine(p baseimage.Progress) string {
	s := "base image: " + string(p.Stage)
	if p.Total > 0 && p.Stage != baseimage.StageAssemble {
		s += fmt.Sprintf(" %d/%d packages", p.Done, p.Total)
	}
	if p.Item != "" {
		s += " · " + p.Item
	}
	return s
}

// installing tells the stages that alternate within one install: apt
// unpacks and configures packages in batches.
func installing(s baseimage.Stage) bool {
	return s == baseimage.StageUnpack || s == baseimage.StageConfigure
}

// sameStep tells whether b continues a's step: the same stage (or both
// installing) of the same install (the same total), or of assembling
// the disk.
func sameStep(a, b baseimage.Progress) bool {
	return (a.Stage == b.Stage || installing(a.Stage) && installing(b.Stage)) && a.Total == b.Total
}

// quarter is how many quarters of its total p has done.
func quarter(p baseimage.Progress) int {
	if p.Total <= 0 {
		return 0
	}
	return p.Done * 4 / p.Total
}

// BaseImageProgress implements workflow.BaseImageReporter: a line when a
// stage starts (again for each install), one each quarter of a stage's
// packages, and one per step of assembling the disk.
func (p *Plain) BaseImageProgress(bp baseimage.Progress) {
	p.mu.Lock()
	if p.baseQuarters == nil || !sameStep(p.base, bp) {
		p.baseQuarters = map[baseimage.Stage]int{}
	}
	q, seen := p.baseQuarters[bp.Stage]
	show := !seen || quarter(bp) > q || bp.Stage == baseimage.StageAssemble && bp.Item != p.base.Item
	p.baseQuarters[bp.Stage], p.base = quarter(bp), bp
	p.mu.Unlock()
	if show {
		p.line("    %s", baseImageLine(bp))
	}
}

// baseBar is the bar of one stage of a base image build.
type baseBar struct {
	bar   *mpb.Bar
	start time.Time
	last  baseimage.Progress
	end   time.Duration // set when it completed
}

// BaseImageProgress implements workflow.BaseImageReporter: a bar per
// stage (unpacking and configuring side by side, as apt alternates them),
// with the packages done of the total, or a spinner while there is no
// count; a finished stage stays as a line with its count and time. Bars
// are driven outside l.mu: mpb renders the decorators, which take l.mu,
// on the goroutine the bar calls wait for.
func (l *Live) BaseImageProgress(bp baseimage.Progress) {
	l.mu.Lock()
	var done []*mpb.Bar
	for st, b := range l.baseBars {
		if !sameStep(b.last, bp) || bp.Stage == baseimage.StageDone {
			b.end = time.Since(b.start)
			done = append(done, b.bar)
			delete(l.baseBars, st)
		}
	}
	b := l.baseBars[bp.Stage]
	if b != nil {
		b.last = bp
	}
	l.mu.Unlock()
	for _, bar := range done {
		bar.SetTotal(-1, true)
	}
	if bp.Stage == baseimage.StageDone {
		return
	}
	if b == nil {
		b = &baseBar{start: time.Now(), last: bp}
		b.bar = l.newBaseBar(b)
		l.mu.Lock()
		if l.baseBars == nil {
			l.baseBars = map[baseimage.Stage]*baseBar{}
		}
		l.baseBars[bp.Stage] = b
		l.mu.Unlock()
	}
	if bp.Total > 0 {
		b.bar.SetTotal(int64(bp.Total), false)
		b.bar.SetCurrent(int64(bp.Done))
	}
}

// newBaseBar adds b's bar.
func (l *Live) newBaseBar(b *baseBar) *mpb.Bar {
	var style mpb.BarFillerBuilder = mpb.SpinnerStyle()
	if b.last.Total > 0 {
		style = mpb.BarStyle()
	}
	text := func(f func(p baseimage.Progress, end time.Duration) string) decor.Decorator {
		return decor.Any(func(decor.Statistics) string {
			l.mu.Lock()
			defer l.mu.Unlock()
			return f(b.last, b.end)
		})
	}
	return l.p.New(int64(b.last.Total), style, mpb.BarWidth(30), mpb.BarPriority(-1),
		mpb.PrependDecorators(text(func(p baseimage.Progress, _ time.Duration) string {
			count := ""
			if p.Total > 0 {
				count = fmt.Sprintf("%d/%d", p.Done, p.Total)
			}
			return fmt.Sprintf("  base image: %-20s %9s ", p.Stage, count)
		})),
		mpb.AppendDecorators(text(func(p baseimage.Progress, end time.Duration) string {
			if end > 0 {
				return " " + end.Round(100*time.Millisecond).String()
			}
			return " " + p.Item
		})))
}
