package console

import (
	"encoding/json"
	"net/http"
	"strconv"
)

func (c *Console) imageRoutes() {
	c.mux.Handle("GET /images", c.page(c.listImages))
	c.mux.Handle("GET /images/view", c.page(c.viewImage))
	c.mux.Handle("GET /images/progress", c.page(c.imageProgress))
	c.mux.Handle("POST /images/cancel", c.action(c.cancelImage))
}

func (c *Console) listImages(w http.ResponseWriter, r *http.Request) {
	list, err := c.data.images(r.Context(), sessionFrom(r).account)
	if err != nil {
		c.fail(w, r, "images", err)
		return
	}
	c.render(w, r, http.StatusOK, "images", page{Title: "Images", Nav: "images", Data: list})
}

// stepView is a step as the image page and its progress endpoint show it.
type stepView struct {
	Workflow string `json:"workflow"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	Message  string `json:"message"`
	Elapsed  string `json:"elapsed"`
}

// progress is the live state of an image build: the image page renders it
// first, then its script polls /images/progress for the next one.
type progress struct {
	Status  string     `json:"status"`
	Reason  string     `json:"reason"`
	Done    bool       `json:"done"` // a final state: nothing more will change
	Steps   []stepView `json:"steps"`
	Log     string     `json:"log"`     // the log from the asked offset
	LogSize int64      `json:"logSize"` // the offset to ask next
}

type imageData struct {
	Image    Image
	Progress progress
}

// finalStates are image states that never change again.
var finalStates = map[string]bool{"AVAILABLE": true, "FAILED": true, "CANCELLED": true, "DELETED": true, "DEPRECATED": true, "DISABLED": true}

func (c *Console) progressOf(r *http.Request, img Image, offset int64) (progress, error) {
	ctx, account := r.Context(), sessionFrom(r).account
	p := progress{Status: img.State.Status, Reason: img.State.Reason, Done: finalStates[img.State.Status], Steps: []stepView{}}
	steps, err := c.data.steps(ctx, account, img.Arn)
	if err != nil {
		return p, err
	}
	now := c.now()
	for _, s := range steps {
		p.Steps = append(p.Steps, stepView{Workflow: s.Workflow, Name: s.Name, Status: s.Status, Message: s.Message,
			Elapsed: elapsed(s.StartTime, s.EndTime, now).String()})
	}
	lg, err := c.data.log(ctx, account, img.Arn, offset)
	if err != nil {
		return p, err
	}
	p.Log, p.LogSize = lg.Text, lg.Size
	return p, nil
}

func (c *Console) viewImage(w http.ResponseWriter, r *http.Request) {
	img, err := c.data.image(r.Context(), sessionFrom(r).account, r.URL.Query().Get("arn"))
	if err != nil {
		c.fail(w, r, "images", err)
		return
	}
	p, err := c.progressOf(r, img, 0)
	if err != nil {
		c.fail(w, r, "images", err)
		return
	}
	c.render(w, r, http.StatusOK, "image", page{Title: img.Name + " " + img.Version, Nav: "images", Data: imageData{Image: img, Progress: p}})
}

// imageProgress answers the live state of an image as JSON, with the log
// from ?offset=.
func (c *Console) imageProgress(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.ParseInt(r.URL.Query().Get("offset"), 10, 64)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	img, err := c.data.image(r.Context(), sessionFrom(r).account, r.URL.Query().Get("arn"))
	var p progress
	if err == nil {
		p, err = c.progressOf(r, img, offset)
	}
	if err != nil {
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "The image is not available: reload the page."})
		return
	}
	_ = json.NewEncoder(w).Encode(p)
}

func (c *Console) cancelImage(w http.ResponseWriter, r *http.Request) {
	arn := r.PostFormValue("arn")
	if err := c.data.cancelImage(r.Context(), sessionFrom(r).account, arn); err != nil {
		c.fail(w, r, "images", err)
		return
	}
	redirect(w, r, "/images/view", arn, "Cancellation requested.")
}
