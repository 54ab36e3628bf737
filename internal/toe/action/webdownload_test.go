package action

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func init() { webRetryBase = time.Millisecond }

// webServer serves:
//
//	/file.txt   "hello web"
//	/redirect   302 to /file.txt
//	/flaky      500 on the first request, then "recovered"
//	/broken     always 500
//	/missing    404
//
// and counts requests.
func webServer(t *testing.T, tlsServer bool) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits, flaky atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/file.txt", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello web")) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/file.txt", http.StatusFound)
	})
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1) == 1 {
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("recovered"))
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	})
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		mux.ServeHTTP(w, r)
	})
	var srv *httptest.Server
	if tlsServer {
		srv = httptest.NewTLSServer(counted)
	} else {
		srv = httptest.NewServer(counted)
	}
	t.Cleanup(srv.Close)
	return srv, &hits
}

func webSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func webRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWebDownloadFilesFoldersAndRedirects(t *testing.T) {
	t.Parallel()
	srv, _ := webServer(t, false)
	dir := t.TempDir()
	out, err := xferRun(t, &Env{}, "WebDownload",
		map[string]any{"source": srv.URL + "/file.txt", "destination": filepath.Join(dir, "new", "deeper") + "/"},
		map[string]any{"source": srv.URL + "/redirect", "destination": filepath.Join(dir, "renamed.txt")},
	)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "new", "deeper", "file.txt"), filepath.Join(dir, "renamed.txt")}
	if got := out["destination"]; got != strings.Join(want, "\n") {
		t.Errorf("destination output = %q, want %q", got, strings.Join(want, "\n"))
	}
	for _, p := range want {
		if got := webRead(t, p); got != "hello web" {
			t.Errorf("%s = %q", p, got)
		}
	}
	if fi, _ := os.Stat(want[0]); fi.Mode().Perm()&0o044 == 0 {
		t.Errorf("downloaded file mode %v is not readable by others", fi.Mode())
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temp dir holds %d entries, want 2 (new/, renamed.txt)", len(entries))
	}
}

func TestWebDownloadRetries(t *testing.T) {
	t.Parallel()
	srv, hits := webServer(t, false)
	dst := filepath.Join(t.TempDir(), "flaky.txt")
	if _, err := xferRun(t, &Env{}, "WebDownload", map[string]any{"source": srv.URL + "/flaky", "destination": dst}); err != nil {
		t.Fatal(err)
	}
	if got := webRead(t, dst); got != "recovered" {
		t.Errorf("got %q", got)
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestWebDownloadGivesUpAfterFiveAttempts(t *testing.T) {
	t.Parallel()
	srv, hits := webServer(t, false)
	dst := filepath.Join(t.TempDir(), "broken.txt")
	_, err := xferRun(t, &Env{}, "WebDownload", map[string]any{"source": srv.URL + "/broken", "destination": dst})
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("err = %v, want a 500 error", err)
	}
	if n := hits.Load(); n != 5 {
		t.Errorf("%d requests, want 5", n)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("%s exists after a failed download", dst)
	}
}

func TestWebDownloadNotFound(t *testing.T) {
	t.Parallel()
	srv, hits := webServer(t, false)
	_, err := xferRun(t, &Env{}, "WebDownload", map[string]any{"source": srv.URL + "/missing", "destination": filepath.Join(t.TempDir(), "x")})
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "/missing") {
		t.Fatalf("err = %v, want a 404 naming the URL", err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d requests, want 1 (a 404 is not retried)", n)
	}
}

func TestWebDownloadChecksum(t *testing.T) {
	t.Parallel()
	srv, hits := webServer(t, false)
	dir := t.TempDir()

	good := filepath.Join(dir, "good.txt")
	if _, err := xferRun(t, &Env{}, "WebDownload", map[string]any{
		"source": srv.URL + "/file.txt", "destination": good, "checksum": strings.ToUpper(webSHA256("hello web")), "algorithm": "sha256",
	}); err != nil {
		t.Fatalf("matching checksum: %v", err)
	}

	bad := filepath.Join(dir, "bad.txt")
	_, err := xferRun(t, &Env{}, "WebDownload", map[string]any{
		"source": srv.URL + "/file.txt", "destination": bad, "checksum": webSHA256("something else"), "algorithm": "SHA256",
	})
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("err = %v, want a checksum mismatch", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("%s kept after a checksum mismatch", bad)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("dir holds %d entries, want only good.txt", len(entries))
	}

	// An existing file with the right checksum is not downloaded again.
	before := hits.Load()
	out, err := xferRun(t, &Env{}, "WebDownload", map[string]any{
		"source": srv.URL + "/file.txt", "destination": good, "checksum": webSHA256("hello web"), "algorithm": "SHA256",
	})
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != before {
		t.Errorf("existing matching file was downloaded again")
	}
	if out["destination"] != good {
		t.Errorf("destination output = %q, want %q", out["destination"], good)
	}
}

func TestWebDownloadOverwrite(t *testing.T) {
	t.Parallel()
	srv, _ := webServer(t, false)
	dst := filepath.Join(t.TempDir(), "old.txt")
	if err := os.WriteFile(dst, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := xferRun(t, &Env{}, "WebDownload", map[string]any{"source": srv.URL + "/file.txt", "destination": dst, "overwrite": false})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v, want already exists", err)
	}
	if got := webRead(t, dst); got != "old" {
		t.Errorf("file changed to %q", got)
	}
	if _, err := xferRun(t, &Env{}, "WebDownload", map[string]any{"source": srv.URL + "/file.txt", "destination": dst}); err != nil {
		t.Fatal(err)
	}
	if got := webRead(t, dst); got != "hello web" {
		t.Errorf("file = %q after overwrite", got)
	}
}

func TestWebDownloadTLS(t *testing.T) {
	t.Parallel()
	srv, _ := webServer(t, true)
	dir := t.TempDir()
	_, err := xferRun(t, &Env{}, "WebDownload", map[string]any{"source": srv.URL + "/file.txt", "destination": filepath.Join(dir, "strict.txt")})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate error", err)
	}
	dst := filepath.Join(dir, "lax.txt")
	if _, err := xferRun(t, &Env{}, "WebDownload", map[string]any{
		"source": srv.URL + "/file.txt", "destination": dst, "ignoreCertificateErrors": "true",
	}); err != nil {
		t.Fatal(err)
	}
	if got := webRead(t, dst); got != "hello web" {
		t.Errorf("got %q", got)
	}
}

func TestWebDownloadCheck(t *testing.T) {
	t.Parallel()
	sum := webSHA256("x")
	for _, tc := range []struct {
		name, inputs, path, msg string
	}{
		{"ok", "source: https://example.com/a.zip\n destination: /tmp/\n checksum: " + sum + "\n algorithm: Sha256", "", ""},
		{"dynamic source", "source: '{{ Dyn }}'\n destination: /tmp/a", "", ""},
		{"scheme", "source: ftp://example.com/a\n destination: /tmp/a", "phases[0].steps[0].inputs[0].source", "not an http or https URL"},
		{"no host", "source: 'https:///a'\n destination: /tmp/a", "phases[0].steps[0].inputs[0].source", "no host"},
		{"algorithm", "source: https://example.com/a\n destination: /tmp/a\n checksum: abc\n algorithm: CRC32", "phases[0].steps[0].inputs[0].algorithm", "unknown algorithm"},
		{"dynamic algorithm", "source: https://example.com/a\n destination: /tmp/a\n checksum: abc\n algorithm: '{{ Dyn }}'", "", ""},
		{"checksum alone", "source: https://example.com/a\n destination: /tmp/a\n checksum: " + sum, "phases[0].steps[0].inputs[0].checksum", "needs an algorithm"},
		{"checksum length", "source: https://example.com/a\n destination: /tmp/a\n checksum: abcd\n algorithm: MD5", "phases[0].steps[0].inputs[0].checksum", "not a MD5 digest"},
		{"missing destination", "source: https://example.com/a", "phases[0].steps[0].inputs[0].destination", "required"},
		{"overwrite type", "source: https://example.com/a\n destination: /tmp/a\n overwrite: maybe", "phases[0].steps[0].inputs[0].overwrite", "true or false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inputs := "          - " + strings.ReplaceAll(tc.inputs, "\n ", "\n            ") + "\n"
			xferWantProblem(t, xferProblems(t, "WebDownload", inputs), tc.path, tc.msg)
		})
	}
}
