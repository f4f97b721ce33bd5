// rigornet — Lagrangian (dual) lower bounds of a ReLU chain over a region, in exact
// integer/rational arithmetic: the bound of certificate leaves of kind "dual"
// (certificate version 3, docs/certificates.md "The dual leaf bound"). Part of the
// checker (src/check/): it uses only the chain (extract_relu_chain, ReluChain::activate
// and cap) and FLINT, nothing of the search.
//
// The bound (Dvijotham et al. 2018, "A dual approach to scalable verification of deep
// networks"; Wong & Kolter 2018 for the CROWN/DeepPoly bound as one dual point). With
// z_q = W_q h_{q−1} + b_q (h_{−1} = x, h_q = σ_q(z_q)) and the objective g = a·x + c·z_R,
// for ANY multipliers ν_q (q < R; ν_R = c) every true trajectory of the region gives
//   g = a·x + Σ_{q≤R} ν_q·(W_q h_{q−1} + b_q) − Σ_{q<R} ν_q·z_q
//     = Σ_q ν_q·b_q + (a + W_0ᵀν_0)·x + Σ_{p<R} Σ_j (μ_pj σ(z_pj) − ν_pj z_pj),
// μ_p = W_{p+1}ᵀ ν_{p+1}. Each term is ≥ its minimum over the unit's range [l_pj, u_pj]
// (valid ranges on the region), a piecewise-linear function of one variable attained at
// l, u or a kink inside (0, cap); the x-term is ≥ its minimum over the box. So the sum
// of these minima is ≤ g on the region, whatever ν is: ν only decides tightness. The
// checker picks ν by the CROWN rule (ν = μ on identity units, 0 on dead ones, μ·α for
// an unstable ReLU with μ > 0, μ·u/(u − l) with μ < 0, the chord slope on a clip) and
// rounds each row of ν to dual_multiplier_bits significant bits (relative to the row's
// largest |μ_j|), which keeps every number short; the minima are then exact.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <flint/fmpz_mat.h>

#include "rigornet/check/check.hpp"
#include "rigornet/core/error.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/verify/vnnlib.hpp"

namespace rigornet {

/// Significant bits of each row of multipliers (soundness does not depend on it): 62, so
/// that every multiplier numerator (|N| < 2^62) is a word-sized FLINT integer.
constexpr long dual_multiplier_bits = 62;

/// A chain's weight matrices and biases over common denominators, W_q = M_q / D_q and
/// b_q = B_q / E_q with integer M_q, B_q (exact), so that μ = W_qᵀν and ν·b_q are integer
/// matrix products; built once per certificate.
class DualChain {
public:
    explicit DualChain(const ReluChain& c);
    ~DualChain();
    DualChain(const DualChain&) = delete;
    DualChain& operator=(const DualChain&) = delete;
    const ReluChain& chain() const { return c_; }

    /// Lower bounds of the objectives g_i = a_i·x + coef_i·z_layer (z_depth = the output y)
    /// over the region R ⊆ [lo, hi] on which every pre-activation z_pj of hidden layers
    /// p < layer lies in [lower[p][j], upper[p][j]] (the caller guarantees it; l ≤ u);
    /// a_i empty means 0. For every x ∈ R, result[i] ≤ g_i(x) (file comment). slopes[p][j]
    /// is α for unstable ReLUs with μ > 0 (any value is sound). Exact; never throws for
    /// well-shaped input. The back-substitution runs over the live units only (columns of
    /// ν with a nonzero entry, rows of M_q for the units of the layer below that are not
    /// off): the dropped terms are zero, so the value is the full product's.
    /// `beta` (β-CROWN, Wang et al. 2021; certificate version 6): where beta[p][j] ≠ 0, the
    /// unit's ν is the rule's plus β_pj (on the same grid) and its term is minimised
    /// exactly over [lower, upper], even where u ≤ 0: the argument above holds for any ν,
    /// so the bound stays valid provided lower[p][j] is a bound of z_pj on R there too —
    /// the caller passes β only for units fixed by a relu split, whose lower end
    /// dual_ranges always derives.
    /// `kink_slopes` (version 6): a ReLU unit whose range starts at its kink (l = 0, as for a
    /// unit fixed active by a split, whose range is intersected with z ≥ 0) follows the
    /// unstable rule, ν = α·μ for μ > 0 (α its slope) and the chord, here ν = μ, for μ < 0,
    /// instead of ν = μ: its term, the minimum over [0, u] of (μ − ν)·z, is 0 either way, and
    /// α = 0 keeps the back-substitution below from reading the unit's affine function where
    /// it is negative (outside the region), as the search's relaxation of such a unit does.
    std::vector<Rational> lower_bounds(std::size_t layer, const std::vector<std::vector<Rational>>& coef,
                                       const std::vector<std::vector<Rational>>& a, const std::vector<Rational>& lo,
                                       const std::vector<Rational>& hi, const std::vector<std::vector<Rational>>& lower,
                                       const std::vector<std::vector<Rational>>& upper,
                                       const std::vector<std::vector<Rational>>& slopes,
                                       const std::vector<std::vector<Rational>>* beta = nullptr,
                                       bool kink_slopes = false) const;

private:
    // min over z ∈ [l, u] of μ·σ_pj(z) − ν·z, exactly (at l, u and the kinks 0, cap inside)
    Rational unit_minimum(std::size_t p, std::size_t j, const Rational& l, const Rational& u, const Rational& mu,
                          const Rational& nu) const;

    const ReluChain& c_;
    std::vector<fmpz_mat_struct> m_;  // M_q
    std::vector<Rational> d_;         // D_q (integer)
    std::vector<fmpz_mat_struct> bias_;  // B_q, a column: b_q = B_q / E_q
    std::vector<Rational> bias_den_;     // E_q (integer)
};

/// Significant bits of the unit ranges dual_ranges derives (rounded outward), which
/// keeps the chord slopes u/(u − l) of the next layers short.
constexpr long dual_range_bits = 64;

/// The pre-activation ranges of every hidden unit over the region R = {x ∈ [lo, hi] :
/// z_rk(x) ≥ 0 where fixed active, ≤ 0 where fixed inactive}, derived layer by layer:
/// upper[r][k] = −(the dual lower bound of −z_rk), and where that is > 0 (or the unit is
/// fixed inactive) lower[r][k] = the dual lower bound of z_rk (lower_bounds, from the ranges of layers < r, with `slopes`),
/// rounded outward to dual_range_bits, then intersected with the unit's half-space when
/// it is fixed. By induction over r, z_rk(x) ≤ upper[r][k] for every x ∈ R, and
/// lower[r][k] ≤ z_rk(x) where it is derived (the dual bound holds given valid ranges
/// below; rounding outward and intersecting with a half-space containing R keep it);
/// where upper[r][k] ≤ 0, σ = 0 on R and lower[r][k] = upper[r][k] is not a bound (no
/// bound reads it: lower_bounds skips such units). Returns false when R is shown empty (a
/// range with l > u, or a unit fixed active with u < 0); lower/upper are then incomplete.
/// slopes must have the hidden widths (the caller checks).
bool dual_ranges(const DualChain& d, const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                 const std::vector<std::vector<UnitFix>>& fixed, const std::vector<std::vector<Rational>>& slopes,
                 std::vector<std::vector<Rational>>& lower, std::vector<std::vector<Rational>>& upper);

/// The optional multipliers of a "dual_interval" leaf for one conjunction (version 6):
/// lower slopes α (per hidden layer and unit, in [0, 1]) and β (nonzero only on units fixed
/// by a relu split on the leaf's path), both chosen by the search's α-β ascent.
struct DualRefinement {
    std::vector<std::vector<Rational>> alpha, beta;
};

/// A lower bound of a·x + c·y over the region whose unit ranges dual_ranges (or
/// dual_interval_ranges) derived: the larger of the dual bounds with the leaf's slopes and
/// with α = 0 for every unstable unit, and with `refine` also the dual bound with its α
/// and β (all sound, file comment; β on fixed units only, lower_bounds).
Rational dual_constraint_lower_bound(const DualChain& d, const LinearConstraint& k, const std::vector<Rational>& lo,
                                     const std::vector<Rational>& hi, const std::vector<std::vector<Rational>>& lower,
                                     const std::vector<std::vector<Rational>>& upper,
                                     const std::vector<std::vector<Rational>>& slopes,
                                     const DualRefinement* refine = nullptr, bool kink_slopes = false);

/// The ranges of the leaf kind "dual_interval" (version 6): dual_ranges' derivation with
/// each hidden layer r ≥ 1 intersected, before the next layer is derived, with interval
/// arithmetic over the previous layer's σ ranges: b_k + Σ_j W_kj·[σ(l_j), σ(u_j)] ([0, 0]
/// where u_j ≤ 0), rounded outward to dual_range_bits. Sound by induction over r: σ is
/// increasing, so σ_j(x) ∈ [σ(l_j), σ(u_j)] on R, and the interval sum contains z_rk(x);
/// the dual ends are bounds by dual_ranges' argument, so the intersection is one. (Layer
/// 0's dual range is already the exact range of the affine function over the box.) Why:
/// the search's bounds for wide inputs (NeuronBounds::backward) are this intersection.
/// The dual bounds are taken with kink_slopes (DualChain::lower_bounds).
/// Returns false when R is shown empty; lower/upper are then incomplete.
bool dual_interval_ranges(const DualChain& d, const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                          const std::vector<std::vector<UnitFix>>& fixed, const std::vector<std::vector<Rational>>& slopes,
                          std::vector<std::vector<Rational>>& lower, std::vector<std::vector<Rational>>& upper);

/// The ranges of the leaf kind "dual_forward" (version 4): first an independent forward
/// pass (symbolic_bounds, check.hpp) whose slopes are chosen by the rule α = 1 where its
/// own range has u > −l, else 0 (any α ∈ [0, 1] is sound); then dual_ranges' derivation,
/// each hidden layer's ranges intersected with that pass's before the next layer is
/// derived. By induction over r: the forward ends are bounds of z_rk on R (the forward
/// procedure), the dual ends are bounds given valid ranges below (dual_ranges' argument),
/// so their intersection is one; where the dual lower end is not derived (u ≤ 0, not
/// fixed inactive) the forward one is taken. `outputs` gets the forward pass's output
/// bounds. Returns false when R is shown empty (an intersection with l > u, or
/// dual_ranges' reasons); lower/upper/outputs are then incomplete. Why: the search
/// intersects its back-substituted ranges with such a forward pass, whose own slopes can
/// make it much tighter than one with the leaf's (ACAS Xu 1_7 p2, docs/certificates.md).
bool dual_forward_ranges(const DualChain& d, const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                         const std::vector<std::vector<UnitFix>>& fixed, const std::vector<std::vector<Rational>>& slopes,
                         std::vector<std::vector<Rational>>& lower, std::vector<std::vector<Rational>>& upper,
                         LeafBounds& outputs);

/// A lower bound of a·x + c·y over the region of dual_forward_ranges: the larger of
/// dual_constraint_lower_bound over its ranges and constraint_lower_bound of its forward
/// output bounds (both sound).
Rational dual_forward_constraint_lower_bound(const DualChain& d, const LinearConstraint& k,
                                             const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                                             const std::vector<std::vector<Rational>>& lower,
                                             const std::vector<std::vector<Rational>>& upper,
                                             const std::vector<std::vector<Rational>>& slopes, const LeafBounds& outputs);

}  // namespace rigornet
