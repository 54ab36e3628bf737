package schedule

import (
	"errors"
	"strconv"
	"unicode"
)

// ErrInvalidExpression is wrapped by every error Parse returns. The API
// layer maps it to InvalidParameterValueException.
var ErrInvalidExpression = errors.New("invalid schedule expression")

// ErrInvalidTimezone is wrapped by every error ParseTimezone returns. The
// API layer maps it to InvalidParameterValueException.
var ErrInvalidTimezone = errors.New("invalid schedule time zone")

// ExpressionError describes what is wrong with a schedule expression.
type ExpressionError struct {
	// Expression is the expression as given.
	Expression string
	// Field is the field the problem is in: "minute", "hour",
	// "day-of-month", "month", "day-of-week" or "year"; empty when the
	// problem is the expression's shape or a rule across fields.
	Field string
	// Token is the offending part of the field, or empty.
	Token string
	// Reason explains the problem and, where it helps, how to fix it.
	Reason string
}

func (e *ExpressionError) Error() string {
	s := quoteIfOdd(e.Expression) + ": "
	if e.Expression == "" {
		s = ""
	}
	if e.Field != "" {
		s += e.Field + " field: "
	}
	return s + e.Reason
}

// Unwrap returns ErrInvalidExpression.
func (e *ExpressionError) Unwrap() error { return ErrInvalidExpression }

// TimezoneError describes why a schedule time zone was rejected.
type TimezoneError struct {
	// Name is the time zone name as given.
	Name string
	// Reason explains the problem and how to fix it.
	Reason string
}

func (e *TimezoneError) Error() string {
	return "timezone " + strconv.Quote(e.Name) + ": " + e.Reason
}

// Unwrap returns ErrInvalidTimezone.
func (e *TimezoneError) Unwrap() error { return ErrInvalidTimezone }

// maxShown bounds how much of a user-supplied string an error message
// repeats.
const maxShown = 200

// quoteIfOdd returns s as is when it is short printable text, and quoted
// (and shortened) otherwise, so error messages stay one readable line.
func quoteIfOdd(s string) string {
	odd := len(s) > maxShown
	for _, r := range s {
		if !unicode.IsPrint(r) || r == unicode.ReplacementChar {
			odd = true
			break
		}
	}
	if !odd {
		return s
	}
	if len(s) > maxShown {
		s = s[:maxShown] + "..."
	}
	return strconv.Quote(s)
}
