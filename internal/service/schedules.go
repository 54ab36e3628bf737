package service

import (
	"context"
	"fmt"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/schedule"
)

// Pipeline start conditions.
const (
	StartOnMatch             = "EXPRESSION_MATCH_ONLY"
	StartOnDependencyUpdates = "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"
)

// PipelineSchedule is a pipeline's parsed schedule.
type PipelineSchedule struct {
	Cron      *schedule.Cron
	Location  *time.Location
	Condition string // StartOnMatch or StartOnDependencyUpdates
	// AutoDisableAfter disables the pipeline after this many consecutive
	// failed scheduled builds (0: never).
	AutoDisableAfter int
}

// ScheduleOf parses a pipeline's schedule; nil when it has none (a
// manual-only pipeline).
func ScheduleOf(sch *Schedule) (*PipelineSchedule, error) {
	if sch == nil || sch.ScheduleExpression == "" {
		return nil, nil
	}
	c, err := schedule.Parse(sch.ScheduleExpression)
	if err != nil {
		return nil, apierr.InvalidParameterValue("The value supplied for parameter 'schedule.scheduleExpression' is not valid. %v", err)
	}
	loc, err := schedule.ParseTimezone(sch.Timezone)
	if err != nil {
		return nil, apierr.InvalidParameterValue("The value supplied for parameter 'schedule.timezone' is not valid. %v", err)
	}
	ps := &PipelineSchedule{Cron: c, Location: loc, Condition: sch.PipelineExecutionStartCondition}
	switch ps.Condition {
	case "":
		ps.Condition = StartOnDependencyUpdates
	case StartOnMatch, StartOnDependencyUpdates:
	default:
		return nil, apierr.InvalidParameterValue("The value supplied for parameter 'schedule.pipelineExecutionStartCondition' is not valid. Use %s or %s.", StartOnMatch, StartOnDependencyUpdates)
	}
	if adp := sch.AutoDisablePolicy; adp != nil {
		if adp.FailureCount < 1 || adp.FailureCount > 10 {
			return nil, apierr.InvalidParameterValue("The value supplied for parameter 'schedule.autoDisablePolicy.failureCount' is not valid. Use a whole number from 1 to 10.")
		}
		ps.AutoDisableAfter = int(adp.FailureCount)
	}
	return ps, nil
}

// checkSchedule validates a pipeline's schedule and sets dateNextRun.
func (s *Service) checkSchedule(v *ImagePipeline) error {
	v.DateNextRun = ""
	ps, err := ScheduleOf(v.Schedule)
	if err != nil || ps == nil {
		return err
	}
	v.Schedule.PipelineExecutionStartCondition = ps.Condition
	if next, ok := ps.Cron.Next(s.now(), ps.Location); ok {
		v.DateNextRun = timestamp(next)
	}
	return nil
}

// ScheduleOutcome is what a due schedule did.
type ScheduleOutcome struct {
	Image   arn.ARN   // the image started; zero when none
	Skipped string    // why no image was started
	NextRun time.Time // the next match; zero when there is none
}

// RunSchedule handles a pipeline whose schedule may be due at now: in one
// transaction it moves dateNextRun on, then starts a SCHEDULED build when
// the start condition holds, or disables the pipeline after too many
// consecutive failed scheduled builds. Two schedulers racing on the same
// pipeline are safe: the pipeline's revision lets only one commit.
func (s *Service) RunSchedule(ctx context.Context, pa arn.ARN, now time.Time) (ScheduleOutcome, error) {
	var out ScheduleOutcome
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		out = ScheduleOutcome{}
		rec, err := tx.Get(ctx, pa)
		if err != nil {
			return storeErr(pa, "ImagePipeline", err)
		}
		v, err := loadRecord[ImagePipeline](rec)
		if err != nil {
			return err
		}
		ps, err := ScheduleOf(v.Schedule)
		if err != nil || ps == nil || v.Status != "ENABLED" {
			out.Skipped = "no schedule, or not enabled"
			return nil
		}
		if due, err := time.Parse(time.RFC3339, v.DateNextRun); err == nil && due.After(now) {
			out.Skipped, out.NextRun = "not due", due
			return nil
		}
		if next, ok := ps.Cron.Next(now, ps.Location); ok {
			v.DateNextRun, out.NextRun = timestamp(next), next
		} else {
			v.DateNextRun = ""
		}
		switch {
		case ps.AutoDisableAfter > 0 && s.failedScheduledRuns(ctx, tx, pa, ps.AutoDisableAfter) >= ps.AutoDisableAfter:
			v.Status = "DISABLED"
			out.Skipped = fmt.Sprintf("disabled after %d consecutive failed scheduled builds", ps.AutoDisableAfter)
		case ps.Condition == StartOnDependencyUpdates && !s.dependenciesChanged(ctx, tx, pa, v):
			out.Skipped = "no dependency has a newer version than the last image used"
		default:
			if out.Image, err = s.StartPipelineTx(ctx, tx, pa.Account, pa, "SCHEDULED"); err != nil {
				return err
			}
			v.DateLastRun = timestamp(now)
		}
		rec.Data, rec.Attrs = mustJSON(v), pipelineAttrs(v)
		if _, err := tx.Update(ctx, rec); err != nil {
			return storeErr(pa, "ImagePipeline", err)
		}
		return nil
	})
	return out, err
}

// pipelineImages returns a pipeline's newest images, newest first.
func (s *Service) pipelineImages(ctx context.Context, ex store.Executor, pa arn.ARN, n int) []store.Record {
	p, err := ex.List(ctx, store.Query{Type: arn.Image, Region: s.region, Accounts: []string{pa.Account},
		Attrs: map[string][]string{"sourcePipelineArn": {pa.String()}}, Descending: true, Limit: n})
	if err != nil {
		return nil
	}
	return p.Records
}

// failedScheduledRuns counts the consecutive FAILED scheduled images, newest
// first, up to n.
func (s *Service) failedScheduledRuns(ctx context.Context, ex store.Executor, pa arn.ARN, n int) int {
	count := 0
	for _, rec := range s.pipelineImages(ctx, ex, pa, 4*n) {
		img, err := loadRecord[imageRecord](rec)
		if err != nil || img.BuildType != "SCHEDULED" {
			continue
		}
		if img.status() != ImageFailed {
			break
		}
		count++
	}
	return count
}

// dependenciesChanged reports whether the pipeline's recipe now resolves to
// other component builds or another base than its last image used (or it
// has no image yet).
func (s *Service) dependenciesChanged(ctx context.Context, ex store.Executor, pa arn.ARN, pipe *ImagePipeline) bool {
	last := s.pipelineImages(ctx, ex, pa, 1)
	if len(last) == 0 {
		return true
	}
	prev, err := loadRecord[imageRecord](last[0])
	if err != nil || prev.Build == nil {
		return true
	}
	ra, err := arn.Parse(pipe.ImageRecipeArn)
	if err != nil {
		return true
	}
	rrec, err := s.resolve(ctx, ex, pa.Account, ra)
	if err != nil {
		return true // let the build report the problem
	}
	recipe, err := loadRecord[ImageRecipe](rrec)
	if err != nil {
		return true
	}
	now, err := s.buildSpec(ctx, ex, pa.Account, recipe)
	if err != nil {
		return true
	}
	if now.ParentImage != prev.Build.ParentImage || len(now.Components) != len(prev.Build.Components) {
		return true
	}
	for i := range now.Components {
		if now.Components[i].Arn != prev.Build.Components[i].Arn {
			return true
		}
	}
	return false
}

// ScheduledPipelines lists every enabled pipeline with a schedule, in all
// accounts, with its next run (for the scheduler).
func (s *Service) ScheduledPipelines(ctx context.Context) (map[arn.ARN]time.Time, error) {
	out := map[arn.ARN]time.Time{}
	q := store.Query{Type: arn.ImagePipeline, Region: s.region, Attrs: map[string][]string{"status": {"ENABLED"}}, Limit: 500}
	for {
		p, err := s.store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, rec := range p.Records {
			var obj struct {
				Schedule    *Schedule `json:"schedule"`
				DateNextRun string    `json:"dateNextRun"`
			}
			if decodeData(rec.Data, &obj) != nil || obj.Schedule == nil || obj.Schedule.ScheduleExpression == "" {
				continue
			}
			next, err := time.Parse(time.RFC3339, obj.DateNextRun)
			if err != nil {
				next = time.Time{} // unknown: due now, RunSchedule sets it
			}
			out[rec.ARN] = next
		}
		if p.NextToken == "" {
			return out, nil
		}
		q.PageToken = p.NextToken
	}
}
