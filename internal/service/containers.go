package service

import (
	"context"
	"maps"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var containerRecipeKind = kind{
	typ: arn.ContainerRecipe, resName: "ContainerRecipe", shape: arn.ContainerRecipeArn, param: "containerRecipeArn",
	filters: []string{"containerType", "name", "parentImage", "platform"},
	summary: []string{"arn", "containerType", "name", "platform", "owner", "parentImage", "dateCreated", "instanceImage", "tags"},
}

// MaxDockerfileTemplate is the longest inline Dockerfile template.
const MaxDockerfileTemplate = 16000

// containerParent checks a container recipe's parentImage: a container
// image reference (amazonlinux:latest, an ECR URI) is kept as given; an
// Image Builder image ARN must name an image the account may use.
func (s *Service) containerParent(ctx context.Context, ex store.Executor, account, v string) error {
	if len(v) > 1024 || strings.ContainsAny(v, " \t\n") {
		return apierr.InvalidParameterValue("The value supplied for parameter 'parentImage' is not valid. It must be a container image reference or an Image Builder image ARN of at most 1024 characters.")
	}
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

// checkContainerRecipe checks the members of a CreateContainerRecipe
// request that need no store, and fills the computed ones.
func checkContainerRecipe(in Object) error {
	if err := checkRequired(in, []string{"containerType", "parentImage", "targetRepository"}); err != nil {
		return err
	}
	if str(in, "containerType") != "DOCKER" {
		return apierr.InvalidParameterValue("The value supplied for parameter 'containerType' is not valid. It must be DOCKER.")
	}
	repo, _ := in["targetRepository"].(map[string]any)
	if str(repo, "service") != "ECR" {
		return apierr.InvalidParameterValue("The value supplied for parameter 'targetRepository.service' is not valid. It must be ECR.")
	}
	if n := len(str(repo, "repositoryName")); n < 1 || n > 1024 {
		return apierr.InvalidParameterValue("The value supplied for parameter 'targetRepository.repositoryName' is not valid. It must be 1 to 1024 characters long.")
	}
	var data, uri *string
	if v, ok := in["dockerfileTemplateData"].(string); ok {
		data = &v
	}
	if v, ok := in["dockerfileTemplateUri"].(string); ok {
		uri = &v
	}
	switch {
	case data != nil && uri != nil:
		return apierr.InvalidParameterCombination("You must specify exactly one of 'dockerfileTemplateData' and 'dockerfileTemplateUri', not both.")
	case data == nil && uri == nil:
		return apierr.InvalidParameterCombination("You must specify exactly one of 'dockerfileTemplateData' and 'dockerfileTemplateUri'.")
	case uri != nil:
		return apierr.InvalidParameterValue("The value supplied for parameter 'dockerfileTemplateUri' is not valid. Goldsmith does not fetch Dockerfile templates from '%s'; pass the template inline in 'dockerfileTemplateData'.", *uri)
	case strings.TrimSpace(*data) == "":
		return apierr.InvalidParameterValue("The value supplied for parameter 'dockerfileTemplateData' is not valid. It must not be empty.")
	case len([]rune(*data)) > MaxDockerfileTemplate:
		return apierr.InvalidParameterValue("The value supplied for parameter 'dockerfileTemplateData' is not valid. It must be at most %d characters long.", MaxDockerfileTemplate)
	case !strings.Contains(*data, "FROM"):
		return apierr.InvalidParameterValue("The value supplied for parameter 'dockerfileTemplateData' is not valid. A Dockerfile template needs a FROM instruction, e.g. FROM {{{ imagebuilder:parentImage }}}.")
	}
	platform := str(in, "platformOverride")
	switch platform {
	case "":
		platform = "Linux"
	case "Linux", "Windows", "macOS":
	default:
		return apierr.InvalidParameterValue("The value supplied for parameter 'platformOverride' is not valid. It must be one of Linux, Windows, macOS.")
	}
	in["platform"] = platform
	return nil
}

// CreateContainerRecipe creates a container recipe version. A wildcard
// semanticVersion picks the next free version.
func (s *Service) CreateContainerRecipe(ctx context.Context, account string, in Object) (Object, error) {
	token := str(in, "clientToken")
	delete(in, "clientToken")
	name := str(in, "name")
	if err := arn.ValidateName(name); err != nil {
		return nil, err
	}
	lname, _ := arn.NormalizeName(name)
	pattern, err := arn.ParseWildcardVersion(str(in, "semanticVersion"))
	if err != nil {
		return nil, err
	}
	if err := checkContainerRecipe(in); err != nil {
		return nil, err
	}
	if err := checkDescriptions(str(in, "description")); err != nil {
		return nil, err
	}
	tags, err := tagsOf(in)
	if err != nil {
		return nil, err
	}
	return idempotent(ctx, s, account, "CreateContainerRecipe", token, in, func(tx store.Tx) (Object, error) {
		a, err := s.newRecipeVersion(ctx, tx, account, arn.ContainerRecipe, "ContainerRecipe", lname, pattern)
		if err != nil {
			return nil, err
		}
		if err := quota(ctx, tx, store.Query{Type: arn.ContainerRecipe, Region: s.region, Accounts: []string{account}}, s.limits.Recipes, "container recipes"); err != nil {
			return nil, err
		}
		if err := s.containerParent(ctx, tx, account, str(in, "parentImage")); err != nil {
			return nil, err
		}
		refs, err := s.recipeComponents(ctx, tx, account, in)
		if err != nil {
			return nil, err
		}
		obj := maps.Clone(in)
		delete(obj, "semanticVersion")
		delete(obj, "platformOverride")
		obj["arn"], obj["owner"], obj["encrypted"] = a.String(), account, true
		obj["version"], obj["dateCreated"] = a.Version.SemanticString(), timestamp(s.now())
		if ic, ok := in["instanceConfiguration"].(map[string]any); ok && str(ic, "image") != "" {
			obj["instanceImage"] = ic["image"]
		}
		if _, err := tx.Put(ctx, objectRecord(a, account, obj, containerRecipeKind.filters, tags)); err != nil {
			return nil, storeErr(a, "ContainerRecipe", err)
		}
		if len(refs) > 0 {
			if err := tx.SetReferences(ctx, a, refs); err != nil {
				return nil, storeErr(a, "ContainerRecipe", err)
			}
		}
		return Object{"clientToken": token, "containerRecipeArn": a.String(), "latestVersionReferences": references(a)}, nil
	})
}

// GetContainerRecipe returns a container recipe (wildcard versions resolved).
func (s *Service) GetContainerRecipe(ctx context.Context, account, a string) (Object, error) {
	obj, err := s.getObject(ctx, account, containerRecipeKind, a)
	if err != nil {
		return nil, err
	}
	delete(obj, "instanceImage")
	ra, _ := arn.Parse(str(obj, "arn"))
	return Object{"containerRecipe": obj, "latestVersionReferences": references(ra)}, nil
}

// ListContainerRecipes lists container recipe versions for the owner filter.
func (s *Service) ListContainerRecipes(ctx context.Context, account string, in Object) (Object, error) {
	return s.listObjects(ctx, account, containerRecipeKind, in, "containerRecipeSummaryList")
}

// DeleteContainerRecipe deletes a container recipe no pipeline uses.
func (s *Service) DeleteContainerRecipe(ctx context.Context, account, a string) (Object, error) {
	return s.deleteObject(ctx, account, containerRecipeKind, a)
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
func (s *Service) PutContainerRecipePolicy(ctx context.Context, account string, in Object) (Object, error) {
	a, err := s.parseARN(arn.ContainerRecipeArn, "containerRecipeArn", str(in, "containerRecipeArn"))
	if err != nil {
		return nil, err
	}
	if err := s.putPolicy(ctx, account, a, str(in, "policy")); err != nil {
		return nil, err
	}
	return Object{"containerRecipeArn": a.String()}, nil
}

// GetImagePolicy returns an image's resource policy.
func (s *Service) GetImagePolicy(ctx context.Context, account, v string) (GetPolicyOutput, error) {
	a, err := s.parseARN(arn.ImageBuildVersionArn, "imageArn", v)
	if err != nil {
		return GetPolicyOutput{}, err
	}
	return s.getPolicy(ctx, account, a)
}

// PutImagePolicy shares an image through a resource policy.
func (s *Service) PutImagePolicy(ctx context.Context, account string, in Object) (Object, error) {
	a, err := s.parseARN(arn.ImageBuildVersionArn, "imageArn", str(in, "imageArn"))
	if err != nil {
		return nil, err
	}
	if err := s.putPolicy(ctx, account, a, str(in, "policy")); err != nil {
		return nil, err
	}
	return Object{"imageArn": a.String()}, nil
}
