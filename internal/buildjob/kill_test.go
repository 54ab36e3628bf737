package buildjob_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
	"github.com/goldsmith-dev/goldsmith/internal/vmtest"
)

// TestWorkerKilledMidBuild: a `goldsmith worker` process is killed with
// SIGKILL while it builds. Its VM dies with it; the build is not stuck: a
// second worker takes the job over once the first one's heartbeats stop,
// removes the dead worker's files, and finishes the image. Both attempts
// stay visible (workflow executions, logs), and `goldsmith logs --follow`
// follows the build across the restart and exits 0.
func TestWorkerKilledMidBuild(t *testing.T) {
	vmtest.Require(t)
	goldsmith := vmtest.GoldsmithBinary(t)
	dir := t.TempDir()
	// The API only: builds run in worker processes.
	srv := servertest.Start(t, server.Config{DataDir: dir, Build: server.BuildConfig{Workers: -1}})
	ctx, c := context.Background(), srv.Client
	img, err := c.CreateImage(ctx, newWebImage(t, c))
	if err != nil {
		t.Fatal(err)
	}
	image := aws.ToString(img.ImageBuildVersionArn)
	status := func() types.ImageStatus {
		o, err := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)})
		if err != nil {
			t.Fatal(err)
		}
		return o.Image.State.Status
	}
	tmp, err := os.MkdirTemp("", "gs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	worker := func(name string) *exec.Cmd {
		cmd := exec.Command(goldsmith, "worker", "--data-dir", dir, "--cache-dir", "off")
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		logf, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); logf.Close() })
		return cmd
	}

	// A user follows the build's log from the start.
	var followOut, followErr strings.Builder
	follow := exec.Command(goldsmith, "logs", "--follow", "--endpoint-url", srv.Endpoint, "--data-dir", dir, image)
	follow.Stdout, follow.Stderr = &followOut, &followErr
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	followed := make(chan error, 1)
	go func() { followed <- follow.Wait() }()
	t.Cleanup(func() { _ = follow.Process.Kill() })

	first := worker("first")
	// Kill it once its VM runs.
	for i := 0; ; i++ {
		if status() == types.ImageStatusBuilding && len(vmtest.QEMUs(t, tmp)) > 0 {
			break
		}
		if i > 1200 {
			t.Fatalf("the first worker never started the build's VM: %s", status())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	deadDir := filepath.Join(tmp, fmt.Sprintf("gsw-%d", first.Process.Pid))
	for i := 0; ; i++ { // the VM dies with its worker
		if len(vmtest.QEMUs(t, deadDir)) == 0 {
			break
		}
		if i > 100 {
			t.Fatalf("the killed worker's VM still runs")
		}
		time.Sleep(100 * time.Millisecond)
	}

	worker("second")
	deadline := time.Now().Add(12 * time.Minute)
	for {
		st := status()
		if st == types.ImageStatusAvailable {
			break
		}
		if st == types.ImageStatusFailed || st == types.ImageStatusCancelled || time.Now().After(deadline) {
			o, _ := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)})
			t.Fatalf("after the worker was killed, the build ended %s (%s)", st, aws.ToString(o.Image.State.Reason))
		}
		time.Sleep(time.Second)
	}
	// The follower saw the restart, followed the new attempt to its end
	// and exits 0; both attempts are visible, with their logs.
	select {
	case err := <-followed:
		if err != nil || !strings.Contains(followErr.String(), "restarted as attempt 2") {
			t.Errorf("goldsmith logs --follow: %v; stderr:\n%s", err, followErr.String())
		}
	case <-time.After(time.Minute):
		t.Errorf("goldsmith logs --follow did not end after the image became AVAILABLE; stderr:\n%s", followErr.String())
	}
	wfs, err := c.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(image)})
	if err != nil {
		t.Fatal(err)
	}
	if len(wfs.WorkflowExecutions) < 2 || !strings.Contains(aws.ToString(wfs.WorkflowExecutions[0].Message), "restarted as attempt 2") {
		t.Errorf("the first attempt is not visible in the workflow executions: %+v", wfs.WorkflowExecutions)
	}
	a, _ := arn.Parse(image)
	logs := filepath.Join(dir, "images", artifacts.ImagePrefix(a.Account, a))
	for _, l := range []string{"logs/build.log", "logs/attempt-2/build.log"} {
		if _, err := os.Stat(filepath.Join(logs, l)); err != nil {
			t.Errorf("an attempt's log is missing: %v", err)
		}
	}
	if _, err := os.Stat(deadDir); !os.IsNotExist(err) {
		t.Errorf("the killed worker's files are still in %s (%v)", deadDir, err)
	}
	vmtest.NoQEMU(t, tmp)
}

// newWebImage creates the web component, a recipe of it and an
// infrastructure configuration, and returns a CreateImage input for
// them with tests off (one VM boot per build).
func newWebImage(t *testing.T, c *imagebuilder.Client) *imagebuilder.CreateImageInput {
	return servertest.ImageInput(t, c, "web", goodDoc, types.ComponentParameter{Name: aws.String("Greeting"), Value: []string{"hi"}})
}
