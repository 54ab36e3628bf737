package console_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/api"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/auth"
	"github.com/goldsmith-dev/goldsmith/internal/console"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

const (
	region = "goldsmith-local-1"
	evil   = `<img src=x onerror=alert(1)>`
)

// noBuilds accepts builds and runs none: images stay where the test puts
// them.
type noBuilds struct{}

func (noBuilds) Enqueue(context.Context, store.Tx, string, arn.ARN) error { return nil }

// account is a signed-up account with its key and an AWS SDK client.
type account struct {
	id, keyID, secret string
	client            *imagebuilder.Client
}

// fixture is the API and the console at one address, as goldsmith serve
// runs them, with two accounts.
type fixture struct {
	url   string
	store store.Store
	svc   *service.Service
	files artifacts.Store
	ahead *atomic.Int64 // nanoseconds the console's clock is ahead of time.Now
	a, b  account
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "goldsmith.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	files, err := artifacts.Open(ctx, filepath.Join(dir, "artifacts"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(ctx, service.Config{Store: st, Region: region, Builds: noBuilds{}, Artifacts: files})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st, svc: svc, files: files, ahead: new(atomic.Int64)}
	keys := store.KeyStore(st)
	con, err := console.New(console.Config{Service: svc, Keys: keys, SessionTTL: time.Hour, Now: func() time.Time { return time.Now().Add(time.Duration(f.ahead.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(console.Route(api.New(api.Config{Service: svc, Verifier: &auth.Verifier{Keys: keys, Region: region}}), con))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	for i, id := range []string{"111111111111", "222222222222"} {
		if _, err := st.CreateAccount(ctx, store.Account{ID: id}); err != nil {
			t.Fatal(err)
		}
		key, err := st.CreateAccessKey(ctx, store.AccessKey{ID: "AKIACONSOLE" + id[:1] + "XXXXX", Secret: "secret-" + id, Account: id})
		if err != nil {
			t.Fatal(err)
		}
		acc := account{id: id, keyID: key.ID, secret: key.Secret, client: imagebuilder.New(imagebuilder.Options{
			Region: region, BaseEndpoint: aws.String(srv.URL), Retryer: aws.NopRetryer{},
			Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}, nil
			}))})}
		if i == 0 {
			f.a = acc
		} else {
			f.b = acc
		}
	}
	return f
}

// seeded are the resources seed created through the API.
type seeded struct {
	component, pipeline, image string
}

const helloDoc = `name: hello
description: says hello
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo "<b>hello</b>"
`

// seed creates, as account acc through the SigV4 API, a component and a
// pipeline with the descriptions compDesc and pipeDesc, runs the pipeline and records a
// worker's progress and a log line with HTML.
func (f *fixture) seed(t *testing.T, acc account, compDesc, pipeDesc string) seeded {
	t.Helper()
	ctx := context.Background()
	c := acc.client
	comp, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("hello"), SemanticVersion: aws.String("1.0.0"),
		Platform: types.PlatformLinux, Description: aws.String(compDesc), Data: aws.String(helloDoc)})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("web"), SemanticVersion: aws.String("1.0.0"),
		ParentImage: aws.String("debian-12"), Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn}}})
	if err != nil {
		t.Fatal(err)
	}
	infra, err := c.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{
		Name: aws.String("local"), InstanceProfileName: aws.String("none")})
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := c.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("nightly"), Description: aws.String(pipeDesc),
		ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: pipe.ImagePipelineArn})
	if err != nil {
		t.Fatal(err)
	}
	image := aws.ToString(run.ImageBuildVersionArn)
	a, _ := arn.Parse(image)
	if _, err := f.svc.SetImageState(ctx, a, service.StateChange{Status: service.ImageStatus("BUILDING")}); err != nil {
		t.Fatal(err)
	}
	f.step(t, image, "launch-build-vm", "RUNNING")
	f.step(t, image, "launch-build-vm", "COMPLETED")
	f.step(t, image, "build:hello", "RUNNING")
	logFile := filepath.Join(t.TempDir(), "build.log")
	if err := os.WriteFile(logFile, []byte("booting\n<script>alert(1)</script> hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key := "logs/" + a.Name + ".log"
	if err := f.files.Put(ctx, key, logFile); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetImageLog(ctx, a, key); err != nil {
		t.Fatal(err)
	}
	return seeded{component: aws.ToString(comp.ComponentBuildVersionArn), pipeline: aws.ToString(pipe.ImagePipelineArn), image: image}
}

// step records a worker's progress on image, as internal/buildjob does.
func (f *fixture) step(t *testing.T, image, name, status string) {
	t.Helper()
	a, err := arn.Parse(image)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RecordStep(context.Background(), a, service.StepEvent{Name: name, Status: status, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// browser is an HTTP client that keeps cookies and sends the headers a
// browser sends with a same-origin form.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// get fetches path and returns the status and body.
func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return status(b.t, resp)
}

// post submits form to path with headers (nil: a same-origin browser's).
func (b *browser) post(path string, form url.Values, headers map[string]string) (int, string, *http.Response) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if headers == nil {
		headers = map[string]string{"Origin": b.base, "Sec-Fetch-Site": "same-origin"}
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	code, body := status(b.t, resp)
	return code, body, resp
}

func status(t *testing.T, resp *http.Response) (int, string) {
	t.Helper()
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, sb.String()
}

// signIn signs b in as acc and returns the CSRF token of its pages.
func (b *browser) signIn(acc account) string {
	b.t.Helper()
	code, body, resp := b.post("/signin", url.Values{"accessKeyId": {acc.keyID}, "secretAccessKey": {acc.secret}}, nil)
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/pipelines" {
		b.t.Fatalf("sign-in: %d %s", code, body)
	}
	code, body = b.get("/pipelines")
	if code != http.StatusOK {
		b.t.Fatalf("pipelines after sign-in: %d %s", code, body)
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token in the page: %s", body)
	}
	return m[1]
}
