package stepcache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
)

// A cache's Shared store (an S3 bucket that the worker hosts of a server
// share) is a second tier: a host publishes each entry it makes there, and
// fetches the entries it lacks from there before a build, so that one
// host's build phases serve every host. Each host still reads its disks
// from its own cache (QEMU opens layers by path); the bucket only carries
// them. The layout, under the store's prefix:
//
//	steps/<namespace>/<hex key>.qcow2   the layer (its backing path is
//	                                    the publishing host's; fetching
//	                                    rewrites it)
//	steps/<namespace>/<hex key>.json    its Entry, written after the layer

// sharedKeys are the store keys of an entry.
func sharedKeys(ns, key string) (layer, meta string) {
	base := path.Join("steps", ns, strings.TrimPrefix(key, "sha256:"))
	return base + ".qcow2", base + ".json"
}

// Publish uploads e to the shared store: the layer first, then its
// metadata, so that a host that finds the metadata finds the layer.
func (c *Cache) Publish(ctx context.Context, e *Entry) error {
	if c.Shared == nil {
		return nil
	}
	if err := checkKey(e.Namespace, e.Key); err != nil {
		return err
	}
	layer, meta := sharedKeys(e.Namespace, e.Key)
	if err := c.Shared.Put(ctx, layer, e.Path); err != nil {
		return fmt.Errorf("step cache: publish %s: %w", e.Key, err)
	}
	if err := c.Shared.Put(ctx, meta, strings.TrimSuffix(e.Path, ".qcow2")+".json"); err != nil {
		return fmt.Errorf("step cache: publish %s: %w", e.Key, err)
	}
	return nil
}

// Fetched is what Fetch brought from the shared store.
type Fetched struct {
	Entries int
	Bytes   int64
	Took    time.Duration
}

// Fetch brings entries of keys that this host's cache lacks from the
// shared store: from the first key the local cache cannot serve, each
// entry the store has and that sits on the one before is downloaded and
// stored locally on its parent (base, the local base image, for the first
// key), up to the first the store lacks. Lookup then finds them. Keys are
// as for Lookup.
func (c *Cache) Fetch(ctx context.Context, ns, base string, keys []string) (Fetched, error) {
	var got Fetched
	if c.Shared == nil {
		return got, nil
	}
	if err := mustAbs("base image", base); err != nil {
		return got, err
	}
	start := time.Now()
	defer func() { got.Took = time.Since(start) }()
	// The longest prefix this host has already.
	unlock, err := c.lock(ctx)
	if err != nil {
		return got, err
	}
	have := 0
	for have < len(keys) && keys[have] != "" {
		if _, ok := c.chain(ns, keys[:have+1]); !ok {
			break
		}
		have++
	}
	unlock()
	tmp, err := os.MkdirTemp(c.dirOrTemp(), ".fetch-")
	if err != nil {
		return got, fmt.Errorf("step cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	for j := have; j < len(keys) && keys[j] != ""; j++ {
		if err := checkKey(ns, keys[j]); err != nil {
			return got, err
		}
		layerKey, metaKey := sharedKeys(ns, keys[j])
		metaFile := filepath.Join(tmp, "entry.json")
		if err := c.Shared.Get(ctx, metaKey, metaFile); errors.Is(err, artifacts.ErrNotFound) {
			return got, nil
		} else if err != nil {
			return got, fmt.Errorf("step cache: fetch %s: %w", keys[j], err)
		}
		data, err := os.ReadFile(metaFile)
		if err != nil {
			return got, err
		}
		var e Entry
		if err := json.Unmarshal(data, &e); err != nil {
			return got, fmt.Errorf("step cache: the shared entry %s is damaged: %w", keys[j], err)
		}
		parent, backing := "", base
		if j > 0 {
			parent = keys[j-1]
			if backing, _, err = c.paths(ns, parent); err != nil {
				return got, err
			}
		}
		if e.Key != keys[j] || e.Parent != parent {
			return got, nil // made on another chain: not usable here
		}
		layerFile := filepath.Join(tmp, "layer.qcow2")
		if err := c.Shared.Get(ctx, layerKey, layerFile); errors.Is(err, artifacts.ErrNotFound) {
			return got, nil
		} else if err != nil {
			return got, fmt.Errorf("step cache: fetch %s: %w", keys[j], err)
		}
		stored, err := c.Put(ctx, ns, Layer{File: layerFile, Key: e.Key, Parent: parent, Backing: backing, Empty: e.Empty,
			Component: e.Component, Version: e.Version, Index: e.Index, BuildTime: e.BuildTime})
		if err != nil {
			return got, err
		}
		os.Remove(layerFile)
		got.Entries++
		got.Bytes += stored.Size
	}
	return got, nil
}

// dirOrTemp is the cache directory when it can be made (downloads land on
// the cache's file system, so storing them can reflink), else the system's
// temporary folder.
func (c *Cache) dirOrTemp() string {
	d, err := c.Path()
	if err != nil || os.MkdirAll(d, 0o755) != nil {
		return os.TempDir()
	}
	return d
}
