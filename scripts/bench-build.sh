#!/usr/bin/env bash
# Benchmarks the reference golden image (examples/reference-recipe.yaml):
# debian-12 + update-linux + nginx + sshd hardening + the boot test, built,
# boot-tested and converted end to end. The base image is built first (and
# timed) if it is not cached yet, so the measured build starts warm.
#
# The warm-up also saves the booted base (the build VM right after its first
# boot, disk and memory) in the step cache, as any first build on a host
# does; the reference build then resumes it instead of booting.
#
# Then the step cache (issue 6): the same recipe is rebuilt after changing
# only its last component (the boot test gets one more test step: no build
# phase runs), and after changing its last component with a build phase
# (harden-sshd gets one more build step: it runs again, on the saved VM
# after nginx).
#
# Usage: scripts/bench-build.sh [extra goldsmith build flags]
set -euo pipefail
cd "$(dirname "$0")/.."
make build  # goldsmith with the guest agent built in
out=$(mktemp -d /tmp/goldsmith-bench-XXXXXX)
trap 'rm -rf "$out"' EXIT
cache="$out/steps"

echo "== warm-up: base image (cached after the first run)"
SECONDS=0
bin/goldsmith build -f internal/workflow/testdata/e2e/recipe.yaml -o "$out/warm" --skip-tests --accelerator "${ACCEL:-auto}" --cache-dir "$cache" "$@" >/dev/null 2>&1 || true
echo "warm-up took ${SECONDS}s"

echo "== reference image, base image and booted base cached, no component cached ($(nproc) cores, accelerator: ${ACCEL:-auto})"
bin/goldsmith build -f examples/reference-recipe.yaml -o "$out/ref" --accelerator "${ACCEL:-auto}" --cache-dir "$cache" "$@" 2>&1 \
  | sed -n '/^ *build step/,$p'

echo "== step cache entries after it (the size a host would fetch to share them)"
bin/goldsmith cache list --cache-dir "$cache"

echo "== rebuild after changing only the last component (simple-boot-test-linux), step cache warm"
mkdir -p "$out/last/components"
cp examples/components/*.yaml "$out/last/components/"
cp internal/managed/components/simple-boot-test-linux.yaml "$out/last/components/boot-test.yaml"
cat >>"$out/last/components/boot-test.yaml" <<'YAML'
      - name: BenchmarkChange
        action: ExecuteBash
        inputs:
          commands: ["systemctl is-active multi-user.target"]
YAML
sed 's|componentArn: simple-boot-test-linux|componentArn: components/boot-test.yaml|' examples/reference-recipe.yaml >"$out/last/reference-recipe.yaml"
bin/goldsmith build -f "$out/last/reference-recipe.yaml" -o "$out/rebuilt-last" --accelerator "${ACCEL:-auto}" --cache-dir "$cache" "$@" 2>&1 \
  | sed -n '/^ *build step/,$p'

echo "== rebuild after changing only the last component with a build phase (harden-sshd), step cache warm"
mkdir -p "$out/changed/components"
cp examples/reference-recipe.yaml "$out/changed/"
cp examples/components/*.yaml "$out/changed/components/"
# One more build step, inserted before the validate phase.
python3 - "$out/changed/components/harden-sshd.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
step = """      - name: BenchmarkChange
        action: ExecuteBash
        inputs:
          commands: ["echo changed for the step cache benchmark > /etc/goldsmith-bench"]
"""
s = s.replace("  - name: validate\n", step + "  - name: validate\n", 1)
open(p, "w").write(s)
PY
bin/goldsmith build -f "$out/changed/reference-recipe.yaml" -o "$out/rebuilt" --accelerator "${ACCEL:-auto}" --cache-dir "$cache" "$@" 2>&1 \
  | sed -n '/^ *build step/,$p'
