package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

// Sentinel errors; every error a store returns for these cases wraps one.
var (
	// ErrNotFound: no such resource, account, key or live idempotency record.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: the ARN, account id, key id or client token is taken.
	ErrAlreadyExists = errors.New("already exists")
	// ErrRevisionMismatch: the record changed since the caller read it;
	// read it again and retry.
	ErrRevisionMismatch = errors.New("changed since it was read")
	// ErrReferenced: the resource is still used by another one.
	ErrReferenced = errors.New("still in use")
	// ErrIdempotencyMismatch: the client token was used for a request with
	// other parameters.
	ErrIdempotencyMismatch = errors.New("client token already used with other parameters")
	// ErrInvalidToken: the page token is malformed or belongs to another query.
	ErrInvalidToken = errors.New("invalid page token")
	// ErrInvalid: an argument the store cannot accept (wrong ARN level,
	// malformed JSON, missing field).
	ErrInvalid = errors.New("invalid argument")
)

// ReferencedError is returned by Delete for a resource other resources use.
type ReferencedError struct {
	ARN arn.ARN   // the resource that was not deleted
	By  []arn.ARN // who uses it, sorted
}

func (e *ReferencedError) Error() string {
	by := make([]string, len(e.By))
	for i, a := range e.By {
		by[i] = a.String()
	}
	return fmt.Sprintf("store: cannot delete %s: %s by %s; delete or update those first",
		e.ARN, ErrReferenced, strings.Join(by, ", "))
}

// Is reports ErrReferenced.
func (e *ReferencedError) Is(target error) bool { return target == ErrReferenced }
