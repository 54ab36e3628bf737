package queue

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// The dead-worker test runs a worker in a child process (this test binary,
// running TestWorkerProcess), lets it take a job, kills it with SIGKILL and
// checks that a worker in this process runs the job again, as a rescued
// second attempt.

const (
	envChildBackend  = "GOLDSMITH_QUEUE_TEST_CHILD_BACKEND"
	envChildLocation = "GOLDSMITH_QUEUE_TEST_CHILD_LOCATION"
	childRunning     = "QUEUE-CHILD-RUNNING "
)

// crashWorkersConfig is the heartbeat setting of both processes.
func crashWorkersConfig(fn func(ctx context.Context, job *Job[BuildImage]) error) WorkersConfig {
	return WorkersConfig{BuildImage: fn, Concurrency: 1,
		HeartbeatInterval: 250 * time.Millisecond, HeartbeatTimeout: 3 * time.Second, PollInterval: 100 * time.Millisecond}
}

func testDeadWorkerRescued(t *testing.T, b testBackend) {
	tb := setup(t, b)
	id := enqueue(t, tb.store, tb.queue, 1).JobID

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestWorkerProcess$", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), envChildBackend+"="+b.name, envChildLocation+"="+tb.loc)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	running := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), childRunning); ok {
				running <- line
				return
			}
		}
		close(running)
	}()
	line, ok := <-running
	if !ok {
		t.Fatal("the worker process ended without running the job")
	}
	if want := fmt.Sprintf("%d 1", id); line != want {
		t.Fatalf("the worker process runs %q, want job and attempt %q", line, want)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed := time.Now()
	if row := jobRow(t, tb.queue, id); row.State != rivertype.JobStateRunning {
		t.Fatalf("job of the killed worker is %s, want running", row.State)
	}

	attempts := make(chan *Job[BuildImage], 1)
	cfg := crashWorkersConfig(func(ctx context.Context, job *Job[BuildImage]) error {
		attempts <- job
		return nil
	})
	cfg.Logger = tb.log
	w, err := NewWorkers(tb.queue, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	job := receive(t, attempts, "the rescued job")
	t.Logf("%s: job rescued and started again %s after the kill", b.name, time.Since(killed).Round(time.Second))
	if job.ID != id || job.Attempt != 2 || !job.Rescued || len(job.Errors) != 1 {
		t.Errorf("rescued job: id %d, attempt %d, rescued %v, errors %q; want %d, 2, true, one error",
			job.ID, job.Attempt, job.Rescued, job.Errors, id)
	}
	waitState(t, tb.queue, id, rivertype.JobStateCompleted)
}

// TestWorkerProcess is the worker process of testDeadWorkerRescued: it runs
// jobs until it is killed, printing each one it starts.
func TestWorkerProcess(t *testing.T) {
	name := os.Getenv(envChildBackend)
	if name == "" {
		t.Skip("the worker process of testDeadWorkerRescued")
	}
	b, ok := backendNamed(name)
	if !ok {
		t.Fatalf("no backend %q", name)
	}
	ctx := context.Background()
	s, err := b.open(ctx, os.Getenv(envChildLocation))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	q, err := Open(ctx, s, Config{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	cfg := crashWorkersConfig(func(ctx context.Context, job *Job[BuildImage]) error {
		fmt.Printf("%s%d %d\n", childRunning, job.ID, job.Attempt)
		<-ctx.Done()
		return ctx.Err()
	})
	cfg.Logger = logger
	w, err := NewWorkers(q, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {} // until killed
}
