package arn_test

import (
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

const pfx = "arn:aws:imagebuilder:us-east-1:123456789012:"

func TestParseValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		typ     arn.ResourceType
		wt      arn.WorkflowType
		account string
		name    string
		version string
		level   arn.Level
	}{
		{pfx + "component/myexamplecomponent/2019.12.02/1", arn.Component, "", "123456789012", "myexamplecomponent", "2019.12.02/1", arn.LevelBuild},
		{pfx + "component/my_comp-1/1.0.0", arn.Component, "", "123456789012", "my_comp-1", "1.0.0", arn.LevelVersion},
		{pfx + "component/c/1.x.x", arn.Component, "", "123456789012", "c", "1.x.x", arn.LevelWildcard},
		{pfx + "component/c/x.x.x", arn.Component, "", "123456789012", "c", "x.x.x", arn.LevelWildcard},
		{pfx + "component/c", arn.Component, "", "123456789012", "c", "", arn.LevelName},
		{"arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.0.2/1", arn.Component, "", "aws", "update-linux", "1.0.2/1", arn.LevelBuild},
		{"arn:aws:imagebuilder:us-east-1:aws-marketplace:component/vendor-thing/1.0.0/1", arn.Component, "", "aws-marketplace", "vendor-thing", "1.0.0/1", arn.LevelBuild},
		{pfx + "image-recipe/mybasicrecipe/2019.12.03", arn.ImageRecipe, "", "123456789012", "mybasicrecipe", "2019.12.03", arn.LevelVersion},
		{pfx + "image-recipe/r/1.0.x", arn.ImageRecipe, "", "123456789012", "r", "1.0.x", arn.LevelWildcard},
		{pfx + "container-recipe/cr/1.2.3", arn.ContainerRecipe, "", "123456789012", "cr", "1.2.3", arn.LevelVersion},
		{pfx + "infrastructure-configuration/my-infra", arn.InfrastructureConfiguration, "", "123456789012", "my-infra", "", arn.LevelName},
		{pfx + "distribution-configuration/my-dist", arn.DistributionConfiguration, "", "123456789012", "my-dist", "", arn.LevelName},
		{pfx + "image-pipeline/mywindows2016pipeline", arn.ImagePipeline, "", "123456789012", "mywindows2016pipeline", "", arn.LevelName},
		{pfx + "image/mybasicrecipe/2019.12.03/7", arn.Image, "", "123456789012", "mybasicrecipe", "2019.12.03/7", arn.LevelBuild},
		{"arn:aws:imagebuilder:us-east-1:aws:image/debian-12-x86/x.x.x", arn.Image, "", "aws", "debian-12-x86", "x.x.x", arn.LevelWildcard},
		{pfx + "lifecycle-policy/keep-five", arn.LifecyclePolicy, "", "123456789012", "keep-five", "", arn.LevelName},
		{pfx + "workflow/build/build-image/1.0.0/1", arn.Workflow, arn.WorkflowBuild, "123456789012", "build-image", "1.0.0/1", arn.LevelBuild},
		{"arn:aws:imagebuilder:us-east-1:aws:workflow/test/test-image/x.x.x", arn.Workflow, arn.WorkflowTest, "aws", "test-image", "x.x.x", arn.LevelWildcard},
		{pfx + "workflow/distribution/d/2.10.0", arn.Workflow, arn.WorkflowDistribution, "123456789012", "d", "2.10.0", arn.LevelVersion},
		{"arn:aws-cn:imagebuilder:cn-north-1:123456789012:image-pipeline/p", arn.ImagePipeline, "", "123456789012", "p", "", arn.LevelName},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			a, err := arn.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if a.Type != tt.typ || a.WorkflowType != tt.wt || a.Account != tt.account || a.Name != tt.name ||
				a.Version.String() != tt.version || a.Level() != tt.level {
				t.Errorf("Parse = %+v (version %q, level %v)", a, a.Version, a.Level())
			}
			if got := a.String(); got != tt.in {
				t.Errorf("String() = %q, want %q", got, tt.in)
			}
			if a.IsAWSOwned() != (tt.account != "123456789012") {
				t.Errorf("IsAWSOwned = %v", a.IsAWSOwned())
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	const ipv, ivn = apierr.CodeInvalidParameterValueException, apierr.CodeInvalidVersionNumberException
	tests := []struct {
		name, in, code string
	}{
		{"empty", "", ipv},
		{"not an arn", "component/c/1.0.0/1", ipv},
		{"other service", "arn:aws:ec2:us-east-1:123456789012:component/c/1.0.0/1", ipv},
		{"upper-case name", pfx + "component/MyComp/1.0.0/1", ipv},
		{"space in name", pfx + "component/my comp/1.0.0/1", ipv},
		{"short account", "arn:aws:imagebuilder:us-east-1:12345:component/c/1.0.0/1", ipv},
		{"unknown owner", "arn:aws:imagebuilder:us-east-1:amazon:component/c/1.0.0/1", ipv},
		{"unknown type", pfx + "recipe/r/1.0.0", ipv},
		{"unknown workflow type", pfx + "workflow/deploy/w/1.0.0/1", ipv},
		{"workflow without type", pfx + "workflow/w/1.0.0/1", ipv},
		{"two nodes", pfx + "component/c/1.0", ipv},
		{"four nodes", pfx + "component/c/1.0.0.0", ipv},
		{"trailing slash", pfx + "component/c/", ipv},
		{"empty region", "arn:aws:imagebuilder::123456789012:component/c", ipv},
		{"version on infra", pfx + "infrastructure-configuration/i/1.0.0", ipv},
		{"build on recipe", pfx + "image-recipe/r/1.0.0/1", ipv},
		{"inner wildcard", pfx + "component/c/x.2.x", ivn},
		{"middle wildcard", pfx + "component/c/1.x.8", ivn},
		{"wildcard with build", pfx + "component/c/1.x.x/1", ivn},
		{"build zero", pfx + "component/c/1.0.0/0", ivn},
		{"node too large", pfx + "component/c/1073741824.0.0", ivn},
		{"node huge", pfx + "component/c/99999999999999999999999.0.0/1", ivn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := arn.Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tt.in, a)
			}
			if got := apierr.CodeOf(err); got != tt.code {
				t.Errorf("code = %s (%v), want %s", got, err, tt.code)
			}
		})
	}
}

func TestShapeParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		shape arn.Shape
		in    string
		ok    bool
	}{
		{arn.ComponentBuildVersionArn, pfx + "component/c/1.0.0/1", true},
		{arn.ComponentBuildVersionArn, pfx + "component/c/1.0.0", false},
		{arn.ComponentVersionArn, pfx + "component/c/1.0.0", true},
		{arn.ComponentVersionArn, pfx + "component/c/1.x.x", false},
		{arn.ComponentVersionArnOrBuildVersionArn, pfx + "component/c/1.x.x", true},
		{arn.ComponentVersionArnOrBuildVersionArn, pfx + "component/c/1.0.0/3", true},
		{arn.ComponentVersionArnOrBuildVersionArn, pfx + "component/c", false},
		{arn.ComponentVersionArnOrBuildVersionArn, pfx + "image/c/1.0.0/1", false},
		{arn.ImageVersionArnOrBuildVersionArn, pfx + "image/i/x.x.x", true},
		{arn.ImageRecipeArn, pfx + "image-recipe/r/1.0.0", true},
		{arn.ImageRecipeArn, pfx + "image-recipe/r", false},
		{arn.ImageRecipeArn, "arn:aws:imagebuilder:us-east-1:aws-marketplace:image-recipe/r/1.0.0", false},
		{arn.ImagePipelineArn, pfx + "image-pipeline/p", true},
		{arn.LifecyclePolicyArn, pfx + "lifecycle-policy/lp", true},
		{arn.LifecyclePolicyArn, "arn:aws:imagebuilder:local:123456789012:lifecycle-policy/lp", false},
		{arn.WorkflowNameArn, pfx + "workflow/build/w/x.x.x", true},
		{arn.WorkflowNameArn, pfx + "workflow/build/w/1.x.x", false},
		{arn.WorkflowVersionArnOrBuildVersionArn, pfx + "workflow/test/w/1.0.0/2", true},
		{arn.ImageBuilderArn, pfx + "workflow/test/w", true},
	}
	for _, tt := range tests {
		t.Run(tt.shape.Name+"/"+tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := tt.shape.Parse("someArn", tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("Parse err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				want := "The value supplied for parameter 'someArn' is not valid. 'someArn' must match pattern " + tt.shape.Pattern
				if e, _ := apierr.As(err); e == nil || e.Code != apierr.CodeInvalidParameterValueException || e.Message != want {
					t.Errorf("err = %v, want message %q", err, want)
				}
			}
		})
	}
}

// TestShapesWithinImageBuilderArn checks that every value a specific shape
// accepts is also an ImageBuilderArn and decodes back to itself, so Parse
// can serve every shape.
func TestShapesWithinImageBuilderArn(t *testing.T) {
	t.Parallel()
	corpus := []string{
		pfx + "component/c/1.0.0/1", pfx + "component/c/1.0.0", pfx + "component/c/1.x.x",
		"arn:aws:imagebuilder:us-east-1:aws-marketplace:component/c/x.x.x",
		pfx + "image/i/1.0.0/2", pfx + "image/i/1.0.0", pfx + "image/i/x.x.x",
		pfx + "image-recipe/r/1.0.0", pfx + "container-recipe/r/1.x.x",
		pfx + "infrastructure-configuration/i", pfx + "distribution-configuration/d",
		pfx + "image-pipeline/p", pfx + "lifecycle-policy/l",
		pfx + "workflow/build/w/1.0.0/1", pfx + "workflow/test/w/1.0.0", pfx + "workflow/distribution/w/x.x.x",
	}
	if len(arn.Shapes) != 18 {
		t.Errorf("len(Shapes) = %d, want 18", len(arn.Shapes))
	}
	for _, sh := range arn.Shapes {
		matched := 0
		for _, in := range corpus {
			if !sh.Match(in) {
				continue
			}
			matched++
			if !arn.ImageBuilderArn.Match(in) {
				t.Errorf("%s accepts %q but ImageBuilderArn does not", sh.Name, in)
			}
			a, err := sh.Parse("p", in)
			if err != nil || a.String() != in {
				t.Errorf("%s.Parse(%q) = %v, %v", sh.Name, in, a, err)
			}
		}
		if matched == 0 {
			t.Errorf("%s matches nothing in the corpus", sh.Name)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"MyExampleComponent", "myexamplecomponent", true},
		{"Test Config", "test-config", true},
		{"a_b-C", "a_b-c", true},
		{"abc", "abc", true},
		{"ab", "", false},
		{" abc", "", false},
		{"abc ", "", false},
		{"a.b.c", "", false},
		{"naïve", "", false},
		{string(make([]byte, 129)), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := arn.NormalizeName(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("NormalizeName(%q) = %q, %v", tt.in, got, err)
			}
			if err != nil && !apierr.HasCode(err, apierr.CodeInvalidParameterValueException) {
				t.Errorf("code = %s", apierr.CodeOf(err))
			}
		})
	}
	long := make([]byte, 128)
	for i := range long {
		long[i] = 'A'
	}
	if _, err := arn.NormalizeName(string(long)); err != nil {
		t.Errorf("128-char name refused: %v", err)
	}
}

func TestBuildAndReferences(t *testing.T) {
	t.Parallel()
	a := arn.New("us-west-2", "123456789012", arn.Component, "myexamplecomponent").
		WithVersion(arn.MustParseVersion("2019.12.02").WithBuild(1))
	const base = "arn:aws:imagebuilder:us-west-2:123456789012:component/myexamplecomponent"
	if got := a.String(); got != base+"/2019.12.02/1" {
		t.Errorf("String() = %q", got)
	}
	if got := a.VersionARN().String(); got != base+"/2019.12.02" {
		t.Errorf("VersionARN() = %q", got)
	}
	if got := a.NameARN().String(); got != base {
		t.Errorf("NameARN() = %q", got)
	}
	want := arn.VersionReferences{
		LatestVersionArn:      base + "/x.x.x",
		LatestMajorVersionArn: base + "/2019.x.x",
		LatestMinorVersionArn: base + "/2019.12.x",
		LatestPatchVersionArn: base + "/2019.12.02",
	}
	if got := a.References(); got != want {
		t.Errorf("References() = %+v", got)
	}
	if got := a.NameARN().References(); got != (arn.VersionReferences{}) {
		t.Errorf("name-level References() = %+v", got)
	}
	w := arn.NewWorkflow("us-east-1", "aws", arn.WorkflowBuild, "build-image").WithVersion(arn.MustParseVersion("1.0.0/1"))
	if got := w.String(); got != "arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/1.0.0/1" {
		t.Errorf("workflow String() = %q", got)
	}
	if _, err := arn.WorkflowBuildVersionArn.Parse("workflowBuildVersionArn", w.String()); err != nil {
		t.Errorf("built workflow ARN does not match its shape: %v", err)
	}
}
