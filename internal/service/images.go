package service

import (
	"context"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// imageKind describes images: only the catalogue's base image exists until
// builds run through the API.
var imageKind = kind{
	typ: arn.Image, resName: "Image", shape: arn.ImageVersionArnOrBuildVersionArn, param: "imageBuildVersionArn",
	filters: []string{"name", "osVersion", "platform", "type", "version"},
	summary: []string{"arn", "name", "type", "version", "platform", "osVersion", "state", "owner", "dateCreated", "outputResources", "tags", "buildType", "imageSource"},
}

// GetImage returns an image by build, version or wildcard ARN.
func (s *Service) GetImage(ctx context.Context, account, a string) (Object, error) {
	obj, err := s.getObject(ctx, account, imageKind, a)
	if err != nil {
		return nil, err
	}
	ia, _ := arn.Parse(str(obj, "arn"))
	return Object{"image": obj, "latestVersionReferences": references(ia)}, nil
}

// ListImages lists image versions for the owner filter.
func (s *Service) ListImages(ctx context.Context, account string, in Object) (Object, error) {
	out, err := s.listObjects(ctx, account, imageKind, in, "imageVersionList")
	if err != nil {
		return nil, err
	}
	for _, row := range out["imageVersionList"].([]Object) {
		a, err := arn.Parse(str(row, "arn"))
		if err == nil {
			row["arn"] = a.VersionARN().String()
			row["version"] = a.Version.SemanticString()
		}
	}
	return out, nil
}

// ListImageBuildVersions lists the builds of an image version.
func (s *Service) ListImageBuildVersions(ctx context.Context, account string, in Object) (Object, error) {
	a, err := s.parseARN(arn.ImageVersionArn, "imageVersionArn", str(in, "imageVersionArn"))
	if err != nil {
		return nil, err
	}
	q := store.Query{Type: arn.Image, Region: s.region, Accounts: []string{a.Account}, Name: a.Name, Version: a.Version}
	maxResults, _ := in["maxResults"].(float64)
	if err := page(&q, int32(maxResults), str(in, "nextToken")); err != nil {
		return nil, err
	}
	p, err := s.store.List(ctx, q)
	if err != nil {
		return nil, storeErr(a, "", err)
	}
	list := []Object{}
	for _, rec := range p.Records {
		if !visible(account, rec) {
			continue
		}
		obj, err := objectOf(rec)
		if err != nil {
			return nil, err
		}
		list = append(list, obj)
	}
	out := Object{"imageSummaryList": list}
	if p.NextToken != "" {
		out["nextToken"] = p.NextToken
	}
	return out, nil
}

// ListImagePackages lists the packages installed in an image, as its build
// recorded them in the image's SBOM (name and version), by name, paged.
func (s *Service) ListImagePackages(ctx context.Context, account string, in Object) (Object, error) {
	a, err := s.parseARN(arn.ImageBuildVersionArn, "imageBuildVersionArn", str(in, "imageBuildVersionArn"))
	if err != nil {
		return nil, err
	}
	rec, err := s.get(ctx, s.store, account, a)
	if err != nil {
		return nil, err
	}
	pkgs, err := s.imagePackages(ctx, rec)
	if err != nil {
		return nil, err
	}
	maxResults, _ := in["maxResults"].(float64)
	pkgs, next, err := packagePage(a, pkgs, int32(maxResults), str(in, "nextToken"))
	if err != nil {
		return nil, err
	}
	list := make([]Object, 0, len(pkgs))
	for _, p := range pkgs {
		list = append(list, Object{"packageName": p.Name, "packageVersion": p.Version})
	}
	out := Object{"imagePackageList": list}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
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
