package api_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

// TestImageListFilters: ListImageBuildVersions and ListImagePipelineImages
// apply their filters as ListImages does (they used to ignore them: a
// platform=Windows filter listed a Linux image, an unknown filter name
// was accepted).
func TestImageListFilters(t *testing.T) {
	t.Parallel()
	tb := setupWith(t, &recordingBuilds{})
	ctx := context.Background()
	_, _, pipe := newPipeline(t, tb)
	must[*imagebuilder.StartImagePipelineExecutionOutput](t)(tb.a.StartImagePipelineExecution(ctx,
		&imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: pipe.ImagePipelineArn}))
	version := aws.String("arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":image/web/1.0.0")
	filter := func(name, value string) []types.Filter {
		return []types.Filter{{Name: aws.String(name), Values: []string{value}}}
	}
	buildVersions := func(f []types.Filter) (int, error) {
		out, err := tb.a.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{ImageVersionArn: version, Filters: f})
		if err != nil {
			return 0, err
		}
		return len(out.ImageSummaryList), nil
	}
	pipelineImages := func(f []types.Filter) (int, error) {
		out, err := tb.a.ListImagePipelineImages(ctx, &imagebuilder.ListImagePipelineImagesInput{ImagePipelineArn: pipe.ImagePipelineArn, Filters: f})
		if err != nil {
			return 0, err
		}
		return len(out.ImageSummaryList), nil
	}
	for _, tc := range []struct {
		name    string
		list    func([]types.Filter) (int, error)
		filters []types.Filter
		want    int    // images listed
		code    string // or the error
	}{
		{"ListImageBuildVersions none", buildVersions, nil, 1, ""},
		{"ListImageBuildVersions platform matches", buildVersions, filter("platform", "Linux"), 1, ""},
		{"ListImageBuildVersions platform does not", buildVersions, filter("platform", "Windows"), 0, ""},
		{"ListImageBuildVersions name does not", buildVersions, filter("name", "db"), 0, ""},
		{"ListImageBuildVersions unknown filter", buildVersions, filter("bogus", "x"), 0, "InvalidParameterValueException"},
		{"ListImagePipelineImages none", pipelineImages, nil, 1, ""},
		{"ListImagePipelineImages name matches", pipelineImages, filter("name", "web"), 1, ""},
		{"ListImagePipelineImages name does not", pipelineImages, filter("name", "db"), 0, ""},
		{"ListImagePipelineImages not its filter", pipelineImages, filter("platform", "Linux"), 0, "InvalidParameterValueException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := tc.list(tc.filters)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil || n != tc.want {
				t.Fatalf("err %v, listed %d, want %d", err, n, tc.want)
			}
		})
	}
}
