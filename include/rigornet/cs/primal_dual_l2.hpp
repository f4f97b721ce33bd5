// rigornet — certified double evaluation of the primal–dual networks (FIRENET and the
// unrestarted pd network of unrolled.hpp) with a proved ℓ2 radius that adds up step by
// step instead of multiplying: the rounding of each step is bounded layer by layer
// (network/evaluate_l2.hpp), and carried from step to step through the primal–dual
// metric, in which a step of the exact iteration is nonexpansive (issue 9, item 3;
// docs/primal_dual_l2.md). evaluate_l2's layer-by-layer product grows geometrically.
#pragma once
#include <optional>
#include <vector>

#include "rigornet/cs/unrolled.hpp"
#include "rigornet/network/evaluate_l2.hpp"

namespace rigornet {

/// How build_unrolled(problem, params) lays out a primal–dual network: layer 0 sets the
/// state [g | x | d | s] (widths 1, N, M, N); then `blocks` blocks (FIRENET's restarts;
/// 1 for pd), each a restart layer (not the first) and `steps` primal–dual steps of six
/// layers (affine, ReLU, affine, square, affine, gate: unrolled.cpp, pd_step); then the
/// output layer. τ, σ, θ are the network's steps and the θ of its sqrt_θ gate.
struct PrimalDualLayout {
    std::size_t N = 0, M = 0;
    int blocks = 1, steps = 1;
    Rational tau, sigma, theta;
};

/// The layout of build_unrolled(problem, params) when it is a primal–dual network with
/// real coefficients (solver firenet or pd); std::nullopt otherwise (other solvers;
/// complex coefficients, whose gate soft threshold is not covered here).
std::optional<PrimalDualLayout> primal_dual_layout(const CsProblem& problem, const SolverParams& params);

/// φ(y) in double, φ = build_unrolled(problem, params) with layout = primal_dual_layout(
/// problem, params) (the caller's contract; the layer kinds, widths and which blocks the
/// restart and output layers read are checked, and a mismatch throws DomainError), with
/// a proved bound ‖mid − φ(y)‖₂ ≤ radius, mid bit for bit evaluate(net, DoubleArith, ŷ).
///
/// Why it holds (docs/primal_dual_l2.md). Write u = (x, d) and T for the ideal step
/// x⁺ = S_{τλw}(x − τAᵀd), d⁺ = P(d + σA(2x⁺ − x) − σb), P the projection onto the unit
/// ball, b = αy: the primal–dual (Chambolle–Pock) step on min λ‖x‖_{1,w} + ‖Ax − b‖₂.
/// With M = [[I/τ, −Aᵀ], [−A, I/σ]], positive semidefinite since τσ‖A‖² ≤ 1 (the
/// builder checks τσL_A² ≤ 1), T is the resolvent step of a monotone operator in M, so
/// ‖T(u) − T(u′)‖_M ≤ ‖u − u′‖_M (He–Yuan 2012; the seminorm suffices), and its primal
/// part satisfies ‖x⁺ − x′⁺‖ ≤ ‖Δx − τAᵀΔd‖ ≤ √τ‖u − u′‖_M (S is 1-Lipschitz;
/// τ‖AᵀΔd‖² ≤ ‖Δd‖²/σ). The network's step differs from T only in its gate
/// d⁺ = v/max(1, sqrt_θ(‖v‖²)), within θ of P(v). So with E ≥ ‖û − u‖_M and S ≥ ‖ŝ − s‖
/// (hats: the doubles; u, s: the exact network at the exact y), ρ the rounding of the
/// step's first three layers (L2LayerBound from ρ = 0 at ŷ, which covers ŷ ≠ y too; they
/// compute T's x⁺ and v), and g the gate rule at the exact q = ‖v̂‖² (enclosed by a
/// midpoint–radius sum; P is 1-Lipschitz, so v's error carries through it):
///   E ← E + ρ(1/√τ + 1/√σ) + (g + θ)/√σ + θ/√σ,   S ← (k·S + √τ·E_before)/(k + 1) + ρ
/// at the block's step k (s is the running average of the block's iterates), using
/// ‖(a, b)‖_M ≤ ‖a‖/√τ + ‖b‖/√σ (one θ for each of the two runs). A restart (x = c·s,
/// d = s = 0) and the output (synthesis of c·s) read s only: error ≤ ‖A_layer‖·S + β,
/// β their own rounding. No τσL_A² < 1 is needed and there is no factor per restart: for
/// a fixed scale α the radius grows linearly in the steps (pd). FIRENET's α_j =
/// 2L_A/(ε_j p) makes the unscaled effect of a step's absolute errors (the dual's, θ's)
/// grow like p; choose θ well below the accuracy wanted.
/// All bound arithmetic rounds upward. radii: S after each step (one per step).
/// Where L2LayerBound proves nothing (e.g. FourierSampling's FFTW path), radius = +∞
/// and failed_layer/reason say where and why; mid is still computed.
/// ShapeError for a wrong input size.
L2Evaluation evaluate_primal_dual_l2(const Network& net, const PrimalDualLayout& layout, const std::vector<Rational>& y,
                                     const Progress& progress = {});

}  // namespace rigornet
