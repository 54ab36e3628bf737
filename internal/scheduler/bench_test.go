package scheduler_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/scheduler"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

// BenchmarkIdleTick is the scheduler's cost when no pipeline is due, with
// 10,000 scheduled pipelines (the target: < 1 % of a core when idle). One
// tick per Interval (60 s): idle CPU share = ns/op / 60e9.
//
//	go test ./internal/scheduler -run '^$' -bench IdleTick -benchtime 20x
func BenchmarkIdleTick(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: b.TempDir() + "/g.db"})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	c := &clock{t: at("2026-03-06T09:00:00Z")}
	svc, err := service.New(ctx, service.Config{Store: st, Region: region, Now: c.now, Builds: &queue{}, Limits: service.Limits{Pipelines: 20000}})
	if err != nil {
		b.Fatal(err)
	}
	d := doc
	if _, err := svc.CreateComponent(ctx, account, service.CreateComponentInput{Name: "hello", SemanticVersion: "1.0.0", Platform: "Linux", Data: &d, ClientToken: token()}); err != nil {
		b.Fatal(err)
	}
	prefix := "arn:aws:imagebuilder:" + region + ":" + account + ":"
	rec, err := svc.CreateImageRecipe(ctx, account, service.CreateImageRecipeInput{Name: "web", SemanticVersion: "1.0.0", ClientToken: token(),
		ImageRecipeSettings: service.ImageRecipeSettings{ParentImage: "debian-12",
			Components: []service.ComponentConfiguration{{ComponentArn: prefix + "component/hello/x.x.x"}}}})
	if err != nil {
		b.Fatal(err)
	}
	infra, err := svc.CreateInfrastructureConfiguration(ctx, account, service.CreateInfrastructureConfigurationInput{Name: "local", ClientToken: token(),
		InfrastructureSettings: service.InfrastructureSettings{InstanceProfileName: "none"}})
	if err != nil {
		b.Fatal(err)
	}
	zones := []string{"Etc/UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"}
	for i := range 10000 {
		sch := service.Schedule{ScheduleExpression: fmt.Sprintf("cron(%d %d ? * %d *)", i%60, i%24, 1+i%7), Timezone: zones[i%len(zones)]}
		if _, err := svc.CreateImagePipeline(ctx, account, service.CreateImagePipelineInput{Name: fmt.Sprintf("p%05d", i), ClientToken: token(),
			PipelineSettings: service.PipelineSettings{ImageBuildSettings: service.ImageBuildSettings{ImageRecipeArn: rec.ImageRecipeArn,
				InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}, Schedule: &sch}}); err != nil {
			b.Fatal(err)
		}
	}
	s := &scheduler.Scheduler{Service: svc, Now: func() time.Time { return at("2026-03-06T09:00:00Z") }}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Tick(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
