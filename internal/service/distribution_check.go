package service

// The checks of a distribution configuration that need the server's
// context: its sites and its accounts.

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

var (
	// amiNameRE is the model's AmiNameString pattern.
	amiNameRE = regexp.MustCompile(`^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}.]+[-_A-Za-z0-9}]$`)
	// amiNameVarRE is one {{ ... }} of an AMI name.
	amiNameVarRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
	accountRE    = regexp.MustCompile(`^[0-9]{12}$`)
	// The model's OrganizationArn and OrganizationalUnitArn patterns.
	orgArnRE = regexp.MustCompile(`^arn:aws[^:]*:organizations::[0-9]{12}:organization/o-[a-z0-9]{10,32}$`)
	ouArnRE  = regexp.MustCompile(`^arn:aws[^:]*:organizations::[0-9]{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$`)
	// s3BucketRE is an S3 bucket name (3 to 63 lower-case letters, digits,
	// dots and dashes, starting and ending with a letter or digit).
	s3BucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// ecrRepoRE is an ECR repository name.
	ecrRepoRE = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
)

// amiNameVars are the variables an AMI name may use, expanded when the
// image is distributed.
var amiNameVars = []string{"imagebuilder:buildDate", "imagebuilder:buildVersion"}

// validateDistributions is the one check of a distribution configuration's
// settings: the model's members (validate), then what needs this server:
// every region is a site of it, named once; AMI names use only the
// documented variables; the accounts named exist on it; launch permission
// groups and organization ARNs, export buckets and container repositories
// have their shapes.
func (s *Service) validateDistributions(ctx context.Context, in *DistributionSettings) error {
	if err := in.validate(); err != nil {
		return err
	}
	var c checker
	seen := map[string]bool{}
	for i := range in.Distributions {
		d := &in.Distributions[i]
		if _, ok := s.site(d.Region); !ok {
			c.fail("distributions.region", "The region '%s' is not a site of this server%s; its sites are %s (the server's own region and the regions of its configuration file).",
				d.Region, component.Suggest(d.Region, s.siteNames()), strings.Join(s.siteNames(), ", "))
		}
		if seen[d.Region] {
			c.fail("distributions.region", "The region '%s' is listed twice; give each region one distribution.", d.Region)
		}
		seen[d.Region] = true
		if a := d.AmiDistributionConfiguration; a != nil {
			c.amiName("distributions.amiDistributionConfiguration.name", a.Name)
			s.accounts(ctx, &c, "distributions.amiDistributionConfiguration.targetAccountIds", a.TargetAccountIDs)
			if lp := a.LaunchPermission; lp != nil {
				const param = "distributions.amiDistributionConfiguration.launchPermission"
				s.accounts(ctx, &c, param+".userIds", lp.UserIDs)
				for _, g := range lp.UserGroups {
					if g != "all" {
						c.fail(param+".userGroups", "The group '%s' is not known; the only group is 'all' (every account on this server).", g)
					}
				}
				c.pattern(param+".organizationArns", lp.OrganizationArns, orgArnRE, "arn:aws:organizations::123456789012:organization/o-exampleorgid")
				c.pattern(param+".organizationalUnitArns", lp.OrganizationalUnitArns, ouArnRE, "arn:aws:organizations::123456789012:ou/o-exampleorgid/ou-ab12-example1")
			}
		}
		if e := d.S3ExportConfiguration; e != nil && e.S3Bucket != "" {
			c.pattern("distributions.s3ExportConfiguration.s3Bucket", []string{e.S3Bucket}, s3BucketRE, "my-images")
		}
		if cd := d.ContainerDistributionConfiguration; cd != nil && cd.TargetRepository != nil && cd.TargetRepository.RepositoryName != "" {
			c.pattern("distributions.containerDistributionConfiguration.targetRepository.repositoryName", []string{cd.TargetRepository.RepositoryName}, ecrRepoRE, "team/app")
		}
		if c.err != nil {
			break
		}
	}
	return c.err
}

// amiName checks an AMI name template: the model's pattern, and only the
// documented {{imagebuilder:...}} variables.
func (c *checker) amiName(param, name string) {
	if name == "" {
		return
	}
	if !amiNameRE.MatchString(name) {
		c.fail(param, "An AMI name is letters, digits, spaces, '-', '_', '.', ':' and {{variables}}, and does not start or end with a space, '.' or ':'.")
		return
	}
	for _, m := range amiNameVarRE.FindAllStringSubmatch(name, -1) {
		known := false
		for _, v := range amiNameVars {
			known = known || m[1] == v
		}
		if !known {
			c.fail(param, "The variable '%s' is not known; use {{imagebuilder:buildDate}} or {{imagebuilder:buildVersion}}.", m[1])
			return
		}
	}
	if rest := amiNameVarRE.ReplaceAllString(name, ""); strings.ContainsAny(rest, "{}") {
		c.fail(param, "A '{' or '}' is only part of a {{variable}}, e.g. {{imagebuilder:buildDate}}.")
	}
}

// pattern checks that every value matches re; example is a valid value.
func (c *checker) pattern(param string, values []string, re *regexp.Regexp, example string) {
	for _, v := range values {
		if !re.MatchString(v) {
			c.fail(param, "'%s' does not have the right form, e.g. %s.", v, example)
			return
		}
	}
}

// accounts checks that every id is an account of this server.
func (s *Service) accounts(ctx context.Context, c *checker, param string, ids []string) {
	for _, id := range ids {
		if c.err != nil {
			return
		}
		if !accountRE.MatchString(id) {
			c.fail(param, "The account id '%s' must be 12 digits.", id)
			return
		}
		_, err := s.store.GetAccount(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			c.fail(param, "The account '%s' does not exist on this server; name accounts it has (goldsmith keys list shows them).", id)
		case err != nil:
			c.err = apierr.Service("An internal service error occurred. Try again later.").WithCause(err)
		}
	}
}
