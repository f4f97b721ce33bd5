// rigornet — Lipschitz analysis of feed-forward ReLU networks (DESIGN.md §7; seeds 001,
// 002). For f = W_ℓ ∘ S_ℓ ∘ W_{ℓ−1} ∘ … ∘ S_1 ∘ W_0 (affine W_r, ReLU S_r) and the
// operator norm induced by ℓp, p ∈ {1, 2, ∞}:
//   L   = sup_{x≠y} ‖f(x)−f(y)‖/‖x−y‖ (the true constant, on R^n or on a box),
//   K   = max over all activation patterns D of ‖W_ℓ D_ℓ ⋯ D_1 W_0‖ (Szegedy et al. 2013),
//   K_* = ∏ ‖W_r‖, K_1 (Combettes–Pesquet 2020), K_3, K_4 (Després–Pintore 2024),
// with L ≤ K ≤ K_4 ≤ min(K_1, K_3) ≤ K_* for p = 1, ∞ (seed 001).
// Segment products: W_(t,s) = W_{t−1} ⋯ W_s (linear parts only), for 0 ≤ s < t ≤ ℓ+1.
//
// Number systems: every bound is an exact rational. For p = 1, ∞ it is the exact value
// of the bound's formula. For p = 2 every spectral norm is replaced by the upper end of a
// proved enclosure (norm_2, rational_matrix.hpp), so the rational is ≥ the formula's
// value, hence still ≥ L. `arith` names which ("exact" or "ball:PREC").
#pragma once
#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "rigornet/network/network.hpp"
#include "rigornet/number/enclosure.hpp"
#include "rigornet/linalg/rational_matrix.hpp"

namespace rigornet {

enum class LipNorm { l1, l2, linf };
/// "1", "2", "inf" → LipNorm; ParseError otherwise.
LipNorm parse_lip_norm(const std::string& s);
std::string lip_norm_name(LipNorm p);

/// The deepest chain (ℓ hidden layers) for which the subset sums bound_k1_subsets and
/// bound_k4_subsets run (2^ℓ terms); deeper ones are refused with DomainError.
constexpr std::size_t max_subset_depth = 30;

/// ‖A‖_p for the ℓp operator norm: exact for p = 1, ∞; for p = 2 the enclosure of
/// norm_2 at `prec` bits (lower and upper ends of the ball, both proved).
Enclosure operator_norm(const RationalMatrix& a, LipNorm p, long prec);
/// "exact" for p = 1, ∞; "ball:PREC" for p = 2.
std::string norm_arith(LipNorm p, long prec);

/// Where a pre-activation z lies relative to its unit's kinks (ReLU: 0; clip: 0 and cap).
enum class UnitPhase { below, lower_kink, inside, upper_kink, above };

/// The chain W_0, S_1, W_1, …, S_ℓ, W_ℓ of a ReLU network: weights[r] = W_r (linear
/// part), biases[r] = b_r; widths a_0 = input_dim, a_r = weights[r−1].rows().
/// Each hidden unit computes σ(z) = max(z, 0) (ReLU), or σ(z) = min(max(z, 0), cap) with a
/// rational cap ≥ 0 (a clip to [0, cap], e.g. an NNet input clip shifted by its minimum).
/// Both are 1-Lipschitz with derivative 0 or 1 off their kinks, so every pattern bound
/// (K_*, K_1…K_4, K) is the same formula for both; only the exact constant and the
/// witnesses see the cap (a clip has three pieces: below, inside, above).
struct ReluChain {
    std::size_t input_dim = 0;
    std::vector<RationalMatrix> weights;
    std::vector<std::vector<Rational>> biases;
    /// caps[r][k] = the cap of unit k of hidden layer r+1; caps (or caps[r]) empty or an
    /// entry nullopt: a plain ReLU.
    std::vector<std::vector<std::optional<Rational>>> caps;

    /// ℓ, the number of ReLU layers.
    std::size_t depth() const { return weights.size() - 1; }
    std::size_t output_dim() const { return weights.back().rows(); }
    /// Total number of hidden ReLU units a_1 + … + a_ℓ.
    std::size_t hidden_units() const;
    /// The cap of unit k of hidden layer r+1 (0-based r), or null for a plain ReLU.
    const Rational* cap(std::size_t r, std::size_t k) const;
    /// σ(z) of unit k of hidden layer r+1 (0-based r), exact: max(z, 0), or min(max(z, 0), cap).
    Rational activate(std::size_t r, std::size_t k, const Rational& z) const;
    /// The phase of pre-activation z of unit k of hidden layer r+1 (0-based r), exact.
    UnitPhase phase(std::size_t r, std::size_t k, const Rational& z) const;
    /// f(x), exact.
    std::vector<Rational> evaluate(const std::vector<Rational>& x) const;
    /// Pre-activations z_r = W_{r−1}(…) + b_{r−1} of the hidden layers r = 1…ℓ at x, exact.
    std::vector<std::vector<Rational>> preactivations(const std::vector<Rational>& x) const;
    /// W_ℓ D_ℓ W_{ℓ−1} ⋯ D_1 W_0 for the pattern D (pattern[r−1][k] = unit k of layer r
    /// has derivative 1, i.e. its phase is `inside`).
    RationalMatrix jacobian(const std::vector<std::vector<bool>>& pattern) const;
    /// W_(t,s) = W_{t−1} ⋯ W_s, 0 ≤ s < t ≤ ℓ+1 (DomainError otherwise).
    RationalMatrix segment(std::size_t t, std::size_t s) const;
};

/// Extracts the ReLU chain of a network of the core model. Accepted: affine layers
/// without input re-injection (B null) and ReLU layers acting on every coordinate, in
/// any order; consecutive affine layers are composed exactly, and a ReLU not preceded
/// by an affine layer gets W = I. Then every pair of units (u, v) of one hidden layer
/// with the same input row, biases c_u ≥ c_v and opposite columns in the next layer
/// (col_v = −col_u) is merged into one clip unit: col_u·(relu(s + c_u) − relu(s + c_v)) =
/// col_u·min(relu(s + c_u), c_u − c_v), an identity of functions. This is how an NNet
/// input clip clip(x, lo, hi) = lo + relu(x − lo) − relu(x − hi) (read_nnet) becomes an
/// activation again instead of weights [I; I] and [A, −A] (whose norms would count the
/// clip twice). So an NNet network is accepted as is and its chain computes exactly the
/// same function on R^n. Refused with DomainError naming the layer: input re-injection,
/// ReLU on a subset of coordinates, square, sqrt_θ, soft thresholds, gates, operators
/// with irrational entries.
ReluChain extract_relu_chain(const Network& net);

// ------------------------------------------------------------------ upper bounds
// Each returns an exact rational ≥ the named quantity (= for p = 1, ∞), and ≥ L.

/// K_* = ∏_{r=0}^{ℓ} ‖W_r‖. Why ≥ L: f is a composition of the affine maps (Lipschitz
/// constants ‖W_r‖) and ReLU (1-Lipschitz in every ℓp, as it acts coordinatewise and
/// |relu(s) − relu(t)| ≤ |s − t|).
Rational bound_product(const ReluChain& c, LipNorm p, long prec);

/// K_1 = 2^−ℓ Σ_{S ⊆ {1…ℓ}} ∏ ‖segments of the chain cut at S‖ (Combettes–Pesquet
/// 2020; seed 001): D_r = (I + Z_r)/2 with ‖Z_r‖ = 1 and the triangle inequality.
/// Summed over all 2^ℓ subsets (DomainError for ℓ > max_subset_depth); kept as the reference for
/// bound_k1_dp.
Rational bound_k1_subsets(const ReluChain& c, LipNorm p, long prec);

/// The same K_1 in O(ℓ²) segment norms, by dynamic programming over the last cut:
///   F(0) = 1,  F(t) = Σ_{s=0}^{t−1} ‖W_(t,s)‖ · F(s)  (t = 1…ℓ+1),  K_1 = 2^−ℓ F(ℓ+1).
/// Proof that it equals the subset sum: a subset {r_1 < … < r_n} of {1…ℓ} is the same
/// as a chain 0 = r_0 < r_1 < … < r_n < r_{n+1} = ℓ+1 and contributes ∏_k ‖W_(r_{k+1},r_k)‖.
/// By induction on t, F(t) is the sum over all chains 0 < r_1 < … < r_n < t of
/// ∏ ‖W_(r_{k+1},r_k)‖ with r_{n+1} = t: every such chain has a unique last cut s = r_n
/// (s = 0 for the empty chain), and grouping by s gives Σ_s ‖W_(t,s)‖ F(s). The sum is
/// the same multiset of the same rational products, so the two values are equal exactly
/// (also for p = 2, where both use the same per-segment upper ends).
Rational bound_k1_dp(const ReluChain& c, LipNorm p, long prec);

/// K_3 = ‖ |W_ℓ| ⋯ |W_0| ‖ (|A| entrywise; Després–Pintore, seed 001). Why ≥ K:
/// |W_ℓ D_ℓ ⋯ D_1 W_0| ≤ |W_ℓ| ⋯ |W_0| entrywise (0 ≤ D ≤ I), ‖A‖ = ‖|A|‖ for p = 1, ∞,
/// and these norms are monotone on non-negative matrices. For p = 2 the same holds with
/// ‖A‖_2 ≤ ‖|A|‖_2 (|Ax| ≤ |A||x| entrywise) and monotonicity of ‖·‖_2 on non-negative
/// matrices (Perron–Frobenius), so K_3 is also a proved bound for p = 2.
Rational bound_k3(const ReluChain& c, LipNorm p, long prec);

/// K_4 = 2^−ℓ Σ_{S} ‖ |W_(ℓ+1,r_n)| ⋯ |W_(r_1,0)| ‖ (Després–Pintore; seed 001). Why ≥ K:
/// expand D_r = (I+Z_r)/2 as for K_1; each term's absolute value is bounded entrywise by
/// the product of the absolute segments (|Z_r| = I), then monotonicity and ‖A‖ ≤ ‖|A|‖ as
/// for K_3 (valid for p = 1, 2, ∞). Subset sum; DomainError for ℓ > max_subset_depth.
Rational bound_k4_subsets(const ReluChain& c, LipNorm p, long prec);

/// K_4′ = 2^−ℓ ‖ Σ_S |W_(ℓ+1,r_n)| ⋯ |W_(r_1,0)| ‖, the matrix sum taken by the same
/// dynamic programme as K_1 (M(0) = I, M(t) = Σ_s |W_(t,s)| M(s), O(ℓ²) products).
/// Why ≥ K: in the K_4 argument, bound the whole sum entrywise before taking the norm:
/// |W_ℓ D_ℓ ⋯ W_0| ≤ 2^−ℓ Σ_S |…| entrywise, then monotonicity. K_4′ ≤ K_4 always
/// (triangle inequality), and K_4′ = K_4 when the norm is additive on non-negative
/// matrices: p = ∞ with one output (a row sum), p = 1 with one input (a column sum).
/// K_4 itself has no such programme in general: Σ_S max_i (row sums of P_S) does not
/// factor through the cuts, since the maximising row depends on S.
Rational bound_k4_dp(const ReluChain& c, LipNorm p, long prec);

/// K_2, the SeqLip bound of Virmaux & Scaman ("Lipschitz regularity of deep neural
/// networks: analysis and efficient estimation", NeurIPS 2018, Theorem 3), ℓ2 only:
/// with reduced SVDs W_r = U_r Σ_r V_rᵀ,
///   K_2 = ∏_{r=1}^{ℓ} max_{D ∈ {0,1}^{a_r}} ‖ Σ̃_r V_rᵀ D U_{r−1} Σ̃_{r−1} ‖_2,
/// Σ̃_r = Σ_r for r ∈ {0, ℓ} and Σ_r^{1/2} otherwise (the max over σ ∈ [0,1]^{a_r} of the
/// paper is attained at a vertex: the norm is convex in σ). Why ≥ K: for every pattern,
/// W_ℓ D_ℓ ⋯ D_1 W_0 = U_ℓ (Σ̃_ℓ V_ℓᵀ D_ℓ U_{ℓ−1} Σ̃_{ℓ−1}) ⋯ (Σ̃_1 V_1ᵀ D_1 U_0 Σ̃_0) V_0ᵀ, since
/// Σ_r = Σ̃_r Σ̃_r for 0 < r < ℓ; ‖U_ℓ‖ = ‖V_0ᵀ‖ = 1, so submultiplicativity gives the
/// product. Certified here: the singular
/// vectors come from Arb's certified eigen-decomposition (acb_mat_eig_simple) of the
/// smaller Gram matrix (exact rank by FLINT; zero singular values dropped), each factor
/// is a ball matrix M, bounded by one of two proved routes: first a Cholesky certificate
/// (for a μ proposed from a float estimate of ‖mid M‖_2, μI − MᵀM computed in ball
/// arithmetic is certainly positive definite, so ‖M‖_2 ≤ √μ for every matrix in M); if no
/// μ is proved, ‖M‖_2 ≤ ‖mid M‖_2 + ‖rad M‖_F with ‖mid M‖_2 from norm_2.
/// The result is an exact rational ≥ K_2 ≥ K ≥ L. nullopt when a Gram matrix has a
/// repeated eigenvalue (the eigenvectors are then not isolated) without being a
/// multiple of the identity (then any basis serves, e.g. [I; I]), or a hidden layer is
/// wider than 12 units (2^12 patterns, each an exact spectral norm: seconds per layer).
std::optional<Rational> bound_k2(const ReluChain& c, long prec);

/// The seed's K_2 formula (seed 001's K_2 column) and the ℓ∞ bound it yields.
/// quantity encloses Q = ∏_{r=1}^{ℓ} max_{D ∈ {0,1}^{a_r}} ‖ Σ̃_r V_rᵀ D U_{r−1} Σ̃_{r−1} ‖_∞
/// (max absolute row sum; factors, Σ̃ and certification as in bound_k2), which is NOT an
/// ℓ∞ upper bound on L in general: relu(x_1 + x_2) has L_∞ = 2 but Q = √2, since
/// ‖V_0ᵀ‖_∞ = ‖(1, 1)/√2‖_∞ = √2 is dropped. proved encloses P = ‖U_ℓ‖_∞ · Q · ‖V_0ᵀ‖_∞,
/// and P ≥ K_∞ ≥ L_∞. Proof: for every pattern, exactly as in bound_k2,
///   W_ℓ D_ℓ ⋯ D_1 W_0 = U_ℓ (Σ̃_ℓ V_ℓᵀ D_ℓ U_{ℓ−1} Σ̃_{ℓ−1}) ⋯ (Σ̃_1 V_1ᵀ D_1 U_0 Σ̃_0) V_0ᵀ,
/// and ‖·‖_∞ is submultiplicative, so ‖W_ℓ D_ℓ ⋯ W_0‖_∞ ≤ ‖U_ℓ‖_∞ · ∏ ‖M_r‖_∞ · ‖V_0ᵀ‖_∞;
/// unlike ‖·‖_2, ‖U_ℓ‖_∞ and ‖V_0ᵀ‖_∞ need not be 1 (only the outer factors U_ℓ, V_0ᵀ
/// remain; the inner U_r, V_r are absorbed in the M_r). With scalar input and output
/// U_ℓ = ±1 and V_0ᵀ = ±1, so Q = P is then a bound. Well-defined: changing the signs of
/// singular-vector pairs (U → UE, V → VE, E = diag(±1)) or their order (a permutation
/// Π) maps M_r to E_r M_r E_{r−1} (resp. Π_rᵀ M_r Π_{r−1}), which keeps every absolute row
/// sum up to the order of rows, so ‖M_r‖_∞, ‖U_ℓ‖_∞, ‖V_0ᵀ‖_∞ are unchanged. A rotation
/// within a repeated singular value's space changes ‖·‖_∞, so Q is then not defined:
/// nullopt for a repeated singular value (including G = λI, n > 1) or uncertified
/// factors. DomainError without a hidden layer; ResourceError for a hidden layer wider
/// than 12 units (2^n patterns).
struct K2SeedFormula {
    Enclosure quantity;  // Q, the seed's formula (not a bound)
    Enclosure proved;    // ‖U_ℓ‖_∞ · Q · ‖V_0ᵀ‖_∞ ≥ L_∞
};
std::optional<K2SeedFormula> k2_seed_formula(const ReluChain& c, long prec);

/// K = max over all activation patterns D of ‖W_ℓ D_ℓ ⋯ D_1 W_0‖ (Szegedy), ≥ L since
/// every gradient of f is such a product. Exact for p = 1, ∞ by a meet-in-the-middle
/// enumeration (‖M‖_∞ = max_i max_{s ∈ {±1}^n} e_iᵀ M s is multilinear in the D's, so the
/// widest hidden layer is maximised in closed form: max_{D_m} uᵀ D_m v = Σ_k max(0, u_k v_k));
/// p = 1 through ‖M‖_1 = ‖Mᵀ‖_∞. For p = 2, all patterns with norm_2 enclosures.
/// Returns nullopt when the enumeration would exceed `max_combinations` products.
std::optional<Enclosure> szegedy_k(const ReluChain& c, LipNorm p, long prec, double max_combinations = 4e6);

// ------------------------------------------------------------------ exact constant

/// An axis-aligned box lo ≤ x ≤ hi with lo_i ≤ hi_i (lo_i = hi_i fixes input i), or all
/// of R^n when empty.
struct Domain {
    std::vector<Rational> lo, hi;
    bool is_box() const { return !lo.empty(); }
    /// Whether some input is fixed (lo_i = hi_i).
    bool fixes_inputs() const;
};
/// Parses "lo:hi,lo:hi,…" (one interval per input) or "lo:hi" for every input; lo = hi is
/// allowed (that input is fixed). DomainError for lo > hi or when every input is fixed
/// (a single point has no Lipschitz constant).
Domain parse_domain(const std::string& spec, std::size_t input_dim);

/// f restricted to a box that fixes some inputs: the chain g on the free inputs only, with
/// g(y) = f(expand(y)), and the box of the free inputs (every lo_i < hi_i). Why it
/// preserves L: on the box x − x′ is zero in the fixed coordinates, so ‖x − x′‖_p is the
/// norm of the free part, and f(x) = g(free part of x); the quotients are the same.
/// Exact (W_0 loses the fixed columns, b_0 absorbs them). DomainError when every input is
/// fixed or the domain is not a box.
struct InputRestriction {
    ReluChain chain;
    Domain domain;
    std::vector<std::size_t> free;  // the free inputs of f, ascending
    std::vector<Rational> base;     // the fixed values (0 at free inputs)
    /// The input of f with free part y.
    std::vector<Rational> expand(const std::vector<Rational>& y) const;
    /// The free part of an input x of f.
    std::vector<Rational> shrink(const std::vector<Rational>& x) const;
};
InputRestriction restrict_inputs(const ReluChain& c, const Domain& d);

/// Two inputs a ≠ b whose difference quotient ‖f(a)−f(b)‖/‖a−b‖ ≥ value is a proved lower
/// bound on L (it is one of the quotients in the sup). value is exact for p = 1, ∞ and
/// the lower end of a ball for p = 2.
struct PairWitness {
    std::vector<Rational> a, b;
    Rational value;
};
/// Recomputes the quotient of a pair exactly (p = 2: lower end of a ball) — the check a
/// reader can redo: it evaluates f at a and b in exact arithmetic.
Rational pair_quotient_lower(const ReluChain& c, const std::vector<Rational>& a, const std::vector<Rational>& b,
                             LipNorm p, long prec);

/// When exact_lipschitz stops, and how it reports progress.
struct ExactLimits {
    std::size_t max_regions = 200000;          // stop after this many regions
    double max_seconds = 3600;                 // stop after this much wall-clock time
    bool prune = true;                         // false: enumerate every region (the baseline)
    /// On a box: boxes with at most this many undecided units go to the region search,
    /// larger ones are split first (L does not depend on it; 40 was fastest on
    /// 10-30-30-30-3 networks on [0, 0.1]^10, see README).
    std::size_t box_leaf_units = 40;
    /// Where the search starts (a hint, any point of the domain; empty: the box centre,
    /// or 0 on R^n). Starting in a region of large ‖J‖ (e.g. the best sampled witness)
    /// finds a strong region first, so more branches are pruned; L does not depend on it.
    std::vector<Rational> start;
    const std::atomic<bool>* interrupt = nullptr;  // stop when it becomes true (e.g. SIGINT)
    double progress_seconds = 2;               // call progress at least this often…
    std::function<void(std::size_t regions, std::size_t lps, double seconds)> progress;  // …if set
};

/// The result of exact_lipschitz.
struct ExactLipschitz {
    Enclosure value;                         // complete: L (exact for p = 1, ∞); stopped: ‖J‖ on
                                             // the best region found, a lower bound on L
    std::vector<std::vector<bool>> pattern;  // the maximising region's pattern
    std::vector<Rational> point;             // a point strictly inside that region
    PairWitness witness;                     // a pair inside the region attaining ‖J‖ (p=1,∞)
    /// A proved upper bound on L: complete, value.upper; stopped, the largest of the
    /// visited regions' ‖J_D‖ upper ends and the interval Jacobian bound (jacobian_bound.hpp)
    /// of every branch left unexplored; nullopt when such a bound overflowed binary64.
    std::optional<Rational> upper;
    std::size_t regions = 0;                 // full-dimensional regions visited
    std::size_t lps = 0;                     // linear programmes solved
    std::size_t pruned = 0;                  // branches skipped: their bound ≤ the best ‖J_D‖
    std::string stopped;                     // empty: complete; else "max-regions", "timeout", "interrupted"
    bool complete() const { return stopped.empty(); }
};

/// L exactly (p = 1, ∞) or enclosed (p = 2) by enumerating the full-dimensional linear
/// regions of f on the domain. Each unit has the pieces of its activation: below (z < 0)
/// and inside (z > 0) for a ReLU; below, inside (0 < z < cap) and above (z > cap) for a
/// clip, whose output is then the constant cap. Convention at kinks: region(state) = {x in
/// the open domain : every unit strictly in its piece}, units whose pre-activation is
/// constant on the region excepted (their piece is fixed by the constant; at a kink both
/// pieces give the same f and Jacobian there). These open regions are disjoint, f is
/// affine on each with gradient J_D (D = 1 exactly for the inside pieces), and their union
/// has a null complement (finitely many hyperplane pieces). f is Lipschitz, so on the
/// convex domain L = ess sup ‖∇f‖ = max over the non-empty regions of ‖J_D‖ (Rademacher;
/// continuity extends it to the closed box). Fixed inputs (lo_i = hi_i) are removed first
/// (restrict_inputs); point and witness are given as inputs of f.
/// Non-emptiness: a branch-and-bound over units, one exact LP per branch (QSopt_ex:
/// maximise t with every strict inequality g_k(x) ≥ t and x_i − lo_i ≥ t, hi_i − x_i ≥ t;
/// non-empty iff t* > 0); every region kept is confirmed by re-checking its interior
/// point's pieces in exact arithmetic, and every region discarded by an exact check of
/// the LP's dual values as a Motzkin certificate of emptiness (y ≥ 0, y ≠ 0,
/// Σ y_k a_k = 0, Σ y_k c_k ≤ 0), so neither half of the claim rests on the solver's word.
/// The LP is first solved in binary64 (lp_maximize_binary64) and its answer used only
/// when exactly proved: its point, read exactly, satisfies every strict inequality, or
/// its dual values, read exactly (negatives dropped), give y ≥ 0, y ≠ 0 with Σ y_k g_k ≤ 0
/// on the whole box (the exact maximum of an affine function over a box) — the same
/// contradiction as above; otherwise the exact LP decides.
/// Pruning (branch and bound): a branch whose interval Jacobian bound (JacobianBound, over
/// every completion of its pattern; the split form around the layer being decided) is ≤
/// the proved ‖J_D‖ of the best region found so far is skipped — no region in it can
/// exceed that maximum — and on a box, pieces that box_slopes excludes are skipped without
/// an LP; neither changes L. On a box the domain is first split into boxes (largest bound
/// first; slopes proved by the outward symbolic bounds) until a box has at most
/// limits.box_leaf_units undecided units, which the region search then solves.
/// Stops early (before the next region or LP) at a limit of `limits`; the result then has
/// `stopped` set and value = ‖J_D‖ of the best region found so far, which is ≤ L (that
/// region is a non-empty open set on which ∇f = J_D), with its witness pair. nullopt only
/// when it stopped before finding any region.
std::optional<ExactLipschitz> exact_lipschitz(const ReluChain& c, const Domain& d, LipNorm p, long prec,
                                              const ExactLimits& limits = {});

// ------------------------------------------------------------------ lower bounds

/// The pair (x, x + ε d), with ε = 2^−k halved until the phase vector of every unit
/// (UnitPhase: below, at a kink, inside, above) at x + ε d equals that at x. Then it is
/// constant on the segment (each layer's pre-activation is affine along it, by induction,
/// and a unit's phase set is convex), so f(x+εd) − f(x) = J (εd) with
/// J = W_ℓ D_ℓ ⋯ D_1 W_0, D = 1 exactly for the units inside at x (a unit at a kink stays
/// there, so its derivative along the segment is 0). d is chosen so that the quotient is
/// ‖J‖ exactly for p = ∞ (signs of the maximising row) and p = 1 (the maximising column's
/// unit vector); for p = 2, d is a floating-point top singular vector and the quotient a
/// lower bound close to ‖J‖_2. nullopt when no ε ≥ 2^−200 keeps the phases (x on a kink
/// that d crosses). On a box domain x must lie in the box, and ε is also halved until
/// x + ε d does; fixed inputs (lo_i = hi_i) are left unchanged (restrict_inputs).
std::optional<PairWitness> local_lower_bound(const ReluChain& c, const Domain& d, const std::vector<Rational>& x,
                                             LipNorm p, long prec);

/// The effective Jacobian of seed 002 (Zou–Balan–Singh), J_eff = W_ℓ E[D_ℓ] ⋯ E[D_1] W_0,
/// with E[D_r] the diagonal of the frequencies of the inside phase of layer r over the given points
/// (exact rationals k/N). Not a bound: ‖J_eff‖ is an *estimate* of the Lipschitz
/// behaviour between the sampled points (the seed reports it near twice the empirical
/// constant for AlexNet). DomainError for an empty sample.
RationalMatrix effective_jacobian(const ReluChain& c, const std::vector<std::vector<Rational>>& points);

/// `n` seeded points of the domain (or of the sampling box around the first layer's
/// kinks on R^n, see sampled_lower_bound), with dyadic coordinates (2^−20 grid).
std::vector<std::vector<Rational>> sample_points(const ReluChain& c, const Domain& d, int n, std::mt19937_64& rng);

/// The best of `samples` seeded candidates: local_lower_bound at random points of the
/// domain (or of a box around the first layer's kinks on R^n) and random pairs (fixed
/// inputs stay fixed: restrict_inputs). Every
/// returned value is recomputed by pair_quotient_lower from its pair.
PairWitness sampled_lower_bound(const ReluChain& c, const Domain& d, LipNorm p, long prec, int samples,
                                std::mt19937_64& rng);

}  // namespace rigornet
