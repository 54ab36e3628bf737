package service

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var recipeKind = kind{
	typ: arn.ImageRecipe, resName: "ImageRecipe", shape: arn.ImageRecipeArn, param: "imageRecipeArn",
	filters: []string{"name", "parentImage", "platform"},
	summary: []string{"arn", "name", "platform", "owner", "parentImage", "dateCreated", "tags"},
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
func (s *Service) recipeComponents(ctx context.Context, ex store.Executor, account string, in Object) ([]arn.ARN, error) {
	comps := asSlice(in["components"])
	if len(comps) > MaxComponentsPerRecipe {
		return nil, apierr.InvalidParameterValue("The value supplied for parameter 'components' is not valid. A recipe can have at most %d components, not %d.", MaxComponentsPerRecipe, len(comps))
	}
	var refs []arn.ARN
	for _, c := range comps {
		cm, _ := c.(map[string]any)
		a, err := s.parseARN(arn.ComponentVersionArnOrBuildVersionArn, "componentArn", str(cm, "componentArn"))
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

// CreateImageRecipe creates an image recipe version. A wildcard
// semanticVersion picks the next free version.
func (s *Service) CreateImageRecipe(ctx context.Context, account string, in Object) (Object, error) {
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
	if err := checkRequired(in, []string{"parentImage"}); err != nil {
		return nil, err
	}
	if err := checkDescriptions(str(in, "description")); err != nil {
		return nil, err
	}
	tags, err := tagsOf(in)
	if err != nil {
		return nil, err
	}
	return idempotent(ctx, s, account, "CreateImageRecipe", token, in, func(tx store.Tx) (Object, error) {
		a, err := s.newRecipeVersion(ctx, tx, account, arn.ImageRecipe, "ImageRecipe", lname, pattern)
		if err != nil {
			return nil, err
		}
		if err := quota(ctx, tx, store.Query{Type: arn.ImageRecipe, Region: s.region, Accounts: []string{account}}, s.limits.Recipes, "image recipes"); err != nil {
			return nil, err
		}
		if _, err := s.parentImage(ctx, tx, account, str(in, "parentImage")); err != nil {
			return nil, err
		}
		refs, err := s.recipeComponents(ctx, tx, account, in)
		if err != nil {
			return nil, err
		}
		obj := maps.Clone(in)
		delete(obj, "semanticVersion")
		obj["arn"], obj["type"], obj["platform"], obj["owner"] = a.String(), "AMI", "Linux", account
		obj["version"], obj["dateCreated"] = a.Version.SemanticString(), timestamp(s.now())
		if _, err := tx.Put(ctx, objectRecord(a, account, obj, recipeKind.filters, tags)); err != nil {
			return nil, storeErr(a, "ImageRecipe", err)
		}
		if len(refs) > 0 {
			if err := tx.SetReferences(ctx, a, refs); err != nil {
				return nil, storeErr(a, "ImageRecipe", err)
			}
		}
		return Object{"clientToken": token, "imageRecipeArn": a.String(), "latestVersionReferences": references(a)}, nil
	})
}

// GetImageRecipe returns an image recipe (wildcard versions resolved).
func (s *Service) GetImageRecipe(ctx context.Context, account, a string) (Object, error) {
	obj, err := s.getObject(ctx, account, recipeKind, a)
	if err != nil {
		return nil, err
	}
	ra, _ := arn.Parse(str(obj, "arn"))
	return Object{"imageRecipe": obj, "latestVersionReferences": references(ra)}, nil
}

// ListImageRecipes lists image recipe versions for the owner filter.
func (s *Service) ListImageRecipes(ctx context.Context, account string, in Object) (Object, error) {
	return s.listObjects(ctx, account, recipeKind, in, "imageRecipeSummaryList")
}

// DeleteImageRecipe deletes an image recipe no pipeline uses.
func (s *Service) DeleteImageRecipe(ctx context.Context, account, a string) (Object, error) {
	return s.deleteObject(ctx, account, recipeKind, a)
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
func (s *Service) PutImageRecipePolicy(ctx context.Context, account string, in Object) (Object, error) {
	a, err := s.parseARN(arn.ImageRecipeArn, "imageRecipeArn", str(in, "imageRecipeArn"))
	if err != nil {
		return nil, err
	}
	if err := s.putPolicy(ctx, account, a, str(in, "policy")); err != nil {
		return nil, err
	}
	return Object{"imageRecipeArn": a.String()}, nil
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
