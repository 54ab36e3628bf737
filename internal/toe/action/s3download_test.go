package action

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/goldsmith-dev/goldsmith/internal/s3test"
)

// s3Bundle is one test's MinIO bucket and an Env that reaches it.
type s3Bundle struct {
	srv    *s3test.Server
	bucket string
	env    *Env
}

func s3Setup(t *testing.T, srv *s3test.Server, bucket string) *s3Bundle {
	t.Helper()
	srv.MakeBucket(t, bucket)
	return &s3Bundle{srv: srv, bucket: bucket, env: &Env{
		AWS: func(context.Context) (aws.Config, error) { return srv.Config(), nil },
	}}
}

func (b *s3Bundle) put(t *testing.T, key, body string) {
	t.Helper()
	if _, err := b.srv.Client(t).PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(b.bucket), Key: aws.String(key), Body: strings.NewReader(body),
	}); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func (b *s3Bundle) get(t *testing.T, key string) string {
	t.Helper()
	out, err := b.srv.Client(t).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func (b *s3Bundle) keys(t *testing.T) []string {
	t.Helper()
	out, err := b.srv.Client(t).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	slices.Sort(keys)
	return keys
}

func (b *s3Bundle) uri(key string) string { return "s3://" + b.bucket + "/" + key }

func s3ReadFile(t *testing.T, path string) string {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func TestS3Download(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)

	t.Run("object", func(t *testing.T) {
		t.Parallel()
		b := s3Setup(t, srv, "dl-object")
		b.put(t, "a/b.txt", "bee")
		dir := t.TempDir()
		if _, err := xferRun(t, b.env, "S3Download",
			map[string]any{"source": b.uri("a/b.txt"), "destination": filepath.Join(dir, "renamed.txt")},
			map[string]any{"source": b.uri("a/b.txt"), "destination": dir + "/"},
		); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"renamed.txt", "b.txt"} {
			if got := s3ReadFile(t, filepath.Join(dir, p)); got != "bee" {
				t.Errorf("%s = %q", p, got)
			}
		}
	})

	t.Run("prefix", func(t *testing.T) {
		t.Parallel()
		b := s3Setup(t, srv, "dl-prefix")
		b.put(t, "pre/x.txt", "x")
		b.put(t, "pre/sub/y.txt", "y")
		b.put(t, "pre/folder/", "")
		b.put(t, "prefixed.txt", "not under pre/")
		b.put(t, "other/z.txt", "z")
		out := filepath.Join(t.TempDir(), "out")
		if _, err := xferRun(t, b.env, "S3Download", map[string]any{"source": b.uri("pre/*"), "destination": out}); err != nil {
			t.Fatal(err)
		}
		var got []string
		filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(out, p)
				got = append(got, filepath.ToSlash(rel)+"="+s3ReadFile(t, p))
			}
			return nil
		})
		slices.Sort(got)
		if want := []string{"sub/y.txt=y", "x.txt=x"}; !slices.Equal(got, want) {
			t.Errorf("downloaded %v, want %v", got, want)
		}
	})

	t.Run("missing parent", func(t *testing.T) {
		t.Parallel()
		b := s3Setup(t, srv, "dl-parent")
		b.put(t, "k", "v")
		dst := filepath.Join(t.TempDir(), "nope", "k")
		_, err := xferRun(t, b.env, "S3Download", map[string]any{"source": b.uri("k"), "destination": dst})
		if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), filepath.Dir(dst)) {
			t.Fatalf("err = %v, want the missing folder named", err)
		}
		_, err = xferRun(t, b.env, "S3Download", map[string]any{"source": b.uri("*"), "destination": filepath.Join(t.TempDir(), "a", "b")})
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Fatalf("prefix: err = %v, want the missing folder named", err)
		}
	})

	t.Run("overwrite", func(t *testing.T) {
		t.Parallel()
		b := s3Setup(t, srv, "dl-overwrite")
		b.put(t, "pre/k", "new")
		dir := t.TempDir()
		dst := filepath.Join(dir, "k")
		if err := os.WriteFile(dst, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, src := range []string{b.uri("pre/k"), b.uri("pre/*")} {
			target := dst
			if strings.HasSuffix(src, "*") {
				target = dir
			}
			_, err := xferRun(t, b.env, "S3Download", map[string]any{"source": src, "destination": target, "overwrite": "false"})
			if err == nil || !strings.Contains(err.Error(), `file already exists and "overwrite" is set to false`) {
				t.Fatalf("%s: err = %v", src, err)
			}
			if got := s3ReadFile(t, dst); got != "old" {
				t.Fatalf("%s: file changed to %q", src, got)
			}
		}
		if _, err := xferRun(t, b.env, "S3Download", map[string]any{"source": b.uri("pre/k"), "destination": dst}); err != nil {
			t.Fatal(err)
		}
		if got := s3ReadFile(t, dst); got != "new" {
			t.Errorf("file = %q after overwrite", got)
		}
	})

	t.Run("missing object", func(t *testing.T) {
		t.Parallel()
		b := s3Setup(t, srv, "dl-missing")
		dst := filepath.Join(t.TempDir(), "k")
		_, err := xferRun(t, b.env, "S3Download", map[string]any{"source": b.uri("nothing/here"), "destination": dst})
		if err == nil || !strings.Contains(err.Error(), b.uri("nothing/here")) {
			t.Fatalf("err = %v, want the URI named", err)
		}
		if entries, _ := os.ReadDir(filepath.Dir(dst)); len(entries) != 0 {
			t.Errorf("failed download left %d files", len(entries))
		}
	})
}

func TestS3DownloadCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, inputs, path, msg string
	}{
		{"ok", "source: s3://b/k\n destination: /tmp/k\n expectedBucketOwner: '123456789012'\n overwrite: false", "", ""},
		{"prefix", "source: s3://b/p/*\n destination: /tmp/p", "", ""},
		{"dynamic", "source: '{{ Dyn }}'\n destination: /tmp/k", "", ""},
		{"not s3", "source: https://b/k\n destination: /tmp/k", "phases[0].steps[0].inputs[0].source", "not an s3:// URI"},
		{"no key", "source: s3://b\n destination: /tmp/k", "phases[0].steps[0].inputs[0].source", "names no object"},
		{"no bucket", "source: s3:///k\n destination: /tmp/k", "phases[0].steps[0].inputs[0].source", "missing bucket"},
		{"no destination", "source: s3://b/k", "phases[0].steps[0].inputs[0].destination", "required"},
		{"unknown input", "source: s3://b/k\n destination: /tmp/k\n recurse: true", "phases[0].steps[0].inputs[0].recurse", "unknown input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inputs := "          - " + strings.ReplaceAll(tc.inputs, "\n ", "\n            ") + "\n"
			xferWantProblem(t, xferProblems(t, "S3Download", inputs), tc.path, tc.msg)
		})
	}
}

// Not parallel: it lowers the package-wide prefix limit.
func TestS3DownloadPrefixLimit(t *testing.T) {
	defer func(n int) { s3MaxPrefixObjects = n }(s3MaxPrefixObjects)
	s3MaxPrefixObjects = 2
	b := s3Setup(t, s3test.Start(t), "dl-limit")
	for _, k := range []string{"p/1", "p/2", "p/3"} {
		b.put(t, k, k)
	}
	dir := t.TempDir()
	_, err := xferRun(t, b.env, "S3Download", map[string]any{"source": b.uri("p/*"), "destination": dir})
	if err == nil || !strings.Contains(err.Error(), "more than 2 objects") {
		t.Fatalf("err = %v, want the limit named", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("downloaded %d files before failing", len(entries))
	}
}
