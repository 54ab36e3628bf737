package service

// Distribution configurations: their wire types, validation and operations.

import (
	"context"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var distKind = kind{
	typ: arn.DistributionConfiguration, resName: "DistributionConfiguration", shape: arn.DistributionConfigurationArn,
	param: "distributionConfigurationArn", filters: []string{"name"},
	limit: func(l Limits) int { return l.Configurations },
}

// LaunchPermission is an AMI distribution's launch permission.
type LaunchPermission struct {
	UserIDs                []string `json:"userIds,omitempty"`
	UserGroups             []string `json:"userGroups,omitempty"`
	OrganizationArns       []string `json:"organizationArns,omitempty"`
	OrganizationalUnitArns []string `json:"organizationalUnitArns,omitempty"`
}

// AmiDistribution is a distribution's amiDistributionConfiguration.
type AmiDistribution struct {
	Name             string            `json:"name,omitempty"`
	Description      string            `json:"description,omitempty"`
	TargetAccountIDs []string          `json:"targetAccountIds,omitempty"`
	AmiTags          map[string]string `json:"amiTags,omitempty"`
	KmsKeyID         string            `json:"kmsKeyId,omitempty"`
	LaunchPermission *LaunchPermission `json:"launchPermission,omitempty"`
}

// TargetRepository is a container repository (ECR on AWS).
type TargetRepository struct {
	Service        string `json:"service"`
	RepositoryName string `json:"repositoryName"`
}

// ContainerDistribution is a distribution's containerDistributionConfiguration.
type ContainerDistribution struct {
	Description      string            `json:"description,omitempty"`
	ContainerTags    []string          `json:"containerTags,omitempty"`
	TargetRepository *TargetRepository `json:"targetRepository"`
}

// LaunchTemplate is a distribution's launch template configuration.
type LaunchTemplate struct {
	LaunchTemplateID  string `json:"launchTemplateId"`
	AccountID         string `json:"accountId,omitempty"`
	SetDefaultVersion bool   `json:"setDefaultVersion,omitempty"`
}

// S3Export is a distribution's s3ExportConfiguration.
type S3Export struct {
	RoleName        string `json:"roleName"`
	DiskImageFormat string `json:"diskImageFormat"`
	S3Bucket        string `json:"s3Bucket"`
	S3Prefix        string `json:"s3Prefix,omitempty"`
}

// FastLaunchTemplate is a fast launch configuration's launch template.
type FastLaunchTemplate struct {
	LaunchTemplateID      string `json:"launchTemplateId,omitempty"`
	LaunchTemplateName    string `json:"launchTemplateName,omitempty"`
	LaunchTemplateVersion string `json:"launchTemplateVersion,omitempty"`
}

// FastLaunchSnapshot is a fast launch configuration's snapshot settings.
type FastLaunchSnapshot struct {
	TargetResourceCount int32 `json:"targetResourceCount,omitempty"`
}

// FastLaunch is a distribution's fast launch configuration (Windows).
type FastLaunch struct {
	Enabled               bool                `json:"enabled"`
	SnapshotConfiguration *FastLaunchSnapshot `json:"snapshotConfiguration,omitempty"`
	MaxParallelLaunches   int32               `json:"maxParallelLaunches,omitempty"`
	LaunchTemplate        *FastLaunchTemplate `json:"launchTemplate,omitempty"`
	AccountID             string              `json:"accountId,omitempty"`
}

// SsmParameter is a distribution's SSM parameter configuration.
type SsmParameter struct {
	AmiAccountID  string `json:"amiAccountId,omitempty"`
	ParameterName string `json:"parameterName"`
	DataType      string `json:"dataType,omitempty"`
}

// Distribution is one region of a distribution configuration.
type Distribution struct {
	Region                             string                 `json:"region"`
	AmiDistributionConfiguration       *AmiDistribution       `json:"amiDistributionConfiguration,omitempty"`
	ContainerDistributionConfiguration *ContainerDistribution `json:"containerDistributionConfiguration,omitempty"`
	LicenseConfigurationArns           []string               `json:"licenseConfigurationArns,omitempty"`
	LaunchTemplateConfigurations       []LaunchTemplate       `json:"launchTemplateConfigurations,omitempty"`
	S3ExportConfiguration              *S3Export              `json:"s3ExportConfiguration,omitempty"`
	FastLaunchConfigurations           []FastLaunch           `json:"fastLaunchConfigurations,omitempty"`
	SsmParameterConfigurations         []SsmParameter         `json:"ssmParameterConfigurations,omitempty"`
}

// DistributionSettings are the members of a distribution configuration a
// client sets.
type DistributionSettings struct {
	Description   string         `json:"description,omitempty"`
	Distributions []Distribution `json:"distributions"`
}

// DistributionConfiguration is the stored and returned distribution
// configuration.
type DistributionConfiguration struct {
	Arn  string `json:"arn"`
	Name string `json:"name"`
	DistributionSettings
	TimeoutMinutes int32             `json:"timeoutMinutes"`
	DateCreated    string            `json:"dateCreated,omitempty"`
	DateUpdated    string            `json:"dateUpdated,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

// CreateDistributionConfigurationInput is the
// CreateDistributionConfiguration request.
type CreateDistributionConfigurationInput struct {
	Name        string            `json:"name"`
	ClientToken string            `json:"clientToken"`
	Tags        map[string]string `json:"tags,omitempty"`
	DistributionSettings
}

// UpdateDistributionConfigurationInput is the
// UpdateDistributionConfiguration request.
type UpdateDistributionConfigurationInput struct {
	DistributionConfigurationArn string `json:"distributionConfigurationArn"`
	ClientToken                  string `json:"clientToken"`
	DistributionSettings
}

// DistributionConfigurationSummary is one row of
// ListDistributionConfigurations.
type DistributionConfigurationSummary struct {
	Arn         string            `json:"arn"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	DateCreated string            `json:"dateCreated,omitempty"`
	DateUpdated string            `json:"dateUpdated,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	Regions     []string          `json:"regions"`
}

// validate checks a distribution configuration's members.
func (in *DistributionSettings) validate() error {
	var c checker
	c.length("description", in.Description, maxString)
	if len(in.Distributions) == 0 {
		c.fail("distributions", "At least one distribution is required.")
	}
	c.count("distributions", len(in.Distributions), maxList)
	for i := range in.Distributions {
		d := &in.Distributions[i]
		c.required("distributions.region", d.Region)
		c.length("distributions.region", d.Region, maxString)
		c.strs("distributions.licenseConfigurationArns", d.LicenseConfigurationArns, 50)
		if a := d.AmiDistributionConfiguration; a != nil {
			c.length("distributions.amiDistributionConfiguration.name", a.Name, 127)
			c.length("distributions.amiDistributionConfiguration.description", a.Description, maxString)
			c.strs("distributions.amiDistributionConfiguration.targetAccountIds", a.TargetAccountIDs, 1536)
			c.tags("distributions.amiDistributionConfiguration.amiTags", a.AmiTags, MaxTags)
			c.length("distributions.amiDistributionConfiguration.kmsKeyId", a.KmsKeyID, maxString)
			if lp := a.LaunchPermission; lp != nil {
				c.strs("distributions.amiDistributionConfiguration.launchPermission.userIds", lp.UserIDs, 1536)
				c.strs("distributions.amiDistributionConfiguration.launchPermission.userGroups", lp.UserGroups, maxList)
				c.strs("distributions.amiDistributionConfiguration.launchPermission.organizationArns", lp.OrganizationArns, 25)
				c.strs("distributions.amiDistributionConfiguration.launchPermission.organizationalUnitArns", lp.OrganizationalUnitArns, 25)
			}
		}
		if cd := d.ContainerDistributionConfiguration; cd != nil {
			c.length("distributions.containerDistributionConfiguration.description", cd.Description, maxString)
			c.strs("distributions.containerDistributionConfiguration.containerTags", cd.ContainerTags, maxList)
			c.repository("distributions.containerDistributionConfiguration.targetRepository", cd.TargetRepository)
		}
		c.count("distributions.launchTemplateConfigurations", len(d.LaunchTemplateConfigurations), maxList)
		for _, lt := range d.LaunchTemplateConfigurations {
			c.required("distributions.launchTemplateConfigurations.launchTemplateId", lt.LaunchTemplateID)
			c.length("distributions.launchTemplateConfigurations.launchTemplateId", lt.LaunchTemplateID, maxString)
			c.length("distributions.launchTemplateConfigurations.accountId", lt.AccountID, maxString)
		}
		if e := d.S3ExportConfiguration; e != nil {
			c.required("distributions.s3ExportConfiguration.roleName", e.RoleName)
			c.required("distributions.s3ExportConfiguration.s3Bucket", e.S3Bucket)
			c.required("distributions.s3ExportConfiguration.diskImageFormat", e.DiskImageFormat)
			// QCOW2 and VHDX are Goldsmith's extensions of the model's VMDK, RAW and VHD.
			c.enum("distributions.s3ExportConfiguration.diskImageFormat", e.DiskImageFormat, "VMDK", "RAW", "VHD", "QCOW2", "VHDX")
			c.length("distributions.s3ExportConfiguration.roleName", e.RoleName, maxString)
			c.length("distributions.s3ExportConfiguration.s3Bucket", e.S3Bucket, maxString)
			c.length("distributions.s3ExportConfiguration.s3Prefix", e.S3Prefix, maxString)
		}
		c.count("distributions.fastLaunchConfigurations", len(d.FastLaunchConfigurations), 1000)
		for _, fl := range d.FastLaunchConfigurations {
			c.between("distributions.fastLaunchConfigurations.maxParallelLaunches", fl.MaxParallelLaunches, 1, 10000)
			if fl.SnapshotConfiguration != nil {
				c.between("distributions.fastLaunchConfigurations.snapshotConfiguration.targetResourceCount", fl.SnapshotConfiguration.TargetResourceCount, 1, 10000)
			}
			if lt := fl.LaunchTemplate; lt != nil {
				c.length("distributions.fastLaunchConfigurations.launchTemplate.launchTemplateId", lt.LaunchTemplateID, maxString)
				c.length("distributions.fastLaunchConfigurations.launchTemplate.launchTemplateName", lt.LaunchTemplateName, maxString)
				c.length("distributions.fastLaunchConfigurations.launchTemplate.launchTemplateVersion", lt.LaunchTemplateVersion, maxString)
			}
			c.length("distributions.fastLaunchConfigurations.accountId", fl.AccountID, maxString)
		}
		c.count("distributions.ssmParameterConfigurations", len(d.SsmParameterConfigurations), maxList)
		for _, p := range d.SsmParameterConfigurations {
			c.required("distributions.ssmParameterConfigurations.parameterName", p.ParameterName)
			c.length("distributions.ssmParameterConfigurations.parameterName", p.ParameterName, 1011)
			c.length("distributions.ssmParameterConfigurations.amiAccountId", p.AmiAccountID, maxString)
			c.enum("distributions.ssmParameterConfigurations.dataType", p.DataType, "text", "aws:ec2:image")
		}
	}
	return c.err
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
	if err := s.validateDistributions(ctx, &in.DistributionSettings); err != nil {
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
	if err := s.validateDistributions(ctx, &in.DistributionSettings); err != nil {
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
