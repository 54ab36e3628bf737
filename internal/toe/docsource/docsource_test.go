package docsource_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/goldsmith-dev/goldsmith/internal/s3test"
	"github.com/goldsmith-dev/goldsmith/internal/toe/docsource"
)

const doc = "name: hello\nschemaVersion: 1.0\n"

func TestFetchFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := docsource.Fetch(context.Background(), path, docsource.Options{})
	if err != nil || string(got) != doc {
		t.Fatalf("Fetch = %q, %v", got, err)
	}

	if _, err := docsource.Fetch(context.Background(), filepath.Join(dir, "nope.yaml"), docsource.Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want ErrNotExist", err)
	}
	if _, err := docsource.Fetch(context.Background(), dir, docsource.Options{}); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("folder: err = %v", err)
	}

	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, docsource.MaxSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := docsource.Fetch(context.Background(), big, docsource.Options{}); !errors.Is(err, docsource.ErrTooLarge) {
		t.Errorf("big file: err = %v, want ErrTooLarge", err)
	}
}

func TestFetchHTTP(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/doc.yaml", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(doc)) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/doc.yaml", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		// No Content-Length: streamed, so the limit applies while reading.
		chunk := make([]byte, 64<<10)
		for n := 0; n <= docsource.MaxSize; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := context.Background()

	for _, p := range []string{"/doc.yaml", "/moved"} {
		got, err := docsource.Fetch(ctx, srv.URL+p, docsource.Options{})
		if err != nil || string(got) != doc {
			t.Errorf("Fetch(%s) = %q, %v", p, got, err)
		}
	}
	_, err := docsource.Fetch(ctx, srv.URL+"/missing.yaml", docsource.Options{})
	if err == nil || !strings.Contains(err.Error(), srv.URL+"/missing.yaml") || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: err = %v, want the URL and status", err)
	}
	if _, err := docsource.Fetch(ctx, srv.URL+"/big", docsource.Options{}); !errors.Is(err, docsource.ErrTooLarge) {
		t.Errorf("big: err = %v, want ErrTooLarge", err)
	}
}

func TestFetchSchemesAndARNs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, err := docsource.Fetch(ctx, "ftp://example.com/doc.yaml", docsource.Options{}); err == nil || !strings.Contains(err.Error(), `unsupported scheme "ftp"`) {
		t.Errorf("ftp: err = %v", err)
	}
	arn := "arn:aws:imagebuilder:us-west-2:aws:component/sample/1.0.0/1"
	_, err := docsource.Fetch(ctx, arn, docsource.Options{})
	if !errors.Is(err, docsource.ErrNeedsServer) || !strings.Contains(err.Error(), "component ARNs need a Goldsmith server") {
		t.Errorf("ARN without resolver: err = %v", err)
	}
	got, err := docsource.Fetch(ctx, arn, docsource.Options{ResolveARN: func(_ context.Context, a string) ([]byte, error) {
		return []byte("resolved " + a), nil
	}})
	if err != nil || string(got) != "resolved "+arn {
		t.Errorf("ARN with resolver = %q, %v", got, err)
	}
}

func TestFetchS3(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	srv.MakeBucket(t, "docs")
	ctx := context.Background()
	if _, err := srv.Client(t).PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("docs"), Key: aws.String("components/hello.yaml"), Body: strings.NewReader(doc),
	}); err != nil {
		t.Fatal(err)
	}
	opts := docsource.Options{AWS: func(context.Context) (aws.Config, error) { return srv.Config(), nil }}

	got, err := docsource.Fetch(ctx, "s3://docs/components/hello.yaml", opts)
	if err != nil || string(got) != doc {
		t.Fatalf("Fetch = %q, %v", got, err)
	}
	if _, err := docsource.Fetch(ctx, "s3://docs/components/missing.yaml", opts); err == nil || !strings.Contains(err.Error(), "s3://docs/components/missing.yaml") {
		t.Errorf("missing key: err = %v", err)
	}
	if _, err := docsource.Fetch(ctx, "s3://docs/components/", opts); err == nil || !strings.Contains(err.Error(), "names no document") {
		t.Errorf("prefix: err = %v", err)
	}
}
