package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/auth"
)

const (
	region    = "us-east-1"
	accessKey = "AKIAGOLDSMITHTEST01"
	secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	account   = "123456789012"
	revokedID = "AKIAGOLDSMITHREVOKED"
)

var clock = time.Date(2025, 11, 3, 12, 30, 0, 0, time.UTC)

// memKeys is an in-memory KeyStore.
type memKeys map[string]auth.Key

func (m memKeys) LookupKey(_ context.Context, id string) (auth.Key, error) {
	k, ok := m[id]
	if !ok {
		return auth.Key{}, fmt.Errorf("lookup %s: %w", id, auth.ErrKeyNotFound)
	}
	return k, nil
}

var keys = memKeys{
	accessKey:         {AccessKeyID: accessKey, Secret: secretKey, AccountID: account},
	revokedID:         {AccessKeyID: revokedID, Secret: secretKey, AccountID: account, Revoked: true},
	"AKIABROKENSTORE": {},
}

// testServer runs a verifier whose handler echoes the principal and body;
// the last verification error is sent on errs.
type testServer struct {
	*httptest.Server
	errs chan error
}

func newServer(t *testing.T, v *auth.Verifier) *testServer {
	t.Helper()
	ts := &testServer{errs: make(chan error, 1)}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := v.Verify(r)
		ts.errs <- err
		if err != nil {
			apierr.Write(w, err)
			return
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.NewEncoder(w).Encode(map[string]string{"account": p.AccountID, "key": p.AccessKeyID, "body": string(body)})
	}))
	t.Cleanup(ts.Close)
	return ts
}

func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// req is one request to sign and send.
type req struct {
	method, path, query string
	body                string
	headers             map[string]string
	signAt              time.Time
	service, region     string
	key, secret         string
	sessionToken        string
	after               func(*http.Request) // tampering after signing
}

func (rq req) build(t *testing.T, base string) *http.Request {
	t.Helper()
	u := base + rq.path
	if rq.query != "" {
		u += "?" + rq.query
	}
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	r, err := http.NewRequest(rq.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range rq.headers {
		r.Header.Set(k, v)
	}
	or := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	at := rq.signAt
	if at.IsZero() {
		at = clock
	}
	creds := aws.Credentials{AccessKeyID: or(rq.key, accessKey), SecretAccessKey: or(rq.secret, secretKey), SessionToken: rq.sessionToken}
	err = v4.NewSigner().SignHTTP(context.Background(), creds, r, hashOf([]byte(rq.body)),
		or(rq.service, auth.Service), or(rq.region, region), at)
	if err != nil {
		t.Fatal(err)
	}
	if rq.after != nil {
		rq.after(r)
	}
	return r
}

func TestVerify(t *testing.T) {
	t.Parallel()
	const compARN = "arn:aws:imagebuilder:us-east-1:123456789012:component/my-comp/1.0.0/1"
	tagPath := "/tags/" + url.QueryEscape(compARN) // as the SDKs send it: ":" and "/" escaped
	tests := []struct {
		name     string
		req      req
		region   string // Verifier.Region
		wantCode string // "" = accepted
		wantErr  error
	}{
		{name: "get with query", req: req{method: "GET", path: "/GetComponent", query: "componentBuildVersionArn=" + url.QueryEscape(compARN)}},
		{name: "put with json body", req: req{method: "PUT", path: "/CreateComponent", body: `{"name":"x","semanticVersion":"1.0.0"}`,
			headers: map[string]string{"Content-Type": "application/json"}}},
		{name: "post tags path", req: req{method: "POST", path: tagPath, body: `{"tags":{"a":"b"}}`}},
		{name: "query special characters", req: req{method: "DELETE", path: tagPath,
			query: "tagKeys=a%2Fb&tagKeys=a-b&tagKeys=b%20c&tagKeys=%C3%A9&tagKeys=%2B&tagKeys=~%2A%27&tagKeys=&z=1&A=2"}},
		{name: "header with runs of spaces", req: req{method: "POST", path: "/ListComponents", body: "{}",
			headers: map[string]string{"X-Amz-Meta-Thing": "  a   b  c  "}}},
		{name: "configured region", region: region, req: req{method: "POST", path: "/ListComponents", body: "{}"}},
		{name: "clock skew within 15 min", req: req{method: "POST", path: "/ListComponents", body: "{}", signAt: clock.Add(-14 * time.Minute)}},
		{name: "future within 15 min", req: req{method: "POST", path: "/ListComponents", body: "{}", signAt: clock.Add(14 * time.Minute)}},
		{name: "content sha256 header", req: req{method: "PUT", path: "/CreateComponent", body: `{"a":1}`,
			headers: map[string]string{"X-Amz-Content-Sha256": hashOf([]byte(`{"a":1}`))}}},

		{name: "wrong secret", req: req{method: "POST", path: "/ListComponents", body: "{}", secret: "not-the-secret"},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrSignatureMismatch},
		{name: "tampered body", req: req{method: "PUT", path: "/CreateComponent", body: `{"name":"a"}`,
			after: func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(`{"name":"b"}`)) }},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrSignatureMismatch},
		{name: "tampered signed header", req: req{method: "PUT", path: "/CreateComponent", body: "{}",
			headers: map[string]string{"Content-Type": "application/json"},
			after:   func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrSignatureMismatch},
		{name: "tampered query", req: req{method: "GET", path: "/GetComponent", query: "componentBuildVersionArn=a",
			after: func(r *http.Request) { r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "=a", "=b", 1) }},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrSignatureMismatch},
		{name: "tampered path", req: req{method: "DELETE", path: "/DeleteComponent",
			after: func(r *http.Request) { r.URL.Path = "/DeleteImage" }},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrSignatureMismatch},
		{name: "tampered method", req: req{method: "GET", path: "/GetComponent",
			after: func(r *http.Request) { r.Method = "DELETE" }},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrSignatureMismatch},
		{name: "stale date", req: req{method: "POST", path: "/ListComponents", body: "{}", signAt: clock.Add(-16 * time.Minute)},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrExpired},
		{name: "future date", req: req{method: "POST", path: "/ListComponents", body: "{}", signAt: clock.Add(16 * time.Minute)},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrExpired},
		{name: "unknown key", req: req{method: "POST", path: "/ListComponents", body: "{}", key: "AKIANOSUCHKEY"},
			wantCode: apierr.CodeUnrecognizedClientException, wantErr: auth.ErrKeyNotFound},
		{name: "revoked key", req: req{method: "POST", path: "/ListComponents", body: "{}", key: revokedID},
			wantCode: apierr.CodeUnrecognizedClientException, wantErr: auth.ErrKeyRevoked},
		{name: "session token", req: req{method: "POST", path: "/ListComponents", body: "{}", sessionToken: "tok"},
			wantCode: apierr.CodeUnrecognizedClientException, wantErr: auth.ErrSessionToken},
		{name: "wrong service", req: req{method: "POST", path: "/ListComponents", body: "{}", service: "s3"},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrScope},
		{name: "wrong region", region: region, req: req{method: "POST", path: "/ListComponents", body: "{}", region: "eu-west-1"},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrScope},
		{name: "content sha256 mismatch", req: req{method: "PUT", path: "/CreateComponent", body: `{"a":1}`,
			headers: map[string]string{"X-Amz-Content-Sha256": hashOf([]byte(`{"a":2}`))}},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrBodyHash},
		{name: "unsigned payload", req: req{method: "PUT", path: "/CreateComponent", body: `{"a":1}`,
			headers: map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}},
			wantCode: apierr.CodeInvalidSignatureException, wantErr: auth.ErrBodyHash},
		{name: "no signature", req: req{method: "POST", path: "/ListComponents", after: func(r *http.Request) { r.Header.Del("Authorization") }},
			wantCode: apierr.CodeMissingAuthenticationTokenException, wantErr: auth.ErrMissingAuth},
		{name: "missing signature part", req: req{method: "POST", path: "/ListComponents", after: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
		}}, wantCode: apierr.CodeIncompleteSignatureException, wantErr: auth.ErrMalformed},
		{name: "missing date", req: req{method: "POST", path: "/ListComponents", after: func(r *http.Request) { r.Header.Del("X-Amz-Date") }},
			wantCode: apierr.CodeIncompleteSignatureException, wantErr: auth.ErrMalformed},
		{name: "bad date", req: req{method: "POST", path: "/ListComponents", after: func(r *http.Request) { r.Header.Set("X-Amz-Date", "2025-11-03") }},
			wantCode: apierr.CodeIncompleteSignatureException, wantErr: auth.ErrMalformed},
		{name: "other algorithm", req: req{method: "POST", path: "/ListComponents", after: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS "+accessKey+":abc")
		}}, wantCode: apierr.CodeIncompleteSignatureException, wantErr: auth.ErrMalformed},
		{name: "short credential", req: req{method: "POST", path: "/ListComponents", after: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request", "", 1))
		}}, wantCode: apierr.CodeIncompleteSignatureException, wantErr: auth.ErrMalformed},
		{name: "key store failure", req: req{method: "POST", path: "/ListComponents", key: "AKIAFAILING"},
			wantCode: apierr.CodeServiceException, wantErr: errStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := &auth.Verifier{Keys: failing{keys}, Region: tt.region, Now: func() time.Time { return clock }}
			srv := newServer(t, v)
			resp, err := srv.Client().Do(tt.req.build(t, srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			verr := <-srv.errs
			if tt.wantCode == "" {
				if verr != nil || resp.StatusCode != 200 {
					t.Fatalf("rejected: %v (%d %s)", verr, resp.StatusCode, body)
				}
				var got map[string]string
				_ = json.Unmarshal(body, &got)
				if got["account"] != account || got["key"] != accessKey || got["body"] != tt.req.body {
					t.Errorf("handler saw %v", got)
				}
				return
			}
			if got := apierr.CodeOf(verr); got != tt.wantCode {
				t.Errorf("code = %s (%v), want %s", got, verr, tt.wantCode)
			}
			if !errors.Is(verr, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", verr, tt.wantErr)
			}
			if resp.Header.Get("x-amzn-ErrorType") != tt.wantCode || resp.StatusCode != apierr.Status(tt.wantCode) {
				t.Errorf("response %d %q", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
			}
		})
	}
}

var errStore = errors.New("database is down")

// failing makes LookupKey fail for AKIAFAILING.
type failing struct{ memKeys }

func (f failing) LookupKey(ctx context.Context, id string) (auth.Key, error) {
	if id == "AKIAFAILING" {
		return auth.Key{}, fmt.Errorf("query: %w", errStore)
	}
	return f.memKeys.LookupKey(ctx, id)
}

func TestBodyRestoredAndLimited(t *testing.T) {
	t.Parallel()
	v := &auth.Verifier{Keys: keys, Now: func() time.Time { return clock }, MaxBodyBytes: 16}
	body := `{"name":"x"}`
	r := httptest.NewRequest("PUT", "http://imagebuilder.local/CreateComponent", bytes.NewReader([]byte(body)))
	signed := req{method: "PUT", path: "/CreateComponent", body: body}.build(t, "http://imagebuilder.local")
	r.Header = signed.Header
	if _, err := v.Verify(r); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	for i := 0; i < 2; i++ { // Body and GetBody both replay the same bytes
		got, _ := io.ReadAll(r.Body)
		if string(got) != body {
			t.Fatalf("body after Verify = %q", got)
		}
		r.Body, _ = r.GetBody()
	}

	big := strings.Repeat("x", 17)
	r = httptest.NewRequest("PUT", "http://imagebuilder.local/CreateComponent", strings.NewReader(big))
	r.Header = req{method: "PUT", path: "/CreateComponent", body: big}.build(t, "http://imagebuilder.local").Header
	if _, err := v.Verify(r); !apierr.HasCode(err, apierr.CodeInvalidRequestException) {
		t.Errorf("oversized body: %v", err)
	}
}
