package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/goldsmith-dev/goldsmith/internal/machine/qemu"
	"github.com/goldsmith-dev/goldsmith/internal/server"
)

// storeFlags are the flags that locate the store, shared by serve and keys.
type storeFlags struct {
	config   string
	dataDir  string
	postgres string
}

func (f *storeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "configuration file, YAML or JSON (the keys: goldsmith serve --help); flags win over it")
	fs.StringVar(&f.dataDir, "data-dir", server.DefaultDataDir(), "directory of the embedded database and the credentials file")
	fs.StringVar(&f.postgres, "postgres", "", "PostgreSQL URL to use instead of the embedded SQLite store")
}

// resolve returns the configuration of the set flags over the config
// file's values over the defaults.
func (f *storeFlags) resolve(fs *pflag.FlagSet, flags server.Config) (server.Config, error) {
	c := server.Config{Listen: flags.Listen, Region: flags.Region}
	if fs.Changed("data-dir") {
		c.DataDir = f.dataDir
	}
	if fs.Changed("postgres") {
		c.PostgresURL = f.postgres
	}
	if !fs.Changed("listen") {
		c.Listen = ""
	}
	if !fs.Changed("region") {
		c.Region = ""
	}
	if f.config != "" {
		file, err := server.LoadFile(f.config)
		if err != nil {
			return c, invalidf("%w", err)
		}
		c = file.Apply(c)
	}
	return c.WithDefaults(), nil
}

// storeError makes a data directory without a database a usage error
// (exit status 2): nothing was done.
func storeError(err error) error {
	if errors.Is(err, server.ErrNoDatabase) {
		return invalidf("%w", err)
	}
	return err
}

// resolveChecked is resolve with every setting, the build flags' included,
// checked before anything starts.
func resolveChecked(fs *pflag.FlagSet, sf *storeFlags, bf *buildFlags, flags server.Config) (server.Config, error) {
	if bf.workers < 0 {
		return server.Config{}, invalidf("--workers %d: give 0 or more builds at a time", bf.workers)
	}
	cfg, err := sf.resolve(fs, flags)
	if err != nil {
		return cfg, err
	}
	cfg.Build = bf.config(cfg.Build)
	if err := cfg.Check(); err != nil {
		return cfg, invalidf("%w", err)
	}
	return cfg, nil
}

func newServeCommand() *cobra.Command {
	var sf storeFlags
	var bf buildFlags
	flags := server.Config{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the EC2 Image Builder API (AWS CLI and SDK compatible)",
		Long: `Serve the EC2 Image Builder REST-JSON API. On first start it creates an account
and an access key and writes them to DATA_DIR/credentials (profile "goldsmith").

--config FILE reads the listen address, data directory, PostgreSQL URL, artifact
store, region and the accounts and access keys to create at start from a YAML
or JSON file:

  listen: 127.0.0.1:8484
  dataDir: /var/lib/goldsmith
  postgres: postgres://goldsmith@db/goldsmith   # shared by servers and workers
  artifacts: s3://goldsmith-images/site-a       # AWS_ENDPOINT_URL for MinIO
  sharedCache: s3://goldsmith-images/cache      # step cache entries shared by hosts
  region: goldsmith-local-1                     # the home site
  regions:    # other sites distribution configurations may name (docs/distribution.md)
    - {name: eu-site-1, artifacts: s3://images/eu, profile: eu-site, formats: [vmdk]}
    - {name: lab-site-1, artifacts: /srv/images}
  accounts:
    - id: "123456789012"
      keys:
        - {accessKeyId: AKIAEXAMPLEKEY000001, secretAccessKey: "…"}
  webhooks:   # image ends, for infrastructure configurations' snsTopicArn;
              # give every server and worker that should deliver them the same list
    - topicArn: arn:aws:sns:goldsmith-local-1:123456789012:builds
      url: https://hooks.example.com/goldsmith
      secret: "at least 16 characters"

Builds started through the API (CreateImage, StartImagePipelineExecution, and
pipelines' schedules) run in this process (--workers at a time) unless
--workers 0; images and logs go to --artifacts (default DATA_DIR/images).

Prometheus metrics are on /metrics, unauthenticated like most Prometheus
targets (they hold counts and durations, no resource names or secrets);
listen on a loopback or private address, or put a proxy in front, to keep
them private. Every other path needs a SigV4-signed request.

Every setting is checked before anything starts; a port in use is reported
(with the process holding it) before anything is written. A data directory
without a database gets a new one, and serve says so.

Flags given on the command line win over the file.`,
		Args: noArgs("--config"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			serverGC()
			cfg, err := resolveChecked(cmd.Flags(), &sf, &bf, flags)
			if err != nil {
				return err
			}
			cfg.Out = cmd.OutOrStdout()
			return server.Run(cmd.Context(), cfg)
		},
	}
	sf.register(cmd.Flags())
	bf.register(cmd.Flags(), 1, "image builds this server runs at once (0: none, the API only)")
	cmd.Flags().StringVar(&flags.Listen, "listen", server.DefaultListen, "HTTP listen address")
	cmd.Flags().StringVar(&flags.Region, "region", server.DefaultRegion, "region name used in ARNs and signatures")
	return cmd
}

// serverGC trades memory for CPU: the server's live heap is small (tens of
// MB) and request handling allocates a lot, so collecting at 5x the live
// heap instead of 2x frees a third of the CPU under load (BENCHMARKS.md).
// GOGC, when set, wins.
func serverGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// buildFlags configure the builds serve and worker run.
type buildFlags struct {
	workers   int
	artifacts string
	cacheDir  string
	shared    string
	accel     string
}

func (f *buildFlags) register(fs *pflag.FlagSet, workers int, workersHelp string) {
	fs.IntVar(&f.workers, "workers", workers, workersHelp)
	fs.StringVar(&f.artifacts, "artifacts", "", "where built images and build logs go: a folder or s3://bucket/prefix, shared by servers and workers on several hosts (default DATA_DIR/images)")
	fs.StringVar(&f.cacheDir, "cache-dir", "", `step cache folder (default DATA_DIR/steps; "off" disables it)`)
	fs.StringVar(&f.shared, "shared-cache", "", "s3://bucket/prefix (or a folder) where the workers of several hosts publish step cache entries and fetch the ones they lack")
	fs.StringVar(&f.accel, "accelerator", "auto", "auto (KVM when a probe proves it works, else TCG), kvm or tcg")
}

// config returns the build configuration of the flags over file's (the
// configuration file's).
func (f *buildFlags) config(file server.BuildConfig) server.BuildConfig {
	w := f.workers
	if w == 0 {
		w = -1
	}
	c := server.BuildConfig{Workers: w, Artifacts: f.artifacts, CacheDir: f.cacheDir, SharedCache: f.shared, Accel: qemu.Accel(f.accel)}
	if c.Artifacts == "" {
		c.Artifacts = file.Artifacts
	}
	if c.SharedCache == "" {
		c.SharedCache = file.SharedCache
	}
	return c
}

func newWorkerCommand() *cobra.Command {
	var sf storeFlags
	var bf buildFlags
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run image builds from the shared queue (scale-out)",
		Long: `Run the image builds that goldsmith serve queues, on this host. A worker
listens on no port. Point it at the same database as the servers (--postgres, or
the same --data-dir for the embedded store). Stopping it (Ctrl-C, SIGTERM)
lets running builds finish for a minute, then hands them back to the queue.`,
		Args: noArgs("--config"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := resolveChecked(cmd.Flags(), &sf, &bf, server.Config{})
			if err != nil {
				return err
			}
			cfg.Out = cmd.OutOrStdout()
			if cfg.Build.Workers < 0 {
				return &exitError{exitInvalid, fmt.Errorf("--workers 0 leaves a worker nothing to do")}
			}
			return storeError(server.RunWorker(cmd.Context(), cfg))
		},
	}
	sf.register(cmd.Flags())
	bf.register(cmd.Flags(), 1, "image builds this worker runs at once (1 or more)")
	return cmd
}
