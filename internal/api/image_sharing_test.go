package api_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/service"
)

// rawResponse makes the SDK keep the response body it received in *body.
func rawResponse(body *[]byte) func(*imagebuilder.Options) {
	return imagebuilder.WithAPIOptions(func(st *middleware.Stack) error {
		return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("RawResponse", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
				*body, _ = io.ReadAll(resp.Body)
				resp.Body = io.NopCloser(bytes.NewReader(*body))
			}
			return out, md, err
		}), middleware.After)
	})
}

// TestSharedImageKeepsBuildInternals: an image shared with account B
// through PutImagePolicy shows B the image, but neither the text of the
// components built into it nor the owner's infrastructure configuration
// nor Goldsmith's build members.
func TestSharedImageKeepsBuildInternals(t *testing.T) {
	t.Parallel()
	tb := setupWith(t, &recordingBuilds{})
	ctx := context.Background()
	const secret = "echo the-secret-component-text"
	doc := strings.Replace(helloDoc, `echo "{{ greeting }}"`, secret, 1)
	comp := must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(ctx, createInput("private", "1.0.0", doc)))
	rec := must[*imagebuilder.CreateImageRecipeOutput](t)(tb.a.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
		Name: aws.String("web"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String("debian-12"),
		Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn}}}))
	infra := must[*imagebuilder.CreateInfrastructureConfigurationOutput](t)(tb.a.CreateInfrastructureConfiguration(ctx,
		&imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("private-infra"), InstanceProfileName: aws.String("secret-profile"),
			SnsTopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:secret-topic")}))
	img := must[*imagebuilder.CreateImageOutput](t)(tb.a.CreateImage(ctx, &imagebuilder.CreateImageInput{
		ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}))
	image := aws.ToString(img.ImageBuildVersionArn)
	if _, err := tb.svc.SetImageState(ctx, arn.MustParse(image), service.StateChange{Status: service.ImageBuilding, Worker: "worker-secret-host",
		Attempt: 2, Log: "secret-log-key/build.log", Timings: &service.BuildTimings{TotalSeconds: 1}, Manifest: "file:///secret/manifest.json"}); err != nil {
		t.Fatal(err)
	}

	_, err := tb.b.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)})
	wantCode(t, err, "ForbiddenException")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + tb.accountB +
		`:root"]},"Action":["imagebuilder:GetImage","imagebuilder:ListImages"],"Resource":["` + image + `"]}]}`
	must[*imagebuilder.PutImagePolicyOutput](t)(tb.a.PutImagePolicy(ctx, &imagebuilder.PutImagePolicyInput{ImageArn: aws.String(image), Policy: aws.String(policy)}))

	var raw []byte
	got := must[*imagebuilder.GetImageOutput](t)(tb.b.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)}, rawResponse(&raw)))
	if aws.ToString(got.Image.Arn) != image || got.Image.ImageRecipe == nil || got.Image.InfrastructureConfiguration != nil {
		t.Errorf("B's image: arn %s, recipe %v, infrastructure %+v", aws.ToString(got.Image.Arn), got.Image.ImageRecipe, got.Image.InfrastructureConfiguration)
	}
	versions := must[*imagebuilder.ListImageBuildVersionsOutput](t)(tb.b.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{
		ImageVersionArn: aws.String(arn.MustParse(image).VersionARN().String())}, rawResponse(&raw)))
	if len(versions.ImageSummaryList) != 1 {
		t.Errorf("B lists %d builds, want 1", len(versions.ImageSummaryList))
	}
	var listRaw = raw
	must[*imagebuilder.GetImageOutput](t)(tb.b.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)}, rawResponse(&raw)))
	for _, body := range [][]byte{raw, listRaw} {
		for _, leak := range []string{"the-secret-component-text", "goldsmithBuild", "secret-profile", "secret-topic", "worker-secret-host", "goldsmithWorker", "goldsmithTimings", "secret/manifest",
			"goldsmithAttempt", "secret-log-key", "goldsmithLog"} {
			if bytes.Contains(body, []byte(leak)) {
				t.Errorf("account B's response contains %q: %.400s", leak, body)
			}
		}
	}

	// The owner sees its infrastructure configuration and Goldsmith's
	// build members, but never the build spec either.
	own := must[*imagebuilder.GetImageOutput](t)(tb.a.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)}, rawResponse(&raw)))
	if own.Image.InfrastructureConfiguration == nil || !bytes.Contains(raw, []byte("goldsmithTimings")) {
		t.Errorf("owner's image lacks its infrastructure configuration or timings: %.400s", raw)
	}
	for _, leak := range []string{"the-secret-component-text", "goldsmithBuild", "worker-secret-host", "goldsmithAttempt", "secret-log-key"} {
		if bytes.Contains(raw, []byte(leak)) {
			t.Errorf("owner's GetImage contains the build internal %q", leak)
		}
	}
	// Its workflow executions (step names and messages) are the owner's too.
	if err := tb.svc.RecordStep(ctx, arn.MustParse(image), service.StepEvent{Name: "build:private", Status: "RUNNING"}); err != nil {
		t.Fatal(err)
	}
	_, err = tb.b.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(image)})
	wantCode(t, err, "ForbiddenException")
	wfs := must[*imagebuilder.ListWorkflowExecutionsOutput](t)(tb.a.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(image)}))
	if len(wfs.WorkflowExecutions) != 1 {
		t.Fatalf("owner's workflow executions: %+v", wfs.WorkflowExecutions)
	}
	_, err = tb.b.ListWorkflowStepExecutions(ctx, &imagebuilder.ListWorkflowStepExecutionsInput{WorkflowExecutionId: wfs.WorkflowExecutions[0].WorkflowExecutionId})
	wantCode(t, err, "ResourceNotFoundException")

	// The worker still gets the spec, through the service.
	spec, err := tb.svc.BuildSpecOf(ctx, tb.accountA, arn.MustParse(image))
	if err != nil || len(spec.Components) != 1 || !strings.Contains(spec.Components[0].Data, secret) {
		t.Errorf("build spec: %+v, %v", spec, err)
	}
}
