package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Request headers of a webhook delivery.
const (
	HeaderSignature = "X-Goldsmith-Signature"
	HeaderTimestamp = "X-Goldsmith-Timestamp"
	HeaderEventID   = "X-Goldsmith-Event-Id"
)

// signaturePrefix names the algorithm in HeaderSignature.
const signaturePrefix = "sha256="

// Errors of Verify, for receivers that answer differently to each.
var (
	ErrBadSignature = errors.New("notify: signature does not match; check that the receiver uses the same secret as the server's webhook")
	ErrBadTimestamp = errors.New("notify: timestamp outside the allowed clock skew; check both clocks, or the request is a replay")
)

// Sign is the HeaderSignature value for body sent at timestamp (HeaderTimestamp).
func Sign(secret Secret, timestamp string, body []byte) string {
	return signaturePrefix + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret Secret, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(timestamp))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a delivery's HeaderSignature value against its
// HeaderTimestamp value and body, and that the timestamp is within maxSkew
// of the local clock (5 minutes is usual). It returns nil, ErrBadSignature,
// ErrBadTimestamp, or an error for a malformed header.
func Verify(secret Secret, header, timestamp string, body []byte, maxSkew time.Duration) error {
	return VerifyAt(time.Now(), secret, header, timestamp, body, maxSkew)
}

// VerifyAt is Verify with the local clock reading now.
func VerifyAt(now time.Time, secret Secret, header, timestamp string, body []byte, maxSkew time.Duration) error {
	if secret == "" {
		return errors.New("notify: verifying with an empty secret; configure the receiver with the webhook's secret")
	}
	if maxSkew <= 0 {
		return errors.New("notify: maxSkew must be positive; 5 minutes is usual")
	}
	hexSig, ok := strings.CutPrefix(header, signaturePrefix)
	if !ok {
		return fmt.Errorf("notify: %s must start with %q", HeaderSignature, signaturePrefix)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("notify: %s is not %s followed by 64 hex digits", HeaderSignature, signaturePrefix)
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("notify: %s %q is not Unix time in seconds", HeaderTimestamp, timestamp)
	}
	// Check the MAC before the time, so that a forged request learns nothing
	// about the receiver's clock.
	if !hmac.Equal(got, mac(secret, timestamp, body)) {
		return ErrBadSignature
	}
	if skew := now.Sub(time.Unix(sec, 0)).Abs(); skew > maxSkew {
		return fmt.Errorf("%w (%s apart, %s allowed)", ErrBadTimestamp, skew.Round(time.Second), maxSkew)
	}
	return nil
}
