package server_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

const cliAWS = "/usr/bin/aws" // Debian's awscli; another aws may shadow it on PATH

// TestAWSCLI drives a running server with the real AWS CLI, using request
// files in the style of the CLI's imagebuilder examples.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(cliAWS); err != nil {
		testneed.Missing(t, "the AWS CLI is not installed at /usr/bin/aws (Debian package awscli): run scripts/setup-test.sh")
	}
	srv := servertest.Start(t, server.Config{Regions: []server.RegionConfig{{Name: "eu-site-1", Artifacts: t.TempDir()}}})
	dir, endpoint := srv.DataDir, srv.Endpoint
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return "file://" + p
	}
	aws := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(cliAWS, append([]string{"--profile", server.Profile, "--endpoint-url", endpoint, "--output", "json", "imagebuilder"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, server.CredentialsFile),
			"AWS_CONFIG_FILE="+filepath.Join(dir, server.ConfigFile), "AWS_PAGER=", "HOME="+dir)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		res := map[string]any{}
		if len(strings.TrimSpace(string(b))) > 0 {
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatalf("aws %s: %v\n%s", args[0], err, b)
			}
		}
		return res
	}
	doc := write("component.yaml", "name: hello\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Hello\n        action: ExecuteBash\n        inputs:\n          commands:\n            - echo hello\n")
	data, _ := os.ReadFile(strings.TrimPrefix(doc, "file://"))
	compReq, _ := json.Marshal(map[string]any{"name": "MyExampleComponent", "semanticVersion": "2019.12.02", "platform": "Linux",
		"description": "An example component", "data": string(data), "tags": map[string]string{"team": "images"}})
	comp := aws("create-component", "--cli-input-json", write("component.json", string(compReq)))
	compARN := comp["componentBuildVersionArn"].(string)
	if !strings.HasSuffix(compARN, ":component/myexamplecomponent/2019.12.02/1") {
		t.Fatalf("component arn %s", compARN)
	}
	recipe := aws("create-image-recipe", "--cli-input-json", write("recipe.json", `{
    "name": "MyBasicRecipe",
    "semanticVersion": "2019.12.03",
    "parentImage": "debian-12",
    "components": [{"componentArn": "`+strings.TrimSuffix(compARN, "/1")+`"}]
}`))
	infra := aws("create-infrastructure-configuration", "--cli-input-json", write("infra.json", `{
    "name": "MyExampleInfrastructure",
    "description": "An example Infrastructure Configuration",
    "instanceTypes": ["m5.large", "m5.xlarge"],
    "instanceProfileName": "EC2InstanceProfileForImageBuilder",
    "terminateInstanceOnFailure": true
}`))
	account := strings.Split(compARN, ":")[4]
	// In the style of the AWS CLI's create-distribution-configuration
	// example: two regions (here the home site and a configured one).
	dist := aws("create-distribution-configuration", "--cli-input-json", write("dist.json", `{
    "name": "MyDistributionConfiguration",
    "description": "Copies the image to eu-site-1",
    "distributions": [
        {
            "region": "goldsmith-local-1",
            "amiDistributionConfiguration": {
                "name": "Name {{imagebuilder:buildDate}}",
                "description": "An example image name with parameter references",
                "amiTags": {"KeyName": "Value"},
                "launchPermission": {"userIds": ["`+account+`"]}
            }
        },
        {
            "region": "eu-site-1",
            "amiDistributionConfiguration": {
                "name": "My {{imagebuilder:buildVersion}} image {{imagebuilder:buildDate}}",
                "amiTags": {"KeyName": "Value"},
                "launchPermission": {"userIds": ["`+account+`"]}
            }
        }
    ]
}`))
	gotDist := aws("get-distribution-configuration", "--distribution-configuration-arn", dist["distributionConfigurationArn"].(string))
	if n := len(gotDist["distributionConfiguration"].(map[string]any)["distributions"].([]any)); n != 2 {
		t.Errorf("get-distribution-configuration: %d distributions, want 2", n)
	}
	pipe := aws("create-image-pipeline", "--cli-input-json", write("pipe.json", `{
    "name": "MyWindows2016Pipeline",
    "imageRecipeArn": "`+recipe["imageRecipeArn"].(string)+`",
    "infrastructureConfigurationArn": "`+infra["infrastructureConfigurationArn"].(string)+`",
    "distributionConfigurationArn": "`+dist["distributionConfigurationArn"].(string)+`",
    "imageTestsConfiguration": {"imageTestsEnabled": true, "timeoutMinutes": 60},
    "schedule": {"scheduleExpression": "cron(0 0 * * SUN *)", "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"},
    "status": "ENABLED"
}`))
	for _, op := range []string{"list-components", "list-image-recipes", "list-infrastructure-configurations", "list-distribution-configurations", "list-image-pipelines"} {
		res := aws(op)
		for k, v := range res {
			if l, ok := v.([]any); ok && len(l) != 1 {
				t.Errorf("%s: %s has %d entries", op, k, len(l))
			}
		}
	}
	if n := len(aws("list-components", "--owner", "Amazon")["componentVersionList"].([]any)); n == 0 {
		t.Error("no Amazon-owned components")
	}
	got := aws("get-component", "--component-build-version-arn", compARN)
	if got["component"].(map[string]any)["name"] != "MyExampleComponent" {
		t.Errorf("get-component = %v", got)
	}
	aws("get-image-pipeline", "--image-pipeline-arn", pipe["imagePipelineArn"].(string))
	aws("tag-resource", "--resource-arn", compARN, "--tags", "env=test")
	tags := aws("list-tags-for-resource", "--resource-arn", compARN)["tags"].(map[string]any)
	if tags["env"] != "test" || tags["team"] != "images" {
		t.Errorf("tags = %v", tags)
	}
	aws("untag-resource", "--resource-arn", compARN, "--tag-keys", "env")
	aws("delete-image-pipeline", "--image-pipeline-arn", pipe["imagePipelineArn"].(string))
	aws("delete-image-recipe", "--image-recipe-arn", recipe["imageRecipeArn"].(string))
	aws("delete-infrastructure-configuration", "--infrastructure-configuration-arn", infra["infrastructureConfigurationArn"].(string))
	aws("delete-distribution-configuration", "--distribution-configuration-arn", dist["distributionConfigurationArn"].(string))
	aws("delete-component", "--component-build-version-arn", compARN)
}
