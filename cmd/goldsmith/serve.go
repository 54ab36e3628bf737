package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"os"
	"runtime/debug"

	"github.com/goldsmith-dev/goldsmith/internal/server"
)

// storeFlags are the flags that locate the store, shared by serve and keys.
type storeFlags struct {
	config   string
	dataDir  string
	postgres string
}

func (f *storeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "configuration file (YAML or JSON: listen, dataDir, postgres, region, accounts); flags win over it")
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
			return c, err
		}
		c = file.Apply(c)
	}
	return c.WithDefaults(), nil
}

func newServeCommand() *cobra.Command {
	var sf storeFlags
	flags := server.Config{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the EC2 Image Builder API (AWS CLI and SDK compatible)",
		Long: `Serve the EC2 Image Builder REST-JSON API. On first start it creates an account
and an access key and writes them to DATA_DIR/credentials (profile "goldsmith").

--config FILE reads the listen address, data directory, PostgreSQL URL, region
and the accounts and access keys to create at start from a YAML or JSON file:

  listen: 127.0.0.1:8484
  dataDir: /var/lib/goldsmith
  region: goldsmith-local-1
  accounts:
    - id: "123456789012"
      keys:
        - {accessKeyId: AKIAEXAMPLEKEY000001, secretAccessKey: "…"}

Flags given on the command line win over the file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			serverGC()
			cfg, err := sf.resolve(cmd.Flags(), flags)
			if err != nil {
				return err
			}
			cfg.Out = cmd.OutOrStdout()
			return server.Run(cmd.Context(), cfg)
		},
	}
	sf.register(cmd.Flags())
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
