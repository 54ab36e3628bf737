// Package server wires the control plane for `goldsmith serve`: it opens the
// store (embedded SQLite in the data directory, or PostgreSQL), creates the
// first account and access key on first start (written to
// DATA_DIR/credentials in the AWS shared-credentials format), and serves the
// Image Builder API over HTTP until its context ends. It also offers the
// key management behind `goldsmith keys`. Only cmd/ imports it.
package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/api"
	"github.com/goldsmith-dev/goldsmith/internal/auth"
	"github.com/goldsmith-dev/goldsmith/internal/console"
	"github.com/goldsmith-dev/goldsmith/internal/notify"
	"github.com/goldsmith-dev/goldsmith/internal/scheduler"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/store"
	"github.com/goldsmith-dev/goldsmith/internal/store/postgres"
	"github.com/goldsmith-dev/goldsmith/internal/store/sqlite"
)

// Defaults of Config.
const (
	DefaultListen   = "127.0.0.1:8484"
	DefaultRegion   = "goldsmith-local-1"
	CredentialsFile = "credentials"
	ConfigFile      = "config"
	Profile         = "goldsmith"
	databaseFile    = "goldsmith.db"
)

// Config configures the server.
type Config struct {
	// DataDir holds the SQLite database and the credentials file.
	// Default: DefaultDataDir().
	DataDir string
	// Listen is the HTTP listen address. Default: DefaultListen.
	Listen string
	// Region is the region name in ARNs and signatures; it must look like
	// an AWS region (goldsmith-local-1). Default: DefaultRegion.
	Region string
	// Regions are the other sites images can be distributed to (see
	// RegionConfig); this server's Region is the home site.
	Regions []RegionConfig
	// PostgresURL, when set, selects PostgreSQL instead of SQLite.
	PostgresURL string
	// Accounts are created at start, with their keys, when the store
	// lacks them (see EnsureAccounts).
	Accounts []AccountConfig
	// Logger. Default: slog.Default().
	Logger *slog.Logger
	// Out receives the first-start and endpoint messages. Default: io.Discard.
	Out io.Writer
	// Build configures the builds this server runs.
	Build BuildConfig
	// Webhooks receive image state changes (see File.Webhooks).
	Webhooks []notify.Webhook
	// NoScheduler turns off starting pipelines on their schedules (when
	// another server of the same database does it; doing it twice is safe,
	// only wasteful).
	NoScheduler bool
}

// DefaultDataDir is ~/.local/share/goldsmith (or $XDG_DATA_HOME/goldsmith).
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "goldsmith")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".goldsmith"
	}
	return filepath.Join(home, ".local", "share", "goldsmith")
}

// WithDefaults returns c with defaults filled in.
func (c Config) WithDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	return c
}

// ErrNoDatabase is returned by OpenExistingStore for a data directory
// that holds no database.
var ErrNoDatabase = errors.New("no Goldsmith database")

// DatabasePath is the embedded database's file in the data directory.
func (c Config) DatabasePath() string {
	return filepath.Join(c.WithDefaults().DataDir, databaseFile)
}

// OpenExistingStore opens the configured store like OpenStore, but an
// embedded database that does not exist yet is an error, not a new empty
// one: only goldsmith serve creates a database.
func OpenExistingStore(ctx context.Context, c Config) (store.Store, error) {
	if c.PostgresURL == "" {
		if _, err := os.Stat(c.DatabasePath()); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w in %s: give the --data-dir (or --postgres) that goldsmith serve uses, or start goldsmith serve --data-dir %s once to create one",
				ErrNoDatabase, c.WithDefaults().DataDir, c.WithDefaults().DataDir)
		}
	}
	return OpenStore(ctx, c)
}

// OpenStore opens the configured store, creating the data directory.
func OpenStore(ctx context.Context, c Config) (store.Store, error) {
	c = c.WithDefaults()
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if c.PostgresURL != "" {
		return postgres.Open(ctx, postgres.Config{URL: c.PostgresURL})
	}
	return sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(c.DataDir, databaseFile)})
}

// Handler is the API handler over st: SigV4 verification and the routes.
func Handler(ctx context.Context, st store.Store, region string, log *slog.Logger) (http.Handler, error) {
	svc, err := service.New(ctx, service.Config{Store: st, Region: region, Logger: log})
	if err != nil {
		return nil, err
	}
	return frontDoor(svc, st, region, log)
}

// frontDoor serves the API and, at the same address, the web console: a
// SigV4-signed request reaches the API, a browser's the console.
func frontDoor(svc *service.Service, st store.Store, region string, log *slog.Logger) (http.Handler, error) {
	keys := store.KeyStore(st)
	con, err := console.New(console.Config{Service: svc, Keys: keys, Logger: log})
	if err != nil {
		return nil, err
	}
	apiHandler := api.New(api.Config{Service: svc, Verifier: &auth.Verifier{Keys: keys, Region: region}, Logger: log})
	return console.Route(apiHandler, con), nil
}

// Run serves the API until ctx ends.
func Run(ctx context.Context, c Config) error {
	c = c.WithDefaults()
	// The port is taken first: a port in use stops the start before
	// anything is written.
	ln, err := Listen(c.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	_, statErr := os.Stat(c.DatabasePath())
	st, err := OpenStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if c.PostgresURL == "" && errors.Is(statErr, os.ErrNotExist) {
		fmt.Fprintf(c.Out, "Created a new database: %s\n", c.DatabasePath())
	}
	if err := EnsureAccounts(ctx, st, c.Accounts); err != nil {
		return err
	}
	key, created, err := Bootstrap(ctx, st, c.DataDir, c.Region)
	if err != nil {
		return err
	}
	p, err := startPlane(ctx, c, st)
	if err != nil {
		return err
	}
	defer p.stop(ctx)
	svc, m := p.svc, p.metrics
	if !c.NoScheduler {
		sched := &scheduler.Scheduler{Service: svc, Log: c.Logger}
		go sched.Run(ctx)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler()) // unauthenticated, like most Prometheus targets
	front, err := frontDoor(svc, st, c.Region, c.Logger)
	if err != nil {
		return err
	}
	mux.Handle("/", front)
	var h http.Handler = mux
	endpoint := "http://" + ln.Addr().String()
	creds := filepath.Join(c.DataDir, CredentialsFile)
	if created {
		fmt.Fprintf(c.Out, "Created account %s and access key %s; credentials written to %s (profile %q).\n", key.Account, key.ID, creds, Profile)
	}
	fmt.Fprintf(c.Out, "Goldsmith Image Builder API listening on %s (region %s)\n", endpoint, c.Region)
	fmt.Fprintf(c.Out, "Web console: %s (sign in with an access key)\n", endpoint)
	if _, err := os.Stat(creds); err == nil {
		fmt.Fprintf(c.Out, "Use it with the AWS CLI (your own AWS profiles stay as they are):\n"+
			"  AWS_SHARED_CREDENTIALS_FILE=%s AWS_CONFIG_FILE=%s \\\n    aws --profile %s --endpoint-url %s imagebuilder list-components\n"+
			"or copy profile %q from those two files into ~/.aws/credentials and ~/.aws/config, then: aws --profile %s --endpoint-url %s ...\n",
			creds, filepath.Join(c.DataDir, ConfigFile), Profile, endpoint, Profile, Profile, endpoint)
	} else {
		fmt.Fprintf(c.Out, "Use it with the AWS CLI and one of the configured access keys:\n  aws --region %s --endpoint-url %s imagebuilder list-components\n", c.Region, endpoint)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Bootstrap creates the first account and its access key when the store
// has no account, and writes them to dataDir/credentials. created reports
// whether it did.
func Bootstrap(ctx context.Context, st store.Store, dataDir, region string) (key store.AccessKey, created bool, err error) {
	accts, err := st.ListAccounts(ctx)
	if err != nil {
		return key, false, err
	}
	if len(accts) > 0 {
		return key, false, nil
	}
	acct, err := CreateAccount(ctx, st, "default")
	if err != nil {
		return key, false, err
	}
	key, err = CreateKey(ctx, st, acct.ID)
	if err != nil {
		return key, false, err
	}
	if err := WriteCredentials(filepath.Join(dataDir, CredentialsFile), Profile, key, region); err != nil {
		return key, false, err
	}
	return key, true, nil
}

// CreateAccount creates an account with a random 12-digit id.
func CreateAccount(ctx context.Context, st store.Accounts, name string) (store.Account, error) {
	for range 5 {
		n, err := rand.Int(rand.Reader, big.NewInt(9e11))
		if err != nil {
			return store.Account{}, err
		}
		acct, err := st.CreateAccount(ctx, store.Account{ID: fmt.Sprintf("%012d", n.Int64()+1e11), Name: name})
		if errors.Is(err, store.ErrAlreadyExists) {
			continue
		}
		return acct, err
	}
	return store.Account{}, errors.New("could not pick a free account id")
}

const keyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func randomString(alphabet string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String(), nil
}

// CreateKey creates a random access key (AKIA…, 40-character secret) for
// account.
func CreateKey(ctx context.Context, st store.Accounts, account string) (store.AccessKey, error) {
	id, err := randomString(keyAlphabet, 16)
	if err != nil {
		return store.AccessKey{}, err
	}
	secret, err := randomString(secretAlphabet, 40)
	if err != nil {
		return store.AccessKey{}, err
	}
	return st.CreateAccessKey(ctx, store.AccessKey{ID: "AKIA" + id, Secret: secret, Account: account})
}

// WriteCredentials writes key as profile in the AWS shared-credentials
// format (mode 0600), replacing the file.
func WriteCredentials(path, profile string, key store.AccessKey, region string) error {
	body := fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = %s\n", profile, key.ID, key.Secret, region)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	// The AWS CLI reads the region from the config file, not the
	// credentials file: write both.
	cfg := fmt.Sprintf("[profile %s]\nregion = %s\n", profile, region)
	return os.WriteFile(filepath.Join(filepath.Dir(path), ConfigFile), []byte(cfg), 0o600)
}
