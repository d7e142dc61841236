#!/usr/bin/env bash
# The engine lane (`npm run test:engine`): the real Pulumi engine, built from the published Go modules,
# runs the example organization through `npm run fleet -- --inline` with a stand-in AWS provider and the
# policy pack as an executable analyzer. See docs/operations.md, "The engine lane".
set -euo pipefail
if [[ $# -gt 0 ]]; then
  if [[ "$1" == "--help" || "$1" == "-h" ]]; then
    cat <<'USAGE'
usage: npm run test:engine

  The engine lane: builds the Pulumi CLI from the published Go modules (test/engine/build-cli.sh, cached
  under ~/.cache/central-logging/engine; 10 to 25 minutes the first time), then runs the example
  organization through npm run fleet -- --inline under the real engine, with the stand-in AWS provider and
  the policy pack as the engine's analyzer (docs/operations.md, "The engine lane").

  --help   this text
USAGE
    exit 0
  fi
  echo "test:engine: (command line): $1: unknown option; see --help" >&2
  exit 2
fi
cd "$(dirname "$0")/../.."

# The pack runs as the engine's analyzer from its own folder (policy-pack/run-analyzer): its dependencies
# are a separate npm project, not installed by the root's npm ci.
if [[ ! -d policy-pack/node_modules ]]; then
  echo "== engine lane: the policy pack's dependencies (npm run setup:policy-pack)"
  npm run --silent setup:policy-pack
fi
# Compiled, the pack starts in under a second instead of being type-checked at every analyzer start; a
# pack not compiled from its current sources would still run, only slowly.
if ! node -e 'process.exit(require("./policy-pack/sources").compiledIsCurrent("policy-pack") ? 0 : 1)'; then
  echo "== engine lane: the policy pack, compiled (npm run build:policy-pack)"
  npm run --silent build:policy-pack
fi

echo "== engine lane: Pulumi CLI from the Go module proxy (cached by version; the first build takes 10 to 25 minutes)"
started=$(date +%s)
CENTRAL_LOGGING_PULUMI_ROOT="$(test/engine/build-cli.sh)"
export CENTRAL_LOGGING_PULUMI_ROOT
echo "== engine lane: CLI ready in $(($(date +%s) - started)) s: $("$CENTRAL_LOGGING_PULUMI_ROOT/bin/pulumi" version)"

echo "== engine lane: scenario"
exec npx mocha --config test/engine/.mocharc.json
