package stepcache_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/stepcache"
	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

func needQemuImg(t *testing.T) {
	t.Helper()
	testneed.Tools(t, "apt-get install qemu-utils", "qemu-img")
}

func key(i int) string { return fmt.Sprintf("sha256:%064x", i) }

// clock is a settable clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { c.t = c.t.Add(time.Second); return c.t }

// layer makes a qcow2 overlay on backing with size bytes of data written
// into it, like a component's build phase would.
func layer(t *testing.T, dir, name, backing string, size int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", backing, p).CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-img create: %v: %s", err, out)
	}
	if size > 0 {
		out, err = exec.Command("qemu-io", "-f", "qcow2", "-c", fmt.Sprintf("write -P 0x%02x 0 %d", len(name), size), p).CombinedOutput()
		if err != nil {
			t.Fatalf("qemu-io: %v: %s", err, out)
		}
	}
	return p
}

type fixture struct {
	t     *testing.T
	c     *stepcache.Cache
	work  string
	base  string
	clock *clock
}

func newFixture(t *testing.T, max int64) *fixture {
	needQemuImg(t)
	work := t.TempDir()
	base := filepath.Join(work, "base.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", base, "64M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v: %s", err, out)
	}
	ck := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return &fixture{t: t, c: &stepcache.Cache{Dir: filepath.Join(work, "cache"), MaxBytes: max, Now: ck.now}, work: work, base: base, clock: ck}
}

// chain stores layers for keys[0..n) in namespace ns, each on the one
// before, and returns the entries.
func (f *fixture) chain(ns string, keys ...int) []*stepcache.Entry {
	f.t.Helper()
	var out []*stepcache.Entry
	backing, parent := f.base, ""
	for i, k := range keys {
		file := layer(f.t, f.work, fmt.Sprintf("%s-%d-%d.qcow2", ns, i, k), backing, 1<<20)
		e, err := f.c.Put(context.Background(), ns, stepcache.Layer{File: file, Key: key(k), Parent: parent, Backing: backing,
			Component: fmt.Sprintf("c%d", k), Index: i, BuildTime: time.Duration(k) * time.Second})
		if err != nil {
			f.t.Fatalf("Put: %v", err)
		}
		out = append(out, e)
		backing, parent = e.Path, e.Key
	}
	return out
}

func TestLookupLongestPrefix(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	f.chain("local", 1, 2, 3)
	cases := []struct {
		name string
		keys []string
		want int
	}{
		{"all cached", []string{key(1), key(2), key(3)}, 3},
		{"last changed", []string{key(1), key(2), key(9)}, 2},
		{"middle changed", []string{key(1), key(9), key(3)}, 1},
		{"first changed", []string{key(9), key(2), key(3)}, 0},
		{"longer recipe", []string{key(1), key(2), key(3), key(4)}, 3},
		{"opted out stops the prefix", []string{key(1), "", key(3)}, 1},
		{"empty", nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chain, err := f.c.Lookup(ctx, "local", tc.keys)
			if err != nil {
				t.Fatal(err)
			}
			n := len(chain)
			if n != tc.want {
				t.Fatalf("prefix = %d, want %d", n, tc.want)
			}
			if n == 0 {
				return
			}
			e := chain[n-1]
			for j, x := range chain {
				if x.Key != tc.keys[j] {
					t.Fatalf("chain[%d] = %s, want %s", j, x.Key, tc.keys[j])
				}
			}
			if e.Key != tc.keys[n-1] || e.Index != n-1 {
				t.Fatalf("entry %s (index %d), want %s", e.Key, e.Index, tc.keys[n-1])
			}
			// The layer's backing chain leads to the base image.
			out, err := exec.Command("qemu-img", "info", "--backing-chain", "--output=json", e.Path).Output()
			if err != nil {
				t.Fatalf("qemu-img info: %v", err)
			}
			if got := strings.Count(string(out), `"filename"`); got != n+1 {
				t.Fatalf("backing chain has %d files, want %d: %s", got, n+1, out)
			}
		})
	}
}

func TestNamespacesAreSeparate(t *testing.T) {
	f := newFixture(t, 0)
	f.chain("111111111111", 1, 2)
	chain, err := f.c.Lookup(context.Background(), "222222222222", []string{key(1), key(2)})
	n := len(chain)
	if err != nil || n != 0 {
		t.Fatalf("another account's lookup: %d, %v; want a miss", n, err)
	}
	if _, err := f.c.Lookup(context.Background(), "../x", []string{key(1)}); err == nil {
		t.Fatal("a namespace with a path in it was accepted")
	}
}

func TestMissingParentIsAMiss(t *testing.T) {
	f := newFixture(t, 0)
	es := f.chain("local", 1, 2, 3)
	os.Remove(es[1].Path)
	chain, err := f.c.Lookup(context.Background(), "local", []string{key(1), key(2), key(3)})
	n := len(chain)
	if err != nil || n != 1 {
		t.Fatalf("prefix = %d, %v; want 1 (entry 2's layer is gone, so 3 cannot be used)", n, err)
	}
}

func TestEvictionLRU(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	a := f.chain("local", 1, 2)
	b := f.chain("local", 5, 6)
	// Use chain a: chain b is now the least recently used.
	if chain, _ := f.c.Lookup(ctx, "local", []string{key(1), key(2)}); len(chain) != 2 {
		t.Fatalf("lookup a: %d", len(chain))
	}
	one := a[0].Size
	removed, err := f.c.Prune(ctx, stepcache.PruneOptions{MaxBytes: 2*one + one/2})
	if err != nil {
		t.Fatal(err)
	}
	var gone []string
	for _, e := range removed {
		gone = append(gone, e.Component)
	}
	if strings.Join(gone, ",") != "c6,c5" && strings.Join(gone, ",") != "c6" {
		t.Fatalf("evicted %v, want chain b (c6, maybe c5)", gone)
	}
	if chain, _ := f.c.Lookup(ctx, "local", []string{key(1), key(2)}); len(chain) != 2 {
		t.Fatalf("chain a was evicted: prefix %d", len(chain))
	}
	if _, err := os.Stat(b[1].Path); err == nil {
		t.Fatal("evicted layer still on disk")
	}
}

func TestEvictingAParentTakesItsChildren(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	f.chain("local", 1, 2, 3)
	removed, err := f.c.Prune(ctx, stepcache.PruneOptions{OlderThan: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 3 {
		t.Fatalf("removed %d entries, want 3", len(removed))
	}
	if left, _ := f.c.List(ctx); len(left) != 0 {
		t.Fatalf("%d entries left", len(left))
	}
}

func TestPutTrimsButKeepsTheNewChain(t *testing.T) {
	f := newFixture(t, 1) // one byte: every Put overflows
	es := f.chain("local", 1, 2, 3)
	left, err := f.c.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 3 {
		t.Fatalf("%d entries kept, want the 3 of the newest chain", len(left))
	}
	if chain, _ := f.c.Lookup(context.Background(), "local", []string{key(1), key(2), key(3)}); len(chain) != 3 {
		t.Fatalf("prefix %d after trimming", len(chain))
	}
	f.chain("local", 7)
	left, _ = f.c.List(context.Background())
	if len(left) != 1 || left[0].Key != key(7) {
		t.Fatalf("after a new chain: %d entries (%v), want only it", len(left), es)
	}
}

func TestPruneAll(t *testing.T) {
	f := newFixture(t, 0)
	f.chain("local", 1, 2)
	f.chain("123456789012", 3)
	removed, err := f.c.Prune(context.Background(), stepcache.PruneOptions{All: true})
	if err != nil || len(removed) != 3 {
		t.Fatalf("removed %d, %v; want 3", len(removed), err)
	}
}

func TestBadKeys(t *testing.T) {
	f := newFixture(t, 0)
	_, err := f.c.Put(context.Background(), "local", stepcache.Layer{File: f.base, Key: "md5:x", Backing: f.base})
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("bad key: %v", err)
	}
}

func TestStateIsStoredAndEvictedWithItsLayer(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	file := layer(t, f.work, "boot.qcow2", f.base, 1<<20)
	state := filepath.Join(f.work, "vm.state")
	if err := os.WriteFile(state, make([]byte, 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := f.c.Put(ctx, "local", stepcache.Layer{File: file, Key: key(1), Backing: f.base, Component: "boot", State: state})
	if err != nil {
		t.Fatal(err)
	}
	if e.StateSize != 3000 || e.Bytes() != e.Size+3000 {
		t.Fatalf("state size %d, bytes %d (layer %d)", e.StateSize, e.Bytes(), e.Size)
	}
	if _, err := os.Stat(state); err == nil {
		t.Fatal("the caller's state file is still there: Put should move it")
	}
	chain, err := f.c.Lookup(ctx, "local", []string{key(1)})
	if err != nil || len(chain) != 1 || chain[0].StateSize != 3000 {
		t.Fatalf("lookup: %v, %v", chain, err)
	}
	if st, err := os.Stat(chain[0].StatePath()); err != nil || st.Size() != 3000 {
		t.Fatalf("state file in the cache: %v", err)
	}
	if _, err := f.c.Prune(ctx, stepcache.PruneOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(chain[0].StatePath()); err == nil {
		t.Fatal("the state outlived its entry")
	}
}

func TestReplacingAnEntryDropsWhatWasBuiltOnIt(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	old := f.chain("local", 1, 2, 3)
	// A --no-cache build stores entry 1 again: a different disk.
	file := layer(t, f.work, "again.qcow2", f.base, 1<<20)
	if _, err := f.c.Put(ctx, "local", stepcache.Layer{File: file, Key: key(1), Backing: f.base, Component: "c1"}); err != nil {
		t.Fatal(err)
	}
	chain, err := f.c.Lookup(ctx, "local", []string{key(1), key(2), key(3)})
	if err != nil || len(chain) != 1 {
		t.Fatalf("prefix %d, %v; want 1: entries 2 and 3 sat on the old entry 1", len(chain), err)
	}
	// A build that started on the old entry 1 may not add to the new one.
	file = layer(t, f.work, "late.qcow2", chain[0].Path, 1<<20)
	_, err = f.c.Put(ctx, "local", stepcache.Layer{File: file, Key: key(2), Parent: key(1), Backing: chain[0].Path,
		Component: "c2", Index: 1, ParentCreated: old[0].Created})
	if err == nil || !strings.Contains(err.Error(), "replaced or evicted") {
		t.Fatalf("Put on a replaced parent: %v, want it refused", err)
	}
}

func TestResumable(t *testing.T) {
	e := func(state int64, empty bool) *stepcache.Entry {
		return &stepcache.Entry{Path: fmt.Sprintf("/c/%d-%t.qcow2", state, empty), StateSize: state, Empty: empty}
	}
	cases := []struct {
		name  string
		chain []*stepcache.Entry
		want  string
	}{
		{"none", nil, ""},
		{"the last has a state", []*stepcache.Entry{e(1, false), e(2, false)}, "/c/2-false.state"},
		{"empty entries take their parent's", []*stepcache.Entry{e(1, false), e(2, false), e(0, true), e(0, true)}, "/c/2-false.state"},
		{"a written layer without a state stops", []*stepcache.Entry{e(1, false), e(0, false), e(0, true)}, ""},
	}
	for _, tc := range cases {
		if got := stepcache.Resumable(tc.chain); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestListSkipsFilesThatAreNotEntries(t *testing.T) {
	f := newFixture(t, 0)
	f.chain("local", 1)
	dir, _ := f.c.Path()
	// An output folder inside the cache, with a manifest.json in it.
	if err := os.MkdirAll(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "out", "manifest.json"), []byte(`{"name":"x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	entries, err := f.c.List(context.Background())
	if err != nil || len(entries) != 1 || entries[0].Key != key(1) {
		t.Fatalf("List: %v, %v; want the one entry", entries, err)
	}
}

// TestRelativeDir stores a chain in a cache given by a relative folder: the
// entries' paths and the backing paths written into the layers are
// absolute, so QEMU (which reads a relative backing path from the layer's
// own folder) opens the whole chain, from any working directory.
func TestRelativeDir(t *testing.T) {
	f := newFixture(t, 0)
	t.Chdir(f.work)
	f.c.Dir = "cache"
	chain := f.chain("local", 1, 2)
	if p, err := f.c.Path(); err != nil || p != filepath.Join(f.work, "cache") {
		t.Fatalf("Path() = %q, %v; want %s", p, err, filepath.Join(f.work, "cache"))
	}
	t.Chdir(t.TempDir()) // elsewhere: nothing may depend on the old folder
	for _, e := range chain {
		if !filepath.IsAbs(e.Path) || !filepath.IsAbs(e.Backing) {
			t.Errorf("entry %s: path %q, backing %q; want both absolute", e.Key, e.Path, e.Backing)
		}
		out, err := exec.Command("qemu-img", "info", "--output=json", e.Path).Output()
		if err != nil {
			t.Fatalf("qemu-img info %s: %v", e.Path, err)
		}
		var info struct {
			Backing string `json:"full-backing-filename"`
		}
		if err := json.Unmarshal(out, &info); err != nil || info.Backing != e.Backing {
			t.Errorf("layer %s sits on %q (%v), want %q", e.Path, info.Backing, err, e.Backing)
		}
	}
	if out, err := exec.Command("qemu-img", "info", "--backing-chain", chain[1].Path).CombinedOutput(); err != nil {
		t.Fatalf("the chain does not open: %v: %s", err, out)
	}
	_, err := f.c.Put(context.Background(), "local", stepcache.Layer{File: chain[0].Path, Key: key(3), Backing: "base.qcow2"})
	if !errors.Is(err, stepcache.ErrRelativePath) {
		t.Fatalf("Put with a relative backing file: %v, want ErrRelativePath", err)
	}
}
