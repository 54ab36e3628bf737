package s3test_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/goldsmith-dev/goldsmith/internal/s3client"
	"github.com/goldsmith-dev/goldsmith/internal/s3test"
)

func TestStart(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	srv.MakeBucket(t, "roundtrip")
	ctx := context.Background()
	c := srv.Client(t)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("roundtrip"),
		Key:    aws.String("dir/hello.txt"),
		Body:   strings.NewReader("hello"),
	}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("roundtrip"), Key: aws.String("dir/hello.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	if string(b) != "hello" {
		t.Errorf("got %q, want hello", b)
	}

	env := strings.Join(srv.Env(), "\n")
	for _, want := range []string{
		"AWS_ENDPOINT_URL=" + srv.Endpoint,
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"AWS_REGION=" + srv.Region,
	} {
		if !strings.Contains(env, want) {
			t.Errorf("Env() lacks %q", want)
		}
	}
}

func TestStartTwice(t *testing.T) {
	t.Parallel()
	a, b := s3test.Start(t), s3test.Start(t)
	if a.Endpoint == b.Endpoint || a.AccessKey == b.AccessKey {
		t.Errorf("two servers share endpoint or credentials: %+v %+v", a, b)
	}
	// Buckets are per server.
	a.MakeBucket(t, "same-name")
	b.MakeBucket(t, "same-name")
}

// TestEnv checks that Env is enough for the standard AWS configuration
// chain, as a subprocess would load it. Not parallel: it sets the
// process environment.
func TestEnv(t *testing.T) {
	srv := s3test.Start(t)
	srv.MakeBucket(t, "from-env")
	srv.Setenv(t)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s3client.New(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	if len(out.Buckets) != 1 || aws.ToString(out.Buckets[0].Name) != "from-env" {
		t.Errorf("buckets = %+v, want from-env", out.Buckets)
	}
}
