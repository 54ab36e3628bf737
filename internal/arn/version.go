package arn

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

// MaxNode is the largest value of a version node or build number (2^30-1).
const MaxNode = 1<<30 - 1

// Wildcard is the value Major, Minor and Patch report for an "x" node.
const Wildcard = -1

// Model patterns for version members (spec Appendix B).
const (
	VersionNumberPattern         = `^[0-9]+\.[0-9]+\.[0-9]+$`
	WildcardVersionNumberPattern = `^(?:[0-9]+|x)\.(?:[0-9]+|x)\.(?:[0-9]+|x)$`
)

var (
	versionNumberRE         = regexp.MustCompile(VersionNumberPattern)
	wildcardVersionNumberRE = regexp.MustCompile(WildcardVersionNumberPattern)
)

// Version is an Image Builder semantic version: major.minor.patch with an
// optional /build, or a selection pattern whose trailing nodes are "x"
// (1.x.x, 1.2.x, x.x.x). The zero Version is "no version".
//
// Nodes are compared numerically (2.10.0 > 2.9.0). The text of each node is
// kept as written, so "2019.12.02" prints as it was given (AWS echoes it);
// two versions that differ only in leading zeros compare equal.
type Version struct {
	nodes [3]int    // Wildcard for "x"
	text  [3]string // as written
	build int       // 0: none
	valid bool
}

// ParseVersion parses "M.m.p", "M.m.p/b" or a wildcard pattern "M.m.x",
// "M.x.x", "x.x.x". Errors are InvalidVersionNumberException.
func ParseVersion(s string) (Version, error) {
	sem, build, hasBuild := strings.Cut(s, "/")
	v, err := parseSemantic(s, sem, true)
	if err != nil {
		return Version{}, err
	}
	if hasBuild {
		if v.IsWildcard() {
			return Version{}, versionErr(s, "a wildcard version has no build number")
		}
		b, err := parseNode(build)
		if err != nil || b == 0 {
			return Version{}, versionErr(s, "the build number must be an integer from 1 to %d", MaxNode)
		}
		v.build = b
	}
	return v, nil
}

// ParseSemanticVersion parses a VersionNumber, "M.m.p" only, as the
// semanticVersion of CreateComponent and CreateWorkflow takes it.
func ParseSemanticVersion(s string) (Version, error) {
	return parseSemantic(s, s, false)
}

// ParseWildcardVersion parses a WildcardVersionNumber, "M.m.p" or a wildcard
// pattern without a build, as the semanticVersion of recipes and lifecycle
// recipe selections takes it.
func ParseWildcardVersion(s string) (Version, error) {
	return parseSemantic(s, s, true)
}

// MustParseVersion is ParseVersion that panics; for tests and constants.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

func versionErr(s, format string, args ...any) *apierr.Error {
	return apierr.InvalidVersionNumber("The semantic version '%s' is not valid: %s.", s, fmt.Sprintf(format, args...))
}

// parseSemantic parses the major.minor.patch part sem of the input s.
func parseSemantic(s, sem string, wildcards bool) (Version, error) {
	re := versionNumberRE
	if wildcards {
		re = wildcardVersionNumberRE
	}
	if !re.MatchString(sem) {
		return Version{}, versionErr(s, "it must match pattern %s", re.String())
	}
	var v Version
	copy(v.text[:], strings.Split(sem, "."))
	if strings.Contains(sem, "x") {
		for i, t := range v.text {
			if t == "x" {
				v.nodes[i] = Wildcard
				continue
			}
			if i > 0 && v.nodes[i-1] == Wildcard {
				return Version{}, versionErr(s, "once a node is x, every node after it must be x")
			}
			n, err := parseNode(t)
			if err != nil {
				return Version{}, versionErr(s, "each node must be an integer from 0 to %d", MaxNode)
			}
			v.nodes[i] = n
		}
		v.valid = true
		return v, nil
	}
	for _, t := range v.text {
		if _, err := parseNode(t); err != nil {
			return Version{}, versionErr(s, "each node must be an integer from 0 to %d", MaxNode)
		}
	}
	sv, err := semver.NewVersion(sem)
	if err != nil {
		return Version{}, versionErr(s, "%v", err)
	}
	v.nodes = [3]int{int(sv.Major()), int(sv.Minor()), int(sv.Patch())}
	v.valid = true
	return v, nil
}

func parseNode(t string) (int, error) {
	if t == "" || len(t) > 20 {
		return 0, fmt.Errorf("bad node %q", t)
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || n > MaxNode {
		return 0, fmt.Errorf("node %q out of range", t)
	}
	return int(n), nil
}

// NewVersion makes the concrete version major.minor.patch (build 0: none).
// It panics on a node outside 0..MaxNode.
func NewVersion(major, minor, patch, build int) Version {
	v := Version{nodes: [3]int{major, minor, patch}, build: build, valid: true}
	for i, n := range v.nodes {
		if n < 0 || n > MaxNode {
			panic(fmt.Sprintf("arn: version node %d out of range", n))
		}
		v.text[i] = strconv.Itoa(n)
	}
	if build < 0 || build > MaxNode {
		panic(fmt.Sprintf("arn: build %d out of range", build))
	}
	return v
}

// IsZero reports whether v is the zero Version (no version).
func (v Version) IsZero() bool { return !v.valid }

// Major is the major node, or Wildcard.
func (v Version) Major() int { return v.nodes[0] }

// Minor is the minor node, or Wildcard.
func (v Version) Minor() int { return v.nodes[1] }

// Patch is the patch node, or Wildcard.
func (v Version) Patch() int { return v.nodes[2] }

// Build is the build number, 0 when v has none.
func (v Version) Build() int { return v.build }

// HasBuild reports whether v has a build number.
func (v Version) HasBuild() bool { return v.build > 0 }

// IsWildcard reports whether v has an "x" node.
func (v Version) IsWildcard() bool { return v.valid && v.nodes[2] == Wildcard }

// WithBuild returns v with build number b (0 removes it). It panics on a
// wildcard version or a build outside 0..MaxNode.
func (v Version) WithBuild(b int) Version {
	if v.IsWildcard() || b < 0 || b > MaxNode {
		panic("arn: invalid WithBuild")
	}
	v.build = b
	return v
}

// Semantic is v without its build number.
func (v Version) Semantic() Version { v.build = 0; return v }

// SemanticString is "M.m.p" as written, without the build.
func (v Version) SemanticString() string {
	if !v.valid {
		return ""
	}
	return v.text[0] + "." + v.text[1] + "." + v.text[2]
}

// String is "M.m.p" or "M.m.p/b" as written; "" for the zero Version.
func (v Version) String() string {
	s := v.SemanticString()
	if v.build > 0 {
		s += "/" + strconv.Itoa(v.build)
	}
	return s
}

// Compare orders versions numerically node by node, then by build (no build
// sorts first). A wildcard node sorts above every number; the zero Version
// sorts below everything.
func (v Version) Compare(o Version) int {
	if v.valid != o.valid {
		if v.valid {
			return 1
		}
		return -1
	}
	for i := range v.nodes {
		a, b := v.nodes[i], o.nodes[i]
		if a == Wildcard {
			a = MaxNode + 1
		}
		if b == Wildcard {
			b = MaxNode + 1
		}
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	switch {
	case v.build < o.build:
		return -1
	case v.build > o.build:
		return 1
	}
	return 0
}

// Equal reports whether v and o are the same version numerically.
func (v Version) Equal(o Version) bool { return v.Compare(o) == 0 }

// Matches reports whether the concrete version c is selected by v used as a
// pattern: "x" nodes match anything, a version without a build matches every
// build of it, and a build version matches only itself.
func (v Version) Matches(c Version) bool {
	if !v.valid || !c.valid || c.IsWildcard() {
		return false
	}
	for i, n := range v.nodes {
		if n != Wildcard && n != c.nodes[i] {
			return false
		}
	}
	return v.build == 0 || v.build == c.build
}

// Newest returns the item whose version, given by versionOf, is the highest
// one that pattern matches (highest version, then highest build); false when
// none matches. This is how AWS resolves x-wildcards and version ARNs.
func Newest[T any](pattern Version, items []T, versionOf func(T) Version) (T, bool) {
	var best T
	var bestV Version
	found := false
	for _, it := range items {
		v := versionOf(it)
		if !pattern.Matches(v) {
			continue
		}
		if !found || v.Compare(bestV) > 0 {
			best, bestV, found = it, v, true
		}
	}
	return best, found
}

// NewestVersion is Newest over plain versions.
func NewestVersion(pattern Version, versions []Version) (Version, bool) {
	return Newest(pattern, versions, func(v Version) Version { return v })
}

// NextVersion picks the version a wildcard semanticVersion asks the service
// to create (recipe auto-versioning; the rule is UNCONFIRMED, spec §1.2): the
// first "x" becomes one more than the highest existing value at that node
// among the existing versions sharing the fixed prefix (0 when there is
// none), and later "x" nodes become 0. A concrete pattern is returned as is.
func NextVersion(pattern Version, existing []Version) (Version, error) {
	if !pattern.IsWildcard() {
		return pattern.Semantic(), nil
	}
	first := 0
	for pattern.nodes[first] != Wildcard {
		first++
	}
	next := 0
	for _, e := range existing {
		if e.IsZero() || e.IsWildcard() {
			continue
		}
		same := true
		for i := 0; i < first; i++ {
			same = same && e.nodes[i] == pattern.nodes[i]
		}
		if same && e.nodes[first]+1 > next {
			next = e.nodes[first] + 1
		}
	}
	if next > MaxNode {
		return Version{}, versionErr(pattern.String(), "no free version is left under it")
	}
	nodes := pattern.nodes
	nodes[first] = next
	for i := first + 1; i < 3; i++ {
		nodes[i] = 0
	}
	v := NewVersion(nodes[0], nodes[1], nodes[2], 0)
	for i := 0; i < first; i++ {
		v.text[i] = pattern.text[i]
	}
	return v, nil
}
