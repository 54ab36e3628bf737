package service

// Wire types of the component operations, with the API model's member names.

// State is a resource state (ComponentState, WorkflowState).
type State struct {
	Status string `json:"status,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// VersionReferences is latestVersionReferences.
type VersionReferences struct {
	LatestVersionArn      string `json:"latestVersionArn,omitempty"`
	LatestMajorVersionArn string `json:"latestMajorVersionArn,omitempty"`
	LatestMinorVersionArn string `json:"latestMinorVersionArn,omitempty"`
	LatestPatchVersionArn string `json:"latestPatchVersionArn,omitempty"`
}

// ComponentParameterDetail is a parameter a component document declares.
type ComponentParameterDetail struct {
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	DefaultValue []string `json:"defaultValue,omitempty"`
	Description  string   `json:"description,omitempty"`
}

// Component is the stored and returned component.
type Component struct {
	Arn                 string                     `json:"arn"`
	Name                string                     `json:"name"`
	Version             string                     `json:"version"`
	Description         string                     `json:"description,omitempty"`
	ChangeDescription   string                     `json:"changeDescription,omitempty"`
	Type                string                     `json:"type"`
	Platform            string                     `json:"platform"`
	SupportedOsVersions []string                   `json:"supportedOsVersions,omitempty"`
	State               *State                     `json:"state,omitempty"`
	Parameters          []ComponentParameterDetail `json:"parameters,omitempty"`
	Owner               string                     `json:"owner"`
	Data                string                     `json:"data,omitempty"`
	KmsKeyID            string                     `json:"kmsKeyId,omitempty"`
	Encrypted           bool                       `json:"encrypted"`
	DateCreated         string                     `json:"dateCreated"`
	Tags                map[string]string          `json:"tags"`
	Publisher           string                     `json:"publisher,omitempty"`
	Obfuscate           bool                       `json:"obfuscate,omitempty"`
}

// ComponentVersion is one row of ListComponents.
type ComponentVersion struct {
	Arn                 string   `json:"arn"`
	Name                string   `json:"name"`
	Version             string   `json:"version"`
	Description         string   `json:"description,omitempty"`
	Platform            string   `json:"platform"`
	SupportedOsVersions []string `json:"supportedOsVersions,omitempty"`
	Type                string   `json:"type"`
	Owner               string   `json:"owner"`
	DateCreated         string   `json:"dateCreated"`
	Status              string   `json:"status,omitempty"`
}

// ComponentSummary is one row of ListComponentBuildVersions.
type ComponentSummary struct {
	Arn                 string            `json:"arn"`
	Name                string            `json:"name"`
	Version             string            `json:"version"`
	Platform            string            `json:"platform"`
	SupportedOsVersions []string          `json:"supportedOsVersions,omitempty"`
	State               *State            `json:"state,omitempty"`
	Type                string            `json:"type"`
	Owner               string            `json:"owner"`
	Description         string            `json:"description,omitempty"`
	ChangeDescription   string            `json:"changeDescription,omitempty"`
	DateCreated         string            `json:"dateCreated"`
	Tags                map[string]string `json:"tags,omitempty"`
	Publisher           string            `json:"publisher,omitempty"`
	Obfuscate           bool              `json:"obfuscate,omitempty"`
}

// CreateComponentInput is the CreateComponent request.
type CreateComponentInput struct {
	Name                string            `json:"name"`
	SemanticVersion     string            `json:"semanticVersion"`
	Description         string            `json:"description,omitempty"`
	ChangeDescription   string            `json:"changeDescription,omitempty"`
	Platform            string            `json:"platform"`
	SupportedOsVersions []string          `json:"supportedOsVersions,omitempty"`
	Data                *string           `json:"data,omitempty"`
	URI                 *string           `json:"uri,omitempty"`
	KmsKeyID            string            `json:"kmsKeyId,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
	ClientToken         string            `json:"clientToken,omitempty"`
	DryRun              bool              `json:"dryRun,omitempty"`
}

// CreateComponentOutput is the CreateComponent (and ImportComponent) response.
type CreateComponentOutput struct {
	ClientToken              string             `json:"clientToken"`
	ComponentBuildVersionArn string             `json:"componentBuildVersionArn"`
	LatestVersionReferences  *VersionReferences `json:"latestVersionReferences,omitempty"`
}

// ImportComponentInput is the ImportComponent request.
type ImportComponentInput struct {
	Name              string            `json:"name"`
	SemanticVersion   string            `json:"semanticVersion"`
	Description       string            `json:"description,omitempty"`
	ChangeDescription string            `json:"changeDescription,omitempty"`
	Type              string            `json:"type"`
	Format            string            `json:"format"`
	Platform          string            `json:"platform"`
	Data              *string           `json:"data,omitempty"`
	URI               *string           `json:"uri,omitempty"`
	KmsKeyID          string            `json:"kmsKeyId,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
	ClientToken       string            `json:"clientToken,omitempty"`
}

// GetComponentOutput is the GetComponent response.
type GetComponentOutput struct {
	Component               *Component         `json:"component"`
	LatestVersionReferences *VersionReferences `json:"latestVersionReferences,omitempty"`
}

// Filter is a List filter.
type Filter struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// ListComponentsInput is the ListComponents request.
type ListComponentsInput struct {
	Owner      string   `json:"owner,omitempty"`
	Filters    []Filter `json:"filters,omitempty"`
	ByName     bool     `json:"byName,omitempty"`
	MaxResults int32    `json:"maxResults,omitempty"`
	NextToken  string   `json:"nextToken,omitempty"`
}

// ListComponentsOutput is the ListComponents response.
type ListComponentsOutput struct {
	ComponentVersionList []ComponentVersion `json:"componentVersionList"`
	NextToken            string             `json:"nextToken,omitempty"`
}

// ListComponentBuildVersionsInput is the ListComponentBuildVersions request.
type ListComponentBuildVersionsInput struct {
	ComponentVersionArn string `json:"componentVersionArn"`
	MaxResults          int32  `json:"maxResults,omitempty"`
	NextToken           string `json:"nextToken,omitempty"`
}

// ListComponentBuildVersionsOutput is the ListComponentBuildVersions response.
type ListComponentBuildVersionsOutput struct {
	ComponentSummaryList []ComponentSummary `json:"componentSummaryList"`
	NextToken            string             `json:"nextToken,omitempty"`
}

// DeleteComponentOutput is the DeleteComponent response.
type DeleteComponentOutput struct {
	ComponentBuildVersionArn string `json:"componentBuildVersionArn"`
}

// GetPolicyOutput is a Get*Policy response.
type GetPolicyOutput struct {
	Policy string `json:"policy"`
}

// PutComponentPolicyInput is the PutComponentPolicy request.
type PutComponentPolicyInput struct {
	ComponentArn string `json:"componentArn"`
	Policy       string `json:"policy"`
}

// PutComponentPolicyOutput is the PutComponentPolicy response.
type PutComponentPolicyOutput struct {
	ComponentArn string `json:"componentArn"`
}
