package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

const dockerfile = "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\n"

func containerInput(prefix string) *imagebuilder.CreateContainerRecipeInput {
	return &imagebuilder.CreateContainerRecipeInput{
		Name: aws.String("MyContainer"), SemanticVersion: aws.String("1.0.0"), ContainerType: types.ContainerTypeDocker,
		ParentImage:            aws.String("debian:12"),
		TargetRepository:       &types.TargetContainerRepository{Service: types.ContainerRepositoryServiceEcr, RepositoryName: aws.String("my-repo")},
		DockerfileTemplateData: aws.String(dockerfile),
		Components:             []types.ComponentConfiguration{{ComponentArn: aws.String(prefix + "component/hello/x.x.x")}},
		Tags:                   map[string]string{"k": "v"},
	}
}

func TestContainerRecipes(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	prefix := "arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":"
	comp := must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(ctx, createInput("hello", "1.0.0", helloDoc)))
	out := must[*imagebuilder.CreateContainerRecipeOutput](t)(tb.a.CreateContainerRecipe(ctx, containerInput(prefix)))
	recipeARN := aws.ToString(out.ContainerRecipeArn)
	if recipeARN != prefix+"container-recipe/mycontainer/1.0.0" {
		t.Fatalf("arn = %s", recipeARN)
	}
	for _, tc := range []struct {
		name   string
		modify func(in *imagebuilder.CreateContainerRecipeInput)
		code   string
		msg    string
	}{
		{"duplicate", func(in *imagebuilder.CreateContainerRecipeInput) { in.SemanticVersion = aws.String("1.0.0") }, "ResourceAlreadyExistsException", ""},
		{"template uri", func(in *imagebuilder.CreateContainerRecipeInput) {
			in.DockerfileTemplateData, in.DockerfileTemplateUri = nil, aws.String("s3://bucket/Dockerfile")
		}, "InvalidParameterValueException", "dockerfileTemplateUri"},
		{"both templates", func(in *imagebuilder.CreateContainerRecipeInput) { in.DockerfileTemplateUri = aws.String("s3://b/k") }, "InvalidParameterCombinationException", "exactly one"},
		{"no template", func(in *imagebuilder.CreateContainerRecipeInput) { in.DockerfileTemplateData = nil }, "InvalidParameterCombinationException", "exactly one"},
		{"no FROM", func(in *imagebuilder.CreateContainerRecipeInput) { in.DockerfileTemplateData = aws.String("RUN true") }, "InvalidParameterValueException", "FROM"},
		{"long template", func(in *imagebuilder.CreateContainerRecipeInput) {
			in.DockerfileTemplateData = aws.String("FROM x\n" + strings.Repeat("#", 16000))
		}, "InvalidParameterValueException", "16000"},
		{"empty repository name", func(in *imagebuilder.CreateContainerRecipeInput) {
			in.TargetRepository = &types.TargetContainerRepository{Service: types.ContainerRepositoryServiceEcr, RepositoryName: aws.String("")}
		}, "InvalidParameterValueException", "targetRepository.repositoryName"},
		{"missing component", func(in *imagebuilder.CreateContainerRecipeInput) {
			in.Components = []types.ComponentConfiguration{{ComponentArn: aws.String(prefix + "component/nope/1.0.0")}}
		}, "ResourceNotFoundException", ""},
		{"unknown parent image arn", func(in *imagebuilder.CreateContainerRecipeInput) {
			in.ParentImage = aws.String(prefix + "image/nope/x.x.x")
		}, "ResourceNotFoundException", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := containerInput(prefix)
			in.SemanticVersion = aws.String("9.0.0")
			tc.modify(in)
			_, err := tb.a.CreateContainerRecipe(ctx, in)
			wantCode(t, err, tc.code)
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q lacks %q", err, tc.msg)
			}
		})
	}
	next := containerInput(prefix)
	next.SemanticVersion = aws.String("1.0.x")
	if got := aws.ToString(must[*imagebuilder.CreateContainerRecipeOutput](t)(tb.a.CreateContainerRecipe(ctx, next)).ContainerRecipeArn); got != prefix+"container-recipe/mycontainer/1.0.1" {
		t.Errorf("auto-versioned = %s", got)
	}
	got := must[*imagebuilder.GetContainerRecipeOutput](t)(tb.a.GetContainerRecipe(ctx, &imagebuilder.GetContainerRecipeInput{ContainerRecipeArn: aws.String(recipeARN)}))
	r := got.ContainerRecipe
	if aws.ToString(r.Name) != "MyContainer" || r.ContainerType != types.ContainerTypeDocker || r.Platform != types.PlatformLinux ||
		aws.ToString(r.DockerfileTemplateData) != dockerfile || aws.ToString(r.TargetRepository.RepositoryName) != "my-repo" ||
		len(r.Components) != 1 || r.Tags["k"] != "v" || aws.ToString(r.Owner) != tb.accountA {
		t.Errorf("recipe = %+v", r)
	}
	list := must[*imagebuilder.ListContainerRecipesOutput](t)(tb.a.ListContainerRecipes(ctx, &imagebuilder.ListContainerRecipesInput{
		Filters: []types.Filter{{Name: aws.String("containerType"), Values: []string{"DOCKER"}}}}))
	if len(list.ContainerRecipeSummaryList) != 2 || aws.ToString(list.ContainerRecipeSummaryList[0].ParentImage) != "debian:12" {
		t.Errorf("list = %+v", list.ContainerRecipeSummaryList)
	}
	_, err := tb.a.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: comp.ComponentBuildVersionArn})
	wantCode(t, err, "ResourceDependencyException")

	// Sharing through a policy.
	_, err = tb.b.GetContainerRecipe(ctx, &imagebuilder.GetContainerRecipeInput{ContainerRecipeArn: aws.String(recipeARN)})
	wantCode(t, err, "ForbiddenException")
	_, err = tb.a.GetContainerRecipePolicy(ctx, &imagebuilder.GetContainerRecipePolicyInput{ContainerRecipeArn: aws.String(recipeARN)})
	wantCode(t, err, "ResourceNotFoundException")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + tb.accountB +
		`"},"Action":["imagebuilder:GetContainerRecipe","imagebuilder:ListContainerRecipes"]}]}`
	must[*imagebuilder.PutContainerRecipePolicyOutput](t)(tb.a.PutContainerRecipePolicy(ctx, &imagebuilder.PutContainerRecipePolicyInput{ContainerRecipeArn: aws.String(recipeARN), Policy: aws.String(policy)}))
	if p := must[*imagebuilder.GetContainerRecipePolicyOutput](t)(tb.a.GetContainerRecipePolicy(ctx, &imagebuilder.GetContainerRecipePolicyInput{ContainerRecipeArn: aws.String(recipeARN)})); aws.ToString(p.Policy) != policy {
		t.Errorf("policy = %s", aws.ToString(p.Policy))
	}
	must[*imagebuilder.GetContainerRecipeOutput](t)(tb.b.GetContainerRecipe(ctx, &imagebuilder.GetContainerRecipeInput{ContainerRecipeArn: aws.String(recipeARN)}))
	shared := must[*imagebuilder.ListContainerRecipesOutput](t)(tb.b.ListContainerRecipes(ctx, &imagebuilder.ListContainerRecipesInput{Owner: types.OwnershipShared}))
	if len(shared.ContainerRecipeSummaryList) != 1 {
		t.Errorf("shared = %+v", shared.ContainerRecipeSummaryList)
	}

	// A pipeline may build a container recipe; it then cannot be deleted.
	infra := must[*imagebuilder.CreateInfrastructureConfigurationOutput](t)(tb.a.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{
		Name: aws.String("infra"), InstanceProfileName: aws.String("profile")}))
	pipe := must[*imagebuilder.CreateImagePipelineOutput](t)(tb.a.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{
		Name: aws.String("cpipe"), ContainerRecipeArn: aws.String(recipeARN), InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}))
	_, err = tb.a.DeleteContainerRecipe(ctx, &imagebuilder.DeleteContainerRecipeInput{ContainerRecipeArn: aws.String(recipeARN)})
	wantCode(t, err, "ResourceDependencyException")
	_, err = tb.b.DeleteContainerRecipe(ctx, &imagebuilder.DeleteContainerRecipeInput{ContainerRecipeArn: aws.String(recipeARN)})
	wantCode(t, err, "ForbiddenException")
	must[*imagebuilder.DeleteImagePipelineOutput](t)(tb.a.DeleteImagePipeline(ctx, &imagebuilder.DeleteImagePipelineInput{ImagePipelineArn: pipe.ImagePipelineArn}))
	must[*imagebuilder.DeleteContainerRecipeOutput](t)(tb.a.DeleteContainerRecipe(ctx, &imagebuilder.DeleteContainerRecipeInput{ContainerRecipeArn: aws.String(recipeARN)}))
	_, err = tb.a.GetContainerRecipe(ctx, &imagebuilder.GetContainerRecipeInput{ContainerRecipeArn: aws.String(recipeARN)})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestImagePolicy(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + tb.accountB + `"},"Action":"imagebuilder:GetImage"}]}`
	for _, tc := range []struct {
		name, arn, code string
	}{
		{"unknown image", "arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":image/nope/1.0.0/1", "ResourceNotFoundException"},
		{"version arn", "arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":image/nope/1.0.0", "InvalidParameterValueException"},
		{"amazon image", "arn:aws:imagebuilder:" + region + ":aws:image/debian-12/1.0.0/1", "ForbiddenException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tb.a.GetImagePolicy(ctx, &imagebuilder.GetImagePolicyInput{ImageArn: aws.String(tc.arn)})
			wantCode(t, err, tc.code)
			_, err = tb.a.PutImagePolicy(ctx, &imagebuilder.PutImagePolicyInput{ImageArn: aws.String(tc.arn), Policy: aws.String(policy)})
			wantCode(t, err, tc.code)
		})
	}
}
