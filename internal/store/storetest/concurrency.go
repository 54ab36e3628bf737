package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

func testBuildNumbers(t *testing.T, b Backend) {
	bu := setup(t, b)
	next := func(s string) int {
		t.Helper()
		return must[int](t, "NextBuildNumber "+s)(bu.s.NextBuildNumber(bu.ctx, mkARN(s)))
	}
	tests := []struct {
		version string
		want    int
	}{
		{acctA + ":component/c/1.0.0", 1},
		{acctA + ":component/c/1.0.0", 2},
		{acctA + ":component/c/1.0.1", 1},
		{acctA + ":component/c/01.00.00", 3}, // the same version, by number
		{acctA + ":component/c/1.0.0/9", 4},  // a build ARN counts as its version
		{acctB + ":component/c/1.0.0", 1},
		{acctA + ":image/c/1.0.0", 1},
		{acctA + ":workflow/build/c/1.0.0", 1},
		{acctA + ":workflow/test/c/1.0.0", 1},
	}
	for _, tt := range tests {
		if got := next(tt.version); got != tt.want {
			t.Errorf("NextBuildNumber(%s) = %d, want %d", tt.version, got, tt.want)
		}
	}
	// Builds stored without allocation (imports) are never handed out.
	bu.putARNs(t, acctA+":component/imported/2.0.0/7")
	if got := next(acctA + ":component/imported/2.0.0"); got != 8 {
		t.Errorf("after storing build 7, NextBuildNumber = %d, want 8", got)
	}
	// Deleting the newest build does not free its number.
	wantErr(t, "Delete", bu.s.Delete(bu.ctx, mkARN(acctA+":component/imported/2.0.0/7")), nil)
	if got := next(acctA + ":component/imported/2.0.0"); got != 9 {
		t.Errorf("after deleting build 7, NextBuildNumber = %d, want 9", got)
	}
	// A rolled-back allocation leaves no gap.
	oops := errors.New("oops")
	err := bu.s.WithTx(bu.ctx, func(tx store.Tx) error {
		n, err := tx.NextBuildNumber(bu.ctx, mkARN(acctA+":component/c/1.0.1"))
		if err != nil || n != 2 {
			t.Errorf("NextBuildNumber in a transaction = %d, %v; want 2", n, err)
		}
		return oops
	})
	wantErr(t, "WithTx", err, oops)
	if got := next(acctA + ":component/c/1.0.1"); got != 2 {
		t.Errorf("after a rollback, NextBuildNumber = %d, want 2", got)
	}
	for _, s := range []string{acctA + ":component/c/1.x.x", acctA + ":component/c"} {
		_, err := bu.s.NextBuildNumber(bu.ctx, mkARN(s))
		wantErr(t, "NextBuildNumber "+s, err, store.ErrInvalid)
	}
}

func testBuildNumbersConcurrent(t *testing.T, b Backend) {
	bu := setup(t, b)
	const n = 20
	version := mkARN(acctA + ":image/recipe/1.0.0")
	got := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Allocate and create the image in one transaction, as a
			// pipeline run does.
			err := bu.s.WithTx(bu.ctx, func(tx store.Tx) error {
				build, err := tx.NextBuildNumber(bu.ctx, version)
				if err != nil {
					return err
				}
				got[i] = build
				_, err = tx.Put(bu.ctx, mkRecord(version.WithVersion(version.Version.WithBuild(build))))
				return err
			})
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	sort.Ints(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("build numbers %v: want 1 … %d, each once", got, n)
		}
	}
	q := store.Query{Type: arn.Image, Name: "recipe", Version: arn.MustParseVersion("1.0.0")}
	if c := must[int](t, "Count")(bu.s.Count(bu.ctx, q)); c != n {
		t.Errorf("%d images stored, want %d", c, n)
	}
}

func testConcurrentWriters(t *testing.T, b Backend) {
	bu := setup(t, b)
	counter := mkARN(acctA + ":image-pipeline/counter")
	tagged := mkARN(acctA + ":image-pipeline/tagged")
	bu.put(t, store.Record{ARN: counter, Data: json.RawMessage(`{"n":0}`)}, mkRecord(tagged))

	const workers, increments = 10, 5
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Optimistic read-modify-write with retry.
			for i := 0; i < increments; i++ {
				for attempt := 0; ; attempt++ {
					if attempt > 1000 {
						t.Errorf("worker %d: no progress", w)
						return
					}
					r, err := bu.s.Get(bu.ctx, counter)
					if err != nil {
						t.Errorf("worker %d: Get: %v", w, err)
						return
					}
					var d struct{ N int }
					_ = json.Unmarshal(r.Data, &d)
					r.Data = json.RawMessage(fmt.Sprintf(`{"n":%d}`, d.N+1))
					_, err = bu.s.Update(bu.ctx, r)
					if errors.Is(err, store.ErrRevisionMismatch) {
						continue
					}
					if err != nil {
						t.Errorf("worker %d: Update: %v", w, err)
						return
					}
					break
				}
			}
			// Tag changes never conflict.
			if _, err := bu.s.UpdateTags(bu.ctx, tagged, map[string]string{fmt.Sprintf("w%d", w): "x"}, nil); err != nil {
				t.Errorf("worker %d: UpdateTags: %v", w, err)
			}
			// Independent creates.
			if _, err := bu.s.Put(bu.ctx, mkRecord(mkARN(fmt.Sprintf("%s:image-pipeline/p%02d", acctA, w)))); err != nil {
				t.Errorf("worker %d: Put: %v", w, err)
			}
		}()
	}
	wg.Wait()
	r := must[store.Record](t, "Get")(bu.s.Get(bu.ctx, counter))
	if want := fmt.Sprintf(`{"n":%d}`, workers*increments); string(r.Data) != want || r.Revision != workers*increments+1 {
		t.Errorf("counter = %s at revision %d; want %s at revision %d", r.Data, r.Revision, want, workers*increments+1)
	}
	if r := must[store.Record](t, "Get")(bu.s.Get(bu.ctx, tagged)); len(r.Tags) != workers {
		t.Errorf("tags = %v, want %d", r.Tags, workers)
	}
	if c := must[int](t, "Count")(bu.s.Count(bu.ctx, store.Query{Type: arn.ImagePipeline})); c != workers+2 {
		t.Errorf("%d pipelines, want %d", c, workers+2)
	}
}

func testWithTx(t *testing.T, b Backend) {
	bu := setup(t, b)
	comp := mkARN(acctA + ":component/c/1.0.0/1")
	recipe := mkARN(acctA + ":image-recipe/r/1.0.0")
	t.Run("commit", func(t *testing.T) {
		err := bu.s.WithTx(bu.ctx, func(tx store.Tx) error {
			if _, err := tx.Put(bu.ctx, mkRecord(comp)); err != nil {
				return err
			}
			if _, err := tx.Put(bu.ctx, mkRecord(recipe)); err != nil {
				return err
			}
			// The transaction sees its own writes.
			if _, err := tx.Get(bu.ctx, comp); err != nil {
				return err
			}
			if p, err := tx.List(bu.ctx, store.Query{Type: arn.Component}); err != nil || len(p.Records) != 1 {
				return fmt.Errorf("List in the transaction: %d records, %v", len(p.Records), err)
			}
			return tx.SetReferences(bu.ctx, recipe, []arn.ARN{comp})
		})
		wantErr(t, "WithTx", err, nil)
		must[store.Record](t, "Get")(bu.s.Get(bu.ctx, recipe))
		wantErr(t, "Delete used", bu.s.Delete(bu.ctx, comp), store.ErrReferenced)
	})
	other := mkARN(acctA + ":component/rolled-back/1.0.0/1")
	t.Run("rollback", func(t *testing.T) {
		oops := errors.New("oops")
		err := bu.s.WithTx(bu.ctx, func(tx store.Tx) error {
			if _, err := tx.Put(bu.ctx, mkRecord(other)); err != nil {
				return err
			}
			if _, err := tx.UpdateTags(bu.ctx, comp, map[string]string{"a": "b"}, nil); err != nil {
				return err
			}
			if err := tx.Delete(bu.ctx, recipe); err != nil {
				return err
			}
			return fmt.Errorf("wrapped: %w", oops)
		})
		wantErr(t, "WithTx", err, oops)
		_, err = bu.s.Get(bu.ctx, other)
		wantErr(t, "Get rolled-back Put", err, store.ErrNotFound)
		if r := must[store.Record](t, "Get")(bu.s.Get(bu.ctx, comp)); len(r.Tags) != 0 || r.Revision != 1 {
			t.Errorf("rolled-back tags are there: %v, revision %d", r.Tags, r.Revision)
		}
		must[store.Record](t, "Get rolled-back Delete")(bu.s.Get(bu.ctx, recipe))
	})
	t.Run("error inside", func(t *testing.T) {
		err := bu.s.WithTx(bu.ctx, func(tx store.Tx) error {
			_, err := tx.Put(bu.ctx, mkRecord(comp))
			return err
		})
		wantErr(t, "WithTx", err, store.ErrAlreadyExists)
	})
	t.Run("panic", func(t *testing.T) {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic did not reach the caller")
				}
			}()
			_ = bu.s.WithTx(bu.ctx, func(tx store.Tx) error {
				if _, err := tx.Put(bu.ctx, mkRecord(other)); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		_, err := bu.s.Get(bu.ctx, other)
		wantErr(t, "Get after panic", err, store.ErrNotFound)
		// The store still works: the connection was given back.
		bu.put(t, mkRecord(other))
	})
}
