package schedule

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// The oracle below computes next runs the slow, obvious way, to check
// Next against: it walks real time minute by minute and fires a run when
// the wall clock first reaches a matching minute (directly, or by jumping
// over it). Its day rules are written independently of daySpec.mask.

// wallOf returns t's wall-clock time in loc as seconds since 1970-01-01
// 00:00 wall time.
func wallOf(t time.Time, loc *time.Location) int64 {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC).Unix()
}

// oracleMatches reports whether the wall-clock minute w matches c.
func oracleMatches(c *Cron, w int64) bool {
	t := time.Unix(w, 0).UTC()
	if t.Second() != 0 || !c.years.has(t.Year()-minYear) || c.months&(1<<int(t.Month())) == 0 ||
		c.hours&(1<<t.Hour()) == 0 || c.minutes&(1<<t.Minute()) == 0 {
		return false
	}
	return oracleDay(&c.days, t.Year(), t.Month(), t.Day())
}

func oracleDay(s *daySpec, y int, m time.Month, d int) bool {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	wd := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()
	if !s.byWeekday {
		if s.monthDays&(1<<d) != 0 || s.lastDay && d == last || s.lastWeekday && d == closestWeekday(y, m, last) {
			return true
		}
		for n := 1; n <= last; n++ {
			if s.nearest&(1<<n) != 0 && d == closestWeekday(y, m, n) {
				return true
			}
		}
		return false
	}
	return s.weekdays&(1<<wd) != 0 ||
		s.lastOf&(1<<wd) != 0 && d+7 > last ||
		s.nth[wd]&(1<<((d-1)/7+1)) != 0
}

// closestWeekday returns the Monday-to-Friday day of month m nearest day n.
func closestWeekday(y int, m time.Month, n int) int {
	best := 0
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	for d := 1; d <= last; d++ {
		wd := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()
		if wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if best == 0 || abs(d-n) < abs(best-n) {
			best = d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// bruteNext returns the first run after after and before limit, the slow
// way. Zones must have whole-minute offsets.
func bruteNext(c *Cron, after, limit time.Time, loc *time.Location) (time.Time, bool) {
	// The latest wall time shown up to after: minutes up to it have had
	// their turn.
	shown := wallOf(after, loc)
	for u := after.Add(-27 * time.Hour).Truncate(time.Minute); u.Before(after); u = u.Add(time.Minute) {
		shown = max(shown, wallOf(u, loc))
	}
	for u := after.Truncate(time.Minute).Add(time.Minute); u.Before(limit); u = u.Add(time.Minute) {
		now := wallOf(u, loc)
		if now <= shown {
			continue // a repeated wall time
		}
		for w := shown - shown%60 + 60; w <= now; w += 60 {
			if oracleMatches(c, w) {
				return u.In(loc), true
			}
		}
		shown = now
	}
	return time.Time{}, false
}

// transitions returns the instants in [from, to) at which loc's offset
// changes.
func transitions(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	for t := from; t.Before(to); {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			break
		}
		out = append(out, end)
		t = end
	}
	return out
}

// randomExpr returns a schedule that fires often enough for bruteNext;
// hint, when not empty, is an hour field it favours.
func randomExpr(r *rand.Rand, hint string) string {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	minute := pick("*", "*/7", "0", "30", "0,30", "15-45/15", "59", "*/20", "1-3")
	hour := pick("*", "0", "1", "2", "3", "0-4", "1,2", "*/3", "22-3", "2/5", "23")
	focus := hint != "" && r.IntN(2) == 0
	if focus {
		hour = hint
	}
	month := pick("*", "*", "*", "3,4,10,11", "MAR-NOV", "*/2", "NOV-APR")
	year := pick("*", "*", "*", "2024-2026", "2025", "*/2")
	var dom, dow string
	if r.IntN(2) == 0 {
		dom, dow = pick("*", "L", "LW", "15W", "1W", "31W", "1-7", "*/2", "28-3", "29", "1,15,L", "30W"), "?"
	} else {
		dom, dow = "?", pick("*", "1", "MON-FRI", "L", "6L", "1L", "SUN#2", "sat#2,4", "2#5", "FRI-MON", "1#1,7L", "*/3")
	}
	if focus && r.IntN(2) == 0 {
		dom, month, dow, year = "*", "*", "?", "*"
	}
	return fmt.Sprintf("cron(%s %s %s %s %s %s)", minute, hour, dom, month, dow, year)
}

var oracleZones = []string{"UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Apia"}

func TestNextAgreesWithBruteForce(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	const runs, window = 6, 14 * 24 * time.Hour
	gaps, straddles := 0, 0 // runs at the end of a gap; runs across an offset change
	for i := range 200 {
		zone := oracleZones[r.IntN(len(oracleZones))]
		loc, err := ParseTimezone(zone)
		if err != nil {
			t.Fatal(err)
		}
		// Start near a daylight-saving change when the zone has one
		// (2011 for Apia's skipped day, 2018 for Sao Paulo's midnight
		// changes), else anywhere in 2025.
		year := map[string]int{"Pacific/Apia": 2011, "America/Sao_Paulo": 2018}[zone]
		if year == 0 {
			year = 2025
		}
		from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
		after := from.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		if ts := transitions(loc, from, from.AddDate(1, 0, 0)); len(ts) > 0 {
			after = ts[r.IntN(len(ts))].Add(time.Duration(r.Int64N(int64(22*time.Hour))) - 20*time.Hour)
		}
		after = after.Add(time.Duration(r.IntN(120)) * time.Second / 2)
		// Favour the hours around the next change of offset.
		hint := ""
		if ts := transitions(loc, after, after.Add(48*time.Hour)); len(ts) > 0 {
			// The clock's hour at the change on the old and on the new
			// offset: the first skipped or repeated hour, and the next.
			_, old := ts[0].Add(-time.Second).In(loc).Zone()
			_, cur := ts[0].In(loc).Zone()
			hint = fmt.Sprintf("%d,%d", ts[0].In(time.FixedZone("", old)).Hour(), ts[0].In(time.FixedZone("", cur)).Hour())
		}
		expr := randomExpr(r, hint)
		c, err := Parse(expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", expr, err)
		}

		for run := range runs {
			limit := after.Add(window)
			want, wantOK := bruteNext(c, after, limit, loc)
			got, gotOK := c.Next(after, loc)
			if wantOK != gotOK && !(gotOK && !got.Before(limit)) || wantOK && !got.Equal(want) {
				t.Fatalf("case %d run %d: %s in %s after %s: Next = %s, %v; brute force = %s, %v",
					i, run+1, expr, zone, after.In(loc).Format(time.RFC3339), got.Format(time.RFC3339), gotOK, want.Format(time.RFC3339), wantOK)
			}
			if !wantOK {
				break
			}
			if _, a := got.Add(-time.Second).Zone(); true {
				if _, b := got.Zone(); b > a {
					gaps++ // got is the end of a gap
				}
			}
			if _, a := after.In(loc).Zone(); true {
				if _, b := got.Zone(); a != b {
					straddles++
				}
			}
			after = got
		}
	}
	// Make sure the cases above exercise daylight saving at all.
	if gaps < 10 || straddles < 50 {
		t.Errorf("only %d runs at the end of a gap and %d across an offset change; make the cases hit them more often", gaps, straddles)
	}
	t.Logf("%d runs at the end of a gap, %d across an offset change", gaps, straddles)
}
