package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

func (c *Console) componentRoutes() {
	c.mux.Handle("GET /components", c.page(c.listComponents))
	c.mux.Handle("GET /components/view", c.page(c.viewComponent))
	c.mux.Handle("GET /components/new", c.page(c.newComponent))
	c.mux.Handle("POST /components/new", c.action(c.createComponent))
	c.mux.Handle("POST /components/validate", c.action(c.validateComponent))
}

func (c *Console) listComponents(w http.ResponseWriter, r *http.Request) {
	list, err := c.data.components(r.Context(), sessionFrom(r).account)
	if err != nil {
		c.fail(w, r, "components", err)
		return
	}
	c.render(w, r, http.StatusOK, "components", page{Title: "Components", Nav: "components", Data: list})
}

func (c *Console) viewComponent(w http.ResponseWriter, r *http.Request) {
	comp, err := c.data.component(r.Context(), sessionFrom(r).account, r.URL.Query().Get("arn"))
	if err != nil {
		c.fail(w, r, "components", err)
		return
	}
	c.render(w, r, http.StatusOK, "component", page{Title: comp.Name + " " + comp.Version, Nav: "components", Data: comp})
}

// newComponentForm is the create-component form's values.
type newComponentForm struct {
	Name, Version, Description, Data string
}

// starterDocument is the editor's first text: a component to adapt.
const starterDocument = `# A component runs its phases in order: build, validate, then test.
name: my-component
description: What this component installs or configures.
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: InstallCurl
        action: ExecuteBash
        inputs:
          commands: [apt-get update, apt-get install -y curl]
  - name: validate
    steps:
      - name: CurlRuns
        action: ExecuteBash
        inputs: {commands: [curl --version]}
`

func (c *Console) newComponent(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "component_new", page{Title: "Create component", Nav: "components",
		Data: newComponentForm{Version: "1.0.0", Data: starterDocument}})
}

func (c *Console) createComponent(w http.ResponseWriter, r *http.Request) {
	f := newComponentForm{Name: strings.TrimSpace(r.PostFormValue("name")), Version: strings.TrimSpace(r.PostFormValue("version")),
		Description: r.PostFormValue("description"), Data: r.PostFormValue("data")}
	created, err := c.data.createComponent(r.Context(), sessionFrom(r).account, f)
	if e, ok := apierr.As(err); ok && e.Status < 500 && e.Status != http.StatusNotFound {
		c.render(w, r, e.Status, "component_new", page{Title: "Create component", Nav: "components", Error: e.Message, Data: f})
		return
	}
	if err != nil {
		c.fail(w, r, "components", err)
		return
	}
	redirect(w, r, "/components/view", created, "Component created.")
}

// problemView is a problem of a component document as the editor shows
// it; Line and Col are 0 when the problem has no place.
type problemView struct {
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// validateComponent answers the problems of the document in the form's
// data as JSON: the validation CreateComponent runs (component.Load with
// the action modules), each problem at its line and column.
func (c *Console) validateComponent(w http.ResponseWriter, r *http.Request) {
	problems := documentProblems(r.PostFormValue("data"))
	writeJSON(w, http.StatusOK, map[string]any{"problems": problems})
}

func documentProblems(data string) []problemView {
	out := []problemView{}
	if strings.ContainsRune(data, 0) {
		return append(out, problemView{Message: "The document must not contain NUL characters."})
	}
	_, err := component.Load("", []byte(data), action.Set{})
	var ps component.Problems
	switch {
	case errors.As(err, &ps):
		for _, p := range ps {
			out = append(out, problemView{Line: p.Pos.Line, Col: p.Pos.Col, Path: p.Path, Message: p.Msg})
		}
	case err != nil:
		out = append(out, problemView{Message: err.Error()})
	}
	return out
}

// writeJSON answers v as JSON that no cache keeps.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
