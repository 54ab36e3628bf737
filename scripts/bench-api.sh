#!/usr/bin/env bash
# Benchmarks the Image Builder API (issue 4): seeds 10,000 components into an
# embedded (SQLite) data directory, starts `goldsmith serve` on it as its own
# process and drives it from benchtool (a second process) with SigV4-signed
# GetComponent and ListComponents (maxResults 25) requests for 10 s.
# Target (PRODUCT.md): >= 2,000 requests/s and p99 < 20 ms on 2 cores.
#
# Usage: scripts/bench-api.sh [benchtool flags, e.g. -workers 16 -duration 30s]
# BENCH_DATA=DIR keeps the seeded data directory between runs (seeding once
# takes a minute or two); by default a temporary one is used and removed.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d /tmp/goldsmith-bench-api-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/goldsmith" ./cmd/goldsmith
CGO_ENABLED=0 go build -o "$tmp/benchtool" ./internal/server/benchtool
data=${BENCH_DATA:-$tmp/data}
echo "== $(nproc) cores; load before: $(uptime | sed 's/.*load average/load average/')"
"$tmp/benchtool" -goldsmith "$tmp/goldsmith" -data-dir "$data" "$@"
echo "== load after: $(uptime | sed 's/.*load average/load average/')"
