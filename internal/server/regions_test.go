package server_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
	"github.com/goldsmith-dev/goldsmith/internal/service"
)

// awsFiles points the AWS shared config at a file with profile eu-site and
// an empty credentials file (not parallel: it sets the environment).
func awsFiles(t *testing.T) {
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(cfg, []byte("[profile eu-site]\nendpoint_url = http://127.0.0.1:9000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
}

// TestRegionsConfig: the sites of the config file are checked at start-up,
// each problem named by its key.
func TestRegionsConfig(t *testing.T) {
	awsFiles(t)
	const head = "region: goldsmith-local-1\nregions:\n"
	for _, tc := range []struct {
		name, body string
		problem    []string // in the error; none: loads
		want       []server.RegionConfig
	}{
		{"two sites", head + "  - {name: eu-site-1, artifacts: s3://images/eu, profile: eu-site, formats: [vmdk, VHDX]}\n  - name: lab-site-1\n    artifacts: /srv/images\n", nil,
			[]server.RegionConfig{{Name: "eu-site-1", Artifacts: "s3://images/eu", Profile: "eu-site", Formats: []string{"vmdk", "VHDX"}}, {Name: "lab-site-1", Artifacts: "/srv/images"}}},
		{"misspelt key", head + "  - {name: eu-site-1, artifacts: /x, formts: [vmdk]}\n", []string{"regions[0].formts", `did you mean "formats"`}, nil},
		{"bad name", head + "  - {name: EU, artifacts: /x}\n", []string{"regions[0].name", "AWS region"}, nil},
		{"no name", head + "  - {artifacts: /x}\n", []string{"regions[0].name is missing"}, nil},
		{"twice", head + "  - {name: eu-site-1, artifacts: /x}\n  - {name: eu-site-1, artifacts: /y}\n", []string{"regions[1].name", "regions[0].name"}, nil},
		{"home region", head + "  - {name: goldsmith-local-1, artifacts: /x}\n", []string{"regions[0].name", "own region"}, nil},
		{"no store", head + "  - {name: eu-site-1}\n", []string{"regions[0].artifacts is missing"}, nil},
		{"bad store", head + "  - {name: eu-site-1, artifacts: \"ftp://host/images\"}\n", []string{"regions[0].artifacts", "neither s3://"}, nil},
		{"bad bucket", head + "  - {name: eu-site-1, artifacts: \"s3://\"}\n", []string{"regions[0].artifacts"}, nil},
		{"profile of a folder", head + "  - {name: eu-site-1, artifacts: /x, profile: eu-site}\n", []string{"regions[0].profile", "s3:// sites"}, nil},
		{"unknown profile", head + "  - {name: eu-site-1, artifacts: s3://images/eu, profile: nope}\n", []string{"regions[0].profile", "[profile nope]"}, nil},
		{"unknown format", head + "  - {name: eu-site-1, artifacts: /x, formats: [vmdx]}\n", []string{"regions[0].formats[0]", `did you mean "vmdk"`}, nil},
		{"two formats in one", head + "  - {name: eu-site-1, artifacts: /x, formats: [\"qcow2,vmdk\"]}\n", []string{"regions[0].formats[0]", "one format per entry"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "goldsmith.yaml")
			if err := os.WriteFile(p, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := server.LoadFile(p)
			if len(tc.problem) > 0 {
				for _, w := range tc.problem {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Fatalf("err = %v, want %q in it", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Regions, tc.want) {
				t.Errorf("regions = %+v, want %+v", got.Regions, tc.want)
			}
		})
	}
}

// TestRegionsCheckAgainstFlags: a --region flag that names a configured
// site is refused, and Sites gives the service each site with its formats
// (qcow2 when none is given).
func TestRegionsCheckAgainstFlags(t *testing.T) {
	t.Parallel()
	regions := []server.RegionConfig{{Name: "eu-site-1", Artifacts: "s3://images/eu", Formats: []string{"VMDK", "vmdk"}}, {Name: "lab-site-1", Artifacts: "/srv/images/"}}
	c := server.File{Regions: regions}.Apply(server.Config{Region: "eu-site-1"})
	if err := c.Check(); err == nil || !strings.Contains(err.Error(), "own region") {
		t.Errorf("--region naming a site: err = %v", err)
	}
	c.Region = "goldsmith-local-1"
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	want := []service.Site{{Name: "eu-site-1", Location: "s3://images/eu", Formats: []string{"vmdk"}}, {Name: "lab-site-1", Location: "/srv/images", Formats: []string{"qcow2"}}}
	if got := c.Sites(); !reflect.DeepEqual(got, want) {
		t.Errorf("Sites() = %+v, want %+v", got, want)
	}
}

// TestRunWithRegions: a server started with configured sites accepts
// distribution configurations to them, through the AWS SDK, and refuses
// other regions.
func TestRunWithRegions(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t, server.Config{Regions: []server.RegionConfig{{Name: "lab-site-1", Artifacts: t.TempDir()}}})
	ctx := context.Background()
	dist := func(name, region string) error {
		_, err := srv.Client.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{
			Name: aws.String(name), Distributions: []types.Distribution{{Region: aws.String(server.DefaultRegion)}, {Region: aws.String(region)}}})
		return err
	}
	if err := dist("lab", "lab-site-1"); err != nil {
		t.Fatal(err)
	}
	if err := dist("elsewhere", "us-east-1"); err == nil || !strings.Contains(err.Error(), "lab-site-1") {
		t.Errorf("us-east-1: err = %v, want a refusal naming the sites", err)
	}
}
