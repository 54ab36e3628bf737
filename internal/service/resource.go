package service

// Storing, reading and listing resources as typed structs.

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// Object is a JSON object the service builds for an answer of its own
// (DeleteImage); client input is never kept in one.
type Object = map[string]any

// kind describes a resource type stored as a typed struct.
type kind struct {
	typ     arn.ResourceType
	resName string    // ResourceAlreadyExists wording, e.g. InfrastructureConfiguration
	shape   arn.Shape // of its ARN member
	param   string    // its ARN member, e.g. infrastructureConfigurationArn
	filters []string  // List filter names (attributes)
	limit   func(Limits) int
}

// attrs is the record attributes of the non-empty values, by filter name.
func attrs(kv ...string) map[string][]string {
	out := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			out[kv[i]] = []string{kv[i+1]}
		}
	}
	return out
}

// decodeData reads stored data into v. Members it does not have (an older
// version's, or Goldsmith's internal ones) are dropped; a member an older
// version stored with another JSON type is left empty rather than making
// the resource unreadable.
func decodeData(data json.RawMessage, v any) error {
	err := json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	if err == nil || errors.As(err, &te) {
		return nil
	}
	return apierr.Service("An internal service error occurred. Try again later.").WithCause(err)
}

// loadRecord decodes rec's data as a T.
func loadRecord[T any](rec store.Record) (*T, error) {
	v := new(T)
	return v, decodeData(rec.Data, v)
}

// checkNew checks the name and tags of a create request and returns the
// name in ARN form.
func checkNew(name string, tags map[string]string) (string, error) {
	if err := arn.ValidateName(name); err != nil {
		return "", err
	}
	if err := checkTags(tags); err != nil {
		return "", err
	}
	lname, _ := arn.NormalizeName(name)
	return lname, nil
}

// stored is a resource value to store: its data (without tags), attributes
// and the resources it uses.
type stored struct {
	data  any
	attrs map[string][]string
	refs  []arn.ARN
}

// putResource stores a new resource and its references.
func putResource(ctx context.Context, tx store.Tx, a arn.ARN, owner, resName string, v stored, tags map[string]string) error {
	if _, err := tx.Put(ctx, store.Record{ARN: a, Owner: owner, Attrs: v.attrs, Data: mustJSON(v.data), Tags: tags}); err != nil {
		return storeErr(a, resName, err)
	}
	if len(v.refs) > 0 {
		if err := tx.SetReferences(ctx, a, v.refs); err != nil {
			return storeErr(a, resName, err)
		}
	}
	return nil
}

// createResource creates an unversioned resource of kind k named name (in
// ARN form) and answers its ARN; build makes the value stored, in the
// transaction, from the ARN and the creation time.
func createResource(ctx context.Context, s *Service, account string, k kind, name, token string, tags map[string]string, req any,
	build func(tx store.Tx, a arn.ARN, now string) (stored, error)) (string, error) {
	a := arn.New(s.region, account, k.typ, name)
	return idempotent(ctx, s, account, "Create"+k.resName, token, req, func(tx store.Tx) (string, error) {
		if err := quota(ctx, tx, store.Query{Type: k.typ, Region: s.region, Accounts: []string{account}}, k.limit(s.limits), string(k.typ)+"s"); err != nil {
			return "", err
		}
		v, err := build(tx, a, timestamp(s.now()))
		if err != nil {
			return "", err
		}
		return a.String(), putResource(ctx, tx, a, account, k.resName, v, tags)
	})
}

// updateResource replaces the members of the resource of kind k the ARN
// value names, which account owns: apply makes the value stored from the
// stored record, in the transaction, and the update time.
func updateResource(ctx context.Context, s *Service, account string, k kind, value, token string, req any,
	apply func(tx store.Tx, rec store.Record, now string) (stored, error)) (string, error) {
	a, err := s.parseARN(k.shape, k.param, value)
	if err != nil {
		return "", err
	}
	return idempotent(ctx, s, account, "Update"+k.resName, token, req, func(tx store.Tx) (string, error) {
		rec, err := s.getOwned(ctx, tx, account, a)
		if err != nil {
			return "", err
		}
		v, err := apply(tx, rec, timestamp(s.now()))
		if err != nil {
			return "", err
		}
		next := rec
		next.Data, next.Attrs = mustJSON(v.data), v.attrs
		if _, err := tx.Update(ctx, next); err != nil {
			return "", storeErr(a, k.resName, err)
		}
		if err := tx.SetReferences(ctx, rec.ARN, v.refs); err != nil {
			return "", storeErr(a, k.resName, err)
		}
		return rec.ARN.String(), nil
	})
}

// getRecord reads the record of kind k the ARN value names (wildcard
// versions resolved) for account.
func (s *Service) getRecord(ctx context.Context, account string, k kind, value string) (store.Record, error) {
	a, err := s.parseARN(k.shape, k.param, value)
	if err != nil {
		return store.Record{}, err
	}
	return s.resolve(ctx, s.store, account, a)
}

// tagged is a pointer to a resource whose tags the store keeps apart from
// its data.
type tagged[T any] interface {
	*T
	setTags(map[string]string)
}

func (v *InfrastructureConfiguration) setTags(t map[string]string) { v.Tags = t }
func (v *DistributionConfiguration) setTags(t map[string]string)   { v.Tags = t }
func (v *ImageRecipe) setTags(t map[string]string)                 { v.Tags = t }
func (v *ContainerRecipe) setTags(t map[string]string)             { v.Tags = t }
func (v *ImagePipeline) setTags(t map[string]string)               { v.Tags = t }
func (v *imageRecord) setTags(t map[string]string)                 { v.Tags = t }

// getResource reads the resource of kind k the ARN value names (wildcard
// versions resolved) for account, as a T with its tags.
func getResource[T any, P tagged[T]](ctx context.Context, s *Service, account string, k kind, value string) (P, store.Record, error) {
	rec, err := s.getRecord(ctx, account, k, value)
	if err != nil {
		return nil, rec, err
	}
	v, err := loadRecord[T](rec)
	if err != nil {
		return nil, rec, err
	}
	P(v).setTags(rec.Tags)
	return v, rec, nil
}

// ListInput is the request of the List operations with an owner filter
// (ListImageRecipes, ListContainerRecipes, ListImages) or without one
// (the configurations, ListImagePipelines).
type ListInput struct {
	Owner      string   `json:"owner,omitempty"`
	Filters    []Filter `json:"filters,omitempty"`
	MaxResults int32    `json:"maxResults,omitempty"`
	NextToken  string   `json:"nextToken,omitempty"`
}

// listKind lists the records of kind k the request selects.
func (s *Service) listKind(ctx context.Context, account string, k kind, in ListInput) (store.Page, error) {
	q := store.Query{Type: k.typ, Region: s.region}
	if arn.VersioningOf(k.typ) != arn.Unversioned {
		q.Collapse = store.CollapseVersion
	}
	if err := ownerScope(&q, account, in.Owner); err != nil {
		return store.Page{}, err
	}
	attrs, err := filterAttrs(in.Filters, k.filters)
	if err != nil {
		return store.Page{}, err
	}
	q.Attrs = attrs
	return s.listRecords(ctx, q, in.MaxResults, in.NextToken)
}

// MaxListBytes bounds the stored data one List page returns: a page that
// would hold more ends early, with a nextToken for the rest.
const MaxListBytes = 4 << 20

// listRecords runs q for the page maxResults and nextToken ask for.
func (s *Service) listRecords(ctx context.Context, q store.Query, maxResults int32, nextToken string) (store.Page, error) {
	if err := page(&q, maxResults, nextToken); err != nil {
		return store.Page{}, err
	}
	p, err := s.store.List(ctx, q)
	if err != nil {
		return store.Page{}, storeErr(arn.ARN{}, "", err)
	}
	total := 0
	for i, rec := range p.Records {
		total += len(rec.Data)
		if total > MaxListBytes && i > 0 {
			q.Limit = i // the same query, ending before this row
			if p, err = s.store.List(ctx, q); err != nil {
				return store.Page{}, storeErr(arn.ARN{}, "", err)
			}
			break
		}
	}
	return p, nil
}

// listed decodes a page's records as T with their tags.
func listed[T, R any](p store.Page, row func(rec store.Record, v *T) R) ([]R, error) {
	out := make([]R, 0, len(p.Records))
	for _, rec := range p.Records {
		v, err := loadRecord[T](rec)
		if err != nil {
			return nil, err
		}
		out = append(out, row(rec, v))
	}
	return out, nil
}

// deleteResource deletes the resource of kind k the ARN value names.
func (s *Service) deleteResource(ctx context.Context, account string, k kind, value string) (string, error) {
	a, err := s.parseARN(k.shape, k.param, value)
	if err != nil {
		return "", err
	}
	return a.String(), s.deleteOwned(ctx, account, a)
}

// mustJSON marshals a value the service built; it cannot fail for them.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("service: marshal: " + err.Error())
	}
	return b
}

// unmarshal decodes stored data.
func unmarshal(data json.RawMessage, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return apierr.Service("An internal service error occurred. Try again later.").WithCause(err)
	}
	return nil
}
