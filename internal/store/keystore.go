package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/goldsmith-dev/goldsmith/internal/auth"
)

// KeyStore adapts the access keys of a store to auth.KeyStore, for SigV4
// verification. A revoked key is returned with Revoked set, so the verifier
// refuses it at once.
func KeyStore(s Accounts) auth.KeyStore { return keyStore{s} }

type keyStore struct{ s Accounts }

func (k keyStore) LookupKey(ctx context.Context, id string) (auth.Key, error) {
	key, err := k.s.GetAccessKey(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return auth.Key{}, fmt.Errorf("access key %q: %w", id, auth.ErrKeyNotFound)
	}
	if err != nil {
		return auth.Key{}, err
	}
	return auth.Key{AccessKeyID: key.ID, Secret: key.Secret, AccountID: key.Account, Revoked: key.Revoked()}, nil
}
