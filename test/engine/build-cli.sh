#!/usr/bin/env bash
# Builds the Pulumi CLI from the published Go modules (github.com/pulumi/pulumi/pkg/v3 and sdk/v3) with
# the ordinary Go toolchain, through a throwaway wrapper module: `go install pkg@version` refuses a
# module whose go.mod has replace directives, so the wrapper restates the one that matters
# (atotto/clipboard). No Pulumi source is copied or committed: the Go module proxy serves the modules.
#
#   test/engine/build-cli.sh            prints the folder holding bin/pulumi (Automation API PulumiCommand root)
#
# The result is cached outside the repository, keyed by version:
#   ${CENTRAL_LOGGING_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/central-logging/engine}/pulumi-<version>/bin/pulumi
# A cold build takes 15 to 25 minutes on 2 cores; a cached one returns at once.
set -euo pipefail

VERSION="${PULUMI_ENGINE_VERSION:-v3.274.1}"
CACHE="${CENTRAL_LOGGING_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/central-logging/engine}"
OUT="$CACHE/pulumi-$VERSION"
BIN="$OUT/bin/pulumi"

if [[ -x "$BIN" ]] && "$BIN" version 2>/dev/null | grep -qx "$VERSION"; then
  echo "$OUT"
  exit 0
fi

command -v go >/dev/null || { echo "build-cli: the Go toolchain (go) is not on PATH" >&2; exit 2; }
mkdir -p "$OUT/bin"
WORK="$(mktemp -d "$CACHE/wrapper.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

log() { echo "build-cli: $* ($(date -u +%H:%M:%S))" >&2; }
log "wrapper module in $WORK, Pulumi $VERSION with $(go version | cut -d' ' -f3)"
go mod init central-logging-engine-wrapper >/dev/null 2>&1
go mod edit -replace github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
log "resolving modules (go get)"
go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$VERSION" "github.com/pulumi/pulumi/sdk/v3@$VERSION" >&2
log "compiling (the first build takes a while; later ones reuse the Go build cache)"
CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION" \
  -o "$BIN.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
mv "$BIN.tmp" "$BIN"
log "built $("$BIN" version)"
echo "$OUT"
