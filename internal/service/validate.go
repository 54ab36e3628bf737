package service

// The checks every resource's validate method uses.

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

// Lengths and counts of the API model the validators check.
const (
	maxString = 1024 // NonEmptyString
	// maxList bounds lists the model leaves unbounded (instance types,
	// security groups, distributions, block devices, workflows, ...).
	maxList         = 100
	maxResourceTags = 30
)

// checker collects the first problem of a request, naming its member.
type checker struct{ err error }

func (c *checker) fail(param, format string, args ...any) {
	if c.err == nil {
		c.err = apierr.InvalidParameterValue("The value supplied for parameter '%s' is not valid. %s", param, fmt.Sprintf(format, args...))
	}
}

// required checks that a string member is present.
func (c *checker) required(param, v string) {
	if v == "" && c.err == nil {
		c.err = missing(param)
	}
}

// length checks an optional string member's length in characters.
func (c *checker) length(param, v string, maxLen int) {
	if n := utf8.RuneCountInString(v); n > maxLen {
		c.fail(param, "It must be at most %d characters long, not %d.", maxLen, n)
	}
}

// strs checks a string list: at most maxLen entries, each 1 to maxString characters.
func (c *checker) strs(param string, vs []string, maxLen int) {
	if len(vs) > maxLen {
		c.fail(param, "It may list at most %d values, not %d.", maxLen, len(vs))
	}
	for _, v := range vs {
		if v == "" || utf8.RuneCountInString(v) > maxString {
			c.fail(param, "Each value must be 1 to %d characters long.", maxString)
		}
	}
}

// count checks the length of a list member.
func (c *checker) count(param string, n, maxLen int) {
	if n > maxLen {
		c.fail(param, "It may have at most %d entries, not %d.", maxLen, n)
	}
}

// enum checks an optional member against its allowed values.
func (c *checker) enum(param, v string, allowed ...string) {
	if v == "" {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.fail(param, "It must be one of %v.", allowed)
}

// between checks an optional (zero: absent) number member's range.
func (c *checker) between(param string, v, lo, hi int32) {
	if v != 0 && (v < lo || v > hi) {
		c.fail(param, "It must be between %d and %d, not %d.", lo, hi, v)
	}
}

// tags checks a tag map member.
func (c *checker) tags(param string, tags map[string]string, maxLen int) {
	if c.err != nil {
		return
	}
	if len(tags) > maxLen {
		c.fail(param, "It may have at most %d tags.", maxLen)
		return
	}
	if err := checkTags(tags); err != nil {
		if e, ok := apierr.As(err); ok {
			c.err = apierr.InvalidParameterValue("%s", replaceParam(e.Message, param))
			return
		}
		c.err = err
	}
}

func replaceParam(msg, param string) string {
	return strings.Replace(msg, "parameter 'tags'", "parameter '"+param+"'", 1)
}

// repository checks a target container repository.
func (c *checker) repository(param string, r *TargetRepository) {
	if r == nil {
		if c.err == nil {
			c.err = missing(param)
		}
		return
	}
	if r.Service != "ECR" {
		c.fail(param+".service", "It must be ECR.")
	}
	if n := utf8.RuneCountInString(r.RepositoryName); n < 1 || n > 1024 {
		c.fail(param+".repositoryName", "It must be 1 to 1024 characters long.")
	}
}
