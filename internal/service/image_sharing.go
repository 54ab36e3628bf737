package service

// Sharing images through resource policies.

import (
	"context"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

// PutImagePolicyInput is the PutImagePolicy request.
type PutImagePolicyInput struct {
	ImageArn string `json:"imageArn"`
	Policy   string `json:"policy"`
}

// PutImagePolicyOutput is the PutImagePolicy response.
type PutImagePolicyOutput struct {
	ImageArn string `json:"imageArn"`
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
func (s *Service) PutImagePolicy(ctx context.Context, account string, in PutImagePolicyInput) (PutImagePolicyOutput, error) {
	a, err := s.parseARN(arn.ImageBuildVersionArn, "imageArn", in.ImageArn)
	if err != nil {
		return PutImagePolicyOutput{}, err
	}
	if err := s.putPolicy(ctx, account, a, in.Policy); err != nil {
		return PutImagePolicyOutput{}, err
	}
	return PutImagePolicyOutput{ImageArn: a.String()}, nil
}
