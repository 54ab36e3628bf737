package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/smithy-go"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/auth"
)

// sdkServer wraps a minimal Image Builder handler in the verifier's
// middleware and records what reached the handler.
func sdkServer(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	v := &auth.Verifier{Keys: keys, Region: region} // real clock: the SDK signs with it
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.PrincipalFrom(r.Context())
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+strconv.FormatBool(ok && p.AccountID == account))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/ListComponents" {
			_, _ = w.Write([]byte(`{"componentVersionList":[]}`))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), seen...) }
}

func sdkClient(url, key, secret string) *imagebuilder.Client {
	return imagebuilder.New(imagebuilder.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, nil
		}),
		Retryer: aws.NopRetryer{},
	})
}

// TestSDKSignaturesAccepted points the real Image Builder client at the
// verifier: its signatures must pass for body, query, path and repeated-query
// operations.
func TestSDKSignaturesAccepted(t *testing.T) {
	t.Parallel()
	srv, seen := sdkServer(t)
	c := sdkClient(srv.URL, accessKey, secretKey)
	ctx := context.Background()
	const compARN = "arn:aws:imagebuilder:us-east-1:123456789012:component/my-comp/1.0.0/1"

	out, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{Owner: types.OwnershipSelf, MaxResults: aws.Int32(25)})
	if err != nil {
		t.Fatalf("ListComponents: %v", err)
	}
	if out.ComponentVersionList == nil {
		t.Error("componentVersionList not decoded")
	}
	if _, err := c.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String(compARN)}); err != nil {
		t.Errorf("GetComponent: %v", err)
	}
	if _, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("My Comp"),
		SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux, Data: aws.String("name: x\n")}); err != nil {
		t.Errorf("CreateComponent: %v", err)
	}
	if _, err := c.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: aws.String(compARN),
		Tags: map[string]string{"team/owner": "a b+c"}}); err != nil {
		t.Errorf("TagResource: %v", err)
	}
	if _, err := c.UntagResource(ctx, &imagebuilder.UntagResourceInput{ResourceArn: aws.String(compARN),
		TagKeys: []string{"a/b", "a-b", "b c", "é", "x+y", "k=v&w"}}); err != nil {
		t.Errorf("UntagResource: %v", err)
	}
	want := []string{
		"POST /ListComponents true",
		"GET /GetComponent true",
		"PUT /CreateComponent true",
		"POST /tags/" + compARN + " true",
		"DELETE /tags/" + compARN + " true",
	}
	got := seen()
	if len(got) != len(want) {
		t.Fatalf("handler saw %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestSDKSignaturesRejected checks that the SDK sees the AWS error codes.
func TestSDKSignaturesRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, secret, code string
	}{
		{"wrong secret", accessKey, "wrong", apierr.CodeInvalidSignatureException},
		{"unknown key", "AKIANOSUCHKEY", secretKey, apierr.CodeUnrecognizedClientException},
		{"revoked key", revokedID, secretKey, apierr.CodeUnrecognizedClientException},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, seen := sdkServer(t)
			_, err := sdkClient(srv.URL, tt.key, tt.secret).ListComponents(context.Background(), &imagebuilder.ListComponentsInput{})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
			if n := len(seen()); n != 0 {
				t.Errorf("handler reached %d times", n)
			}
		})
	}
}

func TestPresigned(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		expires string
		signAt  time.Time
		wantErr error
	}{
		{"valid", "300", clock.Add(-4 * time.Minute), nil},
		{"no expires, fresh", "", clock.Add(-4 * time.Minute), nil},
		{"expired", "300", clock.Add(-6 * time.Minute), auth.ErrExpired},
		{"no expires, stale", "", clock.Add(-16 * time.Minute), auth.ErrExpired},
		{"from the future", "300", clock.Add(20 * time.Minute), auth.ErrExpired},
		{"bad expires", "0", clock, auth.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := &auth.Verifier{Keys: keys, Now: func() time.Time { return clock }}
			q := "componentBuildVersionArn=arn%3Aaws%3Aimagebuilder%3Aus-east-1%3A123456789012%3Acomponent%2Fc%2F1.0.0%2F1"
			if tt.expires != "" {
				q += "&X-Amz-Expires=" + tt.expires
			}
			r := httptest.NewRequest("GET", "http://imagebuilder.local/GetComponent?"+q, nil)
			signedURL, hdr, err := v4.NewSigner().PresignHTTP(context.Background(),
				aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}, r.Clone(context.Background()),
				hashOf(nil), auth.Service, region, tt.signAt)
			if err != nil {
				t.Fatal(err)
			}
			pr := httptest.NewRequest("GET", signedURL, nil)
			for k, vs := range hdr {
				if k != "Host" {
					pr.Header[k] = vs
				}
			}
			p, err := v.Verify(pr)
			if tt.wantErr == nil {
				if err != nil || p.AccountID != account {
					t.Fatalf("Verify = %v, %v", p, err)
				}
				// Any change to the query breaks the signature.
				pr2 := httptest.NewRequest("GET", signedURL+"&extra=1", nil)
				if _, err := v.Verify(pr2); !errors.Is(err, auth.ErrSignatureMismatch) {
					t.Errorf("tampered presigned URL: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Verify err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
