#!/usr/bin/env bash
# Prints `stacks=<JSON list>` for GitHub Actions: the stacks whose Pulumi.<stack>.yaml changed since the
# base ref, or every stack when anything else that the programs run changed.
set -euo pipefail
base="$1"
all=$(ls Pulumi.*.yaml | sed -E 's/^Pulumi\.(.+)\.yaml$/\1/')
changed=$(git diff --name-only "$base"...HEAD)
if echo "$changed" | grep -qvE '^(Pulumi\.[^/]+\.yaml|docs/.*|README\.md|\.github/.*)$'; then
  stacks="$all"
else
  stacks=$(echo "$changed" | sed -nE 's/^Pulumi\.(.+)\.yaml$/\1/p')
fi
printf 'stacks=%s\n' "$(printf '%s\n' $stacks | sed '/^$/d' | node -e 'const l=require("fs").readFileSync(0,"utf8").split("\n").filter(Boolean);process.stdout.write(JSON.stringify(l))')"
