package api_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/service"
)

// newImage creates an image of account A through the API (PENDING, its
// build queued in q) and returns its ARN.
func newImage(t *testing.T, tb *testBundle, name string) *string {
	t.Helper()
	ctx := context.Background()
	rec := must[*imagebuilder.CreateImageRecipeOutput](t)(tb.a.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
		Name: aws.String(name), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String("debian-12"),
		Components: []types.ComponentConfiguration{{ComponentArn: aws.String("arn:aws:imagebuilder:" + region + ":aws:component/update-linux/x.x.x")}}}))
	infra := must[*imagebuilder.CreateInfrastructureConfigurationOutput](t)(tb.a.CreateInfrastructureConfiguration(ctx,
		&imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String(name), InstanceProfileName: aws.String("none")}))
	out := must[*imagebuilder.CreateImageOutput](t)(tb.a.CreateImage(ctx, &imagebuilder.CreateImageInput{
		ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}))
	return out.ImageBuildVersionArn
}

// setState moves an image as its worker would.
func setState(t *testing.T, tb *testBundle, image *string, st service.ImageStatus) {
	t.Helper()
	a, err := arn.Parse(aws.ToString(image))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.svc.SetImageState(context.Background(), a, service.StateChange{Status: st}); err != nil {
		t.Fatal(err)
	}
}

// TestDeleteImage: as AWS, DeleteImage refuses an image whose build has
// not finished and an image shared with other accounts.
func TestDeleteImage(t *testing.T) {
	t.Parallel()
	q := &recordingBuilds{}
	tb := setupWith(t, q)
	ctx := context.Background()
	del := func(image *string) error {
		_, err := tb.a.DeleteImage(ctx, &imagebuilder.DeleteImageInput{ImageBuildVersionArn: image})
		return err
	}
	exists := func(image *string) bool {
		_, err := tb.a.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: image})
		if err != nil {
			wantCode(t, err, "ResourceNotFoundException")
		}
		return err == nil
	}

	image := newImage(t, tb, "web")
	for _, st := range []service.ImageStatus{service.ImagePending, service.ImageBuilding, service.ImageTesting, service.ImageDistributing} {
		if st != service.ImagePending {
			setState(t, tb, image, st)
		}
		wantCode(t, del(image), "ResourceDependencyException")
		if !exists(image) {
			t.Fatalf("a %s image was deleted", st)
		}
	}
	_, err := tb.b.DeleteImage(ctx, &imagebuilder.DeleteImageInput{ImageBuildVersionArn: image})
	wantCode(t, err, "ForbiddenException")
	setState(t, tb, image, service.ImageAvailable)

	// Shared with B: refused until the policy shares it with no one.
	must[*imagebuilder.PutImagePolicyOutput](t)(tb.a.PutImagePolicy(ctx, &imagebuilder.PutImagePolicyInput{ImageArn: image,
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + tb.accountB + `"},"Action":"imagebuilder:GetImage"}]}`)}))
	must[*imagebuilder.GetImageOutput](t)(tb.b.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: image}))
	wantCode(t, del(image), "ResourceDependencyException")
	must[*imagebuilder.PutImagePolicyOutput](t)(tb.a.PutImagePolicy(ctx, &imagebuilder.PutImagePolicyInput{ImageArn: image,
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"imagebuilder:*"}]}`)}))
	if err := del(image); err != nil {
		t.Fatalf("an unshared available image: %v", err)
	}
	if exists(image) {
		t.Fatal("the image is still there")
	}

	// A pending build is cancelled, then deleted; its queued job ends
	// without building (TestDeletedImageJobEnds in internal/buildjob).
	second := newImage(t, tb, "api")
	wantCode(t, del(second), "ResourceDependencyException")
	must[*imagebuilder.CancelImageCreationOutput](t)(tb.a.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: second}))
	if err := del(second); err != nil {
		t.Fatalf("a cancelled image: %v", err)
	}
	if len(q.queued) != 2 {
		t.Errorf("queued %v", q.queued)
	}
}
