package storetest

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

func testPutGet(t *testing.T, b Backend) {
	bu := setup(t, b)
	created := time.Date(2025, 6, 7, 8, 9, 10, 987654321, time.FixedZone("X", 3600))
	tests := []struct {
		name string
		arn  string
	}{
		{"component build", acctA + ":component/comp/1.2.3/4"},
		{"image build", acctA + ":image/recipe/2019.12.03/7"},
		{"workflow build", acctA + ":workflow/test/wf/1.0.0/1"},
		{"image recipe version", acctA + ":image-recipe/recipe/1.0.0"},
		{"container recipe version", acctA + ":container-recipe/recipe/1.0.0"},
		{"infrastructure configuration", acctA + ":infrastructure-configuration/infra"},
		{"distribution configuration", acctA + ":distribution-configuration/dist"},
		{"image pipeline", acctA + ":image-pipeline/pipe"},
		{"lifecycle policy", acctA + ":lifecycle-policy/lc"},
		{"amazon-owned component", "aws:component/managed/1.0.0/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mkARN(tt.arn)
			in := store.Record{
				ARN: a, Owner: "Self", Data: json.RawMessage(`{"z": 1, "a": [true, null, "x"]}`),
				Attrs:      map[string][]string{"platform": {"Linux"}, "os": {"b", "a", "a"}},
				Tags:       map[string]string{"team": "infra", "empty": ""},
				Policy:     `{"Version":"2012-10-17"}`,
				Principals: []string{acctC, acctB, acctB},
				CreatedAt:  created,
			}
			want := in
			want.Attrs = map[string][]string{"platform": {"Linux"}, "os": {"a", "b"}}
			want.Principals = []string{acctB, acctC}
			want.Revision = 1
			want.CreatedAt = created.UTC().Truncate(time.Microsecond)
			want.UpdatedAt = want.CreatedAt
			got := must[store.Record](t, "Put")(bu.s.Put(bu.ctx, in))
			checkRecord(t, got, want)
			checkRecord(t, must[store.Record](t, "Get")(bu.s.Get(bu.ctx, a)), want)
		})
	}
	t.Run("defaults", func(t *testing.T) {
		a := mkARN(acctA + ":component/bare/1.0.0/1")
		got := must[store.Record](t, "Put")(bu.s.Put(bu.ctx, store.Record{ARN: a}))
		now := bu.clock.Now().UTC().Truncate(time.Microsecond)
		want := store.Record{ARN: a, Tags: map[string]string{}, Attrs: map[string][]string{}, Revision: 1,
			CreatedAt: now, UpdatedAt: now}
		checkRecord(t, got, want)
		got = must[store.Record](t, "Get")(bu.s.Get(bu.ctx, a))
		checkRecord(t, got, want)
		if got.Data != nil {
			t.Errorf("Data = %q, want nil", got.Data)
		}
	})
	t.Run("versions are keyed by number", func(t *testing.T) {
		bu.putARNs(t, acctA+":component/zeros/2019.01.02/1")
		got := must[store.Record](t, "Get")(bu.s.Get(bu.ctx, mkARN(acctA+":component/zeros/2019.1.2/1")))
		if got.ARN.String() != mkARN(acctA+":component/zeros/2019.01.02/1").String() {
			t.Errorf("Get returned %s; want the ARN as written", got.ARN)
		}
	})
}

func testPutErrors(t *testing.T, b Backend) {
	bu := setup(t, b)
	bu.putARNs(t, acctA+":component/dup/1.0.0/1", acctA+":image-recipe/dup/1.0.0", acctA+":image-pipeline/dup")
	comp := mkARN(acctA + ":component/c/1.0.0/1")
	infra := mkARN(acctA + ":infrastructure-configuration/i")
	tests := []struct {
		name string
		rec  store.Record
		want error
	}{
		{"component without build", mkRecord(comp.VersionARN()), store.ErrInvalid},
		{"component at name level", mkRecord(comp.NameARN()), store.ErrInvalid},
		{"wildcard", mkRecord(mkARN(acctA + ":component/c/1.x.x")), store.ErrInvalid},
		{"recipe with build", mkRecord(mkARN(acctA + ":image-recipe/r/1.0.0").WithVersion(arn.MustParseVersion("1.0.0/1"))), store.ErrInvalid},
		{"configuration with version", mkRecord(infra.WithVersion(arn.MustParseVersion("1.0.0"))), store.ErrInvalid},
		{"zero ARN", store.Record{}, store.ErrInvalid},
		{"invalid JSON", store.Record{ARN: comp, Data: json.RawMessage(`{"a":`)}, store.ErrInvalid},
		{"duplicate build", mkRecord(mkARN(acctA + ":component/dup/1.0.0/1")), store.ErrAlreadyExists},
		{"duplicate with other text", mkRecord(mkARN(acctA + ":component/dup/01.00.0/01")), store.ErrAlreadyExists},
		{"duplicate recipe", mkRecord(mkARN(acctA + ":image-recipe/dup/1.0.0")), store.ErrAlreadyExists},
		{"duplicate pipeline", mkRecord(mkARN(acctA + ":image-pipeline/dup")), store.ErrAlreadyExists},
		{"same name, other build", mkRecord(mkARN(acctA + ":component/dup/1.0.0/2")), nil},
		{"same name, other account", mkRecord(mkARN(acctB + ":component/dup/1.0.0/1")), nil},
		{"same name, other type", mkRecord(mkARN(acctA + ":workflow/build/dup/1.0.0/1")), nil},
		{"same name, other region", mkRecord(arn.MustParse("arn:aws:imagebuilder:" + region2 + ":" + acctA + ":image-pipeline/dup")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bu.s.Put(bu.ctx, tt.rec)
			wantErr(t, "Put", err, tt.want)
		})
	}
	t.Run("get", func(t *testing.T) {
		for _, s := range []string{acctA + ":component/nope/1.0.0/1", acctA + ":component/dup/1.0.0/9", acctB + ":image-pipeline/dup"} {
			_, err := bu.s.Get(bu.ctx, mkARN(s))
			wantErr(t, "Get "+s, err, store.ErrNotFound)
		}
		_, err := bu.s.Get(bu.ctx, mkARN(acctA+":component/dup/x.x.x"))
		wantErr(t, "Get wildcard", err, store.ErrInvalid)
	})
}

func testUpdate(t *testing.T, b Backend) {
	bu := setup(t, b)
	a := mkARN(acctA + ":infrastructure-configuration/infra")
	in := mkRecord(a)
	in.Attrs = map[string][]string{"status": {"old"}}
	orig := bu.put(t, in)[0]
	bu.clock.Advance(time.Minute)

	upd := orig
	upd.Data = json.RawMessage(`{"v":2}`)
	upd.Owner = "someone"
	upd.Attrs = map[string][]string{"status": {"new"}}
	upd.Tags = map[string]string{"k": "v"}
	upd.Policy, upd.Principals = "p", []string{acctB}
	got := must[store.Record](t, "Update")(bu.s.Update(bu.ctx, upd))
	want := upd
	want.Revision = 2
	want.UpdatedAt = bu.clock.Now().Truncate(time.Microsecond)
	checkRecord(t, got, want)
	checkRecord(t, must[store.Record](t, "Get")(bu.s.Get(bu.ctx, a)), want)

	q := store.Query{Type: arn.InfrastructureConfiguration, Attrs: map[string][]string{"status": {"old"}}}
	if n := must[int](t, "Count")(bu.s.Count(bu.ctx, q)); n != 0 {
		t.Errorf("the replaced attribute still matches %d records", n)
	}
	q.Attrs["status"] = []string{"new"}
	if n := must[int](t, "Count")(bu.s.Count(bu.ctx, q)); n != 1 {
		t.Errorf("the new attribute matches %d records, want 1", n)
	}

	_, err := bu.s.Update(bu.ctx, orig) // revision 1 is stale
	wantErr(t, "Update at a stale revision", err, store.ErrRevisionMismatch)
	missing := mkRecord(mkARN(acctA + ":infrastructure-configuration/missing"))
	missing.Revision = 1
	_, err = bu.s.Update(bu.ctx, missing)
	wantErr(t, "Update of a missing record", err, store.ErrNotFound)
	_, err = bu.s.Update(bu.ctx, store.Record{ARN: a, Revision: 2, Data: json.RawMessage(`nope`)})
	wantErr(t, "Update with invalid JSON", err, store.ErrInvalid)
}

func testUpdateTags(t *testing.T, b Backend) {
	bu := setup(t, b)
	a := mkARN(acctA + ":component/c/1.0.0/1")
	in := mkRecord(a)
	in.Tags = map[string]string{"keep": "1", "drop": "2", "change": "3"}
	bu.put(t, in)
	got := must[store.Record](t, "UpdateTags")(bu.s.UpdateTags(bu.ctx, a, map[string]string{"change": "x", "new": "y"}, []string{"drop", "absent"}))
	want := map[string]string{"keep": "1", "change": "x", "new": "y"}
	if !reflect.DeepEqual(got.Tags, want) || got.Revision != 2 {
		t.Errorf("after UpdateTags: tags %v revision %d; want %v revision 2", got.Tags, got.Revision, want)
	}
	if g := must[store.Record](t, "Get")(bu.s.Get(bu.ctx, a)); !reflect.DeepEqual(g.Tags, want) {
		t.Errorf("Get tags = %v, want %v", g.Tags, want)
	}
	got = must[store.Record](t, "UpdateTags")(bu.s.UpdateTags(bu.ctx, a, nil, []string{"keep", "change", "new"}))
	if len(got.Tags) != 0 || got.Tags == nil {
		t.Errorf("tags after removing all = %#v, want an empty map", got.Tags)
	}
	_, err := bu.s.UpdateTags(bu.ctx, mkARN(acctA+":component/c/1.0.0/2"), map[string]string{"a": "b"}, nil)
	wantErr(t, "UpdateTags of a missing record", err, store.ErrNotFound)
}

func testPolicyAndSharing(t *testing.T, b Backend) {
	bu := setup(t, b)
	shared := mkARN(acctA + ":component/shared/1.0.0/1")
	bu.put(t, mkRecord(shared), mkRecord(mkARN(acctA+":component/private/1.0.0/1")))
	got := must[store.Record](t, "SetPolicy")(bu.s.SetPolicy(bu.ctx, shared, `{"Statement":[]}`, []string{acctC, acctB}))
	if got.Policy != `{"Statement":[]}` || !reflect.DeepEqual(got.Principals, []string{acctB, acctC}) || got.Revision != 2 {
		t.Errorf("after SetPolicy: %q %v revision %d", got.Policy, got.Principals, got.Revision)
	}
	list := func(accounts, sharedWith []string) []string {
		return bu.listAll(t, bu.s, store.Query{Type: arn.Component, Accounts: accounts, SharedWith: sharedWith})
	}
	tests := []struct {
		name                 string
		accounts, sharedWith []string
		want                 []string
	}{
		{"owner", []string{acctA}, nil, []string{mkARN(acctA + ":component/private/1.0.0/1").String(), shared.String()}},
		{"shared with B", nil, []string{acctB}, []string{shared.String()}},
		{"B's own or shared with B", []string{acctB}, []string{acctB}, []string{shared.String()}},
		{"not shared with another", []string{"444444444444"}, []string{"444444444444"}, []string{}},
	}
	for _, tt := range tests {
		if got := list(tt.accounts, tt.sharedWith); !reflect.DeepEqual(nonNil(got), tt.want) {
			t.Errorf("%s: List = %v, want %v", tt.name, got, tt.want)
		}
	}
	// "*" shares with everyone; "!" + account leaves that account out.
	must[store.Record](t, "SetPolicy")(bu.s.SetPolicy(bu.ctx, shared, "p", []string{"*", "!" + acctB}))
	for _, tt := range []struct {
		name                 string
		accounts, sharedWith []string
		want                 []string
	}{
		{"everyone but B: C", nil, []string{acctC, "*"}, []string{shared.String()}},
		{"everyone but B: B", nil, []string{acctB, "*"}, []string{}},
		{"everyone but B: B's own", []string{acctB}, []string{acctB, "*"}, []string{}},
		{"everyone but B: the owner", []string{acctA}, []string{acctA, "*"}, []string{mkARN(acctA + ":component/private/1.0.0/1").String(), shared.String()}},
	} {
		if got := list(tt.accounts, tt.sharedWith); !reflect.DeepEqual(nonNil(got), tt.want) {
			t.Errorf("%s: List = %v, want %v", tt.name, got, tt.want)
		}
	}
	got = must[store.Record](t, "SetPolicy")(bu.s.SetPolicy(bu.ctx, shared, "", nil))
	if got.Policy != "" || len(got.Principals) != 0 {
		t.Errorf("cleared policy: %q %v", got.Policy, got.Principals)
	}
	if got := list(nil, []string{acctB}); len(got) != 0 {
		t.Errorf("after clearing the policy, shared with B: %v", got)
	}
	_, err := bu.s.SetPolicy(bu.ctx, mkARN(acctA+":component/missing/1.0.0/1"), "p", nil)
	wantErr(t, "SetPolicy of a missing record", err, store.ErrNotFound)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func testDeleteAndReferences(t *testing.T, b Backend) {
	bu := setup(t, b)
	comp := mkARN(acctA + ":component/comp/1.0.0/1")
	other := mkARN(acctA + ":component/other/1.0.0/1")
	recipe := mkARN(acctA + ":image-recipe/recipe/1.0.0")
	pipe := mkARN(acctA + ":image-pipeline/pipe")
	bu.put(t, mkRecord(comp), mkRecord(other), mkRecord(recipe), mkRecord(pipe))

	// The recipe names the component with other version text.
	wantErr(t, "SetReferences", bu.s.SetReferences(bu.ctx, recipe, []arn.ARN{mkARN(acctA + ":component/comp/01.0.0/1"), other, other}), nil)
	wantErr(t, "SetReferences", bu.s.SetReferences(bu.ctx, pipe, []arn.ARN{recipe}), nil)

	err := bu.s.Delete(bu.ctx, comp)
	wantErr(t, "Delete a used component", err, store.ErrReferenced)
	var re *store.ReferencedError
	if !errors.As(err, &re) || len(re.By) != 1 || re.By[0].String() != recipe.String() {
		t.Fatalf("Delete error %v: want a *ReferencedError by %s", err, recipe)
	}
	wantErr(t, "Delete a used recipe", bu.s.Delete(bu.ctx, recipe), store.ErrReferenced)
	must[store.Record](t, "Get after refused delete")(bu.s.Get(bu.ctx, comp))

	// Replacing the references frees the component.
	wantErr(t, "SetReferences", bu.s.SetReferences(bu.ctx, recipe, []arn.ARN{other}), nil)
	wantErr(t, "Delete the freed component", bu.s.Delete(bu.ctx, comp), nil)
	_, err = bu.s.Get(bu.ctx, comp)
	wantErr(t, "Get deleted", err, store.ErrNotFound)
	wantErr(t, "Delete again", bu.s.Delete(bu.ctx, comp), store.ErrNotFound)

	// Deleting the user drops its references.
	wantErr(t, "Delete pipeline", bu.s.Delete(bu.ctx, pipe), nil)
	wantErr(t, "Delete recipe", bu.s.Delete(bu.ctx, recipe), nil)
	wantErr(t, "Delete other", bu.s.Delete(bu.ctx, other), nil)

	// A deleted ARN can be created again, without its old tags.
	r := mkRecord(comp)
	r.Tags = map[string]string{"a": "b"}
	bu.put(t, r)
	wantErr(t, "Delete re-created", bu.s.Delete(bu.ctx, comp), nil)
	bu.put(t, mkRecord(comp))
	if g := must[store.Record](t, "Get")(bu.s.Get(bu.ctx, comp)); len(g.Tags) != 0 || g.Revision != 1 {
		t.Errorf("re-created record has tags %v revision %d", g.Tags, g.Revision)
	}

	tests := []struct {
		name    string
		from    arn.ARN
		to      []arn.ARN
		wantErr error
	}{
		{"missing user", mkARN(acctA + ":image-recipe/missing/1.0.0"), []arn.ARN{comp}, store.ErrNotFound},
		{"missing target", comp, []arn.ARN{mkARN(acctA + ":component/missing/1.0.0/1")}, store.ErrNotFound},
		{"wildcard target", comp, []arn.ARN{mkARN(acctA + ":component/comp/x.x.x")}, store.ErrInvalid},
		{"none", comp, nil, nil},
	}
	for _, tt := range tests {
		wantErr(t, "SetReferences "+tt.name, bu.s.SetReferences(bu.ctx, tt.from, tt.to), tt.wantErr)
	}
}
