package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseTimezone(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"Etc/UTC", "UTC", "America/Los_Angeles", "America/New_York", "Europe/Berlin",
		"Etc/GMT+5", "Etc/GMT-14", "America/Argentina/Buenos_Aires", "America/Port-au-Prince", "EST5EDT",
	} {
		loc, err := ParseTimezone(name)
		if err != nil {
			t.Errorf("ParseTimezone(%q): %v", name, err)
			continue
		}
		if loc.String() != name {
			t.Errorf("ParseTimezone(%q) = %v", name, loc)
		}
		again, err := ParseTimezone(name)
		if err != nil || again != loc {
			t.Errorf("ParseTimezone(%q) again = %v, %v; want the cached %p", name, again, err, loc)
		}
	}
	loc, err := ParseTimezone("")
	if err != nil || loc != time.UTC {
		t.Errorf(`ParseTimezone("") = %v, %v; want UTC`, loc, err)
	}
}

func TestParseTimezoneErrors(t *testing.T) {
	t.Parallel()
	const hint = "; use an IANA time zone name such as Etc/UTC or America/Los_Angeles"
	tests := []struct {
		name string
		want string
	}{
		{"X", `timezone "X": must be 3 to 100 characters long` + hint},
		{"ab", `timezone "ab": must be 3 to 100 characters long` + hint},
		{strings.Repeat("a", 101), `must be 3 to 100 characters long` + hint},
		{"America/New York", `timezone "America/New York": is not a time zone name` + hint},
		{"../etc/passwd", `timezone "../etc/passwd": is not a time zone name` + hint},
		{"/America/New_York", `is not a time zone name` + hint},
		{"America/", `is not a time zone name` + hint},
		{"America//New_York", `is not a time zone name` + hint},
		{"A/New_York", `is not a time zone name` + hint},
		{"Local", `timezone "Local": is not an IANA time zone` + hint},
		{"localtime", `timezone "localtime": is not an IANA time zone` + hint},
		{"posixrules", `is not an IANA time zone` + hint},
		{"posix/Europe/Berlin", `is not an IANA time zone` + hint},
		{"right/UTC", `is not an IANA time zone` + hint},
		{"Mars/Olympus_Mons", `timezone "Mars/Olympus_Mons": is not in the IANA time zone database` + hint},
		{"PST", `timezone "PST": is not in the IANA time zone database` + hint},
	}
	for _, tt := range tests {
		loc, err := ParseTimezone(tt.name)
		if err == nil {
			t.Errorf("ParseTimezone(%q) = %v, want an error", tt.name, loc)
			continue
		}
		if !errors.Is(err, ErrInvalidTimezone) {
			t.Errorf("ParseTimezone(%q): %v does not wrap ErrInvalidTimezone", tt.name, err)
		}
		var te *TimezoneError
		if !errors.As(err, &te) || te.Name != tt.name {
			t.Errorf("ParseTimezone(%q): %#v is not a *TimezoneError for the name", tt.name, err)
		}
		if !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("ParseTimezone(%q)\n got %s\nwant ...%s", tt.name, err, tt.want)
		}
	}
}
