#!/usr/bin/env bash
# Runs each example program and compares its output with examples/NAME.expected.
set -u
status=0
for bin in "$@"; do
  name=$(basename "$bin")
  expected="examples/$name.expected"
  if [ ! -f "$expected" ]; then echo "example $name: missing $expected"; status=1; continue; fi
  if diff -u "$expected" <("$bin"); then echo "example $name: ok"; else echo "example $name: FAILED"; status=1; fi
done
exit $status
