package console

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/goldsmith-dev/goldsmith/internal/service"
)

// data is every call the console makes to the service layer: the methods
// the API handlers call, with the signed-in account. Requests and answers
// pass through their API JSON shape (call), so the console reads them
// into its own view types whatever Go types the service uses.
type data struct {
	svc *service.Service
}

// call runs fn as the API would: in is encoded to the operation's JSON
// request and decoded into fn's input type; fn's answer is decoded into out.
func call[I, O any](ctx context.Context, fn func(context.Context, string, I) (O, error), account string, in any, out any) error {
	var req I
	if err := convert(in, &req); err != nil {
		return err
	}
	resp, err := fn(ctx, account, req)
	if err != nil {
		return err
	}
	return convert(resp, out)
}

// get runs a Get* operation that takes one ARN.
func get[O any](ctx context.Context, fn func(context.Context, string, string) (O, error), account, arn string, out any) error {
	resp, err := fn(ctx, account, arn)
	if err != nil {
		return err
	}
	return convert(resp, out)
}

func convert(from, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return fmt.Errorf("console: encode %T: %w", from, err)
	}
	if err := json.Unmarshal(b, to); err != nil {
		return fmt.Errorf("console: decode %T: %w", to, err)
	}
	return nil
}

// maxPage is the API's largest page; maxItems bounds what a list shows.
const (
	maxPage  = 25
	maxItems = 1000
)

// list runs a List* operation page by page (up to maxItems rows) and
// returns the rows under key.
func list[T, I, O any](ctx context.Context, fn func(context.Context, string, I) (O, error), account string, in map[string]any, key string) ([]T, error) {
	var all []T
	in["maxResults"] = maxPage
	for {
		var page map[string]json.RawMessage
		if err := call(ctx, fn, account, in, &page); err != nil {
			return nil, err
		}
		var rows []T
		if err := json.Unmarshal(page[key], &rows); err != nil && page[key] != nil {
			return nil, fmt.Errorf("console: decode %s: %w", key, err)
		}
		all = append(all, rows...)
		var next string
		_ = json.Unmarshal(page["nextToken"], &next)
		if next == "" || len(all) >= maxItems {
			return all, nil
		}
		in["nextToken"] = next
	}
}

// State is a resource's status and its reason.
type State struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// Pipeline is an image pipeline.
type Pipeline struct {
	Arn                            string `json:"arn"`
	Name                           string `json:"name"`
	Description                    string `json:"description"`
	Status                         string `json:"status"`
	ImageRecipeArn                 string `json:"imageRecipeArn"`
	InfrastructureConfigurationArn string `json:"infrastructureConfigurationArn"`
	DistributionConfigurationArn   string `json:"distributionConfigurationArn"`
	DateCreated                    string `json:"dateCreated"`
	DateLastRun                    string `json:"dateLastRun"`
	DateNextRun                    string `json:"dateNextRun"`
	Schedule                       *struct {
		ScheduleExpression string `json:"scheduleExpression"`
		Timezone           string `json:"timezone"`
	} `json:"schedule"`
}

// Image is an image build version (or a version row of ListImages).
type Image struct {
	Arn               string `json:"arn"`
	Name              string `json:"name"`
	Version           string `json:"version"`
	Type              string `json:"type"`
	BuildType         string `json:"buildType"`
	State             State  `json:"state"`
	DateCreated       string `json:"dateCreated"`
	SourcePipelineArn string `json:"sourcePipelineArn"`
	ImageRecipe       *struct {
		Arn string `json:"arn"`
	} `json:"imageRecipe"`
}

// Step is a workflow step execution.
type Step struct {
	Name      string `json:"name"`
	Action    string `json:"action"`
	Status    string `json:"status"`
	Message   string `json:"message"`
	StartTime string `json:"startTime"`
	EndTime   string `json:"endTime"`
	Workflow  string `json:"-"` // BUILD, TEST, DISTRIBUTION
}

// Component is a component build version.
type Component struct {
	Arn         string `json:"arn"`
	Name        string `json:"name"`
	Version     string `json:"version"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Platform    string `json:"platform"`
	Owner       string `json:"owner"`
	DateCreated string `json:"dateCreated"`
	Data        string `json:"data"`
	State       *State `json:"state"`
}

func (d data) pipelines(ctx context.Context, account string) ([]Pipeline, error) {
	return list[Pipeline](ctx, d.svc.ListImagePipelines, account, map[string]any{}, "imagePipelineList")
}

func (d data) pipeline(ctx context.Context, account, arn string) (Pipeline, error) {
	var out struct {
		Pipeline Pipeline `json:"imagePipeline"`
	}
	err := get(ctx, d.svc.GetImagePipeline, account, arn, &out)
	return out.Pipeline, err
}

// lastImage is the newest image a pipeline built, or nil: one row of
// one page.
func (d data) lastImage(ctx context.Context, account, arn string) (*Image, error) {
	var out struct {
		List []Image `json:"imageSummaryList"`
	}
	if err := call(ctx, d.svc.ListImagePipelineImages, account, map[string]any{"imagePipelineArn": arn, "maxResults": 1}, &out); err != nil || len(out.List) == 0 {
		return nil, err
	}
	return &out.List[0], nil
}

// pipelineImages are the images a pipeline built, newest first.
func (d data) pipelineImages(ctx context.Context, account, arn string) ([]Image, error) {
	return list[Image](ctx, d.svc.ListImagePipelineImages, account, map[string]any{"imagePipelineArn": arn}, "imageSummaryList")
}

func (d data) runPipeline(ctx context.Context, account, arn string) (string, error) {
	var out struct {
		Image string `json:"imageBuildVersionArn"`
	}
	err := call(ctx, d.svc.StartImagePipelineExecution, account,
		map[string]any{"imagePipelineArn": arn, "clientToken": uuid.NewString()}, &out)
	return out.Image, err
}

// pipelineUpdateMembers are the members UpdateImagePipeline replaces.
var pipelineUpdateMembers = []string{"description", "imageRecipeArn", "containerRecipeArn", "infrastructureConfigurationArn",
	"distributionConfigurationArn", "imageTestsConfiguration", "enhancedImageMetadataEnabled", "schedule",
	"imageScanningConfiguration", "workflows", "executionRole", "loggingConfiguration"}

// setPipelineStatus enables or disables a pipeline: an UpdateImagePipeline
// with its members as they are and the new status.
func (d data) setPipelineStatus(ctx context.Context, account, arn, status string) error {
	var got struct {
		Pipeline map[string]json.RawMessage `json:"imagePipeline"`
	}
	if err := get(ctx, d.svc.GetImagePipeline, account, arn, &got); err != nil {
		return err
	}
	in := map[string]any{"imagePipelineArn": arn, "status": status, "clientToken": uuid.NewString()}
	for _, m := range pipelineUpdateMembers {
		if v, ok := got.Pipeline[m]; ok {
			in[m] = v
		}
	}
	return call(ctx, d.svc.UpdateImagePipeline, account, in, &struct{}{})
}

// images are the account's image build versions, newest first.
func (d data) images(ctx context.Context, account string) ([]Image, error) {
	versions, err := list[Image](ctx, d.svc.ListImages, account, map[string]any{"owner": "Self"}, "imageVersionList")
	if err != nil {
		return nil, err
	}
	var all []Image
	for _, v := range versions {
		builds, err := list[Image](ctx, d.svc.ListImageBuildVersions, account, map[string]any{"imageVersionArn": v.Arn}, "imageSummaryList")
		if err != nil {
			return nil, err
		}
		all = append(all, builds...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].DateCreated > all[j].DateCreated })
	return all, nil
}

func (d data) image(ctx context.Context, account, arn string) (Image, error) {
	var out struct {
		Image Image `json:"image"`
	}
	err := get(ctx, d.svc.GetImage, account, arn, &out)
	return out.Image, err
}

// steps are an image build's workflow steps, workflow by workflow.
func (d data) steps(ctx context.Context, account, arn string) ([]Step, error) {
	var execs struct {
		List []struct {
			ID   string `json:"workflowExecutionId"`
			Type string `json:"type"`
		} `json:"workflowExecutions"`
	}
	if err := call(ctx, d.svc.ListWorkflowExecutions, account, map[string]any{"imageBuildVersionArn": arn}, &execs); err != nil {
		return nil, err
	}
	var all []Step
	for _, e := range execs.List {
		var out struct {
			Steps []Step `json:"steps"`
		}
		if err := call(ctx, d.svc.ListWorkflowStepExecutions, account, map[string]any{"workflowExecutionId": e.ID}, &out); err != nil {
			return nil, err
		}
		for _, s := range out.Steps {
			s.Workflow = e.Type
			all = append(all, s)
		}
	}
	return all, nil
}

// buildLog is a piece of an image's build log from offset.
type buildLog struct {
	Text string
	Size int64
}

func (d data) log(ctx context.Context, account, arn string, offset int64) (buildLog, error) {
	lg, err := d.svc.GetImageLog(ctx, account, arn, offset)
	if err != nil {
		return buildLog{}, err
	}
	return buildLog{Text: string(lg.Data), Size: lg.Size}, nil
}

func (d data) cancelImage(ctx context.Context, account, arn string) error {
	return call(ctx, d.svc.CancelImageCreation, account,
		map[string]any{"imageBuildVersionArn": arn, "clientToken": uuid.NewString()}, &struct{}{})
}

// components are the account's own component versions.
func (d data) components(ctx context.Context, account string) ([]Component, error) {
	return list[Component](ctx, d.svc.ListComponents, account, map[string]any{"owner": "Self"}, "componentVersionList")
}

// component is a component by build version ARN (or version ARN: its
// latest build).
func (d data) component(ctx context.Context, account, arn string) (Component, error) {
	var out struct {
		Component Component `json:"component"`
	}
	err := get(ctx, d.svc.GetComponent, account, arn, &out)
	return out.Component, err
}

// elapsed is how long a step ran (until now when it still runs; never
// below zero when a worker's clock is ahead of this server's).
func elapsed(start, end string, now time.Time) time.Duration {
	s, err := parseTime(start)
	if err != nil {
		return 0
	}
	e, err := parseTime(end)
	if err != nil {
		e = now
	}
	return max(e.Sub(s), 0).Round(time.Second)
}

func parseTime(v string) (time.Time, error) { return time.Parse(time.RFC3339Nano, v) }

// createComponent creates a Linux component from the console's form and
// returns its build version ARN.
func (d data) createComponent(ctx context.Context, account string, f newComponentForm) (string, error) {
	in := map[string]any{"name": f.Name, "semanticVersion": f.Version, "platform": "Linux", "data": f.Data}
	if f.Description != "" {
		in["description"] = f.Description
	}
	return create(ctx, d.svc.CreateComponent, account, in, "componentBuildVersionArn")
}

// create runs a Create* operation with in and a fresh client token and
// returns the ARN under key of its answer.
func create[I, O any](ctx context.Context, fn func(context.Context, string, I) (O, error), account string, in map[string]any, key string) (string, error) {
	in["clientToken"] = uuid.NewString()
	var out map[string]json.RawMessage
	if err := call(ctx, fn, account, in, &out); err != nil {
		return "", err
	}
	var a string
	err := json.Unmarshal(out[key], &a)
	return a, err
}

func (d data) createRecipe(ctx context.Context, account string, in map[string]any) (string, error) {
	return create(ctx, d.svc.CreateImageRecipe, account, in, "imageRecipeArn")
}

func (d data) createInfrastructure(ctx context.Context, account string, in map[string]any) (string, error) {
	return create(ctx, d.svc.CreateInfrastructureConfiguration, account, in, "infrastructureConfigurationArn")
}

func (d data) createPipeline(ctx context.Context, account string, in map[string]any) (string, error) {
	return create(ctx, d.svc.CreateImagePipeline, account, in, "imagePipelineArn")
}

// summary is a list row the wizard offers.
type summary struct {
	Arn     string `json:"arn"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Owner   string `json:"owner"`
	Type    string `json:"type"`
}

// recipes are the account's image recipes.
func (d data) recipes(ctx context.Context, account string) ([]choice, error) {
	rows, err := list[summary](ctx, d.svc.ListImageRecipes, account, map[string]any{"owner": "Self"}, "imageRecipeSummaryList")
	out := make([]choice, len(rows))
	for i, s := range rows {
		out[i] = choice{Value: s.Arn, Label: shortARN(s.Arn)}
	}
	return out, err
}

// infrastructures are the account's infrastructure configurations.
func (d data) infrastructures(ctx context.Context, account string) ([]choice, error) {
	rows, err := list[summary](ctx, d.svc.ListInfrastructureConfigurations, account, map[string]any{}, "infrastructureConfigurationSummaryList")
	out := make([]choice, len(rows))
	for i, s := range rows {
		out[i] = choice{Value: s.Arn, Label: s.Name}
	}
	return out, err
}

// componentChoices are the components a recipe can use: managed, the
// account's own and those shared with it.
func (d data) componentChoices(ctx context.Context, account string) ([]choice, error) {
	var out []choice
	for _, owner := range []string{"Amazon", "Self", "Shared"} {
		rows, err := list[summary](ctx, d.svc.ListComponents, account, map[string]any{"owner": owner}, "componentVersionList")
		if err != nil {
			return nil, err
		}
		for _, s := range rows {
			label := s.Name + " " + s.Version + " · " + strings.ToLower(s.Type) + " · " + map[string]string{"Amazon": "managed", "Self": "own", "Shared": "shared"}[owner]
			out = append(out, choice{Value: s.Arn, Label: label})
		}
	}
	return out, nil
}

// parentImages are the images a recipe can start from: the managed
// debian-12 and the account's own image versions.
func (d data) parentImages(ctx context.Context, account string) ([]choice, error) {
	out := []choice{{Value: service.BaseImageName, Label: service.BaseImageName + " (managed)"}}
	rows, err := list[summary](ctx, d.svc.ListImages, account, map[string]any{"owner": "Self"}, "imageVersionList")
	for _, s := range rows {
		out = append(out, choice{Value: s.Arn, Label: shortARN(s.Arn) + " (own)"})
	}
	return out, err
}
