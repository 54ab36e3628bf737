package service

import (
	"context"
	"slices"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// imageKind describes images.
var imageKind = kind{
	typ: arn.Image, resName: "Image", shape: arn.ImageVersionArnOrBuildVersionArn, param: "imageBuildVersionArn",
	filters: []string{"name", "osVersion", "platform", "type", "version"},
}

// imageRecord is an image as stored: its API members and Goldsmith's
// build internals (the frozen build spec with every component's document,
// the log's key, the workflow executions, the worker), which the API never
// returns.
type imageRecord struct {
	Image
	Build      *BuildSpec          `json:"goldsmithBuild,omitempty"`
	Log        string              `json:"goldsmithLog,omitempty"`
	Executions []WorkflowExecution `json:"goldsmithWorkflows,omitempty"`
	Worker     string              `json:"goldsmithWorker,omitempty"`
	// Attempt is the build attempt (the queue job's) that last changed
	// the image, and AttemptStart the index in Executions of its first
	// workflow execution (an earlier attempt's stay as they ended).
	Attempt      int `json:"goldsmithAttempt,omitempty"`
	AttemptStart int `json:"goldsmithAttemptWorkflows,omitempty"`
}

func (r *imageRecord) status() ImageStatus {
	if r.State == nil {
		return ""
	}
	return r.State.Status
}

// view is the image as account sees it with its tags: an account it is
// shared with does not see the owner's infrastructure configuration nor
// Goldsmith's build members.
func (r *imageRecord) view(rec store.Record, account string) *Image {
	img := r.Image
	img.Tags = rec.Tags
	if rec.ARN.Account != account {
		img.InfrastructureConfiguration, img.Timings, img.Manifest = nil, nil, ""
	}
	return &img
}

// imageSummary is an image's List row.
func imageSummary(rec store.Record, r *imageRecord) ImageSummary {
	return ImageSummary{Arn: r.Arn, Name: r.Name, Type: r.Type, Version: r.Version, Platform: r.Platform, OsVersion: r.OsVersion,
		State: r.State, Owner: r.Owner, DateCreated: r.DateCreated, OutputResources: r.OutputResources, Tags: rec.Tags,
		BuildType: r.BuildType, ImageSource: r.ImageSource}
}

// GetImageOutput is the GetImage response.
type GetImageOutput struct {
	Image                   *Image             `json:"image"`
	LatestVersionReferences *VersionReferences `json:"latestVersionReferences,omitempty"`
}

// GetImage returns an image by build, version or wildcard ARN.
func (s *Service) GetImage(ctx context.Context, account, a string) (GetImageOutput, error) {
	r, rec, err := getResource[imageRecord](ctx, s, account, imageKind, a)
	if err != nil {
		return GetImageOutput{}, err
	}
	return GetImageOutput{Image: r.view(rec, account), LatestVersionReferences: references(rec.ARN)}, nil
}

// ListImagesOutput is the ListImages response.
type ListImagesOutput struct {
	ImageVersionList []ImageVersion `json:"imageVersionList"`
	NextToken        string         `json:"nextToken,omitempty"`
}

// ListImages lists image versions for the owner filter.
func (s *Service) ListImages(ctx context.Context, account string, in ListInput) (ListImagesOutput, error) {
	p, err := s.listKind(ctx, account, imageKind, in)
	if err != nil {
		return ListImagesOutput{}, err
	}
	rows, err := listed(p, func(rec store.Record, r *imageRecord) ImageVersion {
		return ImageVersion{Arn: rec.ARN.VersionARN().String(), Name: r.Name, Type: r.Type, Version: rec.ARN.Version.SemanticString(),
			Platform: r.Platform, OsVersion: r.OsVersion, Owner: r.Owner, DateCreated: r.DateCreated, BuildType: r.BuildType, ImageSource: r.ImageSource}
	})
	return ListImagesOutput{ImageVersionList: rows, NextToken: p.NextToken}, err
}

// ListImageBuildVersionsInput is the ListImageBuildVersions request.
type ListImageBuildVersionsInput struct {
	ImageVersionArn string   `json:"imageVersionArn"`
	Filters         []Filter `json:"filters,omitempty"`
	MaxResults      int32    `json:"maxResults,omitempty"`
	NextToken       string   `json:"nextToken,omitempty"`
}

// ImageSummaryPage is the ListImageBuildVersions and
// ListImagePipelineImages response.
type ImageSummaryPage struct {
	ImageSummaryList []ImageSummary `json:"imageSummaryList"`
	NextToken        string         `json:"nextToken,omitempty"`
}

// ListImageBuildVersions lists the builds of an image version that match
// the filters (name, osVersion, platform, type, version).
func (s *Service) ListImageBuildVersions(ctx context.Context, account string, in ListImageBuildVersionsInput) (ImageSummaryPage, error) {
	a, err := s.parseARN(arn.ImageVersionArn, "imageVersionArn", in.ImageVersionArn)
	if err != nil {
		return ImageSummaryPage{}, err
	}
	filters, err := filterAttrs(in.Filters, imageKind.filters)
	if err != nil {
		return ImageSummaryPage{}, err
	}
	q := store.Query{Type: arn.Image, Region: s.region, Accounts: []string{a.Account}, Name: a.Name, Version: a.Version, Attrs: filters}
	p, err := s.listRecords(ctx, q, in.MaxResults, in.NextToken)
	if err != nil {
		return ImageSummaryPage{}, err
	}
	p.Records = slices.DeleteFunc(p.Records, func(rec store.Record) bool { return !visible(account, rec) })
	rows, err := listed(p, imageSummary)
	return ImageSummaryPage{ImageSummaryList: rows, NextToken: p.NextToken}, err
}

// ListImagePackagesInput is the ListImagePackages request.
type ListImagePackagesInput struct {
	ImageBuildVersionArn string `json:"imageBuildVersionArn"`
	MaxResults           int32  `json:"maxResults,omitempty"`
	NextToken            string `json:"nextToken,omitempty"`
}

// ImagePackage is one row of ListImagePackages.
type ImagePackage struct {
	PackageName    string `json:"packageName"`
	PackageVersion string `json:"packageVersion"`
}

// ListImagePackagesOutput is the ListImagePackages response.
type ListImagePackagesOutput struct {
	ImagePackageList []ImagePackage `json:"imagePackageList"`
	NextToken        string         `json:"nextToken,omitempty"`
}

// ListImagePackages lists the packages installed in an image, as its build
// recorded them in the image's SBOM (name and version), by name, paged.
func (s *Service) ListImagePackages(ctx context.Context, account string, in ListImagePackagesInput) (ListImagePackagesOutput, error) {
	a, err := s.parseARN(arn.ImageBuildVersionArn, "imageBuildVersionArn", in.ImageBuildVersionArn)
	if err != nil {
		return ListImagePackagesOutput{}, err
	}
	rec, err := s.get(ctx, s.store, account, a)
	if err != nil {
		return ListImagePackagesOutput{}, err
	}
	pkgs, err := s.imagePackages(ctx, rec)
	if err != nil {
		return ListImagePackagesOutput{}, err
	}
	pkgs, next, err := packagePage(a, pkgs, in.MaxResults, in.NextToken)
	if err != nil {
		return ListImagePackagesOutput{}, err
	}
	list := make([]ImagePackage, 0, len(pkgs))
	for _, p := range pkgs {
		list = append(list, ImagePackage{PackageName: p.Name, PackageVersion: p.Version})
	}
	return ListImagePackagesOutput{ImagePackageList: list, NextToken: next}, nil
}

// DeleteImage deletes an image build version the account owns. As AWS
// does, it refuses (ResourceDependencyException) an image whose build has
// not finished (cancel it first: the cancelled build's queued job then ends
// without building, see internal/buildjob), an image its image policy
// shares with other accounts, and an image other resources use.
func (s *Service) DeleteImage(ctx context.Context, account, v string) (Object, error) {
	a, err := s.parseARN(arn.ImageBuildVersionArn, "imageBuildVersionArn", v)
	if err != nil {
		return nil, err
	}
	err = s.store.WithTx(ctx, func(tx store.Tx) error {
		rec, err := s.getOwned(ctx, tx, account, a)
		if err != nil {
			return err
		}
		switch st := statusOf(rec); st {
		case ImagePending, ImageBuilding, ImageTesting, ImageDistributing:
			return apierr.ResourceDependency("The image '%s' is %s: its build has not finished. Cancel it with CancelImageCreation, then delete it.", a, st)
		}
		if sharedWithOthers(rec) {
			return apierr.ResourceDependency("The image '%s' is shared with other accounts by its image policy. Stop sharing it first (PutImagePolicy with a policy that allows no other account, e.g. one Deny statement for \"*\"), then delete it.", a)
		}
		return storeErr(a, "", tx.Delete(ctx, a))
	})
	if err != nil {
		return nil, err
	}
	return Object{"imageBuildVersionArn": a.String()}, nil
}
