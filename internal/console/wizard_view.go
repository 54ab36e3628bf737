package console

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

// choice is an option of a wizard's list.
type choice struct {
	Value, Label string
}

// wizardPage is what a wizard step's template gets.
type wizardPage struct {
	Z             wizard
	Steps         []string
	NextRuns      []string // step 1
	ScheduleError string
	Recipes       []choice // step 2
	Parents       []choice
	Available     []choice // components to add
	Chosen        []choice // the recipe's components, in order
	Infras        []choice // step 3
	Review        []requestFile
}

var wizardSteps = []string{"Pipeline and schedule", "Recipe", "Infrastructure", "Review and create"}

// showStep renders the wizard at z.Step with what that step lists.
func (c *Console) showStep(w http.ResponseWriter, r *http.Request, status int, z wizard, errMsg, flash string) {
	ctx, account := r.Context(), sessionFrom(r).account
	p := wizardPage{Z: z, Steps: wizardSteps}
	var err error
	switch z.Step {
	case 1:
		if z.ScheduleMode == cron && z.Expression != "" {
			if p.NextRuns, err = nextRuns(z.Expression, z.Timezone, c.now(), 5); err != nil {
				p.ScheduleError, err = err.Error(), nil
			}
		}
	case 2:
		err = c.loadRecipeChoices(r, &p)
	case 3:
		p.Infras, err = c.data.infrastructures(ctx, account)
	case 4:
		p.Review = c.review(r, z)
	}
	if err != nil {
		c.fail(w, r, "pipelines", err)
		return
	}
	c.render(w, r, status, "pipeline_new", page{Title: "Create pipeline", Nav: "pipelines", Error: errMsg, Flash: flash, Data: p})
}

func (c *Console) loadRecipeChoices(r *http.Request, p *wizardPage) error {
	ctx, account := r.Context(), sessionFrom(r).account
	var err error
	if p.Recipes, err = c.data.recipes(ctx, account); err != nil {
		return err
	}
	if p.Parents, err = c.data.parentImages(ctx, account); err != nil {
		return err
	}
	if p.Available, err = c.data.componentChoices(ctx, account); err != nil {
		return err
	}
	labels := map[string]string{}
	for _, ch := range p.Available {
		labels[ch.Value] = ch.Label
	}
	for _, a := range p.Z.Components {
		label := labels[a]
		if label == "" {
			label = shortARN(a)
		}
		p.Chosen = append(p.Chosen, choice{Value: a, Label: label})
	}
	return nil
}

func (z wizard) recipeRequest() map[string]any {
	comps := make([]map[string]any, len(z.Components))
	for i, a := range z.Components {
		comps[i] = map[string]any{"componentArn": a}
	}
	return map[string]any{"name": z.RecipeName, "semanticVersion": z.RecipeVersion, "parentImage": z.ParentImage, "components": comps}
}

func (z wizard) infraRequest() map[string]any {
	return map[string]any{"name": z.InfraName, "instanceProfileName": z.InstanceProfile, "terminateInstanceOnFailure": !z.KeepOnFailure}
}

func (z wizard) pipelineRequest(recipeArn, infraArn string) map[string]any {
	req := map[string]any{"name": z.Name, "imageRecipeArn": recipeArn, "infrastructureConfigurationArn": infraArn, "status": "ENABLED"}
	if z.Description != "" {
		req["description"] = z.Description
	}
	if z.ScheduleMode == cron {
		req["schedule"] = map[string]any{"scheduleExpression": z.Expression, "timezone": z.Timezone,
			"pipelineExecutionStartCondition": z.StartCondition}
	}
	return req
}

// requestFile is a request the wizard sends, as an AWS CLI input file and
// the command that sends it.
type requestFile struct {
	File, JSON, Command string
}

// review is the requests step 4 creates, in order, with the ARNs that a
// new recipe or configuration will have.
func (c *Console) review(r *http.Request, z wizard) []requestFile {
	region, account := c.data.svc.Region(), sessionFrom(r).account
	flags := " --endpoint-url " + scheme(r) + "://" + r.Host + " --region " + region
	file := func(name, op string, req map[string]any) requestFile {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // the page escapes it; the file is for the CLI
		enc.SetIndent("", "  ")
		_ = enc.Encode(req)
		return requestFile{File: name, JSON: b.String(),
			Command: "aws imagebuilder " + op + flags + " --cli-input-json file://" + name}
	}
	var files []requestFile
	recipeArn, infraArn := z.RecipeArn, z.InfraArn
	if z.RecipeMode != useExisting {
		files = append(files, file("recipe.json", "create-image-recipe", z.recipeRequest()))
		recipeArn = predictARN(region, account, arn.ImageRecipe, z.RecipeName, z.RecipeVersion)
	}
	if z.InfraMode != useExisting {
		files = append(files, file("infrastructure.json", "create-infrastructure-configuration", z.infraRequest()))
		infraArn = predictARN(region, account, arn.InfrastructureConfiguration, z.InfraName, "")
	}
	return append(files, file("pipeline.json", "create-image-pipeline", z.pipelineRequest(recipeArn, infraArn)))
}

// predictARN is the ARN a new resource named name (and version) will
// have, or a placeholder when the name or version is not valid.
func predictARN(region, account string, t arn.ResourceType, name, version string) string {
	n, err := arn.NormalizeName(name)
	if err != nil {
		return "ARN-OF-" + string(t)
	}
	a := arn.New(region, account, t, n)
	if version != "" {
		v, err := arn.ParseSemanticVersion(version)
		if err != nil {
			return "ARN-OF-" + string(t)
		}
		a = a.WithVersion(v)
	}
	return a.String()
}
