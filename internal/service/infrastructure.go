package service

// Infrastructure configurations: their wire types, validation and operations.

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

// InstanceMetadataOptions is an infrastructure configuration's IMDS settings.
type InstanceMetadataOptions struct {
	HTTPTokens              string `json:"httpTokens,omitempty"`
	HTTPPutResponseHopLimit int32  `json:"httpPutResponseHopLimit,omitempty"`
}

// S3Logs is where build logs would go on AWS.
type S3Logs struct {
	S3BucketName string `json:"s3BucketName,omitempty"`
	S3KeyPrefix  string `json:"s3KeyPrefix,omitempty"`
}

// Logging is an infrastructure configuration's logging.
type Logging struct {
	S3Logs *S3Logs `json:"s3Logs,omitempty"`
}

// Placement is an infrastructure configuration's instance placement.
type Placement struct {
	AvailabilityZone     string `json:"availabilityZone,omitempty"`
	Tenancy              string `json:"tenancy,omitempty"`
	HostID               string `json:"hostId,omitempty"`
	HostResourceGroupArn string `json:"hostResourceGroupArn,omitempty"`
}

// InfrastructureSettings are the members of an infrastructure
// configuration a client sets (create and update).
type InfrastructureSettings struct {
	Description                string                   `json:"description,omitempty"`
	InstanceTypes              []string                 `json:"instanceTypes,omitempty"`
	InstanceProfileName        string                   `json:"instanceProfileName"`
	SecurityGroupIDs           []string                 `json:"securityGroupIds,omitempty"`
	SubnetID                   string                   `json:"subnetId,omitempty"`
	Logging                    *Logging                 `json:"logging,omitempty"`
	KeyPair                    string                   `json:"keyPair,omitempty"`
	TerminateInstanceOnFailure *bool                    `json:"terminateInstanceOnFailure,omitempty"`
	SnsTopicArn                string                   `json:"snsTopicArn,omitempty"`
	ResourceTags               map[string]string        `json:"resourceTags,omitempty"`
	InstanceMetadataOptions    *InstanceMetadataOptions `json:"instanceMetadataOptions,omitempty"`
	Placement                  *Placement               `json:"placement,omitempty"`
}

// InfrastructureConfiguration is the stored and returned infrastructure
// configuration.
type InfrastructureConfiguration struct {
	Arn  string `json:"arn"`
	Name string `json:"name"`
	InfrastructureSettings
	DateCreated string            `json:"dateCreated,omitempty"`
	DateUpdated string            `json:"dateUpdated,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// CreateInfrastructureConfigurationInput is the
// CreateInfrastructureConfiguration request.
type CreateInfrastructureConfigurationInput struct {
	Name        string            `json:"name"`
	ClientToken string            `json:"clientToken"`
	Tags        map[string]string `json:"tags,omitempty"`
	InfrastructureSettings
}

// UpdateInfrastructureConfigurationInput is the
// UpdateInfrastructureConfiguration request.
type UpdateInfrastructureConfigurationInput struct {
	InfrastructureConfigurationArn string `json:"infrastructureConfigurationArn"`
	ClientToken                    string `json:"clientToken"`
	InfrastructureSettings
}

// InfrastructureConfigurationSummary is one row of
// ListInfrastructureConfigurations.
type InfrastructureConfigurationSummary struct {
	Arn                 string            `json:"arn"`
	Name                string            `json:"name"`
	Description         string            `json:"description,omitempty"`
	DateCreated         string            `json:"dateCreated,omitempty"`
	DateUpdated         string            `json:"dateUpdated,omitempty"`
	ResourceTags        map[string]string `json:"resourceTags,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
	InstanceTypes       []string          `json:"instanceTypes,omitempty"`
	InstanceProfileName string            `json:"instanceProfileName,omitempty"`
	Placement           *Placement        `json:"placement,omitempty"`
}

// validate checks an infrastructure configuration's members.
func (in *InfrastructureSettings) validate() error {
	var c checker
	c.required("instanceProfileName", in.InstanceProfileName)
	c.length("instanceProfileName", in.InstanceProfileName, 256)
	c.length("description", in.Description, maxString)
	c.strs("instanceTypes", in.InstanceTypes, maxList)
	c.strs("securityGroupIds", in.SecurityGroupIDs, maxList)
	c.length("subnetId", in.SubnetID, maxString)
	c.length("keyPair", in.KeyPair, maxString)
	c.length("snsTopicArn", in.SnsTopicArn, maxString)
	c.tags("resourceTags", in.ResourceTags, maxResourceTags)
	if l := in.Logging; l != nil && l.S3Logs != nil {
		c.length("logging.s3Logs.s3BucketName", l.S3Logs.S3BucketName, maxString)
		c.length("logging.s3Logs.s3KeyPrefix", l.S3Logs.S3KeyPrefix, maxString)
	}
	if o := in.InstanceMetadataOptions; o != nil {
		c.enum("instanceMetadataOptions.httpTokens", o.HTTPTokens, "required", "optional")
		c.between("instanceMetadataOptions.httpPutResponseHopLimit", o.HTTPPutResponseHopLimit, 1, 64)
	}
	if p := in.Placement; p != nil {
		c.enum("placement.tenancy", p.Tenancy, "default", "dedicated", "host")
		c.length("placement.availabilityZone", p.AvailabilityZone, maxString)
		c.length("placement.hostId", p.HostID, maxString)
		c.length("placement.hostResourceGroupArn", p.HostResourceGroupArn, maxString)
	}
	return c.err
}

// infraDefaults fills the members AWS defaults.
func (in *InfrastructureSettings) defaults() {
	if in.TerminateInstanceOnFailure == nil {
		t := true
		in.TerminateInstanceOnFailure = &t
	}
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
