#!/usr/bin/env python3
"""Writes a random ReLU network in NNet format with Glorot-uniform weights and biases
(uniform on ±scale·√(6/(fan_in + fan_out)), six decimals), identity normalisation.
The networks of the README's exact Lipschitz measurements:
    scripts/glorot-nnet.py SEED SCALE OUT.nnet [10,30,30,30,3]"""
import random
import sys

if len(sys.argv) < 4:
    sys.exit(__doc__)
seed, scale, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
dims = [int(x) for x in (sys.argv[4] if len(sys.argv) > 4 else "10,30,30,30,3").split(",")]
rng = random.Random(seed)
n = dims[0]
lines = ["// random Glorot-uniform network (scripts/glorot-nnet.py %d %g)" % (seed, scale),
         "%d,%d,%d,%d," % (len(dims) - 1, n, dims[-1], max(dims)),
         ",".join(map(str, dims)) + ",", "0,",
         ",".join(["-100.0"] * n) + ",", ",".join(["100.0"] * n) + ",",
         ",".join(["0.0"] * (n + 1)) + ",", ",".join(["1.0"] * (n + 1)) + ","]
for k in range(len(dims) - 1):
    a = scale * (6.0 / (dims[k] + dims[k + 1])) ** 0.5
    for i in range(dims[k + 1]):
        lines.append(",".join("%.6f" % rng.uniform(-a, a) for _ in range(dims[k])) + ",")
    for i in range(dims[k + 1]):
        lines.append("%.6f," % rng.uniform(-a, a))
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
