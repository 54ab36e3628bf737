package artifacts_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/s3test"
)

// TestConformance runs one suite against every implementation: a local
// folder, and a bucket on a real MinIO server.
func TestConformance(t *testing.T) {
	t.Parallel()
	impls := map[string]func(t *testing.T) artifacts.Store{
		"local": func(t *testing.T) artifacts.Store {
			s, err := artifacts.Open(context.Background(), filepath.Join(t.TempDir(), "store"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"s3": func(t *testing.T) artifacts.Store {
			srv := s3test.Start(t)
			srv.MakeBucket(t, "images")
			s, err := artifacts.NewS3(srv.Client(t), "s3://images/site-a/")
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	for name, open := range impls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conformance(t, open(t))
		})
	}
}

func conformance(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(rel, content string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	read := func(key string, offset, max int64) (string, int64, error) {
		b, size, err := s.Read(ctx, key, offset, max)
		return string(b), size, err
	}

	t.Run("missing", func(t *testing.T) {
		if _, _, err := s.Read(ctx, "no/such/key", 0, 10); !errors.Is(err, artifacts.ErrNotFound) {
			t.Fatalf("Read of a missing key: %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, "no/such/key"); err != nil {
			t.Fatalf("Delete of a missing key: %v", err)
		}
	})

	t.Run("put, read ranges, replace", func(t *testing.T) {
		src := write("a.log", "hello, world\n")
		if err := s.Put(ctx, "acct/img/1.0.0/1/logs/a.log", src); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			offset, max int64
			want        string
		}{{0, 100, "hello, world\n"}, {7, 5, "world"}, {13, 10, ""}, {0, 0, ""}} {
			got, size, err := read("acct/img/1.0.0/1/logs/a.log", tc.offset, tc.max)
			if err != nil || got != tc.want || size != 13 {
				t.Errorf("Read(%d, %d) = %q, %d, %v; want %q, 13", tc.offset, tc.max, got, size, err, tc.want)
			}
		}
		if _, _, err := s.Read(ctx, "acct/img/1.0.0/1/logs/a.log", 14, 1); !errors.Is(err, artifacts.ErrOffset) {
			t.Errorf("Read beyond the end: %v, want ErrOffset", err)
		}
		// A growing log is put again: readers see the new whole.
		f, err := os.OpenFile(src, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("second line\n")
		f.Close()
		if err := s.Put(ctx, "acct/img/1.0.0/1/logs/a.log", src); err != nil {
			t.Fatal(err)
		}
		if got, size, err := read("acct/img/1.0.0/1/logs/a.log", 13, 100); err != nil || got != "second line\n" || size != 25 {
			t.Errorf("after the second Put: %q, %d, %v", got, size, err)
		}
	})

	t.Run("large file", func(t *testing.T) {
		// Over the multipart threshold of S3 uploads (16 MiB).
		big := bytes.Repeat([]byte("0123456789abcdef"), 20<<20/16)
		big[len(big)-1] = '!'
		p := filepath.Join(dir, "big.raw")
		if err := os.WriteFile(p, big, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := s.Put(ctx, "acct/img/big.raw", p); err != nil {
			t.Fatal(err)
		}
		got, size, err := s.Read(ctx, "acct/img/big.raw", int64(len(big))-4, 10)
		if err != nil || string(got) != "cde!" || size != int64(len(big)) {
			t.Errorf("tail of the large file: %q, %d, %v", got, size, err)
		}
		back := filepath.Join(dir, "big.back")
		if err := s.Get(ctx, "acct/img/big.raw", back); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(back); err != nil || !bytes.Equal(b, big) {
			t.Errorf("Get of the large file: %d bytes, %v; want the %d bytes put", len(b), err, len(big))
		}
		if err := s.Get(ctx, "acct/img/none.raw", back); !errors.Is(err, artifacts.ErrNotFound) {
			t.Errorf("Get of a missing key: %v, want ErrNotFound", err)
		}
		if b, _ := os.ReadFile(back); !bytes.Equal(b, big) {
			t.Errorf("a failed Get changed the destination")
		}
	})

	t.Run("put a folder, delete", func(t *testing.T) {
		out := filepath.Join(dir, "out")
		for _, rel := range []string{"out/web.qcow2", "out/web.qcow2.sha256", "out/logs/build.log", "out/logs/serial-build.log"} {
			write(rel, rel)
		}
		keys, err := artifacts.PutDir(ctx, s, "acct/web/1.0.0/2", out, func(rel string) bool { return rel == "logs/build.log" })
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		want := []string{"acct/web/1.0.0/2/logs/serial-build.log", "acct/web/1.0.0/2/web.qcow2", "acct/web/1.0.0/2/web.qcow2.sha256"}
		if !slices.Equal(keys, want) {
			t.Fatalf("PutDir stored %q, want %q", keys, want)
		}
		if got, _, err := read("acct/web/1.0.0/2/web.qcow2", 0, 100); err != nil || got != "out/web.qcow2" {
			t.Errorf("stored image: %q, %v", got, err)
		}
		if _, _, err := s.Read(ctx, "acct/web/1.0.0/2/logs/build.log", 0, 1); !errors.Is(err, artifacts.ErrNotFound) {
			t.Errorf("a skipped file was stored: %v", err)
		}
		if err := s.Delete(ctx, keys[1:]...); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys[1:] {
			if _, _, err := s.Read(ctx, k, 0, 1); !errors.Is(err, artifacts.ErrNotFound) {
				t.Errorf("%s after Delete: %v", k, err)
			}
		}
		if _, _, err := s.Read(ctx, keys[0], 0, 1); err != nil {
			t.Errorf("%s was not deleted but cannot be read: %v", keys[0], err)
		}
	})

	t.Run("bad keys", func(t *testing.T) {
		src := write("x", "x")
		for _, k := range []string{"", "/abs", "a/../../b", "..", "a//b"} {
			if err := s.Put(ctx, k, src); err == nil {
				t.Errorf("Put(%q) was accepted", k)
			}
		}
	})

	t.Run("uri", func(t *testing.T) {
		u := s.URI("acct/x.qcow2")
		if !strings.HasPrefix(u, "file:///") && !strings.HasPrefix(u, "s3://images/site-a/") || !strings.HasSuffix(u, "/acct/x.qcow2") {
			t.Errorf("URI = %q", u)
		}
	})
}

func TestOpen(t *testing.T) {
	t.Parallel()
	if _, err := artifacts.Open(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "no location") {
		t.Errorf("Open(\"\") = %v", err)
	}
	if _, err := artifacts.Open(context.Background(), "s3:///x"); err == nil || !strings.Contains(err.Error(), "missing bucket") {
		t.Errorf("Open(s3:///x) = %v", err)
	}
}
