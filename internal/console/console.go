// Package console is Goldsmith's web console: server-rendered pages (Go
// html/template, so nothing user-supplied renders as HTML) served by
// `goldsmith serve` at "/" next to the Image Builder API, with its
// templates, stylesheet and script embedded in the binary.
//
// Browser routes are kept apart from the SigV4 API routes (Tailscale's
// safeweb idea): Route sends a request that carries a SigV4 signature (an
// Authorization header or X-Amz-* query parameters) to the API and a
// browser request for a console path to the console. The console signs a
// user in with an access key id and secret checked against the same key
// store the API's verifier uses, keeps a server-side session that expires
// (an HttpOnly, SameSite=Strict cookie, Secure under TLS), refuses every
// state-changing request that is cross-site (Origin / Sec-Fetch-Site) or
// lacks the session's CSRF token, and answers with a strict
// Content-Security-Policy (no inline script).
//
// Every page and action is the signed-in account calling the same
// internal/service methods the API handlers call (all in data.go), so the
// API's rules apply unchanged: another account's resource is not found.
// The component editor's live check runs the validation CreateComponent
// runs (component.Load with the action modules) without creating
// anything; the pipeline wizard's schedule preview uses the scheduler's
// own parser (internal/schedule).
package console

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/auth"
	"github.com/goldsmith-dev/goldsmith/internal/service"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// DefaultSessionTTL is how long a sign-in lasts.
const DefaultSessionTTL = 12 * time.Hour

// Config configures New.
type Config struct {
	// Service runs every action as the signed-in account. Required.
	Service *service.Service
	// Keys verifies sign-ins: the key store the API's verifier uses. Required.
	Keys auth.KeyStore
	// SessionTTL is how long a session lasts. Default: DefaultSessionTTL.
	SessionTTL time.Duration
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// Logger. Default: slog.Default().
	Logger *slog.Logger
}

// Console serves the web console.
type Console struct {
	data     data
	keys     auth.KeyStore
	sessions *sessions
	now      func() time.Time
	log      *slog.Logger
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// New returns the console.
func New(cfg Config) (*Console, error) {
	if cfg.Service == nil || cfg.Keys == nil {
		return nil, errors.New("console: Service and Keys are required")
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Console{data: data{svc: cfg.Service}, keys: cfg.Keys, now: cfg.Now, log: cfg.Logger,
		sessions: newSessions(cfg.SessionTTL, cfg.Now), mux: http.NewServeMux()}
	var err error
	if c.pages, err = parsePages(); err != nil {
		return nil, err
	}
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	c.mux.HandleFunc("GET /static/{file}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
	c.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/pipelines", http.StatusSeeOther)
	})
	c.sessionRoutes()
	c.pipelineRoutes()
	c.imageRoutes()
	c.componentRoutes()
	c.wizardRoutes()
	return c, nil
}

// ServeHTTP serves a console request with the console's security headers.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.mux.ServeHTTP(w, r)
}

// Route is the handler of a server that serves both api and c at one
// address: a SigV4-signed request goes to api, a request for one of the
// console's paths to c, anything else to api (which answers an unsigned
// request with MissingAuthenticationTokenException, as before).
func Route(api http.Handler, c *Console) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !signed(r) {
			if _, pattern := c.mux.Handler(r); pattern != "" {
				c.ServeHTTP(w, r)
				return
			}
		}
		api.ServeHTTP(w, r)
	})
}

// signed reports whether r carries a SigV4 signature, in a header or in
// the query.
func signed(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" || r.Header.Get("X-Amz-Date") != "" {
		return true
	}
	q := r.URL.Query()
	return q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential") || q.Has("X-Amz-Signature")
}

// page is what every template gets.
type page struct {
	Title   string
	Nav     string // the active section
	Account string
	CSRF    string
	Flash   string // a message of the last action
	Error   string // an error to show above the content
	Data    any
}

// render writes the page template name with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if s := sessionFrom(r); s != nil {
		p.Account, p.CSRF = s.account, s.csrf
	}
	if p.Flash == "" {
		p.Flash = r.URL.Query().Get("done")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := c.pages[name].ExecuteTemplate(w, "layout", p); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
	}
}

// fail shows err: a not-found page for a missing resource or one of
// another account (the API's rules decide), the API's message otherwise.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, nav string, err error) {
	e, ok := apierr.As(err)
	switch {
	case ok && (e.Status == http.StatusNotFound || e.Status == http.StatusForbidden):
		c.render(w, r, http.StatusNotFound, "notfound", page{Title: "Not found", Nav: nav})
	case ok && e.Status < 500:
		c.render(w, r, e.Status, "error", page{Title: "Request refused", Nav: nav, Error: e.Code + ": " + e.Message})
	default:
		c.log.Error("console: internal error", "path", r.URL.Path, "err", err)
		c.render(w, r, http.StatusInternalServerError, "error", page{Title: "Error", Nav: nav,
			Error: "An internal error occurred; the server log has the details. Try again later."})
	}
}

// pageNames are the templates under templates/ besides layout.html.
var pageNames = []string{"signin", "notfound", "error", "pipelines", "pipeline", "images", "image", "components", "component", "component_new", "pipeline_new"}

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{"when": when, "shortARN": shortARN, "inc": func(i int) int { return i + 1 }}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}
