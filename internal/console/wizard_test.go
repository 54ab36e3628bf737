package console_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
)

var (
	inputTag  = regexp.MustCompile(`<input ([^>]*)>`)
	attr      = regexp.MustCompile(`([a-zA-Z]+)(?:="([^"]*)")?`)
	selectTag = regexp.MustCompile(`(?s)<select name="([^"]+)"[^>]*>(.*?)</select>`)
	optionTag = regexp.MustCompile(`<option value="([^"]*)"( selected)?>`)
)

// formOf is what a browser submits of the form in page: its inputs
// (checked ones of radios and checkboxes) and each select's selected or
// first option; no button.
func formOf(page string) url.Values {
	form := url.Values{}
	for _, m := range inputTag.FindAllStringSubmatch(page, -1) {
		a := map[string]string{}
		for _, kv := range attr.FindAllStringSubmatch(m[1], -1) {
			a[kv[1]] = html.UnescapeString(kv[2])
		}
		_, checked := a["checked"]
		_, disabled := a["disabled"]
		if a["name"] == "" || disabled || (a["type"] == "radio" || a["type"] == "checkbox") && !checked {
			continue
		}
		form.Add(a["name"], a["value"])
	}
	for _, m := range selectTag.FindAllStringSubmatch(page, -1) {
		opts := optionTag.FindAllStringSubmatch(m[2], -1)
		if len(opts) == 0 {
			continue
		}
		chosen := opts[0]
		for _, o := range opts {
			if o[2] != "" {
				chosen = o
			}
		}
		form.Set(m[1], html.UnescapeString(chosen[1]))
	}
	return form
}

// next submits the wizard form of page as a browser would, with the
// answers typed and the button pressed.
func (b *browser) next(page string, answers url.Values, button string) (int, string, *http.Response) {
	b.t.Helper()
	form := formOf(page)
	for k, vs := range answers {
		form[k] = vs
	}
	form.Set("go", button)
	return b.post("/pipelines/new", form, nil)
}

// TestPipelineWizard walks the wizard with a browser's forms: a bad
// schedule is refused on step 1 with the parser's message, components are
// added and ordered, the review shows the AWS CLI requests, a refusal of
// the service comes back on the step it is about, and create makes the
// recipe, the configuration and the pipeline as the signed-in account.
func TestPipelineWizard(t *testing.T) {
	f := setup(t)
	b := newBrowser(t, f.url)
	b.signIn(f.a)
	code, page := b.get("/pipelines/new")
	if code != http.StatusOK || !strings.Contains(page, `aria-current="step">1. Pipeline and schedule`) {
		t.Fatalf("step 1: %d %s", code, page)
	}
	step1 := url.Values{"name": {"web-nightly"}, "description": {evil}, "scheduleMode": {"cron"}, "expression": {"cron(0 3 * * ? *"}, "timezone": {"UTC"}}
	code, bad, _ := b.next(page, step1, "next")
	if code != http.StatusBadRequest || !strings.Contains(bad, "Schedule: ") || !strings.Contains(bad, `aria-current="step">1.`) {
		t.Fatalf("bad schedule: %d %s", code, bad)
	}
	step1.Set("expression", "cron(0 3 * * ? *)")
	code, page, _ = b.next(bad, step1, "next")
	if code != http.StatusOK || !strings.Contains(page, `aria-current="step">2. Recipe`) || !strings.Contains(page, "update-linux 1.0.0 · build · managed") {
		t.Fatalf("step 2: %d %s", code, page)
	}
	comps := regexp.MustCompile(`<option value="(arn:[^"]+:component/[^"]+)">([^<]+)</option>`).FindAllStringSubmatch(page, -1)
	if len(comps) < 2 {
		t.Fatalf("step 2 offers %d components: %s", len(comps), page)
	}
	step2 := url.Values{"recipeMode": {"new"}, "recipeName": {"web"}, "recipeVersion": {"1.0"}, "parentImage": {"debian-12"}}
	code, page, _ = b.next(page, step2, "next")
	if code != http.StatusBadRequest || !strings.Contains(page, "Add at least one component") {
		t.Fatalf("a recipe without components: %d %s", code, page)
	}
	for _, c := range comps[:2] {
		step2.Set("addComponent", c[1])
		if code, page, _ = b.next(page, step2, "add"); code != http.StatusOK {
			t.Fatalf("add %s: %d %s", c[2], code, page)
		}
	}
	step2.Del("addComponent")
	code, page, _ = b.next(page, step2, "down:0")
	chosen := regexp.MustCompile(`name="component" value="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if code != http.StatusOK || len(chosen) != 2 || chosen[0][1] != comps[1][1] || chosen[1][1] != comps[0][1] {
		t.Fatalf("components after moving the first down: %v", chosen)
	}
	code, page, _ = b.next(page, step2, "next")
	if code != http.StatusOK || !strings.Contains(page, `aria-current="step">3. Infrastructure`) {
		t.Fatalf("step 3: %d %s", code, page)
	}
	code, page, _ = b.next(page, url.Values{"infraMode": {"new"}, "infraName": {"default"}, "instanceProfile": {"goldsmith-build"}}, "next")
	if code != http.StatusOK || !strings.Contains(page, `aria-current="step">4. Review`) {
		t.Fatalf("step 4: %d %s", code, page)
	}
	for _, want := range []string{"aws imagebuilder create-image-recipe --endpoint-url " + f.url + " --region " + region + " --cli-input-json file://recipe.json",
		"create-infrastructure-configuration", "file://pipeline.json", "&#34;scheduleExpression&#34;: &#34;cron(0 3 * * ? *)&#34;",
		"&#34;componentArn&#34;: &#34;" + comps[1][1], "&#34;description&#34;: &#34;&lt;img src=x onerror=alert(1)&gt;&#34;"} {
		if !strings.Contains(page, want) {
			t.Errorf("review lacks %q", want)
		}
	}
	// The recipe's version "1.0" is the service's to refuse: step 2 shows it.
	code, refused, _ := b.next(page, nil, "create")
	if code != http.StatusBadRequest || !strings.Contains(refused, `aria-current="step">2. Recipe`) || !strings.Contains(refused, "The semantic version &#39;1.0&#39; is not valid") {
		t.Fatalf("create with a bad recipe version: %d %s", code, refused)
	}
	code, page, _ = b.next(refused, url.Values{"recipeVersion": {"1.0.0"}}, "next")
	if code != http.StatusOK {
		t.Fatalf("step 3 again: %d %s", code, page)
	}
	if code, page, _ = b.next(page, nil, "next"); code != http.StatusOK {
		t.Fatalf("step 4 again: %d %s", code, page)
	}
	code, body, resp := b.next(page, nil, "create")
	if code != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/pipelines/view?arn=") {
		t.Fatalf("create: %d %s", code, body)
	}
	pipeArn, _ := url.ParseQuery(strings.TrimPrefix(resp.Header.Get("Location"), "/pipelines/view?"))
	got, err := f.a.client.GetImagePipeline(context.Background(), &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(pipeArn.Get("arn"))})
	if err != nil {
		t.Fatalf("the pipeline through the API: %v", err)
	}
	p := got.ImagePipeline
	if aws.ToString(p.Description) != evil || p.Schedule == nil || aws.ToString(p.Schedule.ScheduleExpression) != "cron(0 3 * * ? *)" {
		t.Errorf("pipeline through the API: %+v", p)
	}
	rec, err := f.a.client.GetImageRecipe(context.Background(), &imagebuilder.GetImageRecipeInput{ImageRecipeArn: p.ImageRecipeArn})
	if err != nil || len(rec.ImageRecipe.Components) != 2 || aws.ToString(rec.ImageRecipe.Components[0].ComponentArn) != comps[1][1] {
		t.Errorf("recipe through the API (%v): %+v", err, rec)
	}
	_, body = b.get("/pipelines")
	if !strings.Contains(body, ">web-nightly<") || !strings.Contains(body, "web/1.0.0") {
		t.Errorf("the new pipeline is not listed: %s", body)
	}
	// A second pipeline reuses the recipe and the configuration.
	_, page = b.get("/pipelines/new")
	_, page, _ = b.next(page, url.Values{"name": {"web-manual"}, "scheduleMode": {"manual"}}, "next")
	code, page, _ = b.next(page, url.Values{"recipeMode": {"existing"}, "recipeArn": {aws.ToString(p.ImageRecipeArn)}}, "next")
	if code != http.StatusOK {
		t.Fatalf("step 2, existing recipe: %d %s", code, page)
	}
	code, page, _ = b.next(page, url.Values{"infraMode": {"existing"}, "infraArn": {aws.ToString(p.InfrastructureConfigurationArn)}}, "next")
	if code != http.StatusOK || strings.Contains(page, "recipe.json") || strings.Contains(page, "infrastructure.json") ||
		!strings.Contains(page, "&#34;imageRecipeArn&#34;: &#34;"+aws.ToString(p.ImageRecipeArn)) {
		t.Fatalf("review of a pipeline with existing parts: %d %s", code, page)
	}
	if code, body, _ = b.next(page, nil, "create"); code != http.StatusSeeOther {
		t.Fatalf("create with existing parts: %d %s", code, body)
	}
	if _, body = b.get("/pipelines"); !strings.Contains(body, ">web-manual<") {
		t.Errorf("the second pipeline is not listed")
	}
	// Submitting the review again is the service's to refuse, on step 1.
	if code, body, _ := b.next(page, nil, "create"); code < 400 || !strings.Contains(body, `aria-current="step">1.`) || !strings.Contains(body, "ResourceAlreadyExistsException") {
		t.Errorf("a repeated create: %d %s", code, body)
	}
	// A cross-site form post creates nothing.
	form := formOf(page)
	form.Set("go", "create")
	form.Set("name", "web-evil")
	if code, _, _ := b.post("/pipelines/new", form, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); code != http.StatusForbidden {
		t.Errorf("cross-site create: %d, want 403", code)
	}
	// Created as account a: account b sees none of it.
	nb := newBrowser(t, f.url)
	nb.signIn(f.b)
	if _, body := nb.get("/pipelines"); strings.Contains(body, "web-nightly") {
		t.Errorf("account b sees a's pipeline")
	}
}

// TestSchedulePreview asks for the next runs of expressions as the
// wizard's script does: the scheduler's parser decides.
func TestSchedulePreview(t *testing.T) {
	f := setup(t)
	b := newBrowser(t, f.url)
	b.signIn(f.a)
	if code, _ := newBrowser(t, f.url).get("/pipelines/schedule?expression=cron(0+3+*+*+%3F+*)"); code != http.StatusSeeOther {
		t.Errorf("preview without a session: %d, want a redirect to sign in", code)
	}
	tests := []struct {
		expr, tz, wantRun, wantErr string
	}{
		{"cron(30 3 * * ? *)", "UTC", "03:30 UTC", ""},
		{"cron(0 9 ? * MON *)", "Europe/Berlin", "Mon ", ""},
		{"cron(61 3 * * ? *)", "UTC", "", "61"},
		{"cron(0 3 * * ? *)", "Mars/Olympus", "", "Mars/Olympus"},
	}
	for _, tc := range tests {
		t.Run(tc.expr+" "+tc.tz, func(t *testing.T) {
			code, body := b.get("/pipelines/schedule?" + url.Values{"expression": {tc.expr}, "timezone": {tc.tz}}.Encode())
			var out struct {
				Next  []string
				Error string
			}
			if err := json.Unmarshal([]byte(body), &out); code != http.StatusOK || err != nil {
				t.Fatalf("%d %s (%v)", code, body, err)
			}
			if tc.wantErr != "" {
				if len(out.Next) != 0 || !strings.Contains(out.Error, tc.wantErr) {
					t.Errorf("got %+v, want an error mentioning %q", out, tc.wantErr)
				}
				return
			}
			if out.Error != "" || len(out.Next) != 5 {
				t.Fatalf("got %+v, want 5 runs", out)
			}
			prev := time.Now().UTC().Format("2006-01-02 15:04")
			for _, run := range out.Next {
				// "Mon 2006-01-02 15:04 MST": from the date on, in order.
				if !strings.Contains(run, tc.wantRun) || run[4:20] <= prev[:min(len(prev), 16)] && tc.tz == "UTC" {
					t.Errorf("runs %v: %q lacks %q or is not after %q", out.Next, run, tc.wantRun, prev)
				}
				prev = run[4:20]
			}
		})
	}
}
