// Package service is the control plane's service layer: the EC2 Image
// Builder rules between the REST-JSON API (internal/api) and durable storage
// (internal/store, used only through its interface).
//
// It owns what AWS enforces: names lower-cased in ARNs, versions immutable,
// build numbers assigned by the server, x-wildcard resolution, dependency
// checks (ResourceDependencyException), clientToken idempotency
// (IdempotentParameterMismatchException), the owner filter (Self, Shared,
// Amazon), sharing through resource policies, and limits
// (ServiceQuotaExceededException / InvalidParameterValueException).
//
// Request, response and resource types are structs that carry the JSON
// member names of the API model, so the API layer decodes and encodes them
// as they are and members the model does not have are never kept; each
// resource's members are validated in one place (validate.go). Every error
// is an *apierr.Error. Every call names the calling account: it scopes what the
// caller may see and change. The managed catalogue (Goldsmith's shipped
// components and the debian-12 base image) is stored as resources owned by
// "aws" and shown with owner "Amazon".
//
// Files, by resource (each resource's wire types and validate method, then
// its operations):
//
//   - service.go, resource.go, validate.go: the Service, errors, paging,
//     idempotency; storing typed resources; the shared checks
//   - components.go, component_types.go, import.go: components
//   - workflows.go, workflow_types.go, workflow_document.go: workflows
//   - infrastructure.go, distribution.go, distribution_check.go, sites.go:
//     the two configurations; the sites (regions) distributions name
//   - recipes.go, recipe_types.go: image recipes
//   - containers.go, container_types.go: container recipes
//   - pipelines.go, pipeline_types.go, schedules.go: pipelines and schedules
//   - images.go, image_types.go, image_sharing.go: images
//   - builds.go, image_state.go, executions.go: image builds, their states,
//     logs and workflow executions
//   - tags.go, policy.go, catalog.go: tags, resource policies, the managed
//     catalogue
package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// Limits are the account quotas and size limits the service enforces.
type Limits struct {
	// Components is the number of component build versions an account may
	// hold. Default 1000.
	Components int
	// Recipes is the number of image recipe versions. Default 1000.
	Recipes int
	// Configurations is the number of infrastructure and of distribution
	// configurations. Default 1000.
	Configurations int
	// Pipelines is the number of image pipelines. Default 75.
	Pipelines int
	// Workflows is the number of workflow build versions. Default 1000.
	Workflows int
	// ConcurrentBuilds is how many images of an account may be building
	// (PENDING to DISTRIBUTING) at once. Default 100.
	ConcurrentBuilds int
	// IdempotencyTTL is how long a clientToken is remembered. Default 24h.
	IdempotencyTTL time.Duration
}

// WithDefaults returns l with every unset field at its default.
func (l Limits) WithDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.Components, 1000)
	def(&l.Recipes, 1000)
	def(&l.Configurations, 1000)
	def(&l.Pipelines, 75)
	def(&l.Workflows, 1000)
	def(&l.ConcurrentBuilds, 100)
	if l.IdempotencyTTL <= 0 {
		l.IdempotencyTTL = 24 * time.Hour
	}
	return l
}

// Fixed limits of the API model (spec §7).
const (
	MaxComponentData       = 16000
	MaxImportData          = 1024
	MaxPolicy              = 30000
	MaxTags                = 50
	MaxComponentsPerRecipe = 20
	MaxResultsDefault      = 25
)

// Service implements the Image Builder operations.
type Service struct {
	store  store.Store
	region string
	limits Limits
	now    func() time.Time
	log    *slog.Logger
	rows   rowCache // decoded ListComponents rows
	builds Builds
	events func(ImageEvent)
	notify Notifications
	files  artifacts.Store
	sites  []Site // the home site first
}

// Config configures New.
type Config struct {
	// Store is the storage. Required.
	Store store.Store
	// Region is the region every ARN names, e.g. goldsmith-local-1. Required.
	// It is also the home site, where images go when nothing else is asked.
	Region string
	// Sites are the other regions images can be distributed to; a
	// distribution configuration may name them and the home Region only.
	Sites []Site
	// Limits; zero fields take their defaults.
	Limits Limits
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// Logger. Default: slog.Default().
	Logger *slog.Logger
	// Builds queues image builds; nil: CreateImage and
	// StartImagePipelineExecution answer that builds are not available.
	Builds Builds
	// OnImageState hears every committed image state change (for
	// metrics); it must not block.
	OnImageState func(ImageEvent)
	// Notifications records, with each image state change, the
	// notification to its infrastructure configuration's topic; nil: none.
	Notifications Notifications
	// Artifacts is where builds store their outputs and logs; nil:
	// GetImageLog answers that this server keeps no logs.
	Artifacts artifacts.Store
}

// New returns a Service and makes sure the managed catalogue is stored.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("service: no store")
	}
	if cfg.Region == "" {
		return nil, errors.New("service: no region")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	sites, err := homeAndSites(cfg.Region, cfg.Sites)
	if err != nil {
		return nil, err
	}
	s := &Service{store: cfg.Store, region: cfg.Region, limits: cfg.Limits.WithDefaults(), now: cfg.Now, log: cfg.Logger, builds: cfg.Builds, events: cfg.OnImageState, notify: cfg.Notifications, files: cfg.Artifacts, sites: sites}
	if err := s.seedCatalog(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Region is the service's region.
func (s *Service) Region() string { return s.region }

// timestamp formats t as the API's DateTime strings.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// storeErr maps a store error about resource a to an API error.
func storeErr(a arn.ARN, resourceType string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apierr.As(err); ok {
		return err
	}
	var ref *store.ReferencedError
	switch {
	case errors.As(err, &ref):
		by := make([]string, len(ref.By))
		for i, b := range ref.By {
			by[i] = b.String()
		}
		return apierr.ResourceDependency("Resource dependency error: the resource '%s' is used by %v.", a, by).WithCause(err)
	case errors.Is(err, store.ErrNotFound):
		return apierr.NotFound(a.String()).WithCause(err)
	case errors.Is(err, store.ErrAlreadyExists):
		return apierr.AlreadyExists(resourceType, a.String()).WithCause(err)
	case errors.Is(err, store.ErrInvalidToken):
		return apierr.InvalidPaginationToken("The pagination token is not valid.").WithCause(err)
	case errors.Is(err, store.ErrRevisionMismatch):
		return apierr.ResourceInUse("The resource '%s' was changed by another request; try again.", a).WithCause(err)
	}
	return apierr.Service("An internal service error occurred. Try again later.").WithCause(err)
}

// visible reports whether account may read rec: it owns it, it is AWS-owned,
// or its resource policy allows the account to read it (sharedRead).
func visible(account string, rec store.Record) bool {
	return rec.ARN.Account == account || rec.ARN.IsAWSOwned() || sharedRead(account, rec)
}

// get reads the record a names for account: ResourceNotFound when missing,
// Forbidden when the account may not see it.
func (s *Service) get(ctx context.Context, ex store.Executor, account string, a arn.ARN) (store.Record, error) {
	rec, err := ex.Get(ctx, a)
	if err != nil {
		return store.Record{}, storeErr(a, "", err)
	}
	if !visible(account, rec) {
		return store.Record{}, forbidden(account, a)
	}
	return rec, nil
}

// getOwned reads the record a names for a change by account, which must own it.
func (s *Service) getOwned(ctx context.Context, ex store.Executor, account string, a arn.ARN) (store.Record, error) {
	rec, err := s.get(ctx, ex, account, a)
	if err != nil {
		return rec, err
	}
	if rec.ARN.Account != account {
		return store.Record{}, forbidden(account, a)
	}
	return rec, nil
}

func forbidden(account string, a arn.ARN) error {
	return apierr.Forbidden("Account %s is not authorized to perform this operation on resource '%s'.", account, a)
}

// checkRegion refuses an ARN of another region.
func (s *Service) checkRegion(param string, a arn.ARN) error {
	if a.Region != s.region {
		return apierr.InvalidParameterValue("The value supplied for parameter '%s' is not valid. The region '%s' is not this service's region '%s'.", param, a.Region, s.region)
	}
	return nil
}

// parseARN parses the member param against shape and checks its region.
func (s *Service) parseARN(shape arn.Shape, param, value string) (arn.ARN, error) {
	if value == "" {
		return arn.ARN{}, missing(param)
	}
	a, err := shape.Parse(param, value)
	if err != nil {
		return a, err
	}
	return a, s.checkRegion(param, a)
}

func missing(param string) error {
	return apierr.InvalidParameterValue("The value supplied for parameter '%s' is not valid. '%s' is required.", param, param)
}

// ownerScope sets q's account scope for the owner filter of a List call.
func ownerScope(q *store.Query, account, owner string) error {
	switch owner {
	case "", "Self":
		q.Accounts = []string{account}
	case "Shared":
		q.SharedWith = []string{account, "*"}
		q.Owners = nil
	case "Amazon":
		q.Accounts = []string{arn.AWSAccount}
	case "ThirdParty", "AWSMarketplace":
		q.Accounts = []string{"aws-marketplace"}
	default:
		return apierr.InvalidParameterValue("The value supplied for parameter 'owner' is not valid. 'owner' must be one of Self, Shared, Amazon, ThirdParty, AWSMarketplace.")
	}
	return nil
}

// page sets q's paging fields from maxResults and nextToken.
func page(q *store.Query, maxResults int32, nextToken string) error {
	switch {
	case maxResults == 0:
		q.Limit = MaxResultsDefault
	case maxResults < 1 || maxResults > 25:
		return apierr.InvalidParameterValue("The value supplied for parameter 'maxResults' is not valid. It must be between 1 and 25.")
	default:
		q.Limit = int(maxResults)
	}
	q.PageToken = nextToken
	return nil
}

// idempotent runs fn once per (account, operation, clientToken): a repeated
// call with the same request answers the first response; with another
// request, IdempotentParameterMismatchException. req must not include the
// token itself. fn runs in the transaction that records the answer.
func idempotent[R any](ctx context.Context, s *Service, account, op, token string, req any, fn func(tx store.Tx) (R, error)) (R, error) {
	var out R
	if token == "" {
		return out, missing("clientToken")
	}
	if len(token) > 64 {
		return out, apierr.InvalidParameterValue("The value supplied for parameter 'clientToken' is not valid. It must be 1 to 64 characters long.")
	}
	b, err := json.Marshal(req)
	if err != nil {
		return out, apierr.Service("An internal service error occurred. Try again later.").WithCause(err)
	}
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	key := store.IdempotencyKey{Account: account, Operation: op, ClientToken: token}
	err = s.store.WithTx(ctx, func(tx store.Tx) error {
		prev, err := tx.LookupIdempotency(ctx, key, hash)
		switch {
		case err == nil:
			return json.Unmarshal(prev.Response, &out)
		case errors.Is(err, store.ErrIdempotencyMismatch):
			return apierr.IdempotentParameterMismatch("The client token '%s' was already used for a %s request with other parameters.", token, op)
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		res, err := fn(tx)
		if err != nil {
			return err
		}
		resp, err := json.Marshal(res)
		if err != nil {
			return err
		}
		out = res
		now := s.now()
		return tx.SaveIdempotency(ctx, store.IdempotencyRecord{IdempotencyKey: key, RequestHash: hash, Response: resp,
			CreatedAt: now, ExpiresAt: now.Add(s.limits.IdempotencyTTL)})
	})
	if err != nil {
		return out, storeErr(arn.ARN{}, "", err)
	}
	return out, nil
}

// quota refuses a create when account already holds limit records of q.
func quota(ctx context.Context, ex store.Executor, q store.Query, limit int, what string) error {
	n, err := ex.Count(ctx, q)
	if err != nil {
		return err
	}
	if n >= limit {
		return apierr.ServiceQuotaExceeded("You have reached the quota of %d %s in this account and region.", limit, what)
	}
	return nil
}
