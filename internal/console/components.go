package console

import "net/http"

func (c *Console) componentRoutes() {
	c.mux.Handle("GET /components", c.page(c.listComponents))
	c.mux.Handle("GET /components/view", c.page(c.viewComponent))
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
