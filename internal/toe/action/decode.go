package action

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// NameValue is a {name, value} pair, as ExecuteDocument parameters are written.
type NameValue struct {
	Name  string `input:"name,required"`
	Value string `input:"value"`
}

// Problems collects input problems; at check time they become document
// problems with positions, at run time they fail the step.
type Problems struct {
	v      *component.Value
	path   string
	r      *component.Reporter
	static bool
}

// Static reports whether inputs are unresolved (check time): string
// fields may still hold expressions then.
func (p *Problems) Static() bool { return p.static }

// Dynamic reports whether s cannot be judged yet because it holds an
// expression.
func (p *Problems) Dynamic(s string) bool { return p.static && component.HasExpr(s) }

// Add reports a problem with the named input field ("" for the inputs
// themselves).
func (p *Problems) Add(field, format string, args ...any) {
	pos := p.v.Pos
	path := p.path
	if field != "" {
		path = component.JoinPath(path, field)
		if f, ok := p.v.Field(field); ok {
			pos = f.Value.Pos
		}
	}
	p.r.Add(pos, path, format, args...)
}

// Decode fills dst, a pointer to a struct whose fields carry `input:"name"`
// or `input:"name,required"` tags, from a map Value. Supported field types:
// string, bool, int, []string, map[string]string, []NameValue and
// *component.Value (kept raw). Unknown keys and wrong types are reported;
// when static, a string holding an expression is accepted for any scalar
// type and left at its zero value (or kept, for string fields).
func Decode(v *component.Value, path string, dst any, static bool, r *component.Reporter) {
	if v == nil || v.Kind != component.Map {
		kind := "nothing"
		pos := component.Pos{}
		if v != nil {
			kind, pos = "a "+v.Kind.String(), v.Pos
		}
		r.Add(pos, path, "inputs must be a map here, not %s", kind)
		return
	}
	rv := reflect.ValueOf(dst).Elem()
	rt := rv.Type()
	known := map[string]bool{}
	var names []string
	for i := 0; i < rt.NumField(); i++ {
		tag := rt.Field(i).Tag.Get("input")
		if tag == "" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		known[name] = true
		names = append(names, name)
		fv := v.Get(name)
		fpath := component.JoinPath(path, name)
		if fv == nil {
			if opts == "required" {
				r.Add(v.Pos, fpath, "required")
			}
			continue
		}
		decodeField(rv.Field(i), fv, fpath, static, r)
	}
	for _, f := range v.Fields {
		if !known[f.Key] {
			r.Add(f.KeyPos, component.JoinPath(path, f.Key), "unknown input %q%s; this module takes %s", f.Key, component.Suggest(f.Key, names), strings.Join(names, ", "))
		}
	}
}

var valueType = reflect.TypeOf((*component.Value)(nil))

func decodeField(dst reflect.Value, v *component.Value, path string, static bool, r *component.Reporter) {
	deferred := static && v.Kind == component.Scalar && component.HasExpr(v.Str)
	switch {
	case dst.Type() == valueType:
		dst.Set(reflect.ValueOf(v))
	case dst.Kind() == reflect.String:
		if v.Kind == component.Null {
			return
		}
		if v.Kind != component.Scalar {
			r.Add(v.Pos, path, "must be a string, not a %s", v.Kind)
			return
		}
		dst.SetString(v.Str)
	case dst.Kind() == reflect.Bool:
		if deferred {
			return
		}
		b, ok := boolValue(v)
		if !ok {
			r.Add(v.Pos, path, "must be true or false, got %q", v.String())
			return
		}
		dst.SetBool(b)
	case dst.Kind() == reflect.Int:
		if deferred {
			return
		}
		n, ok := v.Int()
		if !ok {
			r.Add(v.Pos, path, "must be an integer, got %q", v.String())
			return
		}
		dst.SetInt(n)
	case dst.Kind() == reflect.Slice && dst.Type().Elem().Kind() == reflect.String:
		if v.Kind != component.List {
			r.Add(v.Pos, path, "must be a list of strings, not a %s", v.Kind)
			return
		}
		out := reflect.MakeSlice(dst.Type(), 0, len(v.Items))
		for i, it := range v.Items {
			if it.Kind != component.Scalar {
				r.Add(it.Pos, component.JoinPath(path, i), "must be a string, not a %s", it.Kind)
				continue
			}
			out = reflect.Append(out, reflect.ValueOf(it.Str))
		}
		dst.Set(out)
	case dst.Kind() == reflect.Map && dst.Type().Elem().Kind() == reflect.String:
		if v.Kind != component.Map {
			r.Add(v.Pos, path, "must be a map of strings, not a %s", v.Kind)
			return
		}
		out := reflect.MakeMapWithSize(dst.Type(), len(v.Fields))
		for _, f := range v.Fields {
			if f.Value.Kind != component.Scalar {
				r.Add(f.Value.Pos, component.JoinPath(path, f.Key), "must be a string, not a %s", f.Value.Kind)
				continue
			}
			out.SetMapIndex(reflect.ValueOf(f.Key), reflect.ValueOf(f.Value.Str))
		}
		dst.Set(out)
	case dst.Kind() == reflect.Slice && dst.Type().Elem().Kind() == reflect.Struct:
		if v.Kind != component.List {
			r.Add(v.Pos, path, "must be a list, not a %s", v.Kind)
			return
		}
		out := reflect.MakeSlice(dst.Type(), len(v.Items), len(v.Items))
		for i, it := range v.Items {
			Decode(it, component.JoinPath(path, i), out.Index(i).Addr().Interface(), static, r)
		}
		dst.Set(out)
	default:
		panic(fmt.Sprintf("action.Decode: unsupported field type %s", dst.Type()))
	}
}

func boolValue(v *component.Value) (bool, bool) {
	if v.Kind != component.Scalar {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(v.Str)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Spec describes a module built with NewMapModule or NewListModule.
type Spec[T any] struct {
	Name    string
	Outputs []string
	// OS lists where the module runs; empty means everywhere. Elsewhere its
	// inputs are still checked, and running it fails.
	OS []string
	// Defaults fills defaults before decoding (optional).
	Defaults func(*T)
	// Check validates decoded inputs (optional). It runs at check time with
	// expressions unresolved (see Problems.Dynamic) and again at run time.
	Check func(in *T, p *Problems)
	// CheckStep validates step settings (optional), e.g. timeoutSeconds.
	CheckStep func(s *component.Step, r *component.Reporter)
}

// NewMapModule builds a module whose inputs are one map decoded into T.
func NewMapModule[T any](spec Spec[T], run func(ctx context.Context, env *Env, in *T) (Output, error)) Module {
	return &typedModule[T]{spec: spec, list: false, runMap: run}
}

// NewListModule builds a module whose inputs are a list of maps, each
// decoded into T; run gets them all, in order.
func NewListModule[T any](spec Spec[T], run func(ctx context.Context, env *Env, in []*T) (Output, error)) Module {
	return &typedModule[T]{spec: spec, list: true, runList: run}
}

type typedModule[T any] struct {
	spec    Spec[T]
	list    bool
	runMap  func(context.Context, *Env, *T) (Output, error)
	runList func(context.Context, *Env, []*T) (Output, error)
}

func (m *typedModule[T]) Name() string      { return m.spec.Name }
func (m *typedModule[T]) Outputs() []string { return m.spec.Outputs }

func (m *typedModule[T]) Check(s *component.Step, r *component.Reporter) {
	if m.spec.CheckStep != nil {
		m.spec.CheckStep(s, r)
	}
	in := s.Inputs
	if in == nil && !m.list {
		// No inputs at all: report missing fields at the step itself.
		in = &component.Value{Kind: component.Map, Pos: s.Pos}
	}
	m.decode(in, component.JoinPath(s.Path, "inputs"), true, r)
}

// decode returns the decoded items (one for map modules).
func (m *typedModule[T]) decode(in *component.Value, path string, static bool, r *component.Reporter) []*T {
	one := func(v *component.Value, p string) *T {
		t := new(T)
		if m.spec.Defaults != nil {
			m.spec.Defaults(t)
		}
		before := len(r.Problems)
		Decode(v, p, t, static, r)
		if m.spec.Check != nil && len(r.Problems) == before {
			m.spec.Check(t, &Problems{v: v, path: p, r: r, static: static})
		}
		return t
	}
	if !m.list {
		if in == nil {
			in = &component.Value{Kind: component.Map}
		}
		return []*T{one(in, path)}
	}
	if in == nil || in.Kind != component.List {
		kind, pos := "nothing", component.Pos{}
		if in != nil {
			kind, pos = "a "+in.Kind.String(), in.Pos
		}
		r.Add(pos, path, "%s takes a list of items (`- source: ...`), not %s", m.spec.Name, kind)
		return nil
	}
	if len(in.Items) == 0 {
		r.Add(in.Pos, path, "%s needs at least one item", m.spec.Name)
	}
	out := make([]*T, 0, len(in.Items))
	for i, it := range in.Items {
		out = append(out, one(it, component.JoinPath(path, i)))
	}
	return out
}

func (m *typedModule[T]) Run(ctx context.Context, env *Env, in *component.Value) (Output, error) {
	if err := checkRunsOn(m.spec.Name, m.spec.OS, envOS(env)); err != nil {
		return nil, err
	}
	r := &component.Reporter{}
	items := m.decode(in, "inputs", false, r)
	if len(r.Problems) > 0 {
		return nil, fmt.Errorf("invalid inputs: %w", r.Problems)
	}
	if m.list {
		return m.runList(ctx, env, items)
	}
	return m.runMap(ctx, env, items[0])
}
