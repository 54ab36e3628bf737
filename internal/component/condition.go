package component

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MaxConditionDepth is how deeply and/or/not may nest.
const MaxConditionDepth = 4

// IfAction is what a step's `if` does with its outcome.
type IfAction string

// The if actions.
const (
	Execute IfAction = "Execute"
	Skip    IfAction = "Skip"
	Abort   IfAction = "Abort"
)

type operandShape int

const (
	single    operandShape = iota // op: x
	withValue                     // op: x, value: y
	withPath                      // op: hash, path: file
	logical                       // and/or: [..], not: expr
)

var operators = map[string]operandShape{
	"stringIsEmpty": single, "stringIsWhitespace": single,
	"stringEquals": withValue, "stringLessThan": withValue, "stringLessThanEquals": withValue,
	"stringGreaterThan": withValue, "stringGreaterThanEquals": withValue, "patternMatches": withValue,
	"numberEquals": withValue, "numberLessThan": withValue, "numberLessThanEquals": withValue,
	"numberGreaterThan": withValue, "numberGreaterThanEquals": withValue,
	"binaryExists": single, "fileExists": single, "folderExists": single,
	"fileMD5Equals": withPath, "fileSHA1Equals": withPath, "fileSHA256Equals": withPath, "fileSHA512Equals": withPath,
	"and": logical, "or": logical, "not": logical,
}

// OperatorNames lists every comparison, file and logical operator.
func OperatorNames() []string {
	names := make([]string, 0, len(operators))
	for n := range operators {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Condition is a comparison, file or logical expression, as used by `if`
// and by the Assert module.
type Condition struct {
	Op      string
	Operand *Value       // the operator's own value (scalar), for comparisons
	Value   *Value       // `value` for two-operand comparisons
	Path    *Value       // `path` for file hash operators
	Args    []*Condition // and/or/not
	Pos     Pos
	// Then and Else are set on a step's top-level `if` only.
	Then, Else IfAction
}

// ParseCondition reads an expression from v. allowThenElse permits the
// top-level then/else keys of a step's `if`.
func ParseCondition(v *Value, path string, allowThenElse bool, r *Reporter) *Condition {
	return parseCond(v, path, allowThenElse, 1, r)
}

func parseCond(v *Value, path string, allowThenElse bool, depth int, r *Reporter) *Condition {
	if v == nil || v.Kind == Null {
		r.Add(posOrZero(v), path, "a condition expression is required")
		return nil
	}
	if v.Kind == List && allowThenElse {
		// The documented list form: if: [ {expr, then, else} ].
		if len(v.Items) != 1 {
			r.Add(v.Pos, path, "the list form of `if` takes exactly one expression, got %d", len(v.Items))
			return nil
		}
		return parseCond(v.Items[0], JoinPath(path, 0), true, depth, r)
	}
	if v.Kind != Map {
		r.Add(v.Pos, path, "a condition must be a map with one operator, such as `stringEquals: x` with `value: y`")
		return nil
	}
	c := &Condition{Pos: v.Pos}
	var opField *Field
	extra := map[string]*Field{}
	for i := range v.Fields {
		f := &v.Fields[i]
		switch {
		case f.Key == "then" || f.Key == "else":
			if !allowThenElse {
				r.Add(f.KeyPos, JoinPath(path, f.Key), "`%s` is allowed only at the top of a step's `if`", f.Key)
				continue
			}
			a := IfAction(f.Value.String())
			if f.Value.Kind != Scalar || (a != Execute && a != Skip && a != Abort) {
				r.Add(f.Value.Pos, JoinPath(path, f.Key), "must be Execute, Skip or Abort")
				continue
			}
			if f.Key == "then" {
				c.Then = a
			} else {
				c.Else = a
			}
		case f.Key == "value" || f.Key == "path":
			extra[f.Key] = f
		default:
			if _, ok := operators[f.Key]; !ok {
				r.Add(f.KeyPos, JoinPath(path, f.Key), "unknown operator %q%s", f.Key, Suggest(f.Key, OperatorNames()))
				continue
			}
			if opField != nil {
				r.Add(f.KeyPos, JoinPath(path, f.Key), "one expression may have only one operator; %q is already given", opField.Key)
				continue
			}
			opField = f
		}
	}
	if opField == nil {
		if len(r.Problems) == 0 || len(v.Fields) == 0 {
			r.Add(v.Pos, path, "no operator given; use one of %s", strings.Join(OperatorNames(), ", "))
		}
		return nil
	}
	c.Op = opField.Key
	opPath := JoinPath(path, c.Op)
	shape := operators[c.Op]
	checkExtra := func(allowed string) {
		for k, f := range extra {
			if k != allowed {
				r.Add(f.KeyPos, JoinPath(path, k), "%s does not take `%s`", c.Op, k)
			}
		}
		if allowed != "" && extra[allowed] == nil {
			r.Add(opField.KeyPos, path, "%s needs `%s`", c.Op, allowed)
		}
	}
	switch shape {
	case single, withValue, withPath:
		if opField.Value.Kind != Scalar && !(opField.Value.Kind == Null && (c.Op == "stringIsEmpty" || c.Op == "stringIsWhitespace")) {
			r.Add(opField.Value.Pos, opPath, "must be a single value, not a %s", opField.Value.Kind)
		}
		c.Operand = opField.Value
		switch shape {
		case single:
			checkExtra("")
		case withValue:
			checkExtra("value")
			if f := extra["value"]; f != nil {
				if f.Value.Kind == List || f.Value.Kind == Map {
					r.Add(f.Value.Pos, JoinPath(path, "value"), "must be a single value, not a %s", f.Value.Kind)
				}
				c.Value = f.Value
			}
			if c.Op == "patternMatches" && c.Operand.Kind == Scalar && !HasExpr(c.Operand.Str) {
				if _, err := regexp.Compile(c.Operand.Str); err != nil {
					r.Add(c.Operand.Pos, opPath, "not a valid regular expression: %v", err)
				}
			}
			if strings.HasPrefix(c.Op, "number") && c.Operand.Kind == Scalar && !HasExpr(c.Operand.Str) {
				if _, err := strconv.ParseFloat(strings.TrimSpace(c.Operand.Str), 64); err != nil {
					r.Add(c.Operand.Pos, opPath, "%s needs a number, got %q", c.Op, c.Operand.Str)
				}
			}
		case withPath:
			checkExtra("path")
			if f := extra["path"]; f != nil {
				if f.Value.Kind != Scalar {
					r.Add(f.Value.Pos, JoinPath(path, "path"), "must be a file path")
				}
				c.Path = f.Value
			}
		}
	case logical:
		checkExtra("")
		if depth > MaxConditionDepth {
			r.Add(opField.KeyPos, opPath, "logical operators nest more than %d levels deep", MaxConditionDepth)
			return nil
		}
		if c.Op == "not" {
			a := parseCond(opField.Value, opPath, false, depth+1, r)
			if a != nil {
				c.Args = []*Condition{a}
			}
		} else {
			if opField.Value.Kind != List || len(opField.Value.Items) == 0 {
				r.Add(opField.Value.Pos, opPath, "%s needs a list of one or more expressions", c.Op)
				return nil
			}
			for i, it := range opField.Value.Items {
				if a := parseCond(it, JoinPath(opPath, i), false, depth+1, r); a != nil {
					c.Args = append(c.Args, a)
				}
			}
		}
	}
	return c
}

func posOrZero(v *Value) Pos {
	if v == nil {
		return Pos{}
	}
	return v.Pos
}

// Strings calls fn for every operand that may hold an expression.
func (c *Condition) Strings(fn func(v *Value)) {
	if c == nil {
		return
	}
	for _, v := range []*Value{c.Operand, c.Value, c.Path} {
		if v != nil {
			fn(v)
		}
	}
	for _, a := range c.Args {
		a.Strings(fn)
	}
}

// Eval evaluates the condition; expand resolves expressions in operands.
func (c *Condition) Eval(expand func(string) (string, error)) (bool, error) {
	if c == nil {
		return false, fmt.Errorf("missing condition")
	}
	str := func(v *Value) (string, error) {
		if v == nil || v.Kind == Null {
			return "", nil
		}
		return expand(v.Str)
	}
	switch c.Op {
	case "and":
		for _, a := range c.Args {
			ok, err := a.Eval(expand)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case "or":
		for _, a := range c.Args {
			ok, err := a.Eval(expand)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case "not":
		if len(c.Args) != 1 {
			return false, fmt.Errorf("not needs exactly one expression")
		}
		ok, err := c.Args[0].Eval(expand)
		return !ok, err
	}
	operand, err := str(c.Operand)
	if err != nil {
		return false, err
	}
	switch c.Op {
	case "stringIsEmpty":
		return operand == "", nil
	case "stringIsWhitespace":
		return operand != "" && strings.TrimSpace(operand) == "", nil
	case "binaryExists":
		_, err := exec.LookPath(operand)
		return err == nil, nil
	case "fileExists":
		st, err := os.Stat(operand)
		return err == nil && st.Mode().IsRegular(), nil
	case "folderExists":
		st, err := os.Stat(operand)
		return err == nil && st.IsDir(), nil
	case "fileMD5Equals", "fileSHA1Equals", "fileSHA256Equals", "fileSHA512Equals":
		p, err := str(c.Path)
		if err != nil {
			return false, err
		}
		sum, err := fileHash(c.Op, p)
		if err != nil {
			return false, nil
		}
		return strings.EqualFold(sum, strings.TrimSpace(operand)), nil
	}
	value, err := str(c.Value)
	if err != nil {
		return false, err
	}
	switch c.Op {
	case "stringEquals":
		// Documented as an exact match; the examples show case differences
		// making it false, so equality is case-sensitive.
		return value == operand, nil
	case "stringLessThan":
		return strings.ToLower(value) < strings.ToLower(operand), nil
	case "stringLessThanEquals":
		return strings.ToLower(value) <= strings.ToLower(operand), nil
	case "stringGreaterThan":
		return strings.ToLower(value) > strings.ToLower(operand), nil
	case "stringGreaterThanEquals":
		return strings.ToLower(value) >= strings.ToLower(operand), nil
	case "patternMatches":
		re, err := regexp.Compile(operand)
		if err != nil {
			return false, fmt.Errorf("patternMatches: %q is not a valid regular expression: %w", operand, err)
		}
		return re.MatchString(value), nil
	}
	a, errA := strconv.ParseFloat(strings.TrimSpace(operand), 64)
	b, errB := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if errA != nil || errB != nil {
		return false, nil // documented: an unconvertible value compares false
	}
	switch c.Op {
	case "numberEquals":
		return b == a, nil
	case "numberLessThan":
		return b < a, nil
	case "numberLessThanEquals":
		return b <= a, nil
	case "numberGreaterThan":
		return b > a, nil
	case "numberGreaterThanEquals":
		return b >= a, nil
	}
	return false, fmt.Errorf("unknown operator %q", c.Op)
}

func fileHash(op, path string) (string, error) {
	var h hash.Hash
	switch op {
	case "fileMD5Equals":
		h = md5.New()
	case "fileSHA1Equals":
		h = sha1.New()
	case "fileSHA256Equals":
		h = sha256.New()
	default:
		h = sha512.New()
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Suggest returns ` (did you mean "x"?)` for a near miss, or "".
func Suggest(got string, known []string) string {
	best, bestD := "", 4
	for _, k := range known {
		if d := editDistance(strings.ToLower(got), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
