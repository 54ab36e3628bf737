package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultUserAgent is the User-Agent of deliveries unless configured.
const DefaultUserAgent = "Goldsmith-Webhook/1"

// Config configures New.
type Config struct {
	// Webhooks, one per topic ARN. Default: none (every topic is unknown).
	Webhooks []Webhook
	// Retry bounds Deliver's retries. Zero fields take their defaults.
	Retry RetryPolicy
	// HTTPClient sends the requests. Default: a client that does not follow
	// redirects (a redirect is a permanent failure); attempts are bounded by
	// Webhook.Timeout either way.
	HTTPClient *http.Client
	// UserAgent is sent unless a webhook's Headers set one. Default: DefaultUserAgent.
	UserAgent string
	// Logger. Default: slog.Default().
	Logger *slog.Logger
	// Now is the clock, for timestamps and retry limits. Default: time.Now.
	Now func() time.Time
	// Sleep waits between attempts, returning early with ctx's error.
	// Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) for jitter. Default: math/rand/v2.Float64.
	Rand func() float64
}

// Notifier delivers events to the webhooks of their topics. It is safe for
// concurrent use.
type Notifier struct {
	router    *Router
	retry     RetryPolicy
	client    *http.Client
	userAgent string
	log       *slog.Logger
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error
	rand      func() float64
}

// New checks cfg and returns a Notifier.
func New(cfg Config) (*Notifier, error) {
	router, err := NewRouter(cfg.Webhooks...)
	if err != nil {
		return nil, err
	}
	retry := cfg.Retry.WithDefaults()
	if err := retry.validate(); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	n := &Notifier{
		router:    router,
		retry:     retry,
		client:    cfg.HTTPClient,
		userAgent: cfg.UserAgent,
		log:       cfg.Logger,
		now:       cfg.Now,
		sleep:     cfg.Sleep,
		rand:      cfg.Rand,
	}
	if n.client == nil {
		n.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if n.userAgent == "" {
		n.userAgent = DefaultUserAgent
	}
	if n.log == nil {
		n.log = slog.Default()
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.sleep == nil {
		n.sleep = sleep
	}
	if n.rand == nil {
		n.rand = rand.Float64
	}
	return n, nil
}

// Router is the Notifier's topic-to-webhook table.
func (n *Notifier) Router() *Router { return n.router }

// Send makes one attempt to deliver ev to the webhook of topicARN. On
// failure it returns a *DeliveryError (or an error wrapping
// ErrUnknownTopic); IsPermanent and RetryAfter tell a caller with its own
// retries (a durable job) whether and when to try again.
func (n *Notifier) Send(ctx context.Context, topicARN string, ev Event) error {
	w, body, err := n.prepare(topicARN, ev)
	if err != nil {
		return err
	}
	if err := n.attempt(ctx, w, body, ev.ID); err != nil {
		err.Attempts = 1
		return err
	}
	return nil
}

// Deliver delivers ev to the webhook of topicARN, retrying as its
// RetryPolicy allows: after a retryable failure it waits the webhook's
// Retry-After, or else an exponential backoff with jitter. It returns nil,
// the permanent or last *DeliveryError, or an error wrapping ctx's error.
// It blocks until done; a durable queue calls Send instead and retries
// with its own schedule.
func (n *Notifier) Deliver(ctx context.Context, topicARN string, ev Event) error {
	w, body, err := n.prepare(topicARN, ev)
	if err != nil {
		return err
	}
	p := n.retry
	start := n.now()
	for attempt := 1; ; attempt++ {
		de := n.attempt(ctx, w, body, ev.ID)
		if de == nil {
			if attempt > 1 {
				n.log.InfoContext(ctx, "webhook delivery succeeded after retries", "topic", topicARN, "event", ev.ID, "attempts", attempt)
			}
			return nil
		}
		de.Attempts = attempt
		if de.Permanent {
			return de
		}
		if ctx.Err() != nil {
			return cancelled(de, ctx.Err())
		}
		if attempt >= p.MaxAttempts {
			de.GaveUp = fmt.Sprintf("the retry policy allows %d", p.MaxAttempts)
			return de
		}
		wait := de.RetryAfter
		if wait == 0 {
			wait = p.Backoff(attempt, n.rand())
		}
		if elapsed := n.now().Sub(start); elapsed+wait > p.MaxElapsed {
			de.GaveUp = fmt.Sprintf("waiting %s more would pass the retry policy's limit of %s", wait, p.MaxElapsed)
			return de
		}
		n.log.WarnContext(ctx, "webhook delivery failed; will retry", "topic", topicARN, "event", ev.ID,
			"attempt", attempt, "wait", wait, "err", de)
		if err := n.sleep(ctx, wait); err != nil {
			return cancelled(de, err)
		}
	}
}

// cancelled is de, marked as given up, with ctxErr in its chain.
func cancelled(de *DeliveryError, ctxErr error) error {
	de.GaveUp = "cancelled"
	if errors.Is(de, ctxErr) {
		return de
	}
	return fmt.Errorf("%w: %w", de, ctxErr)
}

// prepare looks up the webhook and encodes the body, once for all attempts.
func (n *Notifier) prepare(topicARN string, ev Event) (Webhook, []byte, error) {
	w, err := n.router.Lookup(topicARN)
	if err != nil {
		return Webhook{}, nil, err
	}
	if ev.ID == "" {
		return Webhook{}, nil, fmt.Errorf("%w: it has no id; build events with NewEvent", errEncode)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return Webhook{}, nil, fmt.Errorf("%w %s: %v", errEncode, ev.ID, err)
	}
	return w, body, nil
}

const (
	maxBodySnippet = 512      // bytes of an error answer kept for messages
	maxBodyDrain   = 64 << 10 // bytes read to let the connection be reused
)

// attempt POSTs body once. It returns nil on a 2xx answer.
func (n *Notifier) attempt(ctx context.Context, w Webhook, body []byte, eventID string) *DeliveryError {
	de := &DeliveryError{TopicARN: w.TopicARN, URL: redactURL(w.URL), EventID: eventID}
	actx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		de.Err, de.Permanent = fmt.Errorf("building request: %w", err), true
		return de
	}
	req.Header.Set("User-Agent", n.userAgent)
	for k, v := range w.Headers {
		req.Header.Set(k, v)
	}
	ts := strconv.FormatInt(n.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderEventID, eventID)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.Secret, ts, body))

	resp, err := n.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL, query and all
		}
		switch {
		case ctx.Err() != nil:
			de.Err = fmt.Errorf("cancelled: %w", ctx.Err())
		case errors.Is(actx.Err(), context.DeadlineExceeded):
			de.Err = fmt.Errorf("no answer within %s (the webhook's timeout): %w", w.Timeout, err)
		default:
			de.Err = err
		}
		return de
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodySnippet))
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxBodyDrain))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	de.StatusCode = resp.StatusCode
	de.Body = strings.ToValidUTF8(strings.TrimSpace(string(snippet)), "\uFFFD")
	if retryableStatus(resp.StatusCode) {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), n.now()); ok {
			de.RetryAfter = d
		}
		return de
	}
	de.Permanent = true
	return de
}

// retryableStatus reports whether an answer with status code may succeed
// if repeated: request timeout, too many requests, and server errors.
func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}
