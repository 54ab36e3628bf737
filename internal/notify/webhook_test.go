package notify_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/notify"
)

func TestNewRouterRejects(t *testing.T) {
	t.Parallel()
	ok := notify.Webhook{TopicARN: testTopic, URL: "https://hooks.example.com/goldsmith", Secret: testSecret}
	tests := []struct {
		name   string
		modify func(*notify.Webhook)
		want   string
	}{
		{"topic", func(w *notify.Webhook) { w.TopicARN = "arn:aws:sqs:goldsmith-local-1:123456789012:q" }, "is not an SNS topic ARN"},
		{"no url", func(w *notify.Webhook) { w.URL = "" }, "must be an absolute http or https URL"},
		{"relative url", func(w *notify.Webhook) { w.URL = "/hooks" }, "must be an absolute http or https URL"},
		{"ftp url", func(w *notify.Webhook) { w.URL = "ftp://example.com/x" }, "must be an absolute http or https URL"},
		{"url credentials hidden", func(w *notify.Webhook) { w.URL = "ftp://user:pw@example.com/x?token=t0ken" }, `"ftp://example.com/x"`},
		{"short secret", func(w *notify.Webhook) { w.Secret = "short" }, "at least 16 characters"},
		{"negative timeout", func(w *notify.Webhook) { w.Timeout = -time.Second }, "must not be negative"},
		{"bad header name", func(w *notify.Webhook) { w.Headers = map[string]string{"Bad Header": "x"} }, "not a valid HTTP header name"},
		{"reserved header", func(w *notify.Webhook) { w.Headers = map[string]string{"content-type": "text/plain"} }, "set by Goldsmith"},
		{"goldsmith header", func(w *notify.Webhook) { w.Headers = map[string]string{"x-goldsmith-signature": "x"} }, "set by Goldsmith"},
		{"header value", func(w *notify.Webhook) { w.Headers = map[string]string{"X-Token": "a\r\nb"} }, "line breaks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := ok
			tt.modify(&w)
			_, err := notify.NewRouter(w)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewRouter: got %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "t0ken") || strings.Contains(err.Error(), "pw@") {
				t.Errorf("error leaks URL credentials: %v", err)
			}
		})
	}
	t.Run("duplicate topic", func(t *testing.T) {
		t.Parallel()
		_, err := notify.NewRouter(ok, ok)
		if err == nil || !strings.Contains(err.Error(), "webhooks[1]: topic "+testTopic+" already has a webhook") {
			t.Errorf("NewRouter: got %v, want a duplicate-topic error", err)
		}
	})
}

func TestRouterLookup(t *testing.T) {
	t.Parallel()
	other := "arn:aws:sns:goldsmith-local-1:123456789012:other"
	r, err := notify.NewRouter(
		notify.Webhook{TopicARN: testTopic, URL: "https://hooks.example.com/a", Secret: testSecret},
		notify.Webhook{TopicARN: other, URL: "https://hooks.example.com/b", Secret: testSecret, Timeout: time.Second},
	)
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.Lookup(testTopic)
	if err != nil || w.URL != "https://hooks.example.com/a" || w.Timeout != notify.DefaultTimeout {
		t.Errorf("Lookup(%s) = %+v, %v; want hook a with the default timeout", testTopic, w, err)
	}
	if w, _ := r.Lookup(other); w.Timeout != time.Second {
		t.Errorf("Lookup(%s).Timeout = %s, want 1s", other, w.Timeout)
	}

	unknown := "arn:aws:sns:goldsmith-local-1:123456789012:nobody"
	_, err = r.Lookup(unknown)
	if !errors.Is(err, notify.ErrUnknownTopic) || !notify.IsPermanent(err) {
		t.Fatalf("Lookup(unknown) = %v, want a permanent ErrUnknownTopic", err)
	}
	for _, want := range []string{unknown, "topicArn: " + unknown, "server configuration", "snsTopicArn"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), testTopic) {
		t.Errorf("error %q lists configured topics, which may be another account's", err)
	}
	if got := r.Topics(); !slices.Equal(got, []string{testTopic, other}) {
		t.Errorf("Topics() = %v", got)
	}
}

// TestSecretRedacted checks that printing or logging a webhook hides its secret.
func TestSecretRedacted(t *testing.T) {
	t.Parallel()
	w := notify.Webhook{TopicARN: testTopic, URL: "https://hooks.example.com/a", Secret: testSecret}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("hook", "webhook", w, "secret", w.Secret)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("hook", "webhook", w, "secret", w.Secret)
	js, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(w), fmt.Sprintf("%+v", w), fmt.Sprintf("%#v", w), fmt.Sprint(w.Secret), buf.String(), string(js)} {
		if strings.Contains(s, string(testSecret)) {
			t.Errorf("secret leaked: %s", s)
		}
	}
}

// TestSecretDecodes checks that configuration still reads the secret.
func TestSecretDecodes(t *testing.T) {
	t.Parallel()
	var w notify.Webhook
	if err := json.Unmarshal([]byte(`{"topicArn":"`+testTopic+`","url":"https://h.example.com","secret":"`+string(testSecret)+`"}`), &w); err != nil {
		t.Fatal(err)
	}
	if w.Secret != testSecret {
		t.Errorf("decoded secret %q, want %q", string(w.Secret), string(testSecret))
	}
}
