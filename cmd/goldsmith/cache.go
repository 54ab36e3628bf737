package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/goldsmith-dev/goldsmith/internal/stepcache"
)

// cacheFlags are the step-cache flags `goldsmith build` and `goldsmith
// cache` share.
type cacheFlags struct {
	dir  string
	size string
}

func (f *cacheFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dir, "cache-dir", "", "step cache folder (default ~/.cache/goldsmith/steps)")
	cmd.Flags().StringVar(&f.size, "cache-size", "20GiB", "step cache size limit; least recently used entries go first (e.g. 512MiB, 20GiB)")
}

func (f *cacheFlags) cache() (*stepcache.Cache, error) {
	n, err := humanize.ParseBytes(f.size)
	if err != nil || n == 0 {
		return nil, &exitError{exitInvalid, fmt.Errorf("--cache-size %q: write a size such as 512MiB, 20GiB or 1TiB", f.size)}
	}
	return &stepcache.Cache{Dir: f.dir, MaxBytes: int64(n)}, nil
}

func newCacheCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Inspect and prune the step cache",
		Long: `The step cache keeps the build VM's disk after each component's build
phase, so a rebuild starts from the last unchanged component. Entries are
qcow2 layers chained on each other; "goldsmith cache prune" removes entries
(and everything built on them).`,
	}
	cmd.AddCommand(newCacheListCommand(), newCachePruneCommand())
	return cmd
}

func newCacheListCommand() *cobra.Command {
	var cf cacheFlags
	out := outputTable
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List step cache entries, most recently used first",
		Args:  noArgs(""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.cache()
			if err != nil {
				return err
			}
			entries, err := c.List(cmd.Context())
			if err != nil {
				return err
			}
			if out == outputJSON {
				return writeJSON(cmd.OutOrStdout(), append([]*stepcache.Entry{}, entries...))
			}
			dir, _ := c.Path()
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "KEY\tNAMESPACE\tCOMPONENT\t#\tDISK\tVM STATE\tSAVES\tHITS\tLAST USED")
			for _, e := range entries {
				state := "-"
				if e.StateSize > 0 {
					state = humanSize(e.StateSize)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%d\t%s\n", e.Key[len("sha256:"):][:12], e.Namespace, e.Component, e.Index+1,
					humanSize(e.Size), state, e.BuildTime.Round(100*time.Millisecond), e.Hits, e.LastUsed.Local().Format("2006-01-02 15:04:05"))
			}
			fmt.Fprintf(w, "%d entries, %s in %s\n", len(entries), humanSize(stepcache.Size(entries)), dir)
			return w.Flush()
		},
	}
	cf.register(cmd)
	out.register(cmd)
	return cmd
}

func newCachePruneCommand() *cobra.Command {
	var (
		cf        cacheFlags
		all       bool
		olderThan time.Duration
	)
	cmd := &cobra.Command{
		Use:   "prune [--all | --older-than DURATION] [--cache-size SIZE]",
		Short: "Remove step cache entries",
		Long: `Remove entries not used for --older-than, or --all of them, then trim the
cache to --cache-size, least recently used first.`,
		Args: noArgs(""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.cache()
			if err != nil {
				return err
			}
			removed, err := c.Prune(cmd.Context(), stepcache.PruneOptions{All: all, OlderThan: olderThan})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %d entries, %s\n", len(removed), humanSize(stepcache.Size(removed)))
			return nil
		},
	}
	cf.register(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "remove every entry")
	cmd.Flags().DurationVar(&olderThan, "older-than", 0, "remove entries not used for this long (e.g. 168h)")
	return cmd
}

func humanSize(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }
