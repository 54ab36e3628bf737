package action

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// SetRegistryInputs is one SetRegistry item: one value under one key.
// Missing keys are created.
type SetRegistryInputs struct {
	// Path is the key, e.g. HKLM:\SOFTWARE\Example or
	// HKEY_LOCAL_MACHINE\SOFTWARE\Example.
	Path string `input:"path,required"`
	// Name is the value's name.
	Name string `input:"name,required"`
	// Value is a string, a number, or (MULTI_SZ) a list of strings.
	Value *component.Value `input:"value,required"`
	// Type is BINARY, DWORD, QWORD, SZ, EXPAND_SZ or MULTI_SZ.
	Type string `input:"type,required"`
}

// registryRoots maps every accepted root spelling to the root's full name.
var registryRoots = map[string]string{
	"HKEY_CLASSES_ROOT": "HKEY_CLASSES_ROOT", "HKCR:": "HKEY_CLASSES_ROOT",
	"HKEY_USERS": "HKEY_USERS", "HKU:": "HKEY_USERS",
	"HKEY_LOCAL_MACHINE": "HKEY_LOCAL_MACHINE", "HKLM:": "HKEY_LOCAL_MACHINE",
	"HKEY_CURRENT_CONFIG": "HKEY_CURRENT_CONFIG", "HKCC:": "HKEY_CURRENT_CONFIG",
	"HKEY_CURRENT_USER": "HKEY_CURRENT_USER", "HKCU:": "HKEY_CURRENT_USER",
}

var registryTypes = []string{"BINARY", "DWORD", "QWORD", "SZ", "EXPAND_SZ", "MULTI_SZ"}

func init() {
	Register(NewListModule(Spec[SetRegistryInputs]{
		Name:  "SetRegistry",
		OS:    []string{"windows"},
		Check: checkSetRegistry,
	}, runSetRegistry))
}

func checkSetRegistry(in *SetRegistryInputs, p *Problems) {
	if !p.Dynamic(in.Path) {
		if _, _, err := parseRegistryPath(in.Path); err != nil {
			p.Add("path", "%v", err)
		}
	}
	typ, ok := registryType(in.Type)
	if p.Dynamic(in.Type) {
		return
	}
	if !ok {
		p.Add("type", "unknown registry type %q; use one of %s", in.Type, strings.Join(registryTypes, ", "))
		return
	}
	if in.Value != nil && !(p.Static() && hasExprValue(in.Value)) {
		if _, err := registryData(typ, in.Value); err != nil {
			p.Add("value", "%v", err)
		}
	}
}

func hasExprValue(v *component.Value) bool {
	found := false
	_, _ = v.MapStrings(func(s string) (string, error) {
		found = found || component.HasExpr(s)
		return s, nil
	})
	return found
}

// parseRegistryPath splits a key path into its root's full name and the
// subkey, with `\` separators ("/" is accepted too).
func parseRegistryPath(path string) (root, sub string, err error) {
	p := strings.ReplaceAll(strings.TrimSpace(path), "/", `\`)
	head, rest, _ := strings.Cut(p, `\`)
	root, ok := registryRoots[strings.ToUpper(head)]
	if !ok {
		return "", "", fmt.Errorf("registry path %q must start with HKLM:, HKCU:, HKCR:, HKU:, HKCC: or a HKEY_ root name", path)
	}
	return root, strings.Trim(rest, `\`), nil
}

// registryType normalises a type name: case-insensitive, REG_ optional.
func registryType(s string) (string, bool) {
	t := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "REG_")
	for _, k := range registryTypes {
		if k == t {
			return t, true
		}
	}
	return "", false
}

// expandString is REG_EXPAND_SZ data.
type expandString string

// registryData converts a value for typ: string (SZ), expandString
// (EXPAND_SZ), uint32
// (DWORD), uint64 (QWORD), []string (MULTI_SZ) or []byte (BINARY).
// Numbers may be decimal or 0x hex. UNCONFIRMED: BINARY's document form;
// we accept a hex string ("0a1bff", optional 0x, spaces and commas
// ignored) or a list of byte values.
func registryData(typ string, v *component.Value) (any, error) {
	scalar := func() (string, error) {
		if v.Kind != component.Scalar {
			return "", fmt.Errorf("%s needs a single value, not a %s", typ, v.Kind)
		}
		return v.Str, nil
	}
	switch typ {
	case "SZ":
		return scalar()
	case "EXPAND_SZ":
		s, err := scalar()
		return expandString(s), err
	case "DWORD", "QWORD":
		s, err := scalar()
		if err != nil {
			return nil, err
		}
		bits := 32
		if typ == "QWORD" {
			bits = 64
		}
		n, err := strconv.ParseUint(strings.TrimSpace(s), 0, bits)
		if err != nil {
			return nil, fmt.Errorf("%s needs a whole number from 0 to %d, got %q", typ, uint64(1)<<bits-1, s)
		}
		if bits == 32 {
			return uint32(n), nil
		}
		return n, nil
	case "MULTI_SZ":
		if v.Kind == component.Scalar {
			return []string{v.Str}, nil
		}
		if v.Kind != component.List {
			return nil, fmt.Errorf("MULTI_SZ needs a list of strings, not a %s", v.Kind)
		}
		out := make([]string, 0, len(v.Items))
		for _, it := range v.Items {
			if it.Kind != component.Scalar {
				return nil, fmt.Errorf("MULTI_SZ needs a list of strings, not a list of %ss", it.Kind)
			}
			out = append(out, it.Str)
		}
		return out, nil
	case "BINARY":
		if v.Kind == component.List {
			out := make([]byte, 0, len(v.Items))
			for _, it := range v.Items {
				n, err := strconv.ParseUint(strings.TrimSpace(it.String()), 0, 8)
				if it.Kind != component.Scalar || err != nil {
					return nil, fmt.Errorf("BINARY list items must be byte values 0-255, got %q", it.String())
				}
				out = append(out, byte(n))
			}
			return out, nil
		}
		s, err := scalar()
		if err != nil {
			return nil, err
		}
		h := strings.NewReplacer(" ", "", ",", "", "0x", "", "0X", "").Replace(s)
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("BINARY needs hex digits such as \"0a1bff\", got %q", s)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown registry type %q", typ)
}

func runSetRegistry(ctx context.Context, env *Env, items []*SetRegistryInputs) (Output, error) {
	for i, in := range items {
		root, sub, err := parseRegistryPath(in.Path)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		typ, _ := registryType(in.Type)
		data, err := registryData(typ, in.Value)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		if err := setRegistryValue(root, sub, in.Name, data); err != nil {
			return nil, fmt.Errorf("item %d: set %s\\%s %s: %w", i, root, sub, in.Name, err)
		}
		fmt.Fprintf(env.Console, "set %s\\%s %s (%s)\n", root, sub, in.Name, typ)
	}
	return nil, nil
}
