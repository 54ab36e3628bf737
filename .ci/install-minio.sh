#!/usr/bin/env bash
# install-minio.sh installs the MinIO server used by Goldsmith's S3 tests
# (internal/s3test). It is idempotent: if minio is already found via
# $GOLDSMITH_MINIO, PATH or $(go env GOPATH)/bin it does nothing. Otherwise it
# builds it with `go install` (several minutes), caching it in GOPATH/bin.
set -euo pipefail

gopath_bin="$(go env GOPATH)/bin"

if [[ -n "${GOLDSMITH_MINIO:-}" && -x "${GOLDSMITH_MINIO}" ]]; then
	echo "minio already installed: ${GOLDSMITH_MINIO} (GOLDSMITH_MINIO)"
	exit 0
fi
if found="$(command -v minio 2>/dev/null)"; then
	echo "minio already installed: ${found}"
	exit 0
fi
if [[ -x "${gopath_bin}/minio" ]]; then
	echo "minio already installed: ${gopath_bin}/minio"
	exit 0
fi

echo "installing minio with go install (this takes several minutes)..."
start=$(date +%s)
go install github.com/minio/minio@latest
echo "minio installed: ${gopath_bin}/minio ($(($(date +%s) - start))s)"
