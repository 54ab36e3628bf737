package toe

import (
	"fmt"
	"strconv"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// resolver resolves the expressions of one step; it is nil outside loops.
func (r *run) resolver(sr stepRef, it *component.Iteration) component.Resolver {
	return func(ref component.Ref) (string, bool, error) {
		switch ref.Kind {
		case component.VarRef:
			// A name that is no parameter or constant is text, as on AWS
			// ({{ item }} in a playbook); validation refused near misses.
			v, ok := sr.vars[ref.Name]
			return v, ok, nil
		case component.LoopRef:
			if it == nil || sr.step.Loop == nil {
				return "", false, nil // documented: left as written outside a loop
			}
			if ref.Name != "loop" && ref.Name != sr.step.Loop.Name {
				return "", false, nil
			}
			if ref.LoopField == "index" {
				return strconv.Itoa(it.Index), true, nil
			}
			return it.Value, true, nil
		}
		key := ref.Phase + "." + ref.Step
		e, ok := r.chain.get(sr.docIndex, key)
		if !ok {
			return "", false, fmt.Errorf("{{ %s }}: step %s has not run (it was skipped, or its phase was not selected)", ref.Text, key)
		}
		var v any
		if ref.Section == "inputs" {
			idx := ref.Index
			if idx < 0 {
				idx = 0
			}
			if idx >= len(e.Inputs) {
				return "", false, fmt.Errorf("{{ %s }}: step %s has %d input items", ref.Text, key, len(e.Inputs))
			}
			v, ok = e.Inputs[idx][ref.Key]
		} else {
			if ref.Index > 0 {
				return "", false, fmt.Errorf("{{ %s }}: step %s has one output item", ref.Text, key)
			}
			v, ok = e.Outputs[ref.Key]
		}
		if !ok {
			return "", false, fmt.Errorf("{{ %s }}: step %s has no %s %q", ref.Text, key, ref.Section, ref.Key)
		}
		s := str(v)
		r.chain.record(chainRecord{Document: sr.doc.Location, Step: sr.phase.Name + "." + sr.step.Name, Expression: ref.Text, Value: s})
		return s, true, nil
	}
}
