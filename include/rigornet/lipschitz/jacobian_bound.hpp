// rigornet — a proved upper bound on the norm of every Jacobian of a ReLU chain whose
// activation pattern is partly known: the bound that prunes the exact Lipschitz search
// (exact_lipschitz) and bounds L on a box domain (DESIGN.md §Lipschitz; LipBaB's interval
// Jacobian, Bhowmick et al. 2021, in outward-rounded binary64).
#pragma once
#include <cstddef>
#include <vector>

#include "rigornet/lipschitz/lipschitz.hpp"

namespace rigornet {

/// The derivative of one unit on a set of inputs: 0 (below its kink, or above a clip's
/// cap), 1 (inside), or unknown (any value in [0, 1]: a ReLU or clip derivative, or a
/// convex combination of them, which is what a Clarke/segment Jacobian needs).
enum class UnitSlope : unsigned char { zero, one, free };

/// Slopes per hidden layer; a layer shorter than the chain's (or missing) is free from
/// there on.
using SlopePattern = std::vector<std::vector<UnitSlope>>;

/// The chain's weights enclosed in binary64 intervals [down, up] of the exact rationals
/// (a point when the rational is a double).
class JacobianBound {
  public:
    explicit JacobianBound(const ReluChain& c);

    /// An upper bound, rounded up, on ‖W_ℓ D_ℓ ⋯ D_1 W_0‖_p for every diagonal D with
    /// D_rk = 0 or 1 where `s` says so and D_rk ∈ [0, 1] where it is free (+∞ when a
    /// value overflows). Why: the product is evaluated in interval arithmetic with every
    /// end rounded outward (FE_UPWARD, upward_rounding.hpp), and a free slope maps an
    /// entry interval [a, b] to [min(a, 0), max(b, 0)] ⊇ {d·x : d ∈ [0, 1], x ∈ [a, b]};
    /// interval arithmetic is inclusion-monotone, so each J_ij lies in its interval and
    /// |J_ij| ≤ A_ij = max(|lo_ij|, |hi_ij|). Then ‖J‖_∞ ≤ ‖A‖_∞ and ‖J‖_1 ≤ ‖A‖_1 (row and
    /// column sums), and ‖J‖_2 ≤ ‖ |J| ‖_2 ≤ ‖A‖_2 ≤ min(√(‖A‖_1‖A‖_∞), ‖A‖_F) (the 2-norm is
    /// monotone on non-negative matrices; Schur's/Hölder's bound). So for p = 1, ∞ it is a
    /// bound on L over any region where the known slopes hold (every gradient of f there
    /// is such a J; L = sup ‖∇f‖_p* where it exists, Rademacher).
    double upper(const SlopePattern& s, LipNorm p) const;

    /// An interval matrix (row-major ends).
    struct Layer {
        std::size_t rows = 0, cols = 0;
        std::vector<double> lo, hi;
    };
    /// The two factors of the product around hidden layer r (1-based): S = W_ℓ D_ℓ ⋯
    /// D_{r+1} W_r and P = W_{r−1} D_{r−1} ⋯ D_1 W_0, in the interval arithmetic of upper()
    /// with the slopes of s outside layer r.
    struct Split {
        std::size_t r = 0;
        Layer s, p;
    };
    Split split(const SlopePattern& s, std::size_t r) const;

    /// An upper bound, rounded up, on ‖S D_r P‖_p for every D_r allowed by `layer` (the
    /// slopes of hidden layer r): the bound of upper() for every pattern equal to the
    /// split's outside layer r, at the cost of one product S D_r · P when that layer's
    /// slopes change. Why: the same as upper() — J = (W_ℓ ⋯ W_r) D_r (W_{r−1} ⋯ W_0) and
    /// each factor lies in its interval matrix (inclusion monotonicity holds for any
    /// grouping of the product); a layer shorter than r's is free from there on.
    double upper(const Split& f, const std::vector<UnitSlope>& layer, LipNorm p) const;

  private:
    std::size_t input_dim_;
    std::vector<Layer> layers_;
};

/// The slope of a unit whose pre-activation stays in [zl, zh] (cap: a clip's, or null):
/// zero if zh ≤ 0 or zl ≥ cap (σ is constant there), one if zl ≥ 0 and zh ≤ cap (σ is the
/// identity there), free otherwise.
UnitSlope slope_on_range(const Rational& zl, const Rational& zh, const Rational* cap);

/// The slopes every unit has on the whole box lo ≤ x ≤ hi (exact interval propagation of
/// the pre-activations: zero where z ≤ 0 on the box, or z ≥ cap for a clip; one where
/// z ≥ 0 and, for a clip, z ≤ cap on the box; free otherwise).
/// Sound because the interval enclosure of each z over the box is exact interval
/// arithmetic on rationals, hence contains every value z takes there, and a unit whose
/// pre-activation stays in one closed piece has that piece's derivative wherever it is
/// differentiable (at a kink inside a closed piece the function is still the piece's
/// affine map on the box). DomainError when lo, hi do not match the input dimension.
/// The ranges: zl ≤ z ≤ zh by exact interval arithmetic; zero if zh ≤ 0 or zl ≥ cap,
/// one if 0 ≤ zl and zh ≤ cap (no cap: ∞).
SlopePattern box_slopes(const ReluChain& c, const std::vector<Rational>& lo, const std::vector<Rational>& hi);

/// A chain g with g = f on the box and no unit that is constant there: every unit with
/// slope zero on the box (box_slopes) is removed and its constant σ (0, or a clip's cap)
/// folded exactly into the next layer's bias (a layer left empty keeps one unit with zero
/// weights and bias, σ = 0). Why g = f on the box: each removed unit outputs the same
/// constant at every point of the box, so the next pre-activation is unchanged there.
/// Hence every upper bound on L(g) (the K family) bounds L(f) on the box — this is how
/// the cheap bounds honour a domain. DomainError when lo, hi do not match the inputs.
ReluChain restrict_to_box(const ReluChain& c, const std::vector<Rational>& lo, const std::vector<Rational>& hi);

}  // namespace rigornet
