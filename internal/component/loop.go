package component

import (
	"fmt"
	"strconv"
	"strings"
)

// Loop is a step's `loop`: a for range, or forEach over a list or a
// delimited string.
type Loop struct {
	Name      string
	For       *ForRange
	Items     []*Value // forEach: [a, b, c]
	List      *Value   // forEach: {list: "a,b", delimiter: ","}
	Delimiter string
	Pos       Pos
}

// ForRange is an inclusive integer range.
type ForRange struct {
	Start, End, UpdateBy int
}

// Iteration is one pass of a loop.
type Iteration struct {
	Index int
	Value string
}

// allowedDelimiters are the single characters forEach.delimiter may be.
const allowedDelimiters = ".,;:\n\t -_"

// MaxIterations bounds a loop, so a typo in a range cannot run for ever.
const MaxIterations = 100_000

func parseLoop(v *Value, path string, r *Reporter) *Loop {
	if v.Kind != Map {
		r.Add(v.Pos, path, "loop must be a map with `for` or `forEach` (and an optional `name`)")
		return nil
	}
	l := &Loop{Pos: v.Pos}
	var forV, eachV *Value
	for _, f := range v.Fields {
		p := JoinPath(path, f.Key)
		switch f.Key {
		case "name":
			if f.Value.Kind != Scalar || !identRe.MatchString(f.Value.Str) {
				r.Add(f.Value.Pos, p, "loop name must be letters, digits, _ or -")
				continue
			}
			if f.Value.Str == "loop" {
				r.Add(f.Value.Pos, p, "`loop` is reserved; choose another name")
				continue
			}
			l.Name = f.Value.Str
		case "for":
			forV = f.Value
		case "forEach":
			eachV = f.Value
		default:
			r.Add(f.KeyPos, p, "unknown loop key %q%s", f.Key, Suggest(f.Key, []string{"name", "for", "forEach"}))
		}
	}
	switch {
	case forV != nil && eachV != nil:
		r.Add(v.Pos, path, "a loop has either `for` or `forEach`, not both")
		return nil
	case forV == nil && eachV == nil:
		r.Add(v.Pos, path, "a loop needs `for` or `forEach`")
		return nil
	case forV != nil:
		l.For = parseFor(forV, JoinPath(path, "for"), r)
	default:
		p := JoinPath(path, "forEach")
		switch eachV.Kind {
		case List:
			for i, it := range eachV.Items {
				if it.Kind != Scalar {
					r.Add(it.Pos, JoinPath(p, i), "forEach items must be strings")
				}
			}
			l.Items = eachV.Items
		case Map:
			l.Delimiter = ","
			for _, f := range eachV.Fields {
				switch f.Key {
				case "list":
					if f.Value.Kind != Scalar {
						r.Add(f.Value.Pos, JoinPath(p, "list"), "must be a string")
					}
					l.List = f.Value
				case "delimiter":
					d := f.Value.String()
					if f.Value.Kind != Scalar || len(d) != 1 || !strings.Contains(allowedDelimiters, d) {
						r.Add(f.Value.Pos, JoinPath(p, "delimiter"), "must be exactly one of . , ; : newline tab space - _")
						continue
					}
					l.Delimiter = d
				default:
					r.Add(f.KeyPos, JoinPath(p, f.Key), "unknown forEach key %q (use list and delimiter)", f.Key)
				}
			}
			if l.List == nil {
				r.Add(eachV.Pos, p, "forEach with a map needs `list`")
			}
		default:
			r.Add(eachV.Pos, p, "forEach must be a list, or a map with list and delimiter")
		}
	}
	return l
}

func parseFor(v *Value, path string, r *Reporter) *ForRange {
	if v.Kind != Map {
		r.Add(v.Pos, path, "for must be a map with start, end and updateBy")
		return nil
	}
	fr := &ForRange{}
	seen := map[string]bool{}
	for _, f := range v.Fields {
		p := JoinPath(path, f.Key)
		var dst *int
		switch f.Key {
		case "start":
			dst = &fr.Start
		case "end":
			dst = &fr.End
		case "updateBy":
			dst = &fr.UpdateBy
		default:
			r.Add(f.KeyPos, p, "unknown key %q (use start, end, updateBy)", f.Key)
			continue
		}
		seen[f.Key] = true
		n, ok := intValue(f.Value)
		if !ok {
			r.Add(f.Value.Pos, p, "must be an integer (expressions are not allowed here)")
			continue
		}
		*dst = n
	}
	bad := false
	for _, k := range []string{"start", "end", "updateBy"} {
		if !seen[k] {
			r.Add(v.Pos, JoinPath(path, k), "required")
			bad = true
		}
	}
	if bad {
		return nil
	}
	switch {
	case fr.UpdateBy == 0:
		r.Add(v.Pos, JoinPath(path, "updateBy"), "must not be 0: the loop would never end")
		return nil
	case fr.UpdateBy > 0 && fr.Start > fr.End, fr.UpdateBy < 0 && fr.Start < fr.End:
		r.Add(v.Pos, path, "from %d to %d by %d never reaches the end", fr.Start, fr.End, fr.UpdateBy)
		return nil
	}
	if n := (fr.End-fr.Start)/fr.UpdateBy + 1; n > MaxIterations {
		r.Add(v.Pos, path, "%d iterations is more than the limit of %d", n, MaxIterations)
		return nil
	}
	return fr
}

// Iterations lists the loop's passes; expand resolves expressions in
// forEach items and lists (frozen at loop start).
func (l *Loop) Iterations(expand func(string) (string, error)) ([]Iteration, error) {
	var out []Iteration
	switch {
	case l.For != nil:
		f := l.For
		for v, i := f.Start, 0; (f.UpdateBy > 0 && v <= f.End) || (f.UpdateBy < 0 && v >= f.End); v, i = v+f.UpdateBy, i+1 {
			out = append(out, Iteration{Index: i, Value: strconv.Itoa(v)})
		}
	case l.List != nil:
		s, err := expand(l.List.Str)
		if err != nil {
			return nil, err
		}
		for i, part := range strings.Split(s, l.Delimiter) {
			out = append(out, Iteration{Index: i, Value: part})
		}
	default:
		for i, it := range l.Items {
			s, err := expand(it.Str)
			if err != nil {
				return nil, err
			}
			out = append(out, Iteration{Index: i, Value: s})
		}
	}
	if len(out) > MaxIterations {
		return nil, fmt.Errorf("the loop has %d iterations, more than the limit of %d", len(out), MaxIterations)
	}
	return out, nil
}

// Describe returns the loop as plain data for reports.
func (l *Loop) Describe() map[string]any {
	if l == nil {
		return nil
	}
	d := map[string]any{"name": l.Name}
	switch {
	case l.For != nil:
		d["for"] = map[string]int{"start": l.For.Start, "end": l.For.End, "updateBy": l.For.UpdateBy}
	case l.List != nil:
		d["forEach"] = map[string]string{"list": l.List.Str, "delimiter": l.Delimiter}
	default:
		items := make([]string, len(l.Items))
		for i, it := range l.Items {
			items[i] = it.Str
		}
		d["forEach"] = items
	}
	return d
}
