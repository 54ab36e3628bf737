package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const (
	res   = "arn:aws:imagebuilder:goldsmith-local-1:111111111111:component/hello/1.0.0/1"
	get   = "imagebuilder:GetComponent"
	list  = "imagebuilder:ListComponents"
	acctB = "222222222222"
	acctC = "333333333333"
)

var rules = Rules{Resource: res, Actions: []string{get, list}}

// doc wraps statements in a policy document.
func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	allowB := `"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:GetComponent"`
	for _, tc := range []struct {
		name, policy string
		element      string // the element the error names
		reason       string // part of the reason
	}{
		{"not json", `nope`, "", "not a JSON policy"},
		{"json null", `null`, "", "not a JSON object"},
		{"no statement", `{"Version":"2012-10-17"}`, "Statement", "missing"},
		{"empty statement list", `{"Statement":[]}`, "Statement", "missing"},
		{"statement not an object", `{"Statement":["x"]}`, "Statement[1]", "JSON object"},
		{"bad version", `{"Version":"2020-01-01","Statement":[{` + allowB + `}]}`, "Version", "2012-10-17"},
		{"unknown top-level element", `{"Statement":[{` + allowB + `}],"Extra":1}`, "Extra", "not an element"},
		{"element names are case-sensitive", `{"statement":[{` + allowB + `}]}`, "statement", "case-sensitive"},
		{"unknown statement element", doc(`{` + allowB + `,"Foo":"bar"}`), "Statement[1].Foo", "not an element"},
		{"condition", doc(`{` + allowB + `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}`), "Statement[1].Condition", "cannot be enforced"},
		{"no effect", doc(`{"Principal":"*","Action":"imagebuilder:GetComponent"}`), "Statement[1].Effect", "missing"},
		{"bad effect", doc(`{"Effect":"allow","Principal":"*","Action":"imagebuilder:GetComponent"}`), "Statement[1].Effect", "Allow or Deny"},
		{"no principal", doc(`{"Effect":"Allow","Action":"imagebuilder:GetComponent"}`), "Statement[1].Principal", "exactly one"},
		{"principal and not principal", doc(`{` + allowB + `,"NotPrincipal":{"AWS":"333333333333"}}`), "Statement[1].Principal", "exactly one"},
		{"service principal", doc(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"imagebuilder:GetComponent"}`), "Statement[1].Principal.Service", "only accounts"},
		{"federated principal", doc(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"imagebuilder:GetComponent"}`), "Statement[1].Principal.Federated", "cannot be enforced"},
		{"canonical user", doc(`{"Effect":"Allow","NotPrincipal":{"CanonicalUser":"abc"},"Action":"imagebuilder:GetComponent"}`), "Statement[1].NotPrincipal.CanonicalUser", "cannot be enforced"},
		{"unknown principal kind", doc(`{"Effect":"Allow","Principal":{"Aws":"222222222222"},"Action":"imagebuilder:GetComponent"}`), "Statement[1].Principal.Aws", "not an element"},
		{"principal string not star", doc(`{"Effect":"Allow","Principal":"222222222222","Action":"imagebuilder:GetComponent"}`), "Statement[1].Principal", `"*"`},
		{"iam user", doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:user/bob"},"Action":"imagebuilder:GetComponent"}`), "Statement[1].Principal.AWS", "user/bob"},
		{"short account", doc(`{"Effect":"Allow","Principal":{"AWS":"22222"},"Action":"imagebuilder:GetComponent"}`), "Statement[1].Principal.AWS", "not an account id"},
		{"account with root suffix but no arn", doc(`{"Effect":"Allow","Principal":{"AWS":"222222222222:root"},"Action":"imagebuilder:GetComponent"}`), "Statement[1].Principal.AWS", "not an account id"},
		{"numeric account", doc(`{"Effect":"Allow","Principal":{"AWS":222222222222},"Action":"imagebuilder:GetComponent"}`), "Statement[1].Principal.AWS", "list of strings"},
		{"empty account list", doc(`{"Effect":"Allow","Principal":{"AWS":[]},"Action":"imagebuilder:GetComponent"}`), "Statement[1].Principal.AWS", "non-empty"},
		{"no action", doc(`{"Effect":"Allow","Principal":"*"}`), "Statement[1].Action", "exactly one"},
		{"action and not action", doc(`{` + allowB + `,"NotAction":"imagebuilder:ListComponents"}`), "Statement[1].Action", "exactly one"},
		{"action this policy cannot grant", doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:DeleteComponent"}`), "Statement[1].Action", "DeleteComponent"},
		{"action of another service", doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}`), "Statement[1].Action", "matches none"},
		{"wildcard matching nothing grantable", doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:Delete*"}`), "Statement[1].Action", "matches none"},
		{"malformed action", doc(`{"Effect":"Allow","Principal":"*","Action":"GetComponent"}`), "Statement[1].Action", "not an action"},
		{"not action leaving nothing", doc(`{"Effect":"Allow","Principal":"*","NotAction":"imagebuilder:*"}`), "Statement[1].NotAction", "leaves none"},
		{"resource of another component", doc(`{` + allowB + `,"Resource":"arn:aws:imagebuilder:goldsmith-local-1:111111111111:component/other/1.0.0/1"}`), "Statement[1].Resource", "does not cover"},
		{"resource version without build", doc(`{` + allowB + `,"Resource":"arn:aws:imagebuilder:goldsmith-local-1:111111111111:component/hello/1.0.0"}`), "Statement[1].Resource", "does not cover"},
		{"not resource excluding it", doc(`{` + allowB + `,"NotResource":"arn:aws:imagebuilder:*:*:component/hello/*"}`), "Statement[1].NotResource", "does not cover"},
		{"resource and not resource", doc(`{` + allowB + `,"Resource":"*","NotResource":"arn:x"}`), "Statement[1].NotResource", "one of the two"},
		{"resource not an arn", doc(`{` + allowB + `,"Resource":"component/hello"}`), "Statement[1].Resource", "ARN pattern"},
		{"resource with escape", doc(`{` + allowB + `,"Resource":"arn:\\*"}`), "Statement[1].Resource", "ARN pattern"},
		{"resource number", doc(`{` + allowB + `,"Resource":1}`), "Statement[1].Resource", "list of strings"},
		{"error in second statement", doc(`{`+allowB+`}`, `{"Effect":"Deny","Principal":"*","Action":"imagebuilder:GetComponent","Condition":{}}`), "Statement[2].Condition", "cannot be enforced"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tc.policy, rules)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a policy error", err)
			}
			if pe.Element != tc.element || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err = %q (element %q), want element %q and %q", err, pe.Element, tc.element, tc.reason)
			}
			if tc.element != "" && !strings.Contains(err.Error(), "'"+tc.element+"'") {
				t.Errorf("the message does not name the element: %q", err)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	type check struct {
		account, action string
		want            Decision
	}
	for _, tc := range []struct {
		name   string
		policy string
		checks []check
	}{
		{"allow one account, one action",
			doc(`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:GetComponent","Resource":"` + res + `"}`),
			[]check{{acctB, get, Allowed}, {acctB, list, ImplicitDeny}, {acctC, get, ImplicitDeny}, {"", get, ImplicitDeny}}},
		{"root arn and list of accounts",
			doc(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:root","333333333333"]},"Action":["imagebuilder:GetComponent","imagebuilder:ListComponents"]}`),
			[]check{{acctB, get, Allowed}, {acctB, list, Allowed}, {acctC, list, Allowed}, {"444444444444", get, ImplicitDeny}}},
		{"everyone",
			doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:*"}`),
			[]check{{acctB, get, Allowed}, {"", list, Allowed}}},
		{"AWS star is everyone",
			doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"imagebuilder:Get*"}`),
			[]check{{acctC, get, Allowed}, {acctC, list, ImplicitDeny}}},
		{"actions match without regard to case",
			doc(`{"Effect":"Allow","Principal":"*","Action":"ImageBuilder:getcomponent"}`),
			[]check{{acctB, get, Allowed}, {acctB, list, ImplicitDeny}}},
		{"question mark wildcard",
			doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:?etComponent"}`),
			[]check{{acctB, get, Allowed}, {acctB, list, ImplicitDeny}}},
		{"star action",
			doc(`{"Effect":"Allow","Principal":"*","Action":"*"}`),
			[]check{{acctB, get, Allowed}, {acctB, list, Allowed}}},
		{"explicit deny wins over allow",
			doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:*"}`,
				`{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:*"}`),
			[]check{{acctB, get, ExplicitDeny}, {acctB, list, ExplicitDeny}, {acctC, get, Allowed}, {"", list, Allowed}}},
		{"deny first still wins",
			doc(`{"Effect":"Deny","Principal":"*","Action":"imagebuilder:ListComponents"}`,
				`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:*"}`),
			[]check{{acctB, get, Allowed}, {acctB, list, ExplicitDeny}}},
		{"deny for one action only",
			doc(`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:*"}`,
				`{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:GetComponent"}`),
			[]check{{acctB, get, ExplicitDeny}, {acctB, list, Allowed}}},
		{"not principal allow: everyone but C",
			doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"333333333333"},"Action":"imagebuilder:GetComponent"}`),
			[]check{{acctB, get, Allowed}, {"", get, Allowed}, {acctC, get, ImplicitDeny}}},
		{"not principal deny: nobody but B",
			doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:*"}`,
				`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"imagebuilder:*"}`),
			[]check{{acctB, get, Allowed}, {acctC, get, ExplicitDeny}, {"", list, ExplicitDeny}}},
		{"not action",
			doc(`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"NotAction":"imagebuilder:List*"}`),
			[]check{{acctB, get, Allowed}, {acctB, list, ImplicitDeny}}},
		{"resource wildcards",
			doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:GetComponent","Resource":"arn:aws:imagebuilder:*:111111111111:component/hel?o/*"}`),
			[]check{{acctB, get, Allowed}}},
		{"not resource elsewhere applies here",
			doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:GetComponent","NotResource":"arn:aws:imagebuilder:*:*:component/other/*"}`),
			[]check{{acctB, get, Allowed}}},
		{"deny on another resource does not apply",
			doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:GetComponent"}`,
				`{"Effect":"Deny","Principal":"*","Action":"imagebuilder:GetComponent","Resource":"*","NotResource":null}`),
			nil}, // refused: Resource with NotResource (null is given)
		{"single statement object",
			`{"Statement":{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:ListComponents"}}`,
			[]check{{acctB, list, Allowed}, {acctB, get, ImplicitDeny}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse(tc.policy, rules)
			if tc.checks == nil {
				if err == nil {
					t.Fatal("parsed, want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tc.checks {
				if got := d.Evaluate(Request{Account: c.account, Action: c.action, Resource: res}); got != c.want {
					t.Errorf("%q %s: %s, want %s", c.account, c.action, got, c.want)
				}
			}
		})
	}
}

// TestEvaluateOtherResource: a statement that names another resource does
// not apply to a request for that one.
func TestEvaluateOtherResource(t *testing.T) {
	t.Parallel()
	d, err := Parse(doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:GetComponent","Resource":"`+res+`"}`), rules)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Evaluate(Request{Account: acctB, Action: get, Resource: res + "0"}); got != ImplicitDeny {
		t.Errorf("another resource: %s", got)
	}
}

func TestGrants(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, policy string
		action       string
		want         Grant
	}{
		{"get only does not grant list",
			doc(`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:GetComponent"}`), list,
			Grant{Except: []string{acctB}}},
		{"list to two accounts",
			doc(`{"Effect":"Allow","Principal":{"AWS":["333333333333","222222222222"]},"Action":"imagebuilder:List*"}`), list,
			Grant{Accounts: []string{acctB, acctC}}},
		{"everyone but a denied account",
			doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:*"}`, `{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:*"}`), list,
			Grant{Everyone: true, Except: []string{acctB}}},
		{"not principal",
			doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"222222222222"},"Action":"imagebuilder:ListComponents"}`), list,
			Grant{Everyone: true, Except: []string{acctB}}},
		{"deny everyone",
			doc(`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"imagebuilder:*"}`, `{"Effect":"Deny","Principal":"*","Action":"imagebuilder:ListComponents"}`), list,
			Grant{Except: []string{acctB}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse(tc.policy, rules)
			if err != nil {
				t.Fatal(err)
			}
			got := d.Grants(tc.action)
			if got.Everyone != tc.want.Everyone || !slices.Equal(got.Accounts, tc.want.Accounts) || !slices.Equal(got.Except, tc.want.Except) {
				t.Errorf("Grants = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestMatchIsBounded: a pattern built to make backtracking explode is
// decided quickly: Parse refuses it where it would give up on the policy's
// own resource, and elsewhere giving up keeps an Allow from applying and a
// Deny applying.
func TestMatchIsBounded(t *testing.T) {
	t.Parallel()
	evil := strings.Repeat("a*", 30) + "b*"
	s := strings.Repeat("a", 1000)
	if anyMatch([]string{evil}, s, false, false) || !anyMatch([]string{evil}, s, false, true) {
		t.Fatal("a match that gave up did not answer onStop")
	}
	long := Rules{Resource: "arn:aws:imagebuilder:r:111111111111:component/" + strings.Repeat("a", 120) + "/1.0.0/1", Actions: rules.Actions}
	_, err := Parse(doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:GetComponent","Resource":"arn:aws:imagebuilder:r:111111111111:component/`+evil+`"}`), long)
	if err == nil || !strings.Contains(err.Error(), "too many") {
		t.Fatalf("a pathological resource pattern: %v", err)
	}
	d, err := Parse(doc(`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:*"}`,
		`{"Effect":"Deny","Principal":"*","Action":"imagebuilder:*","NotResource":"arn:aws:imagebuilder:r:111111111111:image/*"}`), long)
	if err != nil {
		t.Fatal(err)
	}
	// NotResource gives up on this request's resource: the Deny applies.
	d.Statements[1].NotResource = []string{"arn:" + evil}
	if got := d.Evaluate(Request{Account: acctB, Action: get, Resource: "arn:" + s}); got != ExplicitDeny {
		t.Errorf("a Deny whose match gave up: %s", got)
	}
}
