package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/auth"
)

// cookieName is the session cookie.
const cookieName = "goldsmith_session"

// session is a signed-in browser.
type session struct {
	id      string
	account string
	keyID   string
	csrf    string
	expires time.Time
}

// sessions are held by the server: the cookie carries only a random id.
type sessions struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*session
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{ttl: ttl, now: now, m: map[string]*session{}}
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) create(account, keyID string) *session {
	ss := &session{id: randomToken(), account: account, keyID: keyID, csrf: randomToken(), expires: s.now().Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for id, old := range s.m { // drop expired sessions as new ones come
		if !now.Before(old.expires) {
			delete(s.m, id)
		}
	}
	s.m[ss.id] = ss
	return ss
}

// get returns the live session id names, or nil.
func (s *sessions) get(id string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.m[id]
	if ss == nil {
		return nil
	}
	if !s.now().Before(ss.expires) {
		delete(s.m, id)
		return nil
	}
	return ss
}

func (s *sessions) delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

type sessionKey struct{}

// sessionFrom is the session requireSession put in r's context.
func sessionFrom(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	return s
}

// sessionRoutes registers sign-in and sign-out.
func (c *Console) sessionRoutes() {
	c.mux.HandleFunc("GET /signin", c.signInPage)
	c.mux.HandleFunc("POST /signin", c.sameOrigin(c.signIn))
	c.mux.Handle("POST /signout", c.action(c.signOut))
}

// page serves a signed-in GET page; a browser without a live session is
// sent to the sign-in page.
func (c *Console) page(fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := c.current(r)
		if s == nil {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		fn(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	})
}

// action serves a signed-in state-changing request: same-origin, with the
// session's CSRF token in the form.
func (c *Console) action(fn http.HandlerFunc) http.Handler {
	return c.sameOrigin(func(w http.ResponseWriter, r *http.Request) {
		s := c.current(r)
		if s == nil {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.csrf)) != 1 {
			c.refuse(w, r, "The form has expired or did not come from this console. Reload the page and try again.")
			return
		}
		fn(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	})
}

// sameOrigin refuses a cross-site request: the browser's Sec-Fetch-Site
// must say same-origin, and an Origin header must be this server's.
func (c *Console) sameOrigin(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
			c.refuse(w, r, "Cross-site request refused: use the console's own pages.")
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && origin != scheme(r)+"://"+r.Host {
			c.refuse(w, r, "Cross-site request refused: use the console's own pages.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		fn(w, r)
	}
}

func (c *Console) refuse(w http.ResponseWriter, r *http.Request, msg string) {
	c.render(w, r, http.StatusForbidden, "error", page{Title: "Request refused", Error: msg})
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// current is r's live session whose key is still valid, or nil.
func (c *Console) current(r *http.Request) *session {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	s := c.sessions.get(ck.Value)
	if s == nil {
		return nil
	}
	// A key revoked (or deleted) since sign-in ends its sessions.
	if key, err := c.keys.LookupKey(r.Context(), s.keyID); err != nil || key.Revoked {
		c.sessions.delete(s.id)
		return nil
	}
	return s
}

type signInData struct {
	Next        string
	AccessKeyID string
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "signin", page{Title: "Sign in", Data: signInData{Next: safeNext(r.URL.Query().Get("next"))}})
}

func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	id, secret := strings.TrimSpace(r.PostFormValue("accessKeyId")), r.PostFormValue("secretAccessKey")
	next := safeNext(r.PostFormValue("next"))
	key, err := c.keys.LookupKey(r.Context(), id)
	ok := err == nil && !key.Revoked && subtle.ConstantTimeCompare([]byte(key.Secret), []byte(secret)) == 1
	if err != nil && !errors.Is(err, auth.ErrKeyNotFound) {
		c.log.Error("console: look up access key", "err", err)
	}
	if !ok {
		c.render(w, r, http.StatusUnauthorized, "signin", page{Title: "Sign in",
			Error: "The access key id or secret is not valid. Use a key of `goldsmith keys list` (the first one is in the data directory's credentials file).",
			Data:  signInData{Next: next, AccessKeyID: id}})
		return
	}
	s := c.sessions.create(key.AccountID, key.AccessKeyID)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.id, Path: "/", Expires: s.expires,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	c.sessions.delete(sessionFrom(r).id)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/pipelines"
	}
	return next
}
