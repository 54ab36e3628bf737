package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Cron is a parsed schedule expression. Use Parse to make one; a Cron is
// immutable and safe for concurrent use.
type Cron struct {
	expr    string
	minutes uint64  // bit m: minute m (0-59)
	hours   uint64  // bit h: hour h (0-23)
	months  uint64  // bit m: month m (1-12)
	years   bitset  // bit y-1970: year y
	days    daySpec // which days of a month match
}

// daySpec holds the rules of whichever day field is in force: the other
// one is ?.
type daySpec struct {
	// byWeekday is true when day-of-week decides and day-of-month is ?.
	byWeekday bool

	// Day-of-month rules.
	monthDays   uint64 // bit d: day d (1-31)
	lastDay     bool   // L
	lastWeekday bool   // LW
	nearest     uint64 // bit n: nW, the weekday nearest day n

	// Day-of-week rules; bit and index w is time.Weekday w (0 = Sunday).
	weekdays uint8    // every such weekday
	lastOf   uint8    // nL: the last such weekday of the month
	nth      [7]uint8 // bit k (1-5): the kth such weekday of the month
}

// String returns the expression Parse was given.
func (c *Cron) String() string { return c.expr }

const (
	minYear = 1970
	maxYear = 2199
)

// Parse parses an Image Builder schedule expression such as
// cron(0 10 ? * MON-FRI *). The grammar and its corner cases are described
// in the package documentation. Errors are *ExpressionError values that
// wrap ErrInvalidExpression.
func Parse(expr string) (*Cron, error) {
	p := parser{expr: expr}
	body, err := p.unwrap()
	if err != nil {
		return nil, err
	}
	fields, err := p.split(body)
	if err != nil {
		return nil, err
	}

	c := &Cron{expr: expr}
	var set bitset
	if set, err = p.plain(&minuteField, fields[0]); err != nil {
		return nil, err
	}
	c.minutes = set[0]
	if set, err = p.plain(&hourField, fields[1]); err != nil {
		return nil, err
	}
	c.hours = set[0]
	if set, err = p.plain(&monthField, fields[3]); err != nil {
		return nil, err
	}
	c.months = set[0] << 1
	if set, err = p.plain(&yearField, fields[5]); err != nil {
		return nil, err
	}
	c.years = set
	if c.days, err = p.days(fields); err != nil {
		return nil, err
	}
	return c, nil
}

// parser carries the expression being parsed, for error messages.
type parser struct {
	expr string
}

func (p *parser) fail(f *field, token, format string, args ...any) *ExpressionError {
	e := &ExpressionError{Expression: p.expr, Token: token, Reason: fmt.Sprintf(format, args...)}
	if f != nil {
		e.Field = f.name
	}
	return e
}

// within makes an error about part of item an error about item, so that
// the message shows the whole item (LL, 32W) rather than a fragment.
func (p *parser) within(err error, item string) error {
	e, ok := err.(*ExpressionError)
	if !ok || e.Token == item {
		return err
	}
	e.Reason = quoteIfOdd(item) + ": " + e.Reason
	e.Token = item
	return e
}

// unwrap checks the cron( ... ) wrapper and returns what is inside.
func (p *parser) unwrap() (string, error) {
	const example = "e.g. cron(0 10 * * ? *) for 10:00 every day"
	s := p.expr
	switch {
	case s == "":
		return "", p.fail(nil, "", "the schedule expression is empty; write cron(...), %s", example)
	case strings.HasPrefix(strings.ToLower(s), "rate("):
		return "", p.fail(nil, "", "rate expressions are not supported in pipeline schedules; write cron(...), %s", example)
	case !strings.HasPrefix(s, "cron("):
		if strings.HasPrefix(strings.ToLower(s), "cron(") {
			return "", p.fail(nil, s[:5], "write cron( in lower case")
		}
		if strings.Count(s, " ") >= 4 && !strings.ContainsAny(s, "()") {
			return "", p.fail(nil, "", "wrap the fields in cron(...): cron(%s)", quoteIfOdd(s))
		}
		return "", p.fail(nil, "", "expected cron(Minutes Hours Day-of-month Month Day-of-week Year), %s", example)
	case !strings.HasSuffix(s, ")"):
		return "", p.fail(nil, "", "missing the closing ) of cron(...)")
	}
	return s[len("cron(") : len(s)-1], nil
}

// split splits the inside of cron(...) into six fields, appending the
// year * to the legacy five-field form.
func (p *parser) split(body string) ([]string, error) {
	if body == "" {
		return nil, p.fail(nil, "", "expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), found none")
	}
	fields := strings.Split(body, " ")
	for _, f := range fields {
		if f == "" {
			return nil, p.fail(nil, "", "separate the fields with single spaces, with no space after cron( or before )")
		}
		if strings.ContainsAny(f, "\t\r\n\v\f") {
			return nil, p.fail(nil, f, "%s: separate the fields with single spaces", quoteIfOdd(f))
		}
		if strings.ContainsAny(f, "()") {
			return nil, p.fail(nil, f, "%s: unexpected parenthesis inside cron(...)", quoteIfOdd(f))
		}
	}
	switch len(fields) {
	case 6:
		return fields, nil
	case 5:
		return append(fields, "*"), nil
	}
	return nil, p.fail(nil, "", "expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), found %d", len(fields))
}

// days parses the two day fields and applies the ? rules.
func (p *parser) days(fields []string) (daySpec, error) {
	domText, dowText := fields[2], fields[4]
	var dom, dow daySpec
	var err error
	if domText != "?" {
		if dom, err = p.dayOfMonth(domText); err != nil {
			return daySpec{}, err
		}
	}
	if dowText != "?" {
		if dow, err = p.dayOfWeek(dowText); err != nil {
			return daySpec{}, err
		}
		dow.byWeekday = true
	}
	switch {
	case domText == "?" && dowText == "?":
		return daySpec{}, p.fail(nil, "?", "day-of-month and day-of-week cannot both be ?; set one of them, e.g. cron(0 10 * * ? *) for every day")
	case domText == "?":
		return dow, nil
	case dowText == "?", dowText == "*":
		return dom, nil
	case domText == "*":
		return dow, nil
	}
	withDOM := fmt.Sprintf("cron(%s %s %s %s ? %s)", fields[0], fields[1], fields[2], fields[3], fields[5])
	withDOW := fmt.Sprintf("cron(%s %s ? %s %s %s)", fields[0], fields[1], fields[3], fields[4], fields[5])
	return daySpec{}, p.fail(nil, "", "day-of-month %s and day-of-week %s cannot both be set; write ? in one of them: %s or %s",
		quoteIfOdd(domText), quoteIfOdd(dowText), quoteIfOdd(withDOM), quoteIfOdd(withDOW))
}

// dayOfMonth parses a day-of-month field other than ?.
func (p *parser) dayOfMonth(text string) (daySpec, error) {
	f := &domField
	var d daySpec
	items, err := p.items(f, text)
	if err != nil {
		return d, err
	}
	for _, item := range items {
		u := strings.ToUpper(item)
		switch {
		case u == "L":
			d.lastDay = true
		case u == "LW":
			d.lastWeekday = true
		case strings.HasSuffix(u, "W"):
			n := u[:len(u)-1]
			if n == "" || !allDigits(n) {
				return d, p.fail(f, item, "%s: W follows a single day, e.g. 15W for the weekday nearest the 15th, or LW for the last weekday", quoteIfOdd(item))
			}
			v, err := p.value(f, n)
			if err != nil {
				return d, p.within(err, item)
			}
			d.nearest |= 1 << v
		case strings.HasPrefix(u, "L"):
			return d, p.fail(f, item, "%s is not supported; use L for the last day of the month or LW for its last weekday", quoteIfOdd(item))
		default:
			set, err := p.rangeItem(f, item)
			if err != nil {
				return d, err
			}
			d.monthDays |= set[0] << 1
		}
	}
	return d, nil
}

// dayOfWeek parses a day-of-week field other than ?.
func (p *parser) dayOfWeek(text string) (daySpec, error) {
	f := &dowField
	var d daySpec
	items, err := p.items(f, text)
	if err != nil {
		return d, err
	}
	hashDay, hashItem := -1, "" // weekday of the last d#n item, for SAT#2,4
	for _, item := range items {
		u := strings.ToUpper(item)
		if hashDay >= 0 && allDigits(u) {
			k, ok := smallNumber(u)
			if !ok || k < 1 || k > 5 {
				return d, p.fail(f, item, "%s after %s is read as another occurrence of that weekday and must be 1-5; list other days before the # item", quoteIfOdd(item), quoteIfOdd(hashItem))
			}
			d.nth[hashDay] |= 1 << k
			continue
		}
		hashDay = -1
		switch {
		case u == "L":
			d.weekdays |= 1 << time.Saturday
		case strings.Contains(u, "#"):
			day, occ, _ := strings.Cut(u, "#")
			if day == "" || occ == "" {
				return d, p.fail(f, item, "%s: # goes between a weekday and a number 1-5, e.g. TUE#2 for the second Tuesday", quoteIfOdd(item))
			}
			v, err := p.value(f, day)
			if err != nil {
				return d, p.within(err, item)
			}
			k, ok := smallNumber(occ)
			if !allDigits(occ) || !ok || k < 1 || k > 5 {
				return d, p.fail(f, item, "%s: the number after # must be 1-5, e.g. TUE#2 for the second Tuesday", quoteIfOdd(item))
			}
			d.nth[v-1] |= 1 << k
			hashDay, hashItem = v-1, item
		case strings.HasSuffix(u, "L"):
			day := u[:len(u)-1]
			if strings.ContainsAny(day, "-/*,") {
				return d, p.fail(f, item, "%s: L follows a single weekday, e.g. 6L or FRIL for the last Friday of the month", quoteIfOdd(item))
			}
			v, err := p.value(f, day)
			if err != nil {
				return d, p.within(err, item)
			}
			d.lastOf |= 1 << (v - 1)
		default:
			set, err := p.rangeItem(f, item)
			if err != nil {
				return d, err
			}
			d.weekdays |= uint8(set[0])
		}
	}
	return d, nil
}

// plain parses a field without special characters: minute, hour, month or
// year.
func (p *parser) plain(f *field, text string) (bitset, error) {
	var set bitset
	items, err := p.items(f, text)
	if err != nil {
		return set, err
	}
	for _, item := range items {
		s, err := p.rangeItem(f, item)
		if err != nil {
			return set, err
		}
		set.or(s)
	}
	return set, nil
}

// items splits a field into its comma-separated items and rejects ? and
// empty items.
func (p *parser) items(f *field, text string) ([]string, error) {
	if strings.Contains(text, "?") {
		if f == &domField || f == &dowField {
			return nil, p.fail(f, text, "%s: ? stands alone in the field; it cannot be combined with other values", quoteIfOdd(text))
		}
		return nil, p.fail(f, "?", "? is only allowed in the day-of-month and day-of-week fields; use * for every %s", f.name)
	}
	items := strings.Split(text, ",")
	for _, item := range items {
		if item == "" {
			return nil, p.fail(f, text, "%s has an empty list item; separate values with single commas, e.g. 1,15", quoteIfOdd(text))
		}
	}
	return items, nil
}

// rangeItem parses one list item made of values, ranges, * and steps:
// v, a-b, *, */s, v/s and a-b/s. Bit i of the result stands for the value
// f.min+i.
func (p *parser) rangeItem(f *field, item string) (bitset, error) {
	var set bitset
	body, stepText, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		if stepText == "" || body == "" {
			return set, p.fail(f, item, "%s: a step is written start/step, e.g. */15 or 5/10", quoteIfOdd(item))
		}
		n, ok := smallNumber(stepText)
		if !allDigits(stepText) || !ok || n < 1 || n > f.span() {
			return set, p.fail(f, item, "%s: the step after / must be a number from 1 to %d", quoteIfOdd(item), f.span())
		}
		step = n
	}

	var lo, hi int
	switch {
	case body == "*":
		lo, hi = f.min, f.max
	case strings.Contains(body, "-"):
		a, b, _ := strings.Cut(body, "-")
		if a == "" || b == "" || strings.Contains(b, "-") {
			return set, p.fail(f, item, "%s: a range is written start-end, e.g. %s", quoteIfOdd(item), f.rangeExample)
		}
		var err error
		if lo, err = p.value(f, a); err != nil {
			return set, err
		}
		if hi, err = p.value(f, b); err != nil {
			return set, err
		}
		if lo > hi && !f.cyclic {
			return set, p.fail(f, item, "%s: the range must go from the lower to the higher year", quoteIfOdd(item))
		}
	default:
		var err error
		if lo, err = p.value(f, body); err != nil {
			return set, err
		}
		hi = lo
		if hasStep {
			hi = f.max
		}
	}

	// Walk from lo to hi, wrapping past f.max for ranges such as FRI-MON.
	span := f.span()
	dist := (hi - lo + span) % span
	for k := 0; k <= dist; k += step {
		set.add((lo - f.min + k) % span)
	}
	return set, nil
}

// value parses a single number or name of field f.
func (p *parser) value(f *field, tok string) (int, error) {
	if allDigits(tok) && tok != "" {
		n, ok := smallNumber(tok)
		if !ok || n < f.min || n > f.max {
			return 0, p.fail(f, tok, "%s is out of range %d-%d", quoteIfOdd(tok), f.min, f.max)
		}
		return n, nil
	}
	u := strings.ToUpper(tok)
	for i, name := range f.names {
		if u == name {
			return f.min + i, nil
		}
	}
	if tok == "" {
		return 0, p.fail(f, tok, "a value is missing; the field takes %s", f.syntax)
	}
	if tok == "*" {
		return 0, p.fail(f, tok, "* cannot be part of a range; use * alone or a range such as %s", f.rangeExample)
	}
	return 0, p.fail(f, tok, "%s is not valid here; the field takes %s", quoteIfOdd(tok), f.syntax)
}

// field describes one of the six fields.
type field struct {
	name         string
	min, max     int
	names        []string // names[i] is the value min+i
	cyclic       bool     // whether a range may wrap, as in FRI-MON
	syntax       string   // what the field accepts, for error messages
	rangeExample string
}

func (f *field) span() int { return f.max - f.min + 1 }

var (
	minuteField = field{name: "minute", min: 0, max: 59, cyclic: true,
		syntax: "0-59 and , - * /", rangeExample: "0-30"}
	hourField = field{name: "hour", min: 0, max: 23, cyclic: true,
		syntax: "0-23 and , - * /", rangeExample: "9-17"}
	domField = field{name: "day-of-month", min: 1, max: 31, cyclic: true,
		syntax: "1-31 and , - * ? / L W", rangeExample: "1-15"}
	monthField = field{name: "month", min: 1, max: 12, cyclic: true,
		names:  []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"},
		syntax: "1-12 or JAN-DEC and , - * /", rangeExample: "JAN-MAR"}
	dowField = field{name: "day-of-week", min: 1, max: 7, cyclic: true,
		names:  []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"},
		syntax: "1-7 (1 = SUN) or SUN-SAT and , - * ? / L #", rangeExample: "MON-FRI"}
	yearField = field{name: "year", min: minYear, max: maxYear,
		syntax: "1970-2199 and , - * /", rangeExample: "2025-2030"}
)

// bitset is a set of small non-negative integers (below 256).
type bitset [4]uint64

func (s *bitset) add(i int)      { s[i>>6] |= 1 << (i & 63) }
func (s *bitset) or(o bitset)    { s[0], s[1], s[2], s[3] = s[0]|o[0], s[1]|o[1], s[2]|o[2], s[3]|o[3] }
func (s *bitset) has(i int) bool { return i >= 0 && i < 256 && s[i>>6]&(1<<(i&63)) != 0 }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// smallNumber parses a string of digits; ok is false when it has more than
// nine significant digits (far outside every field's range).
func smallNumber(s string) (n int, ok bool) {
	s = strings.TrimLeft(s, "0")
	if len(s) > 9 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
