#!/usr/bin/env bash
# Prints `members=<JSON list>` for GitHub Actions: every stack whose config says role member.
set -euo pipefail
members=$(grep -lE '^\s*central-logging:role:\s*member\s*$' Pulumi.*.yaml | sed -E 's/^Pulumi\.(.+)\.yaml$/\1/')
printf 'members=%s\n' "$(printf '%s\n' $members | sed '/^$/d' | node -e 'const l=require("fs").readFileSync(0,"utf8").split("\n").filter(Boolean);process.stdout.write(JSON.stringify(l))')"
