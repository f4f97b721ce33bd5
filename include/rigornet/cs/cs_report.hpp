// rigornet — certified quantities of a reconstruction (end of DESIGN.md §6): the
// measured error and the terms of the "Stable Neural Networks Exist" bound, each as
// a ball that contains the true value.
#pragma once
#include <functional>
#include <string>
#include <span>
#include <vector>

#include "rigornet/cs/primal_dual_l2.hpp"
#include "rigornet/cs/cs_problem.hpp"
#include "rigornet/network/evaluate.hpp"

namespace rigornet {

/// σ_{s,M}(c)_{ℓ1_w} = min over (s, M)-sparse z of ‖c − z‖_{1,w}: per level j, the
/// weighted ℓ1 mass of c outside its s_j largest entries (in |c_i|·w_i order, which is
/// the minimiser since the weights are constant on levels). Exact.
/// `levels` gives the level (1…L) of each coefficient, `weights` w_i (empty: 1).
Rational sigma_sparse_in_levels(std::span<const Rational> c, const std::vector<int>& levels,
                                const std::vector<std::size_t>& s, const std::vector<Rational>& weights);

/// The theorem's terms for a signal x (exact) and network input y (exact), in balls:
/// Why each is an enclosure: sparsity — σ is computed exactly in rationals (exact Haar
/// transform, sigma_sparse_in_levels), √(s·r) by arb_sqrt and the quotient by arb_div,
/// each containing the exact value; measurement and operator_effect — x is enclosed
/// in balls, W, A and the true measurement operator are applied in BallArith (each
/// operator's apply encloses its exact image), and l2_distance keeps containment;
/// iteration — exact rational arithmetic on the exact parameters.
struct TheoremTerms {
    Ball sparsity;         // σ_{s,M}(Wx)_{ℓ1_w} / (√s·√r), s = Σ s_j, r = number of levels
    bool has_sparsity = false;  // false for complex problems (not computed)
    Ball measurement;      // ‖A z − y‖₂ with z = W x and A the network's operator
    Ball operator_effect;  // ‖(A − A_true) z‖₂ = ‖A z − P_Ω U x‖ (A_true z = P_Ω U x): 0 unless A is a rational approximation A_n
    Rational iteration;    // ν^n for FIRENET (the e^−n term with ν = e^−1), L_A/n otherwise: exact
};
/// x is (Re | Im) for complex setups. Throws DomainError if x has the wrong size.
TheoremTerms theorem_terms(const CsSetup& setup, const SolverParams& params, std::span<const Rational> x,
                           std::span<const Rational> y, long prec);

/// A starting precision for ball evaluation of net over N values: componentwise ball
/// radii grow by about √N per transform (the wrapping effect: ‖|U|‖₂ = √N for an
/// orthonormal N-point U), so a network of depth L needs about L·log2(N)/2 bits beyond
/// the target accuracy: max(128, 64 + L·bit_width(N)/2). A heuristic, not a guarantee
/// (evaluate_ball_adaptive checks the outputs).
long initial_ball_bits(const Network& net, std::size_t N);

/// Balls enclosing net(y) for the exact input y, and the arithmetic that gave them.
struct AdaptiveBalls {
    std::vector<Ball> out;
    long bits = 0;          // BallArith's precision (0 when a fast path gave the balls)
    bool accurate = false;  // every output finite with radius < 2^−accuracy_bits
    /// The fast path that gave the balls: "l2" (evaluate_l2), "midrad"
    /// (evaluate_midrad_balls), or empty (BallArith at `bits`).
    std::string fast;
    double l2_radius = 0;     // the proved ℓ2 radius when fast is "l2"
    std::string l2_method;    // "primal-dual metric" (evaluate_primal_dual_l2) or "layers" (evaluate_l2)
    std::string l2_fallback;  // why the ℓ2 path was not used, when it was tried
    /// "l2", "midrad" or "ball:BITS": the arithmetic that produced the balls (JSON arith_used).
    std::string arith_used() const { return fast.empty() ? "ball:" + std::to_string(bits) : fast; }
};
/// Evaluates net at y in BallArith{bits} (not ideal: sqrt_θ as the network computes it),
/// bits = start_bits, 2·start_bits, … (precision_doubling): stops at the first precision where every output
/// ball is finite with radius < 2^−accuracy_bits, or after the evaluation at the first
/// precision ≥ max_bits (then `accurate` is false and the balls may be wide or
/// infinite, still enclosures). start_bits ≥ max_bits evaluates once. Every returned
/// ball contains the exact output (BallArith's containment). `on_attempt`, if set, is
/// called with the precision before each evaluation; `progress` after every layer.
/// With fast_first, two fast paths are tried first: the double evaluation with a proved
/// ℓ2 radius ρ on the whole output (every output x_i ∈ mid_i ± ρ since |x_i − mid_i| ≤
/// ‖x − mid‖₂) — evaluate_primal_dual_l2 when `solver` gives net's primal–dual layout
/// (net must be the build_unrolled network it describes), else evaluate_l2 — used when
/// ρ < 2^−accuracy_bits·max(1, ‖mid‖₂), i.e. to accuracy_bits in norm (absolute for
/// outputs of norm ≤ 1, relative beyond: a normwise bound certifies normwise accuracy,
/// which is what reconstruct reports); then midpoint–radius doubles
/// (evaluate_midrad_balls, midrad_eval.hpp), kept when every radius is below
/// 2^−accuracy_bits; only otherwise the ball loop runs.
AdaptiveBalls evaluate_ball_adaptive(const Network& net, const std::vector<Rational>& y, long start_bits,
                                     long max_bits, long accuracy_bits, const std::function<void(long)>& on_attempt = {},
                                     const Progress& progress = {}, bool fast_first = false,
                                     const PrimalDualLayout* solver = nullptr);

}  // namespace rigornet
