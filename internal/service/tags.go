package service

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var tagKeyRE = regexp.MustCompile(`^[a-zA-Z0-9\s_.:/=+\-@]*$`)

// checkTagKey checks a tag key against the model's TagKey shape.
func checkTagKey(k string) error {
	if n := utf8.RuneCountInString(k); n < 1 || n > 128 || !tagKeyRE.MatchString(k) || strings.HasPrefix(k, "aws:") {
		return apierr.InvalidParameterValue("The value supplied for parameter 'tags' is not valid. The tag key '%s' must be 1 to 128 characters, not start with 'aws:', and match ^[a-zA-Z0-9\\s_.:/=+\\-@]*$.", k)
	}
	return nil
}

// checkTags checks a tag map of a create request.
func checkTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return apierr.InvalidParameterValue("The value supplied for parameter 'tags' is not valid. A resource can have at most %d tags.", MaxTags)
	}
	for k, v := range tags {
		if err := checkTagKey(k); err != nil {
			return err
		}
		if utf8.RuneCountInString(v) > 256 {
			return apierr.InvalidParameterValue("The value supplied for parameter 'tags' is not valid. The value of tag '%s' is longer than 256 characters.", k)
		}
	}
	return nil
}

// asInvalidParameter rewords a parameter error as the tag operations'
// InvalidParameterException.
func asInvalidParameter(err error) error {
	if e, ok := apierr.As(err); ok && e.Code == apierr.CodeInvalidParameterValueException {
		return apierr.InvalidParameter("%s", e.Message)
	}
	return err
}

// TagsOutput is the ListTagsForResource response.
type TagsOutput struct {
	Tags map[string]string `json:"tags"`
}

// Empty is an operation's empty response.
type Empty struct{}

func (s *Service) tagARN(resourceArn string) (arn.ARN, error) {
	a, err := s.parseARN(arn.ImageBuilderArn, "resourceArn", resourceArn)
	return a, asInvalidParameter(err)
}

// TagResource adds or replaces tags on a resource the account owns.
func (s *Service) TagResource(ctx context.Context, account, resourceArn string, tags map[string]string) (Empty, error) {
	a, err := s.tagARN(resourceArn)
	if err != nil {
		return Empty{}, err
	}
	if len(tags) == 0 {
		return Empty{}, apierr.InvalidParameter("The value supplied for parameter 'tags' is not valid. At least one tag is required.")
	}
	if err := checkTags(tags); err != nil {
		return Empty{}, asInvalidParameter(err)
	}
	return Empty{}, s.store.WithTx(ctx, func(tx store.Tx) error {
		rec, err := s.getOwned(ctx, tx, account, a)
		if err != nil {
			return err
		}
		n := len(rec.Tags)
		for k := range tags {
			if _, ok := rec.Tags[k]; !ok {
				n++
			}
		}
		if n > MaxTags {
			return apierr.InvalidParameter("The value supplied for parameter 'tags' is not valid. A resource can have at most %d tags.", MaxTags)
		}
		_, err = tx.UpdateTags(ctx, a, tags, nil)
		return storeErr(a, "", err)
	})
}

// UntagResource removes tags from a resource the account owns.
func (s *Service) UntagResource(ctx context.Context, account, resourceArn string, keys []string) (Empty, error) {
	a, err := s.tagARN(resourceArn)
	if err != nil {
		return Empty{}, err
	}
	if len(keys) == 0 || len(keys) > MaxTags {
		return Empty{}, apierr.InvalidParameter("The value supplied for parameter 'tagKeys' is not valid. It must list 1 to %d keys.", MaxTags)
	}
	for _, k := range keys {
		if err := checkTagKey(k); err != nil {
			return Empty{}, asInvalidParameter(err)
		}
	}
	return Empty{}, s.store.WithTx(ctx, func(tx store.Tx) error {
		if _, err := s.getOwned(ctx, tx, account, a); err != nil {
			return err
		}
		_, err = tx.UpdateTags(ctx, a, nil, keys)
		return storeErr(a, "", err)
	})
}

// ListTagsForResource returns the tags of a resource the account may see.
func (s *Service) ListTagsForResource(ctx context.Context, account, resourceArn string) (TagsOutput, error) {
	a, err := s.tagARN(resourceArn)
	if err != nil {
		return TagsOutput{}, err
	}
	rec, err := s.get(ctx, s.store, account, a)
	if err != nil {
		return TagsOutput{}, err
	}
	return TagsOutput{Tags: rec.Tags}, nil
}
