package api_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/goldsmith-dev/goldsmith/internal/api"
)

// withBody makes the SDK send body instead of the request it serialised
// (signed as usual), to send what a broken or hostile client would.
func withBody(body []byte) func(*imagebuilder.Options) {
	return imagebuilder.WithAPIOptions(func(st *middleware.Stack) error {
		return st.Build.Add(middleware.BuildMiddlewareFunc("RawBody", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			req := in.Request.(*smithyhttp.Request)
			req.ContentLength = int64(len(body))
			r, err := req.SetStream(bytes.NewReader(body))
			if err != nil {
				return middleware.BuildOutput{}, middleware.Metadata{}, err
			}
			in.Request = r
			return next.HandleBuild(ctx, in)
		}), middleware.After)
	})
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// TestBadBodies sends bodies that are not the operation's JSON object:
// each is a 400 SerializationException, and the connection keeps serving.
func TestBadBodies(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	in := &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("n"), InstanceProfileName: aws.String("p")}
	for _, body := range []string{`null`, `[]`, `[{"name":"n"}]`, `"name"`, `5`, `{"name":`, `{"name":"n"} {}`} {
		t.Run(body, func(t *testing.T) {
			_, err := tb.a.CreateInfrastructureConfiguration(ctx, in, withBody([]byte(body)))
			wantCode(t, err, "SerializationException")
			if got := httpStatus(err); got != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", got)
			}
		})
	}
	// The server still answers.
	must[*imagebuilder.ListInfrastructureConfigurationsOutput](t)(tb.a.ListInfrastructureConfigurations(ctx, &imagebuilder.ListInfrastructureConfigurationsInput{}))
}

// TestBodyLimits checks each operation's documented body limit.
func TestBodyLimits(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	infra := &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("n"), InstanceProfileName: aws.String("p")}
	pad := func(n int) []byte {
		return []byte(`{"name":"n","instanceProfileName":"p","clientToken":"t","description":"` + strings.Repeat("a", n) + `"}`)
	}
	_, err := tb.a.CreateInfrastructureConfiguration(ctx, infra, withBody(pad(api.MaxBody)))
	wantCode(t, err, "RequestEntityTooLargeException")
	if got := httpStatus(err); got != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", got)
	}
	// Within the limit, the operation's own rules answer (the description
	// is longer than 1024 characters).
	_, err = tb.a.CreateInfrastructureConfiguration(ctx, infra, withBody(pad(api.MaxBody/2)))
	wantCode(t, err, "InvalidParameterValueException")
	// A component document may be larger than other bodies.
	doc := helloDoc + "# " + strings.Repeat("\u00e9", 15000-len(helloDoc)) + "\n"
	body := []byte(`{"name":"big","semanticVersion":"1.0.0","platform":"Linux","clientToken":"t","data":"` +
		strings.ReplaceAll(strings.ReplaceAll(doc, `"`, `\"`), "\n", `\n`) + `"}`)
	body = bytes.ReplaceAll(body, []byte("\u00e9"), []byte(`\u00e9`))
	if len(body) <= api.MaxBody {
		t.Fatalf("test body of %d bytes is not over MaxBody", len(body))
	}
	must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(ctx, createInput("big", "1.0.0", "x"), withBody(body)))
	if got := api.BodyLimit("/CreateComponent"); got != api.MaxDocumentBody {
		t.Errorf("BodyLimit(/CreateComponent) = %d", got)
	}
}
