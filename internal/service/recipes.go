package service

import (
	"context"
	"errors"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var recipeKind = kind{
	typ: arn.ImageRecipe, resName: "ImageRecipe", shape: arn.ImageRecipeArn, param: "imageRecipeArn",
	filters: []string{"name", "parentImage", "platform"},
	limit:   func(l Limits) int { return l.Recipes },
}

// RecipeOutput is the CreateImageRecipe and CreateContainerRecipe response
// (the ARN member named by the operation).
type RecipeOutput struct {
	ClientToken             string             `json:"clientToken,omitempty"`
	ImageRecipeArn          string             `json:"imageRecipeArn,omitempty"`
	ContainerRecipeArn      string             `json:"containerRecipeArn,omitempty"`
	LatestVersionReferences *VersionReferences `json:"latestVersionReferences,omitempty"`
}

// GetImageRecipeOutput is the GetImageRecipe response.
type GetImageRecipeOutput struct {
	ImageRecipe             *ImageRecipe       `json:"imageRecipe"`
	LatestVersionReferences *VersionReferences `json:"latestVersionReferences,omitempty"`
}

// ListImageRecipesOutput is the ListImageRecipes response.
type ListImageRecipesOutput struct {
	ImageRecipeSummaryList []ImageRecipeSummary `json:"imageRecipeSummaryList"`
	NextToken              string               `json:"nextToken,omitempty"`
}

// DeleteImageRecipeOutput is the DeleteImageRecipe response.
type DeleteImageRecipeOutput struct {
	ImageRecipeArn string `json:"imageRecipeArn"`
}

// PutImageRecipePolicyInput is the PutImageRecipePolicy request.
type PutImageRecipePolicyInput struct {
	ImageRecipeArn string `json:"imageRecipeArn"`
	Policy         string `json:"policy"`
}

// PutImageRecipePolicyOutput is the PutImageRecipePolicy response.
type PutImageRecipePolicyOutput struct {
	ImageRecipeArn string `json:"imageRecipeArn"`
}

// parentImage resolves a recipe's parentImage: the base image's name or an
// Image Builder image ARN (wildcards allowed) the account may use.
func (s *Service) parentImage(ctx context.Context, ex store.Executor, account, v string) (arn.ARN, error) {
	if v == BaseImageName {
		return BaseImageARN(s.region), nil
	}
	if !strings.HasPrefix(v, "arn:") {
		return arn.ARN{}, apierr.InvalidParameterValue("The value supplied for parameter 'parentImage' is not valid. Goldsmith builds from its base image '%s' (by name or ARN) or from an Image Builder image ARN; '%s' is neither.", BaseImageName, v)
	}
	a, err := s.parseARN(arn.ImageVersionArnOrBuildVersionArn, "parentImage", v)
	if err != nil {
		return arn.ARN{}, err
	}
	rec, err := s.resolve(ctx, ex, account, a)
	if err != nil {
		return arn.ARN{}, err
	}
	return rec.ARN, nil
}

// recipeComponents resolves a recipe's components (x-wildcards to the newest
// visible build) and returns the build ARNs it uses.
func (s *Service) recipeComponents(ctx context.Context, ex store.Executor, account string, comps []ComponentConfiguration) ([]arn.ARN, error) {
	var refs []arn.ARN
	for _, c := range comps {
		a, err := s.parseARN(arn.ComponentVersionArnOrBuildVersionArn, "componentArn", c.ComponentArn)
		if err != nil {
			return nil, err
		}
		rec, err := s.resolve(ctx, ex, account, a)
		if err != nil {
			return nil, err
		}
		refs = append(refs, rec.ARN)
	}
	return refs, nil
}

// createRecipe creates a version of a recipe of kind k: build makes the
// value stored from its ARN, in the transaction.
func createRecipe(ctx context.Context, s *Service, account string, k kind, name, version, token string, tags map[string]string, req any,
	build func(tx store.Tx, a arn.ARN) (stored, error)) (RecipeOutput, error) {
	lname, err := checkNew(name, tags)
	if err != nil {
		return RecipeOutput{}, err
	}
	pattern, err := arn.ParseWildcardVersion(version)
	if err != nil {
		return RecipeOutput{}, err
	}
	return idempotent(ctx, s, account, "Create"+k.resName, token, req, func(tx store.Tx) (RecipeOutput, error) {
		a, err := s.newRecipeVersion(ctx, tx, account, k.typ, k.resName, lname, pattern)
		if err != nil {
			return RecipeOutput{}, err
		}
		if err := quota(ctx, tx, store.Query{Type: k.typ, Region: s.region, Accounts: []string{account}}, k.limit(s.limits), string(k.typ)+"s"); err != nil {
			return RecipeOutput{}, err
		}
		v, err := build(tx, a)
		if err != nil {
			return RecipeOutput{}, err
		}
		if err := putResource(ctx, tx, a, account, k.resName, v, tags); err != nil {
			return RecipeOutput{}, err
		}
		out := RecipeOutput{ClientToken: token, LatestVersionReferences: references(a)}
		if k.typ == arn.ImageRecipe {
			out.ImageRecipeArn = a.String()
		} else {
			out.ContainerRecipeArn = a.String()
		}
		return out, nil
	})
}

// CreateImageRecipe creates an image recipe version. A wildcard
// semanticVersion picks the next free version.
func (s *Service) CreateImageRecipe(ctx context.Context, account string, in CreateImageRecipeInput) (RecipeOutput, error) {
	if err := in.validate(); err != nil {
		return RecipeOutput{}, err
	}
	token := in.ClientToken
	in.ClientToken = ""
	return createRecipe(ctx, s, account, recipeKind, in.Name, in.SemanticVersion, token, in.Tags, in, func(tx store.Tx, a arn.ARN) (stored, error) {
		if _, err := s.parentImage(ctx, tx, account, in.ParentImage); err != nil {
			return stored{}, err
		}
		refs, err := s.recipeComponents(ctx, tx, account, in.Components)
		if err != nil {
			return stored{}, err
		}
		v := ImageRecipe{Arn: a.String(), Type: "AMI", Name: in.Name, Platform: "Linux", Owner: account, Version: a.Version.SemanticString(),
			ImageRecipeSettings: in.ImageRecipeSettings, DateCreated: timestamp(s.now())}
		return stored{data: v, refs: refs, attrs: attrs("name", v.Name, "parentImage", v.ParentImage, "platform", v.Platform)}, nil
	})
}

// GetImageRecipe returns an image recipe (wildcard versions resolved).
func (s *Service) GetImageRecipe(ctx context.Context, account, a string) (GetImageRecipeOutput, error) {
	v, rec, err := getResource[ImageRecipe](ctx, s, account, recipeKind, a)
	if err != nil {
		return GetImageRecipeOutput{}, err
	}
	return GetImageRecipeOutput{ImageRecipe: v, LatestVersionReferences: references(rec.ARN)}, nil
}

// ListImageRecipes lists image recipe versions for the owner filter.
func (s *Service) ListImageRecipes(ctx context.Context, account string, in ListInput) (ListImageRecipesOutput, error) {
	p, err := s.listKind(ctx, account, recipeKind, in)
	if err != nil {
		return ListImageRecipesOutput{}, err
	}
	rows, err := listed(p, func(rec store.Record, v *ImageRecipe) ImageRecipeSummary {
		return ImageRecipeSummary{Arn: v.Arn, Name: v.Name, Platform: v.Platform, Owner: v.Owner, ParentImage: v.ParentImage,
			DateCreated: v.DateCreated, Tags: rec.Tags}
	})
	return ListImageRecipesOutput{ImageRecipeSummaryList: rows, NextToken: p.NextToken}, err
}

// DeleteImageRecipe deletes an image recipe no pipeline uses.
func (s *Service) DeleteImageRecipe(ctx context.Context, account, a string) (DeleteImageRecipeOutput, error) {
	v, err := s.deleteResource(ctx, account, recipeKind, a)
	return DeleteImageRecipeOutput{ImageRecipeArn: v}, err
}

// GetImageRecipePolicy returns an image recipe's resource policy.
func (s *Service) GetImageRecipePolicy(ctx context.Context, account, v string) (GetPolicyOutput, error) {
	a, err := s.parseARN(arn.ImageRecipeArn, "imageRecipeArn", v)
	if err != nil {
		return GetPolicyOutput{}, err
	}
	return s.getPolicy(ctx, account, a)
}

// PutImageRecipePolicy shares an image recipe through a resource policy.
func (s *Service) PutImageRecipePolicy(ctx context.Context, account string, in PutImageRecipePolicyInput) (PutImageRecipePolicyOutput, error) {
	a, err := s.parseARN(arn.ImageRecipeArn, "imageRecipeArn", in.ImageRecipeArn)
	if err != nil {
		return PutImageRecipePolicyOutput{}, err
	}
	if err := s.putPolicy(ctx, account, a, in.Policy); err != nil {
		return PutImageRecipePolicyOutput{}, err
	}
	return PutImageRecipePolicyOutput{ImageRecipeArn: a.String()}, nil
}

// newRecipeVersion is the ARN a new recipe version gets: the version as
// given, or for a wildcard (1.x.x) the next free one; an existing version
// is ResourceAlreadyExistsException (recipe versions are immutable).
func (s *Service) newRecipeVersion(ctx context.Context, tx store.Tx, account string, typ arn.ResourceType, kind, lname string, pattern arn.Version) (arn.ARN, error) {
	nameARN := arn.New(s.region, account, typ, lname)
	v := pattern
	if pattern.IsWildcard() {
		var existing []arn.Version
		p, err := tx.List(ctx, store.Query{Type: typ, Region: s.region, Accounts: []string{account}, Name: lname})
		if err != nil {
			return arn.ARN{}, storeErr(nameARN, kind, err)
		}
		for _, r := range p.Records {
			existing = append(existing, r.ARN.Version)
		}
		if v, err = arn.NextVersion(pattern, existing); err != nil {
			return arn.ARN{}, err
		}
	}
	a := nameARN.WithVersion(v)
	if _, err := tx.Get(ctx, a); err == nil {
		return arn.ARN{}, apierr.AlreadyExists(kind, a.String())
	} else if !errors.Is(err, store.ErrNotFound) {
		return arn.ARN{}, storeErr(a, kind, err)
	}
	return a, nil
}
