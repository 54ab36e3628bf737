package schedule

import (
	"regexp"
	"strings"
	"sync"
	"time"

	// Embed the time zone database so schedules work on hosts and
	// containers without /usr/share/zoneinfo. Go prefers the system copy
	// when there is one.
	_ "time/tzdata"
)

// timezonePattern is the Image Builder API's pattern for
// Schedule.timezone, anchored.
var timezonePattern = regexp.MustCompile(`^[a-zA-Z0-9]{2,}(?:/[a-zA-Z0-9_+\-]+)*$`)

// zones caches loaded locations by name: time.LoadLocation reads and
// parses a file on every call. Only valid names are stored, so the cache
// is bounded by the size of the tz database.
var zones sync.Map // string -> *time.Location

// ParseTimezone checks an IANA time zone name such as America/Los_Angeles
// against the Image Builder API's rules and loads it. An empty name is
// UTC, the API's default. Errors are *TimezoneError values that wrap
// ErrInvalidTimezone.
func ParseTimezone(name string) (*time.Location, error) {
	const hint = "use an IANA time zone name such as Etc/UTC or America/Los_Angeles"
	switch {
	case name == "":
		return time.UTC, nil
	case len(name) < 3 || len(name) > 100:
		return nil, &TimezoneError{Name: name, Reason: "must be 3 to 100 characters long; " + hint}
	case !timezonePattern.MatchString(name):
		return nil, &TimezoneError{Name: name, Reason: "is not a time zone name; " + hint}
	case name == "Local" || name == "localtime" || name == "posixrules" ||
		strings.HasPrefix(name, "posix/") || strings.HasPrefix(name, "right/"):
		// Names time.LoadLocation or the system's zoneinfo directory
		// know that are not zones: this server's own zone, a copy of a
		// zone, zones counting leap seconds.
		return nil, &TimezoneError{Name: name, Reason: "is not an IANA time zone; " + hint}
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, &TimezoneError{Name: name, Reason: "is not in the IANA time zone database; " + hint}
	}
	zones.Store(name, loc)
	return loc, nil
}
