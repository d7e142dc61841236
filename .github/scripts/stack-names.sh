#!/usr/bin/env bash
# Sourced by the other scripts: turns stack names (one per line on standard input) into a JSON list,
# refusing any name outside ^[A-Za-z0-9._-]+$ before it reaches a workflow matrix or a command line.
stack_names_json() {
  local name first=1
  printf '['
  while IFS= read -r name; do
    [ -n "$name" ] || continue
    if ! [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]]; then
      printf '\n%s: stack name %q: expected letters, digits, . _ - only\n' "$0" "$name" >&2
      return 2
    fi
    if [ "$first" = 1 ]; then first=0; else printf ','; fi
    printf '"%s"' "$name"
  done
  printf ']'
}
