// Package s3client builds S3 clients the way Goldsmith uses them (path-style
// addressing whenever a custom endpoint such as MinIO is configured) and
// parses s3://bucket/key URIs.
package s3client

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// New returns an S3 client for cfg. When an endpoint is configured
// (cfg.BaseEndpoint, AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3), it uses
// path-style addressing, which S3-compatible servers such as MinIO need
// because they do not serve bucket-named host names.
func New(cfg aws.Config, optFns ...func(*s3.Options)) *s3.Client {
	fns := append([]func(*s3.Options){func(o *s3.Options) {
		if o.BaseEndpoint != nil && *o.BaseEndpoint != "" {
			o.UsePathStyle = true
		}
	}}, optFns...)
	return s3.NewFromConfig(cfg, fns...)
}

// URI is a parsed s3://bucket/key location.
type URI struct {
	Bucket string
	Key    string // may be empty (s3://bucket or s3://bucket/)
}

func (u URI) String() string { return "s3://" + u.Bucket + "/" + u.Key }

// ErrNotS3 is returned by ParseURI for strings that do not start with s3://.
var ErrNotS3 = errors.New("not an s3:// URI")

// ParseURI splits s3://bucket/key. The scheme is matched case-insensitively;
// the bucket must be non-empty. The key is returned as written.
func ParseURI(s string) (URI, error) {
	if len(s) < 5 || !strings.EqualFold(s[:5], "s3://") {
		return URI{}, fmt.Errorf("%q: %w (want s3://bucket/key)", s, ErrNotS3)
	}
	bucket, key, _ := strings.Cut(s[5:], "/")
	if bucket == "" {
		return URI{}, fmt.Errorf("%q: missing bucket name (want s3://bucket/key)", s)
	}
	return URI{Bucket: bucket, Key: key}, nil
}
