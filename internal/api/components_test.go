package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

func TestComponentLifecycle(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()

	in := createInput("HelloWorld", "1.0.0", helloDoc)
	in.ClientToken = aws.String("token-1")
	in.Tags = map[string]string{"team": "images"}
	out := must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(ctx, in))
	wantARN := "arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":component/helloworld/1.0.0/1"
	if got := aws.ToString(out.ComponentBuildVersionArn); got != wantARN {
		t.Fatalf("arn = %s, want %s", got, wantARN)
	}
	if got := aws.ToString(out.LatestVersionReferences.LatestMajorVersionArn); !strings.HasSuffix(got, "/helloworld/1.x.x") {
		t.Errorf("latestMajorVersionArn = %s", got)
	}

	// Same token and body: the same answer, no second component.
	again := must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(ctx, in))
	if aws.ToString(again.ComponentBuildVersionArn) != wantARN || aws.ToString(again.ClientToken) != "token-1" {
		t.Fatalf("replay = %s %s", aws.ToString(again.ComponentBuildVersionArn), aws.ToString(again.ClientToken))
	}
	// Same token, other body.
	other := createInput("HelloWorld", "1.0.1", helloDoc)
	other.ClientToken = aws.String("token-1")
	_, err := tb.a.CreateComponent(ctx, other)
	wantCode(t, err, "IdempotentParameterMismatchException")
	// Same version, new token.
	_, err = tb.a.CreateComponent(ctx, createInput("helloworld", "1.0.0", helloDoc))
	wantCode(t, err, "ResourceAlreadyExistsException")

	must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(ctx, createInput("HelloWorld", "1.2.0", helloDoc)))
	must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(ctx, createInput("HelloWorld", "2.0.0", helloDoc)))

	for _, tc := range []struct{ arn, want string }{
		{wantARN, "1.0.0"},
		{strings.TrimSuffix(wantARN, "1.0.0/1") + "1.x.x", "1.2.0"},
		{strings.TrimSuffix(wantARN, "1.0.0/1") + "x.x.x", "2.0.0"},
		{strings.TrimSuffix(wantARN, "/1"), "1.0.0"},
	} {
		got := must[*imagebuilder.GetComponentOutput](t)(tb.a.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String(tc.arn)}))
		c := got.Component
		if aws.ToString(c.Version) != tc.want || aws.ToString(c.Name) != "HelloWorld" || c.Type != types.ComponentTypeBuild {
			t.Errorf("GetComponent(%s) = %s %s %s", tc.arn, aws.ToString(c.Name), aws.ToString(c.Version), c.Type)
		}
		if tc.want == "1.0.0" && (c.Tags["team"] != "images" || len(c.Parameters) != 1 || aws.ToString(c.Data) != helloDoc) {
			t.Errorf("component = tags %v parameters %v", c.Tags, c.Parameters)
		}
	}

	list := must[*imagebuilder.ListComponentsOutput](t)(tb.a.ListComponents(ctx, &imagebuilder.ListComponentsInput{}))
	if n := len(list.ComponentVersionList); n != 3 {
		t.Fatalf("ListComponents: %d versions, want 3", n)
	}
	if got := aws.ToString(list.ComponentVersionList[0].Arn); got != strings.TrimSuffix(wantARN, "/1") {
		t.Errorf("first version arn = %s", got)
	}
	byName := must[*imagebuilder.ListComponentsOutput](t)(tb.a.ListComponents(ctx, &imagebuilder.ListComponentsInput{ByName: true}))
	if n := len(byName.ComponentVersionList); n != 1 || aws.ToString(byName.ComponentVersionList[0].Version) != "2.0.0" {
		t.Errorf("byName = %+v", byName.ComponentVersionList)
	}
	filtered := must[*imagebuilder.ListComponentsOutput](t)(tb.a.ListComponents(ctx, &imagebuilder.ListComponentsInput{
		Filters: []types.Filter{{Name: aws.String("version"), Values: []string{"1.2.0", "2.0.0"}}}}))
	if n := len(filtered.ComponentVersionList); n != 2 {
		t.Errorf("filtered: %d, want 2", n)
	}

	builds := must[*imagebuilder.ListComponentBuildVersionsOutput](t)(tb.a.ListComponentBuildVersions(ctx, &imagebuilder.ListComponentBuildVersionsInput{
		ComponentVersionArn: aws.String(strings.TrimSuffix(wantARN, "/1"))}))
	if n := len(builds.ComponentSummaryList); n != 1 || aws.ToString(builds.ComponentSummaryList[0].Arn) != wantARN {
		t.Errorf("build versions = %+v", builds.ComponentSummaryList)
	}

	// Pagination over three versions, two at a time.
	p := imagebuilder.NewListComponentsPaginator(tb.a, &imagebuilder.ListComponentsInput{MaxResults: aws.Int32(2)})
	var pages, rows int
	for p.HasMorePages() {
		pg := must[*imagebuilder.ListComponentsOutput](t)(p.NextPage(ctx))
		pages++
		rows += len(pg.ComponentVersionList)
	}
	if pages != 2 || rows != 3 {
		t.Errorf("paginated: %d pages, %d rows", pages, rows)
	}
	_, err = tb.a.ListComponents(ctx, &imagebuilder.ListComponentsInput{NextToken: aws.String("bogus")})
	wantCode(t, err, "InvalidPaginationTokenException")

	del := must[*imagebuilder.DeleteComponentOutput](t)(tb.a.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: aws.String(wantARN)}))
	if aws.ToString(del.ComponentBuildVersionArn) != wantARN {
		t.Errorf("deleted %s", aws.ToString(del.ComponentBuildVersionArn))
	}
	_, err = tb.a.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String(wantARN)})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = tb.a.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: aws.String(wantARN)})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestCreateComponentErrors(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	bad := "name: bad\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: S\n        action: NoSuchAction\n"
	withURI := createInput("x-uri", "1.0.0", helloDoc)
	withURI.Uri = aws.String("s3://bucket/doc.yaml")
	onlyURI := createInput("only-uri", "1.0.0", "")
	onlyURI.Data, onlyURI.Uri = nil, aws.String("s3://bucket/doc.yaml")
	dry := createInput("dry", "1.0.0", helloDoc)
	dry.DryRun = true
	for _, tc := range []struct {
		name     string
		in       *imagebuilder.CreateComponentInput
		code     string
		contains string
	}{
		{"bad document", createInput("bad", "1.0.0", bad), "InvalidParameterValueException", "7:17: phases[0].steps[0].action: unknown action"},
		{"yaml syntax", createInput("bad", "1.0.0", "name: [\n"), "InvalidParameterValueException", "not valid"},
		{"data and uri", withURI, "InvalidParameterCombinationException", "exactly one"},
		{"uri refused", onlyURI, "InvalidParameterValueException", "s3://bucket/doc.yaml"},
		{"bad version", createInput("vee", "1.0", helloDoc), "InvalidVersionNumberException", "1.0"},
		{"bad name", createInput("a", "1.0.0", helloDoc), "InvalidParameterValueException", "name"},
		{"too big", createInput("big", "1.0.0", helloDoc+"# "+strings.Repeat("x", 16000)+"\n"), "InvalidParameterValueException", "16000"},
		{"dry run", dry, "DryRunOperationException", "DryRun"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tb.a.CreateComponent(ctx, tc.in)
			wantCode(t, err, tc.code)
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q does not contain %q", err, tc.contains)
			}
		})
	}
	_, err := tb.a.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String("arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":component/nope/1.0.0/1")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = tb.a.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String("arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":component/Nope/1.0.0/1")})
	wantCode(t, err, "InvalidParameterValueException")
	if n := must[*imagebuilder.ListComponentsOutput](t)(tb.a.ListComponents(ctx, &imagebuilder.ListComponentsInput{})); len(n.ComponentVersionList) != 0 {
		t.Errorf("failed creates left components: %+v", n.ComponentVersionList)
	}
}
