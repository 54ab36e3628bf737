package service

import (
	"context"
	"slices"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var workflowTypes = []string{"BUILD", "TEST", "DISTRIBUTION"}

// workflowFilters are the ListWorkflows filter names.
var workflowFilters = []string{"name", "type", "version"}

// workflowRecord is the stored record of w.
func workflowRecord(a arn.ARN, w *Workflow) store.Record {
	attrs := map[string][]string{
		"name":    {w.Name, strings.ToLower(w.Name)},
		"type":    {w.Type},
		"version": {w.Version},
	}
	tags := w.Tags
	w.Tags = nil
	rec := store.Record{ARN: a, Owner: w.Owner, Attrs: attrs, Data: mustJSON(w), Tags: tags}
	w.Tags = tags
	return rec
}

func workflowOf(rec store.Record) (*Workflow, error) {
	var w Workflow
	if err := unmarshal(rec.Data, &w); err != nil {
		return nil, err
	}
	w.Tags = rec.Tags
	return &w, nil
}

// CreateWorkflow creates build 1 of a new workflow version.
func (s *Service) CreateWorkflow(ctx context.Context, account string, in CreateWorkflowInput) (CreateWorkflowOutput, error) {
	token := in.ClientToken
	in.ClientToken = ""
	if err := arn.ValidateName(in.Name); err != nil {
		return CreateWorkflowOutput{}, err
	}
	name, _ := arn.NormalizeName(in.Name)
	v, err := arn.ParseSemanticVersion(in.SemanticVersion)
	if err != nil {
		return CreateWorkflowOutput{}, err
	}
	if !slices.Contains(workflowTypes, in.Type) {
		return CreateWorkflowOutput{}, apierr.InvalidParameterValue("The value supplied for parameter 'type' is not valid. It must be one of BUILD, TEST, DISTRIBUTION.")
	}
	if err := checkDescriptions(in.Description, in.ChangeDescription); err != nil {
		return CreateWorkflowOutput{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return CreateWorkflowOutput{}, err
	}
	data, err := documentSource(in.Data, in.URI, MaxComponentData)
	if err != nil {
		return CreateWorkflowOutput{}, err
	}
	params, err := parsedWorkflow(data)
	if err != nil {
		return CreateWorkflowOutput{}, err
	}
	if in.DryRun {
		return CreateWorkflowOutput{}, apierr.DryRunOperation("The request would have succeeded, but the DryRun parameter was set.")
	}
	w := &Workflow{Name: in.Name, Version: v.SemanticString(), Description: in.Description, ChangeDescription: in.ChangeDescription,
		Type: in.Type, Owner: account, Data: data, KmsKeyID: in.KmsKeyID, Tags: in.Tags, Parameters: params}
	return idempotent(ctx, s, account, "CreateWorkflow", token, in, func(tx store.Tx) (CreateWorkflowOutput, error) {
		wt := arn.WorkflowType(strings.ToLower(in.Type))
		version := arn.NewWorkflow(s.region, account, wt, name).WithVersion(v.Semantic())
		q := store.Query{Type: arn.Workflow, WorkflowType: wt, Region: s.region, Accounts: []string{account}, Name: name, Version: v.Semantic()}
		n, err := tx.Count(ctx, q)
		if err != nil {
			return CreateWorkflowOutput{}, storeErr(version, "Workflow", err)
		}
		if n > 0 {
			return CreateWorkflowOutput{}, apierr.AlreadyExists("Workflow", version.String())
		}
		if err := quota(ctx, tx, store.Query{Type: arn.Workflow, Region: s.region, Accounts: []string{account}}, s.limits.Workflows, "workflows"); err != nil {
			return CreateWorkflowOutput{}, storeErr(version, "Workflow", err)
		}
		b, err := tx.NextBuildNumber(ctx, version)
		if err != nil {
			return CreateWorkflowOutput{}, storeErr(version, "Workflow", err)
		}
		a := version.WithVersion(v.WithBuild(b))
		w.Arn, w.DateCreated = a.String(), timestamp(s.now())
		if _, err := tx.Put(ctx, workflowRecord(a, w)); err != nil {
			return CreateWorkflowOutput{}, storeErr(a, "Workflow", err)
		}
		return CreateWorkflowOutput{ClientToken: token, WorkflowBuildVersionArn: a.String(), LatestVersionReferences: references(a)}, nil
	})
}

// GetWorkflow returns a workflow by build, version or wildcard ARN.
func (s *Service) GetWorkflow(ctx context.Context, account, workflowArn string) (GetWorkflowOutput, error) {
	a, err := s.parseARN(arn.WorkflowVersionArnOrBuildVersionArn, "workflowBuildVersionArn", workflowArn)
	if err != nil {
		return GetWorkflowOutput{}, err
	}
	rec, err := s.resolve(ctx, s.store, account, a)
	if err != nil {
		return GetWorkflowOutput{}, err
	}
	w, err := workflowOf(rec)
	if err != nil {
		return GetWorkflowOutput{}, err
	}
	return GetWorkflowOutput{Workflow: w, LatestVersionReferences: references(rec.ARN)}, nil
}

// ListWorkflows lists workflow versions (or names, with byName) the owner
// filter selects.
func (s *Service) ListWorkflows(ctx context.Context, account string, in ListWorkflowsInput) (ListWorkflowsOutput, error) {
	q := store.Query{Type: arn.Workflow, Region: s.region, Collapse: store.CollapseVersion}
	if in.ByName {
		q.Collapse = store.CollapseName
	}
	if err := ownerScope(&q, account, in.Owner); err != nil {
		return ListWorkflowsOutput{}, err
	}
	attrs, err := filterAttrs(in.Filters, workflowFilters)
	if err != nil {
		return ListWorkflowsOutput{}, err
	}
	q.Attrs = attrs
	if err := page(&q, in.MaxResults, in.NextToken); err != nil {
		return ListWorkflowsOutput{}, err
	}
	p, err := s.store.List(ctx, q)
	if err != nil {
		return ListWorkflowsOutput{}, storeErr(arn.ARN{}, "", err)
	}
	out := ListWorkflowsOutput{WorkflowVersionList: []WorkflowVersion{}, NextToken: p.NextToken}
	for _, rec := range p.Records {
		w, err := workflowOf(rec)
		if err != nil {
			return ListWorkflowsOutput{}, err
		}
		out.WorkflowVersionList = append(out.WorkflowVersionList, WorkflowVersion{Arn: rec.ARN.VersionARN().String(),
			Name: w.Name, Version: w.Version, Description: w.Description, Type: w.Type, Owner: w.Owner, DateCreated: w.DateCreated})
	}
	return out, nil
}

// ListWorkflowBuildVersions lists the builds of a workflow version; a
// wildcard version lists the builds of every matching version.
func (s *Service) ListWorkflowBuildVersions(ctx context.Context, account string, in ListWorkflowBuildVersionsInput) (ListWorkflowBuildVersionsOutput, error) {
	a, err := s.parseARN(arn.WorkflowWildcardVersionArn, "workflowVersionArn", in.WorkflowVersionArn)
	if err != nil {
		return ListWorkflowBuildVersionsOutput{}, err
	}
	q := store.Query{Type: arn.Workflow, WorkflowType: a.WorkflowType, Region: s.region, Accounts: []string{a.Account}, Name: a.Name, Version: a.Version}
	if err := page(&q, in.MaxResults, in.NextToken); err != nil {
		return ListWorkflowBuildVersionsOutput{}, err
	}
	p, err := s.store.List(ctx, q)
	if err != nil {
		return ListWorkflowBuildVersionsOutput{}, storeErr(a, "", err)
	}
	out := ListWorkflowBuildVersionsOutput{WorkflowSummaryList: []WorkflowSummary{}, NextToken: p.NextToken}
	for _, rec := range p.Records {
		if !visible(account, rec) {
			continue
		}
		w, err := workflowOf(rec)
		if err != nil {
			return ListWorkflowBuildVersionsOutput{}, err
		}
		out.WorkflowSummaryList = append(out.WorkflowSummaryList, WorkflowSummary{Arn: w.Arn, Name: w.Name, Version: w.Version,
			Description: w.Description, ChangeDescription: w.ChangeDescription, Type: w.Type, Owner: w.Owner, State: w.State,
			DateCreated: w.DateCreated, Tags: w.Tags})
	}
	return out, nil
}

// DeleteWorkflow deletes a workflow build version no pipeline uses.
func (s *Service) DeleteWorkflow(ctx context.Context, account, workflowArn string) (DeleteWorkflowOutput, error) {
	a, err := s.parseARN(arn.WorkflowBuildVersionArn, "workflowBuildVersionArn", workflowArn)
	if err != nil {
		return DeleteWorkflowOutput{}, err
	}
	if err := s.deleteOwned(ctx, account, a); err != nil {
		return DeleteWorkflowOutput{}, err
	}
	return DeleteWorkflowOutput{WorkflowBuildVersionArn: a.String()}, nil
}
