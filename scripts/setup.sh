#!/usr/bin/env bash
# Installs what `make demo` needs on Debian 12: building goldsmith and
# building the reference image (QEMU, and mmdebstrap and the disk tools for
# the debian-12 base image). Test tools come from scripts/setup-test.sh.
# Idempotent: a second run with everything present installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/apt-install.sh \
  bash coreutils ca-certificates make \
  qemu-system-x86 qemu-utils ovmf mmdebstrap \
  systemd-boot-efi syslinux syslinux-common mtools dosfstools e2fsprogs fdisk

if ! command -v go >/dev/null 2>&1; then
  for d in /usr/local/go/bin "$HOME/go/bin"; do [ -x "$d/go" ] && export PATH="$d:$PATH"; done
fi
command -v go >/dev/null 2>&1 || { echo "setup: Go 1.26 or newer is needed (https://go.dev/dl/)"; exit 1; }
echo "setup: done"
