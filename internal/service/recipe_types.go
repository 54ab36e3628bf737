package service

// Image recipes: their wire types and validation (the operations are in recipes.go).

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

// validate checks an image recipe's members.
func (in *ImageRecipeSettings) validate() error {
	var c checker
	c.required("parentImage", in.ParentImage)
	c.length("parentImage", in.ParentImage, maxString)
	c.length("description", in.Description, maxString)
	c.components(in.Components)
	c.blockDevices("blockDeviceMappings", in.BlockDeviceMappings)
	c.length("workingDirectory", in.WorkingDirectory, maxString)
	c.tags("amiTags", in.AmiTags, MaxTags)
	if a := in.AdditionalInstanceConfiguration; a != nil {
		c.length("additionalInstanceConfiguration.userDataOverride", a.UserDataOverride, 21847)
	}
	return c.err
}

// components checks a recipe's component list.
func (c *checker) components(comps []ComponentConfiguration) {
	if len(comps) > MaxComponentsPerRecipe {
		c.fail("components", "A recipe can have at most %d components, not %d.", MaxComponentsPerRecipe, len(comps))
	}
	for _, cc := range comps {
		c.required("components.componentArn", cc.ComponentArn)
		c.count("components.parameters", len(cc.Parameters), maxList)
		for _, p := range cc.Parameters {
			c.parameter("components.parameters", p.Name, p.Value, 256)
		}
	}
}

// parameter checks a parameter value given to a component or workflow.
func (c *checker) parameter(param, name string, values []string, maxName int) {
	c.required(param+".name", name)
	c.length(param+".name", name, maxName)
	c.count(param+".value", len(values), maxList)
	for _, v := range values {
		c.length(param+".value", v, maxString)
	}
}

// blockDevices checks block device mappings.
func (c *checker) blockDevices(param string, bdms []BlockDeviceMapping) {
	c.count(param, len(bdms), maxList)
	for _, b := range bdms {
		c.length(param+".deviceName", b.DeviceName, maxString)
		c.length(param+".virtualName", b.VirtualName, maxString)
		c.length(param+".noDevice", b.NoDevice, maxString)
		if e := b.Ebs; e != nil {
			c.between(param+".ebs.volumeSize", e.VolumeSize, 1, 16000)
			c.between(param+".ebs.iops", e.Iops, 100, 64000)
			c.between(param+".ebs.throughput", e.Throughput, 125, 1000)
			c.enum(param+".ebs.volumeType", e.VolumeType, "standard", "io1", "io2", "gp2", "gp3", "sc1", "st1")
			c.length(param+".ebs.kmsKeyId", e.KmsKeyID, maxString)
			c.length(param+".ebs.snapshotId", e.SnapshotID, maxString)
		}
	}
}
