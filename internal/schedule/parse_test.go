package schedule

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	const all = "min=0 hour=0 "
	tests := []struct {
		expr string
		want string // describe(c)
	}{
		{"cron(0 10 * * ? *)", "min=0 hour=10 dom=1-31 month=1-12 year=1970-2199"},
		{"cron(15 12 * * ? *)", "min=15 hour=12 dom=1-31 month=1-12 year=1970-2199"},
		{"cron(0 10 ? * 2-6 *)", all[:6] + "hour=10 dow=2-6 month=1-12 year=1970-2199"},
		{"cron(*/15 0-6/2 1,15 JAN-MAR/2 ? 2025,2030-2032)", "min=0,15,30,45 hour=0,2,4,6 dom=1,15 month=1,3 year=2025,2030-2032"},
		{"cron(0 0 ? * MON-FRI *)", all + "dow=2-6 month=1-12 year=1970-2199"},
		{"cron(0 0 ? * mon-fri *)", all + "dow=2-6 month=1-12 year=1970-2199"},
		{"cron(0 0 ? * fri-mon *)", all + "dow=1-2,6-7 month=1-12 year=1970-2199"},
		{"cron(0 0 ? * 7-1 *)", all + "dow=1,7 month=1-12 year=1970-2199"},
		{"cron(0 0 ? * */2 *)", all + "dow=1,3,5,7 month=1-12 year=1970-2199"},
		{"cron(0 0 ? * 1/3 *)", all + "dow=1,4,7 month=1-12 year=1970-2199"},
		{"cron(0 0 ? * * *)", all + "dow=1-7 month=1-12 year=1970-2199"},
		{"cron(0 0 ? * L *)", all + "dow=7 month=1-12 year=1970-2199"},
		{"cron(0 0 ? * L,6L,tue#2,sat#2,4 *)", all + "dow=7 last=6 nth=3#2,7#2,7#4 month=1-12 year=1970-2199"},
		{"cron(0 0 ? * Sat#1,2,3,mon *)", all + "dow=2 nth=7#1,7#2,7#3 month=1-12 year=1970-2199"},
		{"cron(0 0 ? * FRIL,sunl *)", all + "last=1,6 month=1-12 year=1970-2199"},
		{"cron(0 0 L,LW,15W,3 * ? *)", all + "dom=3 L LW 15W month=1-12 year=1970-2199"},
		{"cron(0 0 lw * ? *)", all + "dom= LW month=1-12 year=1970-2199"},
		{"cron(0 0 1-31/31 * ? *)", all + "dom=1 month=1-12 year=1970-2199"},
		{"cron(0 0 25-5 * ? *)", all + "dom=1-5,25-31 month=1-12 year=1970-2199"},
		{"cron(50-10 * * * ? *)", "min=0-10,50-59 hour=0-23 dom=1-31 month=1-12 year=1970-2199"},
		{"cron(0 22-2 * * ? *)", "min=0 hour=0-2,22-23 dom=1-31 month=1-12 year=1970-2199"},
		{"cron(0 0 1 NOV-FEB ? *)", all + "dom=1 month=1-2,11-12 year=1970-2199"},
		{"cron(0 0 1 */5 ? *)", all + "dom=1 month=1,6,11 year=1970-2199"},
		{"cron(0 0 * * ? */100)", all + "dom=1-31 month=1-12 year=1970,2070,2170"},
		{"cron(0 0 * * ? 2100/50)", all + "dom=1-31 month=1-12 year=2100,2150"},
		{"cron(59 23 31 12 ? 2199)", "min=59 hour=23 dom=31 month=12 year=2199"},
		{"cron(0,30 * * * ? *)", "min=0,30 hour=0-23 dom=1-31 month=1-12 year=1970-2199"},
		{"cron(5 * * * ? *)", "min=5 hour=0-23 dom=1-31 month=1-12 year=1970-2199"},
		{"cron(07 08 09 10 ? 2025)", "min=7 hour=8 dom=9 month=10 year=2025"},
		{"cron(0 0 1,* * ? *)", all + "dom=1-31 month=1-12 year=1970-2199"},
		// Both day fields *: every day. One * and one set: the * is ?.
		{"cron(0 0 * * * *)", all + "dom=1-31 month=1-12 year=1970-2199"},
		{"cron(0 0 15 * * *)", all + "dom=15 month=1-12 year=1970-2199"},
		{"cron(0 0 * * MON *)", all + "dow=2 month=1-12 year=1970-2199"},
		// The legacy five-field form has no year.
		{"cron(0 0 * * SUN)", all + "dow=1 month=1-12 year=1970-2199"},
		{"cron(0 10 * * ?)", "min=0 hour=10 dom=1-31 month=1-12 year=1970-2199"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := describe(c); got != tt.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tt.expr, got, tt.want)
			}
			if c.String() != tt.expr {
				t.Errorf("String() = %q, want %q", c.String(), tt.expr)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr  string
		field string
		token string
		want  string // the whole message, or with a leading "..." its end
	}{
		{"", "", "", "the schedule expression is empty; write cron(...), e.g. cron(0 10 * * ? *) for 10:00 every day"},
		{"rate(1 day)", "", "", "rate(1 day): rate expressions are not supported in pipeline schedules; write cron(...), e.g. cron(0 10 * * ? *) for 10:00 every day"},
		{"rate(5 minutes)", "", "", "...rate expressions are not supported in pipeline schedules; write cron(...), e.g. cron(0 10 * * ? *) for 10:00 every day"},
		{"0 10 * * ? *", "", "", "0 10 * * ? *: wrap the fields in cron(...): cron(0 10 * * ? *)"},
		{"at(2025-01-01T00:00:00)", "", "", "...: expected cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. cron(0 10 * * ? *) for 10:00 every day"},
		{"CRON(0 10 * * ? *)", "", "CRON(", "CRON(0 10 * * ? *): write cron( in lower case"},
		{"cron(0 10 * * ? *", "", "", "cron(0 10 * * ? *: missing the closing ) of cron(...)"},
		{"cron(0 10 * * ? * *)", "", "", "cron(0 10 * * ? * *): expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), found 7"},
		{"cron(0 10 * *)", "", "", "...found 4"},
		{"cron()", "", "", "cron(): expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), found none"},
		{"cron(0  10 * * ? *)", "", "", "cron(0  10 * * ? *): separate the fields with single spaces, with no space after cron( or before )"},
		{"cron( 0 10 * * ? *)", "", "", "...separate the fields with single spaces, with no space after cron( or before )"},
		{"cron(0 10 * * ? * )", "", "", "...separate the fields with single spaces, with no space after cron( or before )"},
		{"cron(0\t10 * * ? *)", "", "0\t10", `"cron(0\t10 * * ? *)": "0\t10": separate the fields with single spaces`},
		{"cron((0 10 * * ? *))", "", "(0", "...(0: unexpected parenthesis inside cron(...)"},

		// Out of range.
		{"cron(0 25 * * ? *)", "hour", "25", "cron(0 25 * * ? *): hour field: 25 is out of range 0-23"},
		{"cron(60 0 * * ? *)", "minute", "60", "cron(60 0 * * ? *): minute field: 60 is out of range 0-59"},
		{"cron(0 0 0 * ? *)", "day-of-month", "0", "cron(0 0 0 * ? *): day-of-month field: 0 is out of range 1-31"},
		{"cron(0 0 1-32 * ? *)", "day-of-month", "32", "...day-of-month field: 32 is out of range 1-31"},
		{"cron(0 0 * 13 ? *)", "month", "13", "cron(0 0 * 13 ? *): month field: 13 is out of range 1-12"},
		{"cron(0 0 ? * 0 *)", "day-of-week", "0", "cron(0 0 ? * 0 *): day-of-week field: 0 is out of range 1-7"},
		{"cron(0 0 ? * 8 *)", "day-of-week", "8", "...day-of-week field: 8 is out of range 1-7"},
		{"cron(0 0 * * ? 1969)", "year", "1969", "cron(0 0 * * ? 1969): year field: 1969 is out of range 1970-2199"},
		{"cron(0 0 * * ? 2200)", "year", "2200", "...year field: 2200 is out of range 1970-2199"},
		{"cron(99999999999999999999 0 * * ? *)", "minute", "99999999999999999999", "...minute field: 99999999999999999999 is out of range 0-59"},

		// Bad names and characters.
		{"cron(0 0 * FOO ? *)", "month", "FOO", "cron(0 0 * FOO ? *): month field: FOO is not valid here; the field takes 1-12 or JAN-DEC and , - * /"},
		{"cron(0 0 * January ? *)", "month", "January", "...month field: January is not valid here; the field takes 1-12 or JAN-DEC and , - * /"},
		{"cron(0 0 ? * MONDAY *)", "day-of-week", "MONDAY", "...day-of-week field: MONDAY is not valid here; the field takes 1-7 (1 = SUN) or SUN-SAT and , - * ? / L #"},
		{"cron(a 0 * * ? *)", "minute", "a", "cron(a 0 * * ? *): minute field: a is not valid here; the field takes 0-59 and , - * /"},
		{"cron(0 MON * * ? *)", "hour", "MON", "...hour field: MON is not valid here; the field takes 0-23 and , - * /"},
		{"cron(+5 0 * * ? *)", "minute", "+5", "...minute field: +5 is not valid here; the field takes 0-59 and , - * /"},
		{"cron(\xff 0 * * ? *)", "minute", "\xff", `"cron(\xff 0 * * ? *)": minute field: "\xff" is not valid here; the field takes 0-59 and , - * /`},

		// ? rules.
		{"cron(0 0 ? * ? *)", "", "?", "cron(0 0 ? * ? *): day-of-month and day-of-week cannot both be ?; set one of them, e.g. cron(0 10 * * ? *) for every day"},
		{"cron(0 0 1 * MON *)", "", "", "cron(0 0 1 * MON *): day-of-month 1 and day-of-week MON cannot both be set; write ? in one of them: cron(0 0 1 * ? *) or cron(0 0 ? * MON *)"},
		{"cron(0 0 L * 6L *)", "", "", "...day-of-month L and day-of-week 6L cannot both be set; write ? in one of them: cron(0 0 L * ? *) or cron(0 0 ? * 6L *)"},
		{"cron(0 0 1 * 2)", "", "", "...day-of-month 1 and day-of-week 2 cannot both be set; write ? in one of them: cron(0 0 1 * ? *) or cron(0 0 ? * 2 *)"},
		{"cron(0 ? * * ? *)", "hour", "?", "cron(0 ? * * ? *): hour field: ? is only allowed in the day-of-month and day-of-week fields; use * for every hour"},
		{"cron(0 0 * * ? ?)", "year", "?", "...year field: ? is only allowed in the day-of-month and day-of-week fields; use * for every year"},
		{"cron(0 0 1 * ?,MON *)", "day-of-week", "?,MON", "...day-of-week field: ?,MON: ? stands alone in the field; it cannot be combined with other values"},
		{"cron(0 0 ?1 * ? *)", "day-of-month", "?1", "...day-of-month field: ?1: ? stands alone in the field; it cannot be combined with other values"},

		// Lists, ranges and steps.
		{"cron(0 0 1,,2 * ? *)", "day-of-month", "1,,2", "cron(0 0 1,,2 * ? *): day-of-month field: 1,,2 has an empty list item; separate values with single commas, e.g. 1,15"},
		{"cron(0 0 1, * ? *)", "day-of-month", "1,", "...1, has an empty list item; separate values with single commas, e.g. 1,15"},
		{"cron(0 0 1- * ? *)", "day-of-month", "1-", "...day-of-month field: 1-: a range is written start-end, e.g. 1-15"},
		{"cron(0 0 -1 * ? *)", "day-of-month", "-1", "...day-of-month field: -1: a range is written start-end, e.g. 1-15"},
		{"cron(0 0 1-2-3 * ? *)", "day-of-month", "1-2-3", "...day-of-month field: 1-2-3: a range is written start-end, e.g. 1-15"},
		{"cron(0 0 1-* * ? *)", "day-of-month", "*", "...day-of-month field: * cannot be part of a range; use * alone or a range such as 1-15"},
		{"cron(0 0 * * ? 2030-2020)", "year", "2030-2020", "cron(0 0 * * ? 2030-2020): year field: 2030-2020: the range must go from the lower to the higher year"},
		{"cron(*/0 * * * ? *)", "minute", "*/0", "cron(*/0 * * * ? *): minute field: */0: the step after / must be a number from 1 to 60"},
		{"cron(*/61 * * * ? *)", "minute", "*/61", "...minute field: */61: the step after / must be a number from 1 to 60"},
		{"cron(0 */25 * * ? *)", "hour", "*/25", "...hour field: */25: the step after / must be a number from 1 to 24"},
		{"cron(0 0 1/x * ? *)", "day-of-month", "1/x", "...day-of-month field: 1/x: the step after / must be a number from 1 to 31"},
		{"cron(0 0 * * ? 2025/)", "year", "2025/", "...year field: 2025/: a step is written start/step, e.g. */15 or 5/10"},
		{"cron(0 0 * * ? /5)", "year", "/5", "...year field: /5: a step is written start/step, e.g. */15 or 5/10"},
		{"cron(0 0 1/2/3 * ? *)", "day-of-month", "1/2/3", "...day-of-month field: 1/2/3: the step after / must be a number from 1 to 31"},

		// L, W and #.
		{"cron(0 0 L-2 * ? *)", "day-of-month", "L-2", "cron(0 0 L-2 * ? *): day-of-month field: L-2 is not supported; use L for the last day of the month or LW for its last weekday"},
		{"cron(0 0 W * ? *)", "day-of-month", "W", "...day-of-month field: W: W follows a single day, e.g. 15W for the weekday nearest the 15th, or LW for the last weekday"},
		{"cron(0 0 1-5W * ? *)", "day-of-month", "1-5W", "...day-of-month field: 1-5W: W follows a single day, e.g. 15W for the weekday nearest the 15th, or LW for the last weekday"},
		{"cron(0 0 32W * ? *)", "day-of-month", "32W", "...day-of-month field: 32W: 32 is out of range 1-31"},
		{"cron(0 0 5L * ? *)", "day-of-month", "5L", "...day-of-month field: 5L is not valid here; the field takes 1-31 and , - * ? / L W"},
		{"cron(0 0 * * ? L)", "year", "L", "...year field: L is not valid here; the field takes 1970-2199 and , - * /"},
		{"cron(0 L * * ? *)", "hour", "L", "...hour field: L is not valid here; the field takes 0-23 and , - * /"},
		{"cron(0 0 ? * 5W *)", "day-of-week", "5W", "...day-of-week field: 5W is not valid here; the field takes 1-7 (1 = SUN) or SUN-SAT and , - * ? / L #"},
		{"cron(0 0 ? * LL *)", "day-of-week", "LL", "...day-of-week field: LL: L is not valid here; the field takes 1-7 (1 = SUN) or SUN-SAT and , - * ? / L #"},
		{"cron(0 0 ? * 8L *)", "day-of-week", "8L", "...day-of-week field: 8L: 8 is out of range 1-7"},
		{"cron(0 0 ? * MON-FRIL *)", "day-of-week", "MON-FRIL", "...day-of-week field: MON-FRIL: L follows a single weekday, e.g. 6L or FRIL for the last Friday of the month"},
		{"cron(0 0 ? * MON#6 *)", "day-of-week", "MON#6", "cron(0 0 ? * MON#6 *): day-of-week field: MON#6: the number after # must be 1-5, e.g. TUE#2 for the second Tuesday"},
		{"cron(0 0 ? * MON#0 *)", "day-of-week", "MON#0", "...MON#0: the number after # must be 1-5, e.g. TUE#2 for the second Tuesday"},
		{"cron(0 0 ? * MON#1-2 *)", "day-of-week", "MON#1-2", "...MON#1-2: the number after # must be 1-5, e.g. TUE#2 for the second Tuesday"},
		{"cron(0 0 ? * #2 *)", "day-of-week", "#2", "...day-of-week field: #2: # goes between a weekday and a number 1-5, e.g. TUE#2 for the second Tuesday"},
		{"cron(0 0 ? * MON# *)", "day-of-week", "MON#", "...MON#: # goes between a weekday and a number 1-5, e.g. TUE#2 for the second Tuesday"},
		{"cron(0 0 ? * 9#2 *)", "day-of-week", "9#2", "...day-of-week field: 9#2: 9 is out of range 1-7"},
		{"cron(0 0 ? * sat#2,6 *)", "day-of-week", "6", "cron(0 0 ? * sat#2,6 *): day-of-week field: 6 after sat#2 is read as another occurrence of that weekday and must be 1-5; list other days before the # item"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(tt.expr)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tt.expr, describe(c))
			}
			if !errors.Is(err, ErrInvalidExpression) {
				t.Errorf("error %v does not wrap ErrInvalidExpression", err)
			}
			var e *ExpressionError
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *ExpressionError", err)
			}
			if e.Expression != tt.expr || e.Field != tt.field || e.Token != tt.token {
				t.Errorf("got Expression %q Field %q Token %q, want %q %q %q", e.Expression, e.Field, e.Token, tt.expr, tt.field, tt.token)
			}
			msg := err.Error()
			if end, ok := strings.CutPrefix(tt.want, "..."); ok {
				if !strings.HasSuffix(msg, end) {
					t.Errorf("message\n got %s\nwant ...%s", msg, end)
				}
			} else if msg != tt.want {
				t.Errorf("message\n got %s\nwant %s", msg, tt.want)
			}
		})
	}
}

func TestLongExpressionIsShortenedInErrors(t *testing.T) {
	t.Parallel()
	expr := "cron(0 0 " + strings.Repeat("1,", 500) + "x * ? *)"
	_, err := Parse(expr)
	if err == nil {
		t.Fatal("want an error")
	}
	if n := len(err.Error()); n > 600 {
		t.Errorf("message is %d bytes long: %s", n, err)
	}
}

// describe renders what a Cron matches, for tests.
func describe(c *Cron) string {
	var b strings.Builder
	fmt.Fprintf(&b, "min=%s hour=%s ", runs(c.minutes, 0, 59, 0), runs(c.hours, 0, 23, 0))
	d := &c.days
	if d.byWeekday {
		if d.weekdays != 0 {
			fmt.Fprintf(&b, "dow=%s ", runs(uint64(d.weekdays), 0, 6, 1))
		}
		if d.lastOf != 0 {
			fmt.Fprintf(&b, "last=%s ", runs(uint64(d.lastOf), 0, 6, 1))
		}
		var nth []string
		for wd, k := range d.nth {
			for n := 1; n <= 5; n++ {
				if k&(1<<n) != 0 {
					nth = append(nth, fmt.Sprintf("%d#%d", wd+1, n))
				}
			}
		}
		if nth != nil {
			fmt.Fprintf(&b, "nth=%s ", strings.Join(nth, ","))
		}
	} else {
		fmt.Fprintf(&b, "dom=%s", runs(d.monthDays, 1, 31, 0))
		if d.lastDay {
			b.WriteString(" L")
		}
		if d.lastWeekday {
			b.WriteString(" LW")
		}
		for n := 1; n <= 31; n++ {
			if d.nearest&(1<<n) != 0 {
				fmt.Fprintf(&b, " %dW", n)
			}
		}
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "month=%s ", runs(c.months, 1, 12, 0))
	var years []int
	for i := range 256 {
		if c.years.has(i) {
			years = append(years, minYear+i)
		}
	}
	b.WriteString("year=" + joinRuns(years))
	return b.String()
}

// runs lists the set bits lo..hi of mask, each shown as bit+shift, with
// consecutive values as ranges.
func runs(mask uint64, lo, hi, shift int) string {
	var vs []int
	for i := lo; i <= hi; i++ {
		if mask&(1<<i) != 0 {
			vs = append(vs, i+shift)
		}
	}
	return joinRuns(vs)
}

func joinRuns(vs []int) string {
	var parts []string
	for i := 0; i < len(vs); {
		j := i
		for j+1 < len(vs) && vs[j+1] == vs[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", vs[i], vs[j]))
		} else {
			parts = append(parts, fmt.Sprint(vs[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
