#!/usr/bin/env bash
# Prints `members=<JSON list>` for GitHub Actions: every stack whose config says role member.
set -euo pipefail
# shellcheck source=.github/scripts/stack-names.sh
source "$(dirname "$0")/stack-names.sh"
members=$(grep -lE '^\s*central-logging:role:\s*member\s*$' Pulumi.*.yaml | sed -E 's/^Pulumi\.(.+)\.yaml$/\1/' || true)
json=$(stack_names_json <<< "$members")
printf 'members=%s\n' "$json"
