#!/usr/bin/env bash
# Prints `stacks=<JSON list>` for GitHub Actions: the stacks whose Pulumi.<stack>.yaml changed since the
# base ref, or every stack when anything else that the programs run changed.
set -euo pipefail
# shellcheck source=.github/scripts/stack-names.sh
source "$(dirname "$0")/stack-names.sh"
base="$1"
all=$(find . -maxdepth 1 -name 'Pulumi.*.yaml' | sed -E 's|^\./Pulumi\.(.+)\.yaml$|\1|' | sort)
changed=$(git diff --name-only "$base"...HEAD)
if grep -qvE '^(Pulumi\.[^/]+\.yaml|docs/.*|README\.md|\.github/.*)$' <<< "$changed"; then
  stacks="$all"
else
  stacks=$(sed -nE 's/^Pulumi\.(.+)\.yaml$/\1/p' <<< "$changed")
fi
json=$(stack_names_json <<< "$stacks")
printf 'stacks=%s\n' "$json"
