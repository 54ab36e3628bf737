package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/notify"
	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
)

// TestNotificationsAndMetrics: an image state change reaches the webhook
// its infrastructure configuration's snsTopicArn names, signed, and shows
// in /metrics. (No build workers here: cancelling a queued image is the
// state change; internal/buildjob covers real builds.)
func TestNotificationsAndMetrics(t *testing.T) {
	t.Parallel()
	const topic = "arn:aws:sns:goldsmith-local-1:111111111111:builds"
	const secret = "a-webhook-secret-of-some-length"
	got := make(chan []byte, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.Verify(notify.Secret(secret), r.Header.Get("X-Goldsmith-Signature"), r.Header.Get("X-Goldsmith-Timestamp"), body, time.Minute); err != nil {
			t.Errorf("webhook signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got <- body
	}))
	defer hook.Close()

	srv := servertest.Start(t, server.Config{Build: server.BuildConfig{Workers: -1},
		Webhooks: []notify.Webhook{{TopicARN: topic, URL: hook.URL, Secret: secret}}})
	endpoint := srv.Endpoint
	img := cancelledImage(t, srv.Client, topic)
	select {
	case body := <-got:
		var ev struct {
			DetailType string   `json:"detail-type"`
			Resources  []string `json:"resources"`
			Detail     struct {
				State struct {
					Status string `json:"status"`
				} `json:"state"`
				Previous struct {
					Status string `json:"status"`
				} `json:"previous-state"`
			} `json:"detail"`
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Detail.State.Status != "CANCELLED" || ev.Detail.Previous.Status != "PENDING" || len(ev.Resources) != 1 || ev.Resources[0] != img {
			t.Fatalf("event: %s", body)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook call")
	}

	resp, err := http.Get(endpoint + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`goldsmith_images{status="CANCELLED"} 1`,
		`goldsmith_image_state_changes_total{status="CANCELLED"} 1`,
		`goldsmith_queue_jobs{state="available"}`,
		`goldsmith_build_workers{state="slots"} 0`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// cancelledImage creates an image whose infrastructure configuration names
// topic, and cancels it while it is queued (no build workers): the state
// change that is notified. It returns the image's ARN.
func cancelledImage(t *testing.T, c *imagebuilder.Client, topic string) string {
	t.Helper()
	ctx := context.Background()
	comp, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("hello"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux,
		Data: aws.String("name: hello\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Say\n        action: ExecuteBash\n        inputs:\n          commands: [echo hi]\n")})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("web"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String("debian-12"),
		Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn}}})
	if err != nil {
		t.Fatal(err)
	}
	infra, err := c.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("local"),
		InstanceProfileName: aws.String("none"), SnsTopicArn: aws.String(topic)})
	if err != nil {
		t.Fatal(err)
	}
	img, err := c.CreateImage(ctx, &imagebuilder.CreateImageInput{ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: img.ImageBuildVersionArn}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(img.ImageBuildVersionArn)
}

// TestNotificationSurvivesRestart: the event of a state change is
// committed with the change, so a server that stops while the webhook is
// down does not lose it: the next server on the same database delivers it,
// with the same event id.
func TestNotificationSurvivesRestart(t *testing.T) {
	t.Parallel()
	const topic = "arn:aws:sns:goldsmith-local-1:111111111111:restarts"
	var up atomic.Bool
	type call struct {
		id     string
		status int
		body   []byte
	}
	calls := make(chan call, 100)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := call{id: r.Header.Get("X-Goldsmith-Event-Id"), status: http.StatusServiceUnavailable, body: body}
		if up.Load() {
			c.status = http.StatusOK
		}
		w.WriteHeader(c.status)
		calls <- c
	}))
	defer hook.Close()
	cfg := server.Config{DataDir: t.TempDir(), Build: server.BuildConfig{Workers: -1},
		Webhooks: []notify.Webhook{{TopicARN: topic, URL: hook.URL, Secret: "a-webhook-secret-of-some-length"}}}
	wait := func(what string) call {
		t.Helper()
		select {
		case c := <-calls:
			return c
		case <-time.After(60 * time.Second):
			t.Fatalf("no webhook call: %s", what)
		}
		return call{}
	}

	first := servertest.Start(t, cfg)
	img := cancelledImage(t, first.Client, topic)
	failed := wait("the first attempt")
	if failed.status != http.StatusServiceUnavailable || failed.id == "" {
		t.Fatalf("first attempt: %+v", failed)
	}
	first.Stop(t)
	up.Store(true)

	servertest.Start(t, cfg)
	var got call
	for got.status != http.StatusOK {
		got = wait("the retry after the restart")
	}
	if got.id != failed.id || !strings.Contains(string(got.body), `"status":"CANCELLED"`) || !strings.Contains(string(got.body), img) {
		t.Fatalf("delivered after the restart: id %s (first attempt %s): %s", got.id, failed.id, got.body)
	}
	// Delivered once: no further calls.
	select {
	case c := <-calls:
		t.Errorf("a call after the delivery: %+v", c)
	case <-time.After(3 * time.Second):
	}
}
