#!/usr/bin/env bash
# Reproduces the figures in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== component runner: per-step overhead (engine, reports and logs included)"
go test ./internal/toe/ -run '^$' -bench 'FileStep|ExecuteBashStep|BareBash' -benchtime 50x -count 3
echo "== action modules alone"
go test ./internal/toe/action/ -run '^$' -bench . -benchtime 200x
