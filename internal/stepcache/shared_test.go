package stepcache_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/s3test"
)

// TestShared: host A publishes its entries to a shared store (a folder, and
// a bucket on a real MinIO server); host B, with its own cache and its base
// image at another path, fetches what it lacks and builds on it.
func TestShared(t *testing.T) {
	stores := map[string]func(t *testing.T) artifacts.Store{
		"folder": func(t *testing.T) artifacts.Store {
			s, err := artifacts.NewLocal(filepath.Join(t.TempDir(), "shared"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"s3": func(t *testing.T) artifacts.Store {
			srv := s3test.Start(t)
			srv.MakeBucket(t, "cache")
			s, err := artifacts.NewS3(srv.Client(t), "s3://cache/site-a")
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			shared := open(t)
			a := newFixture(t, 0)
			a.c.Shared = shared
			for _, e := range a.chain("111111111111", 1, 2, 3) {
				if err := a.c.Publish(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			b := newFixture(t, 0) // another host: its own cache and base path
			b.c.Shared = shared
			keys := []string{key(1), key(2), key(3), key(4)}

			got, err := b.c.Fetch(ctx, "111111111111", b.base, keys)
			if err != nil {
				t.Fatal(err)
			}
			if got.Entries != 3 || got.Bytes <= 0 {
				t.Fatalf("fetched %+v, want the 3 entries host A made", got)
			}
			chain, err := b.c.Lookup(ctx, "111111111111", keys)
			if err != nil || len(chain) != 3 {
				t.Fatalf("Lookup after Fetch: %d entries, %v", len(chain), err)
			}
			last := chain[2]
			if last.Component != "c3" || last.Index != 2 || last.BuildTime != 3*time.Second { // as fixture.chain made it
				t.Errorf("fetched entry %+v lost its description", last)
			}
			// B's chain sits on B's base and holds A's data.
			out, err := exec.Command("qemu-img", "info", "--backing-chain", last.Path).CombinedOutput()
			if err != nil || !strings.Contains(string(out), b.base) || strings.Contains(string(out), a.work) {
				t.Fatalf("fetched chain does not sit on this host's base: %v\n%s", err, out)
			}
			aChain, _ := a.c.Lookup(ctx, "111111111111", keys)
			if out, err := exec.Command("qemu-img", "compare", "-q", aChain[2].Path, last.Path).CombinedOutput(); err != nil {
				t.Errorf("host B's disk differs from host A's: %v %s", err, out)
			}

			// Nothing more to fetch; other accounts see nothing.
			if got, err := b.c.Fetch(ctx, "111111111111", b.base, keys); err != nil || got.Entries != 0 {
				t.Errorf("second Fetch: %+v, %v; want nothing", got, err)
			}
			c := newFixture(t, 0)
			c.c.Shared = shared
			if got, err := c.c.Fetch(ctx, "222222222222", c.base, keys); err != nil || got.Entries != 0 {
				t.Errorf("Fetch for another account: %+v, %v; want nothing", got, err)
			}
			// An entry made on another chain is not taken: key 9 sits on
			// key 5, not on key 1.
			d := newFixture(t, 0)
			d.c.Shared = shared
			for _, e := range d.chain("111111111111", 5, 9) {
				if err := d.c.Publish(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := c.c.Fetch(ctx, "111111111111", c.base, []string{key(1), key(9)}); err != nil || got.Entries != 1 {
				t.Errorf("Fetch of 1 then 9 (9 made on 5): %+v, %v; want only 1", got, err)
			}
		})
	}
}
