// Package schedule parses Image Builder pipeline schedule expressions,
// cron(Minutes Hours Day-of-month Month Day-of-week Year), and computes
// when a pipeline runs next in its IANA time zone.
//
// # Grammar
//
// Six fields separated by single spaces, wrapped in cron( and ). Every
// field takes values, a-b ranges (which may wrap, e.g. FRI-MON or 22-2;
// not in the year field), * for all values, steps (*/15, 5/10, 1-20/5)
// and comma lists. (The current guide lists no / for day-of-week, an
// older one does; it is accepted.) On top of that:
//
//   - Day-of-month: 1-31, ? ("no specific value"), L (last day of the
//     month), nW (the weekday nearest day n, never leaving the month: a
//     Saturday 1st moves to Monday the 3rd, a Sunday last day moves back to
//     Friday; no run in a month that has no day n) and LW (last weekday).
//   - Month: 1-12 or JAN-DEC.
//   - Day-of-week: 1-7 with 1 = Sunday, or SUN-SAT; ?; a bare L means
//     every Saturday, the last day of the week (the EventBridge and Quartz
//     reading; one version of the Image Builder guide says Sunday); nL or
//     NAMEL is the
//     last such weekday of the month (6L, FRIL); d#n is the nth (1-5)
//     weekday d of the month (TUE#2; no run in a month without a fifth
//     one). As the Image Builder guide documents, bare numbers listed right
//     after a d#n item are more occurrences of the same weekday: SAT#2,4 is
//     the second and fourth Saturday, not "second Saturday or Wednesday".
//   - Year: 1970-2199.
//
// Names are case-insensitive. One of day-of-month and day-of-week must be
// ?; for compatibility a field that is * while the other is set is read
// as ? (so cron(0 0 * * SUN *) means every Sunday), and when both are *
// every day matches. The legacy five-field form without a year, seen in
// old AWS CLI examples, is accepted with the year as *. rate(...)
// expressions are rejected: Image Builder documents them only for
// EventBridge rules, not for pipeline schedules. Parse errors are
// *ExpressionError values wrapping ErrInvalidExpression and name the field
// and the offending token, so the API layer can answer
// InvalidParameterValueException with a message the user can act on.
//
// # Time zones and daylight saving
//
// Next evaluates the expression on the wall clock of the pipeline's time
// zone (ParseTimezone; UTC by default). Each matching wall-clock minute
// runs once, at the first instant the clock shows it:
//
//   - A time repeated when clocks go back (01:30 in New York on the first
//     Sunday of November) runs once, at its first occurrence.
//   - A time skipped when clocks go forward (02:30 in New York on the
//     second Sunday of March) runs at the first instant after the gap
//     (03:00 local), the way cron daemons treat jobs at a fixed time:
//     a daily or weekly build is delayed, never silently lost. Several
//     skipped times collapse into that single run. EventBridge Scheduler
//     instead skips such a run; we prefer not to drop builds.
//
// # Why not a library
//
// github.com/hashicorp/cronexpr (a fork of gorhill/cronexpr) is the
// maintained Go parser closest to this grammar, but it cannot give AWS
// semantics through a thin layer: its years end at 2099, day-of-week
// counts from 0 = Sunday, ? is read as * and both day fields are ORed
// crontab-style, a bare L in day-of-week is not supported, errors are
// untyped strings without a token, behaviour on malformed input is
// documented as undetermined, and daylight saving is handled by
// heuristics around time.Date rather than by wall-clock rules. Translating
// would mean parsing every field ourselves anyway, so this package owns
// the whole grammar.
//
// # Cost
//
// Fields are bit sets; Next jumps to the next allowed year, month, day,
// hour and minute instead of stepping through time, so it costs well
// under a microsecond for ordinary schedules and stays bounded (at most
// 230 years x 12 months of day computations) for schedules that never
// match again, such as cron(0 0 30 FEB ? *). A scheduler can compute the
// next run of every pipeline once and sleep until the earliest.
package schedule
