package apierr_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want int
	}{
		{apierr.CodeServiceException, 500},
		{apierr.CodeServiceUnavailableException, 503},
		{apierr.CodeResourceNotFoundException, 404},
		{apierr.CodeServiceQuotaExceededException, 402},
		{apierr.CodeDryRunOperationException, 412},
		{apierr.CodeCallRateLimitExceededException, 429},
		{apierr.CodeTooManyRequestsException, 429},
		{apierr.CodeForbiddenException, 403},
		{apierr.CodeAccessDeniedException, 403},
		{apierr.CodeInvalidSignatureException, 403},
		{apierr.CodeResourceDependencyException, 400},
		{"SomethingNew", 400},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			if got := apierr.Status(tt.code); got != tt.want {
				t.Errorf("Status(%q) = %d, want %d", tt.code, got, tt.want)
			}
		})
	}
}

func TestErrorWrapping(t *testing.T) {
	t.Parallel()
	cause := errors.New("row missing")
	err := fmt.Errorf("get component: %w", apierr.NotFound("arn:x").WithCause(cause))
	if !errors.Is(err, cause) {
		t.Error("cause not reachable with errors.Is")
	}
	if got := apierr.CodeOf(err); got != apierr.CodeResourceNotFoundException {
		t.Errorf("CodeOf = %q", got)
	}
	if !apierr.HasCode(err, apierr.CodeResourceNotFoundException) {
		t.Error("HasCode = false")
	}
	if got := apierr.CodeOf(errors.New("boom")); got != apierr.CodeServiceException {
		t.Errorf("CodeOf(plain) = %q", got)
	}
	if got := apierr.CodeOf(nil); got != "" {
		t.Errorf("CodeOf(nil) = %q", got)
	}
	want := "ResourceNotFoundException: The resource 'arn:x' does not exist."
	if got := apierr.NotFound("arn:x").Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestWriteShape(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	apierr.Write(rec, fmt.Errorf("wrapped: %w", apierr.AlreadyExists("ImageRecipe", "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/r/1.0.0")))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status = %d", rec.Code)
	}
	if got := rec.Header().Get("x-amzn-ErrorType"); got != "ResourceAlreadyExistsException" {
		t.Errorf("x-amzn-ErrorType = %q", got)
	}
	if rec.Header().Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
	var b map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	want := "The following resource 'ImageRecipe' already exists: 'arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/r/1.0.0'."
	if b["message"] != want || b["__type"] != "ResourceAlreadyExistsException" {
		t.Errorf("body = %v", b)
	}

	// A plain error is a ServiceException that hides its text; a request id
	// set by the caller is kept.
	rec = httptest.NewRecorder()
	rec.Header().Set("x-amzn-RequestId", "req-1")
	apierr.Write(rec, errors.New("secret database detail"))
	if rec.Code != 500 || rec.Header().Get("x-amzn-ErrorType") != "ServiceException" {
		t.Errorf("plain error: status %d type %q", rec.Code, rec.Header().Get("x-amzn-ErrorType"))
	}
	if rec.Header().Get("x-amzn-RequestId") != "req-1" {
		t.Error("request id overwritten")
	}
	if s := rec.Body.String(); !json.Valid([]byte(s)) || strings.Contains(s, "secret") {
		t.Errorf("body = %s", s)
	}
}

// newClient is a real Image Builder SDK client aimed at a server that answers
// every request with err.
func newClient(t *testing.T, err error) *imagebuilder.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apierr.Write(w, err)
	}))
	t.Cleanup(srv.Close)
	return imagebuilder.New(imagebuilder.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}, nil
		}),
		Retryer: aws.NopRetryer{},
	})
}

const compARN = "arn:aws:imagebuilder:us-east-1:123456789012:component/c/1.0.0/1"

// TestSDKDecodes checks that the real SDK turns each error into its typed
// error (for the operations that model it) with the right status.
func TestSDKDecodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	listComponents := func(c *imagebuilder.Client) error {
		_, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{})
		return err
	}
	createComponent := func(c *imagebuilder.Client) error {
		_, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{
			Name: aws.String("c"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux,
			ClientToken: aws.String("tok"), Data: aws.String("x")})
		return err
	}
	tests := []struct {
		name   string
		err    *apierr.Error
		call   func(*imagebuilder.Client) error
		target any // pointer to the typed SDK error
	}{
		{"ResourceNotFound", apierr.NotFound(compARN), func(c *imagebuilder.Client) error {
			_, err := c.GetComponentPolicy(ctx, &imagebuilder.GetComponentPolicyInput{ComponentArn: aws.String(compARN)})
			return err
		}, new(*types.ResourceNotFoundException)},
		{"InvalidPaginationToken", apierr.InvalidPaginationToken("bad token"), listComponents, new(*types.InvalidPaginationTokenException)},
		{"Forbidden", apierr.Forbidden("no"), listComponents, new(*types.ForbiddenException)},
		{"Client", apierr.Client("bad"), listComponents, new(*types.ClientException)},
		{"InvalidRequest", apierr.InvalidRequest("bad"), listComponents, new(*types.InvalidRequestException)},
		{"Service", apierr.Service("boom"), listComponents, new(*types.ServiceException)},
		{"ServiceUnavailable", apierr.ServiceUnavailable("later"), listComponents, new(*types.ServiceUnavailableException)},
		{"CallRateLimitExceeded", apierr.CallRateLimitExceeded("slow down"), listComponents, new(*types.CallRateLimitExceededException)},
		{"InvalidVersionNumber", apierr.InvalidVersionNumber("bad version"), createComponent, new(*types.InvalidVersionNumberException)},
		{"ServiceQuotaExceeded", apierr.ServiceQuotaExceeded("too many"), createComponent, new(*types.ServiceQuotaExceededException)},
		{"DryRunOperation", apierr.DryRunOperation("would succeed"), createComponent, new(*types.DryRunOperationException)},
		{"IdempotentParameterMismatch", apierr.IdempotentParameterMismatch("token reused"), createComponent, new(*types.IdempotentParameterMismatchException)},
		{"InvalidParameterCombination", apierr.InvalidParameterCombination("data and uri"), createComponent, new(*types.InvalidParameterCombinationException)},
		{"ResourceInUse", apierr.ResourceInUse("busy"), createComponent, new(*types.ResourceInUseException)},
		{"ResourceDependency", apierr.ResourceDependency("in use"), func(c *imagebuilder.Client) error {
			_, err := c.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: aws.String(compARN)})
			return err
		}, new(*types.ResourceDependencyException)},
		{"ResourceAlreadyExists", apierr.AlreadyExists("ImageRecipe", "arn:r"), func(c *imagebuilder.Client) error {
			_, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("r"),
				SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String("p"), ClientToken: aws.String("t"),
				Components: []types.ComponentConfiguration{{ComponentArn: aws.String(compARN)}}})
			return err
		}, new(*types.ResourceAlreadyExistsException)},
		{"InvalidParameterValue", apierr.InvalidParameterPattern("componentArn", "^arn:...$"), func(c *imagebuilder.Client) error {
			_, err := c.PutComponentPolicy(ctx, &imagebuilder.PutComponentPolicyInput{ComponentArn: aws.String(compARN), Policy: aws.String("{}")})
			return err
		}, new(*types.InvalidParameterValueException)},
		{"InvalidParameter", apierr.InvalidParameter("bad tag"), func(c *imagebuilder.Client) error {
			_, err := c.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: aws.String(compARN), Tags: map[string]string{"a": "b"}})
			return err
		}, new(*types.InvalidParameterException)},
		{"AccessDenied", apierr.AccessDenied("denied"), distributeImage, new(*types.AccessDeniedException)},
		{"TooManyRequests", apierr.TooManyRequests("slow"), distributeImage, new(*types.TooManyRequestsException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.call(newClient(t, tt.err))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.As(err, tt.target) {
				t.Fatalf("error %T %v is not %T", err, err, tt.target)
			}
			checkAPIError(t, err, tt.err)
		})
	}
}

func distributeImage(c *imagebuilder.Client) error {
	_, err := c.DistributeImage(context.Background(), &imagebuilder.DistributeImageInput{
		SourceImage: aws.String("ami-1"), DistributionConfigurationArn: aws.String("arn:d"),
		ExecutionRole: aws.String("role"), ClientToken: aws.String("t")})
	return err
}

// TestSDKDecodesUnmodeled checks the codes no operation models (the signing
// errors) arrive as generic API errors with the right code and status.
func TestSDKDecodesUnmodeled(t *testing.T) {
	t.Parallel()
	for _, e := range []*apierr.Error{
		apierr.UnrecognizedClient("The security token included in the request is invalid."),
		apierr.InvalidSignature("mismatch"),
		apierr.IncompleteSignature("incomplete"),
		apierr.MissingAuthenticationToken("Missing Authentication Token"),
		apierr.Serialization("bad json"),
	} {
		t.Run(e.Code, func(t *testing.T) {
			t.Parallel()
			_, err := newClient(t, e).ListComponents(context.Background(), &imagebuilder.ListComponentsInput{})
			checkAPIError(t, err, e)
		})
	}
}

func checkAPIError(t *testing.T, err error, want *apierr.Error) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %T is not a smithy.APIError", err)
	}
	if ae.ErrorCode() != want.Code || ae.ErrorMessage() != want.Message {
		t.Errorf("got %q %q, want %q %q", ae.ErrorCode(), ae.ErrorMessage(), want.Code, want.Message)
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %T has no HTTP response", err)
	}
	if re.HTTPStatusCode() != want.Status {
		t.Errorf("status = %d, want %d", re.HTTPStatusCode(), want.Status)
	}
}
