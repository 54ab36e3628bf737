// Package apierr is the one error type the Image Builder API answers with: an
// AWS error code, its HTTP status and a message, written on the wire in the
// AWS REST-JSON error shape (x-amzn-ErrorType header, JSON body with
// "__type" and "message") so that the AWS SDKs and the AWS CLI decode it into
// their typed errors.
//
// Packages below the API layer (arn, auth, the service layer) return *Error
// values built with the constructors here; the API layer calls Write. Any
// other error reaching Write is reported as a ServiceException without its
// text, so internal details never leak to clients.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// AWS error codes of the Image Builder API model (spec §5.3).
const (
	CodeServiceException                     = "ServiceException"
	CodeServiceUnavailableException          = "ServiceUnavailableException"
	CodeClientException                      = "ClientException"
	CodeInvalidRequestException              = "InvalidRequestException"
	CodeInvalidParameterException            = "InvalidParameterException"
	CodeInvalidParameterValueException       = "InvalidParameterValueException"
	CodeInvalidParameterCombinationException = "InvalidParameterCombinationException"
	CodeInvalidVersionNumberException        = "InvalidVersionNumberException"
	CodeInvalidPaginationTokenException      = "InvalidPaginationTokenException"
	CodeIdempotentParameterMismatchException = "IdempotentParameterMismatchException"
	CodeResourceAlreadyExistsException       = "ResourceAlreadyExistsException"
	CodeResourceInUseException               = "ResourceInUseException"
	CodeResourceDependencyException          = "ResourceDependencyException"
	CodeResourceNotFoundException            = "ResourceNotFoundException"
	CodeForbiddenException                   = "ForbiddenException"
	CodeAccessDeniedException                = "AccessDeniedException"
	CodeCallRateLimitExceededException       = "CallRateLimitExceededException"
	CodeTooManyRequestsException             = "TooManyRequestsException"
	CodeServiceQuotaExceededException        = "ServiceQuotaExceededException"
	CodeDryRunOperationException             = "DryRunOperationException"
)

// Common AWS error codes that are not part of the Image Builder model but that
// every AWS JSON service answers with from its front end: request signing
// failures and undecodable bodies.
const (
	CodeMissingAuthenticationTokenException = "MissingAuthenticationTokenException"
	CodeUnrecognizedClientException         = "UnrecognizedClientException"
	CodeInvalidSignatureException           = "InvalidSignatureException"
	CodeIncompleteSignatureException        = "IncompleteSignatureException"
	CodeSerializationException              = "SerializationException"
)

// statuses maps every known code to its HTTP status.
var statuses = map[string]int{
	CodeServiceException:                     http.StatusInternalServerError,
	CodeServiceUnavailableException:          http.StatusServiceUnavailable,
	CodeClientException:                      http.StatusBadRequest,
	CodeInvalidRequestException:              http.StatusBadRequest,
	CodeInvalidParameterException:            http.StatusBadRequest,
	CodeInvalidParameterValueException:       http.StatusBadRequest,
	CodeInvalidParameterCombinationException: http.StatusBadRequest,
	CodeInvalidVersionNumberException:        http.StatusBadRequest,
	CodeInvalidPaginationTokenException:      http.StatusBadRequest,
	CodeIdempotentParameterMismatchException: http.StatusBadRequest,
	CodeResourceAlreadyExistsException:       http.StatusBadRequest,
	CodeResourceInUseException:               http.StatusBadRequest,
	CodeResourceDependencyException:          http.StatusBadRequest,
	CodeResourceNotFoundException:            http.StatusNotFound,
	CodeForbiddenException:                   http.StatusForbidden,
	CodeAccessDeniedException:                http.StatusForbidden,
	CodeCallRateLimitExceededException:       http.StatusTooManyRequests,
	CodeTooManyRequestsException:             http.StatusTooManyRequests,
	CodeServiceQuotaExceededException:        http.StatusPaymentRequired,
	CodeDryRunOperationException:             http.StatusPreconditionFailed,

	CodeMissingAuthenticationTokenException: http.StatusForbidden,
	CodeUnrecognizedClientException:         http.StatusForbidden,
	CodeInvalidSignatureException:           http.StatusForbidden,
	CodeIncompleteSignatureException:        http.StatusForbidden,
	CodeSerializationException:              http.StatusBadRequest,
}

// Status is the HTTP status for an AWS error code: the spec's status for the
// codes it lists, 400 for any other code.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Codes lists every code this package knows, in no particular order.
func Codes() []string {
	out := make([]string, 0, len(statuses))
	for c := range statuses {
		out = append(out, c)
	}
	return out
}

// Error is an error the API reports to its client.
type Error struct {
	Code    string // AWS error code, e.g. ResourceNotFoundException
	Status  int    // HTTP status
	Message string // shown to the client verbatim, in AWS's wording
	Err     error  // optional cause, for logs and errors.Is; never sent
}

// New makes an error with the code's HTTP status and a formatted message.
func New(code, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Status: Status(code), Message: msg}
}

// Error returns "Code: message".
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the AWS error code (the method name smithy-go uses).
func (e *Error) ErrorCode() string { return e.Code }

// ErrorMessage returns the client-facing message.
func (e *Error) ErrorMessage() string { return e.Message }

// HTTPStatus returns the HTTP status.
func (e *Error) HTTPStatus() int { return e.Status }

// WithCause returns a copy of e that wraps cause.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// As finds the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf is the AWS error code of err: its *Error's code, "" for nil, and
// ServiceException for any other error.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := As(err); ok {
		return e.Code
	}
	return CodeServiceException
}

// HasCode reports whether err carries the given AWS error code.
func HasCode(err error, code string) bool {
	return err != nil && CodeOf(err) == code
}
