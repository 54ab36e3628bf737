// Package docsource fetches component documents from where a user names
// them: local paths, http(s):// URLs, s3://bucket/key URIs and (through a
// resolver the Goldsmith server provides) Image Builder component ARNs.
package docsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/s3client"
)

// MaxSize is the largest document Fetch returns, the limit the document
// parser enforces too.
const MaxSize = component.MaxDataSize

// ErrNeedsServer is returned for component ARNs when Options.ResolveARN
// is nil, as in a standalone `toe run`.
var ErrNeedsServer = errors.New("component ARNs need a Goldsmith server (not available in standalone toe run)")

// ErrTooLarge is returned for documents larger than MaxSize.
var ErrTooLarge = errors.New("document too large")

// Options configures Fetch. The zero value fetches local files and URLs
// with default clients, and s3:// URIs with the standard AWS configuration.
type Options struct {
	// AWS returns the AWS configuration for s3:// documents (nil: the
	// standard chain of environment variables, profiles and
	// AWS_ENDPOINT_URL). With an endpoint set, S3 uses path-style
	// addressing.
	AWS func(ctx context.Context) (aws.Config, error)
	// ExpectedBucketOwner is checked for s3:// documents ("" for none).
	ExpectedBucketOwner string
	// HTTP is the client for http(s):// documents (nil: http.DefaultClient).
	HTTP *http.Client
	// ResolveARN fetches an Image Builder component's document by ARN
	// (nil: ARNs fail with ErrNeedsServer). The server sets it.
	ResolveARN func(ctx context.Context, arn string) ([]byte, error)
}

// Fetch returns the document at location: a local path, an http:// or
// https:// URL, an s3://bucket/key URI or an arn:...:component/... ARN.
func Fetch(ctx context.Context, location string, opts Options) ([]byte, error) {
	scheme, _, hasScheme := strings.Cut(location, "://")
	switch {
	case strings.HasPrefix(location, "arn:"):
		if opts.ResolveARN == nil {
			return nil, fmt.Errorf("%s: %w", location, ErrNeedsServer)
		}
		b, err := opts.ResolveARN(ctx, location)
		if err != nil {
			return nil, err
		}
		if len(b) > MaxSize {
			return nil, fmt.Errorf("%s: %w (%d bytes; the limit is %d)", location, ErrTooLarge, len(b), MaxSize)
		}
		return b, nil
	case hasScheme && strings.EqualFold(scheme, "s3"):
		return fetchS3(ctx, location, opts)
	case hasScheme && (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")):
		return fetchHTTP(ctx, location, opts)
	case hasScheme && isURLScheme(scheme):
		return nil, fmt.Errorf("%s: unsupported scheme %q; documents are local paths, http(s):// URLs, s3:// URIs or component ARNs", location, scheme)
	}
	return fetchFile(location)
}

// isURLScheme reports whether s looks like a URL scheme (RFC 3986), so a
// local path that happens to contain "://" later on is still a path.
func isURLScheme(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func fetchFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read document: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("read document: %s is a folder, not a document", path)
	}
	return readLimited(f, path)
}

func fetchHTTP(ctx context.Context, url string, opts Options) ([]byte, error) {
	client := opts.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch document %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch document: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch document %s: %s", url, resp.Status)
	}
	if resp.ContentLength > MaxSize {
		return nil, fmt.Errorf("%s: %w (%d bytes; the limit is %d)", url, ErrTooLarge, resp.ContentLength, MaxSize)
	}
	return readLimited(resp.Body, url)
}

func fetchS3(ctx context.Context, location string, opts Options) ([]byte, error) {
	u, err := s3client.ParseURI(location)
	if err != nil {
		return nil, err
	}
	if u.Key == "" || strings.HasSuffix(u.Key, "/") {
		return nil, fmt.Errorf("%s names no document; write s3://%s/path/to/document.yaml", location, u.Bucket)
	}
	var cfg aws.Config
	if opts.AWS != nil {
		cfg, err = opts.AWS(ctx)
	} else {
		cfg, err = config.LoadDefaultConfig(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("fetch document %s: load AWS configuration: %w", location, err)
	}
	in := &s3.GetObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(u.Key)}
	if opts.ExpectedBucketOwner != "" {
		in.ExpectedBucketOwner = aws.String(opts.ExpectedBucketOwner)
	}
	out, err := s3client.New(cfg).GetObject(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("fetch document %s: %w", location, err)
	}
	defer out.Body.Close()
	if out.ContentLength != nil && *out.ContentLength > MaxSize {
		return nil, fmt.Errorf("%s: %w (%d bytes; the limit is %d)", location, ErrTooLarge, *out.ContentLength, MaxSize)
	}
	return readLimited(out.Body, location)
}

// readLimited reads r up to MaxSize bytes; more is ErrTooLarge.
func readLimited(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read document %s: %w", name, err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%s: %w (more than %d bytes)", name, ErrTooLarge, MaxSize)
	}
	return b, nil
}
