// rigornet — the stability test of seed 003 ("A stability test", Antun et al. 2020):
// search a perturbation r of the signal whose measurements A r move the reconstruction
// φ(y + A r) far from φ(y), then certify what was found.
//
// The search is floating point (it finds a candidate); the certificate re-evaluates the
// candidate in ball arithmetic, so the reported worst case is proved for the exact
// rationals r (the search's doubles, converted exactly) and y. That is the witnessed
// lower side; stability_upper (below) is the proved upper side.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rigornet/analysis/local_lipschitz.hpp"
#include "rigornet/cs/primal_dual_l2.hpp"
#include "rigornet/network/network.hpp"

namespace rigornet {

/// Parameters of the gradient ascent with momentum (heavy ball) on
///   Q(r) = ½‖φ(y + A r) − x‖₂² − (λ/2)‖r‖₂²:
///   v ← μ·v + step·∇Q(r),  r ← r + v,  then r ← ρ·r/‖r‖₂ if a radius ρ is set and
///   ‖r‖₂ > ρ (projection onto the ball), starting from v = 0 and r_0 with entries
///   uniform in [−initial_scale, initial_scale] drawn from `seed` (a fixed mapping of
///   mt19937_64 draws, so the same on every platform), projected likewise.
struct StabilityOptions {
    double lambda = 0.0;                ///< λ ≥ 0, the penalty on ‖r‖
    double step = 1e-2;                 ///< step size > 0
    double momentum = 0.9;              ///< μ ∈ [0, 1)
    int iterations = 100;               ///< number of ascent steps ≥ 0
    std::optional<double> radius;       ///< ρ > 0: projected ascent onto ‖r‖₂ ≤ ρ
    double initial_scale = 1e-3;        ///< ≥ 0
    std::uint64_t seed = 0;
    /// Nesterov momentum instead of the heavy ball: v ← μv + step·∇Q(θ + μv), θ ← θ + v,
    /// run in the form r = θ + μv (Sutskever et al. 2013, eq. 7 rewritten): one gradient
    /// per step, v ← μv + step·g, r ← r + μv + step·g with g = ∇Q(r); the iterates r (the
    /// look-ahead points) are the candidates, projected as above.
    bool nesterov = false;
    bool verbose = false;               ///< progress line to stderr every ~10 % of the iterations
};

/// What the search found (floating-point estimates, no guarantee).
struct StabilitySearch {
    std::vector<double> r;           ///< the iterate with the largest Q (see below)
    double r_norm = 0.0;             ///< ‖r‖₂
    double change = 0.0;             ///< ‖φ(y + A r) − φ(y)‖₂
    std::vector<double> objective;   ///< Q(r_k) for k = 0 … iterations (r_0 first)
    int best_iteration = 0;          ///< k of the returned r
};

/// Maximises Q by the ascent of StabilityOptions, gradients through the network by
/// reverse mode (∇Q(r) = Aᵀ J_φ(y + A r)ᵀ (φ(y + A r) − x) − λ r, vjp in gradient.hpp,
/// Aᵀ by A.adjoint), all in DoubleArith. Returns the iterate of largest Q (momentum
/// may overshoot, so this need not be the last). With a radius, the returned r satisfies
/// ‖r‖₂ ≤ ρ exactly: its squared norm is checked in rational arithmetic against ρ², and r
/// is shrunk by factors 1 − 2⁻²⁰ until it passes (floating-point projection can land a
/// few ulps outside). Stops early if Q or the gradient is not finite.
/// Shapes: A is m × N with m = φ.input_dim(), y has m entries, x has φ.output_dim();
/// ShapeError otherwise. DomainError for a parameter outside its range.
StabilitySearch stability_search(const Network& phi, const LinearOperator& A, std::span<const double> y,
                                 std::span<const double> x, const StabilityOptions& options);

/// A certified re-evaluation of a perturbation.
struct CertifiedPerturbation {
    std::vector<Rational> r;  ///< the perturbation, exactly: the given doubles
    Ball r_norm;              ///< contains ‖r‖₂
    Ball change;              ///< contains ‖φ(y + A r) − φ(y)‖₂
    long prec = 0;            ///< the working precision that produced the balls
    bool exact_moved = false;  ///< φ(y + A r) was evaluated exactly (certify_perturbation_adaptive's fallback)
    bool exact_base = false;   ///< φ(y) was evaluated exactly (likewise)
    /// The two outputs came from the ℓ2 fast path (certify_perturbation_l2): doubles with
    /// proved ℓ2 radii whose sum is l2_radius.
    bool l2 = false;
    double l2_radius = 0;
};

/// Encloses ‖r‖₂ and ‖φ(y + A r) − φ(y)‖₂ for the exact rationals y and r (r the doubles
/// given, converted exactly by Rational::from_double) and the network evaluated as ar
/// specifies (the sqrt_θ network, or with ar.ideal_sqrt the ideal √ one).
/// Why: y + A r is enclosed by A.apply in BallArith (operator contract), φ at it and at y
/// by evaluate in BallArith (each output contains the exact value), and the differences,
/// the sum of squares and arb_sqrtpos (√ of the non-negative part) keep containment.
/// Not exact: the radii come from Arb's rounding at ar.prec (and from A's entries when A
/// is irrational). Where exact evaluation is undefined (a gate dividing by exactly 0)
/// the enclosure may be infinite: no claim, never a wrong one.
/// ShapeError for mismatched sizes, DomainError for a non-finite entry of r.
CertifiedPerturbation certify_perturbation(const Network& phi, const LinearOperator& A, std::span<const Rational> y,
                                           std::span<const double> r, const BallArith& ar);

/// certify_perturbation at precisions ar.prec, 2·ar.prec, 4·ar.prec, … (precision_doubling:
/// up to the first precision ≥ max_prec) until the change's enclosure is finite and
/// accurate to accuracy_bits (relative accuracy, or radius ≤ 2^−accuracy_bits when the
/// change is near 0); returns the first result that is, else the one at the highest
/// precision tried. Needed for deep
/// networks: a ball's radius grows with ‖|A_j|‖ at every layer (‖|U|‖₂ = √N for an
/// orthonormal N-point Walsh or Fourier matrix U), so a fixed precision that suffices
/// for a few layers can give an infinite enclosure after hundreds. Every result carries
/// the guarantee of certify_perturbation; only its width depends on the search.
/// If the change is still not accurate and exact_seconds > 0, each of φ(y), φ(y + A r)
/// with an output ball that is not accurate (finite, to accuracy_bits) is evaluated in ExactArith instead (exact_base /
/// exact_moved say which), given up without a claim when A has no exact form (the
/// DFT), the exact values outgrow ExactArith's limits or the exact evaluations together
/// run past exact_seconds. Why this is needed: where the exact trajectory lies on a step
/// of sqrt_θ (|u|² a dyadic square s²/4^k, common for dyadic images under the Walsh and
/// Haar transforms), every ball straddles the step and carries its jump 2^−k, which the
/// affine layers amplify geometrically (‖|M|‖ > ‖M‖): no precision makes it accurate.
/// The result's change still encloses the exact change (exact values enclosed at prec).
CertifiedPerturbation certify_perturbation_adaptive(const Network& phi, const LinearOperator& A,
                                                    std::span<const Rational> y, std::span<const double> r,
                                                    BallArith ar, long max_prec, long accuracy_bits,
                                                    double exact_seconds = 0);

/// The fast path of certify_perturbation for a primal–dual network (phi =
/// build_unrolled(pb, params), layout = primal_dual_layout(pb, params)): φ(y) and
/// φ(y + Ar) in double with proved ℓ2 radii ρ, ρ′ (evaluate_primal_dual_l2; y + Ar
/// computed exactly), so ‖φ(y + Ar) − φ(y)‖ ∈ ‖m′ − m‖ ± (ρ + ρ′) (triangle inequality;
/// ‖m′ − m‖ enclosed in 128-bit balls from the exact doubles). std::nullopt when A has
/// no exact rational form, a radius is not finite, or the change is not accurate to
/// accuracy_bits in certify_perturbation_adaptive's sense: then use that.
/// ShapeError, DomainError as for certify_perturbation.
std::optional<CertifiedPerturbation> certify_perturbation_l2(const Network& phi, const PrimalDualLayout& layout,
                                                             const LinearOperator& A, std::span<const Rational> y,
                                                             std::span<const double> r, long accuracy_bits);

/// The proved direction of the stability test (the attack above only witnesses a lower
/// bound). For the perturbations r of the signal, y + Ar with ‖A‖₂ ≤ measure_norm:
struct StabilityUpper {
    Ball bound;         ///< upper end ≥ ‖φ(y + Ar) − φ(y)‖/‖r‖ for every r with r_min ≤ ‖r‖ ≤ ρ
    Ball lipschitz;     ///< L·measure_norm: ‖φ(y + Ar) − φ(y)‖ ≤ lipschitz·‖r‖ + jump (‖r‖ ≤ ρ)
    Ball jump;          ///< J, the sqrt_θ term (0 without sqrt_θ)
    std::string method;  ///< "solver" (unrolled_lipschitz_upper) or "layers" (local_lipschitz_upper)
    Ball layers_bound;   ///< the bound by local_lipschitz_upper alone
    Ball solver_bound;   ///< the bound by unrolled_lipschitz_upper alone (+∞ where it does not apply)
};

/// The smaller of the two bounds of local_lipschitz.hpp: the layer-by-layer one around y
/// within ‖y′ − y‖ ≤ measure_norm·ρ (‖Ar‖ ≤ ‖A‖‖r‖), and the solver-structure one for
/// build_unrolled(pb, params) when it applies (phi must be that network). Each gives
/// ‖φ(y + Ar) − φ(y)‖ ≤ L‖Ar‖ + J ≤ (L·measure_norm)‖r‖ + J, so the ratio is at most
/// L·measure_norm + J/r_min for r_min ≤ ‖r‖ ≤ ρ, r_min = the lower end of r_norm (the
/// norm of the perturbation the ascent found; bound = +∞ if J > 0 and r_min = 0).
/// `norms` and errors as for local_lipschitz_upper.
StabilityUpper stability_upper(const Network& phi, std::span<const Rational> y, const Rational& measure_norm,
                               const Rational& radius, const Ball& r_norm, const BallArith& ar,
                               std::map<const LinearOperator*, Rational>* norms, const CsProblem& pb,
                               const SolverParams& params);

}  // namespace rigornet
