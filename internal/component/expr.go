package component

import (
	"fmt"
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

// HasExpr reports whether s contains an expression opening.
func HasExpr(s string) bool { return strings.Contains(s, "{{") }

// ParseExprs finds every {{ ... }} in s. It fails on unbalanced braces and on
// references that are not one of the documented forms.
func ParseExprs(s string) ([]Expr, error) {
	var out []Expr
	i := 0
	for {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			if k := strings.Index(s[i:], "}}"); k >= 0 {
				return nil, fmt.Errorf("unbalanced expression: %q has \"}}\" without \"{{\"", s)
			}
			return out, nil
		}
		start := i + j
		k := strings.Index(s[start+2:], "}}")
		if k < 0 {
			return nil, fmt.Errorf("unbalanced expression: %q opens \"{{\" but never closes it", s)
		}
		end := start + 2 + k + 2
		body := strings.TrimSpace(s[start+2 : end-2])
		if strings.Contains(body, "{{") {
			return nil, fmt.Errorf("unbalanced expression: %q nests \"{{\"", s)
		}
		ref, err := ParseRef(body)
		if err != nil {
			return nil, err
		}
		out = append(out, Expr{Start: start, End: end, Ref: ref})
		i = end
	}
}

// ParseRef parses the text between the braces.
func ParseRef(body string) (Ref, error) {
	r := Ref{Text: body, Index: -1}
	if body == "" {
		return r, fmt.Errorf("empty expression {{ }}")
	}
	parts := strings.Split(body, ".")
	switch {
	case len(parts) == 1:
		if !identRe.MatchString(body) {
			return r, fmt.Errorf("{{ %s }}: not a valid variable name", body)
		}
		r.Kind, r.Name = VarRef, body
		return r, nil
	case len(parts) == 2 && (parts[1] == "index" || parts[1] == "value"):
		if !identRe.MatchString(parts[0]) {
			return r, fmt.Errorf("{{ %s }}: not a valid loop name", body)
		}
		r.Kind, r.Name, r.LoopField = LoopRef, parts[0], parts[1]
		return r, nil
	case len(parts) == 4:
		m := sectionRe.FindStringSubmatch(parts[2])
		if m == nil || !identRe.MatchString(parts[0]) || !identRe.MatchString(parts[1]) || parts[3] == "" {
			break
		}
		r.Kind, r.Phase, r.Step, r.Section, r.Key = ChainRef, parts[0], parts[1], m[1], parts[3]
		if m[2] != "" {
			n, err := strconv.Atoi(m[2])
			if err != nil {
				return r, fmt.Errorf("{{ %s }}: bad index", body)
			}
			r.Index = n
		}
		return r, nil
	}
	return r, fmt.Errorf("{{ %s }}: not a reference this runner knows; use {{ Name }}, {{ loop.index }}, {{ loop.value }}, {{ phase.step.inputs.key }} or {{ phase.step.outputs.key }}", body)
}

// Resolver returns the value of a reference. ok=false leaves the expression
// as written (used for loop references outside a loop).
type Resolver func(Ref) (value string, ok bool, err error)

// Expand replaces every expression in s using resolve.
func Expand(s string, resolve Resolver) (string, error) {
	if !HasExpr(s) {
		return s, nil
	}
	exprs, err := ParseExprs(s)
	if err != nil {
		return "", err
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
