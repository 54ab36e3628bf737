package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/scheduler"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

const (
	region  = "goldsmith-local-1"
	account = "111111111111"
	doc     = "name: hello\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Say\n        action: ExecuteBash\n        inputs:\n          commands: [echo hi]\n"
)

var tokens atomic.Int64

func token() string { return fmt.Sprintf("token-%d", tokens.Add(1)) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func at(s string) time.Time      { t, _ := time.Parse(time.RFC3339, s); return t }
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// queue records the builds the scheduler starts.
type queue struct {
	mu     sync.Mutex
	images []string
}

func (q *queue) Enqueue(ctx context.Context, tx store.Tx, account string, image arn.ARN) error {
	q.mu.Lock()
	q.images = append(q.images, image.String())
	q.mu.Unlock()
	return nil
}

func (q *queue) count() int { q.mu.Lock(); defer q.mu.Unlock(); return len(q.images) }

type fixture struct {
	t     *testing.T
	svc   *service.Service
	clock *clock
	q     *queue
	sched *scheduler.Scheduler
}

func newFixture(t *testing.T) *fixture {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: t.TempDir() + "/g.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: at("2026-03-06T09:00:00Z")}
	q := &queue{}
	svc, err := service.New(ctx, service.Config{Store: st, Region: region, Now: c.now, Builds: q})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, svc: svc, clock: c, q: q, sched: &scheduler.Scheduler{Service: svc, Now: c.now}}
}

func (f *fixture) component(version string) {
	f.t.Helper()
	d := doc
	if _, err := f.svc.CreateComponent(context.Background(), account, service.CreateComponentInput{Name: "hello", SemanticVersion: version, Platform: "Linux", Data: &d, ClientToken: token()}); err != nil {
		f.t.Fatal(err)
	}
}

// pipeline creates a recipe using hello/x.x.x and a pipeline with schedule.
func (f *fixture) pipeline(schedule service.Schedule) arn.ARN {
	f.t.Helper()
	ctx := context.Background()
	prefix := "arn:aws:imagebuilder:" + region + ":" + account + ":"
	rec, err := f.svc.CreateImageRecipe(ctx, account, service.CreateImageRecipeInput{Name: "web", SemanticVersion: "1.0.0", ClientToken: token(),
		ImageRecipeSettings: service.ImageRecipeSettings{ParentImage: "debian-12",
			Components: []service.ComponentConfiguration{{ComponentArn: prefix + "component/hello/x.x.x"}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	infra, err := f.svc.CreateInfrastructureConfiguration(ctx, account, service.CreateInfrastructureConfigurationInput{Name: "local", ClientToken: token(),
		InfrastructureSettings: service.InfrastructureSettings{InstanceProfileName: "none"}})
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := f.svc.CreateImagePipeline(ctx, account, service.CreateImagePipelineInput{Name: "nightly", ClientToken: token(),
		PipelineSettings: service.PipelineSettings{ImageBuildSettings: service.ImageBuildSettings{ImageRecipeArn: rec.ImageRecipeArn,
			InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}, Schedule: &schedule}})
	if err != nil {
		f.t.Fatal(err)
	}
	return must(arn.Parse(p.ImagePipelineArn))
}

// tickAt runs the scheduler at t and returns how many builds it started.
func (f *fixture) tickAt(t string) int {
	f.t.Helper()
	before := f.q.count()
	f.clock.set(at(t))
	if _, err := f.sched.Tick(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	return f.q.count() - before
}

func TestExpressionMatchOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.component("1.0.0")
	pa := f.pipeline(service.Schedule{ScheduleExpression: "cron(0 10 * * ? *)", Timezone: "Europe/Berlin", PipelineExecutionStartCondition: "EXPRESSION_MATCH_ONLY"})
	got, _ := f.svc.GetImagePipeline(context.Background(), account, pa.String())
	// 10:00 in Berlin is 09:00 UTC in March before the DST change; created
	// at exactly 09:00:00, the next match is strictly later: the next day's.
	if next := got.ImagePipeline.DateNextRun; next != "2026-03-07T09:00:00.000Z" {
		t.Fatalf("dateNextRun = %v, want 2026-03-07T09:00:00.000Z", next)
	}
	for _, tc := range []struct {
		now  string
		want int
	}{
		{"2026-03-06T12:00:00Z", 0}, // before the next match
		{"2026-03-07T09:00:30Z", 1}, // matched: a build
		{"2026-03-07T09:01:00Z", 0}, // the same match does not start twice
		{"2026-03-08T09:00:10Z", 1}, // next day, same dependencies: still a build
		{"2026-03-29T08:00:05Z", 1}, // after the DST change 10:00 Berlin is 08:00 UTC (the 28th's run was missed while down: one catch-up build, not two)
	} {
		if got := f.tickAt(tc.now); got != tc.want {
			t.Errorf("at %s: %d builds, want %d", tc.now, got, tc.want)
		}
	}
}

func TestDependencyUpdates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.component("1.0.0")
	f.pipeline(service.Schedule{ScheduleExpression: "cron(0 3 * * ? *)"}) // default condition: dependency updates
	if got := f.tickAt("2026-03-07T03:00:01Z"); got != 1 {
		t.Fatalf("first scheduled run (no image yet): %d builds, want 1", got)
	}
	if got := f.tickAt("2026-03-08T03:00:01Z"); got != 0 {
		t.Fatalf("no new dependency: %d builds, want 0", got)
	}
	f.component("1.0.1") // hello/x.x.x now resolves to a newer build
	if got := f.tickAt("2026-03-09T03:00:01Z"); got != 1 {
		t.Fatalf("new component version: %d builds, want 1", got)
	}
	if got := f.tickAt("2026-03-10T03:00:01Z"); got != 0 {
		t.Fatalf("after building it: %d builds, want 0", got)
	}
}

func TestAutoDisable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.component("1.0.0")
	pa := f.pipeline(service.Schedule{ScheduleExpression: "cron(0 3 * * ? *)", PipelineExecutionStartCondition: "EXPRESSION_MATCH_ONLY",
		AutoDisablePolicy: &service.AutoDisablePolicy{FailureCount: 2}})
	fail := func() {
		f.q.mu.Lock()
		last := f.q.images[len(f.q.images)-1]
		f.q.mu.Unlock()
		if _, err := f.svc.SetImageState(context.Background(), must(arn.Parse(last)), service.StateChange{Status: service.ImageFailed, Reason: "boom"}); err != nil {
			t.Fatal(err)
		}
	}
	for i, day := range []string{"07", "08"} {
		if got := f.tickAt("2026-03-" + day + "T03:00:01Z"); got != 1 {
			t.Fatalf("run %d: %d builds", i, got)
		}
		fail()
	}
	if got := f.tickAt("2026-03-09T03:00:01Z"); got != 0 {
		t.Fatalf("after 2 failures: %d builds, want 0", got)
	}
	p, _ := f.svc.GetImagePipeline(context.Background(), account, pa.String())
	if st := p.ImagePipeline.Status; st != "DISABLED" {
		t.Fatalf("pipeline status %v, want DISABLED", st)
	}
}

func TestBadSchedules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.component("1.0.0")
	good := f.pipeline(service.Schedule{ScheduleExpression: "cron(0 1 * * ? *)"})
	p, _ := f.svc.GetImagePipeline(context.Background(), account, good.String())
	pipe := p.ImagePipeline
	for _, sch := range []service.Schedule{
		{ScheduleExpression: "cron(0 25 * * ? *)"},
		{ScheduleExpression: "rate(1 day)"},
		{ScheduleExpression: "cron(0 1 * * ? *)", Timezone: "Mars/Olympus"},
		{ScheduleExpression: "cron(0 1 * * ? *)", PipelineExecutionStartCondition: "SOMETIMES"},
		{ScheduleExpression: "cron(0 1 * * ? *)", AutoDisablePolicy: &service.AutoDisablePolicy{FailureCount: 0}},
	} {
		_, err := f.svc.CreateImagePipeline(context.Background(), account, service.CreateImagePipelineInput{Name: "other", ClientToken: token(),
			PipelineSettings: service.PipelineSettings{ImageBuildSettings: service.ImageBuildSettings{ImageRecipeArn: pipe.ImageRecipeArn,
				InfrastructureConfigurationArn: pipe.InfrastructureConfigurationArn}, Schedule: &sch}})
		if err == nil || !strings.Contains(err.Error(), "InvalidParameterValueException") || !strings.Contains(err.Error(), "schedule") {
			t.Errorf("schedule %v: %v, want InvalidParameterValueException about the schedule", sch, err)
		}
	}
}
