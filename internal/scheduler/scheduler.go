// Package scheduler starts image pipelines on their schedules. It keeps
// each enabled pipeline's next run (dateNextRun, computed from its cron
// expression in its time zone by internal/schedule) and sleeps until the
// earliest one, re-reading the pipelines at least every Interval so new
// and changed schedules are picked up. A due pipeline is handed to
// service.RunSchedule, which decides in one transaction whether to start a
// build (the start condition, dependency updates, auto-disable): several
// servers can run schedulers on one database without double starts.
//
// Cost when idle: one List of the enabled pipelines per Interval; with
// 10,000 scheduled pipelines a tick costs about 0.3 s of CPU, 0.5 % of a
// core at the default interval (BenchmarkIdleTick, BENCHMARKS.md).
package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/service"
)

// Scheduler runs pipelines' schedules.
type Scheduler struct {
	Service *service.Service
	// Interval bounds how long a new or changed schedule waits to be seen
	// (a match it missed meanwhile still runs, late); default 60s. Image
	// Builder likewise starts scheduled builds "on or after" the matched
	// minute. Known next runs are kept to the second: the scheduler sleeps
	// until the earliest.
	Interval time.Duration
	Now      func() time.Time
	Log      *slog.Logger
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Run checks schedules until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	every := s.Interval
	if every <= 0 {
		every = time.Minute
	}
	for {
		next, err := s.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			s.log().Warn("scheduler: checking schedules failed; retrying", "err", err)
		}
		wait := every
		if !next.IsZero() {
			wait = min(max(time.Until(next), 0), every)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Tick handles every due pipeline and returns the earliest next run.
func (s *Scheduler) Tick(ctx context.Context) (time.Time, error) {
	pipes, err := s.Service.ScheduledPipelines(ctx)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now()
	var earliest time.Time
	for pa, next := range pipes {
		if next.After(now) {
			earliest = minTime(earliest, next)
			continue
		}
		out, err := s.Service.RunSchedule(ctx, pa, now)
		if err != nil {
			s.log().Warn("scheduler: starting a scheduled build failed", "pipeline", pa, "err", err)
			continue
		}
		s.report(pa, out)
		if !out.NextRun.IsZero() {
			earliest = minTime(earliest, out.NextRun)
		}
	}
	return earliest, nil
}

func (s *Scheduler) report(pa arn.ARN, out service.ScheduleOutcome) {
	if out.Image != (arn.ARN{}) {
		s.log().Info("scheduled build started", "pipeline", pa, "image", out.Image, "next", out.NextRun)
	} else if out.Skipped != "not due" {
		s.log().Info("scheduled build skipped", "pipeline", pa, "why", out.Skipped, "next", out.NextRun)
	}
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
