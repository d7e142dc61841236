#!/usr/bin/env bash
# Installs moto's server mode (tools/verify/moto/requirements.txt) into a virtualenv under the user cache,
# keyed by the requirements' hash, and prints the path of its moto_server. Needs python3 with venv.
# Used by `npm run test:verify` and `npm run bench:verify`; the first run takes about 25 s.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
requirements="$here/requirements.txt"
python="${PYTHON:-python3}"
if ! command -v "$python" > /dev/null; then
  echo "moto.sh: $python not found: install Python 3.9 or newer with venv (Debian: apt-get install python3-venv)" >&2
  exit 2
fi
if command -v sha256sum > /dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi # macOS has shasum
hash="$("${sum[@]}" "$requirements" | cut -c1-12)"
venv="${CENTRAL_LOGGING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/central-logging}/moto-$hash"
# A virtualenv cannot be moved (its scripts name their interpreter by path): build it in place, and
# mark it complete last, so that an interrupted install is redone.
if [ ! -f "$venv/.complete" ]; then
  echo "moto.sh: installing moto into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
  touch "$venv/.complete"
fi
echo "$venv/bin/moto_server"
