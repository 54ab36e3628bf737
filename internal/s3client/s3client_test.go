package s3client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/goldsmith-dev/goldsmith/internal/s3client"
)

func TestParseURI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in          string
		bucket, key string
		err         string
	}{
		{in: "s3://b/k", bucket: "b", key: "k"},
		{in: "S3://b/dir/k.txt", bucket: "b", key: "dir/k.txt"},
		{in: "s3://b/p/*", bucket: "b", key: "p/*"},
		{in: "s3://b", bucket: "b"},
		{in: "s3://b/", bucket: "b"},
		{in: "s3:///k", err: `"s3:///k": missing bucket name (want s3://bucket/key)`},
		{in: "https://b/k", err: `"https://b/k": not an s3:// URI (want s3://bucket/key)`},
		{in: "", err: `"": not an s3:// URI (want s3://bucket/key)`},
	} {
		u, err := s3client.ParseURI(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseURI(%q) err = %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || u.Bucket != tc.bucket || u.Key != tc.key {
			t.Errorf("ParseURI(%q) = %+v, %v; want %s %s", tc.in, u, err, tc.bucket, tc.key)
		}
	}
	if _, err := s3client.ParseURI("/tmp/x"); !errors.Is(err, s3client.ErrNotS3) {
		t.Errorf("err = %v, want ErrNotS3", err)
	}
}

func TestNewPathStyle(t *testing.T) {
	t.Parallel()
	if s3client.New(aws.Config{Region: "us-east-1"}).Options().UsePathStyle {
		t.Errorf("path style without an endpoint")
	}
	if !s3client.New(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:9000")}).Options().UsePathStyle {
		t.Errorf("no path style with BaseEndpoint")
	}
}

func TestNewPathStyleFromEnvironment(t *testing.T) {
	// Not parallel: it sets environment variables.
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000")
	t.Setenv("AWS_REGION", "us-east-1")
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !s3client.New(cfg).Options().UsePathStyle {
		t.Errorf("no path style with AWS_ENDPOINT_URL_S3")
	}
}
