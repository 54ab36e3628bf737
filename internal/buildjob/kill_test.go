package buildjob_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
	"github.com/goldsmith-dev/goldsmith/internal/vmtest"
)

// TestWorkerKilledMidBuild: a `goldsmith worker` process is killed with
// SIGKILL while it builds. Its VM dies with it; the build is not stuck: a
// second worker takes the job over once the first one's heartbeats stop,
// removes the dead worker's files, and finishes the image.
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
	if _, err := os.Stat(deadDir); !os.IsNotExist(err) {
		t.Errorf("the killed worker's files are still in %s (%v)", deadDir, err)
	}
	vmtest.NoQEMU(t, tmp)
}

// newWebImage creates the web component, a recipe of it and an
// infrastructure configuration, and returns a CreateImage input for
// them with tests off (one VM boot per build).
func newWebImage(t *testing.T, c *imagebuilder.Client) *imagebuilder.CreateImageInput {
	t.Helper()
	ctx := context.Background()
	comp, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("web"), SemanticVersion: aws.String("1.0.0"),
		Platform: types.PlatformLinux, Data: aws.String(goodDoc)})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("web"), SemanticVersion: aws.String("1.0.0"),
		ParentImage: aws.String("debian-12"), Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn,
			Parameters: []types.ComponentParameter{{Name: aws.String("Greeting"), Value: []string{"hi"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	infra, err := c.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("local"), InstanceProfileName: aws.String("none")})
	if err != nil {
		t.Fatal(err)
	}
	return &imagebuilder.CreateImageInput{ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn,
		ImageTestsConfiguration: &types.ImageTestsConfiguration{ImageTestsEnabled: aws.Bool(false)}}
}
