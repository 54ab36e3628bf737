package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

// Request body limits (docs/api-limits.md). An operation whose input
// carries a document (a component or workflow document, a Dockerfile
// template, a resource policy) may send up to MaxDocumentBody; every other
// operation up to MaxBody. Both leave room for the model's own length
// limits with JSON escaping (16,000 characters of a document can take
// 96,000 bytes as \uXXXX escapes).
const (
	MaxBody         = 64 << 10
	MaxDocumentBody = 512 << 10
)

// documentOperations are the operations allowed MaxDocumentBody.
var documentOperations = map[string]bool{
	"CreateComponent": true, "ImportComponent": true, "CreateWorkflow": true, "CreateContainerRecipe": true,
	"PutComponentPolicy": true, "PutImagePolicy": true, "PutImageRecipePolicy": true, "PutContainerRecipePolicy": true,
}

// BodyLimit is the largest request body the operation at path accepts.
func BodyLimit(path string) int64 {
	if documentOperations[strings.TrimPrefix(path, "/")] {
		return MaxDocumentBody
	}
	return MaxBody
}

// limitBody refuses, before anything reads it, a body larger than its
// operation's limit: 413 with RequestEntityTooLargeException in the AWS
// error shape. A body within the limit is buffered, so the signature check
// and the operation read the same bytes.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := BodyLimit(r.URL.Path)
		if r.ContentLength > limit {
			apierr.Write(w, bodyTooLarge(limit))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &tooLarge):
				apierr.Write(w, bodyTooLarge(limit))
				return
			case err != nil:
				apierr.Write(w, apierr.Serialization("The request body could not be read."))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		}
		next.ServeHTTP(w, r)
	})
}

// bodyTooLarge is the error for a body over limit bytes.
func bodyTooLarge(limit int64) error {
	e := apierr.New("RequestEntityTooLargeException", "The request body is larger than this operation's limit of %d bytes.", limit)
	e.Status = http.StatusRequestEntityTooLarge
	return e
}
