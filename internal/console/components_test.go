package console_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// typoDoc is helloDoc with "action" misspelt on line 8.
var typoDoc = strings.Replace(helloDoc, "        action: ExecuteBash", "        acton: ExecuteBash", 1)

// TestValidateComponentDocument posts documents to the editor's validator:
// a typo is reported at its line and column with the server validator's
// message, a valid document has no problems, and the endpoint wants the
// session's CSRF token.
func TestValidateComponentDocument(t *testing.T) {
	f := setup(t)
	b := newBrowser(t, f.url)
	csrf := b.signIn(f.a)
	type problem struct {
		Line, Col     int
		Path, Message string
	}
	validate := func(doc string) []problem {
		t.Helper()
		code, body, _ := b.post("/components/validate", url.Values{"csrf": {csrf}, "data": {doc}}, nil)
		if code != http.StatusOK {
			t.Fatalf("validate: %d %s", code, body)
		}
		var out struct{ Problems []problem }
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("validate answered %q: %v", body, err)
		}
		return out.Problems
	}
	tests := []struct {
		name      string
		doc       string
		line, col int
		message   string
	}{
		{"misspelt key", typoDoc, 8, 9, "acton"},
		{"yaml syntax", "name: x\nschemaVersion: 1.0\nphases:\n  - name: build\n   steps: [\n", 5, 0, ""},
		{"unknown action", strings.Replace(helloDoc, "ExecuteBash", "ExecuteBsh", 1), 8, 17, "ExecuteBash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := validate(tc.doc)
			if len(ps) == 0 {
				t.Fatalf("no problems for %q", tc.doc)
			}
			for _, p := range ps {
				if p.Line == tc.line && (tc.col == 0 || p.Col == tc.col) && strings.Contains(p.Message, tc.message) {
					return
				}
			}
			t.Errorf("no problem at line %d col %d mentioning %q: %+v", tc.line, tc.col, tc.message, ps)
		})
	}
	if ps := validate(helloDoc); len(ps) != 0 {
		t.Errorf("a valid document has problems: %+v", ps)
	}
	_, form := b.get("/components/new")
	m := regexp.MustCompile(`(?s)<textarea[^>]*>(.*?)</textarea>`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("no editor in the create page: %s", form)
	}
	if ps := validate(html.UnescapeString(m[1])); len(ps) != 0 {
		t.Errorf("the editor's starter document has problems: %+v", ps)
	}
	if code, _, _ := b.post("/components/validate", url.Values{"data": {helloDoc}}, nil); code != http.StatusForbidden {
		t.Errorf("validate without the CSRF token: %d, want 403", code)
	}
}

// TestCreateComponentForm creates a component through the console's form:
// the service's refusal is shown on the form with what was typed kept,
// and a valid form creates the component as the signed-in account.
func TestCreateComponentForm(t *testing.T) {
	f := setup(t)
	b := newBrowser(t, f.url)
	csrf := b.signIn(f.a)
	form := url.Values{"csrf": {csrf}, "name": {"greet"}, "version": {"1.0.0"}, "description": {evil}, "data": {typoDoc}}
	code, body, _ := b.post("/components/new", form, nil)
	if code != http.StatusBadRequest || !strings.Contains(body, "acton") || !strings.Contains(body, "value=\"greet\"") ||
		!strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Fatalf("invalid document: %d %s", code, body)
	}
	form.Set("data", helloDoc)
	code, body, resp := b.post("/components/new", form, nil)
	if code != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/components/view?arn=") {
		t.Fatalf("create: %d %s", code, body)
	}
	code, body = b.get(resp.Header.Get("Location"))
	if code != http.StatusOK || !strings.Contains(body, "arn:aws:imagebuilder:"+region+":"+f.a.id+":component/greet/1.0.0/1") {
		t.Errorf("created component page: %d %s", code, body)
	}
}
