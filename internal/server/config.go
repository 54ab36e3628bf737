package server

import (
	"context"
	"errors"
	"fmt"
	"github.com/goldsmith-dev/goldsmith/internal/notify"
	"os"
	"regexp"

	"github.com/goccy/go-yaml"

	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// File is the configuration file of `goldsmith serve` and `goldsmith keys`,
// in YAML or JSON (a YAML subset). Every member is optional; command-line
// flags win over it.
//
//	listen: 127.0.0.1:8484
//	dataDir: /var/lib/goldsmith
//	postgres: postgres://goldsmith@db/goldsmith
//	artifacts: s3://goldsmith-images/site-a
//	sharedCache: s3://goldsmith-images/site-a/cache
//	region: goldsmith-local-1
//	http: {maxConnections: 1024, idleTimeout: 2m}
//	accounts:
//	  - id: "123456789012"
//	    name: ops
//	    keys:
//	      - accessKeyId: AKIAEXAMPLEKEY000001
//	        secretAccessKey: a-secret-of-at-least-16-characters
type File struct {
	Listen   string `yaml:"listen" json:"listen"`
	DataDir  string `yaml:"dataDir" json:"dataDir"`
	Postgres string `yaml:"postgres" json:"postgres"`
	// Artifacts is where built images and logs go: a folder or
	// s3://bucket/prefix (see BuildConfig.Artifacts).
	Artifacts string `yaml:"artifacts" json:"artifacts"`
	// SharedCache is the step cache tier shared by worker hosts (see
	// BuildConfig.SharedCache).
	SharedCache string          `yaml:"sharedCache" json:"sharedCache"`
	Region      string          `yaml:"region" json:"region"`
	Accounts    []AccountConfig `yaml:"accounts" json:"accounts"`
	// Webhooks receive image state changes: an infrastructure
	// configuration's snsTopicArn names one of them by its topicArn.
	Webhooks []notify.Webhook `yaml:"webhooks" json:"webhooks"`
	// HTTP bounds the API server's connections (see HTTPConfig).
	HTTP HTTPConfig `yaml:"http" json:"http"`
}

// AccountConfig is an account the server makes sure exists at start, with
// access keys it makes sure exist.
type AccountConfig struct {
	ID   string      `yaml:"id" json:"id"`
	Name string      `yaml:"name" json:"name"`
	Keys []KeyConfig `yaml:"keys" json:"keys"`
}

// KeyConfig is a configured access key.
type KeyConfig struct {
	AccessKeyID     string `yaml:"accessKeyId" json:"accessKeyId"`
	SecretAccessKey string `yaml:"secretAccessKey" json:"secretAccessKey"`
}

var (
	accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)
	keyIDRE     = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2,}(?:-[a-z]+)+-[0-9]+$`)
)

// LoadFile reads and checks a configuration file. Unknown members are
// errors, so that a misspelt setting is not silently ignored.
func LoadFile(path string) (File, error) {
	var f File
	b, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	if err := yaml.UnmarshalWithOptions(b, &f, yaml.DisallowUnknownField()); err != nil {
		return f, fmt.Errorf("config file %s: %s", path, yaml.FormatError(err, false, true))
	}
	if err := f.Check(); err != nil {
		return f, fmt.Errorf("config file %s: %w", path, err)
	}
	return f, nil
}

// Check validates the file's values.
func (f File) Check() error {
	if f.Region != "" && !regionRE.MatchString(f.Region) {
		return fmt.Errorf("region %q must look like an AWS region name (e.g. goldsmith-local-1)", f.Region)
	}
	if err := checkAccounts(f.Accounts); err != nil {
		return err
	}
	if _, err := notify.NewRouter(f.Webhooks...); err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	return f.HTTP.Check()
}

func checkAccounts(accts []AccountConfig) error {
	seen := map[string]bool{}
	for i, a := range accts {
		if !accountIDRE.MatchString(a.ID) {
			return fmt.Errorf("accounts[%d].id %q must be 12 digits (quote it in YAML)", i, a.ID)
		}
		if seen[a.ID] {
			return fmt.Errorf("accounts[%d].id %s is listed twice", i, a.ID)
		}
		seen[a.ID] = true
		for j, k := range a.Keys {
			if !keyIDRE.MatchString(k.AccessKeyID) {
				return fmt.Errorf("accounts[%d].keys[%d].accessKeyId %q must be 16 to 128 upper-case letters and digits", i, j, k.AccessKeyID)
			}
			if seen["key:"+k.AccessKeyID] {
				return fmt.Errorf("accounts[%d].keys[%d].accessKeyId %s is listed twice", i, j, k.AccessKeyID)
			}
			seen["key:"+k.AccessKeyID] = true
			if len(k.SecretAccessKey) < 16 {
				return fmt.Errorf("accounts[%d].keys[%d].secretAccessKey must be at least 16 characters", i, j)
			}
		}
	}
	return nil
}

// Apply returns c with the file's values where c has none: set flags
// (non-empty fields of c) win over the file.
func (f File) Apply(c Config) Config {
	pick := func(flag *string, file string) {
		if *flag == "" {
			*flag = file
		}
	}
	pick(&c.Listen, f.Listen)
	pick(&c.DataDir, f.DataDir)
	pick(&c.PostgresURL, f.Postgres)
	pick(&c.Build.Artifacts, f.Artifacts)
	pick(&c.Build.SharedCache, f.SharedCache)
	pick(&c.Region, f.Region)
	if c.Accounts == nil {
		c.Accounts = f.Accounts
	}
	if c.Webhooks == nil {
		c.Webhooks = f.Webhooks
	}
	c.HTTP = overHTTP(c.HTTP, f.HTTP)
	return c
}

// EnsureAccounts creates the configured accounts and keys the store lacks.
// A key the store has with another secret or account is an error; a key
// revoked in the store stays revoked.
func EnsureAccounts(ctx context.Context, st store.Accounts, accts []AccountConfig) error {
	if err := checkAccounts(accts); err != nil {
		return err
	}
	for _, a := range accts {
		if _, err := st.GetAccount(ctx, a.ID); errors.Is(err, store.ErrNotFound) {
			if _, err := st.CreateAccount(ctx, store.Account{ID: a.ID, Name: a.Name}); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
				return fmt.Errorf("create account %s: %w", a.ID, err)
			}
		} else if err != nil {
			return err
		}
		for _, k := range a.Keys {
			have, err := st.GetAccessKey(ctx, k.AccessKeyID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				if _, err := st.CreateAccessKey(ctx, store.AccessKey{ID: k.AccessKeyID, Secret: k.SecretAccessKey, Account: a.ID}); err != nil {
					return fmt.Errorf("create access key %s: %w", k.AccessKeyID, err)
				}
			case err != nil:
				return err
			case have.Account != a.ID || have.Secret != k.SecretAccessKey:
				return fmt.Errorf("access key %s is stored for account %s with another secret or account than configured; revoke it or change the configuration", k.AccessKeyID, have.Account)
			}
		}
	}
	return nil
}
