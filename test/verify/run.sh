#!/usr/bin/env bash
# The verify lane (`npm run test:verify`): `npm run verify` against moto's server mode, a real
# S3/SQS/KMS/CloudWatch/Organizations API on 127.0.0.1. tools/verify/moto/moto.sh installs moto (pinned,
# cached under ~/.cache/central-logging; needs python3 with venv); each test file starts its own server
# on a free port and stops it afterwards. See docs/operations.md, "Verify delivery".
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "== verify lane: moto's server mode (tools/verify/moto/requirements.txt)"
CENTRAL_LOGGING_MOTO_SERVER="$(tools/verify/moto/moto.sh)"
export CENTRAL_LOGGING_MOTO_SERVER

echo "== verify lane: scenarios"
exec npx mocha --config test/verify/.mocharc.json
