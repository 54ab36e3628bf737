package service

import (
	"slices"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

func TestPolicyPrincipals(t *testing.T) {
	t.Parallel()
	allowed := []string{"imagebuilder:GetComponent", "imagebuilder:ListComponents"}
	for _, tc := range []struct {
		name, policy string
		want         []string
		wantErr      string
	}{
		{"account list", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["222222222222","arn:aws:iam::333333333333:root"]},"Action":"imagebuilder:GetComponent"}]}`, []string{"222222222222", "333333333333"}, ""},
		{"everyone", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":["imagebuilder:ListComponents"]}]}`, []string{"*"}, ""},
		{"deny shares nothing", `{"Statement":[{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:GetComponent"}]}`, nil, ""},
		{"bad action", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"imagebuilder:DeleteComponent"}]}`, nil, "not allowed"},
		{"bad principal", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"imagebuilder:GetComponent"}]}`, nil, "bob"},
		{"not json", `nope`, nil, "not a JSON policy"},
		{"no statement", `{}`, nil, "no Statement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := policyPrincipals(tc.policy, allowed)
			if tc.wantErr != "" {
				if !apierr.HasCode(err, apierr.CodeInvalidParameterValueException) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestShellDocument(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ typ, platform, phase, action string }{
		{"BUILD", "Linux", "build", "ExecuteBash"},
		{"TEST", "Linux", "test", "ExecuteBash"},
		{"BUILD", "Windows", "build", "ExecutePowerShell"},
	} {
		doc, err := shellDocument("imp", "", tc.typ, tc.platform, "echo 'a: b'\nexit 0\n")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(doc, "name: "+tc.phase) || !strings.Contains(doc, tc.action) {
			t.Errorf("%s/%s:\n%s", tc.typ, tc.platform, doc)
		}
		typ, _, err := parsedDocument(doc)
		if err != nil || typ != tc.typ || !strings.Contains(doc, "name: "+tc.phase) || !strings.Contains(doc, tc.action) {
			t.Errorf("%s/%s: type %s err %v\n%s", tc.typ, tc.platform, typ, err, doc)
		}
	}
}
