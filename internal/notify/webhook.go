package notify

import (
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Secret is a webhook's signing secret. It is write-only: it decodes from
// configuration as a string, but prints, logs and encodes (JSON, YAML, text)
// as a placeholder, so that showing a Webhook does not leak it.
type Secret string

// MinSecretLen is the shortest secret a Webhook accepts.
const MinSecretLen = 16

const redacted = "REDACTED"

// String hides the secret.
func (s Secret) String() string { return redacted }

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return redacted }

// LogValue hides the secret from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText hides the secret from encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// DefaultTimeout is a Webhook's default per-attempt timeout.
const DefaultTimeout = 10 * time.Second

// Webhook is where events published to one SNS topic ARN go.
type Webhook struct {
	// TopicARN is the snsTopicArn that infrastructure configurations name,
	// e.g. arn:aws:sns:goldsmith-local-1:123456789012:builds. Required.
	TopicARN string `yaml:"topicArn" json:"topicArn"`
	// URL receives the POSTs; http or https (use https beyond localhost). Required.
	URL string `yaml:"url" json:"url"`
	// Secret keys the HMAC signature; at least MinSecretLen characters,
	// e.g. from `openssl rand -hex 32`. Required.
	Secret Secret `yaml:"secret" json:"secret"`
	// Headers are sent with every request, e.g. for a gateway's token. They
	// may not replace Content-Type, Host, Content-Length or X-Goldsmith-*.
	// Default: none.
	Headers map[string]string `yaml:"headers" json:"headers"`
	// Timeout bounds each attempt. Default: DefaultTimeout.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
}

// WithDefaults fills in the defaults of unset fields.
func (w Webhook) WithDefaults() Webhook {
	if w.Timeout == 0 {
		w.Timeout = DefaultTimeout
	}
	return w
}

// Validate reports the first problem with w.
func (w Webhook) Validate() error {
	if err := ValidateTopicARN(w.TopicARN); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	prefix := fmt.Sprintf("webhook for topic %s", w.TopicARN)
	u, err := url.Parse(w.URL)
	if w.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: url %q must be an absolute http or https URL, e.g. https://hooks.example.com/goldsmith", prefix, redactURL(w.URL))
	}
	if len(w.Secret) < MinSecretLen {
		return fmt.Errorf("%s: secret must be at least %d characters; generate one with `openssl rand -hex 32`", prefix, MinSecretLen)
	}
	if w.Timeout < 0 {
		return fmt.Errorf("%s: timeout %s must not be negative (0 means the default %s)", prefix, w.Timeout, DefaultTimeout)
	}
	for name, value := range w.Headers {
		if !validHeaderName(name) {
			return fmt.Errorf("%s: header name %q is not a valid HTTP header name", prefix, name)
		}
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if slices.Contains(reservedHeaders, canon) || strings.HasPrefix(canon, "X-Goldsmith-") {
			return fmt.Errorf("%s: header %q is set by Goldsmith and cannot be configured", prefix, name)
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return fmt.Errorf("%s: value of header %q must not contain line breaks or NUL", prefix, name)
		}
	}
	return nil
}

var reservedHeaders = []string{"Content-Type", "Content-Length", "Host", "Transfer-Encoding", "Connection"}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// redactURL is u without user information, query or fragment, which may
// hold credentials, for messages and logs.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

// ErrUnknownTopic is returned for a topic ARN that no webhook is configured for.
var ErrUnknownTopic = errors.New("no webhook configured for topic")

// Router maps SNS topic ARNs to webhooks. A Router is immutable and safe for
// concurrent use.
type Router struct {
	hooks map[string]Webhook
}

// NewRouter checks the webhooks, fills in their defaults and returns a
// Router over them. Each topic ARN may appear once.
func NewRouter(hooks ...Webhook) (*Router, error) {
	r := &Router{hooks: make(map[string]Webhook, len(hooks))}
	for i, w := range hooks {
		w = w.WithDefaults()
		if err := w.Validate(); err != nil {
			return nil, fmt.Errorf("notify: webhooks[%d]: %w", i, err)
		}
		if _, dup := r.hooks[w.TopicARN]; dup {
			return nil, fmt.Errorf("notify: webhooks[%d]: topic %s already has a webhook; give each topic one URL", i, w.TopicARN)
		}
		r.hooks[w.TopicARN] = w
	}
	return r, nil
}

// Lookup is the webhook for topicARN, or an error wrapping ErrUnknownTopic
// that says how to configure one.
func (r *Router) Lookup(topicARN string) (Webhook, error) {
	if w, ok := r.hooks[topicARN]; ok {
		return w, nil
	}
	return Webhook{}, &UnknownTopicError{TopicARN: topicARN}
}

// Topics lists the configured topic ARNs, sorted.
func (r *Router) Topics() []string {
	topics := make([]string, 0, len(r.hooks))
	for t := range r.hooks {
		topics = append(topics, t)
	}
	slices.Sort(topics)
	return topics
}

// UnknownTopicError is the error for a topic ARN with no webhook. It does
// not list the configured topics, which may belong to other accounts.
type UnknownTopicError struct {
	TopicARN string
}

func (e *UnknownTopicError) Error() string {
	return fmt.Sprintf("notify: %s %s: Goldsmith delivers SNS topics to webhooks; add one to the server configuration (webhooks: - topicArn: %s, url: <receiver URL>, secret: <at least %d characters>) or remove snsTopicArn from the infrastructure configuration",
		ErrUnknownTopic, e.TopicARN, e.TopicARN, MinSecretLen)
}

// Unwrap makes errors.Is(err, ErrUnknownTopic) true.
func (e *UnknownTopicError) Unwrap() error { return ErrUnknownTopic }
