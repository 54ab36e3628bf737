package action

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/s3test"
)

// s3Tree creates files (relative path -> content) under a new temp dir.
func s3Tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestS3Upload(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	files := map[string]string{"a.txt": "a", "b.log": "b", "sub/c.txt": "c", "sub/deep/d.txt": "d"}

	for _, tc := range []struct {
		name    string
		bucket  string
		item    func(dir, bucket string) map[string]any
		want    []string // key=content
		wantErr string
	}{
		{
			name: "file to key", bucket: "up-file",
			item: func(dir, bkt string) map[string]any {
				return map[string]any{"source": filepath.Join(dir, "a.txt"), "destination": "s3://" + bkt + "/x/renamed.txt"}
			},
			want: []string{"x/renamed.txt=a"},
		},
		{
			name: "file to prefix", bucket: "up-prefix",
			item: func(dir, bkt string) map[string]any {
				return map[string]any{"source": filepath.Join(dir, "a.txt"), "destination": "s3://" + bkt + "/x/", "expectedBucketOwner": ""}
			},
			want: []string{"x/a.txt=a"},
		},
		{
			name: "wildcard", bucket: "up-wildcard",
			item: func(dir, bkt string) map[string]any {
				return map[string]any{"source": filepath.Join(dir, "*"), "destination": "s3://" + bkt + "/logs/"}
			},
			want: []string{"logs/a.txt=a", "logs/b.log=b"},
		},
		{
			name: "wildcard pattern", bucket: "up-pattern",
			item: func(dir, bkt string) map[string]any {
				return map[string]any{"source": filepath.Join(dir, "*.log"), "destination": "s3://" + bkt + "/"}
			},
			want: []string{"b.log=b"},
		},
		{
			name: "wildcard recurse", bucket: "up-wildcard-recurse",
			item: func(dir, bkt string) map[string]any {
				return map[string]any{"source": filepath.Join(dir, "*"), "destination": "s3://" + bkt + "/r/", "recurse": "true"}
			},
			want: []string{"r/a.txt=a", "r/b.log=b", "r/sub/c.txt=c", "r/sub/deep/d.txt=d"},
		},
		{
			name: "folder recurse", bucket: "up-folder",
			item: func(dir, bkt string) map[string]any {
				return map[string]any{"source": filepath.Join(dir, "sub"), "destination": "s3://" + bkt + "/s", "recurse": true}
			},
			want: []string{"s/c.txt=c", "s/deep/d.txt=d"},
		},
		{
			name: "folder without recurse", bucket: "up-folder-norec",
			item: func(dir, bkt string) map[string]any {
				return map[string]any{"source": filepath.Join(dir, "sub"), "destination": "s3://" + bkt + "/s/", "recurse": "false"}
			},
			wantErr: "set recurse: true",
		},
		{
			name: "no match", bucket: "up-nomatch",
			item: func(dir, bkt string) map[string]any {
				return map[string]any{"source": filepath.Join(dir, "*.zip"), "destination": "s3://" + bkt + "/"}
			},
			wantErr: "no files match",
		},
		{
			name: "missing file", bucket: "up-missing",
			item: func(dir, bkt string) map[string]any {
				return map[string]any{"source": filepath.Join(dir, "nope.txt"), "destination": "s3://" + bkt + "/k"}
			},
			wantErr: "does not exist",
		},
		{
			name: "missing bucket", bucket: "up-nobucket",
			item: func(dir, bkt string) map[string]any {
				return map[string]any{"source": filepath.Join(dir, "a.txt"), "destination": "s3://no-such-bucket-here/k"}
			},
			wantErr: "NoSuchBucket",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := s3Setup(t, srv, tc.bucket)
			dir := s3Tree(t, files)
			_, err := xferRun(t, b.env, "S3Upload", tc.item(dir, tc.bucket))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if keys := b.keys(t); len(keys) > 0 {
					t.Errorf("uploaded %v after an error", keys)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range b.keys(t) {
				got = append(got, k+"="+b.get(t, k))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("bucket holds %v, want %v", got, tc.want)
			}
		})
	}
}

func TestS3UploadCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, inputs, path, msg string
	}{
		{"ok", "source: /tmp/a\n destination: s3://b/k\n recurse: 'true'", "", ""},
		{"wildcard", "source: /tmp/*\n destination: s3://b/p/", "", ""},
		{"bucket only", "source: /tmp/a\n destination: s3://b", "", ""},
		{"not s3", "source: /tmp/a\n destination: /tmp/b", "phases[0].steps[0].inputs[0].destination", "not an s3:// URI"},
		{"wildcard needs prefix", "source: /tmp/*\n destination: s3://b/p", "phases[0].steps[0].inputs[0].destination", "ending in /"},
		{"wildcard in folder", "source: /tmp/*/a\n destination: s3://b/p/", "phases[0].steps[0].inputs[0].source", "only in the last path element"},
		{"recurse type", "source: /tmp/a\n destination: s3://b/k\n recurse: yes please", "phases[0].steps[0].inputs[0].recurse", "true or false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inputs := "          - " + strings.ReplaceAll(tc.inputs, "\n ", "\n            ") + "\n"
			xferWantProblem(t, xferProblems(t, "S3Upload", inputs), tc.path, tc.msg)
		})
	}
}
