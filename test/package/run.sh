#!/usr/bin/env bash
# The package lane (`npm run test:package`): packs the project as a consumer gets it (npm pack, whose
# prepack builds dist/ with tsc), installs the tarball into a throwaway Pulumi program in a temporary
# folder (from the npm cache, the network only for what it lacks), type-checks the README's "Use the
# components in your own program" snippet there and runs it under Pulumi's mocks. See test/package/lane.ts.
set -euo pipefail
if [[ $# -gt 0 ]]; then
  if [[ "$1" == "--help" || "$1" == "-h" ]]; then
    cat <<'USAGE'
usage: npm run test:package

  Packs the project (npm pack; prepack compiles dist/ with tsc), checks what the tarball holds (compiled
  JavaScript and type declarations, the exports map, no install scripts), installs it into a throwaway
  Pulumi program in a temporary folder (npm install --prefer-offline, from the npm cache), type-checks the
  README's "Use the components in your own program" snippet there and runs it under Pulumi's mocks.

  --help   this text
USAGE
    exit 0
  fi
  echo "test:package: (command line): $1: unknown option; see --help" >&2
  exit 2
fi
cd "$(dirname "$0")/../.."
exec node -r ts-node/register/transpile-only test/package/lane.ts
