package action

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/goldsmith-dev/goldsmith/internal/s3client"
)

// S3UploadInputs is one item of S3Upload's inputs.
type S3UploadInputs struct {
	// Source is a local file or folder, or a path with the * wildcard in
	// its last element (/var/log/*, /tmp/*.log).
	Source string `input:"source,required"`
	// Destination is s3://bucket/key, or a key prefix ending in / that
	// receives the files under their own names.
	Destination string `input:"destination,required"`
	// Recurse uploads folders (and folders matched by a wildcard) with
	// everything in them. "true"/"false" strings are accepted.
	Recurse bool `input:"recurse"`
	// ExpectedBucketOwner is the account ID the bucket must belong to.
	ExpectedBucketOwner string `input:"expectedBucketOwner"`
}

func init() {
	Register(NewListModule(Spec[S3UploadInputs]{
		Name: "S3Upload",
		Check: func(in *S3UploadInputs, p *Problems) {
			fsCheckPath(p, "source", in.Source)
			checkS3URI(p, "destination", in.Destination, false)
			fsCheckWildcard(p, "source", in.Source, "destination", in.Destination)
		},
	}, runS3Upload))
}

func runS3Upload(ctx context.Context, env *Env, items []*S3UploadInputs) (Output, error) {
	client, err := s3Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return fsEach(ctx, items, func(in *S3UploadInputs) error {
		files, err := s3UploadPlan(env, in)
		if err != nil {
			return err
		}
		// Objects already uploaded stay when a later one fails, as in AWSTOE.
		for _, f := range files {
			if err := s3PutFile(ctx, env, client, f, in.ExpectedBucketOwner); err != nil {
				return err
			}
		}
		return nil
	})
}

// s3UploadFile is one local file and the object it becomes.
type s3UploadFile struct {
	local  string
	bucket string
	key    string
}

// s3UploadPlan lists the files an item uploads and their keys.
//
// UNCONFIRMED choices: a folder source (no wildcard) needs recurse and
// uploads the folder's contents under the destination prefix, as
// `aws s3 cp --recursive` does; a wildcard source skips matched folders
// unless recurse is set; a wildcard that matches nothing is an error.
func s3UploadPlan(env *Env, in *S3UploadInputs) ([]s3UploadFile, error) {
	u, err := s3client.ParseURI(in.Destination)
	if err != nil {
		return nil, err
	}
	src := fsAbs(env, in.Source)
	prefix := u.Key
	isPrefix := prefix == "" || strings.HasSuffix(prefix, "/")
	var out []s3UploadFile
	add := func(local, key string) { out = append(out, s3UploadFile{local, u.Bucket, key}) }

	if !fsHasWildcard(in.Source) {
		fi, err := os.Stat(src)
		if err != nil {
			return nil, fsExplain(src, err, "check the source path")
		}
		if !fi.IsDir() {
			key := prefix
			if isPrefix {
				key = prefix + filepath.Base(src)
			}
			add(src, key)
			return out, nil
		}
		if !in.Recurse {
			return nil, fmt.Errorf("%s is a folder; set recurse: true to upload it with everything in it", src)
		}
		if !isPrefix {
			prefix += "/" // a folder goes under a prefix, whatever the spelling
		}
		return out, s3Walk(src, prefix, add)
	}

	if !isPrefix {
		return nil, fmt.Errorf("with a wildcard source the destination must be a key prefix ending in /; write %q", in.Destination+"/")
	}
	matches, err := fsGlob(src)
	if err != nil {
		return nil, fmt.Errorf("expand %s: %w", src, err)
	}
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil {
			return nil, fsExplain(m, err, "it vanished while uploading")
		}
		switch {
		case fi.Mode().IsRegular():
			add(m, prefix+filepath.Base(m))
		case fi.IsDir() && in.Recurse:
			if err := s3Walk(m, prefix+filepath.Base(m)+"/", add); err != nil {
				return nil, err
			}
		}
	}
	if len(out) == 0 {
		what := "files"
		if in.Recurse {
			what = "files or folders"
		}
		return nil, fsErrf(fs.ErrNotExist, "no %s match %s; check the folder and the pattern", what, src)
	}
	return out, nil
}

// s3Walk adds every regular file under dir, keyed prefix + relative path
// with / separators. Symbolic links to files are followed; links to
// folders are not.
func s3Walk(dir, prefix string, add func(local, key string)) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fsExplain(p, err, "check the source path")
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil // sockets, devices, pipes
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		add(p, prefix+filepath.ToSlash(rel))
		return nil
	})
}

func s3PutFile(ctx context.Context, env *Env, client *s3.Client, f s3UploadFile, owner string) error {
	dst := "s3://" + f.bucket + "/" + f.key
	if f.key == "" {
		return errors.New("destination " + dst + " names no object key")
	}
	file, err := os.Open(f.local)
	if err != nil {
		return fsExplain(f.local, err, "check the source path")
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return err
	}
	fmt.Fprintf(xferConsole(env), "S3Upload: %s -> %s\n", f.local, dst)
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:              aws.String(f.bucket),
		Key:                 aws.String(f.key),
		Body:                file,
		ContentLength:       aws.Int64(fi.Size()),
		ExpectedBucketOwner: s3Optional(owner),
	})
	if err != nil {
		return fmt.Errorf("upload %s to %s: %w", f.local, dst, err)
	}
	return nil
}
