// Package store is the persistence seam of the control plane: durable
// storage of Image Builder resources, their tags, resource policies and
// references, clientToken idempotency records, accounts and access keys.
//
// It holds data, not business rules. Which resource may reference which,
// quotas, tag limits, sharing semantics and version selection policy belong
// to the service layer; the store only offers the operations those rules
// need to be enforced atomically (optimistic revisions, a refused delete of a
// referenced resource, build numbers, WithTx).
//
// # Implementations
//
// internal/store/sqlite (embedded default: modernc.org/sqlite, WAL, one
// writer connection, BEGIN IMMEDIATE) and internal/store/postgres (pgx,
// pgxpool). Both embed numbered SQL migrations, apply them at Open (safe when
// two processes start at once) and pass the one conformance suite in
// internal/store/storetest.
//
// # Resources
//
// A Record is one resource version, identified by its ARN at the level its
// type carries (arn.VersioningOf): the build ARN for components, images and
// workflows (…/name/1.2.3/4), the version ARN for image and container recipes
// (…/name/1.2.3) and the name ARN for everything else (…/name). Versions are
// keyed by their numbers, not their text: 1.0.0 and 01.0.0 name the same
// record, and ordering is numeric per node (1.10.0 > 1.9.0), then by build.
// The record keeps the ARN as it was written.
//
// Data is the resource as the API returns it (opaque JSON to the store).
// Attrs are the values the service wants to filter on in List (platform,
// status, parentImage …); Tags and the Policy with the Principals it shares
// the resource with are stored with the record. Every change to a record
// increments its Revision; Update succeeds only when the caller's Revision is
// the stored one (optimistic concurrency).
//
// Delete refuses, in the same transaction, to remove a record that another
// record references (SetReferences), returning a *ReferencedError.
//
// # Listing
//
// List returns records in a stable order: by name, then owner account,
// region and workflow type, then numerically by version and build. Pages are
// keyset pages: NextToken is an opaque, query-bound cursor, so rows inserted
// or deleted between two pages never make a page repeat or skip a row that
// existed throughout. Collapse reduces the rows to the newest build of each
// version, or to the newest version of each name. Latest returns the newest
// (highest version, then build) record a query matches: with an x-wildcard
// Version it resolves 1.x.x as AWS does.
//
// # Transactions
//
// Every method of a Store runs in its own transaction. WithTx runs a function
// with a Tx whose methods all share one transaction, committed when the
// function returns nil and rolled back otherwise. Inside WithTx use only the
// Tx: on SQLite the Tx holds the single writer connection, so a write through
// the Store itself would wait for it forever.
//
// # Errors
//
// Errors wrap the sentinels below (ErrNotFound, ErrAlreadyExists, …) so the
// service can map them to AWS errors with errors.Is; their text names the
// resource and is meant for logs, not for API clients.
package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

// Store is durable storage. Close releases it; a closed Store must not be
// used.
type Store interface {
	Executor
	// WithTx runs fn in one transaction: committed when fn returns nil,
	// rolled back when it returns an error (which WithTx returns) or panics.
	WithTx(ctx context.Context, fn func(tx Tx) error) error
	Close() error
}

// Tx is every operation, run inside one transaction. It is valid only
// during the WithTx call that provides it.
type Tx interface {
	Executor
}

// Executor is every storage operation.
type Executor interface {
	Resources
	Idempotency
	Accounts
}

// Resources stores Image Builder resources.
type Resources interface {
	// Put creates rec. Its ARN must be at the level its type carries (see
	// the package doc), else ErrInvalid; a record with the same ARN
	// (numerically) exists: ErrAlreadyExists. Zero CreatedAt/UpdatedAt
	// become the store's clock. It returns the stored record (Revision 1).
	Put(ctx context.Context, rec Record) (Record, error)
	// Get returns the record with ARN a (versions compared numerically), or
	// ErrNotFound. It does not resolve wildcards: see Latest.
	Get(ctx context.Context, a arn.ARN) (Record, error)
	// Update replaces the Owner, Attrs, Data, Tags, Policy and Principals of
	// the record rec.ARN names, when rec.Revision is its current revision
	// (else ErrRevisionMismatch; missing: ErrNotFound). UpdatedAt becomes
	// the store's clock; CreatedAt is kept. It returns the stored record.
	Update(ctx context.Context, rec Record) (Record, error)
	// UpdateTags sets the tags in set and removes the keys in remove, in
	// one step, whatever the revision; it returns the stored record.
	UpdateTags(ctx context.Context, a arn.ARN, set map[string]string, remove []string) (Record, error)
	// SetPolicy replaces the resource policy and the principals (account
	// ids) it shares the record with; "" and nil clear them.
	SetPolicy(ctx context.Context, a arn.ARN, policy string, principals []string) (Record, error)
	// Delete removes the record with ARN a, its tags, policy and outgoing
	// references. It refuses with a *ReferencedError (ErrReferenced) while
	// another record references it; missing: ErrNotFound.
	Delete(ctx context.Context, a arn.ARN) error
	// SetReferences replaces the records from references (uses). Both from
	// and every target must exist (ErrNotFound); a target cannot then be
	// deleted until from drops the reference or is deleted.
	SetReferences(ctx context.Context, from arn.ARN, to []arn.ARN) error
	// List returns one page of the records q matches, in the stable order
	// of the package doc.
	List(ctx context.Context, q Query) (Page, error)
	// Latest returns the newest record q matches (highest version, then
	// build) or ErrNotFound. q.Limit, q.PageToken, q.Collapse and
	// q.Descending are ignored.
	Latest(ctx context.Context, q Query) (Record, error)
	// Count counts the records q matches (after Collapse); paging fields
	// are ignored.
	Count(ctx context.Context, q Query) (int, error)
	// NextBuildNumber allocates the next build number of version (an ARN
	// at version level, …/name/1.2.3): 1 for a version never built, then
	// one more than any number allocated or stored before. Allocation is
	// atomic and part of the surrounding transaction: it is rolled back with
	// it, so committed numbers have no gaps.
	NextBuildNumber(ctx context.Context, version arn.ARN) (int, error)
}

// Record is one stored resource. See the package doc.
type Record struct {
	ARN        arn.ARN             // identity; as written at Put
	Owner      string              // the API's owner value (account id, "Amazon" …); filterable
	Attrs      map[string][]string // filterable attributes, e.g. "platform": {"Linux"}
	Data       json.RawMessage     // the resource as the API returns it; valid JSON or empty
	Tags       map[string]string   // never nil on records the store returns
	Policy     string              // resource policy document; "" when none
	Principals []string            // who SharedWith queries find the record for, sorted: account ids, "*" (everyone), "!" + account id (not that account, even with "*")
	Revision   int64               // 1 at Put, incremented by every change
	CreatedAt  time.Time           // UTC, microsecond precision
	UpdatedAt  time.Time           // UTC, microsecond precision
}

// Collapse reduces List results to one record per group.
type Collapse int

// Collapse modes.
const (
	CollapseNone    Collapse = iota // every record
	CollapseVersion                 // the newest build of each name and version
	CollapseName                    // the newest version (then build) of each name
)

// Query selects records. Empty fields do not filter.
type Query struct {
	Type         arn.ResourceType // required
	WorkflowType arn.WorkflowType // workflows only
	Region       string

	// Accounts and SharedWith together scope the query: a record matches
	// when its ARN account is one of Accounts or its Principals include one
	// of SharedWith and none of them with "!" before it (so Principals
	// ["!B", "*"] match SharedWith ["A", "*"] but not ["B", "*"]). Both
	// empty: every account.
	Accounts   []string
	SharedWith []string

	Owners     []string    // record Owner is one of these
	Name       string      // exact ARN-form (lower-case) name
	NamePrefix string      // ARN-form name prefix
	Version    arn.Version // concrete (every build of it), build, or x-wildcard pattern
	// Attrs: for every key, the record has one of the values (AND across
	// keys, OR within a key).
	Attrs map[string][]string

	Collapse   Collapse
	Descending bool   // reverse the order
	Limit      int    // page size; 0: no limit
	PageToken  string // NextToken of the previous page of the same query
}

// Page is one page of List results.
type Page struct {
	Records   []Record
	NextToken string // "" on the last page
}

// Idempotency stores clientToken idempotency records (spec §5.1): the
// response of a mutating call, keyed by account, operation and token.
type Idempotency interface {
	// LookupIdempotency returns the live record for key. ErrNotFound when
	// there is none (or it expired); ErrIdempotencyMismatch, with the
	// record, when it was saved for a request with another hash.
	LookupIdempotency(ctx context.Context, key IdempotencyKey, requestHash string) (IdempotencyRecord, error)
	// SaveIdempotency saves rec; ErrAlreadyExists while a live record has
	// its key. An expired record is replaced.
	SaveIdempotency(ctx context.Context, rec IdempotencyRecord) error
	// PurgeIdempotency deletes the records expired at the store's clock and
	// returns how many it deleted.
	PurgeIdempotency(ctx context.Context) (int, error)
}

// IdempotencyKey identifies an idempotency record.
type IdempotencyKey struct {
	Account     string
	Operation   string // e.g. "CreateComponent"
	ClientToken string
}

// IdempotencyRecord is the answer given to a request.
type IdempotencyRecord struct {
	IdempotencyKey
	RequestHash string          // hash of the request parameters
	Response    json.RawMessage // the response returned
	CreatedAt   time.Time       // zero: the store's clock
	ExpiresAt   time.Time       // required
}

// Accounts stores accounts and their access keys. Secrets are stored as
// given: SigV4 verification needs the secret itself, so protect the
// database as you would the keys.
type Accounts interface {
	// CreateAccount creates acct (zero CreatedAt: the store's clock);
	// ErrAlreadyExists for a known id.
	CreateAccount(ctx context.Context, acct Account) (Account, error)
	GetAccount(ctx context.Context, id string) (Account, error)
	// ListAccounts returns every account ordered by id.
	ListAccounts(ctx context.Context) ([]Account, error)
	// CreateAccessKey stores key; ErrNotFound for an unknown account,
	// ErrAlreadyExists for a known key id.
	CreateAccessKey(ctx context.Context, key AccessKey) (AccessKey, error)
	GetAccessKey(ctx context.Context, id string) (AccessKey, error)
	// ListAccessKeys returns the keys of account ("" for every account)
	// ordered by creation time, then id.
	ListAccessKeys(ctx context.Context, account string) ([]AccessKey, error)
	// RevokeAccessKey marks the key revoked now (revoking twice keeps the
	// first time) and returns it.
	RevokeAccessKey(ctx context.Context, id string) (AccessKey, error)
}

// Account is a tenant: every resource belongs to one.
type Account struct {
	ID        string // 12 digits
	Name      string
	CreatedAt time.Time
}

// AccessKey is a SigV4 access key.
type AccessKey struct {
	ID        string // access key id
	Secret    string
	Account   string
	CreatedAt time.Time
	RevokedAt time.Time // zero while the key is active
}

// Revoked reports whether the key was revoked.
func (k AccessKey) Revoked() bool { return !k.RevokedAt.IsZero() }
