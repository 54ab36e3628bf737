package service

// Wire types of the workflow operations, with the API model's member names.

// WorkflowParameterDetail is a parameter a workflow document declares.
type WorkflowParameterDetail struct {
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	DefaultValue []string `json:"defaultValue,omitempty"`
	Description  string   `json:"description,omitempty"`
}

// Workflow is the stored and returned workflow.
type Workflow struct {
	Arn               string                    `json:"arn"`
	Name              string                    `json:"name"`
	Version           string                    `json:"version"`
	Description       string                    `json:"description,omitempty"`
	ChangeDescription string                    `json:"changeDescription,omitempty"`
	Type              string                    `json:"type"`
	State             *State                    `json:"state,omitempty"`
	Owner             string                    `json:"owner"`
	Data              string                    `json:"data,omitempty"`
	KmsKeyID          string                    `json:"kmsKeyId,omitempty"`
	DateCreated       string                    `json:"dateCreated"`
	Tags              map[string]string         `json:"tags"`
	Parameters        []WorkflowParameterDetail `json:"parameters,omitempty"`
}

// WorkflowVersion is one row of ListWorkflows.
type WorkflowVersion struct {
	Arn         string `json:"arn"`
	Name        string `json:"name"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Owner       string `json:"owner"`
	DateCreated string `json:"dateCreated"`
}

// WorkflowSummary is one row of ListWorkflowBuildVersions.
type WorkflowSummary struct {
	Arn               string            `json:"arn"`
	Name              string            `json:"name"`
	Version           string            `json:"version"`
	Description       string            `json:"description,omitempty"`
	ChangeDescription string            `json:"changeDescription,omitempty"`
	Type              string            `json:"type"`
	Owner             string            `json:"owner"`
	State             *State            `json:"state,omitempty"`
	DateCreated       string            `json:"dateCreated"`
	Tags              map[string]string `json:"tags,omitempty"`
}

// CreateWorkflowInput is the CreateWorkflow request.
type CreateWorkflowInput struct {
	Name              string            `json:"name"`
	SemanticVersion   string            `json:"semanticVersion"`
	Description       string            `json:"description,omitempty"`
	ChangeDescription string            `json:"changeDescription,omitempty"`
	Type              string            `json:"type"`
	Data              *string           `json:"data,omitempty"`
	URI               *string           `json:"uri,omitempty"`
	KmsKeyID          string            `json:"kmsKeyId,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
	ClientToken       string            `json:"clientToken,omitempty"`
	DryRun            bool              `json:"dryRun,omitempty"`
}

// CreateWorkflowOutput is the CreateWorkflow response.
type CreateWorkflowOutput struct {
	ClientToken             string             `json:"clientToken"`
	WorkflowBuildVersionArn string             `json:"workflowBuildVersionArn"`
	LatestVersionReferences *VersionReferences `json:"latestVersionReferences,omitempty"`
}

// GetWorkflowOutput is the GetWorkflow response.
type GetWorkflowOutput struct {
	Workflow                *Workflow          `json:"workflow"`
	LatestVersionReferences *VersionReferences `json:"latestVersionReferences,omitempty"`
}

// ListWorkflowsInput is the ListWorkflows request.
type ListWorkflowsInput struct {
	Owner      string   `json:"owner,omitempty"`
	Filters    []Filter `json:"filters,omitempty"`
	ByName     bool     `json:"byName,omitempty"`
	MaxResults int32    `json:"maxResults,omitempty"`
	NextToken  string   `json:"nextToken,omitempty"`
}

// ListWorkflowsOutput is the ListWorkflows response.
type ListWorkflowsOutput struct {
	WorkflowVersionList []WorkflowVersion `json:"workflowVersionList"`
	NextToken           string            `json:"nextToken,omitempty"`
}

// ListWorkflowBuildVersionsInput is the ListWorkflowBuildVersions request.
type ListWorkflowBuildVersionsInput struct {
	WorkflowVersionArn string `json:"workflowVersionArn"`
	MaxResults         int32  `json:"maxResults,omitempty"`
	NextToken          string `json:"nextToken,omitempty"`
}

// ListWorkflowBuildVersionsOutput is the ListWorkflowBuildVersions response.
type ListWorkflowBuildVersionsOutput struct {
	WorkflowSummaryList []WorkflowSummary `json:"workflowSummaryList"`
	NextToken           string            `json:"nextToken,omitempty"`
}

// DeleteWorkflowOutput is the DeleteWorkflow response.
type DeleteWorkflowOutput struct {
	WorkflowBuildVersionArn string `json:"workflowBuildVersionArn"`
}
