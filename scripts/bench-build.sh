#!/usr/bin/env bash
# Benchmarks the reference golden image (examples/reference-recipe.yaml):
# debian-12 + update-linux + nginx + sshd hardening + the boot test, built,
# boot-tested and converted end to end. The base image is built first (and
# timed) if it is not cached yet, so the measured build starts warm.
# Usage: scripts/bench-build.sh [extra goldsmith build flags]
set -euo pipefail
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -o bin/goldsmith ./cmd/goldsmith
out=$(mktemp -d /tmp/goldsmith-bench-XXXXXX)
trap 'rm -rf "$out"' EXIT

echo "== warm-up: base image (cached after the first run)"
SECONDS=0
bin/goldsmith build -f internal/build/testdata/e2e/recipe.yaml -o "$out/warm" --skip-tests --no-network >/dev/null 2>&1 || true
echo "warm-up took ${SECONDS}s"

echo "== reference image, base cached ($(nproc) cores, accelerator: ${ACCEL:-auto})"
bin/goldsmith build -f examples/reference-recipe.yaml -o "$out/ref" --accelerator "${ACCEL:-auto}" "$@" 2>&1 \
  | sed -n '/^ *build step/,$p'
