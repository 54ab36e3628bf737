package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/schedule"
)

// The create-pipeline wizard: four steps, one form each, every answer
// carried from step to step in hidden fields (no server-side draft to
// expire or leak between tabs). Create (step 4) runs CreateImageRecipe,
// CreateInfrastructureConfiguration and CreateImagePipeline through the
// service as the signed-in account; a refusal is shown on the step whose
// answers it is about.

func (c *Console) wizardRoutes() {
	c.mux.Handle("GET /pipelines/new", c.page(c.wizardStart))
	c.mux.Handle("POST /pipelines/new", c.action(c.wizardStep))
	c.mux.Handle("GET /pipelines/schedule", c.page(c.schedulePreview))
}

// Wizard answers that have a fixed set of values.
const (
	manual      = "manual"
	cron        = "cron"
	useExisting = "existing"
	createNew   = "new"
)

// wizard is the wizard's state: the step shown and every step's answers.
type wizard struct {
	Step int
	// Step 1: the pipeline.
	Name, Description, ScheduleMode, Expression, Timezone, StartCondition string
	// Step 2: the recipe, picked or new.
	RecipeMode, RecipeArn, RecipeName, RecipeVersion, ParentImage string
	Components                                                    []string // ARNs in order
	// Step 3: the infrastructure configuration, picked or new.
	InfraMode, InfraArn, InfraName, InstanceProfile string
	KeepOnFailure                                   bool
}

// formField is one answer as a form field of the step it belongs to.
type formField struct {
	Step        int
	Name, Value string
}

func (z wizard) fields() []formField {
	fs := []formField{{1, "name", z.Name}, {1, "description", z.Description}, {1, "scheduleMode", z.ScheduleMode},
		{1, "expression", z.Expression}, {1, "timezone", z.Timezone}, {1, "startCondition", z.StartCondition},
		{2, "recipeMode", z.RecipeMode}, {2, "recipeArn", z.RecipeArn}, {2, "recipeName", z.RecipeName},
		{2, "recipeVersion", z.RecipeVersion}, {2, "parentImage", z.ParentImage},
		{3, "infraMode", z.InfraMode}, {3, "infraArn", z.InfraArn}, {3, "infraName", z.InfraName},
		{3, "instanceProfile", z.InstanceProfile}, {3, "keepOnFailure", strconv.FormatBool(z.KeepOnFailure)}}
	for _, a := range z.Components {
		fs = append(fs, formField{2, "component", a})
	}
	return fs
}

// Carried are the answers of the other steps, for hidden fields.
func (z wizard) Carried() []formField {
	var out []formField
	for _, f := range z.fields() {
		if f.Step != z.Step {
			out = append(out, f)
		}
	}
	return out
}

func newWizard() wizard {
	return wizard{Step: 1, ScheduleMode: manual, Timezone: "UTC", StartCondition: "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE",
		RecipeMode: createNew, RecipeVersion: "1.0.0", ParentImage: "debian-12", InfraMode: createNew, InstanceProfile: "goldsmith-build"}
}

func readWizard(r *http.Request) wizard {
	_ = r.ParseForm()
	v := r.PostForm
	step, _ := strconv.Atoi(v.Get("step"))
	z := wizard{Step: min(max(step, 1), 4), Name: strings.TrimSpace(v.Get("name")), Description: strings.TrimSpace(v.Get("description")),
		ScheduleMode: v.Get("scheduleMode"), Expression: strings.TrimSpace(v.Get("expression")), Timezone: strings.TrimSpace(v.Get("timezone")),
		StartCondition: v.Get("startCondition"), RecipeMode: v.Get("recipeMode"), RecipeArn: v.Get("recipeArn"),
		RecipeName: strings.TrimSpace(v.Get("recipeName")), RecipeVersion: strings.TrimSpace(v.Get("recipeVersion")),
		ParentImage: v.Get("parentImage"), Components: v["component"], InfraMode: v.Get("infraMode"), InfraArn: v.Get("infraArn"),
		InfraName: strings.TrimSpace(v.Get("infraName")), InstanceProfile: strings.TrimSpace(v.Get("instanceProfile")),
		KeepOnFailure: v.Get("keepOnFailure") == "true"}
	if z.Timezone == "" {
		z.Timezone = "UTC"
	}
	return z
}

// check is what is wrong with the answers of the step shown, before the
// service is asked: "" when nothing is.
func (c *Console) check(ctx context.Context, account string, z wizard) (string, error) {
	switch z.Step {
	case 1:
		if err := arn.ValidateName(z.Name); err != nil {
			return "Pipeline name: " + err.Error(), nil
		}
		if z.ScheduleMode == cron {
			if _, err := nextRuns(z.Expression, z.Timezone, c.now(), 1); err != nil {
				return "Schedule: " + err.Error(), nil
			}
		}
		existing, err := c.data.pipelines(ctx, account)
		for _, p := range existing {
			if strings.EqualFold(p.Name, z.Name) {
				return "A pipeline named " + p.Name + " exists already: choose another name.", nil
			}
		}
		return "", err
	case 2:
		if z.RecipeMode == useExisting {
			if z.RecipeArn == "" {
				return "Choose a recipe, or create one.", nil
			}
			return "", nil
		}
		if err := arn.ValidateName(z.RecipeName); err != nil {
			return "Recipe name: " + err.Error(), nil
		}
		if len(z.Components) == 0 {
			return "Add at least one component to the recipe.", nil
		}
	case 3:
		if z.InfraMode == useExisting && z.InfraArn == "" {
			return "Choose an infrastructure configuration, or create one.", nil
		}
		if z.InfraMode != useExisting {
			if err := arn.ValidateName(z.InfraName); err != nil {
				return "Infrastructure configuration name: " + err.Error(), nil
			}
		}
	}
	return "", nil
}

func (c *Console) wizardStart(w http.ResponseWriter, r *http.Request) {
	c.showStep(w, r, http.StatusOK, newWizard(), "", "")
}

// wizardStep applies the button pressed ("go") to the answers posted and
// shows the step that follows.
func (c *Console) wizardStep(w http.ResponseWriter, r *http.Request) {
	ctx, account := r.Context(), sessionFrom(r).account
	z := readWizard(r)
	op, n, _ := strings.Cut(r.PostFormValue("go"), ":")
	i, _ := strconv.Atoi(n)
	switch op {
	case "back":
		z.Step = max(z.Step-1, 1)
	case "add":
		if a := r.PostFormValue("addComponent"); a != "" {
			z.Components = append(z.Components, a)
		}
	case "up", "down", "remove":
		z.Components = reorder(z.Components, op, i)
	case "create":
		c.createFromWizard(w, r, z)
		return
	default: // next
		msg, err := c.check(ctx, account, z)
		if err != nil {
			c.fail(w, r, "pipelines", err)
			return
		}
		if msg != "" {
			c.showStep(w, r, http.StatusBadRequest, z, msg, "")
			return
		}
		z.Step = min(z.Step+1, 4)
	}
	c.showStep(w, r, http.StatusOK, z, "", "")
}

// reorder moves component i up or down, or removes it.
func reorder(list []string, op string, i int) []string {
	if i < 0 || i >= len(list) {
		return list
	}
	out := append([]string(nil), list...)
	switch {
	case op == "remove":
		return append(out[:i], out[i+1:]...)
	case op == "up" && i > 0:
		out[i-1], out[i] = out[i], out[i-1]
	case op == "down" && i < len(out)-1:
		out[i+1], out[i] = out[i], out[i+1]
	}
	return out
}

// createFromWizard creates what the wizard describes. A recipe or
// configuration it creates is picked from then on, so that trying again
// after a refusal does not create it twice.
func (c *Console) createFromWizard(w http.ResponseWriter, r *http.Request, z wizard) {
	ctx, account := r.Context(), sessionFrom(r).account
	var done []string
	refused := func(step int, err error) {
		e, ok := apierr.As(err)
		if !ok || e.Status >= 500 {
			c.fail(w, r, "pipelines", err)
			return
		}
		z.Step = step
		flash := ""
		if len(done) > 0 {
			flash = "Created " + strings.Join(done, " and ") + "; it is picked on its step."
		}
		c.showStep(w, r, e.Status, z, e.Code+": "+e.Message, flash)
	}
	if z.RecipeMode != useExisting {
		a, err := c.data.createRecipe(ctx, account, z.recipeRequest())
		if err != nil {
			refused(2, err)
			return
		}
		z.RecipeMode, z.RecipeArn = useExisting, a
		done = append(done, "recipe "+shortARN(a))
	}
	if z.InfraMode != useExisting {
		a, err := c.data.createInfrastructure(ctx, account, z.infraRequest())
		if err != nil {
			refused(3, err)
			return
		}
		z.InfraMode, z.InfraArn = useExisting, a
		done = append(done, "infrastructure configuration "+shortARN(a))
	}
	a, err := c.data.createPipeline(ctx, account, z.pipelineRequest(z.RecipeArn, z.InfraArn))
	if err != nil {
		refused(1, err)
		return
	}
	redirect(w, r, "/pipelines/view", a, "Pipeline created.")
}

// nextRuns are the next n times expression matches in timezone after
// now, parsed by the scheduler's own parser.
func nextRuns(expression, timezone string, now time.Time, n int) ([]string, error) {
	cr, err := schedule.Parse(expression)
	if err != nil {
		return nil, err
	}
	loc, err := schedule.ParseTimezone(timezone)
	if err != nil {
		return nil, err
	}
	runs := []string{}
	for t := now; len(runs) < n; {
		next, ok := cr.Next(t, loc)
		if !ok {
			break
		}
		runs = append(runs, next.In(loc).Format("Mon 2006-01-02 15:04 MST"))
		t = next
	}
	return runs, nil
}

// schedulePreview answers the next runs of ?expression= in ?timezone= as
// JSON, or the parser's error.
func (c *Console) schedulePreview(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	runs, err := nextRuns(strings.TrimSpace(q.Get("expression")), q.Get("timezone"), c.now(), 5)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"next": []string{}, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"next": runs})
}
