package schedule

import (
	"fmt"
	"testing"
	"time"
)

func BenchmarkNext(b *testing.B) {
	after := time.Date(2025, 6, 15, 12, 34, 56, 0, time.UTC)
	for _, bb := range []struct{ name, expr, zone string }{
		{"daily/UTC", "cron(0 10 * * ? *)", ""},
		{"every-minute/UTC", "cron(* * * * ? *)", ""},
		{"weekdays/New_York", "cron(0 18 ? * MON-FRI *)", "America/New_York"},
		{"second-tuesday/Berlin", "cron(30 22 ? * tue#2 *)", "Europe/Berlin"},
		{"last-friday/Berlin", "cron(0 3 ? * 6L *)", "Europe/Berlin"},
		{"15W/Los_Angeles", "cron(0 9 15W * ? *)", "America/Los_Angeles"},
		{"feb-29/UTC", "cron(0 0 29 2 ? *)", ""},
		{"year-2150/UTC", "cron(0 0 1 1 ? 2150)", ""},
		{"never-feb-30/UTC", "cron(0 0 30 2 ? *)", ""}, // worst case: every month to 2199
	} {
		c, err := Parse(bb.expr)
		if err != nil {
			b.Fatal(err)
		}
		loc, err := ParseTimezone(bb.zone)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Next(after, loc)
			}
		})
	}
}

// BenchmarkNext10000Schedules computes the next run of 10,000 varied
// pipeline schedules in several time zones, the work a scheduler does
// once at start-up (and then once per pipeline per run).
func BenchmarkNext10000Schedules(b *testing.B) {
	crons, locs := varied(b, 10000)
	after := time.Date(2025, 6, 15, 12, 34, 56, 0, time.UTC)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for i, c := range crons {
			if _, ok := c.Next(after, locs[i]); !ok {
				b.Fatalf("%s has no next run", c)
			}
		}
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*len(crons)), "ns/schedule")
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("cron(0/15 9-17 ? JAN-NOV MON-FRI,SAT#2 2025-2030)"); err != nil {
			b.Fatal(err)
		}
	}
}

// varied returns n different schedules, all with runs after 2025, and
// time zones for them.
func varied(b *testing.B, n int) ([]*Cron, []*time.Location) {
	days := []struct{ dom, dow string }{
		{"*", "?"}, {"?", "MON-FRI"}, {"1", "?"}, {"L", "?"}, {"15W", "?"}, {"LW", "?"},
		{"?", "2#1"}, {"?", "tue#2"}, {"?", "6L"}, {"?", "SUN"}, {"1,15", "?"}, {"?", "sat#2,4"},
		{"*/3", "?"}, {"?", "FRI-MON"}, {"29", "?"},
	}
	months := []string{"*", "*", "*", "*/3", "JAN,JUL", "MAR-NOV"}
	years := []string{"*", "*", "*", "2025-2030", "*/2"}
	var zones []*time.Location
	for _, name := range []string{"", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "America/Los_Angeles", "Asia/Kolkata"} {
		loc, err := ParseTimezone(name)
		if err != nil {
			b.Fatal(err)
		}
		zones = append(zones, loc)
	}
	crons := make([]*Cron, n)
	locs := make([]*time.Location, n)
	for i := range n {
		d := days[i%len(days)]
		expr := fmt.Sprintf("cron(%d %d %s %s %s %s)", i%60, (i/60)%24, d.dom, months[(i/7)%len(months)], d.dow, years[(i/11)%len(years)])
		c, err := Parse(expr)
		if err != nil {
			b.Fatal(err)
		}
		crons[i], locs[i] = c, zones[(i/13)%len(zones)]
	}
	return crons, locs
}
