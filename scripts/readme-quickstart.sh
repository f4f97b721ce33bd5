#!/usr/bin/env bash
# Keeps README.md true: runs every `rigornet ...` command shown in its code blocks
# (lines starting with "$ rigornet") and fails if one exits non-zero.
set -u
cli=$1
status=0
count=0
while IFS= read -r line; do
  cmd=${line#\$ rigornet }
  count=$((count + 1))
  if ! eval "\"$cli\" $cmd" >/dev/null 2>/tmp/rigornet-readme.err; then
    echo "README command failed: rigornet $cmd"; cat /tmp/rigornet-readme.err; status=1
  fi
done < <(grep -E '^\$ rigornet ' README.md)
echo "README commands: $count run, $([ $status -eq 0 ] && echo all passed || echo some FAILED)"
exit $status
