package server_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/jackc/pgx/v5"

	"github.com/goldsmith-dev/goldsmith/internal/buildjob"
	"github.com/goldsmith-dev/goldsmith/internal/pgtest"
	"github.com/goldsmith-dev/goldsmith/internal/queue"
	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fenceDB is a database the takeover test runs on.
type fenceDB struct {
	name string
	// config gives the server's configuration of a new database, and
	// rescue moves the running build job back to available, as River's
	// rescuer does with a job whose worker stopped beating.
	config func(t *testing.T) (server.Config, func(ctx context.Context) error)
}

var fenceDBs = []fenceDB{
	{"sqlite", func(t *testing.T) (server.Config, func(context.Context) error) {
		c := server.Config{DataDir: t.TempDir()}
		return c, func(ctx context.Context) error {
			db, err := sql.Open("sqlite", filepath.Join(c.DataDir, "goldsmith.db")+"?_pragma=busy_timeout(10000)")
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := db.ExecContext(ctx, rescueSQL)
			if err != nil {
				return err
			}
			return oneRow(res.RowsAffected())
		}
	}},
	{"postgres", func(t *testing.T) (server.Config, func(context.Context) error) {
		c := server.Config{DataDir: t.TempDir(), PostgresURL: pgtest.URL(t)}
		return c, func(ctx context.Context) error {
			conn, err := pgx.Connect(ctx, c.PostgresURL)
			if err != nil {
				return err
			}
			defer conn.Close(ctx)
			tag, err := conn.Exec(ctx, rescueSQL)
			if err != nil {
				return err
			}
			return oneRow(tag.RowsAffected(), nil)
		}
	}},
}

// bBeat is worker B's heartbeat interval.
const bBeat = 250 * time.Millisecond

const rescueSQL = `UPDATE river_job SET state = 'available' WHERE kind = 'build_image' AND state = 'running'`

func oneRow(n int64, err error) error {
	if err == nil && n != 1 {
		err = fmt.Errorf("%d running build jobs, want 1", n)
	}
	return err
}

// TestTakenOverBuildIsFenced: worker A starts a build and freezes (its
// heartbeats stop, its build goes on); the job is rescued and worker B
// takes it over. When A wakes up and finishes its build, whether it
// succeeded or failed, its writes are refused, and the image ends as B
// decides, B's attempt not cut off by A's end.
func TestTakenOverBuildIsFenced(t *testing.T) {
	t.Parallel()
	errA, errB := errors.New("worker A's build failed"), errors.New("worker B's build failed")
	for _, db := range fenceDBs {
		for _, tc := range []struct {
			name         string
			a, b         error // the builds' outcomes: nil succeeds
			want         types.ImageStatus
			wantReasonOf error
		}{
			{"A succeeds, B fails", nil, errB, types.ImageStatusFailed, errB},
			{"A fails, B succeeds", errA, nil, types.ImageStatusAvailable, nil},
		} {
			t.Run(db.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				cfg, rescue := db.config(t)
				testTakeover(t, cfg, rescue, tc.a, tc.b, tc.want, tc.wantReasonOf)
			})
		}
	}
}

// worker is a `goldsmith worker` in this process with a fake build that
// reports when it starts and ends with outcome once released.
type worker struct {
	started  chan struct{}
	release  chan struct{}
	returned chan error // what the build job's handler returned
}

// startWorker runs a worker with the given heartbeat interval. frozen:
// its build does not stop when its job is lost (the process was paused,
// and wakes up only when released).
func startWorker(t *testing.T, cfg server.Config, id string, beat time.Duration, frozen bool, outcome error) *worker {
	t.Helper()
	w := &worker{started: make(chan struct{}), release: make(chan struct{}), returned: make(chan error, 1)}
	cfg = server.WithWorkersHook(cfg, func(r *buildjob.Runner, wc *queue.WorkersConfig) {
		r.PollInterval = 100 * time.Millisecond // stores the log soon
		r.Build = func(ctx context.Context, opts workflow.Options) (*workflow.Result, error) {
			opts.Reporter.StepStarted("build:hello")
			opts.Reporter.Logf("%s builds", id)
			close(w.started)
			if frozen {
				<-w.release
			} else {
				select {
				case <-w.release:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			if outcome != nil {
				return nil, outcome
			}
			return &workflow.Result{Manifest: &workflow.Manifest{}}, nil
		}
		wc.ID, wc.HeartbeatInterval, wc.HeartbeatTimeout, wc.PollInterval = id, beat, 4*beat, 100*time.Millisecond
		handler := wc.BuildImage
		wc.BuildImage = func(ctx context.Context, job *queue.Job[queue.BuildImage]) error {
			err := handler(ctx, job)
			w.returned <- err
			return err
		}
	})
	cfg.Build = server.BuildConfig{CacheDir: "off"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.RunWorker(ctx, cfg) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker %s: %v", id, err)
		}
	})
	return w
}

func testTakeover(t *testing.T, cfg server.Config, rescue func(context.Context) error, outcomeA, outcomeB error,
	want types.ImageStatus, wantReasonOf error) {
	api := cfg
	api.Build.Workers = -1
	srv := servertest.Start(t, api)
	ctx, c := context.Background(), srv.Client
	image := createImage(t, c)
	status := func() *types.Image {
		o, err := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)})
		if err != nil {
			t.Fatal(err)
		}
		return o.Image
	}

	// A beats so rarely that it does not notice losing the job.
	a := startWorker(t, cfg, "worker-a", time.Hour, true, outcomeA)
	wait(t, a.started, "worker A to start the build")
	logs := filepath.Join(cfg.DataDir, "images", strings.Split(image, ":")[4], "hello", "1.0.0", "1", "logs")
	waitFor(t, "worker A's log in the artifact store", func() bool { return strings.Contains(readFile(logs, "build.log"), "worker-a builds") })
	if err := rescue(ctx); err != nil {
		t.Fatalf("rescue the job: %v", err)
	}
	b := startWorker(t, cfg, "worker-b", bBeat, false, outcomeB)
	wait(t, b.started, "worker B to take the build over")

	// A follower of attempt 1's log, far into it, is moved to the start
	// of attempt 2's.
	waitFor(t, "worker B's log in the artifact store", func() bool { return readFile(logs, "attempt-2", "build.log") != "" })
	if lg := getLog(t, srv, image, "1", 1<<20); lg.attempt != "2" || lg.offset != "0" || !strings.Contains(lg.text, "worker-b builds") {
		t.Errorf("following attempt 1's log after the restart: attempt %q, offset %q, text %q; want attempt 2's log from 0", lg.attempt, lg.offset, lg.text)
	}

	close(a.release) // A wakes up and finishes
	if err := receive(t, a.returned, "worker A's handler"); !errors.Is(err, queue.ErrJobLost) {
		t.Errorf("worker A's handler returned %v, want queue.ErrJobLost", err)
	}
	if st := status().State; st.Status != types.ImageStatusBuilding {
		t.Errorf("after worker A finished, the image is %s (%s), want BUILDING: B's build runs", st.Status, aws.ToString(st.Reason))
	}

	// A's end must not end B's attempt: B keeps its job through several
	// heartbeats after A's handler returned.
	time.Sleep(8 * bBeat)
	close(b.release)
	if err := receive(t, b.returned, "worker B's handler"); err != nil {
		t.Errorf("worker B's handler returned %v", err)
	}
	st := status().State
	if st.Status != want {
		t.Fatalf("the image ended %s (%s), want %s as worker B decided", st.Status, aws.ToString(st.Reason), want)
	}
	if wantReasonOf != nil && !strings.Contains(aws.ToString(st.Reason), wantReasonOf.Error()) {
		t.Errorf("reason %q, want worker B's %q", aws.ToString(st.Reason), wantReasonOf)
	}

	// Both attempts are visible: the first one's execution ended saying
	// the build restarted, the second one has its own; both logs stay.
	wfs, err := c.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(image)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(wfs.WorkflowExecutions); n < 2 || wfs.WorkflowExecutions[1].Type != types.WorkflowTypeBuild {
		t.Fatalf("%d workflow executions, want a build execution per attempt: %+v", n, wfs.WorkflowExecutions)
	}
	if first := wfs.WorkflowExecutions[0]; first.Status != types.WorkflowExecutionStatusFailed ||
		!strings.Contains(aws.ToString(first.Message), "restarted as attempt 2") {
		t.Errorf("the first attempt's execution is %s (%q), want FAILED saying the build restarted", first.Status, aws.ToString(first.Message))
	}
	if second := wfs.WorkflowExecutions[1]; second.Status == types.WorkflowExecutionStatusRunning {
		t.Errorf("the second attempt's execution still runs after the image ended")
	}
	if l := readFile(logs, "build.log"); !strings.Contains(l, "worker-a builds") || strings.Contains(l, "worker-b") {
		t.Errorf("attempt 1's log is not worker A's:\n%s", l)
	}
	if l := readFile(logs, "attempt-2", "build.log"); !strings.Contains(l, "worker-b builds") {
		t.Errorf("attempt 2's log is not worker B's:\n%s", l)
	}
}

// logPiece is an answer of GET /goldsmith/GetImageLog.
type logPiece struct{ attempt, offset, text string }

// getLog reads image's log as `goldsmith logs --follow` does, following
// attempt from offset.
func getLog(t *testing.T, srv *servertest.Server, image, attempt string, offset int64) logPiece {
	t.Helper()
	ctx := context.Background()
	q := url.Values{"imageBuildVersionArn": {image}, "attempt": {attempt}, "offset": {strconv.FormatInt(offset, 10)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.Endpoint+"/goldsmith/GetImageLog?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := srv.Config.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	empty := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(empty[:]), "imagebuilder", srv.Config.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GetImageLog: %s %s (%v)", resp.Status, b, err)
	}
	return logPiece{resp.Header.Get("X-Goldsmith-Log-Attempt"), resp.Header.Get("X-Goldsmith-Log-Offset"), string(b)}
}

// readFile is the text of the file at the joined path ("" if missing).
func readFile(elem ...string) string {
	b, _ := os.ReadFile(filepath.Join(elem...))
	return string(b)
}

// waitFor waits up to 2 minutes for cond.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(2 * time.Minute):
		t.Fatalf("gave up waiting for %s", what)
	}
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(2 * time.Minute):
		t.Fatalf("gave up waiting for %s", what)
		panic("unreachable")
	}
}

// createImage creates an image of a one-component recipe, whose build is
// queued.
func createImage(t *testing.T, c *imagebuilder.Client) string {
	t.Helper()
	img, err := c.CreateImage(context.Background(), servertest.ImageInput(t, c, "hello", helloDoc))
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(img.ImageBuildVersionArn)
}

const helloDoc = `name: hello
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Say
        action: ExecuteBash
        inputs:
          commands: ["echo hello"]
`
