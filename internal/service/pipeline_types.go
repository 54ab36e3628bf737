package service

// Image pipelines: their wire types and validation (the operations are in pipelines.go).

import (
	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

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
	Description string `json:"description,omitempty"`
	ImageBuildSettings
	Schedule             *Schedule                     `json:"schedule,omitempty"`
	Status               string                        `json:"status,omitempty"`
	LoggingConfiguration *PipelineLoggingConfiguration `json:"loggingConfiguration,omitempty"`
	ImageTags            map[string]string             `json:"imageTags,omitempty"`
}

// ImageBuildSettings say how an image is built: the members CreateImage
// and image pipelines share.
type ImageBuildSettings struct {
	ImageRecipeArn                 string                      `json:"imageRecipeArn,omitempty"`
	ContainerRecipeArn             string                      `json:"containerRecipeArn,omitempty"`
	InfrastructureConfigurationArn string                      `json:"infrastructureConfigurationArn"`
	DistributionConfigurationArn   string                      `json:"distributionConfigurationArn,omitempty"`
	ImageTestsConfiguration        *ImageTestsConfiguration    `json:"imageTestsConfiguration,omitempty"`
	EnhancedImageMetadataEnabled   *bool                       `json:"enhancedImageMetadataEnabled,omitempty"`
	ImageScanningConfiguration     *ImageScanningConfiguration `json:"imageScanningConfiguration,omitempty"`
	ExecutionRole                  string                      `json:"executionRole,omitempty"`
	Workflows                      []WorkflowConfiguration     `json:"workflows,omitempty"`
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

// check checks the build settings of a pipeline or image.
func (in *ImageBuildSettings) check(c *checker) {
	c.required("infrastructureConfigurationArn", in.InfrastructureConfigurationArn)
	tests, scan, workflows, role := in.ImageTestsConfiguration, in.ImageScanningConfiguration, in.Workflows, in.ExecutionRole
	if tests != nil {
		c.between("imageTestsConfiguration.timeoutMinutes", tests.TimeoutMinutes, 60, 1440)
	}
	if scan != nil && scan.EcrConfiguration != nil {
		c.length("imageScanningConfiguration.ecrConfiguration.repositoryName", scan.EcrConfiguration.RepositoryName, maxString)
		c.strs("imageScanningConfiguration.ecrConfiguration.containerTags", scan.EcrConfiguration.ContainerTags, maxList)
	}
	c.length("executionRole", role, 2048)
	c.count("workflows", len(workflows), maxList)
	for _, wf := range workflows {
		c.required("workflows.workflowArn", wf.WorkflowArn)
		c.enum("workflows.onFailure", wf.OnFailure, "CONTINUE", "ABORT")
		c.length("workflows.parallelGroup", wf.ParallelGroup, 100)
		c.count("workflows.parameters", len(wf.Parameters), maxList)
		for _, p := range wf.Parameters {
			c.parameter("workflows.parameters", p.Name, p.Value, 128)
		}
	}
}

// validate checks an image pipeline's members (the schedule's expression
// and time zone are parsed by ScheduleOf).
func (in *PipelineSettings) validate() error {
	var c checker
	in.ImageBuildSettings.check(&c)
	c.length("description", in.Description, maxString)
	c.enum("status", in.Status, "ENABLED", "DISABLED")
	if sch := in.Schedule; sch != nil {
		c.length("schedule.scheduleExpression", sch.ScheduleExpression, maxString)
		c.length("schedule.timezone", sch.Timezone, 100)
	}
	if l := in.LoggingConfiguration; l != nil {
		c.length("loggingConfiguration.imageLogGroupName", l.ImageLogGroupName, 512)
		c.length("loggingConfiguration.pipelineLogGroupName", l.PipelineLogGroupName, 512)
	}
	c.tags("imageTags", in.ImageTags, MaxTags)
	if c.err == nil && (in.ImageRecipeArn == "") == (in.ContainerRecipeArn == "") {
		c.err = apierr.InvalidParameterCombination("You must specify exactly one of 'imageRecipeArn' and 'containerRecipeArn'.")
	}
	return c.err
}
