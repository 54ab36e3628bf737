package sqlstore

import (
	"fmt"
	"sort"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// identity is how a resource ARN is stored.
//
// key is the canonical ARN (version nodes as plain numbers), the primary
// key, so 01.0.0 and 1.0.0 are one resource. nameKey, versionKey and
// sortKey order and group records: space-separated fields (no field
// contains a space, and a space sorts before every character a field may
// hold, so a prefix sorts first) with zero-padded version numbers, so that
// byte order is the order of the package doc:
//
//	nameKey    = "name account region workflowType partition "
//	versionKey = nameKey + "0000000001.0000000010.0000000000 "
//	sortKey    = versionKey + "0000000004" (the build)
//
// Unversioned resources have versionKey = sortKey = nameKey.
type identity struct {
	a                            arn.ARN
	key                          string
	nameKey, versionKey, sortKey string
	major, minor, patch, build   any // int64 or nil
}

func canonical(a arn.ARN) arn.ARN {
	v := a.Version
	if v.IsZero() || v.IsWildcard() {
		return a
	}
	return a.WithVersion(arn.NewVersion(v.Major(), v.Minor(), v.Patch(), v.Build()))
}

// keyOf is the primary key of a concrete ARN.
func keyOf(a arn.ARN) string { return canonical(a).String() }

func nameKeyOf(a arn.ARN) string {
	return a.Name + " " + a.Account + " " + a.Region + " " + string(a.WorkflowType) + " " + a.Partition + " "
}

func versionKeyOf(a arn.ARN) string {
	v := a.Version
	if v.IsZero() {
		return nameKeyOf(a)
	}
	return nameKeyOf(a) + fmt.Sprintf("%010d.%010d.%010d ", v.Major(), v.Minor(), v.Patch())
}

// identify checks that a is at the level its type is stored at and
// computes its identity.
func identify(a arn.ARN) (identity, error) {
	want := map[arn.Versioning]arn.Level{
		arn.Unversioned:      arn.LevelName,
		arn.SemanticOnly:     arn.LevelVersion,
		arn.SemanticAndBuild: arn.LevelBuild,
	}[arn.VersioningOf(a.Type)]
	switch {
	case a.Type == "" || a.Name == "" || a.Account == "" || a.Partition == "":
		return identity{}, fmt.Errorf("store: ARN %q lacks a type, name, account or partition: %w", a, store.ErrInvalid)
	case a.Type == arn.Workflow && a.WorkflowType == "":
		return identity{}, fmt.Errorf("store: workflow ARN %q lacks its workflow type: %w", a, store.ErrInvalid)
	case a.Level() != want:
		return identity{}, fmt.Errorf("store: %s records are stored by their %s ARN, not %q: %w",
			a.Type, levelName(want), a, store.ErrInvalid)
	}
	id := identity{a: a, key: keyOf(a), nameKey: nameKeyOf(a), versionKey: versionKeyOf(a)}
	id.sortKey = id.versionKey
	if v := a.Version; !v.IsZero() {
		id.major, id.minor, id.patch = int64(v.Major()), int64(v.Minor()), int64(v.Patch())
		if v.HasBuild() {
			id.build = int64(v.Build())
			id.sortKey += fmt.Sprintf("%010d", v.Build())
		}
	}
	return id, nil
}

func levelName(l arn.Level) string {
	switch l {
	case arn.LevelVersion:
		return "version (…/name/1.2.3)"
	case arn.LevelBuild:
		return "build version (…/name/1.2.3/4)"
	}
	return "name (…/name)"
}

// concreteKey is the primary key of a, or an error for a wildcard.
func concreteKey(a arn.ARN) (string, error) {
	if a.Version.IsWildcard() {
		return "", fmt.Errorf("store: %q is a wildcard ARN; resolve it with Latest: %w", a, store.ErrInvalid)
	}
	return keyOf(a), nil
}

// sortedSet returns the sorted distinct values of s (nil for none).
func sortedSet(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	n := 0
	for i, v := range out {
		if i == 0 || v != out[n-1] {
			out[n] = v
			n++
		}
	}
	return out[:n]
}

// normAttrs drops empty keys and sorts and de-duplicates values.
func normAttrs(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, vs := range m {
		if vs = sortedSet(vs); len(vs) > 0 {
			out[k] = vs
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
