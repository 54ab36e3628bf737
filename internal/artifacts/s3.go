package artifacts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/goldsmith-dev/goldsmith/internal/s3client"
)

// S3 is a store in an S3 bucket (AWS or an S3-compatible server such as
// MinIO), under a key prefix. Large files go up in parallel multipart
// uploads.
type S3 struct {
	client *s3.Client
	tm     *transfermanager.Client
	bucket string
	prefix string // "" or ending in "/"
}

// OpenS3 returns the store at s3://bucket[/prefix] with the standard AWS
// configuration chain, and checks that the bucket is reachable.
func OpenS3(ctx context.Context, location string) (*S3, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("artifact store %s: load the AWS configuration: %w", location, err)
	}
	s, err := NewS3(s3client.New(cfg), location)
	if err != nil {
		return nil, err
	}
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket}); err != nil {
		return nil, fmt.Errorf("artifact store %s: the bucket is not reachable (check the credentials, AWS_ENDPOINT_URL and that the bucket exists): %w", location, err)
	}
	return s, nil
}

// NewS3 returns the store at s3://bucket[/prefix] using client.
func NewS3(client *s3.Client, location string) (*S3, error) {
	u, err := s3client.ParseURI(location)
	if err != nil {
		return nil, fmt.Errorf("artifact store: %w", err)
	}
	prefix := path.Clean("/" + u.Key)[1:]
	if prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, tm: transfermanager.New(client), bucket: u.Bucket, prefix: prefix}, nil
}

func (s *S3) Put(ctx context.Context, key, src string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	_, err = s.tm.UploadObject(ctx, &transfermanager.UploadObjectInput{
		Bucket: &s.bucket, Key: aws.String(s.prefix + key), Body: f, ContentLength: aws.Int64(st.Size()),
	})
	return err
}

func (s *S3) Read(ctx context.Context, key string, offset, max int64) ([]byte, int64, error) {
	if err := checkKey(key); err != nil {
		return nil, 0, err
	}
	k := s.prefix + key
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &k})
	if err != nil {
		return nil, 0, s.err(key, err)
	}
	size := aws.ToInt64(head.ContentLength)
	if offset < 0 || offset > size {
		return nil, size, fmt.Errorf("%s: offset %d, size %d: %w", s.URI(key), offset, size, ErrOffset)
	}
	n := min(size-offset, max)
	if n == 0 {
		return []byte{}, size, nil
	}
	// The ETag pins the version HeadObject sized: a log replaced in
	// between fails the read instead of mixing two versions.
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: &s.bucket, Key: &k, IfMatch: head.ETag,
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", offset, offset+n-1)),
	})
	if err != nil {
		return nil, size, s.err(key, err)
	}
	defer out.Body.Close()
	buf := make([]byte, n)
	got, err := io.ReadFull(out.Body, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, size, fmt.Errorf("%s: %w", s.URI(key), err)
	}
	return buf[:got], size, nil
}

func (s *S3) Get(ctx context.Context, key, dst string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
	if err != nil {
		return s.err(key, err)
	}
	defer out.Body.Close()
	if err := writeFile(dst, out.Body); err != nil {
		return fmt.Errorf("%s: %w", s.URI(key), err)
	}
	return nil
}

func (s *S3) Delete(ctx context.Context, keys ...string) error {
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 1000)] // DeleteObjects' limit
		keys = keys[len(batch):]
		ids := make([]types.ObjectIdentifier, 0, len(batch))
		for _, k := range batch {
			if err := checkKey(k); err != nil {
				return err
			}
			ids = append(ids, types.ObjectIdentifier{Key: aws.String(s.prefix + k)})
		}
		out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &s.bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return err
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("delete s3://%s/%s: %s: %s", s.bucket, aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
		}
	}
	return nil
}

func (s *S3) URI(key string) string { return "s3://" + s.bucket + "/" + s.prefix + key }

// err maps S3's "no such key" answers to ErrNotFound.
func (s *S3) err(key string, err error) error {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var api smithy.APIError
	if errors.As(err, &nsk) || errors.As(err, &nf) || (errors.As(err, &api) && api.ErrorCode() == "NotFound") {
		return fmt.Errorf("%s: %w", s.URI(key), ErrNotFound)
	}
	return fmt.Errorf("%s: %w", s.URI(key), err)
}
