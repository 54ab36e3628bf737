package component

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Actions is what validation needs to know about action modules. Package
// toe/action implements it; component stays free of the modules themselves.
type Actions interface {
	// CheckStep reports problems with a step's action name, inputs and
	// settings (unknown action, wrong input types, platform).
	CheckStep(s *Step, r *Reporter)
	// OutputKeys lists the outputs an action produces; ok=false when the
	// action is unknown.
	OutputKeys(action string) (keys []string, ok bool)
}

// Load parses and fully validates a document.
func Load(file string, data []byte, actions Actions) (*Document, error) {
	d, ps := Parse(file, data)
	if d != nil {
		ps = append(ps, Validate(d, actions)...)
	}
	if len(ps) > 0 {
		ps.Sort()
		return d, ps
	}
	return d, nil
}

// Validate checks what Parse cannot alone: actions and their inputs, and
// that every expression refers to something that exists and runs earlier.
func Validate(d *Document, actions Actions) Problems {
	r := &Reporter{File: d.File}
	var vars []string // in document order, so a suggestion does not vary
	for _, p := range d.Parameters {
		vars = append(vars, p.Name)
	}
	for _, c := range d.Constants {
		vars = append(vars, c.Name)
	}
	for pi, ph := range d.Phases {
		for si, s := range ph.Steps {
			if actions != nil {
				actions.CheckStep(s, r)
			}
			rc := refChecker{d: d, actions: actions, vars: vars, phase: pi, step: si, s: s, r: r}
			if s.Inputs != nil {
				rc.walk(s.Inputs, JoinPath(s.Path, "inputs"), true)
			}
			if s.Loop != nil {
				for i, it := range s.Loop.Items {
					rc.walk(it, JoinPath(JoinPath(s.Path, "loop.forEach"), i), false)
				}
				if s.Loop.List != nil {
					rc.walk(s.Loop.List, JoinPath(s.Path, "loop.forEach.list"), false)
				}
			}
			s.If.Strings(func(v *Value) { rc.walk(v, JoinPath(s.Path, "if"), false) })
		}
	}
	return r.Problems
}

type refChecker struct {
	d           *Document
	actions     Actions
	vars        []string
	phase, step int
	s           *Step
	r           *Reporter
}

func (c *refChecker) walk(v *Value, path string, inInputs bool) {
	switch v.Kind {
	case Scalar:
		if v.Type != StringScalar {
			return
		}
		for _, e := range ParseExprs(v.Str) {
			before := len(c.r.Problems)
			c.check(e.Ref, v.Pos, path, inInputs)
			if len(c.r.Problems) > before {
				// Point at the reference itself, which may be lines into a
				// block of script.
				at := locate(c.d.Raw, v.Pos, v.Str[e.Start:e.End])
				for i := before; i < len(c.r.Problems); i++ {
					c.r.Problems[i].Pos = at
				}
			}
		}
	case List:
		for i, it := range v.Items {
			c.walk(it, JoinPath(path, i), inInputs)
		}
	case Map:
		for _, f := range v.Fields {
			c.walk(f.Value, JoinPath(path, f.Key), inInputs)
		}
	}
}

func (c *refChecker) check(ref Ref, pos Pos, path string, inInputs bool) {
	switch ref.Kind {
	case VarRef:
		c.checkName(ref, pos, path, inInputs)
	case LoopRef:
		// Outside a loop (or outside inputs) loop references stay literal,
		// as AWSTOE documents. A named reference to a loop the step does
		// not have is a typo, though, unless it names nothing at all.
		if c.s.Loop == nil || !inInputs {
			return
		}
		if ref.Name != "loop" && ref.Name != c.s.Loop.Name {
			c.r.Add(pos, path, "{{ %s }} refers to loop %q, but this step's loop is %s", ref.Text, ref.Name, loopLabel(c.s.Loop))
		}
	case ChainRef:
		c.checkChain(ref, pos, path)
	}
}

// locateWindow is how far past a scalar's start locate looks for text.
const locateWindow = 64 << 10

// locate returns where text is first written in src at or after from (a
// scalar's position), or from when it is not found nearby (text built by
// escapes or line folding).
func locate(src []byte, from Pos, text string) Pos {
	off := 0
	for line := 1; line < from.Line; line++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return from
		}
		off += i + 1
	}
	for col := 1; col < from.Col && off < len(src) && src[off] != '\n'; col++ {
		_, n := utf8.DecodeRune(src[off:])
		off += n
	}
	window := src[off:min(len(src), off+locateWindow)]
	i := bytes.Index(window, []byte(text))
	if i < 0 {
		return from
	}
	at := from
	for _, line := range bytes.SplitAfter(window[:i], []byte("\n")) {
		if n := len(line); n > 0 && line[n-1] == '\n' {
			at.Line, at.Col = at.Line+1, 1
			continue
		}
		at.Col += utf8.RuneCount(line)
	}
	return at
}

func loopLabel(l *Loop) string {
	if l.Name == "" {
		return "unnamed (use {{ loop.index }} / {{ loop.value }})"
	}
	return fmt.Sprintf("%q", l.Name)
}

func (c *refChecker) checkChain(ref Ref, pos Pos, path string) {
	pi := -1
	var phases []string
	for i, ph := range c.d.Phases {
		phases = append(phases, ph.Name)
		if ph.Name == ref.Phase {
			pi = i
		}
	}
	if pi < 0 {
		c.r.Add(pos, path, "{{ %s }}: this document has no phase %q%s", ref.Text, ref.Phase, Suggest(ref.Phase, phases))
		return
	}
	ph := c.d.Phases[pi]
	si := -1
	for i, s := range ph.Steps {
		if s.Name == ref.Step {
			si = i
		}
	}
	if si < 0 {
		var names []string
		for _, s := range ph.Steps {
			names = append(names, s.Name)
		}
		c.r.Add(pos, path, "{{ %s }}: phase %q has no step %q%s", ref.Text, ref.Phase, ref.Step, Suggest(ref.Step, names))
		return
	}
	if pi > c.phase || (pi == c.phase && si >= c.step) {
		c.r.Add(pos, path, "{{ %s }}: step %s.%s runs after this one (or is this one), so it has no %s yet", ref.Text, ref.Phase, ref.Step, ref.Section)
		return
	}
	target := ph.Steps[si]
	if ref.Section == "inputs" {
		in := target.Inputs
		if in == nil {
			c.r.Add(pos, path, "{{ %s }}: step %s.%s has no inputs", ref.Text, ref.Phase, ref.Step)
			return
		}
		if in.Kind == List {
			idx := ref.Index
			if idx < 0 {
				idx = 0
			}
			if idx >= len(in.Items) {
				c.r.Add(pos, path, "{{ %s }}: step %s.%s has %d input items, index %d is out of range", ref.Text, ref.Phase, ref.Step, len(in.Items), idx)
				return
			}
			in = in.Items[idx]
		} else if ref.Index > 0 {
			c.r.Add(pos, path, "{{ %s }}: step %s.%s has map inputs; index %d is out of range", ref.Text, ref.Phase, ref.Step, ref.Index)
			return
		}
		if in.Kind == Map && in.Get(ref.Key) == nil {
			var names []string
			for _, f := range in.Fields {
				names = append(names, f.Key)
			}
			c.r.Add(pos, path, "{{ %s }}: the inputs of step %s.%s have no %q%s", ref.Text, ref.Phase, ref.Step, ref.Key, Suggest(ref.Key, names))
		}
		return
	}
	if c.actions == nil {
		return
	}
	outs, ok := c.actions.OutputKeys(target.Action)
	if !ok {
		return // the unknown action is reported on its own step
	}
	for _, k := range outs {
		if k == ref.Key {
			return
		}
	}
	if len(outs) == 0 {
		c.r.Add(pos, path, "{{ %s }}: %s steps have no outputs", ref.Text, target.Action)
		return
	}
	c.r.Add(pos, path, "{{ %s }}: %s steps output %v, not %q", ref.Text, target.Action, outs, ref.Key)
}

// checkName checks a single-name reference. A name that is no parameter
// or constant is text, as on AWS ({{ item }} in an Ansible heredoc),
// unless it is a near miss of a name in scope: then it is a typo.
func (c *refChecker) checkName(ref Ref, pos Pos, path string, inInputs bool) {
	if slices.Contains(c.vars, ref.Name) {
		return
	}
	if l := c.s.Loop; l != nil && inInputs && l.Name != "" {
		// A single name cannot be a loop variable; near the loop's name it
		// means the loop's value.
		if k, ok := nearMiss(ref.Name, []string{l.Name}); ok {
			c.r.Add(pos, path, "{{ %s }} is not a parameter or constant of this document; did you mean {{ %s.value }}?", ref.Name, k)
			return
		}
	}
	if k, ok := nearMiss(ref.Name, c.vars); ok {
		c.r.Add(pos, path, "{{ %s }} is not a parameter or constant of this document; did you mean {{ %s }}?", ref.Name, k)
	}
}

// nearMiss returns the known name closest to name when it is close enough
// to be a typo of it: equal but for case, or at most 2 edits away (1 for a
// known name shorter than 5 characters), case ignored. The first of equally
// close names wins.
func nearMiss(name string, known []string) (string, bool) {
	best, bestD := "", -1
	for _, k := range known {
		limit := 1
		if len(k) >= 5 {
			limit = 2
		}
		d := editDistance(strings.ToLower(name), strings.ToLower(k))
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = k, d
		}
	}
	return best, bestD >= 0
}
