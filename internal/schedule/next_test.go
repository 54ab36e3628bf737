package schedule

import (
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		expr  string
		zone  string // "" is UTC
		after string // RFC 3339
		want  []string
		// want is the runs that follow after, in order; when the last
		// element is "none", the schedule ends after the runs before it.
	}{
		// The examples of the Image Builder user guide.
		{"guide daily 10:00", "cron(0 10 * * ? *)", "", "2025-01-15T09:00:00Z", []string{"2025-01-15T10:00:00Z", "2025-01-16T10:00:00Z"}},
		{"strictly after", "cron(0 10 * * ? *)", "", "2025-01-15T10:00:00Z", []string{"2025-01-16T10:00:00Z"}},
		{"sub-second before", "cron(0 10 * * ? *)", "", "2025-01-15T09:59:59.999Z", []string{"2025-01-15T10:00:00Z"}},
		{"sub-second after", "cron(0 10 * * ? *)", "", "2025-01-15T10:00:00.001Z", []string{"2025-01-16T10:00:00Z"}},
		{"guide daily 12:15", "cron(15 12 * * ? *)", "", "2025-01-15T12:15:01Z", []string{"2025-01-16T12:15:00Z"}},
		{"guide midnight over new year", "cron(0 0 * * ? *)", "", "2025-12-31T23:59:30Z", []string{"2026-01-01T00:00:00Z"}},
		// 1-5 is Sunday to Thursday (1 = SUN), whatever the guide's caption says.
		{"guide 1-5 is sun-thu", "cron(0 10 ? * 1-5 *)", "", "2025-01-17T12:00:00Z", []string{"2025-01-19T10:00:00Z", "2025-01-20T10:00:00Z"}},
		{"guide mon-fri", "cron(0 18 ? * mon-fri *)", "", "2025-01-17T18:00:00Z", []string{"2025-01-20T18:00:00Z"}},
		{"guide first of month", "cron(0 8 1 * ? *)", "", "2025-01-01T08:00:00Z", []string{"2025-02-01T08:00:00Z"}},
		{"guide second tuesday", "cron(30 22 ? * tue#2 *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-14T22:30:00Z", "2025-02-11T22:30:00Z"}},
		{"guide sat#2,4", "cron(0 0 ? * sat#2,4 *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-11T00:00:00Z", "2025-01-25T00:00:00Z", "2025-02-08T00:00:00Z", "2025-02-22T00:00:00Z"}},
		{"old guide TUE#2 with * day", "cron(0 10 * * TUE#2 *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-14T10:00:00Z"}},
		{"legacy five fields", "cron(0 0 * * SUN)", "", "2025-01-01T00:00:00Z", []string{"2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z"}},
		{"legacy five fields with ?", "cron(0 10 * * ?)", "", "2025-01-01T10:00:00Z", []string{"2025-01-02T10:00:00Z"}},

		// Day-of-week numbering: 1 = Sunday. 2025-01-01 is a Wednesday.
		{"1 is sunday", "cron(0 0 ? * 1 *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-05T00:00:00Z"}},
		{"2 is monday", "cron(0 0 ? * 2 *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-06T00:00:00Z"}},
		{"7 is saturday", "cron(0 0 ? * 7 *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-04T00:00:00Z"}},
		{"names any case", "cron(0 9 ? jAn,JUL Mon *)", "", "2025-01-31T00:00:00Z", []string{"2025-07-07T09:00:00Z", "2025-07-14T09:00:00Z"}},
		{"range of names wraps", "cron(0 0 ? * FRI-MON *)", "", "2025-01-06T00:00:00Z", []string{"2025-01-10T00:00:00Z", "2025-01-11T00:00:00Z", "2025-01-12T00:00:00Z", "2025-01-13T00:00:00Z", "2025-01-17T00:00:00Z"}},
		{"weekday step mon wed fri", "cron(0 0 ? * 2/2 *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-03T00:00:00Z", "2025-01-06T00:00:00Z", "2025-01-08T00:00:00Z"}},

		// L in day-of-month, leap years.
		{"L in leap february", "cron(0 0 L * ? *)", "", "2024-02-10T00:00:00Z", []string{"2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z"}},
		{"L in february", "cron(0 0 L * ? *)", "", "2025-02-10T00:00:00Z", []string{"2025-02-28T00:00:00Z", "2025-03-31T00:00:00Z", "2025-04-30T00:00:00Z"}},
		{"L in 2100 not leap", "cron(0 0 L 2 ? *)", "", "2100-01-01T00:00:00Z", []string{"2100-02-28T00:00:00Z"}},
		{"L and days", "cron(0 0 1,L * ? *)", "", "2025-01-02T00:00:00Z", []string{"2025-01-31T00:00:00Z", "2025-02-01T00:00:00Z"}},
		{"feb 29", "cron(0 0 29 2 ? *)", "", "2024-03-01T00:00:00Z", []string{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
		{"feb 29 skips 2100", "cron(0 0 29 2 ? *)", "", "2096-03-01T00:00:00Z", []string{"2104-02-29T00:00:00Z"}},
		{"feb 29 in years without one", "cron(0 0 29 FEB ? 2025-2027)", "", "2024-03-01T00:00:00Z", []string{"none"}},

		// L and nL in day-of-week.
		{"bare L is saturday", "cron(0 0 ? * L *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-04T00:00:00Z", "2025-01-11T00:00:00Z"}},
		{"6L last friday", "cron(0 0 ? * 6L *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-31T00:00:00Z", "2025-02-28T00:00:00Z", "2025-03-28T00:00:00Z"}},
		{"FRIL last friday", "cron(0 0 ? * friL *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-31T00:00:00Z"}},
		{"1L last sunday", "cron(0 0 ? * 1L *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-26T00:00:00Z", "2025-02-23T00:00:00Z"}},

		// W and LW.
		{"15W", "cron(0 0 15W * ? *)", "", "2025-02-01T00:00:00Z", []string{"2025-02-14T00:00:00Z", "2025-03-14T00:00:00Z", "2025-04-15T00:00:00Z", "2025-05-15T00:00:00Z", "2025-06-16T00:00:00Z"}},
		{"1W saturday moves to monday 3rd", "cron(0 0 1W * ? *)", "", "2025-01-31T00:00:00Z", []string{"2025-02-03T00:00:00Z", "2025-03-03T00:00:00Z", "2025-04-01T00:00:00Z"}},
		{"31W sunday moves back to friday", "cron(0 0 31W * ? *)", "", "2025-08-01T00:00:00Z", []string{"2025-08-29T00:00:00Z", "2025-10-31T00:00:00Z"}},
		{"30W skips february", "cron(0 0 30W * ? *)", "", "2025-01-31T00:00:00Z", []string{"2025-03-31T00:00:00Z"}},
		{"LW", "cron(0 0 LW * ? *)", "", "2025-05-01T00:00:00Z", []string{"2025-05-30T00:00:00Z", "2025-06-30T00:00:00Z", "2025-07-31T00:00:00Z", "2025-08-29T00:00:00Z"}},

		// #.
		{"fifth thursday", "cron(0 0 ? * 5#5 *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-30T00:00:00Z", "2025-05-29T00:00:00Z"}},
		{"list of #", "cron(0 0 ? * MON#1,FRI#3 *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-06T00:00:00Z", "2025-01-17T00:00:00Z", "2025-02-03T00:00:00Z"}},
		{"# then a day name", "cron(0 0 ? * SAT#1,2,SUN *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-04T00:00:00Z", "2025-01-05T00:00:00Z", "2025-01-11T00:00:00Z", "2025-01-12T00:00:00Z", "2025-01-19T00:00:00Z"}},

		// Years.
		{"year list", "cron(0 0 1 1 ? 2030,2035)", "", "2030-01-01T00:00:00Z", []string{"2035-01-01T00:00:00Z", "none"}},
		{"year range with step", "cron(0 12 1 JAN ? 2024-2040/4)", "", "2025-06-01T00:00:00Z", []string{"2028-01-01T12:00:00Z", "2032-01-01T12:00:00Z"}},
		{"year star step", "cron(0 0 1 1 ? */50)", "", "2025-01-01T00:00:00Z", []string{"2070-01-01T00:00:00Z", "2120-01-01T00:00:00Z", "2170-01-01T00:00:00Z", "none"}},
		{"last minute of 2199", "cron(59 23 31 12 ? 2199)", "", "2199-12-31T23:58:00Z", []string{"2199-12-31T23:59:00Z", "none"}},
		{"after 2199", "cron(* * * * ? *)", "", "2199-12-31T23:59:00Z", []string{"none"}},
		{"before 1970", "cron(0 0 1 1 ? *)", "", "1900-06-01T00:00:00Z", []string{"1970-01-01T00:00:00Z", "1971-01-01T00:00:00Z"}},

		// Ranges and steps.
		{"ranges with steps", "cron(5-50/15 */6 * * ? *)", "", "2025-01-01T06:50:00Z", []string{"2025-01-01T12:05:00Z", "2025-01-01T12:20:00Z"}},
		{"office hours", "cron(0/20 9-17 ? * MON-FRI *)", "", "2025-01-17T17:40:00Z", []string{"2025-01-20T09:00:00Z", "2025-01-20T09:20:00Z"}},
		{"hours wrap", "cron(0 22-2 * * ? *)", "", "2025-01-01T02:00:00Z", []string{"2025-01-01T22:00:00Z", "2025-01-01T23:00:00Z", "2025-01-02T00:00:00Z"}},
		{"month step", "cron(0 0 1 */3 ? *)", "", "2025-01-01T00:00:00Z", []string{"2025-04-01T00:00:00Z", "2025-07-01T00:00:00Z", "2025-10-01T00:00:00Z", "2026-01-01T00:00:00Z"}},
		{"months wrap", "cron(0 0 1 NOV-FEB ? *)", "", "2025-02-01T00:00:00Z", []string{"2025-11-01T00:00:00Z", "2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z"}},
		{"days wrap", "cron(0 0 28-2 * ? *)", "", "2025-02-02T00:00:00Z", []string{"2025-02-28T00:00:00Z", "2025-03-01T00:00:00Z", "2025-03-02T00:00:00Z", "2025-03-28T00:00:00Z"}},
		{"day step", "cron(0 0 1/10 * ? *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-11T00:00:00Z", "2025-01-21T00:00:00Z", "2025-01-31T00:00:00Z", "2025-02-01T00:00:00Z"}},
		{"every minute", "cron(* * * * ? *)", "", "2025-01-01T00:00:30Z", []string{"2025-01-01T00:01:00Z", "2025-01-01T00:02:00Z"}},
		{"both days *", "cron(0 0 * * * *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-02T00:00:00Z"}},
		{"day-of-week * with a day", "cron(0 0 15 * * *)", "", "2025-01-01T00:00:00Z", []string{"2025-01-15T00:00:00Z"}},
		{"leading zeros", "cron(05 09 01 01 ? 2026)", "", "2025-01-01T00:00:00Z", []string{"2026-01-01T09:05:00Z"}},
		{"never: feb 30", "cron(0 0 30 2 ? *)", "", "2025-01-01T00:00:00Z", []string{"none"}},
		{"never: 31st of short months", "cron(0 0 31 4,6,9,11 ? *)", "", "2025-01-01T00:00:00Z", []string{"none"}},

		// Other zones without daylight saving.
		{"after in another zone", "cron(0 10 * * ? *)", "", "2025-01-15T04:30:00-05:00", []string{"2025-01-15T10:00:00Z"}},
		{"half-hour zone", "cron(0 0 * * ? *)", "Asia/Kolkata", "2025-01-01T00:00:00+05:30", []string{"2025-01-02T00:00:00+05:30"}},
		{"Etc zone", "cron(0 0 * * ? *)", "Etc/GMT+5", "2025-01-01T00:00:00-05:00", []string{"2025-01-02T00:00:00-05:00"}},

		// America/New_York: 2025-03-09 02:00 EST jumps to 03:00 EDT;
		// 2025-11-02 02:00 EDT falls back to 01:00 EST.
		{"NY gap runs after it", "cron(30 2 * * ? *)", "America/New_York", "2025-03-08T02:30:00-05:00", []string{"2025-03-09T03:00:00-04:00", "2025-03-10T02:30:00-04:00"}},
		{"NY gap start", "cron(0 2 * * ? *)", "America/New_York", "2025-03-08T12:00:00-05:00", []string{"2025-03-09T03:00:00-04:00", "2025-03-10T02:00:00-04:00"}},
		{"NY gap end exists", "cron(0 3 * * ? *)", "America/New_York", "2025-03-08T12:00:00-05:00", []string{"2025-03-09T03:00:00-04:00", "2025-03-10T03:00:00-04:00"}},
		{"NY gap collapses", "cron(*/30 * * * ? *)", "America/New_York", "2025-03-09T01:45:00-05:00", []string{"2025-03-09T03:00:00-04:00", "2025-03-09T03:30:00-04:00"}},
		{"NY gap after given in UTC", "cron(30 2 * * ? *)", "America/New_York", "2025-03-09T06:59:00Z", []string{"2025-03-09T03:00:00-04:00"}},
		{"NY 23 hour day", "cron(0 12 * * ? *)", "America/New_York", "2025-03-08T12:00:00-05:00", []string{"2025-03-09T12:00:00-04:00", "2025-03-10T12:00:00-04:00"}},
		{"NY weekdays over the change", "cron(0 9 ? * MON-FRI *)", "America/New_York", "2025-03-07T09:00:00-05:00", []string{"2025-03-10T09:00:00-04:00"}},
		{"NY repeated time once", "cron(30 1 * * ? *)", "America/New_York", "2025-11-01T01:30:00-04:00", []string{"2025-11-02T01:30:00-04:00", "2025-11-03T01:30:00-05:00"}},
		{"NY repeated hour start", "cron(0 1 * * ? *)", "America/New_York", "2025-11-02T00:30:00-04:00", []string{"2025-11-02T01:00:00-04:00", "2025-11-03T01:00:00-05:00"}},
		{"NY repeated hour from first pass", "cron(*/20 * * * ? *)", "America/New_York", "2025-11-02T01:30:00-04:00", []string{"2025-11-02T01:40:00-04:00", "2025-11-02T02:00:00-05:00", "2025-11-02T02:20:00-05:00"}},
		{"NY repeated hour from second pass", "cron(*/20 * * * ? *)", "America/New_York", "2025-11-02T01:10:00-05:00", []string{"2025-11-02T02:00:00-05:00"}},

		// Europe/Berlin: 2025-03-30 02:00 CET jumps to 03:00 CEST;
		// 2025-10-26 03:00 CEST falls back to 02:00 CET.
		{"Berlin gap runs after it", "cron(30 2 * * ? *)", "Europe/Berlin", "2025-03-29T02:30:00+01:00", []string{"2025-03-30T03:00:00+02:00", "2025-03-31T02:30:00+02:00"}},
		{"Berlin before gap", "cron(59 1 * * ? *)", "Europe/Berlin", "2025-03-29T02:00:00+01:00", []string{"2025-03-30T01:59:00+01:00", "2025-03-31T01:59:00+02:00"}},
		{"Berlin sundays", "cron(0 0 ? * 1 *)", "Europe/Berlin", "2025-03-24T00:00:00+01:00", []string{"2025-03-30T00:00:00+01:00", "2025-04-06T00:00:00+02:00"}},
		{"Berlin last sunday 02:00", "cron(0 2 ? * 1L *)", "Europe/Berlin", "2025-03-01T00:00:00+01:00", []string{"2025-03-30T03:00:00+02:00", "2025-04-27T02:00:00+02:00"}},
		{"Berlin repeated time once", "cron(30 2 * * ? *)", "Europe/Berlin", "2025-10-25T02:30:00+02:00", []string{"2025-10-26T02:30:00+02:00", "2025-10-27T02:30:00+01:00"}},
		{"Berlin repeated hour ends", "cron(*/15 2 26 10 ? 2025)", "Europe/Berlin", "2025-10-26T01:59:00+02:00", []string{"2025-10-26T02:00:00+02:00", "2025-10-26T02:15:00+02:00", "2025-10-26T02:30:00+02:00", "2025-10-26T02:45:00+02:00", "none"}},
		{"Berlin monthly first day", "cron(0 6 1 * ? *)", "Europe/Berlin", "2025-03-01T06:00:00+01:00", []string{"2025-04-01T06:00:00+02:00"}},

		// Half-hour daylight saving and a skipped day.
		{"Lord Howe 30 minute gap", "cron(15 2 * * ? *)", "Australia/Lord_Howe", "2025-10-04T12:00:00+10:30", []string{"2025-10-05T02:30:00+11:00", "2025-10-06T02:15:00+11:00"}},
		{"Lord Howe repeated", "cron(45 1 * * ? *)", "Australia/Lord_Howe", "2025-04-05T12:00:00+11:00", []string{"2025-04-06T01:45:00+11:00", "2025-04-07T01:45:00+10:30"}},
		{"Samoa skipped 2011-12-30", "cron(0 12 * * ? *)", "Pacific/Apia", "2011-12-29T12:00:00-10:00", []string{"2011-12-31T00:00:00+14:00", "2011-12-31T12:00:00+14:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.expr, err)
			}
			loc, err := ParseTimezone(tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			after, err := time.Parse(time.RFC3339Nano, tt.after)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.want {
				got, ok := c.Next(after, loc)
				if want == "none" {
					if ok {
						t.Fatalf("run %d: Next(%s) = %s, want no further run", i+1, after.Format(time.RFC3339), got.Format(time.RFC3339))
					}
					break
				}
				if !ok {
					t.Fatalf("run %d: Next(%s) found no run, want %s", i+1, after.Format(time.RFC3339), want)
				}
				if s := got.Format(time.RFC3339); s != want {
					t.Fatalf("run %d: Next(%s) = %s, want %s", i+1, after.Format(time.RFC3339), s, want)
				}
				if got.Location() != loc {
					t.Errorf("run %d: result in %v, want %v", i+1, got.Location(), loc)
				}
				after = got
			}
		})
	}
}

func TestNextNilLocationIsUTC(t *testing.T) {
	t.Parallel()
	c, err := Parse("cron(0 10 * * ? *)")
	if err != nil {
		t.Fatal(err)
	}
	after := time.Date(2025, 1, 15, 9, 0, 0, 0, time.FixedZone("X", 3600))
	got, ok := c.Next(after, nil)
	if want := time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC); !ok || !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Next = %v, %v; want %v", got, ok, want)
	}
}

func TestFirstInstant(t *testing.T) {
	t.Parallel()
	ny, err := ParseTimezone("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		wall civil
		want string
	}{
		{civil{2025, 3, 9, 1, 59}, "2025-03-09T01:59:00-05:00"},
		{civil{2025, 3, 9, 2, 0}, "2025-03-09T03:00:00-04:00"},
		{civil{2025, 3, 9, 2, 59}, "2025-03-09T03:00:00-04:00"},
		{civil{2025, 3, 9, 3, 0}, "2025-03-09T03:00:00-04:00"},
		{civil{2025, 11, 2, 0, 59}, "2025-11-02T00:59:00-04:00"},
		{civil{2025, 11, 2, 1, 0}, "2025-11-02T01:00:00-04:00"},
		{civil{2025, 11, 2, 1, 59}, "2025-11-02T01:59:00-04:00"},
		{civil{2025, 11, 2, 2, 0}, "2025-11-02T02:00:00-05:00"},
		{civil{2150, 7, 1, 12, 0}, "2150-07-01T12:00:00-04:00"}, // past the tz data's explicit transitions
	}
	for _, tt := range tests {
		got := time.Unix(firstInstant(tt.wall.seconds(), ny), 0).In(ny).Format(time.RFC3339)
		if got != tt.want {
			t.Errorf("firstInstant(%v) = %s, want %s", tt.wall, got, tt.want)
		}
	}
}

func TestCivilArithmetic(t *testing.T) {
	t.Parallel()
	for d := time.Date(1969, 12, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2201; d = d.AddDate(0, 0, 1) {
		days := daysFromCivil(d.Year(), int(d.Month()), d.Day())
		if want := d.Unix() / 86400; days != want {
			t.Fatalf("daysFromCivil(%s) = %d, want %d", d.Format(time.DateOnly), days, want)
		}
		if got := weekday(days); got != int(d.Weekday()) {
			t.Fatalf("weekday(%s) = %d, want %d", d.Format(time.DateOnly), got, d.Weekday())
		}
		if next := d.AddDate(0, 0, 1); next.Month() != d.Month() && daysIn(d.Year(), int(d.Month())) != d.Day() {
			t.Fatalf("daysIn(%d, %d) = %d, want %d", d.Year(), d.Month(), daysIn(d.Year(), int(d.Month())), d.Day())
		}
	}
}
