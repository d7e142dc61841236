#!/usr/bin/env bash
# The engine lane (`npm run test:engine`): the real Pulumi engine, built from the published Go modules,
# runs the example organization through `npm run fleet -- --inline` with a stand-in AWS provider and the
# policy pack as an executable analyzer. See docs/operations.md, "The engine lane".
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "== engine lane: Pulumi CLI from the Go module proxy (cached by version; the first build takes 10 to 25 minutes)"
started=$(date +%s)
CENTRAL_LOGGING_PULUMI_ROOT="$(test/engine/build-cli.sh)"
export CENTRAL_LOGGING_PULUMI_ROOT
echo "== engine lane: CLI ready in $(($(date +%s) - started)) s: $("$CENTRAL_LOGGING_PULUMI_ROOT/bin/pulumi" version)"

echo "== engine lane: scenario"
exec npx mocha --config test/engine/.mocharc.json
