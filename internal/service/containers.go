package service

// Container recipe operations.

import (
	"context"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var containerRecipeKind = kind{
	typ: arn.ContainerRecipe, resName: "ContainerRecipe", shape: arn.ContainerRecipeArn, param: "containerRecipeArn",
	filters: []string{"containerType", "name", "parentImage", "platform"},
	limit:   func(l Limits) int { return l.Recipes },
}

// MaxDockerfileTemplate is the longest inline Dockerfile template.
const MaxDockerfileTemplate = 16000

// containerParentShape checks the form of a container recipe's
// parentImage: a container image reference (amazonlinux:latest, an ECR
// URI), kept as given, or an Image Builder image ARN, which containerParent
// resolves.
func (s *Service) containerParentShape(v string) error {
	if len(v) > 1024 || strings.ContainsAny(v, " \t\n") {
		return apierr.InvalidParameterValue("The value supplied for parameter 'parentImage' is not valid. It must be a container image reference or an Image Builder image ARN of at most 1024 characters.")
	}
	return nil
}

// containerParent checks that a parentImage that is an Image Builder image
// ARN names an image the account may use.
func (s *Service) containerParent(ctx context.Context, ex store.Executor, account, v string) error {
	if !strings.HasPrefix(v, "arn:") {
		return nil
	}
	a, err := s.parseARN(arn.ImageVersionArnOrBuildVersionArn, "parentImage", v)
	if err != nil {
		return err
	}
	_, err = s.resolve(ctx, ex, account, a)
	return err
}

// checkDockerfile checks a CreateContainerRecipe request's Dockerfile
// template and platform, and returns the platform.
func checkDockerfile(in *CreateContainerRecipeInput) (string, error) {
	data, uri := in.DockerfileTemplateData, in.DockerfileTemplateURI
	switch {
	case data != nil && uri != nil:
		return "", apierr.InvalidParameterCombination("You must specify exactly one of 'dockerfileTemplateData' and 'dockerfileTemplateUri', not both.")
	case data == nil && uri == nil:
		return "", apierr.InvalidParameterCombination("You must specify exactly one of 'dockerfileTemplateData' and 'dockerfileTemplateUri'.")
	case uri != nil:
		return "", apierr.InvalidParameterValue("The value supplied for parameter 'dockerfileTemplateUri' is not valid. Goldsmith does not fetch Dockerfile templates from '%s'; pass the template inline in 'dockerfileTemplateData'.", *uri)
	case strings.TrimSpace(*data) == "":
		return "", apierr.InvalidParameterValue("The value supplied for parameter 'dockerfileTemplateData' is not valid. It must not be empty.")
	case len([]rune(*data)) > MaxDockerfileTemplate:
		return "", apierr.InvalidParameterValue("The value supplied for parameter 'dockerfileTemplateData' is not valid. It must be at most %d characters long.", MaxDockerfileTemplate)
	case !strings.Contains(*data, "FROM"):
		return "", apierr.InvalidParameterValue("The value supplied for parameter 'dockerfileTemplateData' is not valid. A Dockerfile template needs a FROM instruction, e.g. FROM {{{ imagebuilder:parentImage }}}.")
	}
	switch in.PlatformOverride {
	case "":
		return "Linux", nil
	case "Linux", "Windows", "macOS":
		return in.PlatformOverride, nil
	}
	return "", apierr.InvalidParameterValue("The value supplied for parameter 'platformOverride' is not valid. It must be one of Linux, Windows, macOS.")
}

// CreateContainerRecipe creates a container recipe version. A wildcard
// semanticVersion picks the next free version.
func (s *Service) CreateContainerRecipe(ctx context.Context, account string, in CreateContainerRecipeInput) (RecipeOutput, error) {
	if err := in.validate(); err != nil {
		return RecipeOutput{}, err
	}
	platform, err := checkDockerfile(&in)
	if err != nil {
		return RecipeOutput{}, err
	}
	if err := s.containerParentShape(in.ParentImage); err != nil {
		return RecipeOutput{}, err
	}
	token := in.ClientToken
	in.ClientToken = ""
	return createRecipe(ctx, s, account, containerRecipeKind, in.Name, in.SemanticVersion, token, in.Tags, in, func(tx store.Tx, a arn.ARN) (stored, error) {
		if err := s.containerParent(ctx, tx, account, in.ParentImage); err != nil {
			return stored{}, err
		}
		refs, err := s.recipeComponents(ctx, tx, account, in.Components)
		if err != nil {
			return stored{}, err
		}
		v := ContainerRecipe{Arn: a.String(), Name: in.Name, Platform: platform, Owner: account, Version: a.Version.SemanticString(),
			ContainerRecipeSettings: in.ContainerRecipeSettings, Encrypted: true, DateCreated: timestamp(s.now())}
		return stored{data: v, refs: refs, attrs: attrs("containerType", v.ContainerType, "name", v.Name, "parentImage", v.ParentImage, "platform", v.Platform)}, nil
	})
}

// GetContainerRecipe returns a container recipe (wildcard versions resolved).
func (s *Service) GetContainerRecipe(ctx context.Context, account, a string) (GetContainerRecipeOutput, error) {
	v, rec, err := getResource[ContainerRecipe](ctx, s, account, containerRecipeKind, a)
	if err != nil {
		return GetContainerRecipeOutput{}, err
	}
	return GetContainerRecipeOutput{ContainerRecipe: v, LatestVersionReferences: references(rec.ARN)}, nil
}

// ListContainerRecipes lists container recipe versions for the owner filter.
func (s *Service) ListContainerRecipes(ctx context.Context, account string, in ListInput) (ListContainerRecipesOutput, error) {
	p, err := s.listKind(ctx, account, containerRecipeKind, in)
	if err != nil {
		return ListContainerRecipesOutput{}, err
	}
	rows, err := listed(p, func(rec store.Record, v *ContainerRecipe) ContainerRecipeSummary {
		row := ContainerRecipeSummary{Arn: v.Arn, ContainerType: v.ContainerType, Name: v.Name, Platform: v.Platform, Owner: v.Owner,
			ParentImage: v.ParentImage, DateCreated: v.DateCreated, Tags: rec.Tags}
		if v.InstanceConfiguration != nil {
			row.InstanceImage = v.InstanceConfiguration.Image
		}
		return row
	})
	return ListContainerRecipesOutput{ContainerRecipeSummaryList: rows, NextToken: p.NextToken}, err
}

// DeleteContainerRecipe deletes a container recipe no pipeline uses.
func (s *Service) DeleteContainerRecipe(ctx context.Context, account, a string) (DeleteContainerRecipeOutput, error) {
	v, err := s.deleteResource(ctx, account, containerRecipeKind, a)
	return DeleteContainerRecipeOutput{ContainerRecipeArn: v}, err
}

// GetContainerRecipePolicy returns a container recipe's resource policy.
func (s *Service) GetContainerRecipePolicy(ctx context.Context, account, v string) (GetPolicyOutput, error) {
	a, err := s.parseARN(arn.ContainerRecipeArn, "containerRecipeArn", v)
	if err != nil {
		return GetPolicyOutput{}, err
	}
	return s.getPolicy(ctx, account, a)
}

// PutContainerRecipePolicy shares a container recipe through a resource policy.
func (s *Service) PutContainerRecipePolicy(ctx context.Context, account string, in PutContainerRecipePolicyInput) (PutContainerRecipePolicyOutput, error) {
	a, err := s.parseARN(arn.ContainerRecipeArn, "containerRecipeArn", in.ContainerRecipeArn)
	if err != nil {
		return PutContainerRecipePolicyOutput{}, err
	}
	if err := s.putPolicy(ctx, account, a, in.Policy); err != nil {
		return PutContainerRecipePolicyOutput{}, err
	}
	return PutContainerRecipePolicyOutput{ContainerRecipeArn: a.String()}, nil
}
