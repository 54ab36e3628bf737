package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/goldsmith-dev/goldsmith/internal/s3client"
)

// S3DownloadInputs is one item of S3Download's inputs.
type S3DownloadInputs struct {
	// Source is s3://bucket/key, or s3://bucket/prefix/* for every object
	// under the prefix.
	Source string `input:"source,required"`
	// Destination is the local file (one object) or folder (a prefix).
	Destination string `input:"destination,required"`
	// ExpectedBucketOwner is the account ID the bucket must belong to.
	ExpectedBucketOwner string `input:"expectedBucketOwner"`
	// Overwrite replaces existing files (default true); when false an
	// existing target fails the step.
	Overwrite bool `input:"overwrite"`
}

// s3MaxPrefixObjects is AWSTOE's documented limit for a prefix download.
// Goldsmith fails before downloading anything rather than silently taking
// the first 1000 objects.
var s3MaxPrefixObjects = 1000

func init() {
	Register(NewListModule(Spec[S3DownloadInputs]{
		Name:     "S3Download",
		Defaults: func(in *S3DownloadInputs) { in.Overwrite = true },
		Check: func(in *S3DownloadInputs, p *Problems) {
			checkS3URI(p, "source", in.Source, true)
			fsCheckPath(p, "destination", in.Destination)
		},
	}, runS3Download))
}

// checkS3URI reports a malformed s3:// URI. needKey: a key (or prefix/*)
// is required.
func checkS3URI(p *Problems, field, s string, needKey bool) {
	if p.Dynamic(s) {
		return
	}
	u, err := s3client.ParseURI(s)
	if err != nil {
		p.Add(field, "%v", err)
		return
	}
	if needKey && u.Key == "" {
		p.Add(field, "%q names no object; write s3://%s/key, or s3://%s/prefix/* for everything under a prefix", s, u.Bucket, u.Bucket)
	}
}

// s3Prefix reports whether key asks for everything under a prefix
// ("dir/*" or "*") and returns the prefix ("dir/" or "").
func s3Prefix(key string) (string, bool) {
	if key == "*" {
		return "", true
	}
	if strings.HasSuffix(key, "/*") {
		return strings.TrimSuffix(key, "*"), true
	}
	return "", false
}

// s3Client builds the step's S3 client from the standard AWS configuration.
func s3Client(ctx context.Context, env *Env) (*s3.Client, error) {
	var cfg aws.Config
	var err error
	if env != nil && env.AWS != nil {
		cfg, err = env.AWS(ctx)
	} else {
		cfg, err = config.LoadDefaultConfig(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return s3client.New(cfg), nil
}

func runS3Download(ctx context.Context, env *Env, items []*S3DownloadInputs) (Output, error) {
	client, err := s3Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return fsEach(ctx, items, func(in *S3DownloadInputs) error {
		return s3Download(ctx, env, client, in)
	})
}

func s3Download(ctx context.Context, env *Env, client *s3.Client, in *S3DownloadInputs) error {
	u, err := s3client.ParseURI(in.Source)
	if err != nil {
		return err
	}
	owner := s3Optional(in.ExpectedBucketOwner)
	dst := fsAbs(env, in.Destination)
	prefix, many := s3Prefix(u.Key)
	if !many {
		// UNCONFIRMED: AWSTOE documents destination as a file path. A
		// destination ending in / (or an existing folder) receives the
		// object under its own name, as `aws s3 cp` does.
		if fsEndsWithSep(in.Destination) || xferIsDir(dst) {
			dst = filepath.Join(dst, filepath.Base(filepath.FromSlash(u.Key)))
		}
		if err := s3NeedParent(dst); err != nil {
			return err
		}
		return s3GetObject(ctx, env, client, u.Bucket, u.Key, owner, dst, in.Overwrite)
	}

	// UNCONFIRMED: for a prefix, destination is the folder; it must exist
	// or its parent must (it is then created). Subfolders needed for the
	// objects' relative paths are created.
	if err := s3NeedParent(dst); err != nil {
		return err
	}
	type object struct{ key, target string }
	var objects []object
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{
		Bucket: aws.String(u.Bucket), Prefix: aws.String(prefix), ExpectedBucketOwner: owner,
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s: %w", in.Source, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			rel := strings.TrimPrefix(key, prefix)
			if rel == "" || strings.HasSuffix(rel, "/") {
				continue // folder marker
			}
			local := filepath.FromSlash(rel)
			if !filepath.IsLocal(local) {
				return fmt.Errorf("s3://%s/%s: key would be written outside %s; refusing", u.Bucket, key, dst)
			}
			objects = append(objects, object{key, filepath.Join(dst, local)})
		}
		if len(objects) > s3MaxPrefixObjects {
			return fmt.Errorf("%s holds more than %d objects, the most S3Download fetches from one prefix; split it into narrower prefixes", in.Source, s3MaxPrefixObjects)
		}
	}
	if len(objects) == 0 {
		fmt.Fprintf(xferConsole(env), "S3Download: no objects under %s\n", in.Source)
		return nil
	}
	if !in.Overwrite {
		// Fail before downloading anything rather than half way through.
		for _, o := range objects {
			if _, err := os.Lstat(o.target); err == nil {
				return xferExists(o.target)
			}
		}
	}
	for _, o := range objects {
		if err := os.MkdirAll(filepath.Dir(o.target), 0o755); err != nil {
			return fmt.Errorf("create folder for %s: %w", o.target, err)
		}
		if err := s3GetObject(ctx, env, client, u.Bucket, o.key, owner, o.target, in.Overwrite); err != nil {
			return err
		}
	}
	return nil
}

// s3GetObject downloads one object to target through a temporary file in
// the same folder, so target is never left half written.
func s3GetObject(ctx context.Context, env *Env, client *s3.Client, bucket, key string, owner *string, target string, overwrite bool) error {
	src := "s3://" + bucket + "/" + key
	if xferIsDir(target) {
		return fmt.Errorf("cannot download %s to %s: it is a folder", src, target)
	}
	if !overwrite {
		if _, err := os.Lstat(target); err == nil {
			return xferExists(target)
		}
	}
	fmt.Fprintf(xferConsole(env), "S3Download: %s -> %s\n", src, target)
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ExpectedBucketOwner: owner})
	if err != nil {
		return fmt.Errorf("download %s: %w", src, err)
	}
	defer out.Body.Close()
	return xferWriteFile(target, overwrite, func(w io.Writer) error {
		if _, err := io.Copy(w, out.Body); err != nil {
			return fmt.Errorf("download %s: %w", src, err)
		}
		return nil
	})
}

// s3NeedParent fails when the folder that would hold path does not exist.
func s3NeedParent(path string) error {
	parent := filepath.Dir(path)
	fi, err := os.Stat(parent)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fsErrf(err, "destination folder %s does not exist; S3Download does not create it, create it first (for example with CreateFolder)", parent)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a folder", parent)
	}
	return nil
}

func s3Optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
