// Package component reads AWSTOE component documents: strict decoding that
// keeps every value's line and column, validation that reports every
// problem at once with file, position and path, expressions ({{ }}),
// conditions and loops. It runs nothing; package toe does.
package component

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// OnFailure is what happens when a step fails after its last attempt.
type OnFailure string

// The onFailure values.
const (
	OnFailureAbort    OnFailure = "Abort"
	OnFailureContinue OnFailure = "Continue"
	OnFailureIgnore   OnFailure = "Ignore"
)

// Step defaults.
const (
	DefaultTimeoutSeconds = 7200
	NoTimeout             = -1
	DefaultMaxAttempts    = 1
)

// Document is a parsed component document.
type Document struct {
	File          string // where it came from, as the user named it
	Name          string
	Description   string
	SchemaVersion string
	Parameters    []Parameter
	Constants     []Constant
	Phases        []*Phase
	Raw           []byte
}

// Digest is the sha256 of the document's bytes, "sha256:<hex>".
func (d *Document) Digest() string {
	sum := sha256.Sum256(d.Raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Phase returns the named phase, or nil.
func (d *Document) Phase(name string) *Phase {
	for _, p := range d.Phases {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Parameter is a caller-settable variable.
type Parameter struct {
	Name        string
	Type        string
	Description string
	Default     *string // nil: the caller must give a value
	// AllowedValues, when not nil, lists the only values the parameter may
	// take (default and supplied values alike).
	AllowedValues []string
	Pos           Pos
}

// Check returns why value is not allowed for the parameter, or nil.
func (p *Parameter) Check(value string) error {
	if p.AllowedValues == nil || slices.Contains(p.AllowedValues, value) {
		return nil
	}
	return fmt.Errorf("parameter %q is %q, which is not one of its allowedValues: %s", p.Name, value, quoteList(p.AllowedValues))
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// Constant is an immutable variable.
type Constant struct {
	Name  string
	Type  string
	Value string
	Pos   Pos
}

// Phase is a named, ordered list of steps.
type Phase struct {
	Name  string
	Steps []*Step
	Pos   Pos
	Path  string
}

// Step returns the named step, or nil.
func (p *Phase) Step(name string) *Step {
	for _, s := range p.Steps {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Step is one action with its inputs and control settings.
type Step struct {
	Name           string
	Action         string
	Inputs         *Value // nil when absent; map or list
	OnFailure      OnFailure
	MaxAttempts    int
	TimeoutSeconds int // NoTimeout for none
	If             *Condition
	Loop           *Loop
	Pos            Pos
	Path           string // phases[0].steps[2]

	timeoutGiven, attemptsGiven bool
	fieldPos                    map[string]Pos // where each key's value is written
}

// FieldPos returns where the value of the step's key (action, name,
// timeoutSeconds, ...) is written, or the step's own position when the
// key is absent: a problem with a field is reported at the field.
func (s *Step) FieldPos(key string) Pos {
	if p, ok := s.fieldPos[key]; ok {
		return p
	}
	return s.Pos
}

// TimeoutGiven reports whether the document set timeoutSeconds.
func (s *Step) TimeoutGiven() bool { return s.timeoutGiven }

// MaxAttemptsGiven reports whether the document set maxAttempts.
func (s *Step) MaxAttemptsGiven() bool { return s.attemptsGiven }

var (
	nameRe        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`)
	variableRe    = regexp.MustCompile(`^[A-Za-z0-9_-]{3,128}$`)
	topKeys       = []string{"name", "description", "schemaVersion", "parameters", "constants", "phases"}
	parameterKeys = []string{"type", "default", "description", "allowedValues"}
	stepKeys      = []string{"name", "action", "inputs", "onFailure", "maxAttempts", "timeoutSeconds", "if", "loop"}
	stageFamily   = []string{"build", "validate", "test"}
)

// MaxDataSize is the largest document accepted (Image Builder's inline limit is 16 KiB;
// files run by toe may be larger, but not unboundedly so).
const MaxDataSize = 4 << 20

// Parse decodes and structurally validates a document. It returns every
// problem found; the document is nil only when the YAML itself is broken.
func Parse(file string, data []byte) (*Document, Problems) {
	r := &Reporter{File: file}
	if len(data) > MaxDataSize {
		r.Add(Pos{}, "", "the document is %d bytes; the limit is %d", len(data), MaxDataSize)
		return nil, r.Problems
	}
	root, err := ParseYAML(data)
	if err != nil {
		if se, ok := err.(*SyntaxError); ok {
			r.Add(se.Pos, "", "YAML syntax: %s", se.Msg)
		} else {
			r.Add(Pos{}, "", "YAML syntax: %v", err)
		}
		return nil, r.Problems
	}
	d := &Document{File: file, Raw: data}
	if root.Kind != Map {
		r.Add(root.Pos, "", "a component document must be a YAML map with schemaVersion and phases")
		return nil, r.Problems
	}
	var phasesV *Value
	for _, f := range root.Fields {
		switch f.Key {
		case "name":
			d.Name = scalarString(f.Value, f.Key, r)
		case "description":
			d.Description = scalarString(f.Value, f.Key, r)
		case "schemaVersion":
			d.SchemaVersion = f.Value.String()
			if n, err := strconv.ParseFloat(strings.TrimSpace(d.SchemaVersion), 64); f.Value.Kind != Scalar || err != nil || n != 1 {
				r.Add(f.Value.Pos, "schemaVersion", "must be 1.0, got %q", d.SchemaVersion)
			}
			d.SchemaVersion = "1.0"
		case "parameters":
			d.Parameters = parseParameters(f.Value, r)
		case "constants":
			d.Constants = parseConstants(f.Value, r)
		case "phases":
			phasesV = f.Value
		default:
			r.Add(f.KeyPos, f.Key, "unknown key %q%s; a document has %s", f.Key, Suggest(f.Key, topKeys), strings.Join(topKeys, ", "))
		}
	}
	if _, ok := root.Field("schemaVersion"); !ok {
		r.Add(root.Pos, "schemaVersion", "required")
	}
	checkVariableNames(d, r)
	if phasesV == nil {
		r.Add(root.Pos, "phases", "required")
	} else {
		d.Phases = parsePhases(phasesV, r)
	}
	return d, r.Problems
}

func scalarString(v *Value, path string, r *Reporter) string {
	if v.Kind == Null {
		return ""
	}
	if v.Kind != Scalar {
		r.Add(v.Pos, path, "must be a string, not a %s", v.Kind)
		return ""
	}
	return v.Str
}

// singleKeyEntries reads the list-of-single-key-maps shape of parameters
// and constants.
func singleKeyEntries(v *Value, what string, r *Reporter, each func(name string, namePos Pos, body *Value, path string)) {
	if v.Kind == Null {
		return
	}
	if v.Kind != List {
		r.Add(v.Pos, what, "must be a list of single-key maps, like `- Name: {type: string, ...}`")
		return
	}
	for i, it := range v.Items {
		p := JoinPath(what, i)
		if it.Kind != Map || len(it.Fields) != 1 {
			r.Add(it.Pos, p, "must be a map with exactly one key, the %s name", strings.TrimSuffix(what, "s"))
			continue
		}
		f := it.Fields[0]
		each(f.Key, f.KeyPos, f.Value, JoinPath(p, f.Key))
	}
}

func parseParameters(v *Value, r *Reporter) []Parameter {
	var out []Parameter
	singleKeyEntries(v, "parameters", r, func(name string, pos Pos, body *Value, path string) {
		p := Parameter{Name: name, Type: "string", Pos: pos}
		if body.Kind != Map {
			r.Add(body.Pos, path, "must be a map with type and optional default and description")
			out = append(out, p)
			return
		}
		sawType := false
		var defaultPos Pos
		for _, f := range body.Fields {
			fp := JoinPath(path, f.Key)
			switch f.Key {
			case "type":
				sawType = true
				p.Type = checkType(f.Value, fp, r)
			case "default":
				s := f.Value.String()
				if f.Value.Kind != Scalar {
					r.Add(f.Value.Pos, fp, "must be a string")
				}
				p.Default, defaultPos = &s, f.Value.Pos
			case "description":
				p.Description = scalarString(f.Value, fp, r)
			case "allowedValues":
				p.AllowedValues = parseAllowedValues(f.Value, fp, r)
			default:
				r.Add(f.KeyPos, fp, "unknown key %q%s; a parameter has %s", f.Key, Suggest(f.Key, parameterKeys), strings.Join(parameterKeys, ", "))
			}
		}
		if !sawType {
			r.Add(body.Pos, JoinPath(path, "type"), "required")
		}
		if p.Default != nil {
			if err := p.Check(*p.Default); err != nil {
				r.Add(defaultPos, JoinPath(path, "default"), "the default %q is not one of the allowedValues: %s", *p.Default, quoteList(p.AllowedValues))
			}
		}
		out = append(out, p)
	})
	return out
}

// parseAllowedValues reads a parameter's allowedValues: a non-empty list
// of strings, kept as written.
func parseAllowedValues(v *Value, path string, r *Reporter) []string {
	if v.Kind != List || len(v.Items) == 0 {
		r.Add(v.Pos, path, "must be a non-empty list of strings, like [a, b]")
		return nil
	}
	out := make([]string, 0, len(v.Items))
	for i, it := range v.Items {
		if it.Kind != Scalar {
			r.Add(it.Pos, JoinPath(path, i), "must be a string, not a %s", it.Kind)
			continue
		}
		out = append(out, it.Str)
	}
	return out
}

func parseConstants(v *Value, r *Reporter) []Constant {
	var out []Constant
	singleKeyEntries(v, "constants", r, func(name string, pos Pos, body *Value, path string) {
		c := Constant{Name: name, Type: "string", Pos: pos}
		if body.Kind != Map {
			r.Add(body.Pos, path, "must be a map with type and value")
			out = append(out, c)
			return
		}
		sawType, sawValue := false, false
		for _, f := range body.Fields {
			fp := JoinPath(path, f.Key)
			switch f.Key {
			case "type":
				sawType = true
				c.Type = checkType(f.Value, fp, r)
			case "value":
				sawValue = true
				if f.Value.Kind != Scalar {
					r.Add(f.Value.Pos, fp, "must be a string")
				}
				c.Value = f.Value.String()
			case "description":
			default:
				r.Add(f.KeyPos, fp, "unknown key %q; a constant has type and value", f.Key)
			}
		}
		if !sawType {
			r.Add(body.Pos, JoinPath(path, "type"), "required")
		}
		if !sawValue {
			r.Add(body.Pos, JoinPath(path, "value"), "required")
		}
		out = append(out, c)
	})
	return out
}

func checkType(v *Value, path string, r *Reporter) string {
	if v.Kind != Scalar || !strings.EqualFold(v.Str, "string") {
		r.Add(v.Pos, path, "the only type is string, got %q", v.String())
	}
	return "string"
}

func checkVariableNames(d *Document, r *Reporter) {
	seen := map[string]bool{}
	check := func(name string, pos Pos, path string) {
		if !variableRe.MatchString(name) {
			r.Add(pos, path, "name %q must be 3 to 128 letters, digits, _ or -", name)
		}
		if seen[name] {
			r.Add(pos, path, "name %q is used twice; parameters and constants share one namespace", name)
		}
		seen[name] = true
	}
	for i, p := range d.Parameters {
		check(p.Name, p.Pos, JoinPath(JoinPath("parameters", i), p.Name))
	}
	for i, c := range d.Constants {
		check(c.Name, c.Pos, JoinPath(JoinPath("constants", i), c.Name))
	}
}

func parsePhases(v *Value, r *Reporter) []*Phase {
	if v.Kind != List || len(v.Items) == 0 {
		r.Add(v.Pos, "phases", "must be a non-empty list of phases")
		return nil
	}
	var out []*Phase
	seen := map[string]bool{}
	family := false
	for i, it := range v.Items {
		path := JoinPath("phases", i)
		if it.Kind != Map {
			r.Add(it.Pos, path, "a phase is a map with name and steps")
			continue
		}
		ph := &Phase{Pos: it.Pos, Path: path}
		namePos := it.Pos
		var stepsV *Value
		for _, f := range it.Fields {
			switch f.Key {
			case "name":
				ph.Name, namePos = f.Value.String(), f.Value.Pos
				if f.Value.Kind != Scalar || !nameRe.MatchString(ph.Name) {
					r.Add(f.Value.Pos, JoinPath(path, "name"), "phase name %q must be letters, digits, _ or -", ph.Name)
				}
			case "steps":
				stepsV = f.Value
			default:
				r.Add(f.KeyPos, JoinPath(path, f.Key), "unknown key %q%s; a phase has name and steps", f.Key, Suggest(f.Key, []string{"name", "steps"}))
			}
		}
		if _, ok := it.Field("name"); !ok {
			r.Add(it.Pos, JoinPath(path, "name"), "required")
		}
		if seen[ph.Name] && ph.Name != "" {
			r.Add(namePos, JoinPath(path, "name"), "phase %q appears twice", ph.Name)
		}
		seen[ph.Name] = true
		for _, fam := range stageFamily {
			if ph.Name == fam {
				family = true
			}
		}
		if stepsV == nil {
			r.Add(it.Pos, JoinPath(path, "steps"), "required")
		} else {
			ph.Steps = parseSteps(stepsV, JoinPath(path, "steps"), r)
		}
		out = append(out, ph)
	}
	if !family && len(out) > 0 {
		r.Add(v.Pos, "phases", "a document needs at least one of the phases build, validate or test")
	}
	return out
}

func parseSteps(v *Value, path string, r *Reporter) []*Step {
	if v.Kind != List || len(v.Items) == 0 {
		r.Add(v.Pos, path, "must be a non-empty list of steps")
		return nil
	}
	var out []*Step
	seen := map[string]bool{}
	loops := map[string]bool{}
	for i, it := range v.Items {
		sp := JoinPath(path, i)
		if it.Kind != Map {
			r.Add(it.Pos, sp, "a step is a map with name, action and inputs")
			continue
		}
		s := &Step{Pos: it.Pos, Path: sp, OnFailure: OnFailureAbort, MaxAttempts: DefaultMaxAttempts, TimeoutSeconds: DefaultTimeoutSeconds,
			fieldPos: make(map[string]Pos, len(it.Fields))}
		for _, f := range it.Fields {
			fp := JoinPath(sp, f.Key)
			s.fieldPos[f.Key] = f.Value.Pos
			switch f.Key {
			case "name":
				s.Name = f.Value.String()
				if f.Value.Kind != Scalar || !nameRe.MatchString(s.Name) {
					r.Add(f.Value.Pos, fp, "step name %q must be 1 to 128 letters, digits, _ or -, starting with a letter or digit", s.Name)
				}
			case "action":
				s.Action = f.Value.String()
				if f.Value.Kind != Scalar || s.Action == "" {
					r.Add(f.Value.Pos, fp, "must be an action module name such as ExecuteBash")
				}
			case "inputs":
				s.Inputs = f.Value
			case "onFailure":
				s.OnFailure = OnFailure(f.Value.String())
				switch s.OnFailure {
				case OnFailureAbort, OnFailureContinue, OnFailureIgnore:
				default:
					r.Add(f.Value.Pos, fp, "must be Abort, Continue or Ignore, got %q", f.Value.String())
				}
			case "maxAttempts":
				s.attemptsGiven = true
				n, ok := intValue(f.Value)
				if !ok || n < 1 {
					r.Add(f.Value.Pos, fp, "must be an integer of at least 1, got %q", f.Value.String())
					continue
				}
				s.MaxAttempts = n
			case "timeoutSeconds":
				s.timeoutGiven = true
				n, ok := intValue(f.Value)
				if !ok || (n < 1 && n != NoTimeout) {
					r.Add(f.Value.Pos, fp, "must be a positive number of seconds, or -1 for no timeout; got %q", f.Value.String())
					continue
				}
				s.TimeoutSeconds = n
			case "if":
				s.If = ParseCondition(f.Value, fp, true, r)
			case "loop":
				s.Loop = parseLoop(f.Value, fp, r)
				if s.Loop != nil && s.Loop.Name != "" {
					if loops[s.Loop.Name] {
						r.Add(f.Value.Pos, JoinPath(fp, "name"), "loop name %q is used twice in this phase", s.Loop.Name)
					}
					loops[s.Loop.Name] = true
				}
			default:
				r.Add(f.KeyPos, fp, "unknown key %q%s; a step has %s", f.Key, Suggest(f.Key, stepKeys), strings.Join(stepKeys, ", "))
			}
		}
		for _, req := range []string{"name", "action"} {
			if _, ok := it.Field(req); !ok {
				r.Add(it.Pos, JoinPath(sp, req), "required")
			}
		}
		if s.Name != "" {
			if seen[s.Name] {
				r.Add(s.FieldPos("name"), JoinPath(sp, "name"), "step name %q is used twice in this phase", s.Name)
			}
			seen[s.Name] = true
		}
		out = append(out, s)
	}
	return out
}

func intValue(v *Value) (int, bool) {
	n, ok := v.Int()
	if !ok || int64(int(n)) != n {
		return 0, false
	}
	return int(n), true
}

// Summary is a one-line description of where a step is, for messages.
func (s *Step) String() string { return fmt.Sprintf("%s (%s)", s.Name, s.Action) }
