package service

import (
	"context"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var infraKind = kind{
	typ: arn.InfrastructureConfiguration, resName: "InfrastructureConfiguration", shape: arn.InfrastructureConfigurationArn,
	param: "infrastructureConfigurationArn", filters: []string{"name"},
	limit: func(l Limits) int { return l.Configurations },
}

var distKind = kind{
	typ: arn.DistributionConfiguration, resName: "DistributionConfiguration", shape: arn.DistributionConfigurationArn,
	param: "distributionConfigurationArn", filters: []string{"name"},
	limit: func(l Limits) int { return l.Configurations },
}

// InfrastructureConfigurationOutput is the Create and Update response.
type InfrastructureConfigurationOutput struct {
	ClientToken                    string `json:"clientToken,omitempty"`
	InfrastructureConfigurationArn string `json:"infrastructureConfigurationArn"`
}

// GetInfrastructureConfigurationOutput is the GetInfrastructureConfiguration response.
type GetInfrastructureConfigurationOutput struct {
	InfrastructureConfiguration *InfrastructureConfiguration `json:"infrastructureConfiguration"`
}

// ListInfrastructureConfigurationsOutput is the ListInfrastructureConfigurations response.
type ListInfrastructureConfigurationsOutput struct {
	InfrastructureConfigurationSummaryList []InfrastructureConfigurationSummary `json:"infrastructureConfigurationSummaryList"`
	NextToken                              string                               `json:"nextToken,omitempty"`
}

// infraDefaults fills the members AWS defaults.
func (in *InfrastructureSettings) defaults() {
	if in.TerminateInstanceOnFailure == nil {
		t := true
		in.TerminateInstanceOnFailure = &t
	}
}

// CreateInfrastructureConfiguration creates an infrastructure configuration.
func (s *Service) CreateInfrastructureConfiguration(ctx context.Context, account string, in CreateInfrastructureConfigurationInput) (InfrastructureConfigurationOutput, error) {
	lname, err := checkNew(in.Name, in.Tags)
	if err != nil {
		return InfrastructureConfigurationOutput{}, err
	}
	if err := in.validate(); err != nil {
		return InfrastructureConfigurationOutput{}, err
	}
	in.defaults()
	token := in.ClientToken
	in.ClientToken = ""
	a, err := createResource(ctx, s, account, infraKind, lname, token, in.Tags, in, func(_ store.Tx, a arn.ARN, now string) (stored, error) {
		v := InfrastructureConfiguration{Arn: a.String(), Name: in.Name, InfrastructureSettings: in.InfrastructureSettings, DateCreated: now}
		return stored{data: v, attrs: attrs("name", in.Name)}, nil
	})
	return InfrastructureConfigurationOutput{ClientToken: token, InfrastructureConfigurationArn: a}, err
}

// UpdateInfrastructureConfiguration replaces an infrastructure configuration.
func (s *Service) UpdateInfrastructureConfiguration(ctx context.Context, account string, in UpdateInfrastructureConfigurationInput) (InfrastructureConfigurationOutput, error) {
	if err := in.validate(); err != nil {
		return InfrastructureConfigurationOutput{}, err
	}
	in.defaults()
	token := in.ClientToken
	in.ClientToken = ""
	a, err := updateResource(ctx, s, account, infraKind, in.InfrastructureConfigurationArn, token, in, func(_ store.Tx, rec store.Record, now string) (stored, error) {
		v, err := loadRecord[InfrastructureConfiguration](rec)
		if err != nil {
			return stored{}, err
		}
		v.InfrastructureSettings, v.DateUpdated = in.InfrastructureSettings, now
		return stored{data: v, attrs: attrs("name", v.Name)}, nil
	})
	return InfrastructureConfigurationOutput{ClientToken: token, InfrastructureConfigurationArn: a}, err
}

// GetInfrastructureConfiguration returns an infrastructure configuration.
func (s *Service) GetInfrastructureConfiguration(ctx context.Context, account, a string) (GetInfrastructureConfigurationOutput, error) {
	v, _, err := getResource[InfrastructureConfiguration](ctx, s, account, infraKind, a)
	return GetInfrastructureConfigurationOutput{InfrastructureConfiguration: v}, err
}

// ListInfrastructureConfigurations lists infrastructure configurations.
func (s *Service) ListInfrastructureConfigurations(ctx context.Context, account string, in ListInput) (ListInfrastructureConfigurationsOutput, error) {
	in.Owner = ""
	p, err := s.listKind(ctx, account, infraKind, in)
	if err != nil {
		return ListInfrastructureConfigurationsOutput{}, err
	}
	rows, err := listed(p, func(rec store.Record, v *InfrastructureConfiguration) InfrastructureConfigurationSummary {
		return InfrastructureConfigurationSummary{Arn: v.Arn, Name: v.Name, Description: v.Description, DateCreated: v.DateCreated,
			DateUpdated: v.DateUpdated, ResourceTags: v.ResourceTags, Tags: rec.Tags, InstanceTypes: v.InstanceTypes,
			InstanceProfileName: v.InstanceProfileName, Placement: v.Placement}
	})
	return ListInfrastructureConfigurationsOutput{InfrastructureConfigurationSummaryList: rows, NextToken: p.NextToken}, err
}

// DeleteInfrastructureConfigurationOutput is the DeleteInfrastructureConfiguration response.
type DeleteInfrastructureConfigurationOutput struct {
	InfrastructureConfigurationArn string `json:"infrastructureConfigurationArn"`
}

// DeleteInfrastructureConfiguration deletes an unused infrastructure configuration.
func (s *Service) DeleteInfrastructureConfiguration(ctx context.Context, account, a string) (DeleteInfrastructureConfigurationOutput, error) {
	v, err := s.deleteResource(ctx, account, infraKind, a)
	return DeleteInfrastructureConfigurationOutput{InfrastructureConfigurationArn: v}, err
}

// DistributionConfigurationOutput is the Create and Update response.
type DistributionConfigurationOutput struct {
	ClientToken                  string `json:"clientToken,omitempty"`
	DistributionConfigurationArn string `json:"distributionConfigurationArn"`
}

// GetDistributionConfigurationOutput is the GetDistributionConfiguration response.
type GetDistributionConfigurationOutput struct {
	DistributionConfiguration *DistributionConfiguration `json:"distributionConfiguration"`
}

// ListDistributionConfigurationsOutput is the ListDistributionConfigurations response.
type ListDistributionConfigurationsOutput struct {
	DistributionConfigurationSummaryList []DistributionConfigurationSummary `json:"distributionConfigurationSummaryList"`
	NextToken                            string                             `json:"nextToken,omitempty"`
}

// DeleteDistributionConfigurationOutput is the DeleteDistributionConfiguration response.
type DeleteDistributionConfigurationOutput struct {
	DistributionConfigurationArn string `json:"distributionConfigurationArn"`
}

// CreateDistributionConfiguration creates a distribution configuration.
func (s *Service) CreateDistributionConfiguration(ctx context.Context, account string, in CreateDistributionConfigurationInput) (DistributionConfigurationOutput, error) {
	lname, err := checkNew(in.Name, in.Tags)
	if err != nil {
		return DistributionConfigurationOutput{}, err
	}
	if err := in.validate(); err != nil {
		return DistributionConfigurationOutput{}, err
	}
	token := in.ClientToken
	in.ClientToken = ""
	a, err := createResource(ctx, s, account, distKind, lname, token, in.Tags, in, func(_ store.Tx, a arn.ARN, now string) (stored, error) {
		v := DistributionConfiguration{Arn: a.String(), Name: in.Name, DistributionSettings: in.DistributionSettings, TimeoutMinutes: 720, DateCreated: now}
		return stored{data: v, attrs: attrs("name", in.Name)}, nil
	})
	return DistributionConfigurationOutput{ClientToken: token, DistributionConfigurationArn: a}, err
}

// UpdateDistributionConfiguration replaces a distribution configuration.
func (s *Service) UpdateDistributionConfiguration(ctx context.Context, account string, in UpdateDistributionConfigurationInput) (DistributionConfigurationOutput, error) {
	if err := in.validate(); err != nil {
		return DistributionConfigurationOutput{}, err
	}
	token := in.ClientToken
	in.ClientToken = ""
	a, err := updateResource(ctx, s, account, distKind, in.DistributionConfigurationArn, token, in, func(_ store.Tx, rec store.Record, now string) (stored, error) {
		v, err := loadRecord[DistributionConfiguration](rec)
		if err != nil {
			return stored{}, err
		}
		v.DistributionSettings, v.DateUpdated = in.DistributionSettings, now
		if v.TimeoutMinutes == 0 {
			v.TimeoutMinutes = 720
		}
		return stored{data: v, attrs: attrs("name", v.Name)}, nil
	})
	return DistributionConfigurationOutput{ClientToken: token, DistributionConfigurationArn: a}, err
}

// GetDistributionConfiguration returns a distribution configuration.
func (s *Service) GetDistributionConfiguration(ctx context.Context, account, a string) (GetDistributionConfigurationOutput, error) {
	v, _, err := getResource[DistributionConfiguration](ctx, s, account, distKind, a)
	return GetDistributionConfigurationOutput{DistributionConfiguration: v}, err
}

// ListDistributionConfigurations lists distribution configurations.
func (s *Service) ListDistributionConfigurations(ctx context.Context, account string, in ListInput) (ListDistributionConfigurationsOutput, error) {
	in.Owner = ""
	p, err := s.listKind(ctx, account, distKind, in)
	if err != nil {
		return ListDistributionConfigurationsOutput{}, err
	}
	rows, err := listed(p, func(rec store.Record, v *DistributionConfiguration) DistributionConfigurationSummary {
		regions := make([]string, 0, len(v.Distributions))
		for _, d := range v.Distributions {
			regions = append(regions, d.Region)
		}
		return DistributionConfigurationSummary{Arn: v.Arn, Name: v.Name, Description: v.Description, DateCreated: v.DateCreated,
			DateUpdated: v.DateUpdated, Tags: rec.Tags, Regions: regions}
	})
	return ListDistributionConfigurationsOutput{DistributionConfigurationSummaryList: rows, NextToken: p.NextToken}, err
}

// DeleteDistributionConfiguration deletes an unused distribution configuration.
func (s *Service) DeleteDistributionConfiguration(ctx context.Context, account, a string) (DeleteDistributionConfigurationOutput, error) {
	v, err := s.deleteResource(ctx, account, distKind, a)
	return DeleteDistributionConfigurationOutput{DistributionConfigurationArn: v}, err
}
