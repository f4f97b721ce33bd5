// rigornet — Lipschitz bounds of Zou–Balan–Singh for convolutional networks (seed 000;
// D. Zou, R. Balan, M. Singh, IEEE Trans. Inf. Theory 66(3), 2020), from the Bessel
// bounds B^(1)_m, B^(2)_m, B^(3)_m of each layer, and the chain-rule product of layer
// norms. All in the ℓ2 norm; Lip² is bounded.
#pragma once
#include <string>
#include <vector>

#include "rigornet/number/ball.hpp"
#include "rigornet/core/verdict.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"

namespace rigornet {

/// The three Bessel bounds of one layer, as balls (they are irrational in general).
struct BesselBounds {
    Ball b1, b2, b3;
};

/// Theorem 1 (seed 000): Lip² ≤ ∏_m max(1, B^(1)_m). A ball containing the product.
Ball cnn_product_bound(const std::vector<BesselBounds>& layers, long prec);

/// Which objective the linear programme Γ maximises.
enum class GammaObjective {
    /// Σ_m z_m, as the seed's slide prints it.
    printed,
    /// Σ_m z_m + y_M: the last layer's propagated output y_M is also an output. This is
    /// the reading under which the seed's example value 2.2992 = 6e^{−1/3} − 2 holds.
    with_last_output,
};

/// Theorem 2 (seed 000): Γ = max Σ z_m (+ y_M) over y, z ≥ 0 with y_0 = 1,
/// y_m + z_m ≤ B^(1)_m y_{m−1}, y_m ≤ B^(2)_m y_{m−1}, z_m ≤ B^(3)_m y_{m−1}.
/// The bounds are balls, so Γ is enclosed by two exact LPs (QSopt_ex): Γ is
/// non-decreasing in every B (a point feasible for smaller bounds stays feasible for
/// larger ones, because y ≥ 0), hence Γ(lower ends) ≤ Γ(B) ≤ Γ(upper ends). The lower end
/// is the value of a feasible point (checked exactly), so ≤ Γ(lower ends) without trusting
/// the solver; the upper end is y·rhs for the solver's dual solution y, checked exactly as
/// a weak-duality certificate (lp_dual_upper_bound), so ≥ Γ(upper ends) without trusting
/// it either. Exact when every bound is an exact rational (the certificate meets the
/// primal value). DomainError if a lower end is negative; Error (not proved) when the
/// dual solution fails its check.
Enclosure cnn_gamma(const std::vector<BesselBounds>& layers, GammaObjective objective);

/// x ↦ x − τ Wᵀ ReLU(Wx + b) (seed 004, explicit Euler step of a gradient flow).
struct EulerStep {
    RationalMatrix w;
    std::vector<Rational> b;
    Rational tau;
};


/// Certifies that the Euler step is 1-Lipschitz in ℓ2 by proving 0 ≤ τ ≤ 2/‖W‖₂² (seed
/// 004: then the step is 1-Lipschitz). Decided exactly: τ‖W‖₂² ≤ 2 ⇔ the symmetric
/// rational matrix M = 2I − τWᵀW is positive semidefinite ⇔ the characteristic
/// polynomial q(x) = det(xI + M) = Π(x + λ_i) has no negative coefficient (all λ_i ≥ 0
/// gives non-negative coefficients; conversely non-negative coefficients and a leading 1
/// make q > 0 on (0, ∞), so no λ_i < 0). Returns proved or refuted, never unknown;
/// refuted means the condition fails (the step may still happen to be 1-Lipschitz).
Verdict certify_euler_step(const EulerStep& s);

/// φ(x) = x − τ Wᵀ ReLU(W x + b), exactly. ShapeError if x, b or W do not fit.
std::vector<Rational> euler_apply(const EulerStep& s, const std::vector<Rational>& x);

/// The 2-D example of Murari's notes [Mur25]: the flow ẋ = −Wᵀ ReLU(W x) with
/// W = ½[√2 −√2; √2 √2] (a rotation, ‖W‖₂ = 1, so the Euler step is 1-Lipschitz exactly
/// for τ ∈ [0, 2]). √2/2 is irrational; the step returned uses the rational
/// c = sqrt_θ(1/2) ≤ √2/2 (within θ, sqrt_theta.hpp) in its place, so its W has
/// ‖W‖₂² = 2c² ∈ (1 − 2√2·θ, 1] and certify_euler_step decides exactly for that matrix.
EulerStep euler_seed_example(const Rational& tau, const Rational& theta);

/// Margin certificate (seed 004): if M(x) > √2·Lip·ε, the predicted class cannot change
/// within ‖η‖₂ ≤ ε. Decided exactly as M > 0 and M² > 2·Lip²·ε² for rational upper
/// bound Lip. proved, or unknown (a failed certificate does not refute robustness).
Verdict certify_margin(const Rational& margin, const Rational& lip_upper, const Rational& eps);

}  // namespace rigornet
