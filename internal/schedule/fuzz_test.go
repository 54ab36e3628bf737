package schedule

import (
	"errors"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, that its errors are the typed
// ones, and that Next on anything Parse accepts returns a time after its
// argument that agrees with the brute-force oracle over the next hours.
func FuzzParse(f *testing.F) {
	for _, expr := range []string{
		"cron(0 10 * * ? *)", "cron(15 12 * * ? *)", "cron(0 10 ? * 1-5 *)", "cron(0 18 ? * mon-fri *)",
		"cron(0 8 1 * ? *)", "cron(30 22 ? * tue#2 *)", "cron(0 0 ? * sat#2,4 *)", "cron(0 0 * * SUN)",
		"cron(0 0 L * ? *)", "cron(0 0 LW * ? *)", "cron(0 0 15W * ? *)", "cron(0 0 ? * 6L *)", "cron(0 0 ? * L *)",
		"cron(0 0 29 2 ? *)", "cron(5-50/15 */6 * * ? *)", "cron(0 22-2 * * ? *)", "cron(0 0 ? * FRI-MON *)",
		"cron(0 0 1 1 ? 2030,2035)", "cron(59 23 31 12 ? 2199)", "cron(*/20 * * * ? *)", "cron(30 2 * * ? *)",
		"cron(0 0 30 2 ? *)", "cron(0 0 * * * *)", "rate(1 day)", "cron(0 25 * * ? *)", "cron(0 0 ? * ? *)",
		"cron(0 0 1,,2 * ? *)", "cron(0 0 ? * MON#6 *)", "",
	} {
		// 2025-03-09T06:50Z is ten minutes before New York springs
		// forward; zone 1 is New York.
		f.Add(expr, int64(1741503000), uint8(1))
	}
	f.Add("cron(*/15 2 * * ? *)", int64(1761436800), uint8(2))    // Berlin, 2025-10-26 fall back
	f.Add("cron(0 12 30 12 ? 2011)", int64(1325152800), uint8(6)) // Apia skips 2011-12-30

	zones := make([]*time.Location, len(oracleZones))
	for i, name := range oracleZones {
		loc, err := ParseTimezone(name)
		if err != nil {
			f.Fatal(err)
		}
		zones[i] = loc
	}
	// after spans 1960 to 2210, so Next also meets the ends of the year range.
	lo := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	span := time.Date(2210, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - lo

	f.Fuzz(func(t *testing.T, expr string, afterUnix int64, zone uint8) {
		c, err := Parse(expr)
		if err != nil {
			var e *ExpressionError
			if !errors.Is(err, ErrInvalidExpression) || !errors.As(err, &e) || e.Expression != expr || err.Error() == "" {
				t.Fatalf("Parse(%q): bad error %#v", expr, err)
			}
			return
		}
		if c.String() != expr {
			t.Fatalf("String() = %q, want %q", c.String(), expr)
		}
		loc := zones[int(zone)%len(zones)]
		after := time.Unix(lo+((afterUnix-lo)%span+span)%span, int64(zone)*1e7)

		const horizon = 3 * time.Hour
		next, ok := c.Next(after, loc)
		if ok && !next.After(after) {
			t.Fatalf("%s in %s: Next(%s) = %s, not after it", expr, loc, after.Format(time.RFC3339Nano), next.Format(time.RFC3339))
		}
		want, wantOK := bruteNext(c, after, after.Add(horizon), loc)
		if wantOK != (ok && next.Before(after.Add(horizon))) || wantOK && !next.Equal(want) {
			t.Fatalf("%s in %s: Next(%s) = %s, %v; brute force = %s, %v",
				expr, loc, after.Format(time.RFC3339Nano), next.Format(time.RFC3339), ok, want.Format(time.RFC3339), wantOK)
		}
		if ok {
			if again, ok := c.Next(next, loc); ok && !again.After(next) {
				t.Fatalf("%s in %s: Next(%s) = %s, not after it", expr, loc, next.Format(time.RFC3339), again.Format(time.RFC3339))
			}
		}
	})
}
