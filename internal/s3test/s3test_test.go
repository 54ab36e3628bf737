package s3test_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

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
