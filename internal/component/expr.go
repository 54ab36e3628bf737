package component

import (
	"regexp"
	"strconv"
	"strings"
)

// RefKind says what an expression refers to.
type RefKind int

// Reference kinds.
const (
	VarRef   RefKind = iota // {{ Name }}: a parameter or constant
	LoopRef                 // {{ loop.index }}, {{ name.value }}
	ChainRef                // {{ phase.step.inputs.key }}, {{ phase.step.outputs[0].key }}
)

// Ref is a parsed {{ ... }} reference.
type Ref struct {
	Kind RefKind
	Text string // the text between the braces, trimmed

	Name string // VarRef: variable name; LoopRef: loop name ("loop" for the current loop)

	LoopField string // LoopRef: "index" or "value"

	Phase, Step string // ChainRef
	Section     string // ChainRef: "inputs" or "outputs"
	Index       int    // ChainRef: list index, -1 when not given
	Key         string // ChainRef
}

// Expr is one {{ }} occurrence inside a string.
type Expr struct {
	Start, End int // byte offsets of "{{" and just past "}}"
	Ref        Ref
}

var (
	identRe   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	sectionRe = regexp.MustCompile(`^(inputs|outputs)(?:\[(\d+)\])?$`)
)

// A reference is well-formed when the text between "{{" and the next "}}",
// trimmed of white space, is one of:
//
//	Name                          a parameter or constant (3 to 128 characters)
//	L.index, L.value              a loop variable (L is "loop" or a loop name)
//	phase.step.inputs.key         chaining, with inputs[N] or outputs[N] too
//	phase.step.outputs.key
//
// where every name is letters, digits, _ or -. Nothing else is an
// expression: bash's ${X:+.${X}}, a "{{" never closed, Jinja's
// {{ facts | combine(x) }} and Go templates' {{ .Name }} pass through
// verbatim, as they do on AWS.

// HasExpr reports whether s holds at least one well-formed reference.
func HasExpr(s string) bool { return len(ParseExprs(s)) > 0 }

// ParseExprs finds every well-formed reference in s, left to right; the
// rest of s is plain text.
func ParseExprs(s string) []Expr {
	var out []Expr
	closeAt := -1 // index of the next "}}" at or after the current opening
	for i := 0; ; {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			return out
		}
		start := i + j
		if closeAt < start+2 {
			k := strings.Index(s[start+2:], "}}")
			if k < 0 {
				return out // nothing closes this "{{", nor any later one
			}
			closeAt = start + 2 + k
		}
		body := s[start+2 : closeAt]
		if len(body) <= maxRefLen {
			if ref, ok := ParseRef(body); ok {
				out = append(out, Expr{Start: start, End: closeAt + 2, Ref: ref})
				i = closeAt + 2
				continue
			}
		}
		i = start + 1 // "{{{ Name }}" holds the reference "{{ Name }}"
	}
}

// maxRefLen bounds the text between the braces of a reference (four names
// of at most 128 characters, an index and white space), so scanning long
// text with many "{{" stays linear.
const maxRefLen = 1024

// ParseRef parses the text between the braces; ok is false when it is
// not a well-formed reference.
func ParseRef(body string) (ref Ref, ok bool) {
	body = strings.TrimSpace(body)
	r := Ref{Text: body, Index: -1}
	parts := strings.Split(body, ".")
	switch {
	case len(parts) == 1 && variableRe.MatchString(body):
		r.Kind, r.Name = VarRef, body
		return r, true
	case len(parts) == 2 && (parts[1] == "index" || parts[1] == "value") && identRe.MatchString(parts[0]):
		r.Kind, r.Name, r.LoopField = LoopRef, parts[0], parts[1]
		return r, true
	case len(parts) == 4:
		m := sectionRe.FindStringSubmatch(parts[2])
		if m == nil || !identRe.MatchString(parts[0]) || !identRe.MatchString(parts[1]) || !identRe.MatchString(parts[3]) {
			return r, false
		}
		r.Kind, r.Phase, r.Step, r.Section, r.Key = ChainRef, parts[0], parts[1], m[1], parts[3]
		if m[2] != "" {
			n, err := strconv.Atoi(m[2])
			if err != nil {
				return r, false
			}
			r.Index = n
		}
		return r, true
	}
	return r, false
}

// Resolver returns the value of a reference. ok=false leaves the expression
// as written (used for loop references outside a loop and for names that
// are no parameter or constant, such as Ansible's {{ item }}).
type Resolver func(Ref) (value string, ok bool, err error)

// Expand replaces every expression in s using resolve.
func Expand(s string, resolve Resolver) (string, error) {
	exprs := ParseExprs(s)
	if len(exprs) == 0 {
		return s, nil
	}
	var b strings.Builder
	last := 0
	for _, e := range exprs {
		b.WriteString(s[last:e.Start])
		v, ok, err := resolve(e.Ref)
		if err != nil {
			return "", err
		}
		if ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[e.Start:e.End])
		}
		last = e.End
	}
	b.WriteString(s[last:])
	return b.String(), nil
}
