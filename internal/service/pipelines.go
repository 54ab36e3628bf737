package service

import (
	"context"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var pipelineKind = kind{
	typ: arn.ImagePipeline, resName: "ImagePipeline", shape: arn.ImagePipelineArn, param: "imagePipelineArn",
	filters: []string{"description", "distributionConfigurationArn", "imageRecipeArn", "infrastructureConfigurationArn", "name", "status"},
	limit:   func(l Limits) int { return l.Pipelines },
}

// ImagePipelineOutput is the CreateImagePipeline and UpdateImagePipeline response.
type ImagePipelineOutput struct {
	ClientToken      string `json:"clientToken,omitempty"`
	ImagePipelineArn string `json:"imagePipelineArn"`
}

// GetImagePipelineOutput is the GetImagePipeline response.
type GetImagePipelineOutput struct {
	ImagePipeline *ImagePipeline `json:"imagePipeline"`
}

// ListImagePipelinesOutput is the ListImagePipelines response.
type ListImagePipelinesOutput struct {
	ImagePipelineList []ImagePipeline `json:"imagePipelineList"`
	NextToken         string          `json:"nextToken,omitempty"`
}

// pipelineAttrs are a pipeline's List filter attributes.
func pipelineAttrs(v *ImagePipeline) map[string][]string {
	return attrs("name", v.Name, "description", v.Description, "status", v.Status, "imageRecipeArn", v.ImageRecipeArn,
		"infrastructureConfigurationArn", v.InfrastructureConfigurationArn, "distributionConfigurationArn", v.DistributionConfigurationArn)
}

// pipelineValue checks the recipe, configurations and workflows a
// pipeline uses, fills the members AWS defaults and computes its next run.
func (s *Service) pipelineValue(ctx context.Context, ex store.Executor, account string, v *ImagePipeline) (stored, error) {
	var refs []arn.ARN
	ref := func(shape arn.Shape, param, value string) error {
		if value == "" {
			return nil
		}
		a, err := s.parseARN(shape, param, value)
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
		param, value string
		shape        arn.Shape
	}{
		{"imageRecipeArn", v.ImageRecipeArn, arn.ImageRecipeArn},
		{"containerRecipeArn", v.ContainerRecipeArn, arn.ContainerRecipeArn},
		{"infrastructureConfigurationArn", v.InfrastructureConfigurationArn, arn.InfrastructureConfigurationArn},
		{"distributionConfigurationArn", v.DistributionConfigurationArn, arn.DistributionConfigurationArn},
	} {
		if err := ref(m.shape, m.param, m.value); err != nil {
			return stored{}, err
		}
	}
	for _, wf := range v.Workflows {
		if err := ref(arn.WorkflowVersionArnOrBuildVersionArn, "workflowArn", wf.WorkflowArn); err != nil {
			return stored{}, err
		}
	}
	if v.Status == "" {
		v.Status = "ENABLED"
	}
	if v.EnhancedImageMetadataEnabled == nil {
		t := true
		v.EnhancedImageMetadataEnabled = &t
	}
	if v.ImageTestsConfiguration == nil {
		t := true
		v.ImageTestsConfiguration = &ImageTestsConfiguration{ImageTestsEnabled: &t, TimeoutMinutes: 720}
	}
	v.Platform = "Linux"
	if err := s.checkSchedule(v); err != nil {
		return stored{}, err
	}
	return stored{data: v, attrs: pipelineAttrs(v), refs: refs}, nil
}

// CreateImagePipeline creates an image pipeline.
func (s *Service) CreateImagePipeline(ctx context.Context, account string, in CreateImagePipelineInput) (ImagePipelineOutput, error) {
	lname, err := checkNew(in.Name, in.Tags)
	if err != nil {
		return ImagePipelineOutput{}, err
	}
	if err := in.validate(); err != nil {
		return ImagePipelineOutput{}, err
	}
	token := in.ClientToken
	in.ClientToken = ""
	a, err := createResource(ctx, s, account, pipelineKind, lname, token, in.Tags, in, func(tx store.Tx, a arn.ARN, now string) (stored, error) {
		v := &ImagePipeline{Arn: a.String(), Name: in.Name, PipelineSettings: in.PipelineSettings, DateCreated: now}
		return s.pipelineValue(ctx, tx, account, v)
	})
	return ImagePipelineOutput{ClientToken: token, ImagePipelineArn: a}, err
}

// UpdateImagePipeline replaces an image pipeline.
func (s *Service) UpdateImagePipeline(ctx context.Context, account string, in UpdateImagePipelineInput) (ImagePipelineOutput, error) {
	if err := in.validate(); err != nil {
		return ImagePipelineOutput{}, err
	}
	token := in.ClientToken
	in.ClientToken = ""
	a, err := updateResource(ctx, s, account, pipelineKind, in.ImagePipelineArn, token, in, func(tx store.Tx, rec store.Record, now string) (stored, error) {
		old, err := loadRecord[ImagePipeline](rec)
		if err != nil {
			return stored{}, err
		}
		v := &ImagePipeline{Arn: old.Arn, Name: old.Name, PipelineSettings: in.PipelineSettings, DateCreated: old.DateCreated,
			DateUpdated: now, DateLastRun: old.DateLastRun}
		return s.pipelineValue(ctx, tx, account, v)
	})
	return ImagePipelineOutput{ClientToken: token, ImagePipelineArn: a}, err
}

// GetImagePipeline returns an image pipeline.
func (s *Service) GetImagePipeline(ctx context.Context, account, a string) (GetImagePipelineOutput, error) {
	v, _, err := getResource[ImagePipeline](ctx, s, account, pipelineKind, a)
	return GetImagePipelineOutput{ImagePipeline: v}, err
}

// ListImagePipelines lists image pipelines.
func (s *Service) ListImagePipelines(ctx context.Context, account string, in ListInput) (ListImagePipelinesOutput, error) {
	in.Owner = ""
	p, err := s.listKind(ctx, account, pipelineKind, in)
	if err != nil {
		return ListImagePipelinesOutput{}, err
	}
	rows, err := listed(p, func(rec store.Record, v *ImagePipeline) ImagePipeline {
		v.Tags = rec.Tags
		return *v
	})
	return ListImagePipelinesOutput{ImagePipelineList: rows, NextToken: p.NextToken}, err
}

// DeleteImagePipelineOutput is the DeleteImagePipeline response.
type DeleteImagePipelineOutput struct {
	ImagePipelineArn string `json:"imagePipelineArn"`
}

// DeleteImagePipeline deletes an image pipeline.
func (s *Service) DeleteImagePipeline(ctx context.Context, account, a string) (DeleteImagePipelineOutput, error) {
	v, err := s.deleteResource(ctx, account, pipelineKind, a)
	return DeleteImagePipelineOutput{ImagePipelineArn: v}, err
}

// ListImagePipelineImagesInput is the ListImagePipelineImages request.
type ListImagePipelineImagesInput struct {
	ImagePipelineArn string   `json:"imagePipelineArn"`
	Filters          []Filter `json:"filters,omitempty"`
	MaxResults       int32    `json:"maxResults,omitempty"`
	NextToken        string   `json:"nextToken,omitempty"`
}

// pipelineImageFilters are the ListImagePipelineImages filter names.
var pipelineImageFilters = []string{"name", "version"}

// ListImagePipelineImages lists the images a pipeline built that match the
// filters (name, version), newest first.
func (s *Service) ListImagePipelineImages(ctx context.Context, account string, in ListImagePipelineImagesInput) (ImageSummaryPage, error) {
	rec, err := s.getRecord(ctx, account, pipelineKind, in.ImagePipelineArn)
	if err != nil {
		return ImageSummaryPage{}, err
	}
	filters, err := filterAttrs(in.Filters, pipelineImageFilters)
	if err != nil {
		return ImageSummaryPage{}, err
	}
	filters["sourcePipelineArn"] = []string{rec.ARN.String()}
	q := store.Query{Type: arn.Image, Region: s.region, Accounts: []string{account}, Attrs: filters, Descending: true}
	p, err := s.listRecords(ctx, q, in.MaxResults, in.NextToken)
	if err != nil {
		return ImageSummaryPage{}, err
	}
	rows, err := listed(p, imageSummary)
	return ImageSummaryPage{ImageSummaryList: rows, NextToken: p.NextToken}, err
}

// ErrBuildsNotAvailable answers the operations that start builds.
func ErrBuildsNotAvailable(op string) error {
	return apierr.InvalidRequest("%s: running image builds through the API is not available in Goldsmith yet; use `goldsmith build` for local builds.", op)
}
