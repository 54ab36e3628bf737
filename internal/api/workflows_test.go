package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

const buildWorkflowDoc = `name: my-build
description: builds an image
schemaVersion: 1.0
parameters:
  - name: waitAtEnd
    type: boolean
    default: false
  - name: regions
    type: stringList
    default: [a, b]
steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: ssmAgent
  - name: ApplyBuildComponents
    action: ExecuteComponents
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"
  - name: TerminateBuildInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"
outputs:
  - name: ImageId
    value: "$.stepOutputs.CreateOutputAMI.imageId"
`

func workflowInput(name, version string, typ types.WorkflowType, data string) *imagebuilder.CreateWorkflowInput {
	return &imagebuilder.CreateWorkflowInput{Name: aws.String(name), SemanticVersion: aws.String(version), Type: typ, Data: aws.String(data)}
}

func TestWorkflows(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	prefix := "arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":workflow/"
	in := workflowInput("My-Build", "1.0.0", types.WorkflowTypeBuild, buildWorkflowDoc)
	in.Tags = map[string]string{"team": "a"}
	in.ClientToken = aws.String("tok-1")
	out := must[*imagebuilder.CreateWorkflowOutput](t)(tb.a.CreateWorkflow(ctx, in))
	wfARN := aws.ToString(out.WorkflowBuildVersionArn)
	if wfARN != prefix+"build/my-build/1.0.0/1" || aws.ToString(out.ClientToken) != "tok-1" {
		t.Fatalf("create = %s %s", wfARN, aws.ToString(out.ClientToken))
	}
	if got := aws.ToString(out.LatestVersionReferences.LatestMajorVersionArn); got != prefix+"build/my-build/1.x.x" {
		t.Errorf("latestMajorVersionArn = %s", got)
	}
	again := must[*imagebuilder.CreateWorkflowOutput](t)(tb.a.CreateWorkflow(ctx, in))
	if aws.ToString(again.WorkflowBuildVersionArn) != wfARN {
		t.Errorf("idempotent retry = %s", aws.ToString(again.WorkflowBuildVersionArn))
	}
	other := *in
	other.Description = aws.String("other")
	_, err := tb.a.CreateWorkflow(ctx, &other)
	wantCode(t, err, "IdempotentParameterMismatchException")
	must[*imagebuilder.CreateWorkflowOutput](t)(tb.a.CreateWorkflow(ctx, workflowInput("my-build", "1.2.0", types.WorkflowTypeBuild, buildWorkflowDoc)))
	must[*imagebuilder.CreateWorkflowOutput](t)(tb.a.CreateWorkflow(ctx, workflowInput("my-build", "1.0.0", types.WorkflowTypeTest, buildWorkflowDoc)))

	for _, tc := range []struct {
		name string
		in   *imagebuilder.CreateWorkflowInput
		code string
		msg  string
	}{
		{"duplicate version", workflowInput("my-build", "1.0.0", types.WorkflowTypeBuild, buildWorkflowDoc), "ResourceAlreadyExistsException", ""},
		{"bad type", workflowInput("www", "1.0.0", "DEPLOY", buildWorkflowDoc), "InvalidParameterValueException", "type"},
		{"bad version", workflowInput("www", "1.0", types.WorkflowTypeBuild, buildWorkflowDoc), "InvalidVersionNumberException", ""},
		{"not yaml", workflowInput("www", "1.0.0", types.WorkflowTypeBuild, "steps: [a"), "InvalidParameterValueException", "YAML"},
		{"no steps", workflowInput("www", "1.0.0", types.WorkflowTypeBuild, "schemaVersion: 1.0\n"), "InvalidParameterValueException", "steps"},
		{"bad action", workflowInput("www", "1.0.0", types.WorkflowTypeBuild, strings.Replace(buildWorkflowDoc, "LaunchInstance\n", "Launch\n", 1)), "InvalidParameterValueException", "steps[0].action"},
		{"bad schema", workflowInput("www", "1.0.0", types.WorkflowTypeBuild, strings.Replace(buildWorkflowDoc, "schemaVersion: 1.0", "schemaVersion: 2.0", 1)), "InvalidParameterValueException", "schemaVersion"},
		{"bad param type", workflowInput("www", "1.0.0", types.WorkflowTypeBuild, strings.Replace(buildWorkflowDoc, "type: boolean", "type: bool", 1)), "InvalidParameterValueException", "parameters[0].type"},
		{"uri", &imagebuilder.CreateWorkflowInput{Name: aws.String("www"), SemanticVersion: aws.String("1.0.0"), Type: types.WorkflowTypeBuild, Uri: aws.String("s3://b/k")}, "InvalidParameterValueException", "uri"},
		{"dry run", func() *imagebuilder.CreateWorkflowInput {
			in := workflowInput("www", "1.0.0", types.WorkflowTypeBuild, buildWorkflowDoc)
			in.DryRun = true
			return in
		}(), "DryRunOperationException", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tb.a.CreateWorkflow(ctx, tc.in)
			wantCode(t, err, tc.code)
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q lacks %q", err, tc.msg)
			}
		})
	}

	got := must[*imagebuilder.GetWorkflowOutput](t)(tb.a.GetWorkflow(ctx, &imagebuilder.GetWorkflowInput{WorkflowBuildVersionArn: aws.String(prefix + "build/my-build/1.x.x")}))
	w := got.Workflow
	if aws.ToString(w.Arn) != prefix+"build/my-build/1.2.0/1" || w.Type != types.WorkflowTypeBuild || aws.ToString(w.Name) != "my-build" {
		t.Errorf("1.x.x resolved to %+v", w)
	}
	first := must[*imagebuilder.GetWorkflowOutput](t)(tb.a.GetWorkflow(ctx, &imagebuilder.GetWorkflowInput{WorkflowBuildVersionArn: aws.String(wfARN)})).Workflow
	if aws.ToString(first.Name) != "My-Build" || first.Tags["team"] != "a" || len(first.Parameters) != 2 || first.Parameters[1].DefaultValue[1] != "b" || aws.ToString(first.Data) != buildWorkflowDoc {
		t.Errorf("workflow = %+v", first)
	}
	_, err = tb.a.GetWorkflow(ctx, &imagebuilder.GetWorkflowInput{WorkflowBuildVersionArn: aws.String(prefix + "build/nope/1.0.0/1")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = tb.b.GetWorkflow(ctx, &imagebuilder.GetWorkflowInput{WorkflowBuildVersionArn: aws.String(wfARN)})
	wantCode(t, err, "ForbiddenException")

	for _, tc := range []struct {
		name string
		in   *imagebuilder.ListWorkflowsInput
		want int
	}{
		{"self", &imagebuilder.ListWorkflowsInput{}, 3},
		{"by name", &imagebuilder.ListWorkflowsInput{ByName: true}, 2},
		{"type filter", &imagebuilder.ListWorkflowsInput{Filters: []types.Filter{{Name: aws.String("type"), Values: []string{"TEST"}}}}, 1},
		{"page", &imagebuilder.ListWorkflowsInput{MaxResults: aws.Int32(2)}, 2},
		{"amazon (the managed workflows)", &imagebuilder.ListWorkflowsInput{Owner: types.OwnershipAmazon}, 3},
	} {
		t.Run("list "+tc.name, func(t *testing.T) {
			l := must[*imagebuilder.ListWorkflowsOutput](t)(tb.a.ListWorkflows(ctx, tc.in))
			if len(l.WorkflowVersionList) != tc.want {
				t.Errorf("got %d: %+v", len(l.WorkflowVersionList), l.WorkflowVersionList)
			}
		})
	}
	l := must[*imagebuilder.ListWorkflowsOutput](t)(tb.b.ListWorkflows(ctx, &imagebuilder.ListWorkflowsInput{}))
	if len(l.WorkflowVersionList) != 0 {
		t.Errorf("B lists %+v", l.WorkflowVersionList)
	}
	bv := must[*imagebuilder.ListWorkflowBuildVersionsOutput](t)(tb.a.ListWorkflowBuildVersions(ctx, &imagebuilder.ListWorkflowBuildVersionsInput{WorkflowVersionArn: aws.String(prefix + "build/my-build/1.0.0")}))
	if len(bv.WorkflowSummaryList) != 1 || aws.ToString(bv.WorkflowSummaryList[0].Arn) != wfARN || bv.WorkflowSummaryList[0].Tags["team"] != "a" {
		t.Errorf("build versions = %+v", bv.WorkflowSummaryList)
	}
	_, err = tb.a.ListWorkflowBuildVersions(ctx, &imagebuilder.ListWorkflowBuildVersionsInput{WorkflowVersionArn: aws.String(prefix + "build/my-build/1.0.0"), NextToken: aws.String("junk")})
	wantCode(t, err, "InvalidPaginationTokenException")

	must[*imagebuilder.TagResourceOutput](t)(tb.a.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: aws.String(wfARN), Tags: map[string]string{"stage": "prod"}}))
	tags := must[*imagebuilder.ListTagsForResourceOutput](t)(tb.a.ListTagsForResource(ctx, &imagebuilder.ListTagsForResourceInput{ResourceArn: aws.String(wfARN)}))
	if len(tags.Tags) != 2 || tags.Tags["stage"] != "prod" {
		t.Errorf("tags = %v", tags.Tags)
	}

	// A pipeline using the workflow keeps it from being deleted.
	pipe := pipelineWithWorkflow(t, tb, prefix+"build/my-build/1.0.x")
	_, err = tb.a.DeleteWorkflow(ctx, &imagebuilder.DeleteWorkflowInput{WorkflowBuildVersionArn: aws.String(wfARN)})
	wantCode(t, err, "ResourceDependencyException")
	_, err = tb.b.DeleteWorkflow(ctx, &imagebuilder.DeleteWorkflowInput{WorkflowBuildVersionArn: aws.String(wfARN)})
	wantCode(t, err, "ForbiddenException")
	must[*imagebuilder.DeleteImagePipelineOutput](t)(tb.a.DeleteImagePipeline(ctx, &imagebuilder.DeleteImagePipelineInput{ImagePipelineArn: pipe}))
	del := must[*imagebuilder.DeleteWorkflowOutput](t)(tb.a.DeleteWorkflow(ctx, &imagebuilder.DeleteWorkflowInput{WorkflowBuildVersionArn: aws.String(wfARN)}))
	if aws.ToString(del.WorkflowBuildVersionArn) != wfARN {
		t.Errorf("deleted %s", aws.ToString(del.WorkflowBuildVersionArn))
	}
	_, err = tb.a.GetWorkflow(ctx, &imagebuilder.GetWorkflowInput{WorkflowBuildVersionArn: aws.String(wfARN)})
	wantCode(t, err, "ResourceNotFoundException")
}

// pipelineWithWorkflow creates an image pipeline (with its recipe and
// infrastructure configuration) that uses workflow and returns its ARN.
func pipelineWithWorkflow(t *testing.T, tb *testBundle, workflow string) *string {
	t.Helper()
	ctx := context.Background()
	rec := must[*imagebuilder.CreateImageRecipeOutput](t)(tb.a.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
		Name: aws.String("wf-recipe"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String("debian-12")}))
	infra := must[*imagebuilder.CreateInfrastructureConfigurationOutput](t)(tb.a.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{
		Name: aws.String("wf-infra"), InstanceProfileName: aws.String("profile")}))
	in := &imagebuilder.CreateImagePipelineInput{Name: aws.String("wf-pipe"), ImageRecipeArn: rec.ImageRecipeArn,
		InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn,
		Workflows:                      []types.WorkflowConfiguration{{WorkflowArn: aws.String(workflow)}}}
	bad := *in
	bad.Workflows = []types.WorkflowConfiguration{{WorkflowArn: aws.String(strings.Replace(workflow, "my-build", "missing", 1))}}
	_, err := tb.a.CreateImagePipeline(ctx, &bad)
	wantCode(t, err, "ResourceNotFoundException")
	return must[*imagebuilder.CreateImagePipelineOutput](t)(tb.a.CreateImagePipeline(ctx, in)).ImagePipelineArn
}
