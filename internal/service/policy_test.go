package service

import (
	"slices"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

func TestListPrincipals(t *testing.T) {
	t.Parallel()
	a, err := arn.Parse("arn:aws:imagebuilder:r-1:111111111111:component/c/1.0.0/1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, policy string
		want         []string
	}{
		{"accounts allowed to list", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["222222222222","arn:aws:iam::333333333333:root"]},"Action":"imagebuilder:ListComponents"}]}`, []string{"222222222222", "333333333333"}},
		{"get only lists to nobody", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"imagebuilder:GetComponent"}]}`, nil},
		{"everyone but a denied account", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"imagebuilder:*"},{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:List*"}]}`, []string{"*", "!222222222222"}},
		{"deny only", `{"Statement":[{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:GetComponent"}]}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := parsePolicy(tc.policy, a)
			if err != nil {
				t.Fatal(err)
			}
			if got := listPrincipals(d, a); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	_, err = parsePolicy(`{"Statement":[]}`, arn.ARN{Type: arn.InfrastructureConfiguration})
	if !apierr.HasCode(err, apierr.CodeInvalidRequestException) {
		t.Errorf("a policy on an infrastructure configuration: %v", err)
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
