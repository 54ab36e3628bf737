// Package storetest is the conformance suite of store.Store: every
// implementation runs Run and must pass all of it.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Backend{NewLocation: …, Open: …})
//	}
//
// It covers every method and its error cases (not found, already exists,
// revision and idempotency mismatches, delete while referenced, invalid
// page tokens), filters, numeric version ordering and wildcard resolution,
// keyset pagination with concurrent inserts, collapse modes, build numbers
// under concurrency, transactions (commit, rollback, panic), concurrent
// writers, restart durability (close and reopen) and two stores opening
// one new location at once. Each test gets its own empty location and
// runs in parallel.
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
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// Backend is how the suite makes stores.
type Backend struct {
	// NewLocation returns a new, empty location (a database file path, a
	// database URL) for one test, removed when the test ends.
	NewLocation func(t *testing.T) string
	// Open opens the store at loc with the clock now, migrating it. It is
	// called more than once for a location, also concurrently.
	Open func(ctx context.Context, loc string, now func() time.Time) (store.Store, error)
}

// Run runs the suite.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"PutGet", testPutGet},
		{"PutErrors", testPutErrors},
		{"Update", testUpdate},
		{"UpdateTags", testUpdateTags},
		{"PolicyAndSharing", testPolicyAndSharing},
		{"DeleteAndReferences", testDeleteAndReferences},
		{"ListFilters", testListFilters},
		{"Latest", testLatest},
		{"Pagination", testPagination},
		{"PaginationConcurrentInserts", testPaginationConcurrentInserts},
		{"PaginationCollapsed", testPaginationCollapsed},
		{"BuildNumbers", testBuildNumbers},
		{"BuildNumbersConcurrent", testBuildNumbersConcurrent},
		{"ConcurrentWriters", testConcurrentWriters},
		{"WithTx", testWithTx},
		{"Idempotency", testIdempotency},
		{"Accounts", testAccounts},
		{"AccessKeys", testAccessKeys},
		{"Durability", testDurability},
		{"ConcurrentOpen", testConcurrentOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, b)
		})
	}
}

// Clock is a settable clock for the store under test.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// bundle is what one test works with.
type bundle struct {
	ctx   context.Context
	b     Backend
	loc   string
	clock *Clock
	s     store.Store
}

func setup(t *testing.T, b Backend) *bundle {
	t.Helper()
	bu := &bundle{
		ctx:   context.Background(),
		b:     b,
		loc:   b.NewLocation(t),
		clock: &Clock{now: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)},
	}
	bu.s = bu.open(t)
	return bu
}

// open opens another store at the bundle's location, closed at cleanup.
func (bu *bundle) open(t *testing.T) store.Store {
	t.Helper()
	s, err := bu.b.Open(bu.ctx, bu.loc, bu.clock.Now)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Test accounts.
const (
	acctA   = "111111111111"
	acctB   = "222222222222"
	acctC   = "333333333333"
	region  = "us-east-1"
	region2 = "eu-west-1"
)

// mkARN parses "account:type/name[/version]" in region us-east-1.
func mkARN(s string) arn.ARN {
	return arn.MustParse("arn:aws:imagebuilder:" + region + ":" + s)
}

func mkRecord(a arn.ARN) store.Record {
	data, _ := json.Marshal(map[string]any{"arn": a.String(), "name": a.Name})
	return store.Record{ARN: a, Owner: a.Account, Data: data}
}

func (bu *bundle) put(t *testing.T, recs ...store.Record) []store.Record {
	t.Helper()
	var out []store.Record
	for _, r := range recs {
		got, err := bu.s.Put(bu.ctx, r)
		if err != nil {
			t.Fatalf("Put(%s): %v", r.ARN, err)
		}
		out = append(out, got)
	}
	return out
}

func (bu *bundle) putARNs(t *testing.T, arns ...string) {
	t.Helper()
	for _, a := range arns {
		bu.put(t, mkRecord(mkARN(a)))
	}
}

func arnsOf(recs []store.Record) []string {
	out := []string{}
	for _, r := range recs {
		out = append(out, r.ARN.String())
	}
	return out
}

// listAll pages through q, failing on a repeated row.
func (bu *bundle) listAll(t *testing.T, s store.Executor, q store.Query) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("List never ends")
		}
		p, err := s.List(bu.ctx, q)
		if err != nil {
			t.Fatalf("List(%+v): %v", q, err)
		}
		for _, a := range arnsOf(p.Records) {
			if seen[a] {
				t.Fatalf("List returned %s twice", a)
			}
			seen[a] = true
			out = append(out, a)
		}
		if p.NextToken == "" {
			return out
		}
		if q.Limit > 0 && len(p.Records) != q.Limit {
			t.Errorf("a page before the last has %d records, want %d", len(p.Records), q.Limit)
		}
		q.PageToken = p.NextToken
	}
}

// checkRecord compares two records field by field.
func checkRecord(t *testing.T, got, want store.Record) {
	t.Helper()
	if got.ARN.String() != want.ARN.String() {
		t.Errorf("ARN = %s, want %s", got.ARN, want.ARN)
	}
	if got.Owner != want.Owner || got.Policy != want.Policy || got.Revision != want.Revision {
		t.Errorf("owner, policy, revision = %q, %q, %d; want %q, %q, %d",
			got.Owner, got.Policy, got.Revision, want.Owner, want.Policy, want.Revision)
	}
	if string(got.Data) != string(want.Data) {
		t.Errorf("Data = %s, want %s", got.Data, want.Data)
	}
	eq := func(what string, g, w any) {
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %#v, want %#v", what, g, w)
		}
	}
	eq("Tags", got.Tags, want.Tags)
	eq("Attrs", got.Attrs, want.Attrs)
	eq("Principals", got.Principals, want.Principals)
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("created, updated = %s, %s; want %s, %s", got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	if got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt is in %s, want UTC", got.CreatedAt.Location())
	}
}

// wantErr fails unless errors.Is(err, target) (target nil: err == nil).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", what, err)
	case target != nil && !errors.Is(err, target):
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}
