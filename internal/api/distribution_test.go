package api_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/smithy-go"

	"github.com/goldsmith-dev/goldsmith/internal/service"
)

// distSites are the test server's sites besides its home region.
var distSites = []service.Site{
	{Name: "eu-site-1", Location: "s3://images/eu", Formats: []string{"vmdk"}},
	{Name: "lab-site-1", Location: "/srv/images", Formats: []string{"qcow2"}},
}

// amiDist is a distribution to region with AMI settings a.
func amiDist(region string, a *types.AmiDistributionConfiguration) types.Distribution {
	return types.Distribution{Region: aws.String(region), AmiDistributionConfiguration: a}
}

// TestDistributionConfigurationRefusals: every member that needs the
// server's sites or accounts, or has a shape the model defines, is
// checked; the refusal names the member and the offending value.
func TestDistributionConfigurationRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := setupConfig(t, service.Config{Sites: distSites})
	const (
		nameParam = "distributions.amiDistributionConfiguration.name"
		lpParam   = "distributions.amiDistributionConfiguration.launchPermission"
		s3Param   = "distributions.s3ExportConfiguration"
		repoParam = "distributions.containerDistributionConfiguration.targetRepository"
	)
	export := func(format types.DiskImageFormat, bucket string) []types.Distribution {
		return []types.Distribution{{Region: aws.String("eu-site-1"), S3ExportConfiguration: &types.S3ExportConfiguration{
			RoleName: aws.String("role"), DiskImageFormat: format, S3Bucket: aws.String(bucket)}}}
	}
	repo := func(service types.ContainerRepositoryService, name string) []types.Distribution {
		return []types.Distribution{{Region: aws.String(region), ContainerDistributionConfiguration: &types.ContainerDistributionConfiguration{
			TargetRepository: &types.TargetContainerRepository{Service: service, RepositoryName: aws.String(name)}}}}
	}
	for _, tc := range []struct {
		name, member string
		want         []string // in the message
		dists        []types.Distribution
	}{
		{"unknown region", "distributions.region", []string{"'us-east-1'", region + ", eu-site-1, lab-site-1"},
			[]types.Distribution{{Region: aws.String("us-east-1")}}},
		{"near-miss region", "distributions.region", []string{"'eu-site-2'", `did you mean "eu-site-1"`},
			[]types.Distribution{{Region: aws.String(region)}, {Region: aws.String("eu-site-2")}}},
		{"region twice", "distributions.region", []string{"'lab-site-1' is listed twice"},
			[]types.Distribution{{Region: aws.String("lab-site-1")}, {Region: aws.String("lab-site-1")}}},
		{"unknown name variable", nameParam, []string{"'imagebuilder:buildTime'"},
			[]types.Distribution{amiDist(region, &types.AmiDistributionConfiguration{Name: aws.String("app-{{imagebuilder:buildTime}}")})}},
		{"stray brace in name", nameParam, []string{"{{variable}}"},
			[]types.Distribution{amiDist(region, &types.AmiDistributionConfiguration{Name: aws.String("app-{oops")})}},
		{"name characters", nameParam, []string{"letters, digits"},
			[]types.Distribution{amiDist(region, &types.AmiDistributionConfiguration{Name: aws.String("app/$1")})}},
		{"short target account", "distributions.amiDistributionConfiguration.targetAccountIds", []string{"'123'", "12 digits"},
			[]types.Distribution{amiDist(region, &types.AmiDistributionConfiguration{TargetAccountIds: []string{"123"}})}},
		{"unknown target account", "distributions.amiDistributionConfiguration.targetAccountIds", []string{"'999999999999' does not exist"},
			[]types.Distribution{amiDist(region, &types.AmiDistributionConfiguration{TargetAccountIds: []string{tb.accountB, "999999999999"}})}},
		{"unknown user id", lpParam + ".userIds", []string{"'999999999999' does not exist"},
			[]types.Distribution{amiDist("eu-site-1", &types.AmiDistributionConfiguration{LaunchPermission: &types.LaunchPermissionConfiguration{UserIds: []string{"999999999999"}}})}},
		{"unknown group", lpParam + ".userGroups", []string{"'everyone'", "'all'"},
			[]types.Distribution{amiDist(region, &types.AmiDistributionConfiguration{LaunchPermission: &types.LaunchPermissionConfiguration{UserGroups: []string{"everyone"}}})}},
		{"organization arn", lpParam + ".organizationArns", []string{"arn:aws:organizations::1:organization/x"},
			[]types.Distribution{amiDist(region, &types.AmiDistributionConfiguration{LaunchPermission: &types.LaunchPermissionConfiguration{OrganizationArns: []string{"arn:aws:organizations::1:organization/x"}}})}},
		{"organizational unit arn", lpParam + ".organizationalUnitArns", []string{"ou-x"},
			[]types.Distribution{amiDist(region, &types.AmiDistributionConfiguration{LaunchPermission: &types.LaunchPermissionConfiguration{OrganizationalUnitArns: []string{"ou-x"}}})}},
		{"disk format", s3Param + ".diskImageFormat", []string{"VMDK", "QCOW2"}, export("FOO", "images")},
		{"no bucket", s3Param + ".s3Bucket", []string{"required"}, export("VMDK", "")},
		{"bucket name", s3Param + ".s3Bucket", []string{"'Bad_Bucket'"}, export("RAW", "Bad_Bucket")},
		{"repository service", repoParam + ".service", []string{"ECR"}, repo("DOCKERHUB", "app")},
		{"repository name", repoParam + ".repositoryName", []string{"'Bad Name'"}, repo(types.ContainerRepositoryServiceEcr, "Bad Name")},
	} {
		t.Run(tc.name, func(t *testing.T) { // not parallel: the list below comes after them
			_, err := tb.a.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{
				Name: aws.String("refused"), Distributions: tc.dists})
			wantRefusal(t, err, tc.member, tc.want...)
		})
	}
	list := must[*imagebuilder.ListDistributionConfigurationsOutput](t)(tb.a.ListDistributionConfigurations(ctx, &imagebuilder.ListDistributionConfigurationsInput{}))
	if n := len(list.DistributionConfigurationSummaryList); n != 0 {
		t.Errorf("%d distribution configurations stored after refusals, want 0", n)
	}
}

// wantRefusal checks that err is an InvalidParameterValueException naming
// member and containing every want.
func wantRefusal(t *testing.T, err error, member string, want ...string) {
	t.Helper()
	wantCode(t, err, "InvalidParameterValueException")
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return
	}
	for _, w := range append([]string{"'" + member + "'"}, want...) {
		if !strings.Contains(ae.ErrorMessage(), w) {
			t.Errorf("message %q does not contain %q", ae.ErrorMessage(), w)
		}
	}
}

// TestDistributionConfigurationToSites: a configuration naming the home
// region and two configured sites, with every checked member valid, is
// stored as given; an update naming an unknown site is refused and leaves
// it as it was.
func TestDistributionConfigurationToSites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := setupConfig(t, service.Config{Sites: distSites})
	ami := &types.AmiDistributionConfiguration{
		Name:             aws.String("app {{ imagebuilder:buildDate }}-{{imagebuilder:buildVersion}}"),
		TargetAccountIds: []string{tb.accountB},
		LaunchPermission: &types.LaunchPermissionConfiguration{
			UserIds: []string{tb.accountA, tb.accountB}, UserGroups: []string{"all"},
			OrganizationArns:       []string{"arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5"},
			OrganizationalUnitArns: []string{"arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56"},
		},
	}
	dists := []types.Distribution{
		amiDist(region, ami),
		{Region: aws.String("eu-site-1"), AmiDistributionConfiguration: ami, S3ExportConfiguration: &types.S3ExportConfiguration{
			RoleName: aws.String("vmimport"), DiskImageFormat: "QCOW2", S3Bucket: aws.String("eu-images.example"), S3Prefix: aws.String("exports/")}},
		{Region: aws.String("lab-site-1"), S3ExportConfiguration: &types.S3ExportConfiguration{
			RoleName: aws.String("vmimport"), DiskImageFormat: "VHDX", S3Bucket: aws.String("lab-images")},
			ContainerDistributionConfiguration: &types.ContainerDistributionConfiguration{
				TargetRepository: &types.TargetContainerRepository{Service: types.ContainerRepositoryServiceEcr, RepositoryName: aws.String("team/app")}}},
	}
	out := must[*imagebuilder.CreateDistributionConfigurationOutput](t)(tb.a.CreateDistributionConfiguration(ctx,
		&imagebuilder.CreateDistributionConfigurationInput{Name: aws.String("sites"), Distributions: dists}))
	_, err := tb.a.UpdateDistributionConfiguration(ctx, &imagebuilder.UpdateDistributionConfigurationInput{
		DistributionConfigurationArn: out.DistributionConfigurationArn,
		Distributions:                []types.Distribution{{Region: aws.String("ap-site-9")}}})
	wantRefusal(t, err, "distributions.region", "'ap-site-9'")
	got := must[*imagebuilder.GetDistributionConfigurationOutput](t)(tb.a.GetDistributionConfiguration(ctx,
		&imagebuilder.GetDistributionConfigurationInput{DistributionConfigurationArn: out.DistributionConfigurationArn})).DistributionConfiguration
	var regions []string
	for _, d := range got.Distributions {
		regions = append(regions, aws.ToString(d.Region))
	}
	if strings.Join(regions, ",") != region+",eu-site-1,lab-site-1" {
		t.Fatalf("regions = %v", regions)
	}
	if f := got.Distributions[2].S3ExportConfiguration.DiskImageFormat; f != "VHDX" {
		t.Errorf("lab-site-1 diskImageFormat = %q, want VHDX", f)
	}
	if n := aws.ToString(got.Distributions[1].AmiDistributionConfiguration.Name); n != aws.ToString(ami.Name) {
		t.Errorf("eu-site-1 AMI name = %q, want the template as given", n)
	}
	if ids := got.Distributions[0].AmiDistributionConfiguration.LaunchPermission.UserIds; len(ids) != 2 {
		t.Errorf("userIds = %v, want both accounts", ids)
	}
}

// TestDistributionConfigurationWithoutSites: a server with no configured
// sites distributes to its own region only.
func TestDistributionConfigurationWithoutSites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := setup(t)
	must[*imagebuilder.CreateDistributionConfigurationOutput](t)(tb.a.CreateDistributionConfiguration(ctx,
		&imagebuilder.CreateDistributionConfigurationInput{Name: aws.String("home"), Distributions: []types.Distribution{{Region: aws.String(region)}}}))
	_, err := tb.a.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{
		Name: aws.String("away"), Distributions: []types.Distribution{{Region: aws.String("eu-site-1")}}})
	wantRefusal(t, err, "distributions.region", "'eu-site-1'", "its sites are "+region+" (")
}
