package api_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/sbom"
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

// TestListImagePackages: the packages a build recorded in the image's SBOM,
// name and version, paged as AWS pages them.
func TestListImagePackages(t *testing.T) {
	t.Parallel()
	files, err := artifacts.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tb := setupConfig(t, service.Config{Builds: &recordingBuilds{}, Artifacts: files})
	ctx := context.Background()
	image := newImage(t, tb, "web")
	list := func(c *imagebuilder.Client, maxResults int32, token *string) (*imagebuilder.ListImagePackagesOutput, error) {
		in := &imagebuilder.ListImagePackagesInput{ImageBuildVersionArn: image, NextToken: token}
		if maxResults != 0 {
			in.MaxResults = aws.Int32(maxResults)
		}
		return c.ListImagePackages(ctx, in)
	}
	if out := must[*imagebuilder.ListImagePackagesOutput](t)(list(tb.a, 0, nil)); len(out.ImagePackageList) != 0 {
		t.Fatalf("a pending image lists %+v", out.ImagePackageList)
	}

	// The worker stores the SBOM with the outputs, then makes the image
	// AVAILABLE (as internal/buildjob does).
	var pkgs []sbom.Package
	for i := range 7 {
		pkgs = append(pkgs, sbom.Package{Name: fmt.Sprintf("pkg-%d", i), Version: fmt.Sprintf("1.%d-2+deb12u1", i), Arch: "amd64"})
	}
	file := filepath.Join(t.TempDir(), sbom.FileName)
	var buf bytes.Buffer
	if err := sbom.Encode(&buf, sbom.BOM(sbom.Subject{Name: "web", Version: "1.0.0/1"}, pkgs, time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	a, _ := arn.Parse(aws.ToString(image))
	if err := files.Put(ctx, path.Join(artifacts.ImagePrefix(tb.accountA, a), sbom.FileName), file); err != nil {
		t.Fatal(err)
	}
	setState(t, tb, image, service.ImageAvailable)

	var got []string
	var token *string
	for pages := 0; ; pages++ {
		out := must[*imagebuilder.ListImagePackagesOutput](t)(list(tb.a, 3, token))
		if len(out.ImagePackageList) > 3 || pages > 3 {
			t.Fatalf("page %d: %d packages", pages, len(out.ImagePackageList))
		}
		for _, p := range out.ImagePackageList {
			got = append(got, aws.ToString(p.PackageName)+"="+aws.ToString(p.PackageVersion))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	var want []string
	for _, p := range pkgs {
		want = append(want, p.Name+"="+p.Version)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("packages = %v, want %v", got, want)
	}
	if out := must[*imagebuilder.ListImagePackagesOutput](t)(list(tb.a, 0, nil)); len(out.ImagePackageList) != 7 || out.NextToken != nil {
		t.Errorf("one page of the default size: %d packages, token %v", len(out.ImagePackageList), out.NextToken)
	}

	_, err = list(tb.a, 26, nil)
	wantCode(t, err, "InvalidParameterValueException")
	_, err = list(tb.a, 3, aws.String("bm90IGEgdG9rZW4"))
	wantCode(t, err, "InvalidPaginationTokenException")
	first := must[*imagebuilder.ListImagePackagesOutput](t)(list(tb.a, 3, nil))
	other := newImage(t, tb, "api")
	_, err = tb.a.ListImagePackages(ctx, &imagebuilder.ListImagePackagesInput{ImageBuildVersionArn: other, NextToken: first.NextToken})
	wantCode(t, err, "InvalidPaginationTokenException") // another image's token
	_, err = list(tb.b, 0, nil)
	wantCode(t, err, "ForbiddenException")
}
