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

const fuzzARN = "arn:aws:imagebuilder:goldsmith-local-1:111111111111:"

// badBodies are bodies no operation may answer with a panic or a 5xx.
var badBodies = []string{
	``, `null`, `[]`, `"x"`, `5`, `true`, `{}`, `{`, `{"name":5}`, `{"name":null,"tags":[1]}`,
	`{"name":"n","semanticVersion":"1.0.0","clientToken":"t","parentImage":"debian-12","components":[5]}`,
	`{"name":"n","clientToken":"t","instanceProfileName":"p","tags":{"k":5}}`,
	`{"name":"n","clientToken":"t","distributions":[{"region":5}]}`,
	`{"name":"n","clientToken":"t","distributions":null}`,
	`{"name":"n","clientToken":"t","infrastructureConfigurationArn":"` + fuzzARN + `infrastructure-configuration/n","imageRecipeArn":"` + fuzzARN + `image-recipe/n/1.0.0","schedule":{"scheduleExpression":5}}`,
	`{"filters":[{"name":"name","values":[1,null]}],"maxResults":1e300}`,
	`{"filters":5,"nextToken":[]}`,
	`{"tags":{"a":"b"},"policy":{}}`,
}

// requestHandler is the API handler for account 111111111111 (no
// signature check) and the operations it serves.
func requestHandler(tb testing.TB) (http.Handler, []string) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: tb.TempDir() + "/goldsmith.db"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	svc, err := service.New(ctx, service.Config{Store: st, Region: "goldsmith-local-1"})
	if err != nil {
		tb.Fatal(err)
	}
	h := &handler{svc: svc, log: slog.New(slog.DiscardHandler), mux: http.NewServeMux()}
	h.routes()
	var ops []string
	for _, p := range h.patterns {
		if p != "/" {
			ops = append(ops, p)
		}
	}
	return limitBody(h), ops
}

// checkRequest sends body to the operation pattern and fails on a 5xx
// (a panic fails by itself) or an error outside the AWS shape.
func checkRequest(t *testing.T, h http.Handler, pattern string, body []byte) {
	t.Helper()
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.Replace(path, "{resourceArn...}", fuzzARN+"image-recipe/n/1.0.0", 1)
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	r = r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{AccountID: "111111111111"}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code >= 500 {
		t.Fatalf("%s with body %q: status %d: %s", pattern, body, w.Code, w.Body)
	}
	if w.Code >= 400 && w.Header().Get("X-Amzn-Errortype") == "" {
		t.Fatalf("%s with body %q: status %d without x-amzn-ErrorType: %s", pattern, body, w.Code, w.Body)
	}
}

// TestEveryOperationRefusesBadBodies sends every bad body to every operation.
func TestEveryOperationRefusesBadBodies(t *testing.T) {
	t.Parallel()
	h, ops := requestHandler(t)
	for _, op := range ops {
		for _, body := range badBodies {
			checkRequest(t, h, op, []byte(body))
		}
	}
}

// FuzzRequests sends arbitrary bodies to every operation Goldsmith serves
// (after authentication, as account 111111111111): no body may panic the
// handler or get a 5xx answer, and every refusal is in the AWS error shape.
func FuzzRequests(f *testing.F) {
	h, ops := requestHandler(f)
	for i, body := range badBodies {
		f.Add(uint8(i*7), []byte(body))
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		checkRequest(t, h, ops[int(op)%len(ops)], body)
	})
}
