#!/usr/bin/env bash
# The verify lane (`npm run test:verify`): `npm run verify` against moto's server mode, a real
# S3/SQS/KMS/CloudWatch/Organizations API on 127.0.0.1. tools/verify/moto/moto.sh installs moto (pinned,
# cached under ~/.cache/central-logging; needs python3 with venv); each test file starts its own server
# on a free port and stops it afterwards. See docs/operations.md, "Verify delivery".
set -euo pipefail
if [[ $# -gt 0 ]]; then
  if [[ "$1" == "--help" || "$1" == "-h" ]]; then
    cat <<'USAGE'
usage: npm run test:verify

  The verify lane: installs moto (pinned, in a virtualenv under ~/.cache/central-logging; needs python3
  with venv) and runs npm run verify against its server mode on 127.0.0.1 (docs/operations.md, "Testing
  verify").

  --help   this text
USAGE
    exit 0
  fi
  echo "test:verify: (command line): $1: unknown option; see --help" >&2
  exit 2
fi
cd "$(dirname "$0")/../.."

echo "== verify lane: moto's server mode (tools/verify/moto/requirements.txt)"
CENTRAL_LOGGING_MOTO_SERVER="$(tools/verify/moto/moto.sh)"
export CENTRAL_LOGGING_MOTO_SERVER

echo "== verify lane: scenarios"
exec npx mocha --config test/verify/.mocharc.json
