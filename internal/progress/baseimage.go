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

// BaseImageProgress implements workflow.BaseImageReporter: a line when
// the stage (or, while assembling, the step) changes, and one every
// quarter of a stage's packages.
func (p *Plain) BaseImageProgress(bp baseimage.Progress) {
	p.mu.Lock()
	last, quarter := p.base, 0
	if bp.Total > 0 {
		quarter = bp.Done * 4 / bp.Total
	}
	show := bp.Stage != last.Stage || (bp.Stage == baseimage.StageAssemble && bp.Item != last.Item) ||
		(bp.Total > 0 && quarter != p.baseQuarter) || (bp.Total != last.Total && bp.Done == 0)
	p.base, p.baseQuarter = bp, quarter
	p.mu.Unlock()
	if show {
		p.line("    %s", baseImageLine(bp))
	}
}

// BaseImageProgress implements workflow.BaseImageReporter: a bar per stage
// (packages done of the total, or the steps of assembling the disk; a
// spinner while the total is unknown) that stays, completed, as a line
// when the next stage starts. Bars are driven outside l.mu: mpb renders
// the decorators, which take l.mu, on the goroutine the bar calls wait for.
func (l *Live) BaseImageProgress(bp baseimage.Progress) {
	l.mu.Lock()
	old, bar := l.baseBar, l.baseBar
	if bar != nil && (bp.Stage != l.base.Stage || (bp.Total > 0) != (l.base.Total > 0)) {
		bar, l.baseBar = nil, nil
	} else {
		old = nil
	}
	l.base = bp
	l.mu.Unlock()
	if old != nil {
		old.SetTotal(-1, true)
	}
	if bp.Stage == baseimage.StageDone {
		return
	}
	if bar == nil {
		bar = l.newBaseBar(bp)
		l.mu.Lock()
		l.baseBar = bar
		l.mu.Unlock()
	}
	if bp.Total > 0 {
		bar.SetTotal(int64(bp.Total), false)
		bar.SetCurrent(int64(bp.Done))
	}
}

// newBaseBar adds the bar of bp's stage.
func (l *Live) newBaseBar(bp baseimage.Progress) *mpb.Bar {
	var style mpb.BarFillerBuilder = mpb.SpinnerStyle()
	if bp.Total > 0 {
		style = mpb.BarStyle()
	}
	start := time.Now()
	return l.p.New(int64(bp.Total), style, mpb.BarWidth(30), mpb.BarPriority(-1),
		mpb.PrependDecorators(decor.Name(fmt.Sprintf("  base image: %-20s ", bp.Stage)), decor.CountersNoUnit("%d/%d", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Any(func(s decor.Statistics) string {
			if s.Completed {
				return " " + time.Since(start).Round(100*time.Millisecond).String()
			}
			l.mu.Lock()
			defer l.mu.Unlock()
			return " " + l.base.Item
		})))
}
