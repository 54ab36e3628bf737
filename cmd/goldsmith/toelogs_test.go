package main

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/goldsmith-dev/goldsmith/internal/s3test"
)

// TestToeLogUploadS3 runs goldsmith toe run with awstoe's
// --log-s3-bucket-name and --log-s3-key-prefix, and the same keys in a
// --config file, against a real MinIO: the run folder lands under
// prefix/<run folder>/.
func TestToeLogUploadS3(t *testing.T) {
	srv := s3test.Start(t)
	srv.MakeBucket(t, "toe-logs")
	srv.Setenv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	doc := "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: Say, action: ExecuteBash, inputs: {commands: ['echo uploaded']}}]}]\n"
	if err := os.WriteFile("hello.yaml", []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := `{"documents": [{"path": "hello.yaml"}], "executionId": "fromconfig", "logDirectory": "logs",
		"logS3BucketName": "toe-logs", "logS3KeyPrefix": "cfg/"}`
	if err := os.WriteFile("run.json", []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, prefix, id string
		args             []string
	}{
		{"flags", "runs/ci/", "fromflags", []string{"toe", "run", "-d", "hello.yaml", "-l", "logs", "-i", "fromflags", "--log-s3-bucket-name", "toe-logs", "--log-s3-key-prefix", "runs/ci"}},
		{"config", "cfg/", "fromconfig", []string{"toe", "run", "--config", "run.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := runArgs(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stderr, "logs uploaded to s3://toe-logs/"+tc.prefix+"TOE_") {
				t.Errorf("stderr does not name the upload: %s", stderr)
			}
			runDirs, _ := filepath.Glob(filepath.Join("logs", "TOE_*_"+tc.id))
			if len(runDirs) != 1 {
				t.Fatalf("run folders: %v", runDirs)
			}
			out, err := srv.Client(t).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("toe-logs"), Prefix: aws.String(tc.prefix)})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, o := range out.Contents {
				keys = append(keys, aws.ToString(o.Key))
			}
			sort.Strings(keys)
			base := tc.prefix + filepath.Base(runDirs[0]) + "/"
			for _, want := range []string{"console.log", "detailedoutput.json"} {
				if !contains(keys, base+want) {
					t.Errorf("no %s%s in the bucket: %v", base, want, keys)
				}
			}
			got, err := srv.Client(t).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("toe-logs"), Key: aws.String(base + "console.log")})
			if err != nil {
				t.Fatal(err)
			}
			defer got.Body.Close()
			b := make([]byte, 1<<16)
			n, _ := got.Body.Read(b)
			if !strings.Contains(string(b[:n]), "uploaded") {
				t.Errorf("console.log in the bucket lacks the step's output: %q", b[:n])
			}
		})
	}
	// A bucket that does not exist is found before any step runs.
	code, stderr := runArgs(t, "toe", "run", "-d", "hello.yaml", "-l", "nologs", "--log-s3-bucket-name", "no-such-bucket")
	if code != exitInvalid || !strings.Contains(stderr, "the bucket is not reachable") {
		t.Errorf("missing bucket: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat("nologs"); !os.IsNotExist(err) {
		t.Errorf("the run started although its log bucket is missing")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
