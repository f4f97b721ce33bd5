// rigornet — proved normwise (ℓ2) error bounds for applying a linear operator in
// binary64 (DoubleArith): the ingredient of evaluate_l2 (network/evaluate_l2.hpp).
//
// Model (as for TrackedDoubleArith, arith.hpp): round to nearest, u = 2^−53, every
// operation rounded separately (the build disables FMA contraction); a sum or
// difference is fl(a ± b) = (a ± b)(1 + δ), |δ| ≤ u (exact when subnormal), a product
// fl(ab) = ab(1 + δ) + ε, |δ| ≤ u, |ε| ≤ η = 2^−1074 — valid while nothing overflows.
// All bound arithmetic here rounds upward (tracked_detail::uadd/umul step one ulp up).
#pragma once
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>

#include "rigornet/number/arith.hpp"

namespace rigornet {

/// What an operator M proves about its DoubleArith apply and adjoint, for every finite
/// double vector x̂ (fl(·) the double computation, M x̂ the exact product of the same x̂):
///   ‖M‖₂ = ‖Mᵀ‖₂ ≤ norm;
///   ‖fl(M x̂) − M x̂‖₂ ≤ rel·‖x̂‖₂ + abs   (and likewise for fl(Mᵀ x̂));
///   every value computed on the way has magnitude ≤ growth·(‖x̂‖₂ + 1).
/// The second line presumes no overflow; the third excludes it when
/// growth·(‖x̂‖₂ + 1) ≤ 2^1000 (double_error_guard), which callers check first.
/// A default-constructed bound (all +∞) claims nothing.
struct DoubleErrorBound {
    static constexpr double inf = std::numeric_limits<double>::infinity();
    double norm = inf, rel = inf, abs = inf, growth = inf;
    /// Whether every field is finite (a usable claim).
    bool claims() const { return norm < inf && rel < inf && abs < inf && growth < inf; }
    /// The exact identity map (and any coordinate selection/scatter): norm 1, no error.
    static DoubleErrorBound exact_isometry() { return {1.0, 0.0, 0.0, 1.0}; }
};

/// 2^1000: values below it cannot overflow in one more rounded operation of the kinds
/// bounded here (sums of two, products with factors the growth bounds cover).
inline constexpr double double_error_guard = 0x1p1000;

/// An upper bound on ‖x‖₂ (+∞ if a value is not finite): the squares of â_i =
/// RN(|x_i|·2^−e) summed in round to nearest, any order, so |ŝ − Σâ_i²| ≤ γ_{n+4}Σâ_i² +
/// nη (Higham (3.4), η per underflowing square), and ‖a‖ ≤ ‖â‖ + √n·η (â_i within η of
/// the scaled |x_i|); relative overestimate about (n + 4)u.
double norm2_upper(std::span<const double> x);

/// Error chain through stages z_k = T_k z_{k−1} (‖T_k‖ ≤ t) computed as
/// ẑ_k = T_k ẑ_{k−1} + f_k with ‖f_k‖ ≤ eps·t·‖ẑ_{k−1}‖ + eta. By induction
/// ‖ẑ_k‖ ≤ a‖x̂‖ + b and ‖ẑ_k − T_k⋯T_1 x̂‖ ≤ rel‖x̂‖ + abs, with the updates
///   rel ← t·rel + eps·t·a,  abs ← t·abs + eps·t·b + eta,  a ← t(1+eps)a,  b ← t(1+eps)b + eta
/// (the error is T_k e_{k−1} + f_k). peak tracks max a over the stages.
struct ErrorChain {
    double a = 1, b = 0, rel = 0, abs = 0, peak = 1;
    void stage(double t, double eps, double eta);
};

/// Bound of M₁M₂ (fl(M₁ fl(M₂ x̂))) from those of M₁ and M₂ (apply; the adjoint
/// M₂ᵀM₁ᵀ the same with the roles swapped, covered because both bounds hold for
/// adjoints too and the formula is taken as the larger of the two orders):
/// ẑ = fl(M₂x̂) has ‖ẑ‖ ≤ (n₂ + r₂)‖x̂‖ + a₂, and
/// fl(M₁ẑ) − M₁M₂x̂ = (fl(M₁ẑ) − M₁ẑ) + M₁(ẑ − M₂x̂), so
/// rel = r₁(n₂ + r₂) + n₁r₂, abs = r₁a₂ + a₁ + n₁a₂; norm = n₁n₂;
/// growth = max(g₂, g₁·max(n₂ + r₂, 1 + a₂)) (as ‖ẑ‖ + 1 ≤ max(n₂ + r₂, 1 + a₂)(‖x̂‖ + 1)).
DoubleErrorBound compose_bounds(const DoubleErrorBound& outer, const DoubleErrorBound& inner);

}  // namespace rigornet
