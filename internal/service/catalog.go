package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/managed"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// AmazonOwner is the owner value of the managed catalogue's resources.
const AmazonOwner = "Amazon"

// BaseImageName is the base image the catalogue offers as an
// Amazon-owned image.
const BaseImageName = "debian-12"

// catalogTime is the creation date shown for catalogue resources.
const catalogTime = "2025-01-01T00:00:00.000Z"

// BaseImageARN is the ARN of the debian-12 base image in region.
func BaseImageARN(region string) arn.ARN {
	return arn.New(region, arn.AWSAccount, arn.Image, BaseImageName).WithVersion(arn.MustParseVersion("1.0.0/1"))
}

// managedWorkflowARN is the build version ARN of a managed workflow.
func managedWorkflowARN(region, typ, name, version string) arn.ARN {
	return arn.NewWorkflow(region, arn.AWSAccount, arn.WorkflowType(strings.ToLower(typ)), name).WithVersion(arn.MustParseVersion(version + "/1"))
}

// seedCatalog stores the managed components and workflows and the base image, owned by
// "aws", unless they are stored already.
func (s *Service) seedCatalog(ctx context.Context) error {
	put := func(rec store.Record) error {
		if _, err := s.store.Get(ctx, rec.ARN); err == nil {
			return nil
		}
		_, err := s.store.Put(ctx, rec)
		if errors.Is(err, store.ErrAlreadyExists) {
			return nil
		}
		return err
	}
	for _, name := range managed.Names() {
		mc, err := managed.Get(name)
		if err != nil {
			return err
		}
		typ, params, err := parsedDocument(string(mc.Data))
		if err != nil {
			return fmt.Errorf("managed component %s: %w", name, err)
		}
		a := arn.New(s.region, arn.AWSAccount, arn.Component, name).WithVersion(arn.MustParseVersion(mc.Version + "/1"))
		c := &Component{Arn: a.String(), Name: name, Version: mc.Version, Description: "Goldsmith-managed component " + name,
			Type: typ, Platform: "Linux", State: &State{Status: "ACTIVE"}, Parameters: params, Owner: AmazonOwner,
			Data: string(mc.Data), Encrypted: true, DateCreated: catalogTime, Publisher: "Goldsmith"}
		if err := put(componentRecord(a, c)); err != nil {
			return fmt.Errorf("seed managed component %s: %w", name, err)
		}
	}
	for _, mw := range managed.Workflows() {
		params, err := parsedWorkflow(string(mw.Data))
		if err != nil {
			return fmt.Errorf("managed workflow %s: %w", mw.Name, err)
		}
		a := managedWorkflowARN(s.region, mw.Type, mw.Name, mw.Version)
		w := &Workflow{Arn: a.String(), Name: mw.Name, Version: mw.Version, Description: "Goldsmith-managed " + strings.ToLower(mw.Type) + " workflow",
			Type: mw.Type, State: &State{Status: "ACTIVE"}, Owner: AmazonOwner, Data: string(mw.Data), DateCreated: catalogTime, Parameters: params}
		if err := put(workflowRecord(a, w)); err != nil {
			return fmt.Errorf("seed managed workflow %s: %w", mw.Name, err)
		}
	}
	if _, err := baseimage.Lookup(BaseImageName); err != nil {
		return err
	}
	a := BaseImageARN(s.region)
	img := map[string]any{
		"arn": a.String(), "name": BaseImageName, "version": "1.0.0/1", "type": "AMI", "platform": "Linux",
		"osVersion": "Debian 12", "state": map[string]string{"status": "AVAILABLE"}, "owner": AmazonOwner,
		"dateCreated": catalogTime, "buildType": "IMPORT", "imageSource": "AMAZON_MANAGED",
	}
	rec := store.Record{ARN: a, Owner: AmazonOwner, Data: mustJSON(img), Attrs: map[string][]string{
		"name": {BaseImageName}, "platform": {"Linux"}, "type": {"AMI"}, "osVersion": {"Debian 12"}, "version": {"1.0.0"}, "status": {"AVAILABLE"},
	}}
	if err := put(rec); err != nil {
		return fmt.Errorf("seed base image: %w", err)
	}
	return nil
}
