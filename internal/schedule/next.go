package schedule

import (
	"math/bits"
	"time"
)

// Next returns the first run of the schedule strictly after after, with
// the expression evaluated on the wall clock of loc (UTC when loc is nil).
// The result is in loc. A wall-clock time skipped by a daylight-saving
// jump runs at the first instant after the gap; a repeated one runs at
// its first occurrence only (see the package documentation). ok is false
// when the schedule has no run after after, its years being used up.
func (c *Cron) Next(after time.Time, loc *time.Location) (next time.Time, ok bool) {
	if loc == nil {
		loc = time.UTC
	}
	local := after.In(loc)
	y, mo, d := local.Date()
	h, mi, _ := local.Clock()
	// Every wall-clock minute up to the one after shows has been reached
	// by then, so the search starts at the following minute.
	from := civil{year: y, month: int(mo), day: d, hour: h, minute: mi + 1}
	if y < minYear {
		from = civil{year: minYear, month: 1, day: 1}
	}
	for {
		w, ok := c.nextCivil(from)
		if !ok {
			return time.Time{}, false
		}
		u := time.Unix(firstInstant(w.seconds(), loc), 0)
		if u.After(after) {
			return u.In(loc), true
		}
		// w was already shown before after: after lies in a repeated
		// hour, past w's first occurrence.
		from = w
		from.minute++
	}
}

// civil is a wall-clock minute. Fields may overflow by one (minute 60,
// hour 24, day 32, month 13) while searching; nextCivil carries them.
type civil struct {
	year, month, day, hour, minute int
}

// seconds counts the seconds from 1970-01-01 00:00 to c, ignoring time
// zones: c's Unix time if it were in UTC.
func (c civil) seconds() int64 {
	return daysFromCivil(c.year, c.month, c.day)*86400 + int64(c.hour*3600+c.minute*60)
}

// nextCivil returns the first wall-clock minute at or after t that the
// schedule matches. It skips whole years, months, days and hours that
// cannot match, so its cost does not depend on how far away the match is.
func (c *Cron) nextCivil(t civil) (civil, bool) {
	maskYear, maskMonth := 0, 0
	var days uint64
	for {
		if t.minute > 59 {
			t.hour, t.minute = t.hour+1, 0
		}
		if t.hour > 23 {
			t.day, t.hour, t.minute = t.day+1, 0, 0
		}
		if t.month > 12 {
			t = civil{year: t.year + 1, month: 1, day: 1}
		}

		y, ok := c.years.next(t.year - minYear)
		if !ok {
			return civil{}, false
		}
		if y += minYear; y != t.year {
			t = civil{year: y, month: 1, day: 1}
		}

		m, ok := nextBit(c.months, t.month)
		if !ok {
			t = civil{year: t.year + 1, month: 1, day: 1}
			continue
		}
		if m != t.month {
			t = civil{year: t.year, month: m, day: 1}
		}

		if maskYear != t.year || maskMonth != t.month {
			days, maskYear, maskMonth = c.days.mask(t.year, t.month), t.year, t.month
		}
		d, ok := nextBit(days, t.day)
		if !ok {
			t = civil{year: t.year, month: t.month + 1, day: 1}
			continue
		}
		if d != t.day {
			t.day, t.hour, t.minute = d, 0, 0
		}

		h, ok := nextBit(c.hours, t.hour)
		if !ok {
			t.day, t.hour, t.minute = t.day+1, 0, 0
			continue
		}
		if h != t.hour {
			t.hour, t.minute = h, 0
		}

		mi, ok := nextBit(c.minutes, t.minute)
		if !ok {
			t.hour, t.minute = t.hour+1, 0
			continue
		}
		t.minute = mi
		return t, true
	}
}

// nextBit returns the lowest set bit of mask at or above from.
func nextBit(mask uint64, from int) (int, bool) {
	if from < 0 {
		from = 0
	}
	if from > 63 {
		return 0, false
	}
	m := mask >> from << from
	if m == 0 {
		return 0, false
	}
	return bits.TrailingZeros64(m), true
}

// next returns the lowest member of s at or above from.
func (s *bitset) next(from int) (int, bool) {
	if from < 0 {
		from = 0
	}
	for w := from >> 6; w < len(s); w++ {
		m := s[w]
		if w == from>>6 {
			m = m >> (from & 63) << (from & 63)
		}
		if m != 0 {
			return w<<6 + bits.TrailingZeros64(m), true
		}
	}
	return 0, false
}

// mask returns the days of the given month that match, as bit d for
// day d.
func (s *daySpec) mask(year, month int) uint64 {
	n := daysIn(year, month)
	first := weekday(daysFromCivil(year, month, 1)) // weekday of the 1st
	all := uint64(1)<<(n+1) - 2                     // bits 1..n

	if !s.byWeekday {
		m := s.monthDays & all
		if s.lastDay {
			m |= 1 << n
		}
		if s.lastWeekday {
			m |= 1 << nearestWeekday(n, n, first)
		}
		for near := s.nearest & all; near != 0; near &= near - 1 {
			m |= 1 << nearestWeekday(bits.TrailingZeros64(near), n, first)
		}
		return m
	}

	var m uint64
	for wd := range 7 {
		firstDay := 1 + (wd-first+7)%7 // first day of the month that is weekday wd
		if s.weekdays&(1<<wd) != 0 {
			m |= everySeventh << firstDay
		}
		if s.lastOf&(1<<wd) != 0 {
			m |= 1 << (firstDay + (n-firstDay)/7*7)
		}
		for k := s.nth[wd]; k != 0; k &= k - 1 {
			if d := firstDay + 7*(bits.TrailingZeros8(k)-1); d <= n {
				m |= 1 << d
			}
		}
	}
	return m & all
}

// everySeventh has bits 0, 7, 14, 21 and 28 set.
const everySeventh = 1 | 1<<7 | 1<<14 | 1<<21 | 1<<28

// nearestWeekday returns the Monday-to-Friday day of the month nearest
// day d, without leaving the month of n days whose 1st is weekday first.
func nearestWeekday(d, n, first int) int {
	switch (first + d - 1) % 7 {
	case int(time.Saturday):
		if d == 1 {
			return 3
		}
		return d - 1
	case int(time.Sunday):
		if d == n {
			return d - 2
		}
		return d + 1
	}
	return d
}

// firstInstant returns the Unix time of the first instant at which the
// wall clock of loc shows w (seconds since 1970-01-01 00:00 wall time) or
// a later time. That is w's first occurrence when the clock shows w once
// or twice, and the end of the gap when a daylight-saving jump skips w.
func firstInstant(w int64, loc *time.Location) int64 {
	if loc == time.UTC {
		return w
	}
	// Walk the zone's periods (spans of constant UTC offset) from well
	// before w; offsets stay within ±15h, so the clock there is before w.
	u := w - 27*3600
	for {
		t := time.Unix(u, 0).In(loc)
		_, off := t.Zone()
		start, end := t.ZoneBounds()
		at := w - int64(off) // when this period's clock would show w
		if !start.IsZero() && at < start.Unix() {
			// The clock already showed more than w when this period
			// began: w was skipped.
			return start.Unix()
		}
		if end.IsZero() || at < end.Unix() || end.Unix() <= u {
			return at
		}
		u = end.Unix()
	}
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// proleptic Gregorian date (negative before it); see Howard Hinnant,
// "chrono-Compatible Low-Level Date Algorithms".
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400                     // [0, 399]
	doy := (153*((m+9)%12)+2)/5 + d - 1    // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return int64(era)*146097 + int64(doe) - 719468
}

// weekday returns the day of the week (0 = Sunday) of a day counted by
// daysFromCivil. 1970-01-01 was a Thursday.
func weekday(days int64) int {
	return int(((days+4)%7 + 7) % 7)
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
