package arn_test

import (
	"slices"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

func TestParseVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in                         string
		ok                         bool
		major, minor, patch, build int
	}{
		{"1.2.3", true, 1, 2, 3, 0},
		{"1.2.3/4", true, 1, 2, 3, 4},
		{"2019.12.02", true, 2019, 12, 2, 0},
		{"0.0.0", true, 0, 0, 0, 0},
		{"1073741823.1073741823.1073741823/1073741823", true, arn.MaxNode, arn.MaxNode, arn.MaxNode, arn.MaxNode},
		{"1.2.x", true, 1, 2, arn.Wildcard, 0},
		{"1.x.x", true, 1, arn.Wildcard, arn.Wildcard, 0},
		{"x.x.x", true, arn.Wildcard, arn.Wildcard, arn.Wildcard, 0},
		{"1073741824.0.0", false, 0, 0, 0, 0},
		{"1.2.3/1073741824", false, 0, 0, 0, 0},
		{"1.2.3/0", false, 0, 0, 0, 0},
		{"1.2.3/", false, 0, 0, 0, 0},
		{"1.2.3/4/5", false, 0, 0, 0, 0},
		{"1.2.3/x", false, 0, 0, 0, 0},
		{"1.2", false, 0, 0, 0, 0},
		{"1.2.3.4", false, 0, 0, 0, 0},
		{"v1.2.3", false, 0, 0, 0, 0},
		{"1.2.3-beta", false, 0, 0, 0, 0},
		{"1.2.3+meta", false, 0, 0, 0, 0},
		{"-1.2.3", false, 0, 0, 0, 0},
		{" 1.2.3", false, 0, 0, 0, 0},
		{"x.2.x", false, 0, 0, 0, 0},
		{"1.x.8", false, 0, 0, 0, 0},
		{"x.x.1", false, 0, 0, 0, 0},
		{"1.x.x/2", false, 0, 0, 0, 0},
		{"X.x.x", false, 0, 0, 0, 0},
		{"*.*.*", false, 0, 0, 0, 0},
		{"", false, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			v, err := arn.ParseVersion(tt.in)
			if !tt.ok {
				if err == nil {
					t.Fatalf("ParseVersion(%q) = %v, want error", tt.in, v)
				}
				if !apierr.HasCode(err, apierr.CodeInvalidVersionNumberException) {
					t.Errorf("code = %s", apierr.CodeOf(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Major() != tt.major || v.Minor() != tt.minor || v.Patch() != tt.patch || v.Build() != tt.build {
				t.Errorf("got %d.%d.%d/%d", v.Major(), v.Minor(), v.Patch(), v.Build())
			}
			if v.String() != tt.in {
				t.Errorf("String() = %q", v.String())
			}
		})
	}
}

func TestParseVersionVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		semantic bool // ParseSemanticVersion accepts
		wildcard bool // ParseWildcardVersion accepts
	}{
		{"1.2.3", true, true},
		{"1.x.x", false, true},
		{"x.x.x", false, true},
		{"1.2.3/1", false, false},
		{"x.1.x", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := arn.ParseSemanticVersion(tt.in)
			if (err == nil) != tt.semantic {
				t.Errorf("ParseSemanticVersion err = %v", err)
			}
			_, err = arn.ParseWildcardVersion(tt.in)
			if (err == nil) != tt.wildcard {
				t.Errorf("ParseWildcardVersion err = %v", err)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	ordered := []string{"0.0.0", "0.0.1", "0.1.0", "1.0.0", "1.0.0/1", "1.0.0/2", "1.0.0/10", "2.9.0", "2.10.0", "10.0.0", "1073741823.0.0"}
	for i := range ordered {
		for j := range ordered {
			a, b := arn.MustParseVersion(ordered[i]), arn.MustParseVersion(ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
	if !arn.MustParseVersion("2019.12.02").Equal(arn.MustParseVersion("2019.12.2")) {
		t.Error("leading zero changes the version")
	}
	if (arn.Version{}).Compare(arn.MustParseVersion("0.0.0")) != -1 {
		t.Error("zero Version does not sort first")
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, v string
		want       bool
	}{
		{"x.x.x", "5.6.7/8", true},
		{"1.x.x", "1.9.9/1", true},
		{"1.x.x", "2.0.0/1", false},
		{"1.6.x", "1.6.10/1", true},
		{"1.6.x", "1.7.0/1", false},
		{"1.2.3", "1.2.3/9", true},
		{"1.2.3", "1.2.3", true},
		{"1.2.3", "1.2.4/1", false},
		{"1.2.3/2", "1.2.3/2", true},
		{"1.2.3/2", "1.2.3/3", false},
		{"1.2.3/2", "1.2.3", false},
		{"2019.12.2", "2019.12.02/1", true},
		{"x.x.x", "1.x.x", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"~"+tt.v, func(t *testing.T) {
			t.Parallel()
			if got := arn.MustParseVersion(tt.pattern).Matches(arn.MustParseVersion(tt.v)); got != tt.want {
				t.Errorf("Matches = %v", got)
			}
		})
	}
}

func TestNewest(t *testing.T) {
	t.Parallel()
	var all []arn.Version
	for _, s := range []string{"1.0.0/1", "1.0.0/2", "1.2.0/1", "1.10.0/1", "1.9.9/3", "2.0.0/1", "2.0.1/1", "2.0.1/4", "3.0.0/1"} {
		all = append(all, arn.MustParseVersion(s))
	}
	tests := []struct {
		pattern, want string // want "" = none
	}{
		{"x.x.x", "3.0.0/1"},
		{"1.x.x", "1.10.0/1"},
		{"1.9.x", "1.9.9/3"},
		{"2.0.x", "2.0.1/4"},
		{"1.0.0", "1.0.0/2"},
		{"1.0.0/1", "1.0.0/1"},
		{"4.x.x", ""},
		{"1.0.0/3", ""},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			got, ok := arn.NewestVersion(arn.MustParseVersion(tt.pattern), all)
			if tt.want == "" {
				if ok {
					t.Errorf("got %s, want none", got)
				}
				return
			}
			if !ok || got.String() != tt.want {
				t.Errorf("got %s (%v), want %s", got, ok, tt.want)
			}
		})
	}

	// Generic form over resources.
	type comp struct {
		id string
		v  arn.Version
	}
	comps := []comp{{"a", all[0]}, {"b", all[3]}, {"c", all[5]}}
	c, ok := arn.Newest(arn.MustParseVersion("1.x.x"), comps, func(c comp) arn.Version { return c.v })
	if !ok || c.id != "b" {
		t.Errorf("Newest = %v, %v", c, ok)
	}
}

func TestNextVersion(t *testing.T) {
	t.Parallel()
	existing := []arn.Version{arn.MustParseVersion("1.0.0"), arn.MustParseVersion("1.0.3"), arn.MustParseVersion("1.2.0"), arn.MustParseVersion("3.1.4")}
	tests := []struct {
		pattern  string
		existing []arn.Version
		want     string
	}{
		{"1.0.x", existing, "1.0.4"},
		{"1.x.x", existing, "1.3.0"},
		{"x.x.x", existing, "4.0.0"},
		{"2.x.x", existing, "2.0.0"},
		{"5.5.x", existing, "5.5.0"},
		{"x.x.x", nil, "0.0.0"},
		{"1.2.3", existing, "1.2.3"},
		{"01.0.x", existing, "01.0.4"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			got, err := arn.NextVersion(arn.MustParseVersion(tt.pattern), tt.existing)
			if err != nil || got.String() != tt.want {
				t.Errorf("NextVersion = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
	full := []arn.Version{arn.MustParseVersion("1.0.1073741823")}
	if _, err := arn.NextVersion(arn.MustParseVersion("1.0.x"), full); !apierr.HasCode(err, apierr.CodeInvalidVersionNumberException) {
		t.Errorf("overflow err = %v", err)
	}
}

func TestWithBuild(t *testing.T) {
	t.Parallel()
	v := arn.NewVersion(1, 2, 3, 0).WithBuild(7)
	if v.String() != "1.2.3/7" || !v.HasBuild() || v.Semantic().String() != "1.2.3" {
		t.Errorf("got %s", v)
	}
	vs := []arn.Version{arn.MustParseVersion("2.0.0"), arn.MustParseVersion("1.0.0/2"), arn.MustParseVersion("1.0.0/1")}
	slices.SortFunc(vs, arn.Version.Compare)
	if vs[0].String() != "1.0.0/1" || vs[2].String() != "2.0.0" {
		t.Errorf("sorted = %v", vs)
	}
}
