package service

// Wire types of the recipe, configuration, pipeline and image operations,
// with the API model's member names. A request is decoded into these
// structs, so members the model does not have are dropped (as AWS ignores
// them); the same structs are stored and returned. Each resource's members
// are checked in one place, its validate method (validate.go).

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

// ComponentParameter is a parameter value a recipe gives a component.
type ComponentParameter struct {
	Name  string   `json:"name"`
	Value []string `json:"value"`
}

// ComponentConfiguration is a component of a recipe.
type ComponentConfiguration struct {
	ComponentArn string               `json:"componentArn"`
	Parameters   []ComponentParameter `json:"parameters,omitempty"`
}

// EbsSpec is a block device's EBS settings.
type EbsSpec struct {
	Encrypted           *bool  `json:"encrypted,omitempty"`
	DeleteOnTermination *bool  `json:"deleteOnTermination,omitempty"`
	Iops                int32  `json:"iops,omitempty"`
	KmsKeyID            string `json:"kmsKeyId,omitempty"`
	SnapshotID          string `json:"snapshotId,omitempty"`
	VolumeSize          int32  `json:"volumeSize,omitempty"`
	VolumeType          string `json:"volumeType,omitempty"`
	Throughput          int32  `json:"throughput,omitempty"`
}

// BlockDeviceMapping is a recipe's block device mapping.
type BlockDeviceMapping struct {
	DeviceName  string   `json:"deviceName,omitempty"`
	Ebs         *EbsSpec `json:"ebs,omitempty"`
	VirtualName string   `json:"virtualName,omitempty"`
	NoDevice    string   `json:"noDevice,omitempty"`
}

// SystemsManagerAgent is additionalInstanceConfiguration.systemsManagerAgent.
type SystemsManagerAgent struct {
	UninstallAfterBuild bool `json:"uninstallAfterBuild,omitempty"`
}

// AdditionalInstanceConfiguration is an image recipe's extra instance settings.
type AdditionalInstanceConfiguration struct {
	SystemsManagerAgent *SystemsManagerAgent `json:"systemsManagerAgent,omitempty"`
	UserDataOverride    string               `json:"userDataOverride,omitempty"`
}

// ImageRecipeSettings are the members of an image recipe a client sets.
type ImageRecipeSettings struct {
	Description                     string                           `json:"description,omitempty"`
	Components                      []ComponentConfiguration         `json:"components,omitempty"`
	ParentImage                     string                           `json:"parentImage"`
	BlockDeviceMappings             []BlockDeviceMapping             `json:"blockDeviceMappings,omitempty"`
	WorkingDirectory                string                           `json:"workingDirectory,omitempty"`
	AdditionalInstanceConfiguration *AdditionalInstanceConfiguration `json:"additionalInstanceConfiguration,omitempty"`
	AmiTags                         map[string]string                `json:"amiTags,omitempty"`
}

// ImageRecipe is the stored and returned image recipe.
type ImageRecipe struct {
	Arn      string `json:"arn"`
	Type     string `json:"type,omitempty"`
	Name     string `json:"name"`
	Platform string `json:"platform,omitempty"`
	Owner    string `json:"owner,omitempty"`
	Version  string `json:"version,omitempty"`
	ImageRecipeSettings
	DateCreated string            `json:"dateCreated,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// CreateImageRecipeInput is the CreateImageRecipe request.
type CreateImageRecipeInput struct {
	Name            string            `json:"name"`
	SemanticVersion string            `json:"semanticVersion"`
	ClientToken     string            `json:"clientToken"`
	Tags            map[string]string `json:"tags,omitempty"`
	ImageRecipeSettings
}

// ImageRecipeSummary is one row of ListImageRecipes.
type ImageRecipeSummary struct {
	Arn         string            `json:"arn"`
	Name        string            `json:"name"`
	Platform    string            `json:"platform,omitempty"`
	Owner       string            `json:"owner,omitempty"`
	ParentImage string            `json:"parentImage,omitempty"`
	DateCreated string            `json:"dateCreated,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// InstanceConfiguration is a container recipe's build instance.
type InstanceConfiguration struct {
	Image               string               `json:"image,omitempty"`
	BlockDeviceMappings []BlockDeviceMapping `json:"blockDeviceMappings,omitempty"`
}

// ContainerRecipeSettings are the members of a container recipe a client
// sets that it also returns.
type ContainerRecipeSettings struct {
	ContainerType          string                   `json:"containerType"`
	Description            string                   `json:"description,omitempty"`
	Components             []ComponentConfiguration `json:"components,omitempty"`
	InstanceConfiguration  *InstanceConfiguration   `json:"instanceConfiguration,omitempty"`
	DockerfileTemplateData *string                  `json:"dockerfileTemplateData,omitempty"`
	KmsKeyID               string                   `json:"kmsKeyId,omitempty"`
	ParentImage            string                   `json:"parentImage"`
	WorkingDirectory       string                   `json:"workingDirectory,omitempty"`
	TargetRepository       *TargetRepository        `json:"targetRepository"`
}

// ContainerRecipe is the stored and returned container recipe.
type ContainerRecipe struct {
	Arn      string `json:"arn"`
	Name     string `json:"name"`
	Platform string `json:"platform,omitempty"`
	Owner    string `json:"owner,omitempty"`
	Version  string `json:"version,omitempty"`
	ContainerRecipeSettings
	Encrypted   bool              `json:"encrypted"`
	DateCreated string            `json:"dateCreated,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// CreateContainerRecipeInput is the CreateContainerRecipe request.
type CreateContainerRecipeInput struct {
	Name                   string            `json:"name"`
	SemanticVersion        string            `json:"semanticVersion"`
	ClientToken            string            `json:"clientToken"`
	Tags                   map[string]string `json:"tags,omitempty"`
	DockerfileTemplateURI  *string           `json:"dockerfileTemplateUri,omitempty"`
	PlatformOverride       string            `json:"platformOverride,omitempty"`
	ImageOsVersionOverride string            `json:"imageOsVersionOverride,omitempty"`
	ContainerRecipeSettings
}

// ContainerRecipeSummary is one row of ListContainerRecipes.
type ContainerRecipeSummary struct {
	Arn           string            `json:"arn"`
	ContainerType string            `json:"containerType,omitempty"`
	Name          string            `json:"name"`
	Platform      string            `json:"platform,omitempty"`
	Owner         string            `json:"owner,omitempty"`
	ParentImage   string            `json:"parentImage,omitempty"`
	DateCreated   string            `json:"dateCreated,omitempty"`
	InstanceImage string            `json:"instanceImage,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
}

// ImageTestsConfiguration is a pipeline's or image's test settings.
type ImageTestsConfiguration struct {
	ImageTestsEnabled *bool `json:"imageTestsEnabled,omitempty"`
	TimeoutMinutes    int32 `json:"timeoutMinutes,omitempty"`
}

// AutoDisablePolicy disables a pipeline after failed scheduled builds.
type AutoDisablePolicy struct {
	FailureCount int32 `json:"failureCount"`
}

// Schedule is a pipeline's schedule.
type Schedule struct {
	ScheduleExpression              string             `json:"scheduleExpression,omitempty"`
	Timezone                        string             `json:"timezone,omitempty"`
	PipelineExecutionStartCondition string             `json:"pipelineExecutionStartCondition,omitempty"`
	AutoDisablePolicy               *AutoDisablePolicy `json:"autoDisablePolicy,omitempty"`
}

// EcrConfiguration is imageScanningConfiguration.ecrConfiguration.
type EcrConfiguration struct {
	RepositoryName string   `json:"repositoryName,omitempty"`
	ContainerTags  []string `json:"containerTags,omitempty"`
}

// ImageScanningConfiguration is a pipeline's or image's scanning settings.
type ImageScanningConfiguration struct {
	ImageScanningEnabled *bool             `json:"imageScanningEnabled,omitempty"`
	EcrConfiguration     *EcrConfiguration `json:"ecrConfiguration,omitempty"`
}

// WorkflowParameter is a parameter value a pipeline gives a workflow.
type WorkflowParameter struct {
	Name  string   `json:"name"`
	Value []string `json:"value"`
}

// WorkflowConfiguration is a workflow a pipeline or image runs.
type WorkflowConfiguration struct {
	WorkflowArn   string              `json:"workflowArn"`
	Parameters    []WorkflowParameter `json:"parameters,omitempty"`
	ParallelGroup string              `json:"parallelGroup,omitempty"`
	OnFailure     string              `json:"onFailure,omitempty"`
}

// PipelineLoggingConfiguration is a pipeline's log groups.
type PipelineLoggingConfiguration struct {
	ImageLogGroupName    string `json:"imageLogGroupName,omitempty"`
	PipelineLogGroupName string `json:"pipelineLogGroupName,omitempty"`
}

// PipelineSettings are the members of an image pipeline a client sets.
type PipelineSettings struct {
	Description                    string                        `json:"description,omitempty"`
	ImageRecipeArn                 string                        `json:"imageRecipeArn,omitempty"`
	ContainerRecipeArn             string                        `json:"containerRecipeArn,omitempty"`
	InfrastructureConfigurationArn string                        `json:"infrastructureConfigurationArn"`
	DistributionConfigurationArn   string                        `json:"distributionConfigurationArn,omitempty"`
	ImageTestsConfiguration        *ImageTestsConfiguration      `json:"imageTestsConfiguration,omitempty"`
	EnhancedImageMetadataEnabled   *bool                         `json:"enhancedImageMetadataEnabled,omitempty"`
	Schedule                       *Schedule                     `json:"schedule,omitempty"`
	Status                         string                        `json:"status,omitempty"`
	ImageScanningConfiguration     *ImageScanningConfiguration   `json:"imageScanningConfiguration,omitempty"`
	ExecutionRole                  string                        `json:"executionRole,omitempty"`
	Workflows                      []WorkflowConfiguration       `json:"workflows,omitempty"`
	LoggingConfiguration           *PipelineLoggingConfiguration `json:"loggingConfiguration,omitempty"`
	ImageTags                      map[string]string             `json:"imageTags,omitempty"`
}

// ImagePipeline is the stored and returned image pipeline.
type ImagePipeline struct {
	Arn      string `json:"arn"`
	Name     string `json:"name"`
	Platform string `json:"platform,omitempty"`
	PipelineSettings
	DateCreated string            `json:"dateCreated,omitempty"`
	DateUpdated string            `json:"dateUpdated,omitempty"`
	DateLastRun string            `json:"dateLastRun,omitempty"`
	DateNextRun string            `json:"dateNextRun,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// CreateImagePipelineInput is the CreateImagePipeline request.
type CreateImagePipelineInput struct {
	Name        string            `json:"name"`
	ClientToken string            `json:"clientToken"`
	Tags        map[string]string `json:"tags,omitempty"`
	PipelineSettings
}

// UpdateImagePipelineInput is the UpdateImagePipeline request.
type UpdateImagePipelineInput struct {
	ImagePipelineArn string `json:"imagePipelineArn"`
	ClientToken      string `json:"clientToken"`
	PipelineSettings
}

// ImageState is an image's state.
type ImageState struct {
	Status ImageStatus `json:"status,omitempty"`
	Reason string      `json:"reason,omitempty"`
}

// Artifact is a file of a built image in the artifact store (Goldsmith's
// outputResources.goldsmithArtifacts).
type Artifact struct {
	Format string `json:"format"`
	URI    string `json:"uri"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Ami is an AMI an image distributed (none in Goldsmith).
type Ami struct {
	Region      string      `json:"region,omitempty"`
	Image       string      `json:"image,omitempty"`
	Name        string      `json:"name,omitempty"`
	Description string      `json:"description,omitempty"`
	State       *ImageState `json:"state,omitempty"`
	AccountID   string      `json:"accountId,omitempty"`
}

// OutputResources are what a build produced.
type OutputResources struct {
	Amis               []Ami      `json:"amis"`
	GoldsmithArtifacts []Artifact `json:"goldsmithArtifacts,omitempty"`
}

// StepTiming is one build step's duration (goldsmithTimings.steps).
type StepTiming struct {
	Step    string  `json:"step"`
	Status  string  `json:"status"`
	Seconds float64 `json:"seconds"`
}

// BuildTimings are a finished build's durations (Goldsmith's goldsmithTimings).
type BuildTimings struct {
	TotalSeconds float64      `json:"totalSeconds"`
	Steps        []StepTiming `json:"steps"`
}

// Image is the returned image build version. Goldsmith's own members
// (goldsmithTimings, goldsmithManifest) are shown to the owning account only.
type Image struct {
	Arn                          string                       `json:"arn"`
	Type                         string                       `json:"type,omitempty"`
	Name                         string                       `json:"name"`
	Version                      string                       `json:"version"`
	Platform                     string                       `json:"platform,omitempty"`
	EnhancedImageMetadataEnabled *bool                        `json:"enhancedImageMetadataEnabled,omitempty"`
	OsVersion                    string                       `json:"osVersion,omitempty"`
	State                        *ImageState                  `json:"state,omitempty"`
	ImageRecipe                  *ImageRecipe                 `json:"imageRecipe,omitempty"`
	SourcePipelineArn            string                       `json:"sourcePipelineArn,omitempty"`
	InfrastructureConfiguration  *InfrastructureConfiguration `json:"infrastructureConfiguration,omitempty"`
	DistributionConfiguration    *DistributionConfiguration   `json:"distributionConfiguration,omitempty"`
	ImageTestsConfiguration      *ImageTestsConfiguration     `json:"imageTestsConfiguration,omitempty"`
	DateCreated                  string                       `json:"dateCreated,omitempty"`
	OutputResources              *OutputResources             `json:"outputResources,omitempty"`
	Owner                        string                       `json:"owner,omitempty"`
	BuildType                    string                       `json:"buildType,omitempty"`
	ImageSource                  string                       `json:"imageSource,omitempty"`
	Tags                         map[string]string            `json:"tags,omitempty"`
	Timings                      *BuildTimings                `json:"goldsmithTimings,omitempty"`
	Manifest                     string                       `json:"goldsmithManifest,omitempty"`
}

// ImageSummary is one row of ListImageBuildVersions and
// ListImagePipelineImages.
type ImageSummary struct {
	Arn             string            `json:"arn"`
	Name            string            `json:"name"`
	Type            string            `json:"type,omitempty"`
	Version         string            `json:"version"`
	Platform        string            `json:"platform,omitempty"`
	OsVersion       string            `json:"osVersion,omitempty"`
	State           *ImageState       `json:"state,omitempty"`
	Owner           string            `json:"owner,omitempty"`
	DateCreated     string            `json:"dateCreated,omitempty"`
	OutputResources *OutputResources  `json:"outputResources,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	BuildType       string            `json:"buildType,omitempty"`
	ImageSource     string            `json:"imageSource,omitempty"`
}

// ImageVersion is one row of ListImages.
type ImageVersion struct {
	Arn         string `json:"arn"`
	Name        string `json:"name"`
	Type        string `json:"type,omitempty"`
	Version     string `json:"version"`
	Platform    string `json:"platform,omitempty"`
	OsVersion   string `json:"osVersion,omitempty"`
	Owner       string `json:"owner,omitempty"`
	DateCreated string `json:"dateCreated,omitempty"`
	BuildType   string `json:"buildType,omitempty"`
	ImageSource string `json:"imageSource,omitempty"`
}

// CreateImageInput is the CreateImage request.
type CreateImageInput struct {
	ClientToken                    string                      `json:"clientToken"`
	ImageRecipeArn                 string                      `json:"imageRecipeArn,omitempty"`
	ContainerRecipeArn             string                      `json:"containerRecipeArn,omitempty"`
	InfrastructureConfigurationArn string                      `json:"infrastructureConfigurationArn"`
	DistributionConfigurationArn   string                      `json:"distributionConfigurationArn,omitempty"`
	ImageTestsConfiguration        *ImageTestsConfiguration    `json:"imageTestsConfiguration,omitempty"`
	EnhancedImageMetadataEnabled   *bool                       `json:"enhancedImageMetadataEnabled,omitempty"`
	ImageScanningConfiguration     *ImageScanningConfiguration `json:"imageScanningConfiguration,omitempty"`
	ExecutionRole                  string                      `json:"executionRole,omitempty"`
	Workflows                      []WorkflowConfiguration     `json:"workflows,omitempty"`
	Tags                           map[string]string           `json:"tags,omitempty"`
}
