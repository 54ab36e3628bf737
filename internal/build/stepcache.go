package build

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/stepcache"
)

// CacheUse is what the step cache did for one component's build phase.
type CacheUse struct {
	// Status: hit (the build phase did not run, its disk state came from
	// the cache), stored (it ran and its state was saved), disabled (the
	// recipe or the build turned the cache off for it), or unavailable (an
	// earlier component was not cached, or saving failed: see Note).
	Status string `json:"status"`
	Entry  string `json:"entry,omitempty"` // the entry's key
	// Saved is the build-phase time a hit did not spend (as measured when
	// the entry was made).
	Saved time.Duration `json:"savedNs,omitempty"`
	// Capture is what saving the entry cost (freeze, snapshot, copy, and
	// publishing it to the shared cache when there is one).
	Capture time.Duration `json:"captureNs,omitempty"`
	Size    int64         `json:"size,omitempty"`
	Note    string        `json:"note,omitempty"`
}

// CacheSummary is the step cache's part of the manifest.
type CacheSummary struct {
	Dir       string        `json:"dir"`
	Namespace string        `json:"namespace"`
	Read      bool          `json:"read"` // false with --no-cache
	Hits      int           `json:"hits"`
	Saved     time.Duration `json:"savedNs"`
	// Fetched is what came from the shared cache (other hosts' entries)
	// before the lookup; nil without a shared cache.
	Fetched *stepcache.Fetched `json:"fetched,omitempty"`
}

// cacheState is the build's step-cache bookkeeping.
type cacheState struct {
	start      int    // components whose build phases come from the cache
	backing    string // the layer (or base) the next entry sits on
	parent     string // the key of that layer; "" for the base
	off        string // why nothing more is stored ("" while storing)
	buildTimes map[int]time.Duration
	layers     int
}

// lookupCache finds the longest cached prefix of the recipe's components
// and starts the build VM from it.
func (b *vmBuild) lookupCache(ctx context.Context) error {
	b.cache.backing = b.base
	c := b.opts.Cache
	dir, _ := c.Path()
	sum := &CacheSummary{Dir: dir, Namespace: b.opts.CacheNamespace, Read: !b.opts.NoCache}
	b.manifest.Cache = sum
	if strings.HasPrefix(b.base, b.work+string(filepath.Separator)) {
		b.cache.off = "the base disk was converted for this build only"
		return &Skip{Reason: "step cache off: " + b.cache.off}
	}
	keys := make([]string, len(b.comps))
	for i, comp := range b.comps {
		if comp.NoCache {
			break // keys after an opted-out component are never stored
		}
		keys[i] = comp.CacheKey
	}
	if b.opts.NoCache {
		return &Skip{Reason: "--no-cache: every build phase runs (new entries are still saved)"}
	}
	if c.Shared != nil {
		got, err := c.Fetch(ctx, b.opts.CacheNamespace, b.base, keys)
		if err != nil {
			b.opts.Reporter.Logf("shared step cache unavailable, using this host's: %v", err)
		} else {
			sum.Fetched = &got
			if got.Entries > 0 {
				b.opts.Reporter.Logf("step cache: fetched %d entries (%.1f MiB) from the shared cache in %s",
					got.Entries, float64(got.Bytes)/(1<<20), got.Took.Round(time.Millisecond))
			}
		}
	}
	chain, err := c.Lookup(ctx, b.opts.CacheNamespace, keys)
	if err != nil {
		b.opts.Reporter.Logf("step cache unavailable, building from the base image: %v", err)
		b.cache.off = err.Error()
		return &Skip{Reason: "step cache unavailable"}
	}
	n := len(chain)
	if n == 0 {
		return &Skip{Reason: "step cache: no entry for the first component; every build phase runs"}
	}
	last := chain[n-1]
	b.cache.start, b.cache.backing, b.cache.parent = n, last.Path, last.Key
	b.base = last.Path
	for i, e := range chain {
		use := &CacheUse{Status: "hit", Entry: e.Key, Saved: e.BuildTime, Size: e.Size}
		b.comps[i].Cache = use
		sum.Hits++
		sum.Saved += use.Saved
	}
	b.opts.Reporter.Logf("step cache: starting from the disk after %s (%d of %d components cached, saves about %s)",
		b.comps[n-1].Name, n, len(b.comps), sum.Saved.Round(time.Second))
	return nil
}

// buildPhaseCached is the build step of a component the cache covers.
func (b *vmBuild) buildPhaseCached(c *Component) error {
	if c.Index < b.cache.start {
		return &Skip{Reason: fmt.Sprintf("step cache hit %s (saves about %s)", shortKey(c.CacheKey), c.Cache.Saved.Round(100*time.Millisecond))}
	}
	return nil
}

func shortKey(k string) string {
	k = strings.TrimPrefix(k, "sha256:")
	if len(k) > 12 {
		k = k[:12]
	}
	return k
}

// freezeScript flushes and freezes the root file system for a consistent
// snapshot. A watchdog thaws it if the host never does.
const freezeScript = `sync
command -v fsfreeze >/dev/null || exit 3
setsid -f sh -c 'sleep 30; fsfreeze -u / 2>/dev/null' >/dev/null 2>&1 </dev/null
fsfreeze -f / || exit 3`

// storeLayer saves the disk state after component c's build phase.
func (b *vmBuild) storeLayer(ctx context.Context, c *Component) error {
	if c.Index < b.cache.start {
		return &Skip{Reason: "cached"}
	}
	if c.NoCache {
		b.cache.off = fmt.Sprintf("component %s has cache: false", c.Name)
		c.Cache = &CacheUse{Status: "disabled", Note: "cache: false in the recipe"}
		return &Skip{Reason: "cache: false; the components after it are not cached either"}
	}
	if b.cache.off != "" {
		c.Cache = &CacheUse{Status: "unavailable", Note: b.cache.off}
		return &Skip{Reason: "step cache off: " + b.cache.off}
	}
	start := time.Now()
	frozen := false
	if out, err := execGuest(ctx, b.buildAgent, freezeScript); err == nil {
		frozen = true
	} else {
		b.opts.Reporter.Logf("could not freeze the guest's root file system (%v %s); the entry is crash-consistent after sync", err, strings.TrimSpace(out))
	}
	b.cache.layers++
	next := filepath.Join(b.buildCfg.Dir, fmt.Sprintf("layer-%02d.qcow2", b.cache.layers))
	layer, snapErr := b.buildVM.Snapshot(ctx, next)
	if frozen {
		if out, err := execGuest(ctx, b.buildAgent, "fsfreeze -u /"); err != nil {
			return fmt.Errorf("thaw the guest's root file system: %w: %s", err, out)
		}
	}
	if snapErr != nil {
		return b.cacheFailed(c, snapErr)
	}
	e, err := b.opts.Cache.Put(ctx, b.opts.CacheNamespace, stepcache.Layer{
		File: layer, Key: c.CacheKey, Parent: b.cache.parent, Backing: b.cache.backing,
		Component: c.Name, Version: c.Version, Index: c.Index, BuildTime: b.cache.buildTimes[c.Index],
	})
	if err != nil {
		return b.cacheFailed(c, err)
	}
	b.cache.parent, b.cache.backing = e.Key, e.Path
	if err := b.opts.Cache.Publish(ctx, e); err != nil {
		b.opts.Reporter.Logf("%v; the entry stays on this host", err)
	}
	c.Cache = &CacheUse{Status: "stored", Entry: e.Key, Size: e.Size, Capture: time.Since(start)}
	return nil
}

// cacheFailed records a failure to save an entry: the build goes on
// without the cache.
func (b *vmBuild) cacheFailed(c *Component, err error) error {
	b.cache.off = "saving an entry failed: " + err.Error()
	c.Cache = &CacheUse{Status: "unavailable", Note: b.cache.off}
	b.opts.Reporter.Logf("step cache: %s; the build goes on without it", b.cache.off)
	return &Skip{Reason: "step cache: " + b.cache.off}
}
