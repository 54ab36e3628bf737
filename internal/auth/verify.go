package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	terminator = "aws4_request"
	timeFormat = "20060102T150405Z"
	dateFormat = "20060102"
	maxExpires = 7 * 24 * 60 * 60 // seconds, the SigV4 presign limit
)

// signature is what a request claims: from the Authorization header or the
// presigned query.
type signature struct {
	presigned     bool
	accessKeyID   string
	scopeDate     string
	region        string
	service       string
	term          string
	signedHeaders string
	signature     string
	amzDate       string
	expires       time.Duration // presigned only
	rawAuth       string        // for messages
}

// Verify checks the request's SigV4 signature and returns who signed it.
// It reads the body to hash it and puts back an identical body, so handlers
// read it as usual.
func (v *Verifier) Verify(r *http.Request) (Principal, error) {
	sig, err := parseSignature(r)
	if err != nil {
		return Principal{}, err
	}
	t, err := v.checkScope(sig)
	if err != nil {
		return Principal{}, err
	}
	if err := v.checkTime(sig, t); err != nil {
		return Principal{}, err
	}
	if r.Header.Get("X-Amz-Security-Token") != "" || r.URL.Query().Get("X-Amz-Security-Token") != "" {
		return Principal{}, fail(apierr.UnrecognizedClient, ErrSessionToken, msgInvalidToken)
	}
	key, err := v.Keys.LookupKey(r.Context(), sig.accessKeyID)
	switch {
	case errors.Is(err, ErrKeyNotFound):
		return Principal{}, fail(apierr.UnrecognizedClient, fmt.Errorf("%w: %s", ErrKeyNotFound, sig.accessKeyID), msgInvalidToken)
	case err != nil:
		return Principal{}, apierr.Service("An internal service error occurred. Try again later.").
			WithCause(fmt.Errorf("look up access key: %w", err))
	case key.Revoked:
		return Principal{}, fail(apierr.UnrecognizedClient, fmt.Errorf("%w: %s", ErrKeyRevoked, sig.accessKeyID), msgInvalidToken)
	}
	payloadHash, err := v.payloadHash(r, sig)
	if err != nil {
		return Principal{}, err
	}
	signed := strings.Split(sig.signedHeaders, ";")
	uri := canonicalURI(r)
	headers := canonicalHeaders(r, signed)
	skip := ""
	if sig.presigned {
		skip = "X-Amz-Signature"
	}
	params := queryParams(r.URL.RawQuery, skip)
	scope := sig.scopeDate + "/" + sig.region + "/" + sig.service + "/" + terminator
	signingKey := deriveKey(key.Secret, sig.scopeDate, sig.region, sig.service)

	var canon string
	for _, legacy := range []bool{false, true} {
		query := canonicalQuery(params, legacy)
		if legacy && query == canonicalQuery(params, false) {
			break
		}
		canon = canonicalRequest(r.Method, uri, query, headers, sig.signedHeaders, payloadHash)
		want := computeSignature(signingKey, sig.amzDate, scope, canon)
		if subtle.ConstantTimeCompare([]byte(want), []byte(sig.signature)) == 1 {
			return Principal{AccountID: key.AccountID, AccessKeyID: key.AccessKeyID}, nil
		}
	}
	return Principal{}, fail(apierr.InvalidSignature,
		fmt.Errorf("%w: canonical request %q", ErrSignatureMismatch, canon), msgMismatch)
}

func deriveKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func computeSignature(key []byte, amzDate, scope, canon string) string {
	sum := sha256.Sum256([]byte(canon))
	sts := algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	return hex.EncodeToString(hmacSHA256(key, sts))
}

// parseSignature reads the claimed signature from the header or query.
func parseSignature(r *http.Request) (signature, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return parseAuthHeader(r, auth)
	}
	q := r.URL.Query()
	if q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential") {
		return parsePresigned(q.Get)
	}
	return signature{}, fail(apierr.MissingAuthenticationToken, ErrMissingAuth, msgMissingToken)
}

func parseAuthHeader(r *http.Request, auth string) (signature, error) {
	sig := signature{rawAuth: auth}
	alg, rest, _ := strings.Cut(auth, " ")
	if alg != algorithm {
		return sig, fail(apierr.IncompleteSignature, ErrMalformed,
			"Unsupported authorization type: '%s'. Only %s is supported.", alg, algorithm)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			fields[k] = val
		}
	}
	var missing []string
	for _, f := range []string{"Credential", "Signature", "SignedHeaders"} {
		if fields[f] == "" {
			missing = append(missing, fmt.Sprintf("Authorization header requires '%s' parameter.", f))
		}
	}
	sig.amzDate = r.Header.Get("X-Amz-Date")
	if sig.amzDate == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return sig, fail(apierr.IncompleteSignature, ErrMalformed, "%s Authorization=%s", strings.Join(missing, " "), auth)
	}
	sig.signedHeaders, sig.signature = fields["SignedHeaders"], fields["Signature"]
	return sig, sig.parseCredential(fields["Credential"])
}

func parsePresigned(get func(string) string) (signature, error) {
	sig := signature{presigned: true}
	var missing []string
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if get(p) == "" {
			missing = append(missing, "'"+p+"'")
		}
	}
	if len(missing) > 0 {
		return sig, fail(apierr.IncompleteSignature, ErrMalformed,
			"AWS query-string parameters must include %s. Re-examine the query-string parameters.", strings.Join(missing, ", "))
	}
	if alg := get("X-Amz-Algorithm"); alg != algorithm {
		return sig, fail(apierr.IncompleteSignature, ErrMalformed,
			"X-Amz-Algorithm only supports '%s', not '%s'.", algorithm, alg)
	}
	if exp := get("X-Amz-Expires"); exp != "" { // optional outside S3
		secs, err := strconv.Atoi(exp)
		if err != nil || secs < 1 || secs > maxExpires {
			return sig, fail(apierr.IncompleteSignature, ErrMalformed,
				"X-Amz-Expires must be an integer from 1 to %d, not '%s'.", maxExpires, exp)
		}
		sig.expires = time.Duration(secs) * time.Second
	}
	sig.amzDate, sig.signedHeaders, sig.signature = get("X-Amz-Date"), get("X-Amz-SignedHeaders"), get("X-Amz-Signature")
	return sig, sig.parseCredential(get("X-Amz-Credential"))
}

// parseCredential splits keyid/date/region/service/aws4_request.
func (sig *signature) parseCredential(cred string) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" {
		return fail(apierr.IncompleteSignature, ErrMalformed,
			"Credential should have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'.", cred)
	}
	sig.accessKeyID, sig.scopeDate, sig.region, sig.service, sig.term = parts[0], parts[1], parts[2], parts[3], parts[4]
	return nil
}

// checkScope checks the credential scope and parses the request time.
func (v *Verifier) checkScope(sig signature) (time.Time, error) {
	t, err := time.Parse(timeFormat, sig.amzDate)
	if err != nil {
		return t, fail(apierr.IncompleteSignature, ErrMalformed,
			"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", sig.amzDate)
	}
	switch {
	case sig.scopeDate != t.Format(dateFormat):
		return t, fail(apierr.InvalidSignature, ErrScope,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			sig.scopeDate, t.Format(dateFormat), sig.amzDate)
	case v.Region != "" && sig.region != v.Region:
		return t, fail(apierr.InvalidSignature, ErrScope,
			"Credential should be scoped to a valid region, not '%s'.", sig.region)
	case sig.region == "":
		return t, fail(apierr.InvalidSignature, ErrScope, "Credential should be scoped to a valid region.")
	case sig.service != Service:
		return t, fail(apierr.InvalidSignature, ErrScope,
			"Credential should be scoped to correct service: '%s'.", Service)
	case sig.term != terminator:
		return t, fail(apierr.InvalidSignature, ErrScope,
			"Credential should be scoped with a valid terminator: '%s', not '%s'.", terminator, sig.term)
	}
	for _, h := range strings.Split(sig.signedHeaders, ";") {
		if h == "host" {
			return t, nil
		}
	}
	return t, fail(apierr.InvalidSignature, ErrMalformed, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
}

// checkTime checks the request date against the clock: before its expiry
// for a presigned URL with X-Amz-Expires, else no older than MaxSkew; and
// never more than MaxSkew in the future.
func (v *Verifier) checkTime(sig signature, t time.Time) error {
	now := v.now().UTC()
	earliest := now.Add(-MaxSkew)
	if sig.expires > 0 {
		if now.After(t.Add(sig.expires)) {
			return fail(apierr.InvalidSignature, ErrExpired,
				"Signature expired: %s is now earlier than %s (%s - %d sec.)",
				t.Add(sig.expires).Format(timeFormat), now.Format(timeFormat), now.Format(timeFormat), int(sig.expires.Seconds()))
		}
	} else if t.Before(earliest) {
		return fail(apierr.InvalidSignature, ErrExpired,
			"Signature expired: %s is now earlier than %s (%s - 15 min.)",
			sig.amzDate, earliest.Format(timeFormat), now.Format(timeFormat))
	}
	if latest := now.Add(MaxSkew); t.After(latest) {
		return fail(apierr.InvalidSignature, ErrExpired,
			"Signature not yet current: %s is still later than %s (%s + 15 min.)",
			sig.amzDate, latest.Format(timeFormat), now.Format(timeFormat))
	}
	return nil
}

// payloadHash reads and restores the body and returns the hash the
// canonical request uses: the x-amz-content-sha256 header when present,
// which must then equal the body's hash (unsigned and streaming payloads are
// refused), else the body's hash.
func (v *Verifier) payloadHash(r *http.Request, sig signature) (string, error) {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, v.maxBody()+1))
		_ = r.Body.Close()
		if err != nil {
			return "", apierr.InvalidRequest("The request body could not be read.").WithCause(fmt.Errorf("read body: %w", err))
		}
		if int64(len(body)) > v.maxBody() {
			return "", apierr.InvalidRequest("The request body is larger than %d bytes.", v.maxBody())
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	sum := sha256.Sum256(body)
	computed := hex.EncodeToString(sum[:])
	claimed := r.Header.Get("X-Amz-Content-Sha256")
	if claimed == "" && sig.presigned {
		claimed = r.URL.Query().Get("X-Amz-Content-Sha256")
	}
	if claimed == "" {
		return computed, nil
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(claimed)), []byte(computed)) != 1 {
		return "", fail(apierr.InvalidSignature, ErrBodyHash,
			"The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	return claimed, nil
}
