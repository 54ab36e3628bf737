package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// recordCols are the columns scanRecord reads.
const recordCols = "arn, owner, attrs, data, tags, policy, principals, revision, created_at, updated_at"

// prefixed is recordCols qualified with a table alias.
func prefixed(alias string) string {
	return alias + "." + strings.ReplaceAll(recordCols, ", ", ", "+alias+".")
}

type recordScan struct {
	arn, owner, attrs, tags, policy, principals string
	data                                        sql.NullString
	revision, created, updated                  int64
}

func (r *recordScan) dest() []any {
	return []any{&r.arn, &r.owner, &r.attrs, &r.data, &r.tags, &r.policy, &r.principals, &r.revision, &r.created, &r.updated}
}

// arnCache maps stored ARN texts to their parsed ARNs, so that reading a
// record does not run the (regular expression) ARN parser every time.
// arn.Parse is a pure function of the text, so a cached ARN is exactly what
// parsing would return; only successful parses are cached. The cache is
// shared by every store and emptied when it grows past maxCachedARNs.
var arnCache struct {
	m sync.Map // string -> arn.ARN
	n atomic.Int64
}

const maxCachedARNs = 1 << 16

func parseStoredARN(s string) (arn.ARN, error) {
	if v, ok := arnCache.m.Load(s); ok {
		return v.(arn.ARN), nil
	}
	a, err := arn.Parse(s)
	if err != nil {
		return arn.ARN{}, err
	}
	if arnCache.n.Add(1) > maxCachedARNs {
		arnCache.m.Clear()
		arnCache.n.Store(1)
	}
	arnCache.m.Store(s, a)
	return a, nil
}

func (r *recordScan) record() (store.Record, error) {
	a, err := parseStoredARN(r.arn)
	if err != nil {
		return store.Record{}, fmt.Errorf("store: stored ARN %q does not parse: %w", r.arn, err)
	}
	rec := store.Record{ARN: a, Owner: r.owner, Policy: r.policy, Revision: r.revision,
		CreatedAt: fromMicros(r.created), UpdatedAt: fromMicros(r.updated)}
	if r.data.Valid {
		rec.Data = json.RawMessage(r.data.String)
	}
	if rec.Tags, err = decodeTags(r.tags); err != nil {
		return store.Record{}, fmt.Errorf("store: tags of %s: %w", r.arn, err)
	}
	if rec.Attrs, err = decodeAttrs(r.attrs); err != nil {
		return store.Record{}, fmt.Errorf("store: attributes of %s: %w", r.arn, err)
	}
	if rec.Principals, err = decodeStrings(r.principals); err != nil {
		return store.Record{}, fmt.Errorf("store: principals of %s: %w", r.arn, err)
	}
	if rec.Tags == nil {
		rec.Tags = map[string]string{}
	}
	if len(rec.Principals) == 0 {
		rec.Principals = nil
	}
	return rec, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings always encode
	}
	return string(b)
}

func nullData(d json.RawMessage) (any, error) {
	if len(d) == 0 {
		return nil, nil
	}
	if !json.Valid(d) {
		return nil, fmt.Errorf("store: record data is not valid JSON: %w", store.ErrInvalid)
	}
	return string(d), nil
}

// Put creates rec.
func (e exec) Put(ctx context.Context, rec store.Record) (store.Record, error) {
	id, err := identify(rec.ARN)
	if err != nil {
		return store.Record{}, err
	}
	data, err := nullData(rec.Data)
	if err != nil {
		return store.Record{}, err
	}
	now := e.clock()
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = now
	}
	if rec.UpdatedAt.IsZero() {
		rec.UpdatedAt = rec.CreatedAt
	}
	rec.CreatedAt = rec.CreatedAt.UTC().Truncate(time.Microsecond)
	rec.UpdatedAt = rec.UpdatedAt.UTC().Truncate(time.Microsecond)
	rec.Attrs, rec.Principals, rec.Revision = normAttrs(rec.Attrs), sortedSet(rec.Principals), 1
	if rec.Tags == nil {
		rec.Tags = map[string]string{}
	}
	err = e.write(ctx, func(e exec) error {
		n, err := e.exec(ctx, `INSERT INTO resources (arn_key, arn, type, partition, region, account, workflow_type, name,
			major, minor, patch, build, name_key, version_key, sort_key,
			owner, attrs, data, tags, policy, principals, revision, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT DO NOTHING`,
			id.key, rec.ARN.String(), string(rec.ARN.Type), rec.ARN.Partition, rec.ARN.Region, rec.ARN.Account,
			string(rec.ARN.WorkflowType), rec.ARN.Name, id.major, id.minor, id.patch, id.build,
			id.nameKey, id.versionKey, id.sortKey, rec.Owner, mustJSON(rec.Attrs), data, mustJSON(rec.Tags),
			rec.Policy, mustJSON(nonNil(rec.Principals)), micros(rec.CreatedAt), micros(rec.UpdatedAt))
		if err != nil {
			return fmt.Errorf("store: put %s: %w", rec.ARN, err)
		}
		if n == 0 {
			return fmt.Errorf("store: put %s: a resource with this ARN %w", rec.ARN, store.ErrAlreadyExists)
		}
		if err := e.writeAttrs(ctx, id.key, rec.Attrs, false); err != nil {
			return err
		}
		return e.writePrincipals(ctx, id.key, rec.Principals, false)
	})
	if err != nil {
		return store.Record{}, err
	}
	return rec, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (e exec) writeAttrs(ctx context.Context, key string, attrs map[string][]string, replace bool) error {
	if replace {
		if _, err := e.exec(ctx, `DELETE FROM resource_attrs WHERE arn_key = ?`, key); err != nil {
			return fmt.Errorf("store: clear attributes of %s: %w", key, err)
		}
	}
	for _, k := range sortedKeys(attrs) {
		for _, v := range attrs[k] {
			if _, err := e.exec(ctx, `INSERT INTO resource_attrs (arn_key, name, value) VALUES (?, ?, ?)`, key, k, v); err != nil {
				return fmt.Errorf("store: attribute %s of %s: %w", k, key, err)
			}
		}
	}
	return nil
}

func (e exec) writePrincipals(ctx context.Context, key string, principals []string, replace bool) error {
	if replace {
		if _, err := e.exec(ctx, `DELETE FROM resource_principals WHERE arn_key = ?`, key); err != nil {
			return fmt.Errorf("store: clear principals of %s: %w", key, err)
		}
	}
	for _, p := range principals {
		if _, err := e.exec(ctx, `INSERT INTO resource_principals (arn_key, principal) VALUES (?, ?)`, key, p); err != nil {
			return fmt.Errorf("store: principal %s of %s: %w", p, key, err)
		}
	}
	return nil
}

// Get returns the record with ARN a.
func (e exec) Get(ctx context.Context, a arn.ARN) (store.Record, error) {
	key, err := concreteKey(a)
	if err != nil {
		return store.Record{}, err
	}
	return e.get(ctx, key, a, "")
}

func (e exec) get(ctx context.Context, key string, a arn.ARN, lock string) (store.Record, error) {
	var r recordScan
	ok, err := e.queryRow(ctx, r.dest(), `SELECT `+recordCols+` FROM resources WHERE arn_key = ?`+lock, key)
	if err != nil {
		return store.Record{}, fmt.Errorf("store: get %s: %w", a, err)
	}
	if !ok {
		return store.Record{}, fmt.Errorf("store: resource %s: %w", a, store.ErrNotFound)
	}
	return r.record()
}

// Update replaces the mutable fields of a record at its expected revision.
func (e exec) Update(ctx context.Context, rec store.Record) (store.Record, error) {
	key, err := concreteKey(rec.ARN)
	if err != nil {
		return store.Record{}, err
	}
	data, err := nullData(rec.Data)
	if err != nil {
		return store.Record{}, err
	}
	updated := e.clock()
	attrs, principals := normAttrs(rec.Attrs), sortedSet(rec.Principals)
	tags := rec.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	var out store.Record
	err = e.write(ctx, func(e exec) error {
		n, err := e.exec(ctx, `UPDATE resources SET owner = ?, attrs = ?, data = ?, tags = ?, policy = ?, principals = ?,
			revision = revision + 1, updated_at = ? WHERE arn_key = ? AND revision = ?`,
			rec.Owner, mustJSON(attrs), data, mustJSON(tags), rec.Policy, mustJSON(nonNil(principals)),
			micros(updated), key, rec.Revision)
		if err != nil {
			return fmt.Errorf("store: update %s: %w", rec.ARN, err)
		}
		if n == 0 {
			cur, err := e.get(ctx, key, rec.ARN, "")
			if err != nil {
				return err
			}
			return fmt.Errorf("store: update %s at revision %d: it is at revision %d, %w",
				rec.ARN, rec.Revision, cur.Revision, store.ErrRevisionMismatch)
		}
		if err := e.writeAttrs(ctx, key, attrs, true); err != nil {
			return err
		}
		if err := e.writePrincipals(ctx, key, principals, true); err != nil {
			return err
		}
		out, err = e.get(ctx, key, rec.ARN, "")
		return err
	})
	return out, err
}

// UpdateTags sets and removes tags.
func (e exec) UpdateTags(ctx context.Context, a arn.ARN, set map[string]string, remove []string) (store.Record, error) {
	key, err := concreteKey(a)
	if err != nil {
		return store.Record{}, err
	}
	var out store.Record
	err = e.write(ctx, func(e exec) error {
		cur, err := e.get(ctx, key, a, e.d.LockUpdate)
		if err != nil {
			return err
		}
		for k, v := range set {
			cur.Tags[k] = v
		}
		for _, k := range remove {
			delete(cur.Tags, k)
		}
		if _, err := e.exec(ctx, `UPDATE resources SET tags = ?, revision = revision + 1, updated_at = ? WHERE arn_key = ?`,
			mustJSON(cur.Tags), micros(e.clock()), key); err != nil {
			return fmt.Errorf("store: tag %s: %w", a, err)
		}
		out, err = e.get(ctx, key, a, "")
		return err
	})
	return out, err
}

// SetPolicy replaces the policy and its principals.
func (e exec) SetPolicy(ctx context.Context, a arn.ARN, policy string, principals []string) (store.Record, error) {
	key, err := concreteKey(a)
	if err != nil {
		return store.Record{}, err
	}
	principals = sortedSet(principals)
	var out store.Record
	err = e.write(ctx, func(e exec) error {
		n, err := e.exec(ctx, `UPDATE resources SET policy = ?, principals = ?, revision = revision + 1, updated_at = ?
			WHERE arn_key = ?`, policy, mustJSON(nonNil(principals)), micros(e.clock()), key)
		if err != nil {
			return fmt.Errorf("store: set policy of %s: %w", a, err)
		}
		if n == 0 {
			return fmt.Errorf("store: resource %s: %w", a, store.ErrNotFound)
		}
		if err := e.writePrincipals(ctx, key, principals, true); err != nil {
			return err
		}
		out, err = e.get(ctx, key, a, "")
		return err
	})
	return out, err
}

// Delete removes an unreferenced record.
func (e exec) Delete(ctx context.Context, a arn.ARN) error {
	key, err := concreteKey(a)
	if err != nil {
		return err
	}
	return e.write(ctx, func(e exec) error {
		var k string
		ok, err := e.queryRow(ctx, []any{&k}, `SELECT arn_key FROM resources WHERE arn_key = ?`+e.d.LockUpdate, key)
		if err != nil {
			return fmt.Errorf("store: delete %s: %w", a, err)
		}
		if !ok {
			return fmt.Errorf("store: delete %s: %w", a, store.ErrNotFound)
		}
		rows, err := e.query(ctx, `SELECT r.arn FROM resource_refs f JOIN resources r ON r.arn_key = f.from_key
			WHERE f.to_key = ? ORDER BY r.arn`, key)
		if err != nil {
			return fmt.Errorf("store: delete %s: find references: %w", a, err)
		}
		var by []arn.ARN
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return fmt.Errorf("store: delete %s: %w", a, err)
			}
			ref, err := arn.Parse(s)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: stored ARN %q does not parse: %w", s, err)
			}
			by = append(by, ref)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: delete %s: %w", a, err)
		}
		if len(by) > 0 {
			return &store.ReferencedError{ARN: a, By: by}
		}
		if _, err := e.exec(ctx, `DELETE FROM resources WHERE arn_key = ?`, key); err != nil {
			return fmt.Errorf("store: delete %s: %w", a, err)
		}
		return nil
	})
}

// SetReferences replaces the references from a record.
func (e exec) SetReferences(ctx context.Context, from arn.ARN, to []arn.ARN) error {
	fromKey, err := concreteKey(from)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(to))
	names := map[string]arn.ARN{}
	for _, t := range to {
		k, err := concreteKey(t)
		if err != nil {
			return err
		}
		keys = append(keys, k)
		names[k] = t
	}
	keys = sortedSet(keys) // a stable lock order
	return e.write(ctx, func(e exec) error {
		var k string
		for _, key := range append([]string{fromKey}, keys...) {
			lock := e.d.LockShare
			if key == fromKey {
				lock = e.d.LockUpdate
			}
			ok, err := e.queryRow(ctx, []any{&k}, `SELECT arn_key FROM resources WHERE arn_key = ?`+lock, key)
			if err != nil {
				return fmt.Errorf("store: set references of %s: %w", from, err)
			}
			if !ok {
				what := from
				if key != fromKey {
					what = names[key]
				}
				return fmt.Errorf("store: set references of %s: resource %s: %w", from, what, store.ErrNotFound)
			}
		}
		if _, err := e.exec(ctx, `DELETE FROM resource_refs WHERE from_key = ?`, fromKey); err != nil {
			return fmt.Errorf("store: set references of %s: %w", from, err)
		}
		for _, key := range keys {
			if _, err := e.exec(ctx, `INSERT INTO resource_refs (from_key, to_key) VALUES (?, ?)`, fromKey, key); err != nil {
				return fmt.Errorf("store: set references of %s: %w", from, err)
			}
		}
		return nil
	})
}

// NextBuildNumber allocates a build number for a version.
func (e exec) NextBuildNumber(ctx context.Context, version arn.ARN) (int, error) {
	if version.Version.IsZero() || version.Version.IsWildcard() {
		return 0, fmt.Errorf("store: build numbers belong to a concrete version, not %q: %w", version, store.ErrInvalid)
	}
	version = canonical(version.VersionARN())
	var next int64
	err := e.write(ctx, func(e exec) error {
		var maxBuild int64
		if _, err := e.queryRow(ctx, []any{&maxBuild}, `SELECT COALESCE(MAX(build), 0) FROM resources
			WHERE type = ? AND version_key = ?`, string(version.Type), versionKeyOf(version)); err != nil {
			return fmt.Errorf("store: next build number of %s: %w", version, err)
		}
		ok, err := e.queryRow(ctx, []any{&next}, `INSERT INTO build_counters (version_arn, last) VALUES (?, ?)
			ON CONFLICT (version_arn) DO UPDATE SET last = `+e.d.Greatest+`(build_counters.last, ?) + 1
			RETURNING last`, version.String(), maxBuild+1, maxBuild)
		if err == nil && !ok {
			err = fmt.Errorf("no row returned")
		}
		if err != nil {
			return fmt.Errorf("store: next build number of %s: %w", version, err)
		}
		return nil
	})
	if err == nil && next > arn.MaxNode {
		return 0, fmt.Errorf("store: %s has used every build number: %w", version, store.ErrInvalid)
	}
	return int(next), err
}
