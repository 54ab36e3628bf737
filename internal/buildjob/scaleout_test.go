package buildjob_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"

	"github.com/goldsmith-dev/goldsmith/internal/pgtest"
	"github.com/goldsmith-dev/goldsmith/internal/s3test"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
	"github.com/goldsmith-dev/goldsmith/internal/vmtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestScaleOut runs the scale-out setup with real parts: an API server and
// two `goldsmith worker` processes share a PostgreSQL database (the River
// queue and the resources) and a MinIO bucket (images, logs, shared step cache entries); no
// process sees another's files. Two builds are queued while each worker
// runs one build at a time: the builds spread across both workers, every
// build runs exactly once, every image ends AVAILABLE with its disk and
// logs in the bucket, and the API server serves the log of a build that
// ran elsewhere.
func TestScaleOut(t *testing.T) {
	vmtest.Require(t)
	goldsmith := vmtest.GoldsmithBinary(t)
	pg := pgtest.URL(t)
	minio := s3test.Start(t)
	minio.MakeBucket(t, "goldsmith")
	const artifacts = "s3://goldsmith/images"
	srv := servertest.Exec(t, goldsmith, minio.Env(), "--postgres", pg, "--artifacts", artifacts, "--workers", "0")
	ctx, c := context.Background(), srv.Client

	// A short folder: QEMU's unix sockets live under it (108-byte limit).
	tmp, err := os.MkdirTemp("", "gs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	type worker struct {
		cmd *exec.Cmd
		log string
		id  string
	}
	start := func(name string) *worker {
		w := &worker{log: filepath.Join(t.TempDir(), name+".log")}
		// Each worker has its own data folder: nothing is shared but the
		// database and the bucket.
		w.cmd = exec.Command(goldsmith, "worker", "--postgres", pg, "--artifacts", artifacts, "--shared-cache", "s3://goldsmith/cache", "--data-dir", t.TempDir())
		w.cmd.Env = append(append(os.Environ(), minio.Env()...), "TMPDIR="+tmp)
		logf, err := os.Create(w.log)
		if err != nil {
			t.Fatal(err)
		}
		w.cmd.Stdout, w.cmd.Stderr = logf, logf
		if err := w.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = w.cmd.Process.Kill(); _ = w.cmd.Wait(); logf.Close() })
		// Both run before any build is queued, so that neither takes all.
		for i := 0; w.id == ""; i++ {
			if i > 300 {
				b, _ := os.ReadFile(w.log)
				t.Fatalf("worker %s did not start:\n%s", name, b)
			}
			time.Sleep(100 * time.Millisecond)
			f, _ := os.Open(w.log)
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if id, ok := strings.CutPrefix(sc.Text(), "Goldsmith worker "); ok {
					w.id, _, _ = strings.Cut(id, " ")
				}
			}
			f.Close()
		}
		return w
	}
	workers := []*worker{start("a"), start("b")}

	input := newWebImage(t, c)
	var images []string
	for range 2 {
		in := *input // a fresh clientToken each time (the SDK sets one in the input)
		img, err := c.CreateImage(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		images = append(images, aws.ToString(img.ImageBuildVersionArn))
	}

	deadline := time.Now().Add(20 * time.Minute)
	for _, image := range images {
		for {
			o, err := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)})
			if err != nil {
				t.Fatal(err)
			}
			st := o.Image.State.Status
			if st == types.ImageStatusAvailable {
				break
			}
			if st == types.ImageStatusFailed || st == types.ImageStatusCancelled || time.Now().After(deadline) {
				var logs []string
				for _, w := range workers {
					b, _ := os.ReadFile(w.log)
					logs = append(logs, string(b))
				}
				t.Fatalf("%s ended %s (%s); worker logs:\n%s", image, st, aws.ToString(o.Image.State.Reason), strings.Join(logs, "\n----\n"))
			}
			time.Sleep(time.Second)
		}
	}

	// Every build ran once, and both workers ran builds.
	conn, err := pgx.Connect(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// River marks a job completed shortly after the build returns (its
	// completer batches), which may be after the image is AVAILABLE: wait
	// for that, up to a minute.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		var open int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'build_image' AND state <> 'completed'`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			break
		}
	}
	rows, err := conn.Query(ctx, `SELECT args->>'image_arn', attempt, attempted_by, state FROM river_job WHERE kind = 'build_image'`)
	if err != nil {
		t.Fatal(err)
	}
	ran := map[string]string{}
	used := map[string]int{}
	for rows.Next() {
		var image, state string
		var attempt int
		var by []string
		if err := rows.Scan(&image, &attempt, &by, &state); err != nil {
			t.Fatal(err)
		}
		if attempt != 1 || len(by) != 1 || state != "completed" {
			t.Errorf("%s: attempt %d by %q, %s; want one attempt, completed", image, attempt, by, state)
		}
		if len(by) > 0 {
			ran[image] = by[0]
			used[by[0]]++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ran) != len(images) {
		t.Errorf("jobs for %d images, want %d: %v", len(ran), len(images), ran)
	}
	for _, w := range workers {
		if used[w.id] == 0 {
			t.Errorf("worker %s ran no build (builds by worker: %v)", w.id, used)
		}
	}

	// The outputs and logs are in the bucket, and whole.
	s3c := minio.Client(t)
	list := func(prefix string) []string {
		out, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("goldsmith"), Prefix: aws.String(prefix)})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		return keys
	}
	keys := list("images/")
	for i := range images {
		base := fmt.Sprintf("/web/1.0.0/%d/", i+1)
		for _, want := range []string{"web-1.0.0.qcow2", "web-1.0.0.qcow2.sha256", "manifest.json", "sbom.cdx.json", "logs/build.log", "logs/build-vm-serial.log"} {
			if !slices.ContainsFunc(keys, func(k string) bool { return strings.HasSuffix(k, base+want) }) {
				t.Errorf("no %s%s among the bucket's %d objects", base, want, len(keys))
			}
		}
	}
	// Each worker published its step cache entries for other hosts: the
	// booted base and the web component's, both made with the same keys
	// (the same binary, QEMU and VM shape); VM states stay on the host.
	entries := list("cache/steps/")
	var json, qcow2 int
	for _, e := range entries {
		switch {
		case strings.HasSuffix(e, ".json"):
			json++
		case strings.HasSuffix(e, ".qcow2"):
			qcow2++
		}
	}
	if len(entries) != 4 || json != 2 || qcow2 != 2 {
		t.Errorf("shared step cache holds %q, want two entries (json and qcow2 each): the booted base and the web component", entries)
	}
	if i := slices.IndexFunc(keys, func(k string) bool { return strings.HasSuffix(k, "/web/1.0.0/1/web-1.0.0.qcow2") }); i >= 0 {
		get := func(k string) io.ReadCloser {
			o, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("goldsmith"), Key: aws.String(k)})
			if err != nil {
				t.Fatal(err)
			}
			return o.Body
		}
		h := sha256.New()
		body := get(keys[i])
		if _, err := io.Copy(h, body); err != nil {
			t.Fatal(err)
		}
		body.Close()
		sum, _ := io.ReadAll(get(keys[i] + ".sha256"))
		if got := hex.EncodeToString(h.Sum(nil)); !strings.HasPrefix(string(sum), got) {
			t.Errorf("the stored qcow2 has sha256 %s; its .sha256 file says %q", got, sum)
		}
	}

	// The API server, which ran no build, serves a build's log from the
	// bucket.
	logs, err := exec.Command(goldsmith, "logs", "--endpoint-url", srv.Endpoint, "--data-dir", srv.DataDir, images[1]).CombinedOutput()
	if err != nil || !strings.Contains(string(logs), "==> build:web") || !strings.Contains(string(logs), "store-artifacts") {
		t.Errorf("goldsmith logs: %v\n%s", err, logs)
	}
	vmtest.NoQEMU(t, tmp)
}
