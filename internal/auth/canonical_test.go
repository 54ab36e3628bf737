package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"testing"
	"time"
)

func TestURIEncode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		keepSlash bool
		want      string
	}{
		{"abcXYZ019-_.~", false, "abcXYZ019-_.~"},
		{"a b+c", false, "a%20b%2Bc"},
		{"a/b", false, "a%2Fb"},
		{"a/b", true, "a/b"},
		{"é", false, "%C3%A9"},
		{"*'()!", false, "%2A%27%28%29%21"},
		{"/tags/arn%3Aaws%2Fx", true, "/tags/arn%253Aaws%252Fx"},
	}
	for _, tt := range tests {
		if got := uriEncode(tt.in, tt.keepSlash); got != tt.want {
			t.Errorf("uriEncode(%q, %v) = %q, want %q", tt.in, tt.keepSlash, got, tt.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, want, legacy string
	}{
		{"", "", ""},
		{"b=2&a=1", "a=1&b=2", "a=1&b=2"},
		{"k=a-b&k=a%2Fb", "k=a%2Fb&k=a-b", "k=a-b&k=a%2Fb"},
		{"k=a+b&k=a%2Bb", "k=a%20b&k=a%2Bb", "k=a%20b&k=a%2Bb"},
		{"flag&x=", "flag=&x=", "flag=&x="},
		{"a=1&&b=%zz", "a=1&b=%25zz", "a=1&b=%25zz"},
		{"%C3%A9=2&a=1", "%C3%A9=2&a=1", "a=1&%C3%A9=2"},
	}
	for _, tt := range tests {
		p := queryParams(tt.raw, "X-Amz-Signature")
		if got := canonicalQuery(p, false); got != tt.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", tt.raw, got, tt.want)
		}
		if got := canonicalQuery(p, true); got != tt.legacy {
			t.Errorf("legacy canonicalQuery(%q) = %q, want %q", tt.raw, got, tt.legacy)
		}
	}
	if got := canonicalQuery(queryParams("a=1&X-Amz-Signature=abc", "X-Amz-Signature"), false); got != "a=1" {
		t.Errorf("signature not skipped: %q", got)
	}
}

func TestStripExcessSpaces(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "a": "a", "  a  ": "a", "a   b  c": "a b c", " a b ": "a b"} {
		if got := stripExcessSpaces(in); got != want {
			t.Errorf("stripExcessSpaces(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRawPath(t *testing.T) {
	t.Parallel()
	tests := []struct{ target, want string }{
		{"/tags/arn%3Aaws%2Fx?a=b", "/tags/arn%3Aaws%2Fx"},
		{"http://h/ListComponents?x=1", "/ListComponents"},
		{"/", "/"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.target, nil)
		if got := rawPath(r); got != tt.want {
			t.Errorf("rawPath(%q) = %q, want %q", tt.target, got, tt.want)
		}
	}
}

// TestKnownAnswer checks key derivation and signing against the worked
// example of the AWS SigV4 documentation (IAM ListUsers, 2015-08-30).
func TestKnownAnswer(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	signed := "content-type;host;x-amz-date"
	canon := canonicalRequest("GET", canonicalURI(r), canonicalQuery(queryParams(r.URL.RawQuery, ""), false),
		canonicalHeaders(r, []string{"content-type", "host", "x-amz-date"}), signed,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	sum := sha256.Sum256([]byte(canon))
	if got := hex.EncodeToString(sum[:]); got != "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59" {
		t.Errorf("canonical request hash = %s\n%s", got, canon)
	}
	key := deriveKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam")
	got := computeSignature(key, "20150830T123600Z", "20150830/us-east-1/iam/aws4_request", canon)
	if got != "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7" {
		t.Errorf("signature = %s", got)
	}
}

type oneKey Key

func (k oneKey) LookupKey(_ context.Context, id string) (Key, error) {
	if id != k.AccessKeyID {
		return Key{}, ErrKeyNotFound
	}
	return Key(k), nil
}

// TestLegacyQueryOrder checks a signature over the decoded-order canonical
// query of older SDK releases is still accepted.
func TestLegacyQueryOrder(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	k := Key{AccessKeyID: "AKID", Secret: "secret", AccountID: "123456789012"}
	r := httptest.NewRequest("DELETE", "/tags/x?tagKeys=a-b&tagKeys=a%2Fb", nil)
	r.Host = "localhost"
	amzDate := now.Format(timeFormat)
	r.Header.Set("X-Amz-Date", amzDate)
	params := queryParams(r.URL.RawQuery, "")
	if canonicalQuery(params, true) == canonicalQuery(params, false) {
		t.Fatal("test query does not tell the orders apart")
	}
	canon := canonicalRequest("DELETE", canonicalURI(r), canonicalQuery(params, true),
		canonicalHeaders(r, []string{"host", "x-amz-date"}), "host;x-amz-date",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	scope := now.Format(dateFormat) + "/us-east-1/imagebuilder/aws4_request"
	sig := computeSignature(deriveKey(k.Secret, now.Format(dateFormat), "us-east-1", Service), amzDate, scope, canon)
	r.Header.Set("Authorization", algorithm+" Credential=AKID/"+scope+", SignedHeaders=host;x-amz-date, Signature="+sig)
	v := &Verifier{Keys: oneKey(k), Now: func() time.Time { return now }}
	if _, err := v.Verify(r); err != nil {
		t.Fatalf("legacy order refused: %v", err)
	}
	r.Header.Set("Authorization", algorithm+" Credential=AKID/"+scope+", SignedHeaders=host;x-amz-date, Signature="+flipLast(sig))
	if _, err := v.Verify(r); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("bad signature: %v", err)
	}
}

func flipLast(s string) string {
	last := byte('0')
	if s[len(s)-1] == '0' {
		last = '1'
	}
	return s[:len(s)-1] + string(last)
}
