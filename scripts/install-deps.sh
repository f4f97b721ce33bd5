#!/usr/bin/env bash
# Installs the Debian packages rigornet builds against, if any is missing.
# Idempotent: does nothing (and needs no root) when everything is present.
set -euo pipefail
packages=(g++ make libgmp-dev libmpfr-dev libflint-dev libflint-arb-dev libfftw3-dev
          libboost-dev catch2 nlohmann-json3-dev libcli11-dev libstb-dev libqsopt-ex-dev
          libonnx-dev libprotobuf-dev pkg-config libcairo2-dev fonts-dejavu-core
          nettle-dev
          texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-pictures)
# (TeX Live: only for `make check`'s compilation of the LaTeX tables and PGFPlots plots,
# scripts/check-latex.sh; everything else runs without it.)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "rigornet: installing missing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "rigornet: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}"; then
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
