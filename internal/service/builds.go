package service

// Image builds: creating images, their build specs and the queue.

import (
	"context"
	"fmt"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// Builds puts image builds on the job queue.
type Builds interface {
	// Enqueue adds the build of image to the queue inside tx, the
	// transaction that creates the image's PENDING record: both are
	// committed, or neither.
	Enqueue(ctx context.Context, tx store.Tx, account string, image arn.ARN) error
}

// Notifications tells the outside world of image state changes.
type Notifications interface {
	// NotifyTx records, inside tx (the transaction that makes the change),
	// that ev is to be sent to ev.Topic: the change and its notification
	// are committed together, or neither. It is called only for images
	// whose infrastructure configuration names a topic.
	NotifyTx(ctx context.Context, tx store.Tx, ev ImageEvent) error
}

// ImageStatus is an image build version's state.
type ImageStatus string

// Image states, in the order a build goes through them.
const (
	ImagePending      ImageStatus = "PENDING"
	ImageBuilding     ImageStatus = "BUILDING"
	ImageTesting      ImageStatus = "TESTING"
	ImageDistributing ImageStatus = "DISTRIBUTING"
	ImageAvailable    ImageStatus = "AVAILABLE"
	ImageFailed       ImageStatus = "FAILED"
	ImageCancelled    ImageStatus = "CANCELLED"
)

// Final reports whether a build in this state is over.
func (s ImageStatus) Final() bool {
	return s == ImageAvailable || s == ImageFailed || s == ImageCancelled
}

// BuildComponent is a component of a build, resolved to its build version
// when the image was created.
type BuildComponent struct {
	Arn        string            `json:"arn"`
	Name       string            `json:"name"`
	Version    string            `json:"version"`
	Parameters map[string]string `json:"parameters,omitempty"`
	Data       string            `json:"data"`
}

// BuildSpec is what a worker needs to build an image: frozen at creation,
// so later recipe or component versions do not change a queued build.
type BuildSpec struct {
	Image            arn.ARN          `json:"-"`
	Account          string           `json:"-"`
	Name             string           `json:"name"`
	Version          string           `json:"version"` // x.y.z/n
	ParentImage      string           `json:"parentImage"`
	WorkingDirectory string           `json:"workingDirectory,omitempty"`
	RootVolumeGiB    int              `json:"rootVolumeGiB,omitempty"`
	Components       []BuildComponent `json:"components"`
	TestsEnabled     bool             `json:"testsEnabled"`
	TestTimeoutMin   int              `json:"testTimeoutMinutes,omitempty"`
	Status           ImageStatus      `json:"-"`
}

// ImageBuildOutput is the CreateImage, StartImagePipelineExecution and
// CancelImageCreation response.
type ImageBuildOutput struct {
	ClientToken          string `json:"clientToken,omitempty"`
	ImageBuildVersionArn string `json:"imageBuildVersionArn"`
}

// CreateImage creates an image build version from a recipe and
// configurations and queues its build.
func (s *Service) CreateImage(ctx context.Context, account string, in CreateImageInput) (ImageBuildOutput, error) {
	if in.ContainerRecipeArn != "" {
		return ImageBuildOutput{}, apierr.InvalidRequest("CreateImage: container recipes cannot be built yet; give an imageRecipeArn.")
	}
	if err := in.validate(); err != nil {
		return ImageBuildOutput{}, err
	}
	token := in.ClientToken
	in.ClientToken = ""
	return idempotent(ctx, s, account, "CreateImage", token, in, func(tx store.Tx) (ImageBuildOutput, error) {
		a, err := s.createImage(ctx, tx, account, in, "", "USER_INITIATED")
		if err != nil {
			return ImageBuildOutput{}, err
		}
		return ImageBuildOutput{ClientToken: token, ImageBuildVersionArn: a.String()}, nil
	})
}

// StartImagePipelineExecutionInput is the StartImagePipelineExecution request.
type StartImagePipelineExecutionInput struct {
	ImagePipelineArn string            `json:"imagePipelineArn"`
	ClientToken      string            `json:"clientToken"`
	Tags             map[string]string `json:"tags,omitempty"`
}

// StartImagePipelineExecution creates an image build version from a
// pipeline and queues its build.
func (s *Service) StartImagePipelineExecution(ctx context.Context, account string, in StartImagePipelineExecutionInput) (ImageBuildOutput, error) {
	token := in.ClientToken
	in.ClientToken = ""
	pa, err := s.parseARN(arn.ImagePipelineArn, "imagePipelineArn", in.ImagePipelineArn)
	if err != nil {
		return ImageBuildOutput{}, err
	}
	return idempotent(ctx, s, account, "StartImagePipelineExecution", token, in, func(tx store.Tx) (ImageBuildOutput, error) {
		a, err := s.StartPipelineTx(ctx, tx, account, pa, "USER_INITIATED")
		if err != nil {
			return ImageBuildOutput{}, err
		}
		return ImageBuildOutput{ClientToken: token, ImageBuildVersionArn: a.String()}, nil
	})
}

// StartPipelineTx creates an image from a pipeline inside tx (for the API
// and the scheduler).
func (s *Service) StartPipelineTx(ctx context.Context, tx store.Tx, account string, pa arn.ARN, buildType string) (arn.ARN, error) {
	rec, err := s.getOwned(ctx, tx, account, pa)
	if err != nil {
		return arn.ARN{}, err
	}
	pipe, err := loadRecord[ImagePipeline](rec)
	if err != nil {
		return arn.ARN{}, err
	}
	if pipe.Status == "DISABLED" {
		return arn.ARN{}, apierr.InvalidRequest("The image pipeline %s is DISABLED; enable it (UpdateImagePipeline with status ENABLED) to start it.", pa)
	}
	if pipe.ContainerRecipeArn != "" {
		return arn.ARN{}, apierr.InvalidRequest("Image pipeline %s builds a container recipe; container builds are not available yet.", pa)
	}
	in := CreateImageInput{ImageBuildSettings: pipe.ImageBuildSettings}
	return s.createImage(ctx, tx, account, in, pa.String(), buildType)
}

// createImage writes the PENDING image record and enqueues its build.
func (s *Service) createImage(ctx context.Context, tx store.Tx, account string, in CreateImageInput, pipeline, buildType string) (arn.ARN, error) {
	if s.builds == nil {
		return arn.ARN{}, ErrBuildsNotAvailable("CreateImage")
	}
	running, err := tx.Count(ctx, store.Query{Type: arn.Image, Region: s.region, Accounts: []string{account},
		Attrs: map[string][]string{"status": {string(ImagePending), string(ImageBuilding), string(ImageTesting), string(ImageDistributing)}}})
	if err != nil {
		return arn.ARN{}, storeErr(arn.ARN{}, "Image", err)
	}
	if running >= s.limits.ConcurrentBuilds {
		return arn.ARN{}, apierr.ServiceQuotaExceeded("The account has %d image builds running, its quota of concurrent builds; wait for one to finish or cancel one.", running)
	}
	recipeRec, err := s.member(ctx, tx, account, arn.ImageRecipeArn, "imageRecipeArn", in.ImageRecipeArn)
	if err != nil {
		return arn.ARN{}, err
	}
	recipe, err := loadRecord[ImageRecipe](recipeRec)
	if err != nil {
		return arn.ARN{}, err
	}
	infraRec, err := s.member(ctx, tx, account, arn.InfrastructureConfigurationArn, "infrastructureConfigurationArn", in.InfrastructureConfigurationArn)
	if err != nil {
		return arn.ARN{}, err
	}
	infra, err := loadRecord[InfrastructureConfiguration](infraRec)
	if err != nil {
		return arn.ARN{}, err
	}
	var dist *DistributionConfiguration
	if in.DistributionConfigurationArn != "" {
		distRec, err := s.member(ctx, tx, account, arn.DistributionConfigurationArn, "distributionConfigurationArn", in.DistributionConfigurationArn)
		if err != nil {
			return arn.ARN{}, err
		}
		if dist, err = loadRecord[DistributionConfiguration](distRec); err != nil {
			return arn.ARN{}, err
		}
	}
	spec, err := s.buildSpec(ctx, tx, account, recipe)
	if err != nil {
		return arn.ARN{}, err
	}
	spec.TestsEnabled = true
	if t := in.ImageTestsConfiguration; t != nil {
		if t.ImageTestsEnabled != nil {
			spec.TestsEnabled = *t.ImageTestsEnabled
		}
		spec.TestTimeoutMin = int(t.TimeoutMinutes)
	}
	version := arn.New(s.region, account, arn.Image, recipeRec.ARN.Name).WithVersion(recipeRec.ARN.Version.Semantic())
	n, err := tx.NextBuildNumber(ctx, version)
	if err != nil {
		return arn.ARN{}, storeErr(version, "Image", err)
	}
	a := version.WithVersion(recipeRec.ARN.Version.Semantic().WithBuild(n))
	spec.Version = a.Version.String()
	enhanced := in.EnhancedImageMetadataEnabled == nil || *in.EnhancedImageMetadataEnabled
	img := imageRecord{Image: Image{
		Arn: a.String(), Name: recipeRec.ARN.Name, Type: "AMI", Platform: "Linux", OsVersion: "Debian 12",
		Version: a.Version.String(), ImageSource: "CUSTOM", BuildType: buildType,
		State: &ImageState{Status: ImagePending}, ImageRecipe: recipe, DateCreated: timestamp(s.now()), Owner: account,
		InfrastructureConfiguration: infra, DistributionConfiguration: dist, SourcePipelineArn: pipeline,
		ImageTestsConfiguration:      &ImageTestsConfiguration{ImageTestsEnabled: &spec.TestsEnabled, TimeoutMinutes: int32(max(spec.TestTimeoutMin, 60))},
		EnhancedImageMetadataEnabled: &enhanced,
		OutputResources:              &OutputResources{Amis: []Ami{}},
	}, Build: spec}
	rec := store.Record{ARN: a, Owner: account, Data: mustJSON(img), Tags: in.Tags,
		Attrs: attrs("name", img.Name, "osVersion", img.OsVersion, "platform", img.Platform, "type", img.Type, "version", img.Version,
			"status", string(ImagePending), "sourcePipelineArn", pipeline)}
	if _, err := tx.Put(ctx, rec); err != nil {
		return arn.ARN{}, storeErr(a, "Image", err)
	}
	refs := []arn.ARN{recipeRec.ARN, infraRec.ARN}
	if err := tx.SetReferences(ctx, a, refs); err != nil {
		return arn.ARN{}, storeErr(a, "Image", err)
	}
	if err := s.builds.Enqueue(ctx, tx, account, a); err != nil {
		return arn.ARN{}, apierr.Service("Could not queue the build of %s: %v", a, err)
	}
	return a, nil
}

// member resolves the resource an ARN member names (x-wildcards to the
// newest visible build).
func (s *Service) member(ctx context.Context, ex store.Executor, account string, shape arn.Shape, param, value string) (store.Record, error) {
	a, err := s.parseARN(shape, param, value)
	if err != nil {
		return store.Record{}, err
	}
	return s.resolve(ctx, ex, account, a)
}

// buildSpec resolves a recipe's components (x-wildcards to the newest
// visible build now) and base image.
func (s *Service) buildSpec(ctx context.Context, ex store.Executor, account string, recipe *ImageRecipe) (*BuildSpec, error) {
	spec := &BuildSpec{Name: recipe.Name, WorkingDirectory: recipe.WorkingDirectory}
	base, err := s.parentImage(ctx, ex, account, recipe.ParentImage)
	if err != nil {
		return nil, err
	}
	if base.Account != "aws" || base.Name != BaseImageName {
		return nil, apierr.InvalidRequest("Recipe %s builds on %s; Goldsmith builds only from its base image %s so far.", recipe.Arn, base, BaseImageName)
	}
	spec.ParentImage = BaseImageName
	for _, bdm := range recipe.BlockDeviceMappings {
		if bdm.Ebs != nil && int(bdm.Ebs.VolumeSize) > spec.RootVolumeGiB {
			spec.RootVolumeGiB = int(bdm.Ebs.VolumeSize)
		}
	}
	for _, cc := range recipe.Components {
		ca, err := s.parseARN(arn.ComponentVersionArnOrBuildVersionArn, "componentArn", cc.ComponentArn)
		if err != nil {
			return nil, err
		}
		rec, err := s.resolve(ctx, ex, account, ca)
		if err != nil {
			return nil, err
		}
		comp, err := s.componentOf(rec)
		if err != nil {
			return nil, err
		}
		bc := BuildComponent{Arn: rec.ARN.String(), Name: comp.Name, Version: comp.Version, Data: comp.Data}
		for _, p := range cc.Parameters {
			if bc.Parameters == nil {
				bc.Parameters = map[string]string{}
			}
			bc.Parameters[p.Name] = strings.Join(p.Value, ",")
		}
		spec.Components = append(spec.Components, bc)
	}
	return spec, nil
}

// BuildSpecOf reads the build spec of an image (for workers).
func (s *Service) BuildSpecOf(ctx context.Context, account string, image arn.ARN) (*BuildSpec, error) {
	rec, err := s.store.Get(ctx, image)
	if err != nil {
		return nil, storeErr(image, "Image", err)
	}
	r, err := loadRecord[imageRecord](rec)
	if err != nil || r.Build == nil {
		return nil, fmt.Errorf("image %s has no build spec (%v)", image, err)
	}
	r.Build.Image, r.Build.Account, r.Build.Status = image, account, r.status()
	return r.Build, nil
}
