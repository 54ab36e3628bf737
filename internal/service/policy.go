package service

import (
	"context"
	"errors"
	"slices"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/policy"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// shareActions are the actions a resource policy can grant on a resource
// type: reading it (Get…, which also lets an account use it in its own
// recipes and builds) and listing it (List… with owner Shared), as the
// Image Builder user guide's sharing examples grant them.
type shareActions struct{ get, list string }

var sharing = map[arn.ResourceType]shareActions{
	arn.Component:       {"imagebuilder:GetComponent", "imagebuilder:ListComponents"},
	arn.Image:           {"imagebuilder:GetImage", "imagebuilder:ListImages"},
	arn.ImageRecipe:     {"imagebuilder:GetImageRecipe", "imagebuilder:ListImageRecipes"},
	arn.ContainerRecipe: {"imagebuilder:GetContainerRecipe", "imagebuilder:ListContainerRecipes"},
}

// parsePolicy parses and checks the policy attached to a.
func parsePolicy(text string, a arn.ARN) (*policy.Document, error) {
	acts, ok := sharing[a.Type]
	if !ok {
		return nil, apierr.InvalidRequest("Resources of type %s cannot have a resource policy.", a.Type)
	}
	return policy.Parse(text, policy.Rules{Resource: a.String(), Actions: []string{acts.get, acts.list}})
}

// recordPolicy is the parsed policy of rec; false when it has none. A
// stored policy that no longer parses shares nothing.
func recordPolicy(rec store.Record) (*policy.Document, bool) {
	if rec.Policy == "" {
		return nil, false
	}
	d, err := parsePolicy(rec.Policy, rec.ARN)
	return d, err == nil
}

// sharedRead reports whether the policy of rec, which another account
// owns, lets account read it.
func sharedRead(account string, rec store.Record) bool {
	d, ok := recordPolicy(rec)
	return ok && d.Allows(policy.Request{Account: account, Action: sharing[rec.ARN.Type].get, Resource: rec.ARN.String()})
}

// sharedWithOthers reports whether the policy of rec lets any account but
// its owner read or list it.
func sharedWithOthers(rec store.Record) bool {
	d, ok := recordPolicy(rec)
	if !ok {
		return false
	}
	acts := sharing[rec.ARN.Type]
	for _, action := range []string{acts.get, acts.list} {
		g := d.Grants(action)
		if g.Everyone || slices.ContainsFunc(g.Accounts, func(a string) bool { return a != rec.ARN.Account }) {
			return true
		}
	}
	return false
}

// listPrincipals are the store principals of a policy: who finds the
// resource in List… with owner Shared (the accounts the list action is
// allowed to; "*" and "!account" when it is allowed to everyone but some).
func listPrincipals(d *policy.Document, a arn.ARN) []string {
	g := d.Grants(sharing[a.Type].list)
	if !g.Everyone {
		return g.Accounts
	}
	out := []string{"*"}
	for _, acct := range g.Except {
		out = append(out, "!"+acct)
	}
	return out
}

// getPolicy returns the policy of the resource a names, which account owns.
func (s *Service) getPolicy(ctx context.Context, account string, a arn.ARN) (GetPolicyOutput, error) {
	rec, err := s.getOwned(ctx, s.store, account, a)
	if err != nil {
		return GetPolicyOutput{}, err
	}
	if rec.Policy == "" {
		return GetPolicyOutput{}, apierr.ResourceNotFound("The resource '%s' has no policy.", a)
	}
	return GetPolicyOutput{Policy: rec.Policy}, nil
}

// putPolicy sets the policy of the resource a names, which account owns.
//
// The policy governs other accounts only: the owner's own access never
// depends on it. Whatever in it Goldsmith cannot enforce is refused.
func (s *Service) putPolicy(ctx context.Context, account string, a arn.ARN, text string) error {
	if text == "" || len(text) > MaxPolicy {
		return apierr.InvalidParameterValue("The value supplied for parameter 'policy' is not valid. It must be a JSON policy document of 1 to %d characters.", MaxPolicy)
	}
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		rec, err := s.getOwned(ctx, tx, account, a)
		if err != nil {
			return err
		}
		d, err := parsePolicy(text, rec.ARN) // the ARN sharedRead evaluates against
		var bad *policy.Error
		if errors.As(err, &bad) {
			return apierr.InvalidParameterValue("The value supplied for parameter 'policy' is not valid. %s", bad.Error())
		}
		if err != nil {
			return err
		}
		_, err = tx.SetPolicy(ctx, a, text, listPrincipals(d, rec.ARN))
		return storeErr(a, "", err)
	})
}

// GetComponentPolicy returns a component's resource policy.
func (s *Service) GetComponentPolicy(ctx context.Context, account, componentArn string) (GetPolicyOutput, error) {
	a, err := s.parseARN(arn.ComponentBuildVersionArn, "componentArn", componentArn)
	if err != nil {
		return GetPolicyOutput{}, err
	}
	return s.getPolicy(ctx, account, a)
}

// PutComponentPolicy shares a component through a resource policy.
func (s *Service) PutComponentPolicy(ctx context.Context, account string, in PutComponentPolicyInput) (PutComponentPolicyOutput, error) {
	a, err := s.parseARN(arn.ComponentBuildVersionArn, "componentArn", in.ComponentArn)
	if err != nil {
		return PutComponentPolicyOutput{}, err
	}
	if err := s.putPolicy(ctx, account, a, in.Policy); err != nil {
		return PutComponentPolicyOutput{}, err
	}
	return PutComponentPolicyOutput{ComponentArn: a.String()}, nil
}
