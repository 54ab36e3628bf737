package arn_test

import (
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

// FuzzParse checks that Parse never panics, answers only the two AWS codes,
// accepts only what the model's ImageBuilderArn pattern accepts, and that
// what it accepts prints back unchanged.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		pfx + "component/c/1.0.0/1", pfx + "component/c/1.x.x", pfx + "image-recipe/r/1.0.0",
		pfx + "image-pipeline/p", "arn:aws:imagebuilder:us-east-1:aws:workflow/build/w/x.x.x",
		pfx + "component/c/x.2.x", pfx + "component/c/1.0.0/0", pfx + "infrastructure-configuration/i/1.0.0",
		"arn:aws:imagebuilder:us-east-1:aws-marketplace:image/i/1.2.3/4", "", "arn:::::",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := arn.Parse(s)
		if err != nil {
			switch apierr.CodeOf(err) {
			case apierr.CodeInvalidParameterValueException, apierr.CodeInvalidVersionNumberException:
			default:
				t.Fatalf("Parse(%q): unexpected error %v", s, err)
			}
			return
		}
		if !arn.ImageBuilderArn.Match(s) {
			t.Fatalf("Parse accepted %q, which ImageBuilderArn rejects", s)
		}
		if got := a.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q", s, got)
		}
		if b, err := arn.Parse(a.String()); err != nil || b != a {
			t.Fatalf("reparse of %q = %v, %v", s, b, err)
		}
	})
}
