package service

// Images: their wire types and validation (the operations are in images.go,
// builds.go and image_state.go).

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
	ClientToken string            `json:"clientToken"`
	Tags        map[string]string `json:"tags,omitempty"`
	ImageBuildSettings
}

// validate checks a CreateImage request's members.
func (in *CreateImageInput) validate() error {
	var c checker
	c.required("imageRecipeArn", in.ImageRecipeArn)
	in.ImageBuildSettings.check(&c)
	c.tags("tags", in.Tags, MaxTags)
	return c.err
}
