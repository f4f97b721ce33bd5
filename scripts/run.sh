#!/usr/bin/env bash
# `make run`: the main job on built-in data.
set -euo pipefail
cli=$1
mkdir -p out
say() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }
say "sqrt_theta: the rational square root within theta, with a proved error bound" \
    "$cli" sqrt 2 --theta 1e-30
net=examples/networks/unit_ball_projection.json
say "Projection onto the unit ball (a sqrt_theta gate), exact" \
    "$cli" eval "$net" --input 0.3,-2 --arith exact
say "... in 128-bit balls, with the ideal network (true sqrt) and the effect of theta" \
    "$cli" eval "$net" --input 0.3,-2 --arith ball:128 --ideal
say "... in double, with a proved bound on the floating-point error" \
    "$cli" eval "$net" --input 0.3,-2 --arith double
nnet=examples/networks/tiny.nnet
say "An NNet network (input clipping and normalisation included), exact" \
    "$cli" eval "$nnet" --input 5,-3 --arith exact
say "... read as binary64 (the network as deployed)" \
    "$cli" eval "$nnet" --input 5,-3 --arith exact --nnet-reading binary64
say "FIRENET (restarted primal-dual network) reconstructs the 128x128 phantom from 20 % Fourier samples" \
    "$cli" reconstruct --phantom 128 --modality fourier --rate 0.2 --solver firenet --lambda 0.001 --arith double --out out/firenet_phantom128.png
echo "(the reconstruction is in out/firenet_phantom128.png)"
say "FIRENET's error against restarts, certified in balls (the theorem's terms beside it; plot in out/firenet_decay.*)" \
    "$cli" table firenet-decay --plot out/firenet_decay
say "Lipschitz sandwich of the NNet network: witnessed lower bound, exact L, proved upper bounds" \
    "$cli" lipschitz "$nnet" --norm inf --exact
say "Seed 001's table for x - sum g_r(x)/4^r, reproduced exactly" \
    "$cli" table takagi
say "Seed 003 / PNAS Table 1: FIRENET on inexact input never has K digits (proved; p = 20, 10 restarts; plot in out/inexact_input.*; the paper's p = 50, 30 restarts: make proofs-long)" \
    "$cli" table inexact-input --inner 20 --restarts 10 --plot out/inexact_input
say "A user problem as files: a 21x22 dense matrix and its measurements, FIRENET in balls with the proved ||A||" \
    "$cli" reconstruct --matrix examples/problems/dense21x22.mtx --measurements examples/problems/dense21x22_y.json --reference examples/problems/dense21x22_z.json --arith ball --inner 100 --restarts 10
