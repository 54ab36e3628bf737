package sqlstore

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

func TestSortKeysFollowNumericOrder(t *testing.T) {
	t.Parallel()
	const p = "arn:aws:imagebuilder:us-east-1:"
	ordered := []string{
		p + "111111111111:component/a/1.0.0/1",
		p + "111111111111:component/a/1.0.0/2",
		p + "111111111111:component/a/1.0.0/10",
		p + "111111111111:component/a/1.2.0/1",
		p + "111111111111:component/a/1.10.0/1",
		p + "111111111111:component/a/10.0.0/1",
		p + "111111111111:component/a/1073741823.0.0/1",
		p + "222222222222:component/a/0.0.0/1",
		p + "aws:component/a/0.0.0/1",
		p + "111111111111:component/a-b/0.0.0/1",
		p + "111111111111:component/a_b/0.0.0/1",
		p + "111111111111:component/ab/0.0.0/1",
		p + "111111111111:component/b/0.0.0/1",
	}
	var keys []string
	for _, s := range ordered {
		id, err := identify(arn.MustParse(s))
		if err != nil {
			t.Fatalf("identify(%s): %v", s, err)
		}
		if !strings.HasPrefix(id.sortKey, id.versionKey) || !strings.HasPrefix(id.versionKey, id.nameKey) {
			t.Errorf("%s: keys are not prefixes of each other: %q %q %q", s, id.nameKey, id.versionKey, id.sortKey)
		}
		keys = append(keys, id.sortKey)
	}
	if !sort.StringsAreSorted(keys) {
		t.Errorf("sort keys out of order:\n%s", strings.Join(keys, "\n"))
	}
}

func TestSortKeysMatchVersionCompare(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	node := func() int { return []int{0, 1, 2, 9, 10, 11, 99, 100, r.IntN(arn.MaxNode + 1)}[r.IntN(9)] }
	for i := 0; i < 2000; i++ {
		a := arn.New("us-east-1", "111111111111", arn.Component, "c")
		v1 := arn.NewVersion(node(), node(), node(), 1+r.IntN(20))
		v2 := arn.NewVersion(node(), node(), node(), 1+r.IntN(20))
		k1, _ := identify(a.WithVersion(v1))
		k2, _ := identify(a.WithVersion(v2))
		if got, want := strings.Compare(k1.sortKey, k2.sortKey), v1.Compare(v2); got != want {
			t.Fatalf("%s vs %s: sort keys compare %d, versions %d", v1, v2, got, want)
		}
	}
}

func TestIdentifyLevels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arn string
		ok  bool
	}{
		{"arn:aws:imagebuilder:us-east-1:111111111111:component/c/1.0.0/1", true},
		{"arn:aws:imagebuilder:us-east-1:111111111111:component/c/1.0.0", false},
		{"arn:aws:imagebuilder:us-east-1:111111111111:component/c", false},
		{"arn:aws:imagebuilder:us-east-1:111111111111:component/c/x.x.x", false},
		{"arn:aws:imagebuilder:us-east-1:111111111111:image-recipe/c/1.0.0", true},
		{"arn:aws:imagebuilder:us-east-1:111111111111:image-recipe/c", false},
		{"arn:aws:imagebuilder:us-east-1:111111111111:image-pipeline/c", true},
		{"arn:aws:imagebuilder:us-east-1:111111111111:workflow/build/c/1.0.0/1", true},
	}
	for _, tt := range tests {
		a, err := arn.Parse(tt.arn)
		if err != nil {
			t.Fatalf("parse %s: %v", tt.arn, err)
		}
		if _, err := identify(a); (err == nil) != tt.ok {
			t.Errorf("identify(%s) = %v, want ok=%t", tt.arn, err, tt.ok)
		}
	}
}

func TestBind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		numbered bool
		in, want string
	}{
		{false, "a = ? AND b = ?", "a = ? AND b = ?"},
		{true, "a = ? AND b = ?", "a = $1 AND b = $2"},
		{true, "no placeholders", "no placeholders"},
	}
	for _, tt := range tests {
		d := Dialect{Numbered: tt.numbered}
		if got := d.bind(tt.in); got != tt.want {
			t.Errorf("bind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
