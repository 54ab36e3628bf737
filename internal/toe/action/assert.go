package action

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// assertModule is the Assert action: its inputs are one condition
// expression, exactly like a step's `if` without then/else, and the step
// succeeds iff the expression is true.
type assertModule struct{}

func init() { Register(assertModule{}) }

func (assertModule) Name() string      { return "Assert" }
func (assertModule) Outputs() []string { return nil }

func (assertModule) Check(s *component.Step, r *component.Reporter) {
	path := component.JoinPath(s.Path, "inputs")
	if s.Inputs == nil {
		r.Add(s.Pos, path, "Assert needs a condition as its inputs, such as `stringEquals: x` with `value: y`")
		return
	}
	component.ParseCondition(s.Inputs, path, false, r)
}

func (assertModule) Run(ctx context.Context, env *Env, in *component.Value) (Output, error) {
	r := &component.Reporter{}
	c := component.ParseCondition(in, "inputs", false, r)
	if len(r.Problems) > 0 || c == nil {
		return nil, fmt.Errorf("invalid inputs: %w", r.Problems)
	}
	// The engine has already resolved every expression in the inputs.
	identity := func(s string) (string, error) { return s, nil }
	ok, err := c.Eval(identity)
	if err != nil {
		return nil, fmt.Errorf("assert: %w", err)
	}
	if !ok {
		msg := "assertion failed: " + describeCondition(c)
		if f := firstFalse(c); f != nil && f != c {
			msg += "; false: " + describeCondition(f)
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return nil, nil
}

// describeCondition writes c back in a compact, YAML-like form with its
// operands quoted, e.g. `stringEquals: "2.1.1", value: "2.1.0"`.
func describeCondition(c *component.Condition) string {
	switch c.Op {
	case "not":
		return "not: {" + describeCondition(c.Args[0]) + "}"
	case "and", "or":
		parts := make([]string, len(c.Args))
		for i, a := range c.Args {
			parts[i] = "{" + describeCondition(a) + "}"
		}
		return c.Op + ": [" + strings.Join(parts, ", ") + "]"
	}
	var b strings.Builder
	b.WriteString(c.Op + ": " + quoteOperand(c.Operand))
	if c.Value != nil {
		b.WriteString(", value: " + quoteOperand(c.Value))
	}
	if c.Path != nil {
		b.WriteString(", path: " + quoteOperand(c.Path))
	}
	return b.String()
}

func quoteOperand(v *component.Value) string {
	if v == nil || v.Kind == component.Null {
		return `""`
	}
	s := v.Str
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strconv.Quote(s)
}

// firstFalse finds the innermost comparison that made a false c false: for
// `and` the first false operand, for `not` and `or` c itself. Errors count
// as false.
func firstFalse(c *component.Condition) *component.Condition {
	if c.Op != "and" {
		return c
	}
	identity := func(s string) (string, error) { return s, nil }
	for _, a := range c.Args {
		if ok, err := a.Eval(identity); err != nil || !ok {
			return firstFalse(a)
		}
	}
	return c
}
