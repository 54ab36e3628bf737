package server

// Sites: the regions images can be distributed to.

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

// RegionConfig is a site images can be distributed to, named as an Image
// Builder region (a distribution configuration's region names it):
//
//	regions:
//	  - name: eu-site-1
//	    artifacts: s3://bucket/prefix
//	    profile: eu-site   # AWS shared-config profile: endpoint, credentials
//	    formats: [vmdk]
//	  - name: lab-site-1
//	    artifacts: /srv/images
//
// The server's own region is the home site; its store is the artifacts
// setting.
type RegionConfig struct {
	Name string `yaml:"name" json:"name"`
	// Artifacts is the site's store: a folder or s3://bucket[/prefix].
	Artifacts string `yaml:"artifacts" json:"artifacts"`
	// Profile is the AWS shared-config profile (~/.aws/config and
	// credentials, or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) with
	// the endpoint and credentials of an s3:// site; empty: the default
	// chain (environment, default profile).
	Profile string `yaml:"profile" json:"profile"`
	// Formats are the disk formats the site receives; empty: qcow2.
	Formats []string `yaml:"formats" json:"formats"`
}

// checkRegions checks the configured sites: names like AWS regions, unique
// and not the home region home (skipped when empty), stores that are
// folders or s3:// URIs, profiles only for s3:// sites and present in the
// AWS shared configuration, and formats the build workflow writes.
func checkRegions(regions []RegionConfig, home string) error {
	seen := map[string]int{}
	for i, r := range regions {
		key := fmt.Sprintf("regions[%d]", i)
		if r.Name == "" {
			return fmt.Errorf("%s.name is missing: name the site as a region, e.g. eu-site-1", key)
		}
		if err := CheckRegion(r.Name); err != nil {
			return fmt.Errorf("%s.name: %w", key, err)
		}
		if r.Name == home {
			return fmt.Errorf("%s.name %s is this server's own region (the home site, whose store is the artifacts setting); give the other site another name", key, r.Name)
		}
		if j, ok := seen[r.Name]; ok {
			return fmt.Errorf("%s.name %s is also regions[%d].name: give each site its own name", key, r.Name, j)
		}
		seen[r.Name] = i
		if r.Artifacts == "" {
			return fmt.Errorf("%s.artifacts is missing: give the site's store, a folder or s3://bucket/prefix", key)
		}
		if err := CheckLocation(r.Artifacts); err != nil {
			return fmt.Errorf("%s.artifacts: %w", key, err)
		}
		if r.Profile != "" {
			if !strings.HasPrefix(strings.ToLower(r.Artifacts), "s3://") {
				return fmt.Errorf("%s.profile is for s3:// sites; the folder %s needs none: remove it", key, r.Artifacts)
			}
			if err := checkProfile(r.Profile); err != nil {
				return fmt.Errorf("%s.profile: %w", key, err)
			}
		}
		for j, f := range r.Formats {
			if strings.Contains(f, ",") {
				return fmt.Errorf("%s.formats[%d] %q: list one format per entry, e.g. [qcow2, vmdk]", key, j, f)
			}
			if _, err := workflow.ParseFormats(f); err != nil || strings.TrimSpace(f) == "" {
				known := make([]string, len(workflow.Formats))
				for k, w := range workflow.Formats {
					known[k] = string(w)
				}
				return fmt.Errorf("%s.formats[%d]: unknown format %q%s; choose from %s", key, j, f, component.Suggest(f, known), strings.Join(known, ", "))
			}
		}
	}
	return nil
}

// checkProfile checks that an AWS shared-config profile exists, in the
// files the SDK reads (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE when
// set).
func checkProfile(name string) error {
	env, err := awsconfig.NewEnvConfig()
	if err != nil {
		return err
	}
	_, err = awsconfig.LoadSharedConfigProfile(context.Background(), name, func(o *awsconfig.LoadSharedConfigOptions) {
		if env.SharedConfigFile != "" {
			o.ConfigFiles = []string{env.SharedConfigFile}
		}
		if env.SharedCredentialsFile != "" {
			o.CredentialsFiles = []string{env.SharedCredentialsFile}
		}
	})
	var missing awsconfig.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &missing):
		return fmt.Errorf("profile %q is in neither the AWS config nor the credentials file (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE): add a [profile %s] section with the site's endpoint_url and credentials", name, name)
	case err != nil:
		return fmt.Errorf("profile %q: %w", name, err)
	}
	return nil
}

// Sites returns the configured sites other than the home site, for the
// service: names, stores and formats (lower-case; qcow2 when none is given).
func (c Config) Sites() []service.Site {
	sites := make([]service.Site, 0, len(c.Regions))
	for _, r := range c.Regions {
		formats := []string{string(workflow.QCOW2)}
		if len(r.Formats) > 0 {
			formats = formats[:0]
			for _, f := range r.Formats {
				if f = strings.ToLower(strings.TrimSpace(f)); !slices.Contains(formats, f) {
					formats = append(formats, f)
				}
			}
		}
		loc := r.Artifacts
		if !strings.Contains(loc, "://") {
			loc = filepath.Clean(loc)
		}
		sites = append(sites, service.Site{Name: r.Name, Location: loc, Profile: r.Profile, Formats: formats})
	}
	return sites
}
