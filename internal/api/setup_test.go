package api_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/smithy-go"

	"github.com/goldsmith-dev/goldsmith/internal/api"
	"github.com/goldsmith-dev/goldsmith/internal/auth"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

const region = "goldsmith-local-1"

// testBundle is a running API server with two accounts.
type testBundle struct {
	url      string
	store    store.Store
	svc      *service.Service
	a, b     *imagebuilder.Client // accounts A and B
	accountA string
	accountB string
	keyA     store.AccessKey
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	return setupWith(t, nil)
}

// setupWith is setup with a build queue.
func setupWith(t *testing.T, builds service.Builds, limits ...service.Limits) *testBundle {
	t.Helper()
	var lim service.Limits
	if len(limits) > 0 {
		lim = limits[0]
	}
	return setupConfig(t, service.Config{Builds: builds, Limits: lim})
}

// setupConfig is setup with the service configured as cfg (its Store and
// Region are the test's).
func setupConfig(t *testing.T, cfg service.Config) *testBundle {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: t.TempDir() + "/goldsmith.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cfg.Store, cfg.Region = st, region
	svc, err := service.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Config{Service: svc, Verifier: &auth.Verifier{Keys: store.KeyStore(st), Region: region}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tb := &testBundle{url: srv.URL, store: st, svc: svc, accountA: "111111111111", accountB: "222222222222"}
	for i, id := range []string{tb.accountA, tb.accountB} {
		if _, err := st.CreateAccount(ctx, store.Account{ID: id}); err != nil {
			t.Fatal(err)
		}
		key, err := st.CreateAccessKey(ctx, store.AccessKey{ID: "AKIATEST" + id[:1] + "XXXXXXX", Secret: "secret-" + id, Account: id})
		if err != nil {
			t.Fatal(err)
		}
		c := client(srv.URL, key.ID, key.Secret)
		if i == 0 {
			tb.a, tb.keyA = c, key
		} else {
			tb.b = c
		}
	}
	return tb
}

func client(url, key, secret string) *imagebuilder.Client {
	return imagebuilder.New(imagebuilder.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, nil
		}),
		Retryer: aws.NopRetryer{},
	})
}

// errCode is the AWS error code of err ("" for nil).
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := errCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

const helloDoc = `name: hello
description: says hello
schemaVersion: 1.0
parameters:
  - greeting:
      type: string
      default: hello
      description: what to say
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo "{{ greeting }}"
`

func createInput(name, version, data string) *imagebuilder.CreateComponentInput {
	return &imagebuilder.CreateComponentInput{
		Name:            aws.String(name),
		SemanticVersion: aws.String(version),
		Platform:        "Linux",
		Data:            aws.String(data),
	}
}

func asResponseError(err error, target **awshttp.ResponseError) bool { return errors.As(err, target) }
