package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

// benchStore is a store with 10,000 components of one account: 1,000 names
// with 5 versions of 2 builds each.
func benchStore(b *testing.B) store.Store {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(b.TempDir(), "bench.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	err = s.WithTx(ctx, func(tx store.Tx) error {
		for n := 0; n < 1000; n++ {
			for v := 0; v < 5; v++ {
				for build := 1; build <= 2; build++ {
					a := arn.MustParse(fmt.Sprintf("arn:aws:imagebuilder:us-east-1:111111111111:component/name-%04d/1.%d.0/%d", n, v, build))
					rec := store.Record{ARN: a, Owner: "111111111111", Attrs: map[string][]string{"platform": {"Linux"}},
						Data: []byte(`{"name":"x","description":"a component of moderate size","platform":"Linux"}`)}
					if _, err := tx.Put(ctx, rec); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkStore(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	a := arn.MustParse("arn:aws:imagebuilder:us-east-1:111111111111:component/name-0500/1.3.0/2")
	q := store.Query{Type: arn.Component, Accounts: []string{"111111111111"}, Limit: 25}
	middle := func(q store.Query) store.Query {
		for i := 0; i < 20; i++ {
			p, err := s.List(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			q.PageToken = p.NextToken
		}
		return q
	}
	versions := q
	versions.Collapse = store.CollapseVersion
	names := q
	names.Collapse = store.CollapseName
	q20, versions20 := middle(q), middle(versions)
	shared := q
	shared.SharedWith = []string{"222222222222"}
	cases := []struct {
		name string
		fn   func() error
	}{
		{"Get", func() error { _, err := s.Get(ctx, a); return err }},
		{"Latest", func() error {
			_, err := s.Latest(ctx, store.Query{Type: arn.Component, Accounts: []string{"111111111111"}, Name: "name-0500",
				Version: arn.MustParseVersion("1.x.x")})
			return err
		}},
		{"List", func() error { _, err := s.List(ctx, q); return err }},
		{"ListPage20", func() error { _, err := s.List(ctx, q20); return err }},
		{"ListShared", func() error { _, err := s.List(ctx, shared); return err }},
		{"ListVersions", func() error { _, err := s.List(ctx, versions); return err }},
		{"ListVersionsPage20", func() error { _, err := s.List(ctx, versions20); return err }},
		{"ListNames", func() error { _, err := s.List(ctx, names); return err }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := c.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
