package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/smithy-go"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// TestUnknownMembersAreDropped: members the model does not have, at the
// top or nested, are neither stored nor returned.
func TestUnknownMembersAreDropped(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	body := `{"name":"big","instanceProfileName":"p","clientToken":"t1","bogus":"` + strings.Repeat("x", 30000) +
		`","placement":{"tenancy":"default","extra":{"deep":[1,2,3]}},"logging":{"s3Logs":{"s3BucketName":"b","more":"y"}}}`
	out := must[*imagebuilder.CreateInfrastructureConfigurationOutput](t)(tb.a.CreateInfrastructureConfiguration(ctx,
		&imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("big"), InstanceProfileName: aws.String("p")}, withBody([]byte(body))))
	rec, err := tb.store.Get(ctx, arn.MustParse(aws.ToString(out.InfrastructureConfigurationArn)))
	if err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{"bogus", "extra", "more", "clientToken"} {
		if strings.Contains(string(rec.Data), `"`+member+`"`) {
			t.Errorf("stored data keeps %q: %.200s", member, rec.Data)
		}
	}
	got := must[*imagebuilder.GetInfrastructureConfigurationOutput](t)(tb.a.GetInfrastructureConfiguration(ctx,
		&imagebuilder.GetInfrastructureConfigurationInput{InfrastructureConfigurationArn: out.InfrastructureConfigurationArn}))
	ic := got.InfrastructureConfiguration
	if ic.Placement == nil || ic.Placement.Tenancy != types.TenancyTypeDefault || ic.Logging == nil ||
		aws.ToString(ic.Logging.S3Logs.S3BucketName) != "b" || !aws.ToBool(ic.TerminateInstanceOnFailure) {
		t.Errorf("known members lost: %+v", ic)
	}
	if len(rec.Data) > 1000 {
		t.Errorf("stored %d bytes for a small configuration", len(rec.Data))
	}
}

// TestMemberTypesAndNestedValidation: a member of the wrong JSON type is a
// SerializationException naming it; nested members are checked against
// the model's enums and ranges.
func TestMemberTypesAndNestedValidation(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	dist := &imagebuilder.CreateDistributionConfigurationInput{Name: aws.String("d"),
		Distributions: []types.Distribution{{Region: aws.String(region)}}}
	for _, tc := range []struct{ body, member string }{
		{`{"name":"d","clientToken":"t","distributions":[{"region":"r","amiDistributionConfiguration":{"name":5}}]}`, "distributions.amiDistributionConfiguration.name"},
		{`{"name":"d","clientToken":"t","distributions":{"region":"r"}}`, "distributions"},
		{`{"name":"d","clientToken":"t","distributions":[{"region":"r","launchTemplateConfigurations":[{"launchTemplateId":"lt","setDefaultVersion":"yes"}]}]}`, "distributions.launchTemplateConfigurations.setDefaultVersion"},
		{`{"name":["d"],"clientToken":"t","distributions":[{"region":"r"}]}`, "name"},
	} {
		_, err := tb.a.CreateDistributionConfiguration(ctx, dist, withBody([]byte(tc.body)))
		wantCode(t, err, "SerializationException")
		var ae smithy.APIError
		if errors.As(err, &ae) && !strings.Contains(ae.ErrorMessage(), "'"+tc.member+"'") {
			t.Errorf("%s: message %q does not name %s", tc.body, ae.ErrorMessage(), tc.member)
		}
	}

	comp := must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(ctx, createInput("hello", "1.0.0", helloDoc)))
	infra := must[*imagebuilder.CreateInfrastructureConfigurationOutput](t)(tb.a.CreateInfrastructureConfiguration(ctx,
		&imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("okay"), InstanceProfileName: aws.String("p")}))
	recipe := must[*imagebuilder.CreateImageRecipeOutput](t)(tb.a.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
		Name: aws.String("rec"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String("debian-12"),
		Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn}}}))
	for _, tc := range []struct {
		name, member string
		call         func() error
	}{
		{"volume type", "blockDeviceMappings.ebs.volumeType", func() error {
			_, err := tb.a.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("rec2"), SemanticVersion: aws.String("1.0.0"),
				ParentImage: aws.String("debian-12"), BlockDeviceMappings: []types.InstanceBlockDeviceMapping{{Ebs: &types.EbsInstanceBlockDeviceSpecification{VolumeType: "fast"}}}})
			return err
		}},
		{"volume size", "blockDeviceMappings.ebs.volumeSize", func() error {
			_, err := tb.a.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("rec2"), SemanticVersion: aws.String("1.0.0"),
				ParentImage: aws.String("debian-12"), BlockDeviceMappings: []types.InstanceBlockDeviceMapping{{Ebs: &types.EbsInstanceBlockDeviceSpecification{VolumeSize: aws.Int32(20000)}}}})
			return err
		}},
		{"http tokens", "instanceMetadataOptions.httpTokens", func() error {
			_, err := tb.a.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("infra2"),
				InstanceProfileName: aws.String("p"), InstanceMetadataOptions: &types.InstanceMetadataOptions{HttpTokens: aws.String("sometimes")}})
			return err
		}},
		{"s3 export format", "distributions.s3ExportConfiguration.diskImageFormat", func() error {
			_, err := tb.a.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{Name: aws.String("dist2"),
				Distributions: []types.Distribution{{Region: aws.String(region), S3ExportConfiguration: &types.S3ExportConfiguration{
					RoleName: aws.String("r"), S3Bucket: aws.String("b"), DiskImageFormat: "FOO"}}}})
			return err
		}},
		{"ssm data type", "distributions.ssmParameterConfigurations.dataType", func() error {
			_, err := tb.a.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{Name: aws.String("dist2"),
				Distributions: []types.Distribution{{Region: aws.String(region), SsmParameterConfigurations: []types.SsmParameterConfiguration{
					{ParameterName: aws.String("p"), DataType: "binary"}}}}})
			return err
		}},
		{"workflow on failure", "workflows.onFailure", func() error {
			_, err := tb.a.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("pipe"), ImageRecipeArn: recipe.ImageRecipeArn,
				InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn,
				Workflows:                      []types.WorkflowConfiguration{{WorkflowArn: aws.String("arn:aws:imagebuilder:" + region + ":aws:workflow/build/build-image/x.x.x"), OnFailure: "MAYBE"}}})
			return err
		}},
		{"pipeline status", "status", func() error {
			_, err := tb.a.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("pipe"), ImageRecipeArn: recipe.ImageRecipeArn,
				InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn, Status: "PAUSED"})
			return err
		}},
		{"test timeout", "imageTestsConfiguration.timeoutMinutes", func() error {
			_, err := tb.a.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("pipe"), ImageRecipeArn: recipe.ImageRecipeArn,
				InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn, ImageTestsConfiguration: &types.ImageTestsConfiguration{TimeoutMinutes: aws.Int32(5)}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, "InvalidParameterValueException")
			var ae smithy.APIError
			if errors.As(err, &ae) && !strings.Contains(ae.ErrorMessage(), "'"+tc.member+"'") {
				t.Errorf("message %q does not name %s", ae.ErrorMessage(), tc.member)
			}
		})
	}
}

// TestDataOfThePreviousVersionLoads: records the previous version stored
// (the client's JSON object as given, unknown members and all) still load.
func TestDataOfThePreviousVersionLoads(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	a := arn.New(region, tb.accountA, arn.InfrastructureConfiguration, "old")
	old := map[string]any{"arn": a.String(), "name": "old", "instanceProfileName": "p", "terminateInstanceOnFailure": true,
		"instanceTypes": "t3.micro", // a wrong type the previous version kept
		"bogus":         strings.Repeat("x", 2<<20), "dateCreated": "2026-01-01T00:00:00.000Z"}
	data, _ := json.Marshal(old)
	if _, err := tb.store.Put(ctx, store.Record{ARN: a, Owner: tb.accountA, Attrs: map[string][]string{"name": {"old"}}, Data: data}); err != nil {
		t.Fatal(err)
	}
	got := must[*imagebuilder.GetInfrastructureConfigurationOutput](t)(tb.a.GetInfrastructureConfiguration(ctx,
		&imagebuilder.GetInfrastructureConfigurationInput{InfrastructureConfigurationArn: aws.String(a.String())}))
	if aws.ToString(got.InfrastructureConfiguration.InstanceProfileName) != "p" || aws.ToString(got.InfrastructureConfiguration.DateCreated) == "" {
		t.Errorf("old configuration: %+v", got.InfrastructureConfiguration)
	}
	// An update stores it in the new form, without the unknown member.
	must[*imagebuilder.UpdateInfrastructureConfigurationOutput](t)(tb.a.UpdateInfrastructureConfiguration(ctx, &imagebuilder.UpdateInfrastructureConfigurationInput{
		InfrastructureConfigurationArn: aws.String(a.String()), InstanceProfileName: aws.String("q")}))
	rec, err := tb.store.Get(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(rec.Data), "bogus") || !strings.Contains(string(rec.Data), `"name":"old"`) {
		t.Errorf("updated record: %.300s", rec.Data)
	}
}

// TestListPagesAreBounded: a page of records holding more than
// service.MaxListBytes (as the previous version could store) ends early
// with a nextToken, and the next page goes on from there.
func TestListPagesAreBounded(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	for _, name := range []string{"a", "b", "c"} {
		a := arn.New(region, tb.accountA, arn.InfrastructureConfiguration, name)
		data, _ := json.Marshal(map[string]any{"arn": a.String(), "name": name, "instanceProfileName": "p", "bogus": strings.Repeat("x", 3<<20)})
		if _, err := tb.store.Put(ctx, store.Record{ARN: a, Owner: tb.accountA, Attrs: map[string][]string{"name": {name}}, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var token *string
	for pages := 0; ; pages++ {
		out := must[*imagebuilder.ListInfrastructureConfigurationsOutput](t)(tb.a.ListInfrastructureConfigurations(ctx,
			&imagebuilder.ListInfrastructureConfigurationsInput{NextToken: token}))
		if len(out.InfrastructureConfigurationSummaryList) != 1 {
			t.Fatalf("page %d has %d rows of 3 MiB each, want 1", pages, len(out.InfrastructureConfigurationSummaryList))
		}
		names = append(names, aws.ToString(out.InfrastructureConfigurationSummaryList[0].Name))
		if token = out.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Errorf("pages = %v", names)
	}
	_, err := tb.a.ListInfrastructureConfigurations(ctx, &imagebuilder.ListInfrastructureConfigurationsInput{MaxResults: aws.Int32(26)})
	wantCode(t, err, "InvalidParameterValueException")
}

// TestListImagePackagesMemberTypes: ListImagePackages decodes its request
// like every other operation: a member of the wrong JSON type is a
// SerializationException naming it, not silently read as absent (a
// maxResults of "abc" used to list with the default page size, an
// imageBuildVersionArn of 5 was reported as missing).
func TestListImagePackagesMemberTypes(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	image := "arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":image/img/1.0.0/1"
	in := &imagebuilder.ListImagePackagesInput{ImageBuildVersionArn: aws.String(image)}
	for _, tc := range []struct{ body, member string }{
		{`{"imageBuildVersionArn":"` + image + `","maxResults":"abc"}`, "maxResults"},
		{`{"imageBuildVersionArn":"` + image + `","maxResults":1.5}`, "maxResults"},
		{`{"imageBuildVersionArn":"` + image + `","nextToken":5}`, "nextToken"},
		{`{"imageBuildVersionArn":5}`, "imageBuildVersionArn"},
	} {
		_, err := tb.a.ListImagePackages(ctx, in, withBody([]byte(tc.body)))
		wantCode(t, err, "SerializationException")
		var ae smithy.APIError
		if errors.As(err, &ae) && !strings.Contains(ae.ErrorMessage(), "'"+tc.member+"'") {
			t.Errorf("%s: message %q does not name %s", tc.body, ae.ErrorMessage(), tc.member)
		}
	}
}
