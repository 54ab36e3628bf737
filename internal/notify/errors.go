package notify

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DeliveryError is a failed attempt, or the last of several, to deliver an
// event to a webhook.
type DeliveryError struct {
	TopicARN string
	URL      string // without credentials or query
	EventID  string
	// StatusCode is the webhook's HTTP status; 0 when there was no answer.
	StatusCode int
	// Body is the start of the webhook's answer, for diagnosis.
	Body string
	// RetryAfter is the webhook's Retry-After; 0 when absent.
	RetryAfter time.Duration
	// Permanent is true when retrying cannot help.
	Permanent bool
	// Attempts made; set by Deliver, 1 from Send.
	Attempts int
	// GaveUp says why Deliver stopped retrying a retryable failure; empty
	// when it did not.
	GaveUp string
	// Err is the cause when there was no answer.
	Err error
}

func (e *DeliveryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "notify: delivering event %s to the webhook for topic %s (%s): ", e.EventID, e.TopicARN, e.URL)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "webhook answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
		if e.Body != "" {
			fmt.Fprintf(&b, " %q", e.Body)
		}
	} else if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("failed")
	}
	if e.Permanent {
		fmt.Fprintf(&b, "; not retried: %s", permanentHint(e.StatusCode))
	}
	if e.GaveUp != "" {
		fmt.Fprintf(&b, "; gave up after %d attempts: %s", e.Attempts, e.GaveUp)
	}
	return b.String()
}

func (e *DeliveryError) Unwrap() error { return e.Err }

func permanentHint(status int) string {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "check that the receiver verifies with the same secret as the server's webhook, and accepts the server's clock"
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status == http.StatusGone:
		return "check the webhook URL in the server configuration; it must accept POST"
	case status == http.StatusRequestEntityTooLarge:
		return "raise the receiver's request body limit"
	case status >= 300 && status < 400:
		return "redirects are not followed; configure the final URL"
	default:
		return "the receiver rejected the event; see its logs"
	}
}

// IsPermanent reports whether err is a delivery failure that retrying
// cannot fix, such as a 400 answer or an unknown topic. A durable job queue
// should discard such a job rather than retry it.
func IsPermanent(err error) bool {
	if errors.Is(err, ErrUnknownTopic) || errors.Is(err, errEncode) {
		return true
	}
	var de *DeliveryError
	return errors.As(err, &de) && de.Permanent
}

// RetryAfter is the wait the webhook asked for (Retry-After on a 429, 503
// or other retryable answer), if it asked.
func RetryAfter(err error) (time.Duration, bool) {
	var de *DeliveryError
	if errors.As(err, &de) && !de.Permanent && de.RetryAfter > 0 {
		return de.RetryAfter, true
	}
	return 0, false
}

var errEncode = errors.New("notify: cannot encode event")
