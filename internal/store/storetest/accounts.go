package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/auth"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

func testIdempotency(t *testing.T, b Backend) {
	bu := setup(t, b)
	key := store.IdempotencyKey{Account: acctA, Operation: "CreateComponent", ClientToken: "token-1"}
	rec := store.IdempotencyRecord{IdempotencyKey: key, RequestHash: "h1", Response: json.RawMessage(`{"arn":"x"}`),
		ExpiresAt: bu.clock.Now().Add(time.Hour)}
	wantErr(t, "Save", bu.s.SaveIdempotency(bu.ctx, rec), nil)

	got, err := bu.s.LookupIdempotency(bu.ctx, key, "h1")
	wantErr(t, "Lookup", err, nil)
	if string(got.Response) != `{"arn":"x"}` || got.RequestHash != "h1" || got.IdempotencyKey != key ||
		!got.ExpiresAt.Equal(rec.ExpiresAt.Truncate(time.Microsecond)) || got.CreatedAt.IsZero() {
		t.Errorf("Lookup = %+v", got)
	}
	got, err = bu.s.LookupIdempotency(bu.ctx, key, "h2")
	wantErr(t, "Lookup with another hash", err, store.ErrIdempotencyMismatch)
	if string(got.Response) != `{"arn":"x"}` {
		t.Errorf("a mismatch returns the record; got %+v", got)
	}
	wantErr(t, "Save again", bu.s.SaveIdempotency(bu.ctx, rec), store.ErrAlreadyExists)

	// Tokens are scoped by account and operation.
	for _, k := range []store.IdempotencyKey{
		{Account: acctB, Operation: key.Operation, ClientToken: key.ClientToken},
		{Account: acctA, Operation: "CreateImageRecipe", ClientToken: key.ClientToken},
		{Account: acctA, Operation: key.Operation, ClientToken: "token-2"},
	} {
		_, err := bu.s.LookupIdempotency(bu.ctx, k, "h1")
		wantErr(t, "Lookup other key", err, store.ErrNotFound)
		r := rec
		r.IdempotencyKey = k
		wantErr(t, "Save other key", bu.s.SaveIdempotency(bu.ctx, r), nil)
	}
	// Expiry.
	short := rec
	short.ClientToken, short.ExpiresAt = "short", bu.clock.Now().Add(time.Minute)
	wantErr(t, "Save short", bu.s.SaveIdempotency(bu.ctx, short), nil)
	bu.clock.Advance(2 * time.Minute)
	_, err = bu.s.LookupIdempotency(bu.ctx, short.IdempotencyKey, "h1")
	wantErr(t, "Lookup expired", err, store.ErrNotFound)
	short.RequestHash, short.ExpiresAt = "new", bu.clock.Now().Add(time.Hour)
	wantErr(t, "Save over expired", bu.s.SaveIdempotency(bu.ctx, short), nil)
	must[store.IdempotencyRecord](t, "Lookup renewed")(bu.s.LookupIdempotency(bu.ctx, short.IdempotencyKey, "new"))

	bu.clock.Advance(90 * time.Minute) // every record has expired
	if n := must[int](t, "Purge")(bu.s.PurgeIdempotency(bu.ctx)); n != 5 {
		t.Errorf("Purge deleted %d records, want 5", n)
	}
	if n := must[int](t, "Purge")(bu.s.PurgeIdempotency(bu.ctx)); n != 0 {
		t.Errorf("second Purge deleted %d records, want 0", n)
	}
	wantErr(t, "Save without expiry", bu.s.SaveIdempotency(bu.ctx, store.IdempotencyRecord{IdempotencyKey: key}), store.ErrInvalid)
	wantErr(t, "Save without token", bu.s.SaveIdempotency(bu.ctx, store.IdempotencyRecord{ExpiresAt: bu.clock.Now()}), store.ErrInvalid)
}

func testAccounts(t *testing.T, b Backend) {
	bu := setup(t, b)
	given := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		acct    store.Account
		wantErr error
	}{
		{"create", store.Account{ID: acctB, Name: "second"}, nil},
		{"create with time", store.Account{ID: acctA, Name: "first", CreatedAt: given}, nil},
		{"duplicate", store.Account{ID: acctA, Name: "again"}, store.ErrAlreadyExists},
		{"no id", store.Account{Name: "x"}, store.ErrInvalid},
	}
	for _, tt := range tests {
		_, err := bu.s.CreateAccount(bu.ctx, tt.acct)
		wantErr(t, tt.name, err, tt.wantErr)
	}
	a := must[store.Account](t, "GetAccount")(bu.s.GetAccount(bu.ctx, acctA))
	if a.Name != "first" || !a.CreatedAt.Equal(given) {
		t.Errorf("GetAccount = %+v", a)
	}
	_, err := bu.s.GetAccount(bu.ctx, acctC)
	wantErr(t, "GetAccount missing", err, store.ErrNotFound)
	all := must[[]store.Account](t, "ListAccounts")(bu.s.ListAccounts(bu.ctx))
	if len(all) != 2 || all[0].ID != acctA || all[1].ID != acctB ||
		!all[1].CreatedAt.Equal(bu.clock.Now().Truncate(time.Microsecond)) {
		t.Errorf("ListAccounts = %+v", all)
	}
}

func testAccessKeys(t *testing.T, b Backend) {
	bu := setup(t, b)
	for _, id := range []string{acctA, acctB} {
		must[store.Account](t, "CreateAccount")(bu.s.CreateAccount(bu.ctx, store.Account{ID: id}))
	}
	keys := []store.AccessKey{
		{ID: "AKIAFIRST", Secret: "s1", Account: acctA},
		{ID: "AKIASECOND", Secret: "s2", Account: acctA},
		{ID: "AKIATHIRD", Secret: "s3", Account: acctB},
	}
	for _, k := range keys {
		got := must[store.AccessKey](t, "CreateAccessKey")(bu.s.CreateAccessKey(bu.ctx, k))
		if got.CreatedAt.IsZero() || got.Revoked() {
			t.Errorf("CreateAccessKey = %+v", got)
		}
		bu.clock.Advance(time.Second)
	}
	tests := []struct {
		name string
		key  store.AccessKey
		want error
	}{
		{"unknown account", store.AccessKey{ID: "AKIAX", Secret: "s", Account: acctC}, store.ErrNotFound},
		{"duplicate", store.AccessKey{ID: "AKIAFIRST", Secret: "s", Account: acctB}, store.ErrAlreadyExists},
		{"no secret", store.AccessKey{ID: "AKIAY", Account: acctA}, store.ErrInvalid},
	}
	for _, tt := range tests {
		_, err := bu.s.CreateAccessKey(bu.ctx, tt.key)
		wantErr(t, tt.name, err, tt.want)
	}
	ids := func(ks []store.AccessKey) []string {
		out := []string{}
		for _, k := range ks {
			out = append(out, k.ID)
		}
		return out
	}
	if got := ids(must[[]store.AccessKey](t, "ListAccessKeys")(bu.s.ListAccessKeys(bu.ctx, acctA))); !reflect.DeepEqual(got, []string{"AKIAFIRST", "AKIASECOND"}) {
		t.Errorf("keys of A = %v", got)
	}
	if got := ids(must[[]store.AccessKey](t, "ListAccessKeys")(bu.s.ListAccessKeys(bu.ctx, ""))); len(got) != 3 {
		t.Errorf("all keys = %v", got)
	}
	if got := ids(must[[]store.AccessKey](t, "ListAccessKeys")(bu.s.ListAccessKeys(bu.ctx, acctC))); len(got) != 0 {
		t.Errorf("keys of C = %v", got)
	}

	ks := store.KeyStore(bu.s)
	k := must[auth.Key](t, "LookupKey")(ks.LookupKey(bu.ctx, "AKIASECOND"))
	if k != (auth.Key{AccessKeyID: "AKIASECOND", Secret: "s2", AccountID: acctA}) {
		t.Errorf("LookupKey = %+v", k)
	}
	_, err := ks.LookupKey(bu.ctx, "AKIANOPE")
	if !errors.Is(err, auth.ErrKeyNotFound) {
		t.Errorf("LookupKey of an unknown key: %v, want auth.ErrKeyNotFound", err)
	}

	revokedAt := bu.clock.Now().Truncate(time.Microsecond)
	r := must[store.AccessKey](t, "RevokeAccessKey")(bu.s.RevokeAccessKey(bu.ctx, "AKIASECOND"))
	if !r.Revoked() || !r.RevokedAt.Equal(revokedAt) {
		t.Errorf("RevokeAccessKey = %+v", r)
	}
	bu.clock.Advance(time.Hour)
	r = must[store.AccessKey](t, "RevokeAccessKey again")(bu.s.RevokeAccessKey(bu.ctx, "AKIASECOND"))
	if !r.RevokedAt.Equal(revokedAt) {
		t.Errorf("revoking twice moved the time to %s", r.RevokedAt)
	}
	if k := must[auth.Key](t, "LookupKey")(ks.LookupKey(bu.ctx, "AKIASECOND")); !k.Revoked {
		t.Errorf("LookupKey of a revoked key = %+v", k)
	}
	_, err = bu.s.RevokeAccessKey(bu.ctx, "AKIANOPE")
	wantErr(t, "RevokeAccessKey unknown", err, store.ErrNotFound)
	_, err = bu.s.GetAccessKey(bu.ctx, "AKIANOPE")
	wantErr(t, "GetAccessKey unknown", err, store.ErrNotFound)
}

// testDurability writes one of everything, closes the store, opens it
// again and finds everything.
func testDurability(t *testing.T, b Backend) {
	bu := setup(t, b)
	must[store.Account](t, "CreateAccount")(bu.s.CreateAccount(bu.ctx, store.Account{ID: acctA, Name: "a"}))
	must[store.AccessKey](t, "CreateAccessKey")(bu.s.CreateAccessKey(bu.ctx, store.AccessKey{ID: "AKIA1", Secret: "s", Account: acctA}))
	comp, recipe := mkARN(acctA+":component/c/1.0.0/1"), mkARN(acctA+":image-recipe/r/1.0.0")
	in := mkRecord(comp)
	in.Tags = map[string]string{"k": "v"}
	in.Attrs = map[string][]string{"platform": {"Linux"}}
	want := bu.put(t, in, mkRecord(recipe))
	want[0] = must[store.Record](t, "SetPolicy")(bu.s.SetPolicy(bu.ctx, comp, "policy", []string{acctB}))
	wantErr(t, "SetReferences", bu.s.SetReferences(bu.ctx, recipe, []arn.ARN{comp}), nil)
	build := must[int](t, "NextBuildNumber")(bu.s.NextBuildNumber(bu.ctx, comp))
	idem := store.IdempotencyRecord{IdempotencyKey: store.IdempotencyKey{Account: acctA, Operation: "Op", ClientToken: "t"},
		RequestHash: "h", Response: json.RawMessage(`{}`), ExpiresAt: bu.clock.Now().Add(time.Hour)}
	wantErr(t, "SaveIdempotency", bu.s.SaveIdempotency(bu.ctx, idem), nil)
	if err := bu.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s := bu.open(t)
	for i, a := range []arn.ARN{comp, recipe} {
		checkRecord(t, must[store.Record](t, "Get after reopen")(s.Get(bu.ctx, a)), want[i])
	}
	p := must[store.Page](t, "List")(s.List(bu.ctx, store.Query{Type: arn.Component, SharedWith: []string{acctB},
		Attrs: map[string][]string{"platform": {"Linux"}}}))
	if len(p.Records) != 1 {
		t.Errorf("the filters lost their data: %v", arnsOf(p.Records))
	}
	wantErr(t, "Delete used after reopen", s.Delete(bu.ctx, comp), store.ErrReferenced)
	if n := must[int](t, "NextBuildNumber")(s.NextBuildNumber(bu.ctx, comp)); n != build+1 {
		t.Errorf("NextBuildNumber after reopen = %d, want %d", n, build+1)
	}
	must[store.IdempotencyRecord](t, "LookupIdempotency")(s.LookupIdempotency(bu.ctx, idem.IdempotencyKey, "h"))
	must[store.Account](t, "GetAccount")(s.GetAccount(bu.ctx, acctA))
	must[store.AccessKey](t, "GetAccessKey")(s.GetAccessKey(bu.ctx, "AKIA1"))
}

// testConcurrentOpen opens one new location from several stores at once
// (as processes starting together do); all must migrate and agree.
func testConcurrentOpen(t *testing.T, b Backend) {
	bu := &bundle{ctx: context.Background(), b: b, loc: b.NewLocation(t), clock: &Clock{now: time.Now()}}
	const n = 4
	stores := make([]store.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = b.Open(bu.ctx, bu.loc, bu.clock.Now)
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("open %d: %v", i, errs[i])
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	for i := range n {
		a := mkARN(acctA + ":image-pipeline/p" + string(rune('a'+i)))
		must[store.Record](t, "Put")(stores[i].Put(bu.ctx, mkRecord(a)))
	}
	for i := range n {
		if c := must[int](t, "Count")(stores[i].Count(bu.ctx, store.Query{Type: arn.ImagePipeline})); c != n {
			t.Errorf("store %d sees %d pipelines, want %d", i, c, n)
		}
	}
	// Writers in different stores (processes) allocate distinct numbers.
	const each = 5
	version := mkARN(acctA + ":component/c/1.0.0")
	builds := make([][]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				b, err := stores[i].NextBuildNumber(bu.ctx, version)
				if err != nil {
					t.Errorf("store %d: NextBuildNumber: %v", i, err)
					return
				}
				builds[i] = append(builds[i], b)
			}
		}()
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, bs := range builds {
		for _, b := range bs {
			if seen[b] || b < 1 || b > n*each {
				t.Errorf("build numbers %v: want 1 … %d, each once", builds, n*each)
			}
			seen[b] = true
		}
	}
}
