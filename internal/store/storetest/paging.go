package storetest

import (
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

func testPagination(t *testing.T, b Backend) {
	bu := setup(t, b)
	var all []string
	for i := 0; i < 23; i++ {
		// Versions 1.0.0 … 1.22.0: numeric order differs from text order.
		s := fmt.Sprintf("%s:component/paged/1.%d.0/1", acctA, i)
		bu.putARNs(t, s)
		all = append(all, mkARN(s).String())
	}
	q := store.Query{Type: arn.Component, Accounts: []string{acctA}}
	for _, tt := range []struct {
		name  string
		limit int
		desc  bool
	}{{"limit 5", 5, false}, {"limit 1", 1, false}, {"limit 23", 23, false}, {"limit 100", 100, false},
		{"divides evenly", 23, false}, {"descending", 4, true}, {"no limit", 0, false}} {
		t.Run(tt.name, func(t *testing.T) {
			q := q
			q.Limit, q.Descending = tt.limit, tt.desc
			want := all
			if tt.desc {
				want = reversed(all)
			}
			if got := bu.listAll(t, bu.s, q); !reflect.DeepEqual(got, want) {
				t.Errorf("pages = %v\nwant %v", got, want)
			}
		})
	}
	t.Run("last page has no token", func(t *testing.T) {
		q := q
		q.Limit = 23
		p := must[store.Page](t, "List")(bu.s.List(bu.ctx, q))
		if len(p.Records) != 23 || p.NextToken != "" {
			t.Errorf("one full page: %d records, next token %q", len(p.Records), p.NextToken)
		}
	})
	t.Run("bad tokens", func(t *testing.T) {
		q := q
		q.Limit = 5
		p := must[store.Page](t, "List")(bu.s.List(bu.ctx, q))
		other := q
		other.Name = "paged"
		tests := []struct {
			name string
			q    store.Query
		}{
			{"garbage", store.Query{Type: arn.Component, PageToken: "not a token!"}},
			{"base64 garbage", store.Query{Type: arn.Component, PageToken: "bm90IGpzb24"}},
			{"other query", func() store.Query { other.PageToken = p.NextToken; return other }()},
			{"other type", store.Query{Type: arn.ImageRecipe, Accounts: []string{acctA}, Limit: 5, PageToken: p.NextToken}},
		}
		for _, tt := range tests {
			_, err := bu.s.List(bu.ctx, tt.q)
			wantErr(t, tt.name, err, store.ErrInvalidToken)
		}
		// Another page size with the same query is fine.
		q.Limit, q.PageToken = 7, p.NextToken
		p2 := must[store.Page](t, "List with another limit")(bu.s.List(bu.ctx, q))
		if got := arnsOf(p2.Records); !reflect.DeepEqual(got, all[5:12]) {
			t.Errorf("second page = %v, want %v", got, all[5:12])
		}
	})
}

// testPaginationConcurrentInserts pages through a list while other
// goroutines insert and delete: every record that exists throughout is
// returned exactly once, in order.
func testPaginationConcurrentInserts(t *testing.T, b Backend) {
	bu := setup(t, b)
	var stable []string
	for i := 0; i < 40; i += 2 {
		s := fmt.Sprintf("%s:infrastructure-configuration/n%03d", acctA, i)
		bu.putARNs(t, s)
		stable = append(stable, mkARN(s).String())
	}
	doomed := mkARN(acctA + ":infrastructure-configuration/n005")
	bu.put(t, mkRecord(doomed))
	q := store.Query{Type: arn.InfrastructureConfiguration, Limit: 3}

	p := must[store.Page](t, "List")(bu.s.List(bu.ctx, q))
	// Between pages: insert before and after the cursor, delete a row ahead.
	bu.putARNs(t, acctA+":infrastructure-configuration/n001", acctA+":infrastructure-configuration/n099")
	wantErr(t, "Delete", bu.s.Delete(bu.ctx, doomed), nil)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // and keep inserting while the pages are read
		defer wg.Done()
		for i := 1; i < 40; i += 2 {
			if _, err := bu.s.Put(bu.ctx, mkRecord(mkARN(fmt.Sprintf("%s:infrastructure-configuration/n%03d", acctA, i+100)))); err != nil {
				t.Errorf("concurrent Put: %v", err)
				return
			}
		}
	}()
	got := arnsOf(p.Records)
	q.PageToken = p.NextToken
	got = append(got, bu.listAll(t, bu.s, q)...)
	wg.Wait()

	if !sort.StringsAreSorted(got) {
		t.Errorf("pages out of order: %v", got)
	}
	seen := map[string]int{}
	for _, a := range got {
		seen[a]++
	}
	for a, n := range seen {
		if n > 1 {
			t.Errorf("%s returned %d times", a, n)
		}
	}
	for _, a := range stable {
		if seen[a] != 1 {
			t.Errorf("%s, present throughout, returned %d times", a, seen[a])
		}
	}
	if seen[doomed.String()] != 0 {
		t.Errorf("%s, deleted before its page, was returned", doomed)
	}
	if after := mkARN(acctA + ":infrastructure-configuration/n099").String(); seen[after] != 1 {
		t.Errorf("%s, inserted after the cursor, returned %d times", after, seen[after])
	}
}

// testPaginationCollapsed pages through versions while new builds of
// versions already returned appear: no version is returned twice.
func testPaginationCollapsed(t *testing.T, b Backend) {
	bu := setup(t, b)
	for i := 0; i < 6; i++ {
		bu.putARNs(t, fmt.Sprintf("%s:component/c/1.%d.0/1", acctA, i))
	}
	q := store.Query{Type: arn.Component, Name: "c", Collapse: store.CollapseVersion, Limit: 2}
	p := must[store.Page](t, "List")(bu.s.List(bu.ctx, q))
	got := arnsOf(p.Records)
	bu.putARNs(t, acctA+":component/c/1.1.0/2", acctA+":component/c/1.0.0/2", acctA+":component/c/1.4.0/2")
	q.PageToken = p.NextToken
	got = append(got, bu.listAll(t, bu.s, q)...)
	want := arnList(acctA+":component/", "c/1.0.0/1", "c/1.1.0/1", "c/1.2.0/1", "c/1.3.0/1", "c/1.4.0/2", "c/1.5.0/1")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pages = %v\nwant %v", got, want)
	}
	q.PageToken = ""
	q.Collapse = store.CollapseName
	if got := bu.listAll(t, bu.s, q); !reflect.DeepEqual(got, arnList(acctA+":component/", "c/1.5.0/1")) {
		t.Errorf("collapsed to names: %v", got)
	}
}
