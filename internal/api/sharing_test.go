package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

// withComponent is a server with a component of account A.
func withComponent(t *testing.T, name string) (*testBundle, *string) {
	tb := setup(t)
	out := must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(context.Background(), createInput(name, "1.0.0", helloDoc)))
	return tb, out.ComponentBuildVersionArn
}

func TestSharingThroughPolicy(t *testing.T) {
	t.Parallel()
	tb, arn := withComponent(t, "shared")
	ctx := context.Background()

	_, err := tb.b.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: arn})
	wantCode(t, err, "ForbiddenException")
	shared := must[*imagebuilder.ListComponentsOutput](t)(tb.b.ListComponents(ctx, &imagebuilder.ListComponentsInput{Owner: types.OwnershipShared}))
	if len(shared.ComponentVersionList) != 0 {
		t.Fatalf("B sees %+v before sharing", shared.ComponentVersionList)
	}
	_, err = tb.a.GetComponentPolicy(ctx, &imagebuilder.GetComponentPolicyInput{ComponentArn: arn})
	wantCode(t, err, "ResourceNotFoundException")

	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + tb.accountB +
		`:root"]},"Action":["imagebuilder:GetComponent","imagebuilder:ListComponents"],"Resource":["` + aws.ToString(arn) + `"]}]}`
	_, err = tb.b.PutComponentPolicy(ctx, &imagebuilder.PutComponentPolicyInput{ComponentArn: arn, Policy: aws.String(policy)})
	wantCode(t, err, "ForbiddenException")
	_, err = tb.a.PutComponentPolicy(ctx, &imagebuilder.PutComponentPolicyInput{ComponentArn: arn, Policy: aws.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"imagebuilder:DeleteComponent"}]}`)})
	wantCode(t, err, "InvalidParameterValueException")
	must[*imagebuilder.PutComponentPolicyOutput](t)(tb.a.PutComponentPolicy(ctx, &imagebuilder.PutComponentPolicyInput{ComponentArn: arn, Policy: aws.String(policy)}))
	got := must[*imagebuilder.GetComponentPolicyOutput](t)(tb.a.GetComponentPolicy(ctx, &imagebuilder.GetComponentPolicyInput{ComponentArn: arn}))
	if aws.ToString(got.Policy) != policy {
		t.Errorf("policy = %s", aws.ToString(got.Policy))
	}

	c := must[*imagebuilder.GetComponentOutput](t)(tb.b.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: arn}))
	if aws.ToString(c.Component.Owner) != tb.accountA {
		t.Errorf("owner = %s", aws.ToString(c.Component.Owner))
	}
	shared = must[*imagebuilder.ListComponentsOutput](t)(tb.b.ListComponents(ctx, &imagebuilder.ListComponentsInput{Owner: types.OwnershipShared}))
	if len(shared.ComponentVersionList) != 1 {
		t.Fatalf("B sees %+v after sharing", shared.ComponentVersionList)
	}
	self := must[*imagebuilder.ListComponentsOutput](t)(tb.b.ListComponents(ctx, &imagebuilder.ListComponentsInput{}))
	if len(self.ComponentVersionList) != 0 {
		t.Errorf("B's own list shows %+v", self.ComponentVersionList)
	}
	_, err = tb.b.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: arn})
	wantCode(t, err, "ForbiddenException")
	_, err = tb.b.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k": "v"}})
	wantCode(t, err, "ForbiddenException")
}

func TestManagedCatalog(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	list := must[*imagebuilder.ListComponentsOutput](t)(tb.b.ListComponents(ctx, &imagebuilder.ListComponentsInput{Owner: types.OwnershipAmazon}))
	names := map[string]bool{}
	for _, c := range list.ComponentVersionList {
		names[aws.ToString(c.Name)] = true
		if aws.ToString(c.Owner) != "Amazon" || !strings.Contains(aws.ToString(c.Arn), ":aws:component/") {
			t.Errorf("managed component %s owner %s", aws.ToString(c.Arn), aws.ToString(c.Owner))
		}
	}
	if !names["update-linux"] || !names["reboot-test-linux"] {
		t.Fatalf("managed components = %v", names)
	}
	got := must[*imagebuilder.GetComponentOutput](t)(tb.a.GetComponent(ctx, &imagebuilder.GetComponentInput{
		ComponentBuildVersionArn: aws.String("arn:aws:imagebuilder:" + region + ":aws:component/reboot-test-linux/x.x.x")}))
	if got.Component.Type != types.ComponentTypeTest {
		t.Errorf("reboot-test-linux type = %s", got.Component.Type)
	}
	_, err := tb.a.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: got.Component.Arn})
	wantCode(t, err, "ForbiddenException")

	// The managed workflows: one per type, as AWS tooling names them.
	wfs := must[*imagebuilder.ListWorkflowsOutput](t)(tb.b.ListWorkflows(ctx, &imagebuilder.ListWorkflowsInput{Owner: types.OwnershipAmazon}))
	var wfNames []string
	for _, w := range wfs.WorkflowVersionList {
		wfNames = append(wfNames, string(w.Type)+" "+aws.ToString(w.Name))
	}
	if want := []string{"BUILD build-image", "DISTRIBUTION distribute-image", "TEST test-image"}; !slices.Equal(wfNames, want) {
		t.Errorf("managed workflows = %v, want %v", wfNames, want)
	}
	for _, ref := range []string{"build/build-image/x.x.x", "test/test-image/1.0.0", "distribution/distribute-image/1.0.0/1"} {
		w := must[*imagebuilder.GetWorkflowOutput](t)(tb.b.GetWorkflow(ctx, &imagebuilder.GetWorkflowInput{
			WorkflowBuildVersionArn: aws.String("arn:aws:imagebuilder:" + region + ":aws:workflow/" + ref)}))
		if aws.ToString(w.Workflow.Owner) != "Amazon" || !strings.Contains(aws.ToString(w.Workflow.Data), "steps:") {
			t.Errorf("%s: %+v", ref, w.Workflow)
		}
	}
	_, err = tb.a.DeleteWorkflow(ctx, &imagebuilder.DeleteWorkflowInput{WorkflowBuildVersionArn: aws.String("arn:aws:imagebuilder:" + region + ":aws:workflow/build/build-image/1.0.0/1")})
	wantCode(t, err, "ForbiddenException")
}

func TestSignatures(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	status := func(err error) int {
		var re *awshttp.ResponseError
		if ok := asResponseError(err, &re); ok {
			return re.HTTPStatusCode()
		}
		return 0
	}
	for _, tc := range []struct {
		name string
		c    *imagebuilder.Client
		code string
	}{
		{"wrong secret", client(tb.url, tb.keyA.ID, "wrong"), "InvalidSignatureException"},
		{"unknown key", client(tb.url, "AKIAUNKNOWN0000000", "x"), "UnrecognizedClientException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.ListComponents(ctx, &imagebuilder.ListComponentsInput{})
			wantCode(t, err, tc.code)
			if s := status(err); s != http.StatusForbidden {
				t.Errorf("status = %d", s)
			}
		})
	}
	resp, err := http.Post(tb.url+"/ListComponents", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("x-amzn-ErrorType") == "" {
		t.Errorf("unsigned: %d %q", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
	// Revoking a key takes effect at once.
	must[*imagebuilder.ListComponentsOutput](t)(tb.a.ListComponents(ctx, &imagebuilder.ListComponentsInput{}))
	if _, err := tb.store.RevokeAccessKey(ctx, tb.keyA.ID); err != nil {
		t.Fatal(err)
	}
	_, err = tb.a.ListComponents(ctx, &imagebuilder.ListComponentsInput{})
	if s := status(err); s != http.StatusForbidden {
		t.Errorf("revoked key: status %d, err %v", s, err)
	}
}

func TestTagsAndImport(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	ctx := context.Background()
	out := must[*imagebuilder.ImportComponentOutput](t)(tb.a.ImportComponent(ctx, &imagebuilder.ImportComponentInput{
		Name: aws.String("Imported Script"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux,
		Type: types.ComponentTypeTest, Format: types.ComponentFormatShell, Data: aws.String("#!/bin/bash\necho hi\nexit 0\n"),
	}))
	arn := out.ComponentBuildVersionArn
	if !strings.HasSuffix(aws.ToString(arn), ":component/imported-script/1.0.0/1") {
		t.Fatalf("arn = %s", aws.ToString(arn))
	}
	c := must[*imagebuilder.GetComponentOutput](t)(tb.a.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: arn}))
	if c.Component.Type != types.ComponentTypeTest || !strings.Contains(aws.ToString(c.Component.Data), "ExecuteBash") ||
		!strings.Contains(aws.ToString(c.Component.Data), "echo hi") {
		t.Errorf("imported component = %s\n%s", c.Component.Type, aws.ToString(c.Component.Data))
	}
	_, err := tb.a.ImportComponent(ctx, &imagebuilder.ImportComponentInput{Name: aws.String("x-imp"), SemanticVersion: aws.String("1.0.0"),
		Platform: types.PlatformLinux, Type: types.ComponentTypeBuild, Format: "POWERSHELL", Data: aws.String("echo")})
	wantCode(t, err, "InvalidParameterValueException")

	must[*imagebuilder.TagResourceOutput](t)(tb.a.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"a": "1", "b c": "2"}}))
	must[*imagebuilder.UntagResourceOutput](t)(tb.a.UntagResource(ctx, &imagebuilder.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a"}}))
	tags := must[*imagebuilder.ListTagsForResourceOutput](t)(tb.a.ListTagsForResource(ctx, &imagebuilder.ListTagsForResourceInput{ResourceArn: arn}))
	if len(tags.Tags) != 1 || tags.Tags["b c"] != "2" {
		t.Errorf("tags = %v", tags.Tags)
	}
	_, err = tb.a.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"aws:x": "1"}})
	wantCode(t, err, "InvalidParameterException")
	_, err = tb.a.ListTagsForResource(ctx, &imagebuilder.ListTagsForResourceInput{ResourceArn: aws.String(strings.Replace(aws.ToString(arn), "imported-script", "missing", 1))})
	wantCode(t, err, "ResourceNotFoundException")
}

// TestPolicyEvaluation: a resource policy shares exactly what it says, and
// whatever Goldsmith cannot enforce is refused at PutComponentPolicy.
func TestPolicyEvaluation(t *testing.T) {
	t.Parallel()
	tb, arn := withComponent(t, "narrow")
	ctx := context.Background()
	put := func(statements ...string) error {
		_, err := tb.a.PutComponentPolicy(ctx, &imagebuilder.PutComponentPolicyInput{ComponentArn: arn,
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`)})
		return err
	}
	b := `{"AWS":"` + tb.accountB + `"}`
	canGet := func() bool {
		t.Helper()
		_, err := tb.b.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: arn})
		if err != nil {
			wantCode(t, err, "ForbiddenException")
		}
		return err == nil
	}
	listed := func() bool {
		t.Helper()
		l := must[*imagebuilder.ListComponentsOutput](t)(tb.b.ListComponents(ctx, &imagebuilder.ListComponentsInput{Owner: types.OwnershipShared}))
		return len(l.ComponentVersionList) == 1
	}
	canUse := func() bool {
		t.Helper()
		name := fmt.Sprintf("uses-%d", time.Now().UnixNano())
		_, err := tb.b.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String(name), SemanticVersion: aws.String("1.0.0"),
			ParentImage: aws.String("debian-12"), Components: []types.ComponentConfiguration{{ComponentArn: arn}}})
		if err != nil {
			wantCode(t, err, "ForbiddenException")
		}
		return err == nil
	}

	for _, tc := range []struct {
		name                  string
		statements            []string
		get, list, useInRecip bool
	}{
		{"get only: readable and usable, not listed",
			[]string{`{"Effect":"Allow","Principal":` + b + `,"Action":"imagebuilder:GetComponent","Resource":"` + aws.ToString(arn) + `"}`}, true, false, true},
		{"list only: listed, not readable",
			[]string{`{"Effect":"Allow","Principal":` + b + `,"Action":"imagebuilder:List*","Resource":"arn:aws:imagebuilder:*:` + tb.accountA + `:component/narrow/*"}`}, false, true, false},
		{"everyone, B denied",
			[]string{`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:*"}`, `{"Effect":"Deny","Principal":` + b + `,"Action":"imagebuilder:*"}`}, false, false, false},
		{"everyone, listing denied to all",
			[]string{`{"Effect":"Allow","Principal":"*","Action":"imagebuilder:*"}`, `{"Effect":"Deny","Principal":"*","Action":"imagebuilder:ListComponents"}`}, true, false, true},
		{"everyone but B",
			[]string{`{"Effect":"Allow","NotPrincipal":` + b + `,"Action":["imagebuilder:GetComponent","imagebuilder:ListComponents"]}`}, false, false, false},
		{"not action",
			[]string{`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + tb.accountB + `:root"},"NotAction":"imagebuilder:GetComponent"}`}, false, true, false},
		{"deny only",
			[]string{`{"Effect":"Deny","Principal":` + b + `,"Action":"imagebuilder:GetComponent"}`}, false, false, false},
	} {
		if err := put(tc.statements...); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := canGet(); got != tc.get {
			t.Errorf("%s: B can get: %t, want %t", tc.name, got, tc.get)
		}
		if got := listed(); got != tc.list {
			t.Errorf("%s: B lists it: %t, want %t", tc.name, got, tc.list)
		}
		if got := canUse(); got != tc.useInRecip {
			t.Errorf("%s: B can use it in a recipe: %t, want %t", tc.name, got, tc.useInRecip)
		}
		// The owner's own access never depends on the policy.
		must[*imagebuilder.GetComponentOutput](t)(tb.a.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: arn}))
	}

	allowB := `"Effect":"Allow","Principal":` + b + `,"Action":"imagebuilder:GetComponent"`
	for _, tc := range []struct{ name, statement, element string }{
		{"condition", `{` + allowB + `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}`, "Statement[1].Condition"},
		{"unknown element", `{` + allowB + `,"Principals":"*"}`, "Statement[1].Principals"},
		{"service principal", `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"imagebuilder:GetComponent"}`, "Statement[1].Principal.Service"},
		{"federated principal", `{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"imagebuilder:GetComponent"}`, "Statement[1].Principal.Federated"},
		{"iam role", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + tb.accountB + `:role/r"},"Action":"imagebuilder:GetComponent"}`, "Statement[1].Principal.AWS"},
		{"unknown action", `{"Effect":"Allow","Principal":` + b + `,"Action":"imagebuilder:GetComponentt"}`, "Statement[1].Action"},
		{"another resource", `{` + allowB + `,"Resource":"arn:aws:imagebuilder:` + region + `:` + tb.accountA + `:component/other/1.0.0/1"}`, "Statement[1].Resource"},
	} {
		err := put(tc.statement)
		wantCode(t, err, "InvalidParameterValueException")
		if !strings.Contains(err.Error(), "'"+tc.element+"'") {
			t.Errorf("%s: the error does not name %s: %v", tc.name, tc.element, err)
		}
	}
	// A refused policy leaves the last one in force.
	if canGet() || listed() {
		t.Error("a refused policy changed the sharing")
	}
}
