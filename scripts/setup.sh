#!/usr/bin/env bash
# Installs what Goldsmith and its tests need on Debian 12. Idempotent: a
# second run with everything present installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  bash coreutils ca-certificates make
  qemu-system-x86 qemu-utils ovmf mmdebstrap
  systemd-boot-efi syslinux syslinux-common mtools dosfstools e2fsprogs fdisk
  postgresql awscli procps jq
  chromium fonts-dejavu-core  # the console's end-to-end test (internal/console)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null 2>&1; then
  for d in /usr/local/go/bin "$HOME/go/bin"; do [ -x "$d/go" ] && export PATH="$d:$PATH"; done
fi
command -v go >/dev/null 2>&1 || { echo "setup: Go 1.26 or newer is needed (https://go.dev/dl/)"; exit 1; }

bash .ci/install-minio.sh
echo "setup: done"
