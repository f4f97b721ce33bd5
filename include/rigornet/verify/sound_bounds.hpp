// rigornet — forward symbolic interval bounds of a ReLU chain over an input box
// (the ReluVal / Neurify family; DESIGN.md §10), in three number systems from one
// implementation: exact rationals (the certificate checker's procedure,
// docs/certificates.md), binary64 with every operation rounded outward (sound, fast),
// and plain round-to-nearest binary64 (no guarantee; only to measure the cost of
// soundness, bench/verify_bench.cpp).
//
// The procedure, per neuron: affine functions L(x) ≤ z(x) ≤ U(x) of the input over the
// box; l = min_box L, u = max_box U. Affine layer: L_z = Σ_{w>0} w·L_h + Σ_{w<0} w·U_h + b
// (U_z with L, U swapped). ReLU unit fixed active (by a split, or l ≥ 0): σ bounds
// (L, U); fixed inactive (split, or u ≤ 0): (0, 0); unstable: lower α·L (α ∈ [0, 1]),
// upper u/(u−l)·(U − l). Clip unit min(max(z, 0), cap): with 0 ≤ l < cap and u − cap ≤
// cap − l, (L − max(u − cap, 0), U); else u ≤ 0: (0, 0); else u ≤ cap: as a ReLU; else constants (σ(l), σ(u)).
// Why sound: docs/certificates.md ("Soundness"): α·z ≤ relu(z) for α ∈ [0, 1]; the chord
// through (l, 0) and (u, u) is above relu on [l, u] and increasing; σ is monotone; for
// 0 ≤ z ≤ u, z − (u − cap) ≤ clip(z) ≤ z; a clip is relu below cap.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/verify/vnnlib.hpp"

namespace rigornet {

/// Phases fixed by ReLU splits: fix[r][k] = +1 (active, z ≥ 0), −1 (inactive, z ≤ 0) or
/// 0 (free) for unit k of hidden layer r (0-based). Empty (or a short row): all free.
using PhaseFix = std::vector<std::vector<signed char>>;

/// Lower slopes α ∈ {0, 1} of the unstable units, per hidden layer; empty: chosen by
/// the DeepPoly rule α = 1 if u > −l else 0 (any α ∈ [0, 1] is sound).
using Slopes = std::vector<std::vector<unsigned char>>;

/// Where the binary64 passes take the pre-activation bounds l ≤ z ≤ u of the hidden units
/// from (the relaxation of each unit is built from them):
/// - forward: the forward symbolic functions only (the exact procedure's numbers up to
///   rounding; what the certificate checker recomputes, docs/certificates.md);
/// - back_substituted: also DeepPoly/CROWN back-substitution, for each unit of hidden
///   layer r ≥ 1 that the forward bounds leave unstable (an unfixed ReLU with l < 0 < u, or
///   a clip not known to be the identity), of z and −z through the relaxations of all
///   earlier layers down to the input box (the routine that back-substitutes the output
///   constraints), and l, u become the tighter ends of these enclosures and of those of
///   a plain forward pass (so no bound, of a unit or a constraint, is looser than with
///   `forward`: the pass costs one forward pass more; with BoundRefinement::parent the
///   parent's bounds take that pass's place and it is skipped). Sound: each back-substituted
///   value is a lower bound of ±z on the region (sound_bounds.cpp, back_lower: every
///   relaxation step replaces ν·σ by something ≤ it on the region, in outward
///   rounding), so the intersection of enclosures of z encloses z; and every relaxation
///   argument above holds for any l ≤ z ≤ u on the region. Cost per box O(L²·n³) for L
///   layers of width n in the worst case (every unit unstable); measured in
///   docs/verify.md (about 10× the forward pass on ACAS Xu).
/// - backward: for wide inputs (the cost of the forward functions, n + 1 coefficients
///   per unit composed layer by layer, is O(n·w²) per layer and dominates there): no
///   forward symbolic functions at all. A unit's first enclosure is interval arithmetic
///   over the previous layer's σ ranges (over the box itself for layer 0, where it is the
///   affine function's exact range up to rounding), intersected with the parent's; each
///   unit of layer r ≥ 1 it leaves open is back-substituted as above. The output
///   constraints' bounds are their back-substitutions alone: `forward` is −∞ (a trivial
///   lower bound) and `gradient` holds the x-coefficients of the back-substitution with the
///   units' own slopes. Sound by the same argument (interval arithmetic encloses z; the
///   back-substitution only needs some enclosure of every earlier unit). Measured in
///   docs/verify.md (MNIST 256×2).
enum class NeuronBounds { forward, back_substituted, backward };

/// Result of one symbolic pass. S is Rational (exact procedure) or double.
template <class S>
struct SymbolicBounds {
    /// Pre-activation bounds l ≤ z ≤ u of every hidden unit over the box (u ≥ l is not
    /// guaranteed when fixed phases contradict the box: the region is then empty).
    std::vector<std::vector<S>> lower, upper;
    /// The α used for each unit (0 where the unit is stable or fixed inactive; for a unit
    /// fixed active whose range reaches below 0, the binary64 passes' DeepPoly-rule slope of
    /// its lower relaxation α·z, which the certificate checker's kink rule reads).
    Slopes slopes;
    /// bound[k][m] ≤ min over the region of a_m·x + c_m·y for constraint m of
    /// conjunction k of the property's unsafe set.
    std::vector<std::vector<S>> bound;
    /// The forward procedure's own bound, ≤ bound (with NeuronBounds::forward it is
    /// docs/certificates.md's procedure up to rounding; with back_substituted, the
    /// forward functions over the tightened relaxations). The binary64 passes also
    /// back-substitute each constraint through the same per-unit relaxations
    /// (DeepPoly/CROWN style: σ ≥ la·z + lb for a positive coefficient, σ ≤ ua·z + ub for
    /// a negative one, the concrete range of σ for an interval coefficient around 0),
    /// twice: with the units' own lower slopes `slopes`, and with α = 0 for every
    /// unstable unit and every unit fixed active whose range reaches below 0 (α-CROWN-lite:
    /// α·z ≤ relu(z) for any α ∈ [0, 1], so each is a lower bound by the same argument; a
    /// unit fixed active is relaxed by σ ≤ z, exact on the region, and α·z below), and
    /// bound is the largest; the exact pass has
    /// bound = forward. (Measured on ACAS Xu, docs/verify.md: α = 0 saves 1–12 % of the
    /// nodes; α = 1 and α = u/(u − l) for all units never raised a bound that closed a
    /// node, so they are not tried.)
    std::vector<std::vector<S>> forward;
    /// Per conjunction k that has at least two constraints, none of them with
    /// bound > d rounded up (binary64 passes only; empty otherwise): multipliers λ_m ≥ 0
    /// (Σλ = 1, chosen in double by combination_multipliers, a heuristic), and
    /// combined_bound[k] ≤ min over the region of Σ_m λ_m (a_m·x + c_m·y), the larger
    /// back-substitution (own slopes, α = 0) of that one constraint, with combined_rhs[k]
    /// ≥ Σ_m λ_m d_m (rounded up). combined_bound[k] > combined_rhs[k] refutes conjunction
    /// k on the region: a point of it would satisfy every a_m·x + c_m·y ≤ d_m, hence, as
    /// λ ≥ 0, Σλ_m (a_m·x + c_m·y) ≤ Σλ_m d_m (the Lagrangian / Farkas combination of
    /// the conjunction; it can close a node where each constraint alone is satisfiable
    /// on the relaxation, e.g. where the minimal output switches between two units).
    std::vector<std::vector<double>> combination;
    std::vector<S> combined_bound, combined_rhs;
    /// The x-coefficients of the forward affine lower function whose box minimum is forward[k][m]
    /// (rounded to double: a heuristic for choosing a split, never a bound; with
    /// NeuronBounds::backward those of the constraint's back-substitution).
    std::vector<std::vector<std::vector<double>>> gradient;
    /// Per hidden layer and unit (binary64 passes only), a heuristic for choosing a ReLU
    /// split (BaBSR-like): the sum, over the output constraints not refuted, of |ν_j|·λ·(−l)
    /// for an unstable unit j (ν_j its coefficient in the constraint's back-substitution with
    /// the units' own slopes, λ·(−l) its chord's intercept: what the relaxation of j costs
    /// that bound when ν_j < 0), 0 for the other units. Never a bound.
    std::vector<std::vector<double>> split_score;
    /// With BoundRefinement::branch_candidates > 0 (binary64 passes only; a heuristic, never
    /// a bound): the unit (hidden layer, index) that filtered smart branching prefers to
    /// split, when some output constraint is open and some unit is unstable. Among the
    /// branch_candidates unstable, uncapped units of largest split_score, each is fixed
    /// inactive and active in turn with every other relaxation kept (the ascent's α and β
    /// included), the open constraints are back-substituted once more, and the unit whose
    /// worse child has the least total shortfall Σ_k min(0, max_m (bound − d)) wins.
    std::optional<std::pair<std::size_t, std::size_t>> preferred_split;
    /// With BoundRefinement::record_ascent (binary64 passes only): per conjunction k and
    /// constraint m, the multipliers of the α-β ascent's best step when it raised bound[k][m]
    /// above the two plain back-substitutions: alpha[r][j] ∈ [0, 1] the lower slope of each
    /// unit of hidden layer r (read for unstable units only), beta[r][j] the β of a unit fixed
    /// by `fix` (0 elsewhere; empty rows when no phase is fixed). Empty alpha otherwise. For a
    /// certificate leaf (docs/certificates.md, "refine"): the checker re-derives the bound
    /// with them; never a bound itself.
    struct AscentPoint {
        std::vector<std::vector<double>> alpha, beta;
    };
    std::vector<std::vector<AscentPoint>> ascent;
};

/// Exact procedure (docs/certificates.md) over lo ≤ x ≤ hi, in rationals: bound[k][m]
/// is the exact value of the procedure, a lower bound of a_m·x + c_m·y at every point
/// of the box where the phases `fix` hold (proof in the file comment). slopes given
/// (the certificate's) or empty (DeepPoly rule). ShapeError when sizes disagree;
/// ResourceError when `expired` (checked once per neuron) returns true. The chord slope
/// u/(u − l) and −l of an unstable unit, and a clip's constants, are rounded outward to
/// the certificate checker's dyadic grid (round_dyadic with check.hpp's bound_precision),
/// exactly as `rigornet check` does: the same numbers, so a leaf that passes here passes
/// there, and the rationals stay small (exact chords made one ACAS Xu pass take minutes).
SymbolicBounds<Rational> symbolic_bounds_exact(const ReluChain& c, const VnnlibProperty& p,
                                               const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                                               const PhaseFix& fix, const Slopes& slopes,
                                               const std::function<bool()>& expired = {});

/// The chain's weights, biases and caps enclosed in binary64 intervals [down, up] of the
/// exact rationals (a point when the rational is a double, as for ONNX float32 or NNet
/// binary64 readings), and the property's constraint coefficients likewise.
struct OutwardChain {
    struct Layer {
        std::size_t rows = 0, cols = 0;
        std::vector<double> wlo, whi;  // row-major
        // the same enclosures as midpoint wlo and radius wrad = whi − wlo rounded up, so
        // [wlo − wrad, wlo + wrad] ⊇ [wlo, whi]; wmag = |wlo| + wrad rounded up;
        // point: every wrad is 0 (binary64 or float32 weights)
        std::vector<double> wrad, wmag;
        bool point = true;
        std::vector<double> wlo_t;  // wlo column-major, for the double heuristics (α ascent)
        std::vector<double> blo, bhi;
        std::vector<double> caplo, caphi;  // per unit; caphi < 0: no cap (plain ReLU)
    };
    std::size_t input_dim = 0;
    std::vector<Layer> layers;
    struct Constraint {
        std::vector<double> axlo, axhi, aylo, ayhi;
        double rhs_up = 0;  // d rounded up: bound > rhs_up ⇒ bound > d
    };
    std::vector<std::vector<Constraint>> unsafe;
    OutwardChain(const ReluChain& c, const VnnlibProperty& p);
};

/// Optional refinements of the binary64 passes; each keeps every bound sound (measured in
/// docs/verify.md):
/// - alpha_steps > 0: α-CROWN (Xu et al., ICLR 2021) for each output constraint whose
///   bound does not yet exceed d: that many back-substitutions of the constraint with
///   lower slopes α ∈ [0, 1] per unstable unit, moved by projected signed-gradient steps
///   (the gradient in double, a heuristic), and bound becomes the largest. Sound because
///   α·z ≤ relu(z) on [l, u] for every α ∈ [0, 1] (and a clip below its cap is a relu
///   there), so each is a lower bound by back_lower's argument, computed in the pass's
///   own rounding. Cost: up to alpha_steps back-substitutions and relaxed forward
///   passes per open constraint.
/// - parent: the bounds of a pass over a region containing this one (the parent node of a
///   split: a larger box, fewer fixed phases; same chain). Each unit's l, u become the
///   tighter ends of its own and the parent's (both enclose z on this region), before its
///   relaxation is built: each unit's bounds are within the parent's. (Not always within
///   those of a pass without parent: a tighter l, u can flip the DeepPoly slope rule
///   downstream.) With back_substituted, no plain forward pass is run: the parent's
///   bounds replace it.
struct BoundRefinement {
    std::size_t alpha_steps = 0;
    const SymbolicBounds<double>* parent = nullptr;
    /// With alpha_steps > 0: β-CROWN (Wang et al., NeurIPS 2021) as well — the ascent also
    /// moves multipliers β_j of the split constraints of the units fixed by `fix` (β·z ≤ 0
    /// on the region: β ≥ 0 for z ≤ 0, β ≤ 0 for z ≥ 0, so adding β·z to the function
    /// before bounding it keeps a lower bound).
    bool beta = false;
    /// Record the ascent's best multipliers in SymbolicBounds::ascent.
    bool record_ascent = false;
    /// With NeuronBounds::back_substituted or backward: α-CROWN (with β when `beta`) on the
    /// back-substituted bounds of the hidden units too, this many steps per end of each
    /// unit left open (each step's bound is sound by the same argument as alpha_steps').
    std::size_t unit_alpha_steps = 0;
    /// Filtered smart branching (SymbolicBounds::preferred_split): how many units of
    /// largest split_score to try (0: off).
    std::size_t branch_candidates = 0;
};

/// The same procedure over the box [lo, hi] (binary64 ends, any box containing the
/// region of interest) with every operation rounded outward: coefficients are carried
/// as intervals, each sum and product rounded up for an upper end and down (as −((−a)·b)
/// in the upward mode) for a lower end, under a scoped FE_UPWARD guard inside this call
/// (the translation unit is compiled with -frounding-math). So each interval contains
/// the exact value of the same real computation with any choice of weights in their
/// enclosures, and lower[r][k] ≤ z ≤ upper[r][k], bound[k][m] ≤ a_m·x + c_m·y hold for
/// the real-valued network at every point of the box where the phases `fix` hold. Not
/// the exact procedure's numbers (classification l ≥ 0 may differ at rounding level);
/// the certificate writer re-checks its leaves exactly. The rounding mode is restored
/// on return (also on exceptions).
SymbolicBounds<double> symbolic_bounds_outward(const OutwardChain& c, const std::vector<double>& lo,
                                               const std::vector<double>& hi, const PhaseFix& fix,
                                               const Slopes& slopes, NeuronBounds neurons,
                                               const BoundRefinement& refine = {});

/// The same procedure in plain round-to-nearest binary64 with the weights rounded to
/// nearest: NO guarantee (floating-point error is ignored); only the baseline for the
/// cost of soundness (bench/verify_bench.cpp).
SymbolicBounds<double> symbolic_bounds_nearest(const OutwardChain& c, const std::vector<double>& lo,
                                               const std::vector<double>& hi, const PhaseFix& fix,
                                               const Slopes& slopes, NeuronBounds neurons,
                                               const BoundRefinement& refine = {});

}  // namespace rigornet
