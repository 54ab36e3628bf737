package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildVersion is what `goldsmith version` reports.
type buildVersion struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	BuildTime string `json:"buildTime,omitempty"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// readBuildVersion combines main.version (the Makefile's -X) with the VCS
// stamp the Go toolchain records in the binary.
func readBuildVersion() buildVersion {
	v := buildVersion{Version: version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if v.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		case "vcs.time":
			v.BuildTime = s.Value
		}
	}
	return v
}

func (v buildVersion) String() string {
	s := v.Version
	if v.Commit != "" {
		c := v.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if v.Modified {
			c += "+modified"
		}
		s += " (commit " + c + ")"
	}
	return s + " " + v.GoVersion + " " + v.Platform
}

func versionString() string { return readBuildVersion().String() }

func newVersionCommand() *cobra.Command {
	var out outputFormat = outputTable
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, build commit and Go version",
		Args:  noArgs(""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := readBuildVersion()
			if out == outputJSON {
				return writeJSON(cmd.OutOrStdout(), v)
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "goldsmith %s\n", v)
			return err
		},
	}
	out.register(cmd)
	return cmd
}
