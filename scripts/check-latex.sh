#!/usr/bin/env bash
# Compiles the publication output with pdflatex: every quick table's --format latex inside
# a minimal document with booktabs, and a PGFPlots plot (.tex) as written. Fails on the
# first LaTeX error. Without pdflatex (scripts/install-deps.sh installs it) it says so and
# passes: the LaTeX is then only checked by the unit tests' escaping rules.
set -euo pipefail
cli=${1:-bin/rigornet}
if ! command -v pdflatex > /dev/null; then
    echo "check-latex: pdflatex not found, LaTeX compilation not checked (scripts/install-deps.sh installs TeX Live)"
    exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
compile() {  # FILE.tex
    if ! (cd "$dir" && pdflatex -interaction=nonstopmode -halt-on-error "$(basename "$1")" > "$1.log" 2>&1); then
        echo "check-latex: $1 does not compile:"
        grep -A3 '^!' "$1.log" | head -20
        exit 1
    fi
}
n=0
for t in "takagi --max-l 3" "xy-multiplier --max-l 2" "random-relu --draws 5" "cnn-lp" "alexnet" \
         "firenet-decay --size 8 --restarts 2 --inner 5" "inexact-input --k-values 1 --n-values 10 --restarts 2 --inner 5"; do
    n=$((n + 1))
    {
        printf '\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n'
        "$cli" table $t --format latex
        printf '\\end{document}\n'
    } > "$dir/table$n.tex"
    compile "$dir/table$n.tex"
done
"$cli" table firenet-decay --size 8 --restarts 3 --inner 5 --plot "$dir/decay" > /dev/null 2>&1
compile "$dir/decay.tex"
echo "check-latex: $n tables and 1 PGFPlots plot compile with pdflatex"
