package service

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var accountRE = regexp.MustCompile(`^(?:arn:aws[^:]*:iam::)?([0-9]{12})(?::root)?$`)

// policyDocument is the part of an IAM resource policy the service reads.
type policyDocument struct {
	Version   string `json:"Version"`
	Statement []struct {
		Effect    string          `json:"Effect"`
		Principal json.RawMessage `json:"Principal"`
		Action    json.RawMessage `json:"Action"`
	} `json:"Statement"`
}

// stringOrList decodes a JSON string or list of strings.
func stringOrList(raw json.RawMessage) ([]string, bool) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many, true
	}
	return nil, false
}

// policyPrincipals validates a resource policy and returns the accounts it
// allows ("*" for everyone). Statements with Effect Deny share nothing.
func policyPrincipals(policy string, allowed []string) ([]string, error) {
	bad := func(why string) error {
		return apierr.InvalidParameterValue("The value supplied for parameter 'policy' is not valid. %s", why)
	}
	if policy == "" || len(policy) > MaxPolicy {
		return nil, bad("It must be a JSON policy document of 1 to 30000 characters.")
	}
	var doc policyDocument
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return nil, bad("It is not a JSON policy document: " + err.Error())
	}
	if len(doc.Statement) == 0 {
		return nil, bad("It has no Statement.")
	}
	var out []string
	for _, st := range doc.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return nil, bad("Each statement's Effect must be Allow or Deny.")
		}
		actions, ok := stringOrList(st.Action)
		if !ok || len(actions) == 0 {
			return nil, bad("Each statement must name its Action.")
		}
		for _, a := range actions {
			if !slices.Contains(allowed, a) {
				return nil, bad("The action '" + a + "' is not allowed in this policy; use " + strings.Join(allowed, ", ") + ".")
			}
		}
		var principals []string
		var obj struct {
			AWS json.RawMessage `json:"AWS"`
		}
		if p, ok := stringOrList(st.Principal); ok {
			principals = p
		} else if json.Unmarshal(st.Principal, &obj) == nil && obj.AWS != nil {
			principals, _ = stringOrList(obj.AWS)
		}
		if len(principals) == 0 {
			return nil, bad("Each statement must name its Principal.")
		}
		for _, p := range principals {
			id := "*"
			if p != "*" {
				m := accountRE.FindStringSubmatch(p)
				if m == nil {
					return nil, bad("The principal '" + p + "' is not an account id or account root ARN.")
				}
				id = m[1]
			}
			if st.Effect == "Allow" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out, nil
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
func (s *Service) putPolicy(ctx context.Context, account string, a arn.ARN, policy string, actions []string) error {
	principals, err := policyPrincipals(policy, actions)
	if err != nil {
		return err
	}
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		if _, err := s.getOwned(ctx, tx, account, a); err != nil {
			return err
		}
		_, err := tx.SetPolicy(ctx, a, policy, principals)
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
	if err := s.putPolicy(ctx, account, a, in.Policy, []string{"imagebuilder:GetComponent", "imagebuilder:ListComponents"}); err != nil {
		return PutComponentPolicyOutput{}, err
	}
	return PutComponentPolicyOutput{ComponentArn: a.String()}, nil
}
