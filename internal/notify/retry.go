package notify

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy bounds Notifier.Deliver's retries. Zero fields take their
// defaults.
type RetryPolicy struct {
	// MaxAttempts is the most attempts per event, the first included. Default: 8.
	MaxAttempts int
	// MaxElapsed is the most time from the first attempt to the start of the
	// last; Deliver gives up rather than wait beyond it. Default: 30 minutes.
	MaxElapsed time.Duration
	// InitialInterval is the wait before the second attempt, before jitter. Default: 1 second.
	InitialInterval time.Duration
	// MaxInterval caps the wait between attempts, before jitter; a longer
	// Retry-After is still honoured. Default: 5 minutes.
	MaxInterval time.Duration
	// Multiplier grows the wait after each attempt. Default: 2.
	Multiplier float64
}

// WithDefaults fills in the defaults of zero fields.
func (p RetryPolicy) WithDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 8
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = 30 * time.Minute
	}
	if p.InitialInterval == 0 {
		p.InitialInterval = time.Second
	}
	if p.MaxInterval == 0 {
		p.MaxInterval = 5 * time.Minute
	}
	if p.Multiplier == 0 {
		p.Multiplier = 2
	}
	return p
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return fmt.Errorf("retry policy: maxAttempts %d must be at least 1 (1 means no retries)", p.MaxAttempts)
	case p.MaxElapsed < 0:
		return fmt.Errorf("retry policy: maxElapsed %s must be positive", p.MaxElapsed)
	case p.InitialInterval < 0:
		return fmt.Errorf("retry policy: initialInterval %s must be positive", p.InitialInterval)
	case p.MaxInterval < p.InitialInterval:
		return fmt.Errorf("retry policy: maxInterval %s must be at least initialInterval %s", p.MaxInterval, p.InitialInterval)
	case p.Multiplier < 1 || math.IsInf(p.Multiplier, 0) || math.IsNaN(p.Multiplier):
		return fmt.Errorf("retry policy: multiplier %v must be a finite number of at least 1", p.Multiplier)
	}
	return nil
}

// Backoff is the wait after the given failed attempt (1 for the first):
// InitialInterval × Multiplier^(attempt-1), capped at MaxInterval, then
// jittered into [d/2, d) with r, a random number in [0, 1).
func (p RetryPolicy) Backoff(attempt int, r float64) time.Duration {
	d := float64(p.InitialInterval) * math.Pow(p.Multiplier, float64(attempt-1))
	if d > float64(p.MaxInterval) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(p.MaxInterval)
	}
	return time.Duration(d/2 + r*d/2)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(math.MaxInt64/time.Second) {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleep waits d or until ctx is done; the default Config.Sleep.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
