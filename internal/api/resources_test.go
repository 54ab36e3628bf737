package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

func TestRecipesConfigurationsPipelines(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	comp := must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(ctx, createInput("hello", "1.0.0", helloDoc)))
	prefix := "arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":"

	recipeIn := &imagebuilder.CreateImageRecipeInput{
		Name: aws.String("MyRecipe"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String("debian-12"),
		Components: []types.ComponentConfiguration{
			{ComponentArn: aws.String(prefix + "component/hello/x.x.x")},
			{ComponentArn: aws.String("arn:aws:imagebuilder:" + region + ":aws:component/update-linux/1.x.x")},
		},
	}
	rec := must[*imagebuilder.CreateImageRecipeOutput](t)(tb.a.CreateImageRecipe(ctx, recipeIn))
	recipeARN := aws.ToString(rec.ImageRecipeArn)
	if recipeARN != prefix+"image-recipe/myrecipe/1.0.0" {
		t.Fatalf("recipe arn = %s", recipeARN)
	}
	dup := *recipeIn
	dup.ClientToken = nil // the SDK filled in the first call's token
	_, err := tb.a.CreateImageRecipe(ctx, &dup)
	wantCode(t, err, "ResourceAlreadyExistsException")
	next := dup
	next.ClientToken = nil
	next.SemanticVersion = aws.String("1.0.x")
	next.ParentImage = aws.String("arn:aws:imagebuilder:" + region + ":aws:image/debian-12/x.x.x")
	if got := aws.ToString(must[*imagebuilder.CreateImageRecipeOutput](t)(tb.a.CreateImageRecipe(ctx, &next)).ImageRecipeArn); got != prefix+"image-recipe/myrecipe/1.0.1" {
		t.Errorf("auto-versioned recipe = %s", got)
	}
	for _, tc := range []struct {
		name   string
		modify func(in *imagebuilder.CreateImageRecipeInput)
		code   string
	}{
		{"unknown parent", func(in *imagebuilder.CreateImageRecipeInput) { in.ParentImage = aws.String("ami-12345678") }, "InvalidParameterValueException"},
		{"missing component", func(in *imagebuilder.CreateImageRecipeInput) {
			in.Components = []types.ComponentConfiguration{{ComponentArn: aws.String(prefix + "component/nope/1.0.0")}}
		}, "ResourceNotFoundException"},
		{"21 components", func(in *imagebuilder.CreateImageRecipeInput) {
			in.Components = nil
			for range 21 {
				in.Components = append(in.Components, types.ComponentConfiguration{ComponentArn: aws.String(prefix + "component/hello/1.0.0")})
			}
		}, "InvalidParameterValueException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := dup
			in.ClientToken = nil
			in.SemanticVersion = aws.String("9.0.0")
			tc.modify(&in)
			_, err := tb.a.CreateImageRecipe(ctx, &in)
			wantCode(t, err, tc.code)
		})
	}
	got := must[*imagebuilder.GetImageRecipeOutput](t)(tb.a.GetImageRecipe(ctx, &imagebuilder.GetImageRecipeInput{ImageRecipeArn: aws.String(recipeARN)}))
	if aws.ToString(got.ImageRecipe.Name) != "MyRecipe" || len(got.ImageRecipe.Components) != 2 || got.ImageRecipe.Platform != types.PlatformLinux {
		t.Errorf("recipe = %+v", got.ImageRecipe)
	}
	recipes := must[*imagebuilder.ListImageRecipesOutput](t)(tb.a.ListImageRecipes(ctx, &imagebuilder.ListImageRecipesInput{}))
	if len(recipes.ImageRecipeSummaryList) != 2 {
		t.Errorf("recipes = %+v", recipes.ImageRecipeSummaryList)
	}
	_, err = tb.a.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: comp.ComponentBuildVersionArn})
	wantCode(t, err, "ResourceDependencyException")

	infra := must[*imagebuilder.CreateInfrastructureConfigurationOutput](t)(tb.a.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{
		Name: aws.String("infra"), InstanceProfileName: aws.String("profile"), InstanceTypes: []string{"m5.large"}}))
	must[*imagebuilder.UpdateInfrastructureConfigurationOutput](t)(tb.a.UpdateInfrastructureConfiguration(ctx, &imagebuilder.UpdateInfrastructureConfigurationInput{
		InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn, InstanceProfileName: aws.String("profile2"), Description: aws.String("updated")}))
	gi := must[*imagebuilder.GetInfrastructureConfigurationOutput](t)(tb.a.GetInfrastructureConfiguration(ctx, &imagebuilder.GetInfrastructureConfigurationInput{
		InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}))
	if c := gi.InfrastructureConfiguration; aws.ToString(c.InstanceProfileName) != "profile2" || aws.ToString(c.Name) != "infra" || c.DateUpdated == nil || len(c.InstanceTypes) != 0 {
		t.Errorf("updated infra = %+v", c)
	}
	dist := must[*imagebuilder.CreateDistributionConfigurationOutput](t)(tb.a.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{
		Name: aws.String("dist"), Distributions: []types.Distribution{{Region: aws.String(region)}}}))
	dl := must[*imagebuilder.ListDistributionConfigurationsOutput](t)(tb.a.ListDistributionConfigurations(ctx, &imagebuilder.ListDistributionConfigurationsInput{}))
	if len(dl.DistributionConfigurationSummaryList) != 1 || dl.DistributionConfigurationSummaryList[0].Regions[0] != region {
		t.Errorf("distributions = %+v", dl.DistributionConfigurationSummaryList)
	}

	pipe := must[*imagebuilder.CreateImagePipelineOutput](t)(tb.a.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{
		Name: aws.String("pipe"), ImageRecipeArn: aws.String(recipeARN), InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn,
		DistributionConfigurationArn: dist.DistributionConfigurationArn}))
	gp := must[*imagebuilder.GetImagePipelineOutput](t)(tb.a.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: pipe.ImagePipelineArn}))
	if gp.ImagePipeline.Status != types.PipelineStatusEnabled || aws.ToString(gp.ImagePipeline.ImageRecipeArn) != recipeARN {
		t.Errorf("pipeline = %+v", gp.ImagePipeline)
	}
	pl := must[*imagebuilder.ListImagePipelinesOutput](t)(tb.a.ListImagePipelines(ctx, &imagebuilder.ListImagePipelinesInput{}))
	if len(pl.ImagePipelineList) != 1 {
		t.Errorf("pipelines = %+v", pl.ImagePipelineList)
	}
	imgs := must[*imagebuilder.ListImagePipelineImagesOutput](t)(tb.a.ListImagePipelineImages(ctx, &imagebuilder.ListImagePipelineImagesInput{ImagePipelineArn: pipe.ImagePipelineArn}))
	if len(imgs.ImageSummaryList) != 0 {
		t.Errorf("pipeline images = %+v", imgs.ImageSummaryList)
	}
	_, err = tb.a.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: pipe.ImagePipelineArn})
	wantCode(t, err, "InvalidRequestException")
	if !strings.Contains(err.Error(), "not available") {
		t.Errorf("start execution: %v", err)
	}
	_, err = tb.a.DeleteImageRecipe(ctx, &imagebuilder.DeleteImageRecipeInput{ImageRecipeArn: aws.String(recipeARN)})
	wantCode(t, err, "ResourceDependencyException")
	_, err = tb.a.DeleteInfrastructureConfiguration(ctx, &imagebuilder.DeleteInfrastructureConfigurationInput{InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	wantCode(t, err, "ResourceDependencyException")
	_, err = tb.b.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: pipe.ImagePipelineArn})
	wantCode(t, err, "ForbiddenException")

	must[*imagebuilder.DeleteImagePipelineOutput](t)(tb.a.DeleteImagePipeline(ctx, &imagebuilder.DeleteImagePipelineInput{ImagePipelineArn: pipe.ImagePipelineArn}))
	must[*imagebuilder.DeleteImageRecipeOutput](t)(tb.a.DeleteImageRecipe(ctx, &imagebuilder.DeleteImageRecipeInput{ImageRecipeArn: aws.String(recipeARN)}))
	must[*imagebuilder.DeleteInfrastructureConfigurationOutput](t)(tb.a.DeleteInfrastructureConfiguration(ctx, &imagebuilder.DeleteInfrastructureConfigurationInput{InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}))
	must[*imagebuilder.DeleteDistributionConfigurationOutput](t)(tb.a.DeleteDistributionConfiguration(ctx, &imagebuilder.DeleteDistributionConfigurationInput{DistributionConfigurationArn: dist.DistributionConfigurationArn}))
}

func TestImages(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	list := must[*imagebuilder.ListImagesOutput](t)(tb.a.ListImages(ctx, &imagebuilder.ListImagesInput{Owner: types.OwnershipAmazon}))
	if len(list.ImageVersionList) != 1 || aws.ToString(list.ImageVersionList[0].Name) != "debian-12" {
		t.Fatalf("Amazon images = %+v", list.ImageVersionList)
	}
	versionARN := aws.ToString(list.ImageVersionList[0].Arn)
	if versionARN != "arn:aws:imagebuilder:"+region+":aws:image/debian-12/1.0.0" {
		t.Errorf("image version arn = %s", versionARN)
	}
	self := must[*imagebuilder.ListImagesOutput](t)(tb.a.ListImages(ctx, &imagebuilder.ListImagesInput{}))
	if len(self.ImageVersionList) != 0 {
		t.Errorf("own images = %+v", self.ImageVersionList)
	}
	img := must[*imagebuilder.GetImageOutput](t)(tb.a.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(strings.Replace(versionARN, "1.0.0", "x.x.x", 1))}))
	if img.Image.State.Status != types.ImageStatusAvailable || aws.ToString(img.Image.OsVersion) != "Debian 12" {
		t.Errorf("image = %+v", img.Image)
	}
	builds := must[*imagebuilder.ListImageBuildVersionsOutput](t)(tb.a.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{ImageVersionArn: aws.String(versionARN)}))
	if len(builds.ImageSummaryList) != 1 {
		t.Errorf("builds = %+v", builds.ImageSummaryList)
	}
	pk := must[*imagebuilder.ListImagePackagesOutput](t)(tb.a.ListImagePackages(ctx, &imagebuilder.ListImagePackagesInput{ImageBuildVersionArn: img.Image.Arn}))
	if len(pk.ImagePackageList) != 0 {
		t.Errorf("packages = %+v", pk.ImagePackageList)
	}
	_, err := tb.a.DeleteImage(ctx, &imagebuilder.DeleteImageInput{ImageBuildVersionArn: img.Image.Arn})
	wantCode(t, err, "ForbiddenException")
	_, err = tb.a.CreateImage(ctx, &imagebuilder.CreateImageInput{InfrastructureConfigurationArn: aws.String("arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":infrastructure-configuration/x")})
	wantCode(t, err, "InvalidParameterValueException") // no recipe
	_, err = tb.a.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: img.Image.Arn})
	wantCode(t, err, "ForbiddenException") // the catalogue's image
}
