package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/machine/qemu"
	"github.com/goldsmith-dev/goldsmith/internal/progress"
	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

func newBuildCommand() *cobra.Command {
	var (
		out, formats, accel, cpuModel, firmware, testFirmware, baseCache, agentBin, shared string
		memory, cpus                                                                       int
		noNetwork, keep, skipTests, noCache                                                bool
		cf                                                                                 cacheFlags
		rf                                                                                 recipeFlags
	)
	cmd := &cobra.Command{
		Use:   "build -f RECIPE -o OUTDIR",
		Short: "Build, test and convert an image from a recipe, locally in QEMU",
		Long: `Build an image from a recipe file (the shape of Image Builder's
CreateImageRecipe, JSON or YAML): boot the base image in a VM, run every
component's build then validate phase through the guest agent, clean the
guest up, capture the disk, boot it again as a test instance through its
own bootloader and run every test phase, then write the image in the
requested formats with sha256 files, manifest.json, an SBOM and all logs.`,
		Args: noArgs("-f"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			vm := machineSettings{accel: accel, firmware: firmware, testFirmware: testFirmware, cpuModel: cpuModel, memoryMiB: memory, cpus: cpus}
			if err := vm.check(); err != nil {
				return err
			}
			if st, err := os.Stat(agentBin); agentBin != "" && (err != nil || !st.Mode().IsRegular()) {
				return invalidf("--agent-binary %s: not a file; give a static goldsmith binary, or leave it out to use this one", agentBin)
			}
			r, _, err := rf.load()
			if err != nil {
				return err
			}
			if err := checkParentImage(r); err != nil {
				return err
			}
			fs, err := workflow.ParseFormats(formats)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			// QEMU and the caches record paths as given: absolute only.
			for _, p := range []*string{&out, &baseCache, &cf.dir} {
				if *p == "" {
					continue
				}
				abs, err := filepath.Abs(*p)
				if err != nil {
					return &exitError{exitInvalid, fmt.Errorf("folder %s: give an absolute path: %w", *p, err)}
				}
				*p = abs
			}
			vms := qemu.Launcher{Accel: qemu.Accel(accel), CPUModel: cpuModel, Firmware: qemu.Firmware(firmware)}
			testVMs := vms
			if testFirmware != "" {
				testVMs.Firmware = qemu.Firmware(testFirmware)
			}
			opts := workflow.Options{
				Recipe: r, OutDir: out, Formats: fs, MemoryMiB: memory, CPUs: cpus, Machines: vms, TestMachines: testVMs,
				NoNetwork: noNetwork, KeepOnFailure: keep, SkipTests: skipTests, AgentBinary: agentBin,
				Bases: &baseimage.Cache{Dir: baseCache},
			}
			if opts.Cache, err = cf.cache(); err != nil {
				return err
			}
			if shared != "" {
				if err := server.CheckLocation(shared); err != nil {
					return invalidf("--shared-cache: %w", err)
				}
				if opts.Cache.Shared, err = artifacts.Open(cmd.Context(), shared); err != nil {
					return &exitError{exitInvalid, fmt.Errorf("--shared-cache: %w", err)}
				}
			}
			opts.NoCache = noCache
			opts.Reporter = newReporter(cmd)
			res, err := workflow.Build(cmd.Context(), opts)
			if res != nil && res.Manifest != nil {
				printTimings(cmd.ErrOrStderr(), res.Manifest)
			}
			var ps component.Problems
			switch {
			case errors.As(err, &ps):
				return &exitError{exitInvalid, fmt.Errorf("the recipe's components are invalid; nothing was built:\n%w", err)}
			case err != nil:
				if cmd.Context().Err() != nil {
					return &exitError{exitCancelled, fmt.Errorf("build cancelled; everything it started was removed: %w", err)}
				}
				return &exitError{exitFailed, fmt.Errorf("build failed: %w", err)}
			}
			m := res.Manifest
			fmt.Fprintf(cmd.OutOrStdout(), "built %s %s in %s (%s, %d packages)\n", m.Name, m.Version, m.Timings.Total.Round(time.Second), m.Accelerator, m.Packages)
			for _, o := range m.Outputs {
				fmt.Fprintf(cmd.OutOrStdout(), "  %s/%s  sha256:%s\n", out, o.File, o.SHA256)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "output folder")
	f.StringVar(&formats, "formats", "qcow2", "comma-separated output formats: qcow2, raw, vmdk, vhdx, vhd")
	f.IntVar(&memory, "memory", 2048, "guest memory in MiB")
	f.IntVar(&cpus, "cpus", 2, "guest vCPUs")
	f.StringVar(&accel, "accelerator", "auto", "auto (KVM when a probe proves it works, else TCG), kvm or tcg")
	f.StringVar(&cpuModel, "cpu-model", "", "QEMU -cpu for both VMs (default: host with KVM; with TCG "+qemu.TCGCPUModel+", x86-64-v2; use max for guests that need x86-64-v3)")
	f.StringVar(&firmware, "firmware", "bios", "how the build VM boots: bios (SeaBIOS) or uefi (OVMF)")
	f.StringVar(&testFirmware, "test-firmware", "", "how the test VM boots (default: as the build VM)")
	f.BoolVar(&noNetwork, "no-network", false, "give the guests no network")
	f.BoolVar(&keep, "keep-on-failure", false, "keep the failed VM running until Ctrl-C, to look inside with goldsmith debug OUTDIR")
	f.BoolVar(&skipTests, "skip-tests", false, "do not boot a test instance")
	f.StringVar(&baseCache, "base-cache", "", "base image cache folder (default ~/.cache/goldsmith/base)")
	f.StringVar(&agentBin, "agent-binary", "", "guest agent binary, cmd/goldsmith-agent (default: the one built into goldsmith, else goldsmith-agent next to it; it must be static)")
	f.BoolVar(&noCache, "no-cache", false, "run every build phase, reading nothing from the step cache (new entries are still saved)")
	f.StringVar(&shared, "shared-cache", "", "s3://bucket/prefix (or a folder) that the step caches of several machines share: entries are published there, and missing ones fetched")
	cf.register(cmd)
	rf.register(cmd)
	cmd.MarkFlagRequired("output")
	return cmd
}

func newReporter(cmd *cobra.Command) workflow.Reporter {
	w := cmd.ErrOrStderr()
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return progress.NewLive(f)
	}
	return progress.NewPlain(w)
}

// printTimings shows where the time went: every build step, and every
// component phase inside the VMs.
func printTimings(w io.Writer, m *workflow.Manifest) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "build step\ttime\t")
	for _, t := range m.Timings.Steps {
		if t.Status == "skipped" && strings.HasPrefix(t.Step, "cache:") && t.Note == "cached" {
			continue // a cache hit shows on the component's build step
		}
		note := ""
		if t.Status == "skipped" {
			note = "  (" + t.Note + ")"
		}
		fmt.Fprintf(tw, "%s\t%.1fs\t%s\n", t.Step, t.Duration.Seconds(), note)
	}
	fmt.Fprintf(tw, "total\t%.1fs\t\n", m.Timings.Total.Seconds())
	tw.Flush()
	if c := m.Cache; c != nil && c.Hits > 0 {
		fmt.Fprintf(w, "step cache: %d component build phases from the cache, about %s saved\n", c.Hits, c.Saved.Round(time.Second))
	}
	if c := m.Cache; c != nil && c.Warning != "" {
		fmt.Fprintf(w, "WARNING: step cache: %s (the image is fine; the next build runs these phases again)\n", c.Warning)
	}
}
