package component

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Kind is the shape of a Value.
type Kind int

// Value kinds.
const (
	Null Kind = iota
	Scalar
	List
	Map
)

func (k Kind) String() string {
	switch k {
	case Scalar:
		return "scalar"
	case List:
		return "list"
	case Map:
		return "map"
	}
	return "null"
}

// ScalarType is the YAML type a scalar was written as.
type ScalarType int

// Scalar types.
const (
	StringScalar ScalarType = iota
	IntScalar
	FloatScalar
	BoolScalar
)

// Pos is a line and column in a source document, both 1-based.
type Pos struct {
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Field is one key of a map Value, in document order.
type Field struct {
	Key    string
	KeyPos Pos
	Value  *Value
}

// Value is a YAML value that remembers where it was written. Component
// inputs stay Values until a step runs, so every problem found in them can
// be reported with its line and column.
type Value struct {
	Kind   Kind
	Type   ScalarType // for Scalar
	Str    string     // for Scalar: the text exactly as the author wrote it (0644 stays "0644")
	Items  []*Value   // for List
	Fields []Field    // for Map
	Pos    Pos
}

// String returns a scalar's text, or "" for other kinds.
func (v *Value) String() string {
	if v == nil || v.Kind != Scalar {
		return ""
	}
	return v.Str
}

// Get returns the value of a map key, or nil.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Map {
		return nil
	}
	for i := range v.Fields {
		if v.Fields[i].Key == key {
			return v.Fields[i].Value
		}
	}
	return nil
}

// Field returns a map field by key.
func (v *Value) Field(key string) (Field, bool) {
	if v == nil || v.Kind != Map {
		return Field{}, false
	}
	for _, f := range v.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Int returns a scalar's integer value: YAML's reading of an unquoted
// number (0x1F, 0o17, 017 and 1_000 included), or a quoted decimal.
// Booleans and floats are not integers.
func (v *Value) Int() (int64, bool) {
	if v == nil || v.Kind != Scalar || v.Type == FloatScalar || v.Type == BoolScalar {
		return 0, false
	}
	s := strings.TrimSpace(v.Str)
	base := 10
	if v.Type == IntScalar {
		base = 0 // Go's prefixes are YAML's: 0x, 0o, 0b, and 0 for octal
	}
	n, err := strconv.ParseInt(s, base, 64)
	return n, err == nil
}

// plainDecimal matches integers whose text and value agree.
var plainDecimal = regexp.MustCompile(`^[-+]?(0|[1-9][0-9]*)$`)

// Interface converts the value to plain Go values: map[string]any, []any,
// string, int64, bool or nil. An integer written in plain decimal becomes
// an int64 and true/false a bool; every other scalar (0644, 1.10, 0x1F)
// stays the string its author wrote, as AWSTOE's string inputs keep it.
func (v *Value) Interface() any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case Scalar:
		switch v.Type {
		case IntScalar:
			if plainDecimal.MatchString(v.Str) {
				if n, err := strconv.ParseInt(v.Str, 10, 64); err == nil {
					return n
				}
			}
		case BoolScalar:
			return strings.EqualFold(v.Str, "true")
		}
		return v.Str
	case List:
		out := make([]any, len(v.Items))
		for i, it := range v.Items {
			out[i] = it.Interface()
		}
		return out
	case Map:
		out := make(map[string]any, len(v.Fields))
		for _, f := range v.Fields {
			out[f.Key] = f.Value.Interface()
		}
		return out
	}
	return nil
}

// Clone returns a deep copy.
func (v *Value) Clone() *Value {
	if v == nil {
		return nil
	}
	c := *v
	if v.Items != nil {
		c.Items = make([]*Value, len(v.Items))
		for i, it := range v.Items {
			c.Items[i] = it.Clone()
		}
	}
	if v.Fields != nil {
		c.Fields = make([]Field, len(v.Fields))
		for i, f := range v.Fields {
			c.Fields[i] = Field{Key: f.Key, KeyPos: f.KeyPos, Value: f.Value.Clone()}
		}
	}
	return &c
}

// MapStrings applies fn to every string scalar, depth first, returning a new
// tree; fn's error stops the walk.
func (v *Value) MapStrings(fn func(s string) (string, error)) (*Value, error) {
	if v == nil {
		return nil, nil
	}
	c := *v
	switch v.Kind {
	case Scalar:
		if v.Type == StringScalar {
			s, err := fn(v.Str)
			if err != nil {
				return nil, err
			}
			c.Str = s
		}
	case List:
		c.Items = make([]*Value, len(v.Items))
		for i, it := range v.Items {
			n, err := it.MapStrings(fn)
			if err != nil {
				return nil, err
			}
			c.Items[i] = n
		}
	case Map:
		c.Fields = make([]Field, len(v.Fields))
		for i, f := range v.Fields {
			n, err := f.Value.MapStrings(fn)
			if err != nil {
				return nil, err
			}
			c.Fields[i] = Field{Key: f.Key, KeyPos: f.KeyPos, Value: n}
		}
	}
	return &c, nil
}

// FromGo builds a Value from plain Go values (as produced by encoding/json),
// with no positions. Used for inputs that arrive as JSON, such as parameters.
func FromGo(x any) *Value {
	switch t := x.(type) {
	case nil:
		return &Value{Kind: Null}
	case string:
		return &Value{Kind: Scalar, Str: t}
	case bool:
		return &Value{Kind: Scalar, Type: BoolScalar, Str: strconv.FormatBool(t)}
	case int:
		return &Value{Kind: Scalar, Type: IntScalar, Str: strconv.Itoa(t)}
	case int64:
		return &Value{Kind: Scalar, Type: IntScalar, Str: strconv.FormatInt(t, 10)}
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			return &Value{Kind: Scalar, Type: IntScalar, Str: strconv.FormatInt(int64(t), 10)}
		}
		return &Value{Kind: Scalar, Type: FloatScalar, Str: strconv.FormatFloat(t, 'g', -1, 64)}
	case []any:
		v := &Value{Kind: List, Items: make([]*Value, 0, len(t))}
		for _, it := range t {
			v.Items = append(v.Items, FromGo(it))
		}
		return v
	case []string:
		v := &Value{Kind: List, Items: make([]*Value, 0, len(t))}
		for _, it := range t {
			v.Items = append(v.Items, FromGo(it))
		}
		return v
	case map[string]any:
		v := &Value{Kind: Map}
		for k, it := range t {
			v.Fields = append(v.Fields, Field{Key: k, Value: FromGo(it)})
		}
		sortFields(v.Fields)
		return v
	}
	return &Value{Kind: Scalar, Str: fmt.Sprint(x)}
}

func sortFields(fs []Field) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Key < fs[j-1].Key; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// maxDepth bounds nesting so hostile documents cannot exhaust the stack.
const maxDepth = 200

// ErrMultipleDocuments is returned when a YAML stream holds more than one document.
var ErrMultipleDocuments = errors.New("the file holds more than one YAML document; a component is exactly one")

// ParseYAML parses one YAML document into a Value tree. Syntax errors carry
// the position the parser reported.
func ParseYAML(data []byte) (v *Value, err error) {
	defer func() {
		// The YAML parser is third-party code; a panic in it must become an
		// error for the user, never a crash.
		if r := recover(); r != nil {
			v, err = nil, &SyntaxError{Msg: fmt.Sprintf("the YAML parser failed: %v", r)}
		}
	}()
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, newSyntaxError(err)
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return &Value{Kind: Null, Pos: Pos{1, 1}}, nil
	}
	if len(docs) > 1 {
		return nil, &SyntaxError{Pos: posOf(docs[1].Body), Msg: ErrMultipleDocuments.Error()}
	}
	c := converter{anchors: map[string]*Value{}}
	return c.convert(docs[0].Body, 0)
}

// SyntaxError is a YAML syntax error with its position.
type SyntaxError struct {
	Pos Pos
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s: %s", e.Pos, e.Msg) }

func newSyntaxError(err error) *SyntaxError {
	type tokenError interface {
		GetToken() *token.Token
		GetMessage() string
	}
	var te tokenError
	if errors.As(err, &te) {
		se := &SyntaxError{Msg: te.GetMessage()}
		if tk := te.GetToken(); tk != nil && tk.Position != nil {
			se.Pos = Pos{tk.Position.Line, tk.Position.Column}
		}
		return se
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	return &SyntaxError{Msg: msg}
}

func posOf(n ast.Node) Pos {
	if n == nil {
		return Pos{}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return Pos{}
	}
	return Pos{tk.Position.Line, tk.Position.Column}
}

type converter struct {
	anchors map[string]*Value
	nodes   int
}

// maxNodes bounds alias expansion ("billion laughs").
const maxNodes = 1_000_000

func (c *converter) convert(n ast.Node, depth int) (*Value, error) {
	if depth > maxDepth {
		return nil, &SyntaxError{Pos: posOf(n), Msg: "the document nests too deeply"}
	}
	c.nodes++
	if c.nodes > maxNodes {
		return nil, &SyntaxError{Pos: posOf(n), Msg: "the document is too large after expanding aliases"}
	}
	pos := posOf(n)
	switch t := n.(type) {
	case nil:
		return &Value{Kind: Null}, nil
	case *ast.NullNode:
		return &Value{Kind: Null, Pos: pos}, nil
	case *ast.StringNode:
		return &Value{Kind: Scalar, Str: t.Value, Pos: pos}, nil
	case *ast.LiteralNode:
		s := ""
		if t.Value != nil {
			s = t.Value.Value
		}
		return &Value{Kind: Scalar, Str: s, Pos: pos}, nil
	// Numbers and booleans keep their source text: AWSTOE decodes inputs
	// into strings, so `permissions: 0644` means "0644", not 420.
	case *ast.IntegerNode:
		return &Value{Kind: Scalar, Type: IntScalar, Str: sourceText(n), Pos: pos}, nil
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return &Value{Kind: Scalar, Type: FloatScalar, Str: sourceText(n), Pos: pos}, nil
	case *ast.BoolNode:
		return &Value{Kind: Scalar, Type: BoolScalar, Str: sourceText(n), Pos: pos}, nil
	case *ast.TagNode:
		v, err := c.convert(t.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if v.Kind == Scalar && t.Start != nil && (t.Start.Value == "!!str" || t.Start.Value == "!str") {
			v.Type = StringScalar
		}
		return v, nil
	case *ast.AnchorNode:
		v, err := c.convert(t.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if t.Name != nil {
			c.anchors[t.Name.GetToken().Value] = v
		}
		return v, nil
	case *ast.AliasNode:
		name := ""
		if t.Value != nil && t.Value.GetToken() != nil {
			name = t.Value.GetToken().Value
		}
		v, ok := c.anchors[name]
		if !ok {
			return nil, &SyntaxError{Pos: pos, Msg: fmt.Sprintf("unknown alias %q", name)}
		}
		c.nodes += countNodes(v)
		if c.nodes > maxNodes {
			return nil, &SyntaxError{Pos: pos, Msg: "the document is too large after expanding aliases"}
		}
		return v.Clone(), nil
	case *ast.SequenceNode:
		v := &Value{Kind: List, Pos: pos, Items: []*Value{}}
		for _, it := range t.Values {
			iv, err := c.convert(it, depth+1)
			if err != nil {
				return nil, err
			}
			v.Items = append(v.Items, iv)
		}
		return v, nil
	case *ast.MappingValueNode:
		return c.mapping(pos, []*ast.MappingValueNode{t}, depth)
	case *ast.MappingNode:
		return c.mapping(pos, t.Values, depth)
	}
	return nil, &SyntaxError{Pos: pos, Msg: fmt.Sprintf("unsupported YAML construct (%s)", n.Type())}
}

// sourceText is a scalar token's text as written in the document.
func sourceText(n ast.Node) string {
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return n.String()
}

func countNodes(v *Value) int {
	n := 1
	for _, it := range v.Items {
		n += countNodes(it)
	}
	for _, f := range v.Fields {
		n += countNodes(f.Value)
	}
	return n
}

func (c *converter) mapping(pos Pos, mvs []*ast.MappingValueNode, depth int) (*Value, error) {
	v := &Value{Kind: Map, Pos: pos, Fields: []Field{}}
	if len(mvs) > 0 && mvs[0].Key != nil {
		v.Pos = posOf(mvs[0].Key)
	}
	seen := map[string]bool{}
	for _, mv := range mvs {
		if mv == nil || mv.Key == nil {
			continue
		}
		val, err := c.convert(mv.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if mv.Key.IsMergeKey() {
			if val.Kind != Map {
				return nil, &SyntaxError{Pos: posOf(mv.Key), Msg: "a merge key (<<) needs a map"}
			}
			for _, f := range val.Fields {
				if !seen[f.Key] {
					seen[f.Key] = true
					v.Fields = append(v.Fields, f)
				}
			}
			continue
		}
		kv, err := c.convert(mv.Key, depth+1)
		if err != nil {
			return nil, err
		}
		if kv.Kind != Scalar {
			return nil, &SyntaxError{Pos: posOf(mv.Key), Msg: "map keys must be plain strings"}
		}
		if seen[kv.Str] {
			return nil, &SyntaxError{Pos: posOf(mv.Key), Msg: fmt.Sprintf("duplicate key %q", kv.Str)}
		}
		seen[kv.Str] = true
		v.Fields = append(v.Fields, Field{Key: kv.Str, KeyPos: posOf(mv.Key), Value: val})
	}
	return v, nil
}
