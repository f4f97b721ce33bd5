#!/usr/bin/env bash
# Compile-fail tests: every tests/compile_fail/*.cpp must NOT compile, with diagnostics
# containing the text of its "// expect:" line (so it fails for the intended reason),
# and must compile with -DRIGORNET_CONTROL (its positive control, so the test can fail).
# Usage: check-compile-fail.sh COMPILER [FLAGS...]
set -u
status=0
for f in tests/compile_fail/*.cpp; do
    expect=$(sed -n 's|^// expect: ||p' "$f")
    if [ -z "$expect" ]; then
        echo "FAIL $f: no '// expect:' line"
        status=1
        continue
    fi
    if ! out=$("$@" -fsyntax-only -DRIGORNET_CONTROL "$f" 2>&1); then
        echo "FAIL $f: the control (-DRIGORNET_CONTROL) does not compile:"
        echo "$out" | head -30
        status=1
    elif out=$("$@" -fsyntax-only "$f" 2>&1); then
        echo "FAIL $f: compiles, but must not"
        status=1
    elif ! grep -qF -- "$expect" <<<"$out"; then
        echo "FAIL $f: refused, but the diagnostics do not say '$expect':"
        echo "$out" | head -40
        status=1
    else
        echo "ok   $f: refused ($expect); control compiles"
    fi
done
exit $status
