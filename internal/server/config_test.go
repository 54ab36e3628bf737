package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

const (
	cfgAccount = "123456789012"
	cfgKey     = "AKIACONFIGKEY0000001"
	cfgSecret  = "configured-secret-0123456789"
)

func TestLoadFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, problem string
		want                server.File
	}{
		{"yaml", "listen: 127.0.0.1:9000\ndataDir: /d\npostgres: postgres://x\nregion: eu-local-2\naccounts:\n  - id: \"" + cfgAccount + "\"\n    name: ops\n    keys:\n      - {accessKeyId: " + cfgKey + ", secretAccessKey: " + cfgSecret + "}\n", "",
			server.File{Listen: "127.0.0.1:9000", DataDir: "/d", Postgres: "postgres://x", Region: "eu-local-2", Accounts: []server.AccountConfig{
				{ID: cfgAccount, Name: "ops", Keys: []server.KeyConfig{{AccessKeyID: cfgKey, SecretAccessKey: cfgSecret}}}}}},
		{"json", `{"listen": ":1", "region": "goldsmith-local-1", "accounts": [{"id": "` + cfgAccount + `"}]}`, "",
			server.File{Listen: ":1", Region: "goldsmith-local-1", Accounts: []server.AccountConfig{{ID: cfgAccount}}}},
		{"empty", "", "", server.File{}},
		{"unknown member", "listn: x\n", "listn", server.File{}},
		{"bad region", "region: local\n", "region", server.File{}},
		{"bad account", "accounts:\n  - id: \"12\"\n", "accounts[0].id", server.File{}},
		{"duplicate account", "accounts:\n  - id: \"" + cfgAccount + "\"\n  - id: \"" + cfgAccount + "\"\n", "twice", server.File{}},
		{"bad key id", "accounts:\n  - id: \"" + cfgAccount + "\"\n    keys: [{accessKeyId: short, secretAccessKey: " + cfgSecret + "}]\n", "accessKeyId", server.File{}},
		{"short secret", "accounts:\n  - id: \"" + cfgAccount + "\"\n    keys: [{accessKeyId: " + cfgKey + ", secretAccessKey: abc}]\n", "secretAccessKey", server.File{}},
		{"not yaml", "listen: [\n", "config file", server.File{}},
		{"http", "http: {maxConnections: 10, readHeaderTimeout: 5s, readTimeout: 30s, writeTimeout: 1m, idleTimeout: 90s}\n", "",
			server.File{HTTP: server.HTTPConfig{MaxConnections: 10, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
				WriteTimeout: time.Minute, IdleTimeout: 90 * time.Second}}},
		{"negative connections", "http: {maxConnections: -1}\n", "maxConnections", server.File{}},
		{"negative timeout", "http: {idleTimeout: -1s}\n", "idleTimeout", server.File{}},
		{"bad duration", "http: {idleTimeout: soon}\n", `invalid duration "soon"`, server.File{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "goldsmith.yaml")
			if err := os.WriteFile(p, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := server.LoadFile(p)
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("err = %v, want %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Listen != tc.want.Listen || got.DataDir != tc.want.DataDir || got.Postgres != tc.want.Postgres || got.Region != tc.want.Region ||
				got.HTTP != tc.want.HTTP || len(got.Accounts) != len(tc.want.Accounts) || (len(got.Accounts) > 0 && (got.Accounts[0].ID != tc.want.Accounts[0].ID || len(got.Accounts[0].Keys) != len(tc.want.Accounts[0].Keys))) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestFileApplyFlagsWin(t *testing.T) {
	t.Parallel()
	f := server.File{Listen: "file:1", DataDir: "/file", Postgres: "postgres://file", Region: "file-local-1", Accounts: []server.AccountConfig{{ID: cfgAccount}}}
	for _, tc := range []struct {
		name  string
		flags server.Config
		want  server.Config
	}{
		{"file only", server.Config{}, server.Config{Listen: "file:1", DataDir: "/file", PostgresURL: "postgres://file", Region: "file-local-1"}},
		{"flags win", server.Config{Listen: "flag:2", DataDir: "/flag", Region: "flag-local-1"},
			server.Config{Listen: "flag:2", DataDir: "/flag", PostgresURL: "postgres://file", Region: "flag-local-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := f.Apply(tc.flags)
			if got.Listen != tc.want.Listen || got.DataDir != tc.want.DataDir || got.PostgresURL != tc.want.PostgresURL || got.Region != tc.want.Region || len(got.Accounts) != 1 {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestEnsureAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "g.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	accts := []server.AccountConfig{{ID: cfgAccount, Name: "ops", Keys: []server.KeyConfig{{AccessKeyID: cfgKey, SecretAccessKey: cfgSecret}}}}
	for range 2 { // the second run finds everything in place
		if err := server.EnsureAccounts(ctx, st, accts); err != nil {
			t.Fatal(err)
		}
	}
	if k, err := st.GetAccessKey(ctx, cfgKey); err != nil || k.Account != cfgAccount || k.Secret != cfgSecret {
		t.Fatalf("key = %+v, %v", k, err)
	}
	if _, err := st.RevokeAccessKey(ctx, cfgKey); err != nil {
		t.Fatal(err)
	}
	if err := server.EnsureAccounts(ctx, st, accts); err != nil {
		t.Fatal(err)
	}
	if k, _ := st.GetAccessKey(ctx, cfgKey); !k.Revoked() {
		t.Error("a configured key revoked in the store came back")
	}
	changed := []server.AccountConfig{{ID: cfgAccount, Keys: []server.KeyConfig{{AccessKeyID: cfgKey, SecretAccessKey: "another-secret-0123456789"}}}}
	if err := server.EnsureAccounts(ctx, st, changed); err == nil || !strings.Contains(err.Error(), cfgKey) {
		t.Errorf("changed secret: %v", err)
	}
}

// TestRunWithConfiguredKey starts the server with a configured account and
// key and calls it with that key: no key is generated.
func TestRunWithConfiguredKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "goldsmith.yaml")
	body := "listen: 127.0.0.1:0\ndataDir: " + dir + "\nregion: test-local-1\naccounts:\n  - id: \"" + cfgAccount + "\"\n    keys:\n      - accessKeyId: " + cfgKey + "\n        secretAccessKey: " + cfgSecret + "\n"
	if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := server.LoadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := servertest.Start(t, f.Apply(server.Config{}))
	ctx, endpoint, out := context.Background(), srv.Endpoint, srv
	if strings.Contains(out.Output(), "Created account") {
		t.Errorf("generated a key although one is configured: %s", out.Output())
	}
	c := imagebuilder.New(imagebuilder.Options{Region: "test-local-1", BaseEndpoint: aws.String(endpoint), Retryer: aws.NopRetryer{},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: cfgKey, SecretAccessKey: cfgSecret}, nil
		})})
	if _, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{}); err != nil {
		t.Fatal(err)
	}
}
