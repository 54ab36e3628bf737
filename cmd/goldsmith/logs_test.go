package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
)

// TestLogsFollowExitStatus: goldsmith logs prints a build's log (exit 0)
// and, with --follow, exits 1 when the image ends other than AVAILABLE
// (here CANCELLED before any worker took it: an API-only server).
func TestLogsFollowExitStatus(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for _, k := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
	srv := servertest.Start(t, server.Config{Build: server.BuildConfig{Workers: -1}})
	ctx, c := context.Background(), srv.Client
	comp, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("hello"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux,
		Data: aws.String("schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['true']}}]}]\n")})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("hello"), SemanticVersion: aws.String("1.0.0"),
		ParentImage: aws.String("debian-12"), Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn}}})
	if err != nil {
		t.Fatal(err)
	}
	infra, err := c.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("local"), InstanceProfileName: aws.String("none")})
	if err != nil {
		t.Fatal(err)
	}
	img, err := c.CreateImage(ctx, &imagebuilder.CreateImageInput{ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	if err != nil {
		t.Fatal(err)
	}
	image := aws.ToString(img.ImageBuildVersionArn)
	base := []string{"logs", "--endpoint-url", srv.Endpoint, "--data-dir", srv.DataDir, "--interval", "10ms"}

	if code, stderr := runArgs(t, append(base, image)...); code != 0 {
		t.Errorf("logs of a pending build: exit %d, %s", code, stderr)
	}
	if _, err := c.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: img.ImageBuildVersionArn}); err != nil {
		t.Fatal(err)
	}
	code, stderr := runArgs(t, append(base, "--follow", image)...)
	if code != exitFailed || !strings.Contains(stderr, "the image is CANCELLED") {
		t.Errorf("logs --follow of a cancelled build: exit %d, %s; want 1 and the state", code, stderr)
	}
}
