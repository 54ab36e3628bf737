package storetest

import (
	"reflect"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// listFixture stores the records the list and latest tests query. Every
// component has the attribute platform (Linux; beta: Windows) and state
// (ACTIVE; alpha 2.0.0: DEPRECATED).
func listFixture(t *testing.T, bu *bundle) {
	t.Helper()
	comps := []string{
		acctA + ":component/alpha/1.0.0/1", acctA + ":component/alpha/1.0.0/2", acctA + ":component/alpha/1.2.0/1",
		acctA + ":component/alpha/1.9.0/1", acctA + ":component/alpha/1.10.0/1", acctA + ":component/alpha/2.0.0/1",
		acctA + ":component/alpha-two/1.0.0/1", acctA + ":component/beta/1.0.0/1",
		acctB + ":component/alpha/1.0.0/1", acctB + ":component/gamma/1.0.0/1", "aws:component/amazon/1.0.0/1",
	}
	// Insert in an order unrelated to the expected one.
	for i := len(comps) - 1; i >= 0; i-- {
		r := mkRecord(mkARN(comps[i]))
		r.Attrs = map[string][]string{"platform": {"Linux"}, "state": {"ACTIVE"}}
		switch r.ARN.Name {
		case "beta":
			r.Attrs["platform"] = []string{"Windows"}
		case "amazon":
			r.Owner = "Amazon"
		}
		if r.ARN.Name == "alpha" && r.ARN.Version.Major() == 2 {
			r.Attrs["state"] = []string{"DEPRECATED"}
		}
		bu.put(t, r)
	}
	must[store.Record](t, "SetPolicy")(bu.s.SetPolicy(bu.ctx, mkARN(acctB+":component/alpha/1.0.0/1"), "p", []string{acctA}))
	bu.putARNs(t, acctA+":workflow/test/wf/1.0.0/1", acctA+":workflow/build/wf/1.0.0/1",
		acctA+":image-recipe/recipe/1.0.0", acctA+":infrastructure-configuration/b-infra",
		acctA+":infrastructure-configuration/a-infra", acctA+":infrastructure-configuration/a")
	bu.put(t, mkRecord(arn.MustParse("arn:aws:imagebuilder:"+region2+":"+acctA+":image-recipe/recipe/1.0.0")))
}

func arnList(prefix string, rest ...string) []string {
	out := []string{}
	for _, r := range rest {
		out = append(out, mkARN(prefix+r).String())
	}
	return out
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func testListFilters(t *testing.T, b Backend) {
	bu := setup(t, b)
	listFixture(t, bu)
	a := acctA + ":component/"
	allA := arnList(a, "alpha/1.0.0/1", "alpha/1.0.0/2", "alpha/1.2.0/1", "alpha/1.9.0/1", "alpha/1.10.0/1",
		"alpha/2.0.0/1", "alpha-two/1.0.0/1", "beta/1.0.0/1")
	comp := func(q store.Query) store.Query { q.Type = arn.Component; return q }
	v := arn.MustParseVersion
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"account, numeric version order", comp(store.Query{Accounts: []string{acctA}}), allA},
		{"descending", comp(store.Query{Accounts: []string{acctA}, Descending: true}), reversed(allA)},
		{"every account", comp(store.Query{}), append(append(arnList(a, "alpha/1.0.0/1", "alpha/1.0.0/2", "alpha/1.2.0/1",
			"alpha/1.9.0/1", "alpha/1.10.0/1", "alpha/2.0.0/1"), arnList(acctB+":component/", "alpha/1.0.0/1")...),
			append(arnList(a, "alpha-two/1.0.0/1"), append(arnList("aws:component/", "amazon/1.0.0/1"),
				append(arnList(a, "beta/1.0.0/1"), arnList(acctB+":component/", "gamma/1.0.0/1")...)...)...)...)},
		{"owned or shared", comp(store.Query{Accounts: []string{acctA}, SharedWith: []string{acctA}, Name: "alpha", Version: v("1.0.0")}),
			append(arnList(a, "alpha/1.0.0/1", "alpha/1.0.0/2"), arnList(acctB+":component/", "alpha/1.0.0/1")...)},
		{"shared only", comp(store.Query{SharedWith: []string{acctA}}), arnList(acctB+":component/", "alpha/1.0.0/1")},
		{"owner", comp(store.Query{Owners: []string{"Amazon"}}), arnList("aws:component/", "amazon/1.0.0/1")},
		{"account aws", comp(store.Query{Accounts: []string{"aws"}}), arnList("aws:component/", "amazon/1.0.0/1")},
		{"name", comp(store.Query{Accounts: []string{acctA}, Name: "beta"}), arnList(a, "beta/1.0.0/1")},
		{"name prefix", comp(store.Query{Accounts: []string{acctA}, NamePrefix: "alpha-"}), arnList(a, "alpha-two/1.0.0/1")},
		{"no match", comp(store.Query{Accounts: []string{acctA}, Name: "nope"}), []string{}},
		{"major wildcard", comp(store.Query{Accounts: []string{acctA}, Name: "alpha", Version: v("1.x.x")}),
			arnList(a, "alpha/1.0.0/1", "alpha/1.0.0/2", "alpha/1.2.0/1", "alpha/1.9.0/1", "alpha/1.10.0/1")},
		{"minor wildcard", comp(store.Query{Accounts: []string{acctA}, Version: v("1.0.x")}),
			arnList(a, "alpha/1.0.0/1", "alpha/1.0.0/2", "alpha-two/1.0.0/1", "beta/1.0.0/1")},
		{"version, every build", comp(store.Query{Accounts: []string{acctA}, Name: "alpha", Version: v("1.0.0")}),
			arnList(a, "alpha/1.0.0/1", "alpha/1.0.0/2")},
		{"build", comp(store.Query{Accounts: []string{acctA}, Version: v("1.0.0/2")}), arnList(a, "alpha/1.0.0/2")},
		{"version by number", comp(store.Query{Accounts: []string{acctA}, Version: v("01.010.00")}), arnList(a, "alpha/1.10.0/1")},
		{"attribute", comp(store.Query{Attrs: map[string][]string{"platform": {"Windows"}}}), arnList(a, "beta/1.0.0/1")},
		{"attributes: OR within, AND across", comp(store.Query{Accounts: []string{acctA}, Name: "alpha",
			Attrs: map[string][]string{"platform": {"Windows", "Linux"}, "state": {"DEPRECATED"}}}), arnList(a, "alpha/2.0.0/1")},
		{"attribute present", comp(store.Query{Accounts: []string{acctA}, Attrs: map[string][]string{"state": nil}}), allA},
		{"collapse to versions", comp(store.Query{Accounts: []string{acctA}, Name: "alpha", Collapse: store.CollapseVersion}),
			arnList(a, "alpha/1.0.0/2", "alpha/1.2.0/1", "alpha/1.9.0/1", "alpha/1.10.0/1", "alpha/2.0.0/1")},
		{"collapse to names", comp(store.Query{Accounts: []string{acctA}, Collapse: store.CollapseName}),
			arnList(a, "alpha/2.0.0/1", "alpha-two/1.0.0/1", "beta/1.0.0/1")},
		{"collapse to names, descending", comp(store.Query{Accounts: []string{acctA}, Collapse: store.CollapseName, Descending: true}),
			arnList(a, "beta/1.0.0/1", "alpha-two/1.0.0/1", "alpha/2.0.0/1")},
		{"collapse with filter", comp(store.Query{Accounts: []string{acctA}, Name: "alpha", Collapse: store.CollapseName,
			Attrs: map[string][]string{"state": {"ACTIVE"}}}), arnList(a, "alpha/1.10.0/1")},
		{"workflows", store.Query{Type: arn.Workflow}, arnList(acctA+":workflow/", "build/wf/1.0.0/1", "test/wf/1.0.0/1")},
		{"workflow type", store.Query{Type: arn.Workflow, WorkflowType: arn.WorkflowTest}, arnList(acctA+":workflow/", "test/wf/1.0.0/1")},
		{"region", store.Query{Type: arn.ImageRecipe, Region: region}, arnList(acctA+":image-recipe/", "recipe/1.0.0")},
		{"unversioned", store.Query{Type: arn.InfrastructureConfiguration, Accounts: []string{acctA}},
			arnList(acctA+":infrastructure-configuration/", "a", "a-infra", "b-infra")},
		{"unversioned prefix", store.Query{Type: arn.InfrastructureConfiguration, NamePrefix: "a-"},
			arnList(acctA+":infrastructure-configuration/", "a-infra")},
		{"type", store.Query{Type: arn.ImagePipeline}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := must[store.Page](t, "List")(bu.s.List(bu.ctx, tt.q))
			if got := arnsOf(p.Records); !reflect.DeepEqual(got, tt.want) || p.NextToken != "" {
				t.Errorf("List = %v (next %q)\nwant %v", got, p.NextToken, tt.want)
			}
			if n := must[int](t, "Count")(bu.s.Count(bu.ctx, tt.q)); n != len(tt.want) {
				t.Errorf("Count = %d, want %d", n, len(tt.want))
			}
		})
	}
	t.Run("region filter", func(t *testing.T) {
		p := must[store.Page](t, "List")(bu.s.List(bu.ctx, store.Query{Type: arn.ImageRecipe, Region: region2}))
		if len(p.Records) != 1 || p.Records[0].ARN.Region != region2 {
			t.Errorf("List in %s = %v", region2, arnsOf(p.Records))
		}
	})
	t.Run("errors", func(t *testing.T) {
		_, err := bu.s.List(bu.ctx, store.Query{})
		wantErr(t, "List without a type", err, store.ErrInvalid)
		_, err = bu.s.List(bu.ctx, store.Query{Type: arn.Component, Limit: -1})
		wantErr(t, "List with a negative limit", err, store.ErrInvalid)
		_, err = bu.s.Count(bu.ctx, store.Query{})
		wantErr(t, "Count without a type", err, store.ErrInvalid)
		_, err = bu.s.Latest(bu.ctx, store.Query{})
		wantErr(t, "Latest without a type", err, store.ErrInvalid)
	})
}

func testLatest(t *testing.T, b Backend) {
	bu := setup(t, b)
	listFixture(t, bu)
	a := acctA + ":component/"
	active := map[string][]string{"state": {"ACTIVE"}}
	tests := []struct {
		version string
		attrs   map[string][]string
		want    string // "" for ErrNotFound
	}{
		{"x.x.x", nil, "alpha/2.0.0/1"},
		{"x.x.x", active, "alpha/1.10.0/1"},
		{"1.x.x", nil, "alpha/1.10.0/1"},
		{"01.x.x", nil, "alpha/1.10.0/1"},
		{"1.9.x", nil, "alpha/1.9.0/1"},
		{"1.0.x", nil, "alpha/1.0.0/2"},
		{"1.0.0", nil, "alpha/1.0.0/2"},
		{"1.0.0/1", nil, "alpha/1.0.0/1"},
		{"3.x.x", nil, ""},
		{"1.3.x", nil, ""},
		{"1.0.0/3", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			q := store.Query{Type: arn.Component, Accounts: []string{acctA}, Name: "alpha",
				Version: arn.MustParseVersion(tt.version), Attrs: tt.attrs, Limit: 1, Collapse: store.CollapseName}
			got, err := bu.s.Latest(bu.ctx, q)
			if tt.want == "" {
				wantErr(t, "Latest", err, store.ErrNotFound)
				return
			}
			wantErr(t, "Latest", err, nil)
			if want := mkARN(a + tt.want).String(); got.ARN.String() != want {
				t.Errorf("Latest(%s) = %s, want %s", tt.version, got.ARN, want)
			}
		})
	}
	t.Run("no name", func(t *testing.T) {
		got := must[store.Record](t, "Latest")(bu.s.Latest(bu.ctx, store.Query{Type: arn.Component, Accounts: []string{acctA}}))
		if want := mkARN(a + "alpha/2.0.0/1").String(); got.ARN.String() != want {
			t.Errorf("Latest = %s, want %s", got.ARN, want)
		}
	})
	t.Run("recipes", func(t *testing.T) {
		bu.putARNs(t, acctA+":image-recipe/r/1.2.0", acctA+":image-recipe/r/1.10.0", acctA+":image-recipe/r/1.9.3")
		got := must[store.Record](t, "Latest")(bu.s.Latest(bu.ctx, store.Query{Type: arn.ImageRecipe, Name: "r",
			Version: arn.MustParseVersion("1.x.x")}))
		if want := mkARN(acctA + ":image-recipe/r/1.10.0").String(); got.ARN.String() != want {
			t.Errorf("Latest = %s, want %s", got.ARN, want)
		}
	})
}
