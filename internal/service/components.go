package service

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

var platforms = []string{"Linux", "Windows", "macOS"}

// componentFilters maps ListComponents filter names to record attributes.
var componentFilters = []string{"description", "name", "platform", "supportedOsVersion", "type", "version"}

// parsedDocument validates a component document and returns what the
// service derives from it: type and parameters.
func parsedDocument(data string) (typ string, params []ComponentParameterDetail, err error) {
	if strings.ContainsRune(data, 0) {
		return "", nil, apierr.InvalidParameterValue("The value supplied for parameter 'data' is not valid. It must not contain NUL characters.")
	}
	doc, err := component.Load("", []byte(data), action.Set{})
	if err != nil {
		var ps component.Problems
		if errors.As(err, &ps) {
			msgs := make([]string, len(ps))
			for i, p := range ps {
				msgs[i] = p.String()
			}
			return "", nil, apierr.InvalidParameterValue("The component document in 'data' is not valid: %s", strings.Join(msgs, "; ")).WithCause(err)
		}
		return "", nil, apierr.InvalidParameterValue("The component document in 'data' is not valid: %v", err).WithCause(err)
	}
	typ = "TEST"
	for _, ph := range doc.Phases {
		if ph.Name != "test" {
			typ = "BUILD"
		}
	}
	for _, p := range doc.Parameters {
		d := ComponentParameterDetail{Name: p.Name, Type: p.Type, Description: p.Description}
		if p.Default != nil {
			d.DefaultValue = []string{*p.Default}
		}
		params = append(params, d)
	}
	return typ, params, nil
}

// componentRecord is the stored record of c.
func componentRecord(a arn.ARN, c *Component) store.Record {
	attrs := map[string][]string{
		"name":     {c.Name, strings.ToLower(c.Name)},
		"platform": {c.Platform},
		"type":     {c.Type},
		"version":  {c.Version},
	}
	if c.Description != "" {
		attrs["description"] = []string{c.Description}
	}
	if len(c.SupportedOsVersions) > 0 {
		attrs["supportedOsVersion"] = c.SupportedOsVersions
	}
	tags := c.Tags
	c.Tags = nil
	rec := store.Record{ARN: a, Owner: c.Owner, Attrs: attrs, Data: mustJSON(c), Tags: tags}
	c.Tags = tags
	return rec
}

// checkComponentHeader checks what CreateComponent and ImportComponent
// share: the name (returned in ARN form), the version, the platform and the
// descriptions.
func checkComponentHeader(name, version, platform, description, change string) (string, arn.Version, error) {
	if err := arn.ValidateName(name); err != nil {
		return "", arn.Version{}, err
	}
	lname, _ := arn.NormalizeName(name)
	v, err := arn.ParseSemanticVersion(version)
	if err != nil {
		return "", arn.Version{}, err
	}
	if !slices.Contains(platforms, platform) {
		return "", arn.Version{}, apierr.InvalidParameterValue("The value supplied for parameter 'platform' is not valid. It must be one of Linux, Windows, macOS.")
	}
	if err := checkDescriptions(description, change); err != nil {
		return "", arn.Version{}, err
	}
	return lname, v, nil
}

// CreateComponent creates a component build version 1 of a new version.
func (s *Service) CreateComponent(ctx context.Context, account string, in CreateComponentInput) (CreateComponentOutput, error) {
	token := in.ClientToken
	in.ClientToken = ""
	name, v, err := checkComponentHeader(in.Name, in.SemanticVersion, in.Platform, in.Description, in.ChangeDescription)
	if err != nil {
		return CreateComponentOutput{}, err
	}
	if n := len(in.SupportedOsVersions); n > 25 {
		return CreateComponentOutput{}, apierr.InvalidParameterValue("The value supplied for parameter 'supportedOsVersions' is not valid. It may list at most 25 versions.")
	}
	if err := checkTags(in.Tags); err != nil {
		return CreateComponentOutput{}, err
	}
	data, err := documentSource(in.Data, in.URI, MaxComponentData)
	if err != nil {
		return CreateComponentOutput{}, err
	}
	typ, params, err := parsedDocument(data)
	if err != nil {
		return CreateComponentOutput{}, err
	}
	c := &Component{Name: in.Name, Version: v.SemanticString(), Description: in.Description, ChangeDescription: in.ChangeDescription,
		Type: typ, Platform: in.Platform, SupportedOsVersions: in.SupportedOsVersions, State: &State{Status: "ACTIVE"},
		Parameters: params, Owner: account, Data: data, KmsKeyID: in.KmsKeyID, Encrypted: true, Tags: in.Tags}
	if in.DryRun {
		return CreateComponentOutput{}, apierr.DryRunOperation("The request would have succeeded, but the DryRun parameter was set.")
	}
	return idempotent(ctx, s, account, "CreateComponent", token, in, func(tx store.Tx) (CreateComponentOutput, error) {
		return s.putComponent(ctx, tx, account, name, v, c, token)
	})
}

// putComponent stores c as the next build of version v of name.
func (s *Service) putComponent(ctx context.Context, tx store.Tx, account, name string, v arn.Version, c *Component, token string) (CreateComponentOutput, error) {
	version := arn.New(s.region, account, arn.Component, name).WithVersion(v.Semantic())
	n, err := tx.Count(ctx, store.Query{Type: arn.Component, Region: s.region, Accounts: []string{account}, Name: name, Version: v.Semantic()})
	if err != nil {
		return CreateComponentOutput{}, storeErr(version, "Component", err)
	}
	if n > 0 {
		return CreateComponentOutput{}, apierr.AlreadyExists("Component", version.String())
	}
	if err := quota(ctx, tx, store.Query{Type: arn.Component, Region: s.region, Accounts: []string{account}}, s.limits.Components, "components"); err != nil {
		return CreateComponentOutput{}, storeErr(version, "Component", err)
	}
	b, err := tx.NextBuildNumber(ctx, version)
	if err != nil {
		return CreateComponentOutput{}, storeErr(version, "Component", err)
	}
	a := version.WithVersion(v.WithBuild(b))
	c.Arn = a.String()
	c.DateCreated = timestamp(s.now())
	if _, err := tx.Put(ctx, componentRecord(a, c)); err != nil {
		return CreateComponentOutput{}, storeErr(a, "Component", err)
	}
	return CreateComponentOutput{ClientToken: token, ComponentBuildVersionArn: a.String(), LatestVersionReferences: references(a)}, nil
}

// documentSource returns the inline document of a data/uri pair.
func documentSource(data, uri *string, max int) (string, error) {
	switch {
	case data != nil && uri != nil:
		return "", apierr.InvalidParameterCombination("You must specify exactly one of 'data' and 'uri', not both.")
	case data == nil && uri == nil:
		return "", apierr.InvalidParameterCombination("You must specify exactly one of 'data' and 'uri'.")
	case uri != nil:
		return "", apierr.InvalidParameterValue("The value supplied for parameter 'uri' is not valid. Goldsmith does not fetch documents from '%s' yet; pass the document inline in 'data'.", *uri)
	case *data == "":
		return "", apierr.InvalidParameterValue("The value supplied for parameter 'data' is not valid. It must not be empty.")
	case len([]rune(*data)) > max:
		return "", apierr.InvalidParameterValue("The value supplied for parameter 'data' is not valid. It must be at most %d characters long.", max)
	}
	return *data, nil
}

func checkDescriptions(desc ...string) error {
	for _, d := range desc {
		if len(d) > 1024 {
			return apierr.InvalidParameterValue("The value supplied for parameter 'description' is not valid. It must be at most 1024 characters long.")
		}
	}
	return nil
}

func references(a arn.ARN) *VersionReferences {
	r := a.References()
	return &VersionReferences{LatestVersionArn: r.LatestVersionArn, LatestMajorVersionArn: r.LatestMajorVersionArn,
		LatestMinorVersionArn: r.LatestMinorVersionArn, LatestPatchVersionArn: r.LatestPatchVersionArn}
}

// resolve finds the record a names for account: a build ARN exactly, a
// version or wildcard ARN as its newest visible build.
func (s *Service) resolve(ctx context.Context, ex store.Executor, account string, a arn.ARN) (store.Record, error) {
	if a.Level() == arn.LevelBuild || arn.VersioningOf(a.Type) != arn.SemanticAndBuild && a.Level() != arn.LevelWildcard {
		return s.get(ctx, ex, account, a)
	}
	q := store.Query{Type: a.Type, WorkflowType: a.WorkflowType, Region: a.Region, Accounts: []string{a.Account}, Name: a.Name, Version: a.Version}
	rec, err := ex.Latest(ctx, q)
	if err != nil {
		return store.Record{}, storeErr(a, "", err)
	}
	if !visible(account, rec) {
		return store.Record{}, forbidden(account, a)
	}
	return rec, nil
}

func (s *Service) componentOf(rec store.Record) (*Component, error) {
	var c Component
	if err := unmarshal(rec.Data, &c); err != nil {
		return nil, err
	}
	c.Tags = rec.Tags
	return &c, nil
}

// GetComponent returns a component by build, version or wildcard ARN.
func (s *Service) GetComponent(ctx context.Context, account, componentArn string) (GetComponentOutput, error) {
	a, err := s.parseARN(arn.ComponentVersionArnOrBuildVersionArn, "componentBuildVersionArn", componentArn)
	if err != nil {
		return GetComponentOutput{}, err
	}
	rec, err := s.resolve(ctx, s.store, account, a)
	if err != nil {
		return GetComponentOutput{}, err
	}
	c, err := s.componentOf(rec)
	if err != nil {
		return GetComponentOutput{}, err
	}
	return GetComponentOutput{Component: c, LatestVersionReferences: references(rec.ARN)}, nil
}

// filterAttrs turns List filters into record attributes, refusing unknown names.
func filterAttrs(filters []Filter, known []string) (map[string][]string, error) {
	if len(filters) > 10 {
		return nil, apierr.InvalidParameterValue("The value supplied for parameter 'filters' is not valid. At most 10 filters are allowed.")
	}
	attrs := map[string][]string{}
	for _, f := range filters {
		if !slices.Contains(known, f.Name) {
			return nil, apierr.InvalidParameterValue("The value supplied for parameter 'filters' is not valid. The filter name '%s' is not supported; use one of %s.", f.Name, strings.Join(known, ", "))
		}
		if len(f.Values) < 1 || len(f.Values) > 10 {
			return nil, apierr.InvalidParameterValue("The value supplied for parameter 'filters' is not valid. Filter '%s' must have 1 to 10 values.", f.Name)
		}
		attrs[f.Name] = append(attrs[f.Name], f.Values...)
	}
	return attrs, nil
}

// ListComponents lists component versions (or names, with byName) the
// owner filter selects.
func (s *Service) ListComponents(ctx context.Context, account string, in ListComponentsInput) (ListComponentsOutput, error) {
	q := store.Query{Type: arn.Component, Region: s.region, Collapse: store.CollapseVersion}
	if in.ByName {
		q.Collapse = store.CollapseName
	}
	if err := ownerScope(&q, account, in.Owner); err != nil {
		return ListComponentsOutput{}, err
	}
	attrs, err := filterAttrs(in.Filters, componentFilters)
	if err != nil {
		return ListComponentsOutput{}, err
	}
	q.Attrs = attrs
	if err := page(&q, in.MaxResults, in.NextToken); err != nil {
		return ListComponentsOutput{}, err
	}
	p, err := s.store.List(ctx, q)
	if err != nil {
		return ListComponentsOutput{}, storeErr(arn.ARN{}, "", err)
	}
	out := ListComponentsOutput{ComponentVersionList: []ComponentVersion{}, NextToken: p.NextToken}
	out.ComponentVersionList = make([]ComponentVersion, 0, len(p.Records))
	for _, rec := range p.Records {
		c, err := s.rows.get(rec)
		if err != nil {
			return ListComponentsOutput{}, err
		}
		out.ComponentVersionList = append(out.ComponentVersionList, ComponentVersion{Arn: rec.ARN.VersionARN().String(),
			Name: c.Name, Version: c.Version, Description: c.Description, Platform: c.Platform,
			SupportedOsVersions: c.SupportedOsVersions, Type: c.Type, Owner: c.Owner, DateCreated: c.DateCreated, Status: stateStatus(c.State)})
	}
	return out, nil
}

func stateStatus(st *State) string {
	if st == nil {
		return ""
	}
	return st.Status
}

// ListComponentBuildVersions lists the builds of a component version.
func (s *Service) ListComponentBuildVersions(ctx context.Context, account string, in ListComponentBuildVersionsInput) (ListComponentBuildVersionsOutput, error) {
	a, err := s.parseARN(arn.ComponentVersionArn, "componentVersionArn", in.ComponentVersionArn)
	if err != nil {
		return ListComponentBuildVersionsOutput{}, err
	}
	q := store.Query{Type: arn.Component, Region: s.region, Accounts: []string{a.Account}, Name: a.Name, Version: a.Version}
	if err := page(&q, in.MaxResults, in.NextToken); err != nil {
		return ListComponentBuildVersionsOutput{}, err
	}
	p, err := s.store.List(ctx, q)
	if err != nil {
		return ListComponentBuildVersionsOutput{}, storeErr(a, "", err)
	}
	out := ListComponentBuildVersionsOutput{ComponentSummaryList: []ComponentSummary{}, NextToken: p.NextToken}
	for _, rec := range p.Records {
		if !visible(account, rec) {
			continue
		}
		c, err := s.componentOf(rec)
		if err != nil {
			return ListComponentBuildVersionsOutput{}, err
		}
		out.ComponentSummaryList = append(out.ComponentSummaryList, ComponentSummary{Arn: c.Arn, Name: c.Name, Version: c.Version,
			Platform: c.Platform, SupportedOsVersions: c.SupportedOsVersions, State: c.State, Type: c.Type, Owner: c.Owner,
			Description: c.Description, ChangeDescription: c.ChangeDescription, DateCreated: c.DateCreated, Tags: c.Tags})
	}
	return out, nil
}

// DeleteComponent deletes a component build version the account owns.
func (s *Service) DeleteComponent(ctx context.Context, account, componentArn string) (DeleteComponentOutput, error) {
	a, err := s.parseARN(arn.ComponentBuildVersionArn, "componentBuildVersionArn", componentArn)
	if err != nil {
		return DeleteComponentOutput{}, err
	}
	if err := s.deleteOwned(ctx, account, a); err != nil {
		return DeleteComponentOutput{}, err
	}
	return DeleteComponentOutput{ComponentBuildVersionArn: a.String()}, nil
}

// deleteOwned deletes the record a names, which account must own.
func (s *Service) deleteOwned(ctx context.Context, account string, a arn.ARN) error {
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		if _, err := s.getOwned(ctx, tx, account, a); err != nil {
			return err
		}
		return storeErr(a, "", tx.Delete(ctx, a))
	})
}
