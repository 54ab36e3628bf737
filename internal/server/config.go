package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/machine/qemu"
	"github.com/goldsmith-dev/goldsmith/internal/notify"
	"github.com/goldsmith-dev/goldsmith/internal/s3client"
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
//	regions:
//	  - {name: eu-site-1, artifacts: s3://images/eu, profile: eu-site, formats: [vmdk]}
//	  - {name: lab-site-1, artifacts: /srv/images}
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
	SharedCache string `yaml:"sharedCache" json:"sharedCache"`
	Region      string `yaml:"region" json:"region"`
	// Regions are the sites besides this server's own region (the home
	// site) that images can be distributed to (see RegionConfig).
	Regions  []RegionConfig  `yaml:"regions" json:"regions"`
	Accounts []AccountConfig `yaml:"accounts" json:"accounts"`
	// Webhooks receive image state changes: an infrastructure
	// configuration's snsTopicArn names one of them by its topicArn.
	Webhooks []notify.Webhook `yaml:"webhooks" json:"webhooks"`
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
	var raw any
	if err := yaml.Unmarshal(b, &raw); err == nil {
		if err := CheckKeys(raw, reflect.TypeOf(f), ""); err != nil {
			return f, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	if err := yaml.UnmarshalWithOptions(b, &f, yaml.DisallowUnknownField()); err != nil {
		return f, fmt.Errorf("config file %s: %s", path, yaml.FormatError(err, false, true))
	}
	if err := f.Check(); err != nil {
		return f, fmt.Errorf("config file %s: %w", path, err)
	}
	return f, nil
}

// CheckKeys reports the first key of raw (a decoded YAML or JSON value)
// that the struct type t has no yaml tag for, with the closest known key,
// so that a misspelt setting says what was meant. path prefixes the
// reported key.
func CheckKeys(raw any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if list, ok := raw.([]any); ok && t.Kind() == reflect.Slice {
			for i, item := range list {
				if err := CheckKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			return nil
		}
		t = t.Elem()
	}
	m, ok := raw.(map[string]any)
	if !ok || t.Kind() != reflect.Struct {
		return nil
	}
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = t.Field(i).Type
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ft, ok := fields[k]
		if !ok {
			known := make([]string, 0, len(fields))
			for name := range fields {
				known = append(known, name)
			}
			sort.Strings(known)
			return fmt.Errorf("unknown key %q%s; the keys are %s", strings.TrimPrefix(path+"."+k, "."), component.Suggest(k, known), strings.Join(known, ", "))
		}
		if err := CheckKeys(m[k], ft, path+"."+k); err != nil {
			return err
		}
	}
	return nil
}

// CheckRegion checks a region name: it must look like an AWS region.
func CheckRegion(region string) error {
	if !regionRE.MatchString(region) {
		return fmt.Errorf("region %q must look like an AWS region name: lower-case words and a number joined by dashes, e.g. goldsmith-local-1 or us-east-1", region)
	}
	return nil
}

// CheckLocation checks a store location (artifacts, shared cache): an
// s3://bucket[/prefix] URI or a folder; anything else with a scheme is a
// mistake, not a folder named after it.
func CheckLocation(location string) error {
	lower := strings.ToLower(location)
	switch {
	case strings.HasPrefix(lower, "s3://"):
		_, err := s3client.ParseURI(location)
		return err
	case strings.HasPrefix(lower, "s3:"), strings.Contains(location, "://"):
		return fmt.Errorf("%q is neither s3://bucket/prefix nor a folder", location)
	}
	return nil
}

// CheckListen checks a listen address (host:port).
func CheckListen(addr string) error {
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return fmt.Errorf("listen address %q: write host:port, e.g. 127.0.0.1:8484 or :8484", addr)
	}
	return nil
}

// Check validates the file's values.
func (f File) Check() error {
	if f.Region != "" {
		if err := CheckRegion(f.Region); err != nil {
			return err
		}
	}
	if f.Listen != "" {
		if err := CheckListen(f.Listen); err != nil {
			return err
		}
	}
	for _, l := range []struct{ key, value string }{{"artifacts", f.Artifacts}, {"sharedCache", f.SharedCache}} {
		if err := CheckLocation(l.value); err != nil {
			return fmt.Errorf("%s: %w", l.key, err)
		}
	}
	if err := checkRegions(f.Regions, f.Region); err != nil {
		return err
	}
	if err := checkAccounts(f.Accounts); err != nil {
		return err
	}
	if _, err := notify.NewRouter(f.Webhooks...); err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	return nil
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
	if c.Regions == nil {
		c.Regions = f.Regions
	}
	if c.Webhooks == nil {
		c.Webhooks = f.Webhooks
	}
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

// Check validates a configuration's settings before anything starts:
// listen address, region, store locations and the sites (regions).
func (c Config) Check() error {
	c = c.WithDefaults()
	if err := CheckListen(c.Listen); err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	if err := CheckRegion(c.Region); err != nil {
		return fmt.Errorf("--region: %w", err)
	}
	if c.PostgresURL != "" {
		// A URL (host, or ?host=/socket/dir), or a key=value connection string.
		u, err := url.Parse(c.PostgresURL)
		isURL := err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql")
		if !isURL && !strings.Contains(c.PostgresURL, "=") {
			return errors.New("--postgres: write a PostgreSQL URL, e.g. postgres://goldsmith:PASSWORD@db/goldsmith")
		}
	}
	if err := CheckLocation(c.Build.Artifacts); err != nil {
		return fmt.Errorf("--artifacts: %w", err)
	}
	if err := CheckLocation(c.Build.SharedCache); err != nil {
		return fmt.Errorf("--shared-cache: %w", err)
	}
	if err := checkRegions(c.Regions, c.Region); err != nil {
		return err
	}
	switch c.Build.Accel {
	case "", qemu.AccelAuto, qemu.AccelKVM, qemu.AccelTCG:
	default:
		return fmt.Errorf("--accelerator %q: use auto, kvm or tcg%s", c.Build.Accel, component.Suggest(string(c.Build.Accel), []string{"auto", "kvm", "tcg"}))
	}
	return nil
}
