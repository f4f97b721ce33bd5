#!/usr/bin/env python3
"""Maps a VNN-LIB property stated in an ONNX network's normalised coordinates (the
VNN-COMP ACAS Xu networks) to the raw coordinates of its NNet twin, whose reader folds
the normalisation into the network (nnet_format.hpp):
  x_raw = x_norm * range_i + mean_i,   y_raw = y_norm * range_out + mean_out.
A constraint sum_j c_j y_norm_j + sum_i a_i x_norm_i <= d becomes, exactly,
  sum_j c_j y_raw_j / range_out + sum_i a_i x_raw_i / range_i
      <= d + mean_out * sum_j c_j / range_out + sum_i a_i mean_i / range_i.
Only the forms the VNN-COMP ACAS Xu properties use are accepted: bounds on single
variables (X_i or Y_j against a constant) and Y_j <= Y_k comparisons; anything else is
refused. Numbers are written as exact decimals or fractions p/q are avoided: every
mapped constant here is c*range+mean or (d*range+mean) with decimal range and mean,
so a decimal (Python's Decimal, exact) is exact.
Usage: vnnlib-to-nnet-coordinates.py NET.nnet IN.vnnlib OUT.vnnlib"""
import re
import sys
from decimal import Decimal, getcontext

getcontext().prec = 200


def header(path):
    nums = []
    with open(path) as f:
        lines = [l for l in f if not l.startswith("//")]
    n_layers, n_in, n_out, _ = [int(t) for t in lines[0].split(",")[:4]]
    vals = lambda i: [Decimal(t) for t in lines[i].strip().strip(",").split(",") if t.strip()]
    mins, maxs, means, ranges = vals(3), vals(4), vals(5), vals(6)
    return n_in, means, ranges


def main():
    net, src, dst = sys.argv[1:4]
    n_in, means, ranges = header(net)
    mean_out, range_out = means[n_in], ranges[n_in]
    out = []
    cmp_var = re.compile(r"\(assert \((<=|>=) ([XY])_(\d+) ([-+0-9.eE]+)\)\)")
    cmp_yy = re.compile(r"\((<=|>=) Y_(\d+) Y_(\d+)\)")
    cmp_yc = re.compile(r"\((<=|>=) Y_(\d+) ([-+0-9.eE]+)\)")
    for line in open(src):
        m = cmp_var.fullmatch(line.strip())
        if m:
            op, v, i, c = m.group(1), m.group(2), int(m.group(3)), Decimal(m.group(4))
            c = c * ranges[i] + means[i] if v == "X" else c * range_out + mean_out
            out.append(f"(assert ({op} {v}_{i} {c:f}))\n")
            continue
        # inside and/or: Y_j <= Y_k is unchanged (range_out > 0); Y_j <= c is mapped
        line = cmp_yc.sub(lambda m: f"({m.group(1)} Y_{m.group(2)} {Decimal(m.group(3)) * range_out + mean_out:f})", line)
        if re.search(r"\((<=|>=) X_", line) and not cmp_var.fullmatch(line.strip()):
            sys.exit(f"{src}: unsupported constraint on X: {line.strip()}")
        out.append(line)
    open(dst, "w").writelines(out)


main()
