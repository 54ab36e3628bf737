// Package api serves the EC2 Image Builder REST-JSON protocol (API version
// 2019-12-02) so that the AWS SDKs and the AWS CLI work against Goldsmith by
// changing only the endpoint.
//
// Each operation has its own method and path (PUT /CreateComponent,
// GET /GetComponent?componentBuildVersionArn=…, POST /ListComponents, the tag
// operations on /tags/{resourceArn}); Get* and Delete* take their argument
// from the query string, everything else from a JSON body. Responses are JSON
// with an x-amzn-RequestId header and, where the model has it, a requestId
// member; errors use apierr.Write (x-amzn-ErrorType header, JSON message).
//
// Every request body is held to its operation's size limit (limits.go,
// docs/api-limits.md) before anything reads it, then SigV4-verified by
// auth.Verifier before it is routed; the signing key's account scopes the
// operation. Bodies are decoded into the service layer's typed structs: a
// body that is not a JSON object, or a member of the wrong type, is a
// SerializationException, and unknown members are dropped. The package holds no rules of
// its own: it decodes, calls the service layer and encodes.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/auth"
	"github.com/goldsmith-dev/goldsmith/internal/service"
)

// Config configures New.
type Config struct {
	// Service runs the operations. Required.
	Service *service.Service
	// Verifier authenticates requests. Required.
	Verifier *auth.Verifier
	// Logger. Default: slog.Default().
	Logger *slog.Logger
}

// New returns the API handler: SigV4 verification, then the routes.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &handler{svc: cfg.Service, log: cfg.Logger, mux: http.NewServeMux()}
	h.routes()
	return limitBody(cfg.Verifier.Middleware(h))
}

type handler struct {
	svc      *service.Service
	log      *slog.Logger
	mux      *http.ServeMux
	patterns []string // every registered route, for the fuzz target
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(apierr.HeaderRequestID, uuid.NewString())
	h.mux.ServeHTTP(w, r)
}

func (h *handler) handle(pattern string, fn http.HandlerFunc) {
	h.patterns = append(h.patterns, pattern)
	h.mux.HandleFunc(pattern, fn)
}

var operationRE = regexp.MustCompile(`^/[A-Z][A-Za-z]+$`)

// notImplemented answers operations of the model Goldsmith does not serve
// yet, and unknown paths.
func (h *handler) notImplemented(w http.ResponseWriter, r *http.Request) {
	if operationRE.MatchString(r.URL.Path) {
		apierr.Write(w, apierr.InvalidRequest("The operation %s is not available in Goldsmith yet.", strings.TrimPrefix(r.URL.Path, "/")))
		return
	}
	e := apierr.New("UnknownOperationException", "Unknown operation %s %s.", r.Method, r.URL.Path)
	e.Status = http.StatusNotFound
	apierr.Write(w, e)
}

// account is the calling account, set by the verifier.
func account(r *http.Request) string {
	p, _ := auth.PrincipalFrom(r.Context())
	return p.AccountID
}

// decode reads the JSON body into v; an empty body is an empty object. The
// body must be one JSON object; members of the wrong type are refused,
// naming the member, and members the operation does not have are ignored
// (as AWS ignores them).
func decode(r *http.Request, v any) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return bodyTooLarge(tooLarge.Limit)
		}
		return apierr.Serialization("The request body could not be read.")
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		b = []byte("{}") // an operation without members
	}
	if b[0] != '{' {
		return apierr.Serialization("The request body must be a JSON object ({...}) with the operation's members.")
	}
	if err := json.Unmarshal(b, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return apierr.Serialization("The value of member '%s' is not valid: a JSON %s cannot be a %s.", memberPath(te.Field), te.Value, jsonKind(te.Type))
		}
		return apierr.Serialization("The request body is not valid JSON for this operation: %v", err)
	}
	return nil
}

// memberPath is the wire path of a decoding error's field: the Go names of
// embedded structs (upper case; every member of the model is lower camel
// case) are left out.
func memberPath(field string) string {
	parts := strings.Split(field, ".")
	out := parts[:0]
	for _, p := range parts {
		if p != "" && !unicode.IsUpper(rune(p[0])) {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number (" + t.Kind().String() + ")"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return t.String()
}

// write answers v as JSON; withID adds the requestId member.
func (h *handler) write(w http.ResponseWriter, r *http.Request, v any, withID bool) {
	b, err := json.Marshal(v)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if withID && len(b) >= 2 && b[0] == '{' {
		id, _ := json.Marshal(w.Header().Get(apierr.HeaderRequestID))
		sep := ","
		if string(b) == "{}" {
			sep = ""
		}
		b = append(append(append([]byte(`{"requestId":`), id...), sep...), b[1:]...)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// fail answers err in the AWS error shape, logging internal failures.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := apierr.As(err); !ok || e.Status >= 500 {
		h.log.Error("api: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	apierr.Write(w, err)
}

// jsonOp serves an operation whose input is the JSON body.
func jsonOp[I, O any](h *handler, fn func(context.Context, string, I) (O, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in I
		if err := decode(r, &in); err != nil {
			h.fail(w, r, err)
			return
		}
		out, err := fn(r.Context(), account(r), in)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.write(w, r, out, true)
	}
}

// queryOp serves an operation whose one input is the query parameter param.
func queryOp[O any](h *handler, param string, fn func(context.Context, string, string) (O, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, err := fn(r.Context(), account(r), r.URL.Query().Get(param))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.write(w, r, out, true)
	}
}
