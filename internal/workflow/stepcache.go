package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/machine"
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
	// Boot is the booted base: the build VM's disk and memory right after
	// its first boot, the root of every entry. Status hit (it was there)
	// or stored (this build booted and saved it).
	Boot *CacheUse `json:"boot,omitempty"`
	// Resumed is the entry whose saved VM state the build VM resumed
	// from, instead of booting; "" when it booted.
	Resumed string `json:"resumed,omitempty"`
	// Fetched is what came from the shared cache (other hosts' entries)
	// before the lookup; nil without a shared cache.
	Fetched *stepcache.Fetched `json:"fetched,omitempty"`
	// Warning says why saving an entry failed, "" when nothing failed. It
	// does not fail the build: the image does not depend on the cache.
	Warning string `json:"warning,omitempty"`
}

// cacheState is the build's step-cache bookkeeping.
type cacheState struct {
	bootKey       string    // the key of the booted base (see bootKey)
	bootHit       bool      // the booted base came from the cache
	resume        string    // the saved VM state to start from, if any
	resumed       bool      // the build VM was resumed from it
	launched      time.Time // when the build VM was launched
	start         int       // components whose build phases come from the cache
	backing       string    // the layer (or base) the next entry sits on
	parent        string    // the key of that layer; "" for the base
	parentCreated time.Time // that entry's Created time
	off           string    // why nothing more is stored ("" while storing)
	buildTimes    map[int]time.Duration
	layers        int    // empty layers made so far
	stateNote     string // why the last checkpoint had no saved state, as logged
}

// bootKey sets the key of the booted base: the build machine right after
// its first boot, disk and memory, before its disk grows to the recipe's
// size. It covers everything the saved state depends on: the base image,
// the machines (for QEMU: its version, accelerator, CPU model, firmware),
// their memory, CPUs and network, and the guest agent, which runs from a
// disk mounted in the saved guest.
func (b *vmBuild) bootKey(ctx context.Context) error {
	agentDigest, err := fileDigest(b.agentBin)
	if err != nil {
		return err
	}
	h := sha256.New()
	fmt.Fprintf(h, "goldsmith-boot-v3\nbase %s\nmachines %s\n%s\nmemory %d\ncpus %d\nnetwork %t\nagent %s\n",
		b.baseInfo.Digest, b.machines.Kind, b.machines.StateKey, b.opts.MemoryMiB, b.opts.CPUs, !b.opts.NoNetwork, agentDigest)
	b.cache.bootKey = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return nil
}

// resumeScript prepares a guest resumed from a saved state: the root file
// system was frozen when the state was saved; the apt timers are stopped
// for the rest of the build (on this VM only; the image keeps them), so
// the clock's jump does not start apt-daily in the middle of a package
// install; and the clock is set to the host's.
func resumeScript(now time.Time) string {
	return fmt.Sprintf(`rm -f /run/goldsmith-freeze
fsfreeze -u / 2>/dev/null
systemctl stop apt-daily.timer apt-daily-upgrade.timer 2>/dev/null
date -u -s @%d.%09d >/dev/null
true`, now.Unix(), now.Nanosecond())
}

// lookupCache finds the longest cached prefix of the recipe's components
// and starts the build VM from it.
func (b *vmBuild) lookupCache(ctx context.Context) error {
	b.cache.backing = b.base
	c := b.opts.Cache
	dir, _ := c.Path()
	sum := &CacheSummary{Dir: dir, Namespace: b.opts.CacheNamespace, Read: !b.opts.NoCache}
	b.manifest.Cache = sum
	if !filepath.IsAbs(b.base) {
		b.cache.off = fmt.Sprintf("the base disk %s is a relative path (QEMU would read it from each layer's folder)", b.base)
		return b.cacheWarning(&Skip{Reason: "step cache off: " + b.cache.off})
	}
	if strings.HasPrefix(b.base, b.work+string(filepath.Separator)) {
		b.cache.off = "the base disk was converted for this build only"
		return &Skip{Reason: "step cache off: " + b.cache.off}
	}
	// The booted base comes first: every entry sits on it.
	keys := make([]string, 1+len(b.comps))
	keys[0] = b.cache.bootKey
	for i, comp := range b.comps {
		if comp.NoCache {
			break // keys after an opted-out component are never stored
		}
		keys[1+i] = comp.CacheKey
	}
	if b.opts.NoCache {
		// Every build phase runs, but the booted base is no build phase.
		keys = keys[:1]
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
	if len(chain) == 0 {
		return &Skip{Reason: "step cache: no booted base yet; the build VM boots and every build phase runs"}
	}
	last := chain[len(chain)-1]
	b.cache.bootHit = true
	b.cache.start, b.cache.backing, b.cache.parent, b.cache.parentCreated = len(chain)-1, last.Path, last.Key, last.Created
	b.base = last.Path
	if state := stepcache.Resumable(chain); state != "" {
		b.cache.resume = state
		sum.Resumed = last.Key
	}
	sum.Boot = &CacheUse{Status: "hit", Entry: chain[0].Key, Saved: chain[0].BuildTime, Size: chain[0].Bytes()}
	for i, e := range chain[1:] {
		use := &CacheUse{Status: "hit", Entry: e.Key, Saved: e.BuildTime, Size: e.Bytes()}
		b.comps[i].Cache = use
		sum.Hits++
		sum.Saved += use.Saved
	}
	how := "booting its disk"
	if b.cache.resume != "" {
		how = "resuming its saved VM"
	}
	if n := b.cache.start; n > 0 {
		b.opts.Reporter.Logf("step cache: starting from the state after %s, %s (%d of %d components cached, saves about %s)",
			b.comps[n-1].Name, how, n, len(b.comps), sum.Saved.Round(time.Second))
	} else {
		b.opts.Reporter.Logf("step cache: starting from the booted base, %s", how)
	}
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
// snapshot. A watchdog thaws it if the host never does; it thaws only the
// freeze that started it (a token in /run, a tmpfs, which thawScript
// removes), so a late watchdog never thaws a later freeze.
const freezeScript = `sync
command -v fsfreeze >/dev/null || exit 3
tok=$$.$(date +%s%N)
echo "$tok" > /run/goldsmith-freeze
setsid -f sh -c "sleep 30; [ \"\$(cat /run/goldsmith-freeze 2>/dev/null)\" = $tok ] && fsfreeze -u / 2>/dev/null" >/dev/null 2>&1 </dev/null
fsfreeze -f / || exit 3`

// thawScript ends a freeze of freezeScript.
const thawScript = `rm -f /run/goldsmith-freeze
fsfreeze -u /`

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
	l := stepcache.Layer{Key: c.CacheKey, Component: c.Name, Version: c.Version, Index: c.Index, BuildTime: b.cache.buildTimes[c.Index]}
	var e *stepcache.Entry
	var err error
	if c.HasPhase("build") {
		e, err = b.saveEntry(ctx, l)
	} else {
		e, err = b.saveEmpty(ctx, l)
	}
	if err != nil {
		return b.cacheFailed(c, err)
	}
	c.Cache = &CacheUse{Status: "stored", Entry: e.Key, Size: e.Bytes(), Capture: time.Since(start)}
	return nil
}

// storeBoot saves the booted base, when the cache did not have it.
func (b *vmBuild) storeBoot(ctx context.Context) error {
	sum := b.manifest.Cache
	switch {
	case b.cache.bootHit:
		return &Skip{Reason: "the booted base came from the cache"}
	case b.cache.off != "":
		return &Skip{Reason: "step cache off: " + b.cache.off}
	}
	start := time.Now()
	e, err := b.saveEntry(ctx, stepcache.Layer{Key: b.cache.bootKey, Component: "(boot)", Index: -1,
		BuildTime: start.Sub(b.cache.launched)})
	if err != nil {
		b.cache.off = "saving the booted base failed: " + err.Error()
		sum.Boot = &CacheUse{Status: "unavailable", Note: b.cache.off}
		return b.cacheWarning(&Skip{Reason: "step cache: " + b.cache.off})
	}
	sum.Boot = &CacheUse{Status: "stored", Entry: e.Key, Size: e.Bytes(), Capture: time.Since(start)}
	return nil
}

// saveEmpty stores the entry of a component without a build phase: its
// disk is its parent's, so the entry is an empty overlay on it, without a
// state of its own (a build resumes the parent's; see stepcache.Resumable).
// The VM is not touched.
func (b *vmBuild) saveEmpty(ctx context.Context, l stepcache.Layer) (*stepcache.Entry, error) {
	b.cache.layers++
	file := filepath.Join(b.work, fmt.Sprintf("empty-layer-%02d.qcow2", b.cache.layers))
	if !filepath.IsAbs(b.cache.backing) {
		return nil, fmt.Errorf("make an empty layer: %w: backing file %q", stepcache.ErrRelativePath, b.cache.backing)
	}
	out, err := exec.CommandContext(ctx, "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", b.cache.backing, file).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("make an empty layer: %w: %s", err, out)
	}
	defer os.Remove(file)
	l.File, l.Empty = file, true
	return b.putEntry(ctx, l)
}

// putEntry stores l on the entry the build stands on, makes it the one the
// next entry stands on, and publishes it to the shared tier.
func (b *vmBuild) putEntry(ctx context.Context, l stepcache.Layer) (*stepcache.Entry, error) {
	l.Parent, l.ParentCreated, l.Backing = b.cache.parent, b.cache.parentCreated, b.cache.backing
	e, err := b.opts.Cache.Put(ctx, b.opts.CacheNamespace, l)
	if err != nil {
		return nil, err
	}
	b.cache.parent, b.cache.parentCreated, b.cache.backing = e.Key, e.Created, e.Path
	if err := b.opts.Cache.Publish(ctx, e); err != nil {
		b.opts.Reporter.Logf("%v; the entry stays on this host", err)
	}
	return e, nil
}

// saveEntry captures the build machine as a cache entry on the current
// one: the guest flushes and freezes its root file system, the machine
// checkpoints (the disk's top layer frozen, and its state saved when it
// can), the guest is thawed, and the layer and the state are moved into
// the cache and published to the shared tier. A machine that cannot
// checkpoint makes no entries.
func (b *vmBuild) saveEntry(ctx context.Context, l stepcache.Layer) (*stepcache.Entry, error) {
	cpr, ok := b.buildVM.(machine.Checkpointer)
	if !ok {
		return nil, fmt.Errorf("%s machines cannot checkpoint", b.machines.Kind)
	}
	start := time.Now()
	frozen := false
	if out, err := execGuest(ctx, b.buildAgent, freezeScript); err == nil {
		frozen = true
	} else {
		b.opts.Reporter.Logf("could not freeze the guest's root file system (%v %s); the entry is crash-consistent after sync", err, strings.TrimSpace(out))
	}
	froze := time.Since(start)
	cp, cpErr := cpr.Checkpoint(ctx)
	if cpErr == nil && cp.NoState != "" && cp.NoState != b.cache.stateNote {
		b.cache.stateNote = cp.NoState
		b.opts.Reporter.Logf("step cache: %s; entries have their disk only", cp.NoState)
	}
	if frozen {
		if out, err := execGuest(ctx, b.buildAgent, thawScript); err != nil {
			os.Remove(cp.State)
			return nil, fmt.Errorf("thaw the guest's root file system: %w: %s", err, out)
		}
	}
	if cpErr != nil {
		return nil, cpErr
	}
	l.File, l.State = cp.Layer, cp.State
	paused := time.Since(start)
	e, err := b.putEntry(ctx, l)
	if err != nil {
		os.Remove(cp.State)
		return nil, err
	}
	b.opts.Reporter.Logf("step cache: saved %s: disk layer %.1f MiB, machine state %.0f MiB (freeze %s, state %s, until running again %s, stored after %s)",
		l.Component, float64(e.Size)/(1<<20), float64(e.StateSize)/(1<<20), froze.Round(time.Millisecond),
		cp.StateTook.Round(time.Millisecond), paused.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return e, nil
}

// cacheFailed records a failure to save an entry: the build goes on
// without the cache.
func (b *vmBuild) cacheFailed(c *Component, err error) error {
	b.cache.off = fmt.Sprintf("saving the entry after component %s failed: %v", c.Name, err)
	c.Cache = &CacheUse{Status: "unavailable", Note: b.cache.off}
	return b.cacheWarning(&Skip{Reason: "step cache: " + b.cache.off})
}

// cacheWarning reports why the cache is off (b.cache.off) as a warning in
// the build output and the manifest, and returns skip. The build goes on:
// the image does not depend on the cache, only later builds' speed does.
func (b *vmBuild) cacheWarning(skip *Skip) error {
	if b.manifest.Cache != nil && b.manifest.Cache.Warning == "" {
		b.manifest.Cache.Warning = b.cache.off
	}
	b.opts.Reporter.Logf("WARNING: step cache: %s; the build goes on without the cache, so the next build runs these phases again", b.cache.off)
	return skip
}
