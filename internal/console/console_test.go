package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
)

func TestSignInAndOut(t *testing.T) {
	f := setup(t)
	b := newBrowser(t, f.url)
	code, _, resp := b.post("/signin", url.Values{"accessKeyId": {f.a.keyID}, "secretAccessKey": {"wrong"}}, nil)
	if code != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d", code)
	}
	resp, err := b.c.Get(f.url + "/pipelines")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?next=%2Fpipelines" {
		t.Fatalf("signed out /pipelines: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	code, _, resp = b.post("/signin", url.Values{"accessKeyId": {f.a.keyID}, "secretAccessKey": {f.a.secret}, "next": {"/components"}}, nil)
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/components" {
		t.Fatalf("sign-in: %d %s", code, resp.Header.Get("Location"))
	}
	if cookie := resp.Cookies()[0]; !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" || cookie.Secure {
		t.Fatalf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/, not Secure without TLS", cookie)
	}
	code, body := b.get("/components")
	if code != http.StatusOK || !strings.Contains(body, "Account "+f.a.id) {
		t.Fatalf("signed-in page: %d %s", code, body)
	}
	csrf := b.signIn(f.a)
	u, _ := url.Parse(f.url)
	cookie := b.c.Jar.Cookies(u)[0]
	if code, _, resp = b.post("/signout", url.Values{"csrf": {csrf}}, nil); code != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
		t.Fatalf("sign-out: %d", code)
	}
	// The old cookie is dead on the server, not only in this browser.
	req, _ := http.NewRequest(http.MethodGet, f.url+"/pipelines", nil)
	req.AddCookie(cookie)
	resp, err = b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session after sign-out: %d", resp.StatusCode)
	}
}

func TestSignInRedirectStaysOnSite(t *testing.T) {
	f := setup(t)
	for _, next := range []string{"https://evil.example/", "//evil.example/x", `/\evil.example`, ""} {
		b := newBrowser(t, f.url)
		_, _, resp := b.post("/signin", url.Values{"accessKeyId": {f.a.keyID}, "secretAccessKey": {f.a.secret}, "next": {next}}, nil)
		if got := resp.Header.Get("Location"); got != "/pipelines" {
			t.Errorf("next %q: redirected to %q, want /pipelines", next, got)
		}
	}
}

func TestSessionExpires(t *testing.T) {
	f := setup(t)
	b := newBrowser(t, f.url)
	b.signIn(f.a)
	f.ahead.Store(int64(59 * time.Minute))
	if code, _ := b.get("/pipelines"); code != http.StatusOK {
		t.Fatalf("before expiry: %d", code)
	}
	f.ahead.Store(int64(61 * time.Minute)) // the session lasts an hour
	if code, _ := b.get("/pipelines"); code != http.StatusSeeOther {
		t.Fatalf("after expiry: %d, want a redirect to sign in", code)
	}
}

func TestRevokedKeyEndsSession(t *testing.T) {
	f := setup(t)
	b := newBrowser(t, f.url)
	b.signIn(f.a)
	if _, err := f.store.RevokeAccessKey(context.Background(), f.a.keyID); err != nil {
		t.Fatal(err)
	}
	if code, _ := b.get("/pipelines"); code != http.StatusSeeOther {
		t.Fatalf("after revoking the key: %d, want a redirect to sign in", code)
	}
	if code, _, _ := b.post("/signin", url.Values{"accessKeyId": {f.a.keyID}, "secretAccessKey": {f.a.secret}}, nil); code != http.StatusUnauthorized {
		t.Fatalf("sign-in with a revoked key: %d", code)
	}
}

// TestCrossSiteRequestsRefused: a state-changing request without the
// session's token, or from another site, starts nothing.
func TestCrossSiteRequestsRefused(t *testing.T) {
	f := setup(t)
	s := f.seed(t, f.a, evil, evil)
	b := newBrowser(t, f.url)
	csrf := b.signIn(f.a)
	for _, tc := range []struct {
		name    string
		csrf    string
		headers map[string]string
		want    int
	}{
		{"no token", "", nil, http.StatusForbidden},
		{"wrong token", "x" + csrf, nil, http.StatusForbidden},
		{"cross-site fetch", csrf, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"same-site fetch", csrf, map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"foreign origin", csrf, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same origin", csrf, nil, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.pipelineImages(t, s.pipeline)
			code, body, _ := b.post("/pipelines/run", url.Values{"csrf": {tc.csrf}, "arn": {s.pipeline}}, tc.headers)
			if code != tc.want {
				t.Fatalf("status %d, want %d: %s", code, tc.want, body)
			}
			started := f.pipelineImages(t, s.pipeline) - before
			if want := map[bool]int{true: 1, false: 0}[tc.want == http.StatusSeeOther]; started != want {
				t.Fatalf("%d builds started, want %d", started, want)
			}
		})
	}
	// Sign-in itself refuses a cross-site form (login CSRF).
	code, _, _ := newBrowser(t, f.url).post("/signin", url.Values{"accessKeyId": {f.a.keyID}, "secretAccessKey": {f.a.secret}},
		map[string]string{"Sec-Fetch-Site": "cross-site"})
	if code != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", code)
	}
}

func (f *fixture) pipelineImages(t *testing.T, pipeline string) int {
	t.Helper()
	out, err := f.a.client.ListImagePipelineImages(context.Background(), &imagebuilder.ListImagePipelineImagesInput{ImagePipelineArn: aws.String(pipeline)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.ImageSummaryList)
}

// TestOtherAccountsResourcesNotFound: account B sees a not-found page for
// A's resources and cannot act on them.
func TestOtherAccountsResourcesNotFound(t *testing.T) {
	f := setup(t)
	s := f.seed(t, f.a, evil, evil)
	b := newBrowser(t, f.url)
	csrf := b.signIn(f.b)
	for _, path := range []string{"/pipelines/view?arn=" + url.QueryEscape(s.pipeline), "/images/view?arn=" + url.QueryEscape(s.image),
		"/components/view?arn=" + url.QueryEscape(s.component), "/images/progress?arn=" + url.QueryEscape(s.image)} {
		code, body := b.get(path)
		if code != http.StatusNotFound || strings.Contains(body, "nightly") || strings.Contains(body, "booting") {
			t.Errorf("%s as account B: %d %s", path, code, body)
		}
	}
	for _, path := range []string{"/pipelines", "/images", "/components"} {
		if _, body := b.get(path); strings.Contains(body, "nightly") || strings.Contains(body, "onerror") || strings.Contains(body, "web/1.0.0") {
			t.Errorf("%s as account B lists A's resources: %s", path, body)
		}
	}
	before := f.pipelineImages(t, s.pipeline)
	if code, _, _ := b.post("/pipelines/run", url.Values{"csrf": {csrf}, "arn": {s.pipeline}}, nil); code != http.StatusNotFound {
		t.Errorf("B runs A's pipeline: %d", code)
	}
	if code, _, _ := b.post("/images/cancel", url.Values{"csrf": {csrf}, "arn": {s.image}}, nil); code != http.StatusNotFound {
		t.Errorf("B cancels A's image: %d", code)
	}
	if f.pipelineImages(t, s.pipeline) != before {
		t.Error("B started a build of A's pipeline")
	}
}

// TestUserContentRendersAsText: descriptions, documents and log lines
// with HTML are shown as text on every screen.
func TestUserContentRendersAsText(t *testing.T) {
	f := setup(t)
	s := f.seed(t, f.a, evil, evil)
	b := newBrowser(t, f.url)
	b.signIn(f.a)
	for _, tc := range []struct{ path, raw, escaped string }{
		{"/pipelines", evil, "&lt;img src=x onerror=alert(1)&gt;"},
		{"/pipelines/view?arn=" + url.QueryEscape(s.pipeline), evil, "&lt;img src=x onerror=alert(1)&gt;"},
		{"/components", evil, "&lt;img src=x onerror=alert(1)&gt;"},
		{"/components/view?arn=" + url.QueryEscape(s.component), evil, "&lt;img src=x onerror=alert(1)&gt;"},
		{"/components/view?arn=" + url.QueryEscape(s.component), "<b>hello</b>", "&lt;b&gt;hello&lt;/b&gt;"},
		{"/images/view?arn=" + url.QueryEscape(s.image), "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
	} {
		code, body := b.get(tc.path)
		if code != http.StatusOK || strings.Contains(body, tc.raw) || !strings.Contains(body, tc.escaped) {
			t.Errorf("%s: status %d, want %q shown as text (%q): %s", tc.path, code, tc.raw, tc.escaped, body)
		}
	}
}

func TestScreensAndActions(t *testing.T) {
	f := setup(t)
	s := f.seed(t, f.a, evil, evil)
	b := newBrowser(t, f.url)
	csrf := b.signIn(f.a)

	resp, err := b.c.Get(f.url + "/pipelines")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP %q", csp)
	}
	_, body := b.get("/pipelines/view?arn=" + url.QueryEscape(s.pipeline))
	for _, want := range []string{"nightly", "web/1.0.0", "BUILDING", "Run now", "Disable"} {
		if !strings.Contains(body, want) {
			t.Errorf("pipeline page lacks %q", want)
		}
	}
	_, body = b.get("/images/view?arn=" + url.QueryEscape(s.image))
	for _, want := range []string{"launch-build-vm", "COMPLETED", "build:hello", "RUNNING", "booting", "Cancel build"} {
		if !strings.Contains(body, want) {
			t.Errorf("image page lacks %q", want)
		}
	}

	// The live view's endpoint: the log from an offset, the steps.
	code, body := b.get("/images/progress?offset=8&arn=" + url.QueryEscape(s.image))
	var p struct {
		Status, Log string
		LogSize     int64
		Done        bool
		Steps       []struct{ Name, Status string }
	}
	if err := json.Unmarshal([]byte(body), &p); code != http.StatusOK || err != nil {
		t.Fatalf("progress: %d %v %s", code, err, body)
	}
	if p.Status != "BUILDING" || p.Done || !strings.HasPrefix(p.Log, "<script>") || p.LogSize != 40 || len(p.Steps) != 2 || p.Steps[1].Name != "build:hello" {
		t.Fatalf("progress %+v", p)
	}

	// Disable, then enable, through UpdateImagePipeline.
	for _, status := range []string{"DISABLED", "ENABLED"} {
		if code, body, _ := b.post("/pipelines/status", url.Values{"csrf": {csrf}, "arn": {s.pipeline}, "status": {status}}, nil); code != http.StatusSeeOther {
			t.Fatalf("set %s: %d %s", status, code, body)
		}
		got, err := f.a.client.GetImagePipeline(context.Background(), &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(s.pipeline)})
		if err != nil || string(got.ImagePipeline.Status) != status || aws.ToString(got.ImagePipeline.Description) != evil {
			t.Fatalf("after set %s: %+v %v", status, got, err)
		}
	}

	// Cancel: the API's answer is shown, and the image ends CANCELLED.
	if code, body, _ := b.post("/images/cancel", url.Values{"csrf": {csrf}, "arn": {s.image}}, nil); code != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", code, body)
	}
	if code, body, _ := b.post("/images/cancel", url.Values{"csrf": {csrf}, "arn": {s.image}}, nil); code != http.StatusBadRequest || !strings.Contains(body, "Exception: ") {
		t.Fatalf("second cancel: %d, want the API's error shown: %s", code, body)
	}
	_, body = b.get("/pipelines/view?arn=" + url.QueryEscape(s.pipeline))
	if !strings.Contains(body, "CANCELLED") {
		t.Errorf("pipeline page after cancel lacks the image's CANCELLED state: %s", body)
	}
	_, body = b.get("/images/view?arn=" + url.QueryEscape(s.image))
	if strings.Contains(body, "Cancel build") || !strings.Contains(body, `data-done="true"`) {
		t.Errorf("a cancelled image's page still offers Cancel or live updates: %s", body)
	}
}

// TestEmptyStatesAndAPIUnchanged: a new account's lists say what to do,
// and an unsigned API request still gets the API's answer.
func TestEmptyStatesAndAPIUnchanged(t *testing.T) {
	f := setup(t)
	b := newBrowser(t, f.url)
	b.signIn(f.b)
	for path, want := range map[string]string{"/pipelines": "No image pipelines yet", "/images": "No images yet", "/components": "no components yet"} {
		if code, body := b.get(path); code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want %q", path, code, want)
		}
	}
	for path, ctype := range map[string]string{"/static/console.js": "text/javascript", "/static/console.css": "text/css"} {
		resp, err := http.Get(f.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	req, _ := http.NewRequest(http.MethodPost, f.url+"/ListComponents", strings.NewReader("{}"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned API request: %d %v", resp.StatusCode, resp.Header)
	}
}
