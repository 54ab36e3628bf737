package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/pflag"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/s3client"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
)

// toeLogFlags are awstoe's log destinations: the S3 upload of the run
// folder, and CloudWatch Logs, which Goldsmith does not offer.
type toeLogFlags struct {
	bucket, prefix, owner       string
	cwGroup, cwStream, cwRegion string
	cwIgnoreFailures            bool
}

func (f *toeLogFlags) register(fl *pflag.FlagSet) {
	fl.StringVarP(&f.bucket, "log-s3-bucket-name", "b", "", "upload the run folder to this S3 bucket when the run ends (any S3-compatible store: AWS_ENDPOINT_URL)")
	fl.StringVarP(&f.prefix, "log-s3-key-prefix", "k", "", "key prefix of that upload")
	fl.StringVar(&f.owner, "log-s3-bucket-owner", "", "expected owner account of the log bucket")
	fl.StringVar(&f.cwGroup, "cw-log-group", "", "not supported: CloudWatch Logs (use --log-s3-bucket-name, or ship console.log from the run folder)")
	fl.StringVar(&f.cwStream, "cw-log-stream", "", "not supported: CloudWatch Logs (see --cw-log-group)")
	fl.StringVar(&f.cwRegion, "cw-log-region", "", "not supported: CloudWatch Logs (see --cw-log-group)")
	fl.BoolVar(&f.cwIgnoreFailures, "cw-ignore-failures", false, "with a --cw-* flag: run anyway, without CloudWatch, instead of refusing")
}

// fromConfig fills what the flags leave unset from the --config file: the
// same keys behave the same.
func (f *toeLogFlags) fromConfig(c *toe.Config) {
	f.bucket = firstNonEmpty(f.bucket, c.LogS3BucketName)
	f.prefix = firstNonEmpty(f.prefix, c.LogS3KeyPrefix)
	f.owner = firstNonEmpty(f.owner, c.LogS3BucketOwner)
	f.cwGroup = firstNonEmpty(f.cwGroup, c.CWLogGroup)
	f.cwStream = firstNonEmpty(f.cwStream, c.CWLogStream)
	f.cwRegion = firstNonEmpty(f.cwRegion, c.CWLogRegion)
	f.cwIgnoreFailures = f.cwIgnoreFailures || c.CWIgnoreFailures
}

var bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// check refuses bad log settings before the run starts. CloudWatch
// settings are refused unless cw-ignore-failures says a run without
// CloudWatch is acceptable, in which case warn gets a note.
func (f *toeLogFlags) check(warn io.Writer) error {
	if f.bucket == "" && (f.prefix != "" || f.owner != "") {
		return fmt.Errorf("--log-s3-key-prefix and --log-s3-bucket-owner need --log-s3-bucket-name")
	}
	if f.bucket != "" && !bucketNameRE.MatchString(f.bucket) {
		return fmt.Errorf("--log-s3-bucket-name %q: a bucket name is 3 to 63 lower-case letters, digits, dots and hyphens (give the prefix with --log-s3-key-prefix)", f.bucket)
	}
	if f.cwGroup == "" && f.cwStream == "" && f.cwRegion == "" {
		return nil
	}
	const why = "CloudWatch Logs is not supported by goldsmith toe: the run's console.log and application.log are in the run folder; upload them with --log-s3-bucket-name (AWS S3 or any S3-compatible store), or ship console.log with your log agent"
	if !f.cwIgnoreFailures {
		return fmt.Errorf("--cw-log-group/--cw-log-stream/--cw-log-region: %s (add --cw-ignore-failures to run without CloudWatch)", why)
	}
	fmt.Fprintf(warn, "goldsmith: note: %s; running without CloudWatch (--cw-ignore-failures)\n", why)
	return nil
}

// logUploader uploads a run folder to s3://bucket/prefix/<run folder>/.
type logUploader struct {
	client        *s3.Client
	bucket, owner string
	prefix        string // "" or ending in "/"
}

// newLogUploader checks that the bucket is reachable before the run, so
// that a wrong bucket or credentials are found before any step runs.
func newLogUploader(ctx context.Context, cfg aws.Config, f toeLogFlags) (*logUploader, error) {
	u := &logUploader{client: s3client.New(cfg), bucket: f.bucket, owner: f.owner}
	if p := strings.Trim(f.prefix, "/"); p != "" {
		u.prefix = p + "/"
	}
	in := &s3.HeadBucketInput{Bucket: aws.String(u.bucket)}
	if u.owner != "" {
		in.ExpectedBucketOwner = aws.String(u.owner)
	}
	if _, err := u.client.HeadBucket(ctx, in); err != nil {
		return nil, fmt.Errorf("--log-s3-bucket-name %s: the bucket is not reachable (check that it exists, the AWS credentials and AWS_ENDPOINT_URL for an S3-compatible store): %w", u.bucket, err)
	}
	return u, nil
}

// upload stores every file of runDir and returns the s3:// URI of the
// uploaded folder.
func (u *logUploader) upload(ctx context.Context, runDir string) (string, error) {
	base := u.prefix + filepath.Base(runDir) + "/"
	err := filepath.WalkDir(runDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(runDir, p)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		in := &s3.PutObjectInput{Bucket: aws.String(u.bucket), Key: aws.String(path.Join(base, filepath.ToSlash(rel))), Body: f}
		if u.owner != "" {
			in.ExpectedBucketOwner = aws.String(u.owner)
		}
		_, err = u.client.PutObject(ctx, in)
		return err
	})
	uri := "s3://" + u.bucket + "/" + base
	if err != nil {
		return uri, fmt.Errorf("upload the run's logs to %s: %w", uri, err)
	}
	return uri, nil
}

var unknownFieldRE = regexp.MustCompile(`unknown field "([^"]+)"`)

// configKeyHint adds "did you mean" to a --config file's unknown key.
func configKeyHint(err error) error {
	m := unknownFieldRE.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	var known []string
	t := reflect.TypeOf(toe.Config{})
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" {
			known = append(known, name)
		}
	}
	if hint := component.Suggest(m[1], known); hint != "" {
		return fmt.Errorf("%w%s", err, hint)
	}
	return err
}
