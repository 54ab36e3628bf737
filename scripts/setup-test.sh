#!/usr/bin/env bash
# Installs what `make test` needs on Debian 12: everything scripts/setup.sh
# installs, plus PostgreSQL, the AWS CLI and MinIO (built from source with
# go install the first time: several minutes). Idempotent, and quick when
# everything is present. Under CI=true a test whose tools are missing fails.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
./scripts/apt-install.sh postgresql awscli procps jq chromium fonts-dejavu-core
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin" # where setup.sh found go
bash .ci/install-minio.sh
echo "setup-test: done"
