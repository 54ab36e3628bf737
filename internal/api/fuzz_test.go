package api

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/auth"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

// FuzzRequests sends arbitrary bodies to every operation Goldsmith serves
// (after authentication, as account 111111111111): no body may panic the
// handler or get a 5xx answer, and every refusal is in the AWS error shape.
func FuzzRequests(f *testing.F) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: f.TempDir() + "/goldsmith.db"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = st.Close() })
	svc, err := service.New(ctx, service.Config{Store: st, Region: "goldsmith-local-1"})
	if err != nil {
		f.Fatal(err)
	}
	h := &handler{svc: svc, log: slog.New(slog.DiscardHandler), mux: http.NewServeMux()}
	h.routes()
	var ops []string
	for _, p := range h.patterns {
		if p != "/" {
			ops = append(ops, p)
		}
	}
	srv := limitBody(h)
	const arnA = "arn:aws:imagebuilder:goldsmith-local-1:111111111111:"
	for i := range ops {
		for _, body := range []string{
			``, `null`, `[]`, `"x"`, `5`, `true`, `{}`, `{`, `{"name":5}`, `{"name":null,"tags":[1]}`,
			`{"name":"n","semanticVersion":"1.0.0","clientToken":"t","parentImage":"debian-12","components":[5]}`,
			`{"name":"n","clientToken":"t","instanceProfileName":"p","tags":{"k":5}}`,
			`{"name":"n","clientToken":"t","distributions":[{"region":5}]}`,
			`{"name":"n","clientToken":"t","distributions":null}`,
			`{"name":"n","clientToken":"t","infrastructureConfigurationArn":"` + arnA + `infrastructure-configuration/n","imageRecipeArn":"` + arnA + `image-recipe/n/1.0.0","schedule":{"scheduleExpression":5}}`,
			`{"filters":[{"name":"name","values":[1,null]}],"maxResults":1e300}`,
			`{"filters":5,"nextToken":[]}`,
			`{"tags":{"a":"b"},"policy":{}}`,
		} {
			f.Add(uint8(i), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		pattern := ops[int(op)%len(ops)]
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.Replace(path, "{resourceArn...}", "arn:aws:imagebuilder:goldsmith-local-1:111111111111:image-recipe/n/1.0.0", 1)
		r := httptest.NewRequest(method, path, bytes.NewReader(body))
		r = r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{AccountID: "111111111111"}))
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s with body %q: status %d: %s", pattern, body, w.Code, w.Body)
		}
		if w.Code >= 400 && w.Header().Get("X-Amzn-Errortype") == "" {
			t.Fatalf("%s with body %q: status %d without x-amzn-ErrorType: %s", pattern, body, w.Code, w.Body)
		}
	})
}
