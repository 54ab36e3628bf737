package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// CreateAccount creates an account.
func (e exec) CreateAccount(ctx context.Context, acct store.Account) (store.Account, error) {
	if acct.ID == "" {
		return store.Account{}, fmt.Errorf("store: an account needs an id: %w", store.ErrInvalid)
	}
	if acct.CreatedAt.IsZero() {
		acct.CreatedAt = e.clock()
	}
	acct.CreatedAt = fromMicros(micros(acct.CreatedAt))
	err := e.write(ctx, func(e exec) error {
		n, err := e.exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			acct.ID, acct.Name, micros(acct.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: create account %s: %w", acct.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("store: account %s %w", acct.ID, store.ErrAlreadyExists)
		}
		return nil
	})
	return acct, err
}

// GetAccount returns an account.
func (e exec) GetAccount(ctx context.Context, id string) (store.Account, error) {
	var a store.Account
	var created int64
	ok, err := e.queryRow(ctx, []any{&a.ID, &a.Name, &created}, `SELECT id, name, created_at FROM accounts WHERE id = ?`, id)
	if err != nil {
		return store.Account{}, fmt.Errorf("store: get account %s: %w", id, err)
	}
	if !ok {
		return store.Account{}, fmt.Errorf("store: account %s: %w", id, store.ErrNotFound)
	}
	a.CreatedAt = fromMicros(created)
	return a, nil
}

// ListAccounts returns every account.
func (e exec) ListAccounts(ctx context.Context) ([]store.Account, error) {
	rows, err := e.query(ctx, `SELECT id, name, created_at FROM accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: list accounts: %w", err)
	}
	defer rows.Close()
	var out []store.Account
	for rows.Next() {
		var a store.Account
		var created int64
		if err := rows.Scan(&a.ID, &a.Name, &created); err != nil {
			return nil, fmt.Errorf("store: list accounts: %w", err)
		}
		a.CreatedAt = fromMicros(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

const keyCols = "id, secret, account_id, created_at, revoked_at"

func scanKey(scan func(...any) error) (store.AccessKey, error) {
	var k store.AccessKey
	var created int64
	var revoked sql.NullInt64
	if err := scan(&k.ID, &k.Secret, &k.Account, &created, &revoked); err != nil {
		return store.AccessKey{}, err
	}
	k.CreatedAt = fromMicros(created)
	if revoked.Valid {
		k.RevokedAt = fromMicros(revoked.Int64)
	}
	return k, nil
}

// CreateAccessKey stores an access key.
func (e exec) CreateAccessKey(ctx context.Context, key store.AccessKey) (store.AccessKey, error) {
	if key.ID == "" || key.Secret == "" {
		return store.AccessKey{}, fmt.Errorf("store: an access key needs an id and a secret: %w", store.ErrInvalid)
	}
	if key.CreatedAt.IsZero() {
		key.CreatedAt = e.clock()
	}
	key.CreatedAt = fromMicros(micros(key.CreatedAt))
	var revoked any
	if !key.RevokedAt.IsZero() {
		key.RevokedAt = fromMicros(micros(key.RevokedAt))
		revoked = micros(key.RevokedAt)
	}
	err := e.write(ctx, func(e exec) error {
		var id string
		ok, err := e.queryRow(ctx, []any{&id}, `SELECT id FROM accounts WHERE id = ?`+e.d.LockShare, key.Account)
		if err != nil {
			return fmt.Errorf("store: create access key: %w", err)
		}
		if !ok {
			return fmt.Errorf("store: create access key: account %q: %w", key.Account, store.ErrNotFound)
		}
		n, err := e.exec(ctx, `INSERT INTO access_keys (`+keyCols+`) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			key.ID, key.Secret, key.Account, micros(key.CreatedAt), revoked)
		if err != nil {
			return fmt.Errorf("store: create access key %s: %w", key.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("store: access key %s %w", key.ID, store.ErrAlreadyExists)
		}
		return nil
	})
	return key, err
}

// GetAccessKey returns an access key.
func (e exec) GetAccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	rows, err := e.query(ctx, `SELECT `+keyCols+` FROM access_keys WHERE id = ?`, id)
	if err != nil {
		return store.AccessKey{}, fmt.Errorf("store: get access key %s: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return store.AccessKey{}, fmt.Errorf("store: get access key %s: %w", id, err)
		}
		return store.AccessKey{}, fmt.Errorf("store: access key %s: %w", id, store.ErrNotFound)
	}
	k, err := scanKey(rows.Scan)
	if err != nil {
		return store.AccessKey{}, fmt.Errorf("store: get access key %s: %w", id, err)
	}
	return k, nil
}

// ListAccessKeys lists the keys of an account, or all.
func (e exec) ListAccessKeys(ctx context.Context, account string) ([]store.AccessKey, error) {
	q, args := `SELECT `+keyCols+` FROM access_keys ORDER BY created_at, id`, []any(nil)
	if account != "" {
		q, args = `SELECT `+keyCols+` FROM access_keys WHERE account_id = ? ORDER BY created_at, id`, []any{account}
	}
	rows, err := e.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list access keys: %w", err)
	}
	defer rows.Close()
	var out []store.AccessKey
	for rows.Next() {
		k, err := scanKey(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("store: list access keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAccessKey revokes a key.
func (e exec) RevokeAccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	var out store.AccessKey
	err := e.write(ctx, func(e exec) error {
		n, err := e.exec(ctx, `UPDATE access_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, micros(e.clock()), id)
		if err != nil {
			return fmt.Errorf("store: revoke access key %s: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("store: revoke access key %s: %w", id, store.ErrNotFound)
		}
		out, err = e.GetAccessKey(ctx, id)
		return err
	})
	return out, err
}

// LookupIdempotency returns the live record for key.
func (e exec) LookupIdempotency(ctx context.Context, key store.IdempotencyKey, requestHash string) (store.IdempotencyRecord, error) {
	rec := store.IdempotencyRecord{IdempotencyKey: key}
	var resp string
	var created, expires int64
	ok, err := e.queryRow(ctx, []any{&rec.RequestHash, &resp, &created, &expires}, `SELECT request_hash, response,
		created_at, expires_at FROM idempotency WHERE account = ? AND operation = ? AND client_token = ? AND expires_at > ?`,
		key.Account, key.Operation, key.ClientToken, micros(e.clock()))
	if err != nil {
		return store.IdempotencyRecord{}, fmt.Errorf("store: look up client token %q of %s: %w", key.ClientToken, key.Operation, err)
	}
	if !ok {
		return store.IdempotencyRecord{}, fmt.Errorf("store: client token %q of %s for account %s: %w",
			key.ClientToken, key.Operation, key.Account, store.ErrNotFound)
	}
	rec.Response = json.RawMessage(resp)
	rec.CreatedAt, rec.ExpiresAt = fromMicros(created), fromMicros(expires)
	if rec.RequestHash != requestHash {
		return rec, fmt.Errorf("store: client token %q of %s: %w", key.ClientToken, key.Operation, store.ErrIdempotencyMismatch)
	}
	return rec, nil
}

// SaveIdempotency saves a record.
func (e exec) SaveIdempotency(ctx context.Context, rec store.IdempotencyRecord) error {
	if rec.Account == "" || rec.Operation == "" || rec.ClientToken == "" || rec.ExpiresAt.IsZero() {
		return fmt.Errorf("store: an idempotency record needs an account, operation, client token and expiry: %w", store.ErrInvalid)
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = e.clock()
	}
	return e.write(ctx, func(e exec) error {
		if _, err := e.exec(ctx, `DELETE FROM idempotency WHERE account = ? AND operation = ? AND client_token = ?
			AND expires_at <= ?`, rec.Account, rec.Operation, rec.ClientToken, micros(e.clock())); err != nil {
			return fmt.Errorf("store: save client token %q: %w", rec.ClientToken, err)
		}
		n, err := e.exec(ctx, `INSERT INTO idempotency (account, operation, client_token, request_hash, response,
			created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			rec.Account, rec.Operation, rec.ClientToken, rec.RequestHash, string(rec.Response),
			micros(rec.CreatedAt), micros(rec.ExpiresAt))
		if err != nil {
			return fmt.Errorf("store: save client token %q: %w", rec.ClientToken, err)
		}
		if n == 0 {
			return fmt.Errorf("store: client token %q of %s %w", rec.ClientToken, rec.Operation, store.ErrAlreadyExists)
		}
		return nil
	})
}

// PurgeIdempotency deletes expired records.
func (e exec) PurgeIdempotency(ctx context.Context) (int, error) {
	var n int64
	err := e.write(ctx, func(e exec) error {
		var err error
		n, err = e.exec(ctx, `DELETE FROM idempotency WHERE expires_at <= ?`, micros(e.clock()))
		if err != nil {
			return fmt.Errorf("store: purge expired client tokens: %w", err)
		}
		return nil
	})
	return int(n), err
}
