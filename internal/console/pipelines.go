package console

import (
	"net/http"
	"net/url"
	"strings"
)

func (c *Console) pipelineRoutes() {
	c.mux.Handle("GET /pipelines", c.page(c.listPipelines))
	c.mux.Handle("GET /pipelines/view", c.page(c.viewPipeline))
	c.mux.Handle("POST /pipelines/run", c.action(c.runPipeline))
	c.mux.Handle("POST /pipelines/status", c.action(c.setPipelineStatus))
}

// pipelineRow is a pipelines list row: the pipeline and its last image.
type pipelineRow struct {
	Pipeline
	Last *Image
}

func (c *Console) listPipelines(w http.ResponseWriter, r *http.Request) {
	ctx, account := r.Context(), sessionFrom(r).account
	list, err := c.data.pipelines(ctx, account)
	if err != nil {
		c.fail(w, r, "pipelines", err)
		return
	}
	rows := make([]pipelineRow, len(list))
	for i, p := range list {
		rows[i].Pipeline = p
		if rows[i].Last, err = c.data.lastImage(ctx, account, p.Arn); err != nil {
			c.fail(w, r, "pipelines", err)
			return
		}
	}
	c.render(w, r, http.StatusOK, "pipelines", page{Title: "Image pipelines", Nav: "pipelines", Data: rows})
}

type pipelineData struct {
	Pipeline Pipeline
	Images   []Image
}

func (c *Console) viewPipeline(w http.ResponseWriter, r *http.Request) {
	ctx, account, arn := r.Context(), sessionFrom(r).account, r.URL.Query().Get("arn")
	p, err := c.data.pipeline(ctx, account, arn)
	if err != nil {
		c.fail(w, r, "pipelines", err)
		return
	}
	imgs, err := c.data.pipelineImages(ctx, account, p.Arn)
	if err != nil {
		c.fail(w, r, "pipelines", err)
		return
	}
	c.render(w, r, http.StatusOK, "pipeline", page{Title: p.Name, Nav: "pipelines", Data: pipelineData{Pipeline: p, Images: imgs}})
}

func (c *Console) runPipeline(w http.ResponseWriter, r *http.Request) {
	arn := r.PostFormValue("arn")
	image, err := c.data.runPipeline(r.Context(), sessionFrom(r).account, arn)
	if err != nil {
		c.fail(w, r, "pipelines", err)
		return
	}
	redirect(w, r, "/images/view", image, "Build started.")
}

func (c *Console) setPipelineStatus(w http.ResponseWriter, r *http.Request) {
	arn, status := r.PostFormValue("arn"), r.PostFormValue("status")
	if status != "ENABLED" && status != "DISABLED" {
		c.render(w, r, http.StatusBadRequest, "error", page{Title: "Request refused", Nav: "pipelines",
			Error: "The status must be ENABLED or DISABLED."})
		return
	}
	if err := c.data.setPipelineStatus(r.Context(), sessionFrom(r).account, arn, status); err != nil {
		c.fail(w, r, "pipelines", err)
		return
	}
	redirect(w, r, "/pipelines/view", arn, "Pipeline "+strings.ToLower(status)+".")
}

// redirect sends the browser to a resource's page after an action, with
// a message of what was done.
func redirect(w http.ResponseWriter, r *http.Request, path, arn, done string) {
	http.Redirect(w, r, path+"?"+url.Values{"arn": {arn}, "done": {done}}.Encode(), http.StatusSeeOther)
}

// when shows an API timestamp in UTC to the minute ("" for none).
func when(v string) string {
	t, err := parseTime(v)
	if err != nil {
		return v
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// shortARN is the part of an ARN after its resource type, e.g.
// my-recipe/1.0.0 for arn:aws:imagebuilder:…:image-recipe/my-recipe/1.0.0.
func shortARN(a string) string {
	if i := strings.Index(a, "/"); i >= 0 {
		return a[i+1:]
	}
	return a
}
