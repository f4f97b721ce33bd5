// rigornet — a proved upper bound on how far a network's output can move when its input
// moves within a ball: ‖φ(y′) − φ(y)‖₂ ≤ L·‖y′ − y‖₂ + J for every y′ with ‖y′ − y‖₂ ≤ ρ
// (the other direction of the stability test, stability.hpp). J accounts for sqrt_θ:
// sqrt_θ is a step function, so a network with sqrt_θ is not Lipschitz, only
// Lipschitz up to an additive term of the order of θ; J = 0 without sqrt_θ (or with
// ar.ideal_sqrt, for the ideal network). The argument is written out in
// docs/stability.md ("The upper bound").
#pragma once
#include <map>
#include <optional>
#include <span>

#include "rigornet/network/network.hpp"
#include "rigornet/linalg/operator_norm.hpp"
#include "rigornet/cs/unrolled.hpp"

namespace rigornet {

/// Upper bounds; each ball's upper end is the bound (a ball that is not finite: no
/// finite bound could be proved, never a wrong one).
struct LocalLipschitz {
    Ball lipschitz;  ///< L
    Ball jump;       ///< J (0 for networks without sqrt_θ, or evaluated with ideal_sqrt)
};

/// L and J such that ‖φ(y′) − φ(y)‖₂ ≤ L‖y′ − y‖₂ + J for every y′ with ‖y′ − y‖₂ ≤ ρ at
/// which φ is defined (φ as ar specifies: the sqrt_θ network, or the ideal one).
/// Layer by layer, with Δ_j the distance of the states after layer j (Δ_0 = ‖y′ − y‖),
/// Δ_j ≤ L_j Δ_0 + J_j, and the reachable states after layer j lie within
/// R_j = L_j ρ + J_j (ℓ2) of the state at y, which is enclosed by evaluating φ at y in
/// balls (evaluate, BallArith). Per layer:
///  - affine z ↦ Az + By + c: L ← ‖A‖L + ‖B‖, J ← ‖A‖J (triangle inequality; the norms
///    from operator_norm_upper);
///  - ReLU, soft threshold: 1-Lipschitz per coordinate;
///  - square on I: |a² − b²| = |a + b||a − b| ≤ 2·max_{i∈I}(|z_i(y)| + R)·|a − b|;
///  - sqrt_θ on I: |sqrt_θ(a) − sqrt_θ(b)| ≤ |√a − √b| + 2^−k (sqrt_θ(x) ∈ (√x − 2^−k, √x]),
///    with |√a − √b| ≤ |a − b|/(2√m) for a, b ≥ m > 0 (no finite bound otherwise);
///  - gate (u, X) ↦ g(u)X: ‖g(u)X − g(u′)X′‖ ≤ G‖X − X′‖ + X̄|g(u) − g(u′)| with
///    G ≥ sup|g|, X̄ ≥ sup‖X‖ over the reachable set and |g(u) − g(u′)| ≤ ℓ|u − u′| + 2D,
///    ℓ the Lipschitz constant of the ideal g (√ for sqrt_θ) and D ≥ sup|g − g_ideal| on
///    the reachable interval of u: gate constant √(G² + X̄²ℓ²) (Cauchy–Schwarz), jump
///    2DX̄; parallel gates on disjoint coordinates combine by the maximum constant and
///    the ℓ2 sum of jumps (Minkowski). ℓ and D come from a pass over g's expression with
///    interval rules (sums, products, quotients away from 0, min/max ≤ the larger
///    constant or the dominating branch, √ away from 0), on the interval split into
///    pieces (ℓ is the maximum over pieces: g_ideal is continuous where it is finite).
/// The bound is valid but can be very loose for deep networks (it multiplies norms
/// layer by layer; see unrolled_lipschitz_upper for solver-aware bounds).
/// `norms` caches operator bounds by address across calls (may be null); it must not
/// outlive the operators it names (a freed address may be reused by another operator).
/// ShapeError if y has the wrong size; DomainError for ρ < 0, an operator without a
/// known norm bound (operator_norm_upper), or where φ(y) itself is undefined (evaluate).
LocalLipschitz local_lipschitz_upper(const Network& phi, std::span<const Rational> y, const Rational& radius,
                                     const BallArith& ar,
                                     std::map<const LinearOperator*, Rational>* norms = nullptr);

/// Through the solver's structure: L and J such that the network φ = build_unrolled(pb,
/// params) satisfies ‖φ(y′) − φ(y)‖₂ ≤ L‖y′ − y‖₂ + J for *all* y, y′ (a global bound),
/// by the iteration each builder realises (unrolled.hpp), with U = operator_norm_upper(A),
/// S the synthesis' bound, every real soft threshold 1-Lipschitz (the prox of a convex
/// function; the ReLU form is an exact identity), and Δ(·) the distance of a quantity
/// between the runs at y and y′ (Δy = ‖y′ − y‖):
///  - ista: z ← S_t(z − τAᵀ(Az − y)); ‖I − τAᵀA‖₂ ≤ c = max(1, τU² − 1) (AᵀA symmetric
///    with spectrum in [0, U²]), so Δz_{k+1} ≤ cΔz_k + τUΔy, Δz_1 ≤ τUΔy;
///  - fista: the same step at w = (1 + β_k)z_k − β_k z_{k−1}:
///    Δz_{k+1} ≤ c((1 + β_k)Δz_k + β_kΔz_{k−1}) + τUΔy;
///  - cp-bp: Δx⁺ ≤ Δx + τUΔd, Δd⁺ ≤ Δd + σU(2Δx⁺ + Δx) + σΔy;
///  - pd, firenet: the same primal–dual step with b = αy (σαΔy in place of σΔy), the
///    projection v ↦ v/max(1, sqrt_θ(‖v‖²)), which is within 2^−k of the exact projection
///    onto the unit ball (1-Lipschitz), hence Δd⁺ ≤ Δv + 2·2^−k (the 2^−k terms go to J);
///    the ergodic sums, restarts and output scale by their exact coefficients;
///  - cp-bp, pd, firenet also in the seminorm of M = [[I/τ, −Aᵀ], [−A, I/σ]] (positive
///    semidefinite: τσ‖A‖² ≤ τσL_A² ≤ 1): a step is the resolvent step of a b-independent
///    monotone operator, nonexpansive in ‖·‖_M, b moves d⁺ by ≤ σ‖Δb‖ (‖·‖_M: √σ‖Δb‖),
///    sqrt_θ by 2·2^−k/√σ, and the primal part obeys ‖Δx⁺‖ ≤ √τ‖Δu‖_M
///    (docs/primal_dual_l2.md); the pair with the smaller L is returned (docs/stability.md).
/// Output: L = S·(bound on the last iterate's L), likewise J. Linear in the iterations for
/// ista and for the primal–dual methods (τσL_A² = 1 included); the triangle inequality
/// alone grows geometrically (still far below the layer-by-layer product).
/// Complex coefficients: the gate soft threshold (sqrt_θ modulus) is within 2^−k of the
/// exact complex prox (1-Lipschitz) in every coordinate, so within √N_c·2^−k as a vector
/// (N_c complex coefficients); every threshold adds 2√N_c·2^−k (two runs) to J, carried
/// through the same recursions (in the metric of M: with the 2σU‖e‖ it causes in d⁺,
/// ‖(a, b)‖_M ≤ ‖a‖/√τ + ‖b‖/√σ). std::nullopt for nesta: use local_lipschitz_upper.
/// Upper bounds at `prec` bits.
std::optional<LocalLipschitz> unrolled_lipschitz_upper(const CsProblem& pb, const SolverParams& params, long prec);

}  // namespace rigornet
