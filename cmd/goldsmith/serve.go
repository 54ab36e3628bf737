package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/goldsmith-dev/goldsmith/internal/server"
)

// storeFlags are the flags that locate the store, shared by serve and keys.
type storeFlags struct {
	dataDir  string
	postgres string
}

func (f *storeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.dataDir, "data-dir", server.DefaultDataDir(), "directory of the embedded database and the credentials file")
	fs.StringVar(&f.postgres, "postgres", "", "PostgreSQL URL to use instead of the embedded SQLite store")
}

func newServeCommand() *cobra.Command {
	var sf storeFlags
	cfg := server.Config{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the EC2 Image Builder API (AWS CLI and SDK compatible)",
		Long: `Serve the EC2 Image Builder REST-JSON API. On first start it creates an account
and an access key and writes them to DATA_DIR/credentials (profile "goldsmith").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.DataDir, cfg.PostgresURL = sf.dataDir, sf.postgres
			cfg.Out = cmd.OutOrStdout()
			return server.Run(cmd.Context(), cfg)
		},
	}
	sf.register(cmd.Flags())
	cmd.Flags().StringVar(&cfg.Listen, "listen", server.DefaultListen, "HTTP listen address")
	cmd.Flags().StringVar(&cfg.Region, "region", server.DefaultRegion, "region name used in ARNs and signatures")
	return cmd
}
