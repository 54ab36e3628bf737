package queue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/pgtest"
	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/postgres"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// testBackend is a database the conformance suite runs against.
type testBackend struct {
	name        string
	newLocation func(t testing.TB) string
	open        func(ctx context.Context, loc string) (store.Store, error)
}

var testBackends = []testBackend{
	{
		name:        "sqlite",
		newLocation: func(t testing.TB) string { return filepath.Join(t.TempDir(), "goldsmith.db") },
		open: func(ctx context.Context, loc string) (store.Store, error) {
			return sqlite.Open(ctx, sqlite.Config{Path: loc})
		},
	},
	{
		name:        "postgres",
		newLocation: func(t testing.TB) string { return pgtest.URL(t) },
		open: func(ctx context.Context, loc string) (store.Store, error) {
			return postgres.Open(ctx, postgres.Config{URL: loc, MaxConns: 16})
		},
	},
}

func backendNamed(name string) (testBackend, bool) {
	for _, b := range testBackends {
		if b.name == name {
			return b, true
		}
	}
	return testBackend{}, false
}

// TestConformance runs the queue suite against every backend.
func TestConformance(t *testing.T) {
	t.Parallel()

	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()

			runSuite(t, b)
		})
	}
}

func runSuite(t *testing.T, b testBackend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b testBackend)
	}{
		{"CommittedRunsOnce", testCommittedRunsOnce},
		{"RolledBackNeverRuns", testRolledBackNeverRuns},
		{"Unique", testUnique},
		{"TwoWorkers", testTwoWorkers},
		{"StopWaitsForRunningJob", testStopWaits},
		{"StopHandsBack", testStopHandsBack},
		{"LostJob", testLostJob},
		{"DeadWorkerRescued", testDeadWorkerRescued},
		{"MigrateConcurrently", testMigrateConcurrently},
		{"Stats", testStats},
		{"ForeignTx", testForeignTx},
		{"Notify", testNotify},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			tt.fn(t, b)
		})
	}
}

// waitTimeout bounds every wait for an asynchronous outcome; generous, as
// VM tests share the machine.
const waitTimeout = 3 * time.Minute

// testBundle is one database with a store and a queue on it.
type testBundle struct {
	b     testBackend
	loc   string
	store store.Store
	queue *Queue
	log   *slog.Logger
}

func setup(t testing.TB, b testBackend) *testBundle {
	t.Helper()
	tb := &testBundle{b: b, loc: b.newLocation(t), log: testLogger(t)}
	tb.store, tb.queue = tb.open(t)
	return tb
}

// open opens another store and queue on the bundle's database, as another
// process would.
func (tb *testBundle) open(t testing.TB) (store.Store, *Queue) {
	t.Helper()
	ctx := context.Background()
	s, err := tb.b.open(ctx, tb.loc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	q, err := Open(ctx, s, Config{Logger: tb.log})
	if err != nil {
		t.Fatal(err)
	}
	return s, q
}

// startWorkers starts workers on q running fn, stopped at the end of the
// test (before the store closes).
func (tb *testBundle) startWorkers(t testing.TB, q *Queue, concurrency int,
	fn func(ctx context.Context, job *Job[BuildImage]) error) *Workers {
	t.Helper()
	w, err := NewWorkers(q, WorkersConfig{
		BuildImage: fn, Concurrency: concurrency, Logger: tb.log,
		HeartbeatInterval: 250 * time.Millisecond, HeartbeatTimeout: 5 * time.Second, PollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := w.Stop(ctx); err != nil {
			t.Errorf("stop workers: %v", err)
		}
	})
	return w
}

const account = "111111111111"

func imageARN(n int) string {
	return fmt.Sprintf("arn:aws:imagebuilder:us-east-1:%s:image/test/1.0.0/%d", account, n)
}

// enqueue writes image n in PENDING and enqueues its build, in one
// transaction.
func enqueue(t testing.TB, s store.Store, q *Queue, n int) Inserted {
	t.Helper()
	var ins Inserted
	err := s.WithTx(context.Background(), func(tx store.Tx) error {
		if _, err := tx.Put(context.Background(), store.Record{ARN: arn.MustParse(imageARN(n)), Owner: account,
			Data: []byte(`{"state":"PENDING"}`)}); err != nil {
			return err
		}
		var err error
		ins, err = q.InsertTx(context.Background(), tx, BuildImage{Account: account, ImageARN: imageARN(n)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ins
}

// riverExec is the River driver's executor of q, to look at jobs.
func riverExec(q *Queue) riverdriver.Executor { return q.b.executor() }

func jobRow(t testing.TB, q *Queue, id int64) *rivertype.JobRow {
	t.Helper()
	row, err := riverExec(q).JobGetByID(context.Background(), &riverdriver.JobGetByIDParams{ID: id})
	if err != nil {
		t.Fatalf("job %d: %v", id, err)
	}
	return row
}

// waitState waits until job id is in state.
func waitState(t testing.TB, q *Queue, id int64, state rivertype.JobState) *rivertype.JobRow {
	t.Helper()
	var row *rivertype.JobRow
	waitFor(t, fmt.Sprintf("job %d %s", id, state), func() bool {
		row = jobRow(t, q, id)
		return row.State == state
	})
	return row
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// receive waits for a value on ch.
func receive[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatalf("gave up waiting for %s", what)
		panic("unreachable")
	}
}

// runs counts handler runs by image ARN.
type runs struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *runs) add(a string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[a]++
}

func (r *runs) get() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := map[string]int{}
	for k, v := range r.n {
		m[k] = v
	}
	return m
}

func testCommittedRunsOnce(t *testing.T, b testBackend) {
	tb := setup(t, b)
	var r runs
	tb.startWorkers(t, tb.queue, 2, func(ctx context.Context, job *Job[BuildImage]) error {
		r.add(job.Args.ImageARN)
		// Record the outcome in a fenced transaction.
		return tb.store.WithTx(ctx, func(tx store.Tx) error {
			if err := job.Fence(ctx, tx); err != nil {
				return err
			}
			rec, err := tx.Get(ctx, arn.MustParse(job.Args.ImageARN))
			if err != nil {
				return err
			}
			rec.Data = []byte(`{"state":"AVAILABLE"}`)
			_, err = tx.Update(ctx, rec)
			return err
		})
	})
	ins := enqueue(t, tb.store, tb.queue, 1)
	if ins.Duplicate || ins.JobID == 0 {
		t.Fatalf("InsertTx = %+v, want a new job", ins)
	}
	row := waitState(t, tb.queue, ins.JobID, rivertype.JobStateCompleted)
	if row.Attempt != 1 {
		t.Errorf("completed at attempt %d, want 1", row.Attempt)
	}
	if got := r.get(); got[imageARN(1)] != 1 || len(got) != 1 {
		t.Errorf("runs = %v, want one of %s", got, imageARN(1))
	}
	rec, err := tb.store.Get(context.Background(), arn.MustParse(imageARN(1)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rec.Data), "AVAILABLE") {
		t.Errorf("image record %s, want it AVAILABLE", rec.Data)
	}
}

func testRolledBackNeverRuns(t *testing.T, b testBackend) {
	tb := setup(t, b)
	ctx := context.Background()
	errRollback := errors.New("roll back")
	var id int64
	err := tb.store.WithTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Put(ctx, store.Record{ARN: arn.MustParse(imageARN(1)), Owner: account}); err != nil {
			return err
		}
		ins, err := tb.queue.InsertTx(ctx, tx, BuildImage{Account: account, ImageARN: imageARN(1)})
		if err != nil {
			return err
		}
		id = ins.JobID
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("WithTx = %v, want the rollback error", err)
	}
	if _, err := riverExec(tb.queue).JobGetByID(ctx, &riverdriver.JobGetByIDParams{ID: id}); !errors.Is(err, rivertype.ErrNotFound) {
		t.Errorf("rolled-back job %d: %v, want not found", id, err)
	}
	if _, err := tb.store.Get(ctx, arn.MustParse(imageARN(1))); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rolled-back image: %v, want not found", err)
	}
	// A committed job after it runs; the rolled-back one never does.
	var r runs
	tb.startWorkers(t, tb.queue, 2, func(ctx context.Context, job *Job[BuildImage]) error {
		r.add(job.Args.ImageARN)
		return nil
	})
	ins := enqueue(t, tb.store, tb.queue, 2)
	waitState(t, tb.queue, ins.JobID, rivertype.JobStateCompleted)
	if got := r.get(); len(got) != 1 || got[imageARN(2)] != 1 {
		t.Errorf("runs = %v, want only %s once", got, imageARN(2))
	}
	// The ARN of the rolled-back job is free.
	if ins := enqueue(t, tb.store, tb.queue, 1); ins.Duplicate {
		t.Errorf("enqueue after rollback: %+v, want a new job", ins)
	}
}

func testUnique(t *testing.T, b testBackend) {
	tb := setup(t, b)
	ctx := context.Background()
	first := enqueue(t, tb.store, tb.queue, 1)
	args := BuildImage{Account: account, ImageARN: imageARN(1)}
	insert := func() Inserted {
		t.Helper()
		var ins Inserted
		err := tb.store.WithTx(ctx, func(tx store.Tx) error {
			var err error
			if ins, err = tb.queue.InsertTx(ctx, tx, args); err != nil {
				return err
			}
			// Twice in one transaction, too.
			again, err := tb.queue.InsertTx(ctx, tx, args)
			if err != nil {
				return err
			}
			if !again.Duplicate || again.JobID != first.JobID {
				t.Errorf("second InsertTx in a transaction = %+v, want a duplicate of job %d", again, first.JobID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ins
	}
	if ins := insert(); !ins.Duplicate || ins.JobID != first.JobID {
		t.Errorf("InsertTx of an enqueued image = %+v, want a duplicate of job %d", ins, first.JobID)
	}
	// Another account's image of another ARN is not a duplicate.
	if ins := enqueue(t, tb.store, tb.queue, 2); ins.Duplicate {
		t.Errorf("InsertTx of another image = %+v, want a new job", ins)
	}

	var r runs
	tb.startWorkers(t, tb.queue, 2, func(ctx context.Context, job *Job[BuildImage]) error {
		r.add(job.Args.ImageARN)
		return nil
	})
	waitState(t, tb.queue, first.JobID, rivertype.JobStateCompleted)
	if ins := insert(); !ins.Duplicate || ins.JobID != first.JobID {
		t.Errorf("InsertTx of a built image = %+v, want a duplicate of job %d", ins, first.JobID)
	}
	if got := r.get()[imageARN(1)]; got != 1 {
		t.Errorf("%s ran %d times, want 1", imageARN(1), got)
	}
}

// testTwoWorkers runs two workers, as two processes would, on one
// database: both get work, and no job runs twice.
func testTwoWorkers(t *testing.T, b testBackend) {
	tb := setup(t, b)
	_, q2 := tb.open(t)
	const jobs = 8
	var r runs
	release := make(chan struct{})
	type start struct{ worker, image string }
	started := make(chan start, jobs)
	handler := func(name string) func(ctx context.Context, job *Job[BuildImage]) error {
		return func(ctx context.Context, job *Job[BuildImage]) error {
			r.add(job.Args.ImageARN)
			started <- start{name, job.Args.ImageARN}
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	tb.startWorkers(t, tb.queue, 1, handler("a"))
	tb.startWorkers(t, q2, 1, handler("b"))
	ids := make([]int64, jobs)
	for i := range ids {
		ids[i] = enqueue(t, tb.store, tb.queue, i+1).JobID
	}
	// Each worker runs one job at a time, so two jobs running at once run
	// on both workers.
	s1 := receive(t, started, "a first job")
	s2 := receive(t, started, "a second job")
	if s1.worker == s2.worker {
		t.Errorf("worker %s runs two jobs at once with concurrency 1", s1.worker)
	}
	close(release)
	for _, id := range ids {
		waitState(t, tb.queue, id, rivertype.JobStateCompleted)
	}
	got := r.get()
	for i := range jobs {
		if got[imageARN(i+1)] != 1 {
			t.Errorf("%s ran %d times, want once", imageARN(i+1), got[imageARN(i+1)])
		}
	}
}

func testStopWaits(t *testing.T, b testBackend) {
	tb := setup(t, b)
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	w := tb.startWorkers(t, tb.queue, 1, func(ctx context.Context, job *Job[BuildImage]) error {
		started <- struct{}{}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	id := enqueue(t, tb.store, tb.queue, 1).JobID
	receive(t, started, "the job to start")
	if got := w.Running(); got != 1 {
		t.Errorf("Running = %d, want 1", got)
	}
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		stopped <- w.Stop(ctx)
	}()
	close(release)
	if err := receive(t, stopped, "Stop"); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	waitState(t, tb.queue, id, rivertype.JobStateCompleted)
	if got := w.Running(); got != 0 {
		t.Errorf("Running after Stop = %d, want 0", got)
	}
}

func testStopHandsBack(t *testing.T, b testBackend) {
	tb := setup(t, b)
	started := make(chan struct{}, 1)
	w := tb.startWorkers(t, tb.queue, 1, func(ctx context.Context, job *Job[BuildImage]) error {
		started <- struct{}{}
		<-ctx.Done()
		return fmt.Errorf("build cancelled: %w", ctx.Err())
	})
	id := enqueue(t, tb.store, tb.queue, 1).JobID
	receive(t, started, "the job to start")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := w.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v, want the job handed back", err)
	}
	row := jobRow(t, tb.queue, id)
	if row.State != rivertype.JobStateAvailable || row.Attempt != 0 || len(row.Errors) != 0 {
		t.Fatalf("job after Stop: state %s, attempt %d, errors %v; want available, attempt 0, no errors",
			row.State, row.Attempt, row.Errors)
	}
	// Another worker takes it, as its first attempt.
	attempts := make(chan *Job[BuildImage], 1)
	tb.startWorkers(t, tb.queue, 1, func(ctx context.Context, job *Job[BuildImage]) error {
		attempts <- job
		return nil
	})
	if job := receive(t, attempts, "the handed-back job"); job.Attempt != 1 || job.Rescued {
		t.Errorf("handed-back job: attempt %d, rescued %v; want 1, false", job.Attempt, job.Rescued)
	}
	waitState(t, tb.queue, id, rivertype.JobStateCompleted)
}

// testLostJob takes a running job away from its worker, as a rescue and
// another worker's fetch would: the handler's ctx is cancelled with
// ErrJobLost, and Fence refuses.
func testLostJob(t *testing.T, b testBackend) {
	tb := setup(t, b)
	started := make(chan *Job[BuildImage], 1)
	type outcome struct{ cause, fence error }
	outcomes := make(chan outcome, 1)
	tb.startWorkers(t, tb.queue, 1, func(ctx context.Context, job *Job[BuildImage]) error {
		started <- job
		<-ctx.Done()
		fence := tb.store.WithTx(context.WithoutCancel(ctx), func(tx store.Tx) error {
			return job.Fence(context.WithoutCancel(ctx), tx)
		})
		outcomes <- outcome{context.Cause(ctx), fence}
		return ctx.Err()
	})
	id := enqueue(t, tb.store, tb.queue, 1).JobID
	job := receive(t, started, "the job to start")
	// Another worker's attempt.
	if _, err := riverExec(tb.queue).JobUpdateFull(context.Background(), &riverdriver.JobUpdateFullParams{
		ID: id, AttemptDoUpdate: true, Attempt: job.Attempt + 1,
	}); err != nil {
		t.Fatal(err)
	}
	o := receive(t, outcomes, "the handler's ctx to end")
	if !errors.Is(o.cause, ErrJobLost) {
		t.Errorf("ctx cause = %v, want ErrJobLost", o.cause)
	}
	if !errors.Is(o.fence, ErrJobLost) {
		t.Errorf("Fence = %v, want ErrJobLost", o.fence)
	}
	// The lost attempt's end must leave the new attempt running: River
	// would end it with the old handler's result.
	time.Sleep(time.Second)
	if row := jobRow(t, tb.queue, id); row.State != rivertype.JobStateRunning || row.Attempt != job.Attempt+1 {
		t.Errorf("after the lost attempt's handler returned, the job is %s at attempt %d; want running at attempt %d (the new owner's)",
			row.State, row.Attempt, job.Attempt+1)
	}
	// The new owner finishes; the old attempt then ends without a trace.
	now := time.Now()
	if _, err := riverExec(tb.queue).JobUpdateFull(context.Background(), &riverdriver.JobUpdateFullParams{
		ID: id, StateDoUpdate: true, State: rivertype.JobStateCompleted, FinalizedAtDoUpdate: true, FinalizedAt: &now,
	}); err != nil {
		t.Fatal(err)
	}
	if row := waitState(t, tb.queue, id, rivertype.JobStateCompleted); len(row.Errors) != 0 {
		t.Errorf("the lost attempt recorded errors on the new owner's job: %v", row.Errors)
	}
}

func testMigrateConcurrently(t *testing.T, b testBackend) {
	ctx := context.Background()
	loc := b.newLocation(t)
	stores := make([]store.Store, 3)
	for i := range stores {
		s, err := b.open(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	errs := make(chan error, len(stores))
	for _, s := range stores {
		go func() {
			_, err := Open(ctx, s, Config{Logger: testLogger(t)})
			errs <- err
		}()
	}
	for range stores {
		if err := receive(t, errs, "Open"); err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	// Again, on a migrated database.
	q, err := Open(ctx, stores[0], Config{Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Open of a migrated database: %v", err)
	}
	if ins := enqueue(t, stores[1], q, 1); ins.Duplicate {
		t.Errorf("enqueue: %+v", ins)
	}
}

func testStats(t *testing.T, b testBackend) {
	tb := setup(t, b)
	ctx := context.Background()
	for i := range 3 {
		enqueue(t, tb.store, tb.queue, i+1)
	}
	st, err := tb.queue.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st != (Stats{Available: 3}) {
		t.Errorf("Stats = %+v, want 3 available", st)
	}
	release := make(chan struct{})
	started := make(chan struct{}, 3)
	w := tb.startWorkers(t, tb.queue, 1, func(ctx context.Context, job *Job[BuildImage]) error {
		started <- struct{}{}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	receive(t, started, "a job to start")
	if st, err := tb.queue.Stats(ctx); err != nil || st != (Stats{Available: 2, Running: 1}) {
		t.Errorf("Stats = %+v, %v; want 2 available, 1 running", st, err)
	}
	if w.Concurrency() != 1 || w.Running() != 1 {
		t.Errorf("Concurrency, Running = %d, %d; want 1, 1", w.Concurrency(), w.Running())
	}
	close(release)
	waitFor(t, "the queue to empty", func() bool {
		st, err := tb.queue.Stats(ctx)
		return err == nil && st == Stats{}
	})
}

func testForeignTx(t *testing.T, b testBackend) {
	tb := setup(t, b)
	_, err := tb.queue.InsertTx(context.Background(), fakeTx{}, BuildImage{Account: account, ImageARN: imageARN(1)})
	if err == nil || !strings.Contains(err.Error(), "is not a transaction of a") {
		t.Errorf("InsertTx with a foreign Tx = %v, want it refused", err)
	}
	// Outside WithTx, the store itself is no transaction either.
	_, err = tb.queue.InsertTx(context.Background(), tb.store, BuildImage{Account: account, ImageARN: imageARN(1)})
	if err == nil {
		t.Errorf("InsertTx with the store = nil error, want it refused")
	}
}

type fakeTx struct{ store.Tx }

type fakeStore struct{ store.Store }

func TestOpenForeignStore(t *testing.T) {
	t.Parallel()

	_, err := Open(context.Background(), fakeStore{}, Config{})
	if err == nil || !strings.Contains(err.Error(), "neither a SQLite nor a PostgreSQL store") {
		t.Errorf("Open(fake store) = %v", err)
	}
}

func TestRescueTimeout(t *testing.T) {
	t.Parallel()

	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	tests := []struct {
		name        string
		attemptedAt *time.Time
		want        time.Duration
	}{
		{"attempt starting", at(0), -1},
		{"clock behind the database", at(-2 * time.Second), -1},
		{"fresh heartbeat", at(14 * time.Second), -1},
		{"stale heartbeat", at(15 * time.Second), 15 * time.Second},
		{"long dead", at(time.Hour), 15 * time.Second},
		{"never attempted", nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			if got := rescueTimeout(tt.attemptedAt, now, 15*time.Second); got != tt.want {
				t.Errorf("rescueTimeout = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestWorkersConfigValidate(t *testing.T) {
	t.Parallel()

	fn := func(context.Context, *Job[BuildImage]) error { return nil }
	tests := []struct {
		name string
		cfg  WorkersConfig
		want string // "" for valid
	}{
		{"defaults", WorkersConfig{BuildImage: fn}, ""},
		{"no handler", WorkersConfig{}, "nothing to run"},
		{"negative concurrency", WorkersConfig{BuildImage: fn, Concurrency: -1}, "concurrency -1"},
		{"heartbeat timeout too short", WorkersConfig{BuildImage: fn, HeartbeatInterval: 10 * time.Second}, "less than twice"},
		{"negative duration", WorkersConfig{BuildImage: fn, CancelTimeout: -time.Second}, "negative duration"},
		{"poll too fast", WorkersConfig{BuildImage: fn, PollInterval: time.Millisecond}, "poll interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			err := tt.cfg.WithDefaults().validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("validate = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("validate = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// testLogger logs River's warnings and errors to the test log while the
// test runs.
func testLogger(t testing.TB) *slog.Logger {
	var mu sync.Mutex
	done := false
	t.Cleanup(func() {
		mu.Lock()
		done = true
		mu.Unlock()
	})
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			t.Logf("%s", bytes.TrimSpace(p))
		}
		return len(p), nil
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// BenchmarkHundredBuilds measures the queue's side of the scale-out target
// (100 concurrent builds across worker hosts): 100 builds are queued in
// one transaction; two worker processes' queues (each with its own
// connection pool, 50 slots each) take them. Reported: the time until all
// 100 run at once, and until all are completed. Builds hold their slot
// until all 100 have started, so every one of them runs concurrently;
// each must run exactly once.
//
//	go test ./internal/queue -run '^$' -bench HundredBuilds -benchtime 5x
func BenchmarkHundredBuilds(b *testing.B) {
	for _, be := range testBackends {
		b.Run(be.name, func(b *testing.B) {
			const builds, slots = 100, 50
			var startAll, completeAll time.Duration
			for n := range b.N {
				tb := setup(b, be)
				_, q2 := tb.open(b)
				var r runs
				var started sync.WaitGroup
				started.Add(builds)
				all := make(chan struct{})
				handler := func(ctx context.Context, job *Job[BuildImage]) error {
					r.add(job.Args.ImageARN)
					started.Done()
					select {
					case <-all:
						return nil
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				tb.startWorkers(b, tb.queue, slots, handler)
				tb.startWorkers(b, q2, slots, handler)
				t0 := time.Now()
				var last int64
				err := tb.store.WithTx(context.Background(), func(tx store.Tx) error {
					for i := range builds {
						img := fmt.Sprintf("arn:aws:imagebuilder:us-east-1:%s:image/bench%d/1.0.0/%d", account, n, i+1)
						if _, err := tx.Put(context.Background(), store.Record{ARN: arn.MustParse(img), Owner: account, Data: []byte(`{"state":"PENDING"}`)}); err != nil {
							return err
						}
						ins, err := tb.queue.InsertTx(context.Background(), tx, BuildImage{Account: account, ImageARN: img})
						if err != nil {
							return err
						}
						last = ins.JobID
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				started.Wait()
				startAll += time.Since(t0)
				close(all)
				waitFor(b, "all builds completed", func() bool {
					st, err := tb.queue.Stats(context.Background())
					return err == nil && st.Available == 0 && st.Running == 0 && jobRow(b, tb.queue, last).State == rivertype.JobStateCompleted
				})
				completeAll += time.Since(t0)
				for img, c := range r.get() {
					if c != 1 {
						b.Fatalf("%s ran %d times", img, c)
					}
				}
			}
			b.ReportMetric(float64(startAll.Milliseconds())/float64(b.N), "ms-to-start-100")
			b.ReportMetric(float64(completeAll.Milliseconds())/float64(b.N), "ms-to-complete-100")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// testNotify: a Notify job is retried after a failure (River's backoff,
// 1 s after the first) and not after a Permanent one; one per event id;
// workers without BuildImage leave builds queued.
func testNotify(t *testing.T, b testBackend) {
	tb := setup(t, b)
	ctx := context.Background()
	attempts := make(chan string, 10)
	w, err := NewWorkers(tb.queue, WorkersConfig{Logger: tb.log, PollInterval: 100 * time.Millisecond,
		Notify: func(ctx context.Context, job *Job[Notify]) error {
			attempts <- fmt.Sprintf("%s#%d", job.Args.EventID, job.Attempt)
			switch {
			case job.Args.EventID == "refused":
				return Permanent(errors.New("the webhook refused the event"))
			case job.Attempt == 1:
				return errors.New("the webhook is down")
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if w.Concurrency() != 0 {
		t.Errorf("notify-only workers: concurrency %d, want 0 builds", w.Concurrency())
	}
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := w.Stop(sctx); err != nil {
			t.Errorf("stop workers: %v", err)
		}
	})
	insert := func(id string) Inserted {
		var ins Inserted
		if err := tb.store.WithTx(ctx, func(tx store.Tx) error {
			var err error
			ins, err = tb.queue.InsertTx(ctx, tx, Notify{EventID: id, TopicARN: "arn:aws:sns:us-east-1:111111111111:t", Event: []byte(`{"id":"` + id + `"}`)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ins
	}
	retried, refused := insert("retried"), insert("refused")
	if again := insert("retried"); !again.Duplicate || again.JobID != retried.JobID {
		t.Errorf("the same event again: %+v, want a duplicate of job %d", again, retried.JobID)
	}
	build := enqueue(t, tb.store, tb.queue, 1)
	if row := waitState(t, tb.queue, retried.JobID, rivertype.JobStateCompleted); row.Attempt != 2 {
		t.Errorf("retried event completed at attempt %d, want 2", row.Attempt)
	}
	if row := waitState(t, tb.queue, refused.JobID, rivertype.JobStateCancelled); row.Attempt != 1 {
		t.Errorf("refused event ended at attempt %d, want 1", row.Attempt)
	}
	if row := jobRow(t, tb.queue, build.JobID); row.State != rivertype.JobStateAvailable {
		t.Errorf("a build ran on notify-only workers: %s", row.State)
	}
	got := map[string]bool{}
	for len(attempts) > 0 {
		got[<-attempts] = true
	}
	if want := map[string]bool{"retried#1": true, "retried#2": true, "refused#1": true}; !maps.Equal(got, want) {
		t.Errorf("attempts %v, want %v", got, want)
	}
}
