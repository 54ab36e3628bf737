// Package auth authenticates incoming Image Builder API requests by AWS
// Signature Version 4 (signing name "imagebuilder"), as AWS itself does:
// it parses the Authorization header (or the presigned query form),
// recomputes the canonical request and the signature with the caller's
// secret key, compares them in constant time and checks that the request
// date lies within 15 minutes of the server's clock.
//
// Failures are *apierr.Error values carrying the code and message an AWS
// front end answers with (HTTP 403): MissingAuthenticationTokenException,
// IncompleteSignatureException, InvalidSignatureException and
// UnrecognizedClientException. Each wraps one of the sentinel errors below,
// so callers and logs can tell the causes apart with errors.Is.
package auth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

// Service is the SigV4 signing name of Image Builder.
const Service = "imagebuilder"

// MaxSkew is how far the request date may be from the server's clock.
const MaxSkew = 15 * time.Minute

// DefaultMaxBodyBytes is the default limit on a request body.
const DefaultMaxBodyBytes = 8 << 20

// Key is an access key as the key store holds it.
type Key struct {
	AccessKeyID string
	Secret      string
	AccountID   string
	Revoked     bool
}

// KeyStore finds access keys. LookupKey returns an error wrapping
// ErrKeyNotFound for an unknown key; any other error is an internal failure.
type KeyStore interface {
	LookupKey(ctx context.Context, accessKeyID string) (Key, error)
}

// Principal is who signed a request.
type Principal struct {
	AccountID   string
	AccessKeyID string
}

// Sentinel causes wrapped by the errors Verify returns.
var (
	ErrKeyNotFound       = errors.New("access key not found")
	ErrKeyRevoked        = errors.New("access key revoked")
	ErrMissingAuth       = errors.New("request not signed")
	ErrMalformed         = errors.New("malformed signature")
	ErrScope             = errors.New("credential scope mismatch")
	ErrExpired           = errors.New("request date out of range")
	ErrSessionToken      = errors.New("session tokens are not supported")
	ErrBodyHash          = errors.New("payload hash mismatch")
	ErrSignatureMismatch = errors.New("signature mismatch")
)

// Messages AWS answers with.
const (
	msgMissingToken = "Missing Authentication Token"
	msgInvalidToken = "The security token included in the request is invalid."
	msgMismatch     = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// Verifier checks SigV4 signatures. The zero value is not usable: Keys is
// required.
type Verifier struct {
	// Keys finds secret keys. Required.
	Keys KeyStore
	// Region, when set, is the only region a credential scope may name.
	// Default: any region.
	Region string
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// MaxBodyBytes limits the body read to hash it. Default: DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal Middleware stored in ctx.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Middleware verifies every request before next sees it. A request that
// fails is answered in the AWS error shape; one that passes reaches next
// with its body intact and its Principal in the context (PrincipalFrom).
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := v.Verify(r)
		if err != nil {
			apierr.Write(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxBody() int64 {
	if v.MaxBodyBytes > 0 {
		return v.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

// fail builds an *apierr.Error for code and message wrapping cause.
func fail(mk func(string, ...any) *apierr.Error, cause error, format string, args ...any) error {
	return mk(format, args...).WithCause(cause)
}
