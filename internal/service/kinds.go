package service

import (
	"context"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var infraKind = kind{
	typ: arn.InfrastructureConfiguration, resName: "InfrastructureConfiguration", shape: arn.InfrastructureConfigurationArn,
	param: "infrastructureConfigurationArn", required: []string{"instanceProfileName"}, filters: []string{"name"},
	summary: []string{"arn", "name", "description", "dateCreated", "dateUpdated", "resourceTags", "tags", "instanceTypes", "instanceProfileName", "placement"},
	limit:   func(l Limits) int { return l.Configurations },
}

var distKind = kind{
	typ: arn.DistributionConfiguration, resName: "DistributionConfiguration", shape: arn.DistributionConfigurationArn,
	param: "distributionConfigurationArn", required: []string{"distributions"}, filters: []string{"name"},
	summary: []string{"arn", "name", "description", "dateCreated", "dateUpdated", "tags", "regions"},
	limit:   func(l Limits) int { return l.Configurations },
}

var pipelineKind = kind{
	typ: arn.ImagePipeline, resName: "ImagePipeline", shape: arn.ImagePipelineArn, param: "imagePipelineArn",
	required: []string{"infrastructureConfigurationArn"},
	filters:  []string{"description", "distributionConfigurationArn", "imageRecipeArn", "infrastructureConfigurationArn", "name", "status"},
	limit:    func(l Limits) int { return l.Pipelines },
	refs:     pipelineRefs,
}

// pipelineRefs checks the recipe, configurations and workflows a pipeline uses.
func pipelineRefs(ctx context.Context, s *Service, ex store.Executor, account string, obj Object) ([]arn.ARN, error) {
	if (str(obj, "imageRecipeArn") == "") == (str(obj, "containerRecipeArn") == "") {
		return nil, apierr.InvalidParameterCombination("You must specify exactly one of 'imageRecipeArn' and 'containerRecipeArn'.")
	}
	var refs []arn.ARN
	ref := func(shape arn.Shape, param, v string) error {
		if v == "" {
			return nil
		}
		a, err := s.parseARN(shape, param, v)
		if err != nil {
			return err
		}
		rec, err := s.resolve(ctx, ex, account, a)
		if err != nil {
			return err
		}
		refs = append(refs, rec.ARN)
		return nil
	}
	for _, m := range []struct {
		param string
		shape arn.Shape
	}{
		{"imageRecipeArn", arn.ImageRecipeArn},
		{"containerRecipeArn", arn.ContainerRecipeArn},
		{"infrastructureConfigurationArn", arn.InfrastructureConfigurationArn},
		{"distributionConfigurationArn", arn.DistributionConfigurationArn},
	} {
		if err := ref(m.shape, m.param, str(obj, m.param)); err != nil {
			return nil, err
		}
	}
	for _, wf := range asSlice(obj["workflows"]) {
		wm, _ := wf.(map[string]any)
		v := str(wm, "workflowArn")
		if v == "" {
			return nil, missing("workflows.workflowArn")
		}
		if err := ref(arn.WorkflowVersionArnOrBuildVersionArn, "workflowArn", v); err != nil {
			return nil, err
		}
	}
	if _, ok := obj["status"]; !ok {
		obj["status"] = "ENABLED"
	}
	if _, ok := obj["enhancedImageMetadataEnabled"]; !ok {
		obj["enhancedImageMetadataEnabled"] = true
	}
	if _, ok := obj["imageTestsConfiguration"]; !ok {
		obj["imageTestsConfiguration"] = Object{"imageTestsEnabled": true, "timeoutMinutes": 720}
	}
	obj["platform"] = "Linux"
	if err := s.checkSchedule(obj); err != nil {
		return nil, err
	}
	return refs, nil
}

// CreateInfrastructureConfiguration creates an infrastructure configuration.
func (s *Service) CreateInfrastructureConfiguration(ctx context.Context, account string, in Object) (Object, error) {
	if _, ok := in["terminateInstanceOnFailure"]; !ok {
		in["terminateInstanceOnFailure"] = true
	}
	return s.createObject(ctx, account, infraKind, in)
}

// UpdateInfrastructureConfiguration replaces an infrastructure configuration.
func (s *Service) UpdateInfrastructureConfiguration(ctx context.Context, account string, in Object) (Object, error) {
	return s.updateObject(ctx, account, infraKind, in)
}

// GetInfrastructureConfiguration returns an infrastructure configuration.
func (s *Service) GetInfrastructureConfiguration(ctx context.Context, account, a string) (Object, error) {
	obj, err := s.getObject(ctx, account, infraKind, a)
	return Object{"infrastructureConfiguration": obj}, err
}

// ListInfrastructureConfigurations lists infrastructure configurations.
func (s *Service) ListInfrastructureConfigurations(ctx context.Context, account string, in Object) (Object, error) {
	return s.listObjects(ctx, account, infraKind, in, "infrastructureConfigurationSummaryList")
}

// DeleteInfrastructureConfiguration deletes an unused infrastructure configuration.
func (s *Service) DeleteInfrastructureConfiguration(ctx context.Context, account, a string) (Object, error) {
	return s.deleteObject(ctx, account, infraKind, a)
}

// distDefaults fills the computed members of a distribution configuration.
func distDefaults(in Object) error {
	dists, ok := in["distributions"].([]any)
	if !ok || len(dists) == 0 {
		return apierr.InvalidParameterValue("The value supplied for parameter 'distributions' is not valid. At least one distribution is required.")
	}
	var regions []any
	for _, d := range dists {
		dm, _ := d.(map[string]any)
		if str(dm, "region") == "" {
			return missing("distributions.region")
		}
		regions = append(regions, dm["region"])
	}
	in["regions"] = regions
	if _, ok := in["timeoutMinutes"]; !ok {
		in["timeoutMinutes"] = 720
	}
	return nil
}

// CreateDistributionConfiguration creates a distribution configuration.
func (s *Service) CreateDistributionConfiguration(ctx context.Context, account string, in Object) (Object, error) {
	if err := distDefaults(in); err != nil {
		return nil, err
	}
	return s.createObject(ctx, account, distKind, in)
}

// UpdateDistributionConfiguration replaces a distribution configuration.
func (s *Service) UpdateDistributionConfiguration(ctx context.Context, account string, in Object) (Object, error) {
	if err := distDefaults(in); err != nil {
		return nil, err
	}
	return s.updateObject(ctx, account, distKind, in)
}

// GetDistributionConfiguration returns a distribution configuration.
func (s *Service) GetDistributionConfiguration(ctx context.Context, account, a string) (Object, error) {
	obj, err := s.getObject(ctx, account, distKind, a)
	return Object{"distributionConfiguration": obj}, err
}

// ListDistributionConfigurations lists distribution configurations.
func (s *Service) ListDistributionConfigurations(ctx context.Context, account string, in Object) (Object, error) {
	return s.listObjects(ctx, account, distKind, in, "distributionConfigurationSummaryList")
}

// DeleteDistributionConfiguration deletes an unused distribution configuration.
func (s *Service) DeleteDistributionConfiguration(ctx context.Context, account, a string) (Object, error) {
	return s.deleteObject(ctx, account, distKind, a)
}

// CreateImagePipeline creates an image pipeline.
func (s *Service) CreateImagePipeline(ctx context.Context, account string, in Object) (Object, error) {
	return s.createObject(ctx, account, pipelineKind, in)
}

// UpdateImagePipeline replaces an image pipeline.
func (s *Service) UpdateImagePipeline(ctx context.Context, account string, in Object) (Object, error) {
	return s.updateObject(ctx, account, pipelineKind, in)
}

// GetImagePipeline returns an image pipeline.
func (s *Service) GetImagePipeline(ctx context.Context, account, a string) (Object, error) {
	obj, err := s.getObject(ctx, account, pipelineKind, a)
	return Object{"imagePipeline": obj}, err
}

// ListImagePipelines lists image pipelines.
func (s *Service) ListImagePipelines(ctx context.Context, account string, in Object) (Object, error) {
	return s.listObjects(ctx, account, pipelineKind, in, "imagePipelineList")
}

// DeleteImagePipeline deletes an image pipeline.
func (s *Service) DeleteImagePipeline(ctx context.Context, account, a string) (Object, error) {
	return s.deleteObject(ctx, account, pipelineKind, a)
}

// ListImagePipelineImages lists the images a pipeline built, newest first.
func (s *Service) ListImagePipelineImages(ctx context.Context, account string, in Object) (Object, error) {
	pipe, err := s.getObject(ctx, account, pipelineKind, str(in, "imagePipelineArn"))
	if err != nil {
		return nil, err
	}
	q := store.Query{Type: arn.Image, Region: s.region, Accounts: []string{account},
		Attrs: map[string][]string{"sourcePipelineArn": {str(pipe, "arn")}}, Descending: true}
	return s.listPage(ctx, q, in, imageKind.summary, "imageSummaryList")
}

// ErrBuildsNotAvailable answers the operations that start builds.
func ErrBuildsNotAvailable(op string) error {
	return apierr.InvalidRequest("%s: running image builds through the API is not available in Goldsmith yet; use `goldsmith build` for local builds.", op)
}
