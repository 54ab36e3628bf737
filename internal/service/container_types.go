package service

// Container recipes: their wire types and validation (the operations are in containers.go).

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

// validate checks a container recipe's members (the Dockerfile template
// is checked by checkDockerfile).
func (in *ContainerRecipeSettings) validate() error {
	var c checker
	c.required("containerType", in.ContainerType)
	c.required("parentImage", in.ParentImage)
	if in.ContainerType != "" && in.ContainerType != "DOCKER" {
		c.fail("containerType", "It must be DOCKER.")
	}
	c.repository("targetRepository", in.TargetRepository)
	c.length("description", in.Description, maxString)
	c.components(in.Components)
	if ic := in.InstanceConfiguration; ic != nil {
		c.length("instanceConfiguration.image", ic.Image, maxString)
		c.blockDevices("instanceConfiguration.blockDeviceMappings", ic.BlockDeviceMappings)
	}
	c.length("kmsKeyId", in.KmsKeyID, maxString)
	c.length("workingDirectory", in.WorkingDirectory, maxString)
	return c.err
}

// GetContainerRecipeOutput is the GetContainerRecipe response.
type GetContainerRecipeOutput struct {
	ContainerRecipe         *ContainerRecipe   `json:"containerRecipe"`
	LatestVersionReferences *VersionReferences `json:"latestVersionReferences,omitempty"`
}

// ListContainerRecipesOutput is the ListContainerRecipes response.
type ListContainerRecipesOutput struct {
	ContainerRecipeSummaryList []ContainerRecipeSummary `json:"containerRecipeSummaryList"`
	NextToken                  string                   `json:"nextToken,omitempty"`
}

// DeleteContainerRecipeOutput is the DeleteContainerRecipe response.
type DeleteContainerRecipeOutput struct {
	ContainerRecipeArn string `json:"containerRecipeArn"`
}

// PutContainerRecipePolicyInput is the PutContainerRecipePolicy request.
type PutContainerRecipePolicyInput struct {
	ContainerRecipeArn string `json:"containerRecipeArn"`
	Policy             string `json:"policy"`
}

// PutContainerRecipePolicyOutput is the PutContainerRecipePolicy response.
type PutContainerRecipePolicyOutput struct {
	ContainerRecipeArn string `json:"containerRecipeArn"`
}
