package service

import (
	"context"
	"fmt"
	"maps"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// Object is a resource or request as its JSON object, for the resources
// the service stores as the client gave them (configurations, pipelines,
// recipes) plus the members the service computes.
type Object = map[string]any

// kind describes an unversioned, updatable resource type.
type kind struct {
	typ      arn.ResourceType
	resName  string    // ResourceAlreadyExists wording, e.g. InfrastructureConfiguration
	shape    arn.Shape // of its ARN member
	param    string    // its ARN member, e.g. infrastructureConfigurationArn
	required []string  // required members besides name and clientToken
	filters  []string  // List filter names (attributes)
	summary  []string  // members of its List summaries
	limit    func(Limits) int
	// refs validates the object's references for account and returns them.
	refs func(ctx context.Context, s *Service, ex store.Executor, account string, obj Object) ([]arn.ARN, error)
}

func str(obj Object, key string) string {
	v, _ := obj[key].(string)
	return v
}

func tagsOf(obj Object) (map[string]string, error) {
	raw, ok := obj["tags"].(map[string]any)
	if !ok {
		return nil, nil
	}
	tags := map[string]string{}
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil, apierr.InvalidParameterValue("The value supplied for parameter 'tags' is not valid. Tag values must be strings.")
		}
		tags[k] = s
	}
	return tags, checkTags(tags)
}

// objectRecord is the stored record of obj (tags kept apart).
func objectRecord(a arn.ARN, owner string, obj Object, filters []string, tags map[string]string) store.Record {
	attrs := map[string][]string{}
	for _, f := range filters {
		if v := str(obj, f); v != "" {
			attrs[f] = []string{v}
		}
	}
	data := maps.Clone(obj)
	delete(data, "tags")
	return store.Record{ARN: a, Owner: owner, Attrs: attrs, Data: mustJSON(data), Tags: tags}
}

// objectOf is the API object of rec, with its tags.
func objectOf(rec store.Record) (Object, error) {
	var obj Object
	if err := unmarshal(rec.Data, &obj); err != nil {
		return nil, err
	}
	obj["tags"] = rec.Tags
	return obj, nil
}

func checkRequired(obj Object, members []string) error {
	for _, m := range members {
		if v, ok := obj[m]; !ok || v == nil || v == "" {
			return missing(m)
		}
	}
	return nil
}

// createObject creates an unversioned resource of kind k.
func (s *Service) createObject(ctx context.Context, account string, k kind, in Object) (Object, error) {
	token := str(in, "clientToken")
	delete(in, "clientToken")
	name := str(in, "name")
	if err := arn.ValidateName(name); err != nil {
		return nil, err
	}
	lname, _ := arn.NormalizeName(name)
	if err := checkRequired(in, k.required); err != nil {
		return nil, err
	}
	if err := checkDescriptions(str(in, "description")); err != nil {
		return nil, err
	}
	tags, err := tagsOf(in)
	if err != nil {
		return nil, err
	}
	a := arn.New(s.region, account, k.typ, lname)
	return idempotent(ctx, s, account, "Create"+k.resName, token, in, func(tx store.Tx) (Object, error) {
		if k.limit != nil {
			if err := quota(ctx, tx, store.Query{Type: k.typ, Region: s.region, Accounts: []string{account}}, k.limit(s.limits), string(k.typ)+"s"); err != nil {
				return nil, err
			}
		}
		var refs []arn.ARN
		if k.refs != nil {
			if refs, err = k.refs(ctx, s, tx, account, in); err != nil {
				return nil, err
			}
		}
		obj := maps.Clone(in)
		now := timestamp(s.now())
		obj["arn"], obj["dateCreated"] = a.String(), now
		if _, err := tx.Put(ctx, objectRecord(a, account, obj, k.filters, tags)); err != nil {
			return nil, storeErr(a, k.resName, err)
		}
		if len(refs) > 0 {
			if err := tx.SetReferences(ctx, a, refs); err != nil {
				return nil, storeErr(a, k.resName, err)
			}
		}
		return Object{"clientToken": token, k.param: a.String()}, nil
	})
}

// updateObject replaces the mutable members of a resource of kind k.
func (s *Service) updateObject(ctx context.Context, account string, k kind, in Object) (Object, error) {
	token := str(in, "clientToken")
	delete(in, "clientToken")
	a, err := s.parseARN(k.shape, k.param, str(in, k.param))
	if err != nil {
		return nil, err
	}
	if err := checkRequired(in, k.required); err != nil {
		return nil, err
	}
	if _, ok := in["name"]; ok {
		return nil, apierr.InvalidParameterValue("The name of a resource cannot be updated.")
	}
	return idempotent(ctx, s, account, "Update"+k.resName, token, in, func(tx store.Tx) (Object, error) {
		rec, err := s.getOwned(ctx, tx, account, a)
		if err != nil {
			return nil, err
		}
		old, err := objectOf(rec)
		if err != nil {
			return nil, err
		}
		var refs []arn.ARN
		if k.refs != nil {
			if refs, err = k.refs(ctx, s, tx, account, in); err != nil {
				return nil, err
			}
		}
		obj := maps.Clone(in)
		delete(obj, k.param)
		delete(obj, "tags")
		obj["arn"], obj["name"], obj["dateCreated"], obj["dateUpdated"] = rec.ARN.String(), old["name"], old["dateCreated"], timestamp(s.now())
		next := objectRecord(rec.ARN, rec.Owner, obj, k.filters, rec.Tags)
		next.Revision, next.Policy, next.Principals = rec.Revision, rec.Policy, rec.Principals
		if _, err := tx.Update(ctx, next); err != nil {
			return nil, storeErr(a, k.resName, err)
		}
		if err := tx.SetReferences(ctx, rec.ARN, refs); err != nil {
			return nil, storeErr(a, k.resName, err)
		}
		return Object{"clientToken": token, k.param: rec.ARN.String()}, nil
	})
}

// getObject returns the resource of kind k the ARN value names.
func (s *Service) getObject(ctx context.Context, account string, k kind, value string) (Object, error) {
	a, err := s.parseARN(k.shape, k.param, value)
	if err != nil {
		return nil, err
	}
	rec, err := s.resolve(ctx, s.store, account, a)
	if err != nil {
		return nil, err
	}
	return objectOf(rec)
}

// listObjects lists resources of kind k; owner applies to shareable kinds.
func (s *Service) listObjects(ctx context.Context, account string, k kind, in Object, listKey string) (Object, error) {
	q := store.Query{Type: k.typ, Region: s.region}
	if arn.VersioningOf(k.typ) != arn.Unversioned {
		q.Collapse = store.CollapseVersion
	}
	if err := ownerScope(&q, account, str(in, "owner")); err != nil {
		return nil, err
	}
	var filters []Filter
	if raw, ok := in["filters"].([]any); ok {
		for _, f := range raw {
			fm, _ := f.(map[string]any)
			var vals []string
			for _, v := range asSlice(fm["values"]) {
				vals = append(vals, fmt.Sprint(v))
			}
			filters = append(filters, Filter{Name: str(fm, "name"), Values: vals})
		}
	}
	attrs, err := filterAttrs(filters, k.filters)
	if err != nil {
		return nil, err
	}
	q.Attrs = attrs
	return s.listPage(ctx, q, in, k.summary, listKey)
}

// listPage runs q for the page in's maxResults and nextToken ask for and
// returns the records' summary members (every member when summary is nil)
// under listKey.
func (s *Service) listPage(ctx context.Context, q store.Query, in Object, summary []string, listKey string) (Object, error) {
	maxResults, _ := in["maxResults"].(float64)
	if err := page(&q, int32(maxResults), str(in, "nextToken")); err != nil {
		return nil, err
	}
	p, err := s.store.List(ctx, q)
	if err != nil {
		return nil, storeErr(arn.ARN{}, "", err)
	}
	list := []Object{}
	for _, rec := range p.Records {
		obj, err := objectOf(rec)
		if err != nil {
			return nil, err
		}
		sum := Object{}
		if summary == nil {
			sum = obj
		}
		for _, m := range summary {
			if v, ok := obj[m]; ok {
				sum[m] = v
			}
		}
		list = append(list, sum)
	}
	out := Object{listKey: list}
	if p.NextToken != "" {
		out["nextToken"] = p.NextToken
	}
	return out, nil
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// deleteObject deletes the resource of kind k the ARN value names.
func (s *Service) deleteObject(ctx context.Context, account string, k kind, value string) (Object, error) {
	a, err := s.parseARN(k.shape, k.param, value)
	if err != nil {
		return nil, err
	}
	if err := s.deleteOwned(ctx, account, a); err != nil {
		return nil, err
	}
	return Object{k.param: a.String()}, nil
}
