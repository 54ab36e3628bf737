package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/pflag"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/server"
)

// clientFlags locate the Goldsmith API the way the AWS CLI does: flags
// win, then the environment (AWS_ENDPOINT_URL_IMAGEBUILDER,
// AWS_ENDPOINT_URL, AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID...), then
// the shared config and credentials files (endpoint_url, region). Every
// client command uses them.
type clientFlags struct {
	endpoint, profile, region, dataDir string
}

func (f *clientFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.endpoint, "endpoint-url", "", "the Goldsmith API, e.g. http://127.0.0.1:8484 (default: AWS_ENDPOINT_URL_IMAGEBUILDER, AWS_ENDPOINT_URL or the profile's endpoint_url)")
	fs.StringVar(&f.profile, "profile", "", `AWS profile with the access key (default: AWS_PROFILE; else "goldsmith" from DATA_DIR's files when they exist and no AWS credentials are in the environment; else "default")`)
	fs.StringVar(&f.region, "region", "", "region of the server's signatures (default: AWS_REGION or the profile's region)")
	fs.StringVar(&f.dataDir, "data-dir", server.DefaultDataDir(), "where goldsmith serve wrote its credentials file, on the server's machine")
}

// client is a resolved client configuration.
type client struct {
	cfg      aws.Config
	endpoint string
	profile  string // as used, for messages
}

// load resolves the AWS configuration and the endpoint.
func (f *clientFlags) load(ctx context.Context) (*client, error) {
	var opts []func(*config.LoadOptions) error
	profile := f.profile
	if profile == "" && os.Getenv("AWS_PROFILE") == "" && os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		if _, err := os.Stat(filepath.Join(f.dataDir, server.CredentialsFile)); err == nil {
			profile = server.Profile // a local goldsmith serve's own key
		}
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	if profile == server.Profile {
		// DATA_DIR's files come after the user's, which stay in force.
		creds, conf := filepath.Join(f.dataDir, server.CredentialsFile), filepath.Join(f.dataDir, server.ConfigFile)
		if _, err := os.Stat(creds); err == nil {
			opts = append(opts,
				config.WithSharedCredentialsFiles(append(userFiles("AWS_SHARED_CREDENTIALS_FILE", config.DefaultSharedCredentialsFilename()), creds)),
				config.WithSharedConfigFiles(append(userFiles("AWS_CONFIG_FILE", config.DefaultSharedConfigFilename()), conf)))
		}
	}
	if f.region != "" {
		opts = append(opts, config.WithRegion(f.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, invalidf("load the AWS configuration (profile %q): %w", profile, err)
	}
	c := &client{cfg: cfg, endpoint: f.endpoint, profile: profile}
	if c.endpoint == "" {
		c.endpoint = serviceEndpoint(ctx, cfg)
	}
	if c.endpoint == "" {
		return nil, invalidf("where is the Goldsmith server? Give --endpoint-url URL (goldsmith serve prints it), or set AWS_ENDPOINT_URL or endpoint_url in your AWS profile")
	}
	if cfg.Region == "" {
		return nil, invalidf("no region: give --region, set AWS_REGION, or add region to your AWS profile (goldsmith serve prints its region; the default is %s)", server.DefaultRegion)
	}
	c.endpoint = strings.TrimSuffix(c.endpoint, "/")
	return c, nil
}

// userFiles is the user's own shared file list: the environment's, or the
// default file.
func userFiles(env, def string) []string {
	if v := os.Getenv(env); v != "" {
		return []string{v}
	}
	return []string{def}
}

// serviceEndpoint is the endpoint the AWS SDK would use for Image
// Builder: AWS_ENDPOINT_URL_IMAGEBUILDER or the profile's services
// section, else AWS_ENDPOINT_URL or the profile's endpoint_url.
func serviceEndpoint(ctx context.Context, cfg aws.Config) string {
	type serviceEndpoints interface {
		GetServiceBaseEndpoint(ctx context.Context, sdkID string) (string, bool, error)
	}
	for _, src := range cfg.ConfigSources {
		if p, ok := src.(serviceEndpoints); ok {
			if v, found, err := p.GetServiceBaseEndpoint(ctx, "imagebuilder"); err == nil && found && v != "" {
				return v
			}
		}
	}
	return aws.ToString(cfg.BaseEndpoint)
}

// checkBuildARN checks an image build version ARN before asking, with a
// sentence for what is missing.
func checkBuildARN(s string) error {
	a, err := arn.Parse(s)
	if err != nil || a.Type != arn.Image {
		return fmt.Errorf("%q is not an image ARN: give the image build version ARN, such as arn:aws:imagebuilder:%s:123456789012:image/web/1.0.0/1 (aws imagebuilder list-images and list-image-build-versions show them)", s, server.DefaultRegion)
	}
	switch a.Level() {
	case arn.LevelBuild:
	case arn.LevelVersion:
		return fmt.Errorf("%s names an image version, not one build of it: add the build number, such as %s/1 (aws imagebuilder list-image-build-versions --image-version-arn %s lists them)", s, a, a)
	default:
		return fmt.Errorf("%s names no single build: add the version and build number, such as %s/1.0.0/1 (aws imagebuilder list-image-build-versions lists them)", s, a.NameARN())
	}
	return nil
}

// responseError turns a failed API response into a sentence: what went
// wrong and what to check.
func (c *client) responseError(status int, body []byte, what string) error {
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	msg := strings.TrimSpace(e.Message)
	if msg == "" {
		msg = strings.TrimSpace(string(body))
	}
	switch {
	case status == http.StatusNotFound && (e.Type == "" || e.Type == "UnknownOperationException"):
		return fmt.Errorf("%s answers 404 Not Found to %s: is it a Goldsmith server of this version? (check --endpoint-url / AWS_ENDPOINT_URL)", c.endpoint, what)
	case status == http.StatusNotFound:
		return fmt.Errorf("the server has no %s: check the ARN (aws imagebuilder list-images lists them) and that the access key (profile %q) is of the image's account", what, c.profile)
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		return fmt.Errorf("the server refused the request (%s): check the access key (goldsmith keys list on the server; profile %q) and that the region, %s, is the server's (goldsmith serve prints it)", msg, c.profile, c.cfg.Region)
	case msg != "":
		return fmt.Errorf("%s failed: %s (HTTP %d)", what, msg, status)
	}
	return fmt.Errorf("%s failed: HTTP %d", what, status)
}
