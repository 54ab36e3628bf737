// Package stepcache stores the disk state of build VMs after each
// component's build phase, so a rebuild starts from the last unchanged
// component instead of the base image.
//
// An entry is one qcow2 layer: the clusters a component's build phase
// wrote, with its backing file set to the entry of the component before it
// (or to the base image for the first one). A chain of entries is the disk
// after those components. Entries are keyed by the build's cache keys
// (sha256 over the base image digest, the working directory, the disk size
// and, in order, every component so far: document digest, version and
// parameter values), so a changed component, parameter or base misses the
// cache from that component on.
//
// On disk, under Dir:
//
//	<namespace>/<hex key>.qcow2   the layer
//	<namespace>/<hex key>.json    its Entry (component, parent, size, use)
//	lock                          flock held while the index changes
//
// A namespace isolates entries: the server uses the account id, so entries
// are never shared between accounts; `goldsmith build` uses "local".
//
// Eviction is least-recently-used by total size. Using an entry touches its
// whole chain, so a parent is never older than its children and eviction
// takes children first; evicting an entry also removes every entry built on
// it (they cannot be used without it).
package stepcache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/fileutil"
)

// DefaultMaxBytes is the default size limit: 20 GiB.
const DefaultMaxBytes = 20 << 30

// Cache is a step cache in a directory.
type Cache struct {
	// Dir holds the cache; default $XDG_CACHE_HOME/goldsmith/steps.
	Dir string
	// MaxBytes is the size limit; entries beyond it are evicted, least
	// recently used first. Default DefaultMaxBytes.
	MaxBytes int64
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Shared, when set, is a store that several hosts' caches share
	// (Publish and Fetch; see shared.go).
	Shared artifacts.Store
}

// Entry describes a cached layer.
type Entry struct {
	Key       string `json:"key"`       // sha256:<hex>
	Namespace string `json:"namespace"` // account id, or "local"
	Parent    string `json:"parent,omitempty"`
	// Backing is the file the layer sits on: the parent's layer or the
	// base image.
	Backing   string `json:"backing"`
	Component string `json:"component"`
	Version   string `json:"version,omitempty"`
	Index     int    `json:"index"` // position in the recipe, from 0
	// BuildTime is how long the component's build phase took when the
	// entry was made: what a hit saves.
	BuildTime time.Duration `json:"buildTimeNs"`
	Size      int64         `json:"size"`
	// StateSize is the size of the saved VM state stored with the layer
	// (the build VM's memory and devices at the instant the layer was
	// frozen): a build resumes that VM instead of booting. 0: no state.
	StateSize int64 `json:"stateSize,omitempty"`
	// Empty: the layer is an empty overlay (the component has no build
	// phase): the disk is its parent's, and so is the VM state that fits.
	Empty    bool      `json:"empty,omitempty"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"lastUsed"`
	Hits     int       `json:"hits"`

	// Path is the layer file (not stored).
	Path string `json:"-"`
}

// StatePath is the file of the entry's saved VM state; it exists only when
// StateSize > 0.
func (e *Entry) StatePath() string { return strings.TrimSuffix(e.Path, ".qcow2") + ".state" }

// Resumable returns the saved VM state that fits the disk of the last of
// chain (entries as Lookup returns them): its own, or, when it and the
// entries before it are empty, that of the nearest one before them with a
// state. "" when there is none.
func Resumable(chain []*Entry) string {
	for j := len(chain) - 1; j >= 0; j-- {
		if chain[j].StateSize > 0 {
			return chain[j].StatePath()
		}
		if !chain[j].Empty {
			return ""
		}
	}
	return ""
}

// Bytes is what the entry takes on disk: its layer and its VM state.
func (e *Entry) Bytes() int64 { return e.Size + e.StateSize }

// Layer is a layer to store: the file (a qcow2 the caller no longer
// writes), and what it is.
type Layer struct {
	File      string
	Key       string
	Parent    string // "" for the first component
	Backing   string // the parent's layer path, or the base image
	Component string
	Version   string
	Index     int
	BuildTime time.Duration
	// Empty marks an empty overlay (see Entry.Empty).
	Empty bool
	// State, when set, is a saved VM state that matches the layer; Put
	// moves it into the cache (the caller's file is gone afterwards).
	State string
	// ParentCreated is the Created time of the parent entry the layer was
	// made on. Put refuses the layer when the parent has since been
	// replaced or evicted: the layer would sit on a different disk.
	ParentCreated time.Time
}

var keyRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
var nsRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Path is the cache directory, absolute: entries record the paths of the
// layers they sit on, and QEMU resolves a relative backing path from the
// layer's own folder, not from the working directory (a relative Dir is
// made absolute against the working directory here).
func (c *Cache) Path() (string, error) {
	d := c.Dir
	if d == "" {
		u, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("step cache: no cache directory (set XDG_CACHE_HOME or --cache-dir): %w", err)
		}
		d = filepath.Join(u, "goldsmith", "steps")
	}
	abs, err := filepath.Abs(d)
	if err != nil {
		return "", fmt.Errorf("step cache: folder %s: give an absolute path: %w", d, err)
	}
	return abs, nil
}

// ErrRelativePath is returned for a layer or backing file given by a
// relative path: QEMU would resolve it from the layer's folder.
var ErrRelativePath = errors.New("step cache: relative path")

// mustAbs checks that the paths of a layer to store are absolute.
func mustAbs(what, p string) error {
	if !filepath.IsAbs(p) {
		return fmt.Errorf("%w: %s %q must be absolute (QEMU reads a relative backing path from the layer's folder)", ErrRelativePath, what, p)
	}
	return nil
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Cache) maxBytes() int64 {
	if c.MaxBytes > 0 {
		return c.MaxBytes
	}
	return DefaultMaxBytes
}

func checkKey(ns, key string) error {
	if !nsRE.MatchString(ns) {
		return fmt.Errorf("step cache: namespace %q: use letters, digits, '.', '_' and '-'", ns)
	}
	if !keyRE.MatchString(key) {
		return fmt.Errorf("step cache: key %q is not sha256:<64 hex digits>", key)
	}
	return nil
}

func (c *Cache) paths(ns, key string) (layer, meta string, err error) {
	if err := checkKey(ns, key); err != nil {
		return "", "", err
	}
	d, err := c.Path()
	if err != nil {
		return "", "", err
	}
	base := filepath.Join(d, ns, strings.TrimPrefix(key, "sha256:"))
	return base + ".qcow2", base + ".json", nil
}

// lock takes the cache's exclusive lock; the returned func releases it.
func (c *Cache) lock(ctx context.Context) (func(), error) {
	d, err := c.Path()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		return nil, fmt.Errorf("step cache: create %s: %w", d, err)
	}
	f, err := os.OpenFile(filepath.Join(d, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("step cache: %w", err)
	}
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("step cache: lock %s: %w", f.Name(), err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func readEntry(meta string) (*Entry, error) {
	data, err := os.ReadFile(meta)
	if err != nil {
		return nil, err
	}
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("step cache: %s is damaged: %w", meta, err)
	}
	e.Path = strings.TrimSuffix(meta, ".json") + ".qcow2"
	return &e, nil
}

func writeEntry(meta string, e *Entry) error {
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	tmp := meta + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, meta)
}

// Lookup finds the longest cached prefix of keys (the cache keys of a
// recipe's components, in order) and returns its entries, one per cached
// leading component: the last one's Path is the disk to start from. Found
// entries are marked used. Keys may be "" for
// components that are not cached: the prefix stops before them.
func (c *Cache) Lookup(ctx context.Context, ns string, keys []string) ([]*Entry, error) {
	if !nsRE.MatchString(ns) {
		return nil, fmt.Errorf("step cache: namespace %q: use letters, digits, '.', '_' and '-'", ns)
	}
	unlock, err := c.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	n := len(keys)
	for i, k := range keys {
		if k == "" {
			n = i
			break
		}
	}
	for i := n; i > 0; i-- {
		chain, ok := c.chain(ns, keys[:i])
		if !ok {
			continue
		}
		now := c.now()
		for j, e := range chain {
			e.LastUsed = now
			if j == i-1 {
				e.Hits++
			}
			_ = writeEntry(strings.TrimSuffix(e.Path, ".qcow2")+".json", e)
		}
		return chain, nil
	}
	return nil, nil
}

// chain returns the entries of keys when each is cached on the one before
// it (keys are cumulative, but entries may come from different builds)
// and the first sits on an existing base.
func (c *Cache) chain(ns string, keys []string) ([]*Entry, bool) {
	out := make([]*Entry, len(keys))
	for j, k := range keys {
		layer, meta, err := c.paths(ns, k)
		if err != nil {
			return nil, false
		}
		e, err := readEntry(meta)
		if err != nil || e.Path != layer {
			return nil, false
		}
		if _, err := os.Stat(layer); err != nil {
			return nil, false
		}
		want := ""
		if j > 0 {
			want = keys[j-1]
		}
		if e.Parent != want || !filepath.IsAbs(e.Backing) {
			// A relative backing path (stored by an older goldsmith)
			// does not open: QEMU reads it from the layer's folder.
			return nil, false
		}
		if j == 0 {
			if _, err := os.Stat(e.Backing); err != nil {
				return nil, false
			}
		}
		out[j] = e
	}
	return out, true
}

// Put stores a layer: the file is copied (reflinked where the file system
// can) into the cache, its backing pointer set to l.Backing, and the cache
// trimmed to its size limit. The caller's file is left alone.
func (c *Cache) Put(ctx context.Context, ns string, l Layer) (*Entry, error) {
	layer, meta, err := c.paths(ns, l.Key)
	if err != nil {
		return nil, err
	}
	if l.Parent != "" {
		if err := checkKey(ns, l.Parent); err != nil {
			return nil, err
		}
	}
	if err := mustAbs("backing file", l.Backing); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(layer), 0o755); err != nil {
		return nil, fmt.Errorf("step cache: %w", err)
	}
	// Copy outside the lock: it is the slow part.
	tmp := fmt.Sprintf("%s.%d.tmp", layer, os.Getpid())
	if err := fileutil.Clone(tmp, l.File); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("step cache: copy the layer: %w", err)
	}
	if out, err := exec.CommandContext(ctx, "qemu-img", "rebase", "-u", "-f", "qcow2", "-F", "qcow2", "-b", l.Backing, tmp).CombinedOutput(); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("step cache: set the layer's backing file: %w: %s", err, out)
	}
	st, err := os.Stat(tmp)
	if err != nil {
		return nil, err
	}
	var stateSize int64
	stateTmp := fmt.Sprintf("%s.%d.state.tmp", layer, os.Getpid())
	if l.State != "" {
		if err := moveFile(stateTmp, l.State); err != nil {
			os.Remove(tmp)
			return nil, fmt.Errorf("step cache: store the VM state: %w", err)
		}
		if st, err := os.Stat(stateTmp); err == nil {
			stateSize = st.Size()
		}
	}
	fail := func(err error) (*Entry, error) {
		os.Remove(tmp)
		os.Remove(stateTmp)
		return nil, err
	}
	unlock, err := c.lock(ctx)
	if err != nil {
		return fail(err)
	}
	defer unlock()
	if l.Parent != "" {
		_, pm, _ := c.paths(ns, l.Parent)
		pe, err := readEntry(pm)
		if err != nil || (!l.ParentCreated.IsZero() && !pe.Created.Equal(l.ParentCreated)) {
			return fail(fmt.Errorf("step cache: the entry %s this layer was made on was replaced or evicted while the build ran: not stored", l.Parent))
		}
	}
	// Replacing an entry (a --no-cache build, or two builds at once):
	// what was built on the old layer does not fit the new one.
	if _, err := os.Stat(meta); err == nil {
		entries, _ := c.List(ctx)
		for _, old := range entries {
			if old.Namespace == ns && old.Key == l.Key {
				c.removeTree(entries, old)
			}
		}
	}
	now := c.now()
	e := &Entry{Key: l.Key, Namespace: ns, Parent: l.Parent, Backing: l.Backing, Component: l.Component,
		Version: l.Version, Index: l.Index, BuildTime: l.BuildTime, Size: st.Size(), StateSize: stateSize, Empty: l.Empty,
		Created: now, LastUsed: now, Path: layer}
	if err := os.Rename(tmp, layer); err != nil {
		return fail(fmt.Errorf("step cache: %w", err))
	}
	if stateSize > 0 {
		if err := os.Rename(stateTmp, e.StatePath()); err != nil {
			os.Remove(layer)
			return fail(fmt.Errorf("step cache: %w", err))
		}
	}
	if err := writeEntry(meta, e); err != nil {
		os.Remove(layer)
		os.Remove(e.StatePath())
		return nil, fmt.Errorf("step cache: %w", err)
	}
	if l.Parent != "" { // the parent was used to make this entry
		if _, pm, err := c.paths(ns, l.Parent); err == nil {
			if pe, err := readEntry(pm); err == nil {
				pe.LastUsed = now
				_ = writeEntry(pm, pe)
			}
		}
	}
	if _, err := c.trim(c.maxBytes(), e.Key); err != nil {
		return e, err
	}
	return e, nil
}

// List returns every entry, in all namespaces, most recently used first.
func (c *Cache) List(ctx context.Context) ([]*Entry, error) {
	d, err := c.Path()
	if err != nil {
		return nil, err
	}
	metas, err := filepath.Glob(filepath.Join(d, "*", "*.json"))
	if err != nil {
		return nil, err
	}
	var out []*Entry
	for _, m := range metas {
		// Only entries: a JSON file that is not one (say an output folder
		// put inside the cache) is none of the cache's business.
		e, err := readEntry(m)
		if err != nil || checkKey(e.Namespace, e.Key) != nil || filepath.Base(m) != strings.TrimPrefix(e.Key, "sha256:")+".json" {
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *Entry) int {
		if c := b.LastUsed.Compare(a.LastUsed); c != 0 {
			return c
		}
		return a.Index - b.Index
	})
	return out, nil
}

// PruneOptions select what Prune removes.
type PruneOptions struct {
	All       bool          // every entry
	OlderThan time.Duration // entries not used for this long (0: no age limit)
	MaxBytes  int64         // then trim to this size (0: the cache's limit)
}

// Prune removes entries and returns the removed ones.
func (c *Cache) Prune(ctx context.Context, o PruneOptions) ([]*Entry, error) {
	unlock, err := c.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var removed []*Entry
	if o.All || o.OlderThan > 0 {
		entries, err := c.List(ctx)
		if err != nil {
			return nil, err
		}
		cut := c.now().Add(-o.OlderThan)
		for _, e := range entries {
			if o.All || e.LastUsed.Before(cut) {
				removed = append(removed, c.removeTree(entries, e)...)
			}
		}
	}
	limit := o.MaxBytes
	if limit <= 0 {
		limit = c.maxBytes()
	}
	more, err := c.trim(limit, "")
	return append(removed, more...), err
}

// trim evicts least-recently-used entries (and what is built on them)
// until the cache fits in limit; keep is never evicted. Call it locked.
func (c *Cache) trim(limit int64, keep string) ([]*Entry, error) {
	entries, err := c.List(context.Background())
	if err != nil {
		return nil, err
	}
	var total int64
	for _, e := range entries {
		total += e.Bytes()
	}
	// keep and its ancestors stay; no other entry has them in its tree.
	protected := map[string]bool{}
	byKey := map[string]*Entry{}
	for _, e := range entries {
		byKey[e.Namespace+" "+e.Key] = e
	}
	for _, e := range entries {
		if e.Key != keep {
			continue
		}
		for a := e; a != nil && !protected[a.Namespace+" "+a.Key]; a = byKey[a.Namespace+" "+a.Parent] {
			protected[a.Namespace+" "+a.Key] = true
		}
	}
	var removed []*Entry
	for i := len(entries) - 1; i >= 0 && total > limit; i-- {
		e := entries[i]
		if protected[e.Namespace+" "+e.Key] || e.Path == "" {
			continue
		}
		for _, r := range c.removeTree(entries, e) {
			total -= r.Bytes()
			removed = append(removed, r)
		}
	}
	return removed, nil
}

// removeTree removes e and every entry whose chain includes it; it marks
// the removed ones in entries (Path = "") and returns them.
func (c *Cache) removeTree(entries []*Entry, e *Entry) []*Entry {
	if e.Path == "" {
		return nil
	}
	var out []*Entry
	for _, child := range entries {
		if child.Namespace == e.Namespace && child.Parent == e.Key && child.Path != "" {
			out = append(out, c.removeTree(entries, child)...)
		}
	}
	os.Remove(e.Path)
	os.Remove(e.StatePath())
	os.Remove(strings.TrimSuffix(e.Path, ".qcow2") + ".json")
	cp := *e
	out = append(out, &cp)
	e.Path = ""
	return out
}

// Size returns the total size of the entries, with their VM states.
func Size(entries []*Entry) int64 {
	var n int64
	for _, e := range entries {
		n += e.Bytes()
	}
	return n
}

// moveFile moves src to dst: a rename on the same file system, else a
// copy (reflinked where possible) and the removal of src.
func moveFile(dst, src string) error {
	if err := os.Rename(src, dst); err == nil {
		return nil
	}
	if err := fileutil.Clone(dst, src); err != nil {
		os.Remove(dst)
		return err
	}
	return os.Remove(src)
}
