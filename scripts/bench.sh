#!/usr/bin/env bash
# Reproduces the figures in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== component runner: per-step overhead (engine, reports and logs included)"
go test ./internal/toe/ -run '^$' -bench 'FileStep|ExecuteBashStep|BareBash' -benchtime 50x -count 3
echo "== action modules alone"
go test ./internal/toe/action/ -run '^$' -bench . -benchtime 200x
echo "== control plane: store, scheduler, queue"
go test ./internal/store/sqlite/ -run '^$' -bench .
go test ./internal/scheduler/ -run '^$' -bench IdleTick -benchtime 10x
go test ./internal/schedule/ -run '^$' -bench .
go test ./internal/queue/ -run '^$' -bench HundredBuilds -benchtime 3x
echo "== API (10,000 components, SigV4 clients in a second process)"
scripts/bench-api.sh
echo "== boot to a ready agent under the accelerator in use (BIOS and UEFI, twice each)"
go test ./internal/machine/qemu/ -run '^$' -bench BootToAgent -benchtime 2x
echo "== VM builds: the reference image, then a rebuild from the step cache"
scripts/bench-build.sh
