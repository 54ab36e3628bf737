package auth

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// uriEncode percent-encodes every byte outside the unreserved set
// (A-Z a-z 0-9 - _ . ~) with upper-case hex, as SigV4 requires; "/" is kept
// when keepSlash is set.
func uriEncode(s string, keepSlash bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || keepSlash && c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// rawPath is the request path exactly as the client sent it (still
// percent-encoded), the input SigV4 encodes once more for non-S3 services.
func rawPath(r *http.Request) string {
	p := r.RequestURI
	if p == "" || p == "*" {
		p = r.URL.EscapedPath()
	} else {
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		if !strings.HasPrefix(p, "/") { // absolute form: scheme://host/path
			if u, err := url.Parse(p); err == nil {
				p = u.EscapedPath()
			}
		}
	}
	if p == "" {
		p = "/"
	}
	return p
}

// canonicalURI is the CanonicalURI of a non-S3 request: the raw path
// URI-encoded again, "/" kept. Paths are not normalised, as the AWS SDKs do
// not normalise them either.
func canonicalURI(r *http.Request) string {
	return uriEncode(rawPath(r), true)
}

type queryParam struct{ key, value string }

// queryParams decodes a raw query string the way Go's url.ParseQuery does
// (a "+" is a space) but keeps every pair, drops none and never fails on a
// bad escape (the raw text is then used as is). skip names a key to leave
// out (X-Amz-Signature for presigned requests).
func queryParams(raw, skip string) []queryParam {
	var out []queryParam
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		if k == skip {
			continue
		}
		out = append(out, queryParam{k, v})
	}
	return out
}

// canonicalQuery is the CanonicalQueryString: each name and value
// URI-encoded, pairs sorted by encoded name then encoded value. When legacy
// is set, pairs are sorted on their decoded form instead, as releases of
// aws-sdk-go-v2 before 2025 did (they differ only for unusual characters).
func canonicalQuery(params []queryParam, legacy bool) string {
	type enc struct{ key, value, rawKey, rawValue string }
	e := make([]enc, len(params))
	for i, p := range params {
		e[i] = enc{uriEncode(p.key, false), uriEncode(p.value, false), p.key, p.value}
	}
	sort.SliceStable(e, func(i, j int) bool {
		a, b := e[i], e[j]
		if legacy {
			a.key, a.value, b.key, b.value = a.rawKey, a.rawValue, b.rawKey, b.rawValue
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return a.value < b.value
	})
	var b strings.Builder
	for i, p := range e {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// stripExcessSpaces trims spaces at both ends and collapses runs of spaces
// into one, as SigV4 canonical header values require.
func stripExcessSpaces(s string) string {
	s = strings.Trim(s, " ")
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' && prevSpace {
			continue
		}
		prevSpace = c == ' '
		b.WriteByte(c)
	}
	return b.String()
}

// canonicalHeaders is the CanonicalHeaders block for the signed header
// names, in the order given (lower-case, as the client listed them).
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		switch name {
		case "host":
			b.WriteString(stripExcessSpaces(r.Host))
		case "content-length":
			if v := r.Header.Get("Content-Length"); v != "" {
				b.WriteString(stripExcessSpaces(v))
			} else if r.ContentLength >= 0 {
				b.WriteString(strconv.FormatInt(r.ContentLength, 10))
			}
		default:
			for i, v := range r.Header.Values(name) {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(stripExcessSpaces(v))
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// canonicalRequest joins the six parts of the CanonicalRequest.
func canonicalRequest(method, uri, query, headers, signedHeaders, payloadHash string) string {
	return method + "\n" + uri + "\n" + query + "\n" + headers + "\n" + signedHeaders + "\n" + payloadHash
}
