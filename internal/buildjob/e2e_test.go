package buildjob_test

import (
	"context"
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

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
	"github.com/goldsmith-dev/goldsmith/internal/vmtest"
)

const goodDoc = `name: web
description: Writes a page in the build phase; checks it in validate and test.
schemaVersion: 1.0
parameters:
  - Greeting: {type: string, default: hello}
phases:
  - name: build
    steps:
      - name: WritePage
        action: CreateFile
        inputs:
          - path: /srv/page.txt
            content: '{{ Greeting }} from the API'
  - name: validate
    steps:
      - name: PageThere
        action: Assert
        inputs:
          fileExists: /srv/page.txt
  - name: test
    steps:
      - name: PageInImage
        action: ExecuteBash
        inputs:
          commands: ['grep -q "hi from the API" /srv/page.txt']
`

const badDoc = `name: broken
description: Fails in its build phase.
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Boom
        action: ExecuteBash
        inputs:
          commands: ['echo "this component is broken" >&2; exit 3']
`

// TestImageBuildsThroughTheAPI drives `goldsmith serve` with the AWS SDK:
// a pipeline build reaches AVAILABLE through BUILDING and TESTING; a
// failing component makes its image FAILED naming the step; a cancelled
// build ends CANCELLED and leaves no VM.
func TestImageBuildsThroughTheAPI(t *testing.T) {
	vmtest.Require(t)
	dir := t.TempDir()
	// A short folder: QEMU's unix sockets live under it (108-byte limit).
	tmp, err := os.MkdirTemp("", "gs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	agent := vmtest.AgentBinary(t)
	srv := servertest.Start(t, server.Config{DataDir: dir, Build: server.BuildConfig{AgentBinary: agent, NoNetwork: true, TempDir: tmp}})
	ctx, c, endpoint := context.Background(), srv.Client, srv.Endpoint
	comp := func(name, doc string) string {
		o, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String(name), SemanticVersion: aws.String("1.0.0"),
			Platform: types.PlatformLinux, Data: aws.String(doc)})
		if err != nil {
			t.Fatalf("CreateComponent %s: %v", name, err)
		}
		return aws.ToString(o.ComponentBuildVersionArn)
	}
	recipe := func(name string, comps ...types.ComponentConfiguration) string {
		o, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String(name), SemanticVersion: aws.String("1.0.0"),
			ParentImage: aws.String("debian-12"), Components: comps})
		if err != nil {
			t.Fatalf("CreateImageRecipe %s: %v", name, err)
		}
		return aws.ToString(o.ImageRecipeArn)
	}
	infra, err := c.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{
		Name: aws.String("local"), InstanceProfileName: aws.String("none")})
	if err != nil {
		t.Fatalf("CreateInfrastructureConfiguration: %v", err)
	}
	good := recipe("web", types.ComponentConfiguration{ComponentArn: aws.String(comp("web", goodDoc)),
		Parameters: []types.ComponentParameter{{Name: aws.String("Greeting"), Value: []string{"hi"}}}})
	pipe, err := c.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("web"), ImageRecipeArn: aws.String(good),
		InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	if err != nil {
		t.Fatalf("CreateImagePipeline: %v", err)
	}

	// wait polls an image until it is final and returns the states seen.
	wait := func(image string, limit time.Duration) (*types.Image, []string) {
		t.Helper()
		var seen []string
		deadline := time.Now().Add(limit)
		for time.Now().Before(deadline) {
			o, err := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)})
			if err != nil {
				t.Fatalf("GetImage: %v", err)
			}
			st := string(o.Image.State.Status)
			if len(seen) == 0 || seen[len(seen)-1] != st {
				seen = append(seen, st)
			}
			switch o.Image.State.Status {
			case types.ImageStatusAvailable, types.ImageStatusFailed, types.ImageStatusCancelled:
				return o.Image, seen
			}
			time.Sleep(300 * time.Millisecond)
		}
		t.Fatalf("image %s not final after %s; states %v", image, limit, seen)
		return nil, nil
	}

	// 1. A pipeline build, tests on.
	start, err := c.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: pipe.ImagePipelineArn})
	if err != nil {
		t.Fatalf("StartImagePipelineExecution: %v", err)
	}
	image := aws.ToString(start.ImageBuildVersionArn)
	if !strings.HasSuffix(image, ":image/web/1.0.0/1") {
		t.Errorf("image ARN %s", image)
	}
	img, seen := wait(image, 15*time.Minute)
	if img.State.Status != types.ImageStatusAvailable {
		t.Fatalf("pipeline build: %s (%s); states %v; server log:\n%s", img.State.Status, aws.ToString(img.State.Reason), seen, srv.Output())
	}
	for _, want := range []string{"BUILDING", "TESTING"} {
		if !strings.Contains(strings.Join(seen, " "), want) {
			t.Errorf("states seen %v lack %s", seen, want)
		}
	}
	if aws.ToString(img.SourcePipelineArn) != aws.ToString(pipe.ImagePipelineArn) {
		t.Errorf("sourcePipelineArn = %s", aws.ToString(img.SourcePipelineArn))
	}
	qcows, _ := filepath.Glob(filepath.Join(dir, "images", "*", "web", "1.0.0", "1", "*.qcow2"))
	if len(qcows) != 1 {
		t.Errorf("artifact store has %v, want one qcow2", qcows)
	}
	// The packages the build recorded in the image's SBOM.
	pk, err := c.ListImagePackages(ctx, &imagebuilder.ListImagePackagesInput{ImageBuildVersionArn: aws.String(image), MaxResults: aws.Int32(25)})
	if err != nil || len(pk.ImagePackageList) != 25 || pk.NextToken == nil || !slices.ContainsFunc(pk.ImagePackageList, func(p types.ImagePackage) bool {
		return aws.ToString(p.PackageName) == "base-files" && strings.HasPrefix(aws.ToString(p.PackageVersion), "12")
	}) {
		t.Errorf("ListImagePackages: %v, %+v", err, pk)
	}
	// The log, through the API, as `goldsmith logs` prints it.
	logs, err := exec.Command(vmtest.GoldsmithBinary(t), "logs", "--endpoint-url", endpoint, "--data-dir", dir, image).CombinedOutput()
	if err != nil || !strings.Contains(string(logs), "==> build:web") || !strings.Contains(string(logs), "<== sbom done") {
		t.Errorf("goldsmith logs: %v\n%s", err, logs)
	}
	// Workflow executions: build, test and distribution, all completed.
	wfs, err := c.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(image)})
	if err != nil || len(wfs.WorkflowExecutions) != 3 {
		t.Fatalf("ListWorkflowExecutions: %v, %+v", err, wfs)
	}
	for _, wf := range wfs.WorkflowExecutions {
		if wf.Status != types.WorkflowExecutionStatusCompleted || wf.TotalStepsFailed != 0 {
			t.Errorf("workflow %s: %s, %d failed steps", wf.Type, wf.Status, wf.TotalStepsFailed)
		}
	}
	steps, err := c.ListWorkflowStepExecutions(ctx, &imagebuilder.ListWorkflowStepExecutionsInput{WorkflowExecutionId: wfs.WorkflowExecutions[0].WorkflowExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, st := range steps.Steps {
		names = append(names, aws.ToString(st.Name)+"="+string(st.Status))
	}
	if !strings.Contains(strings.Join(names, " "), "build:web=COMPLETED") {
		t.Errorf("build workflow steps: %v", names)
	}
	list, err := c.ListImagePipelineImages(ctx, &imagebuilder.ListImagePipelineImagesInput{ImagePipelineArn: pipe.ImagePipelineArn})
	if err != nil || len(list.ImageSummaryList) != 1 {
		t.Errorf("ListImagePipelineImages: %v, %v", list, err)
	}

	// 2. A failing component, tests off: FAILED, naming component and step.
	bad := recipe("broken", types.ComponentConfiguration{ComponentArn: aws.String(comp("broken", badDoc))})
	created, err := c.CreateImage(ctx, &imagebuilder.CreateImageInput{ImageRecipeArn: aws.String(bad), InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn,
		ImageTestsConfiguration: &types.ImageTestsConfiguration{ImageTestsEnabled: aws.Bool(false)}})
	if err != nil {
		t.Fatalf("CreateImage: %v", err)
	}
	img, seen = wait(aws.ToString(created.ImageBuildVersionArn), 10*time.Minute)
	reason := aws.ToString(img.State.Reason)
	if img.State.Status != types.ImageStatusFailed || !strings.Contains(reason, "component broken, phase build, step Boom") || !strings.Contains(reason, "this component is broken") {
		t.Fatalf("failing build: %s, reason %q; states %v", img.State.Status, reason, seen)
	}
	logs, err = exec.Command(vmtest.GoldsmithBinary(t), "logs", "--follow", "--endpoint-url", endpoint, "--data-dir", dir, aws.ToString(created.ImageBuildVersionArn)).CombinedOutput()
	if err == nil || !strings.Contains(string(logs), "Boom") || !strings.Contains(string(logs), "the image is FAILED") {
		t.Errorf("goldsmith logs --follow of a failed build: %v\n%s", err, logs)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "images", "*", "broken", "1.0.0", "1", "*.qcow2")); len(files) != 0 {
		t.Errorf("a failed build left images: %v", files)
	}

	// 3. The same recipe again: the step cache of the worker's host covers
	// the web component's build phase (its workflow step is SKIPPED as a
	// cache hit). Then cancel the running build: CANCELLED, no VM left, no
	// image.
	created, err = c.CreateImage(ctx, &imagebuilder.CreateImageInput{ImageRecipeArn: aws.String(good), InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	if err != nil {
		t.Fatalf("CreateImage: %v", err)
	}
	third := aws.ToString(created.ImageBuildVersionArn)
	for i := 0; ; i++ {
		if st := stepStatus(t, c, third, "build:web"); st != nil {
			if st.Status != types.WorkflowStepExecutionStatusSkipped || !strings.Contains(aws.ToString(st.Message), "step cache hit") {
				t.Errorf("the same recipe's second build ran build:web: %s (%s), want SKIPPED by a step cache hit", st.Status, aws.ToString(st.Message))
			}
			break
		}
		if i > 3000 {
			t.Fatalf("the third build never reached build:web")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := c.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: aws.String(third)}); err != nil {
		t.Fatalf("CancelImageCreation: %v", err)
	}
	img, _ = wait(third, time.Minute)
	if img.State.Status != types.ImageStatusCancelled {
		t.Fatalf("cancelled build: %s", img.State.Status)
	}
	// Cancelling a finished image is refused.
	if _, err := c.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: aws.String(image)}); err == nil || !strings.Contains(err.Error(), "ResourceInUseException") {
		t.Errorf("cancelling an AVAILABLE image: %v, want ResourceInUseException", err)
	}
	// The build's VM and work folder go within a few seconds.
	for i := 0; ; i++ {
		ps := vmtest.QEMUs(t, tmp)
		entries, _ := filepath.Glob(filepath.Join(tmp, "gsw-*", "*"))
		if len(ps) == 0 && len(entries) == 0 {
			break
		}
		if i > 300 {
			t.Fatalf("after cancelling: VMs %q, temp files %v", ps, entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stepStatus returns the step execution named name of image's build
// workflow once the step has ended, or nil.
func stepStatus(t *testing.T, c *imagebuilder.Client, image, name string) *types.WorkflowStepMetadata {
	t.Helper()
	ctx := context.Background()
	wfs, err := c.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(image)})
	if err != nil {
		t.Fatal(err)
	}
	for _, wf := range wfs.WorkflowExecutions {
		if wf.Type != types.WorkflowTypeBuild {
			continue
		}
		steps, err := c.ListWorkflowStepExecutions(ctx, &imagebuilder.ListWorkflowStepExecutionsInput{WorkflowExecutionId: wf.WorkflowExecutionId})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range steps.Steps {
			if aws.ToString(st.Name) == name && st.Status != types.WorkflowStepExecutionStatusRunning && st.Status != types.WorkflowStepExecutionStatusPending {
				return &st
			}
		}
	}
	return nil
}
