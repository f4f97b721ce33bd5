// rigornet — forward symbolic interval bounds (sound_bounds.hpp), one implementation over
// three number policies. This translation unit is compiled with -frounding-math
// (Makefile) so that GCC neither constant-folds nor reorders floating-point operations
// across the rounding-mode change made by UpwardRounding.
#include "rigornet/verify/sound_bounds.hpp"

#include "rigornet/check/check.hpp"  // bound_precision: the checker's dyadic grid

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <functional>
#include <limits>
#include <type_traits>

#include "rigornet/core/error.hpp"
#include "rigornet/number/upward_rounding.hpp"


namespace rigornet {

namespace {

// ---------------------------------------------------------------- number policies
// V: a coefficient of an affine function; S: a concrete bound. Each policy provides
// add, mul (of coefficients), lower/upper ends of w·x for x in [xl, xu], and the
// upper chord slope. For the outward policy every result encloses the exact one.

struct ExactPolicy {
    using V = Rational;
    using S = Rational;
    static V zero() { return Rational(); }
    static V one() { return Rational(1); }
    static V point(const S& s) { return s; }
    static void add_to(V& acc, const V& a) { acc += a; }
    static V mul(const V& a, const V& b) { return a * b; }
    static int sign(const V& w) { return w.sign(); }
    static bool is_zero(const V& a) { return a.is_zero(); }
    static S lower_term(const V& a, const S& xl, const S& xu) { return a * (a.sign() > 0 ? xl : xu); }
    static S upper_term(const V& a, const S& xl, const S& xu) { return a * (a.sign() > 0 ? xu : xl); }
    static S lower_of(const V& a) { return a; }
    static S upper_of(const V& a) { return a; }
    static void add_lower(S& acc, const S& t) { acc += t; }
    static void add_upper(S& acc, const S& t) { acc += t; }
    // for l < 0 < u: u/(u−l) rounded up and −l rounded up to the dyadic grid of the
    // certificate checker (check.hpp, bound_precision bits), so the exact procedure is
    // the checker's and the rationals stay small (exact chords grow without bound)
    static V chord_slope(const S& l, const S& u) { return round_dyadic(u / (u - l), bound_precision, Round::up); }
    static V chord_offset(const S& l) { return round_dyadic(-l, bound_precision, Round::up); }
    static V neg(const S& l) { return -l; }
    static S sub_upper(const S& a, const S& b) { return a - b; }
    static double heuristic(const V& a) { return a.to_double(Round::nearest); }
};

// Intervals of doubles; all operations assume the FE_UPWARD mode (UpwardRounding), where
// x + y and x·y round up and −((−x) − y), −((−x)·y) are the sums and products rounded down.
struct Interval {
    double lo, hi;
};

struct OutwardPolicy {
    using V = Interval;
    using S = double;
    static V zero() { return {0, 0}; }
    static V one() { return {1, 1}; }
    static V point(S s) { return {s, s}; }
    static void add_to(V& acc, const V& a) {
        acc.lo = -((-acc.lo) - a.lo);
        acc.hi = acc.hi + a.hi;
    }
    static double mul_down(double a, double b) { return -((-a) * b); }
    static V mul(const V& a, const V& b) {
        if (a.lo == a.hi && b.lo == b.hi) {  // points: the common case of binary64 weights
            return {mul_down(a.lo, b.lo), a.lo * b.lo};
        }
        const double lo = std::min({mul_down(a.lo, b.lo), mul_down(a.lo, b.hi), mul_down(a.hi, b.lo), mul_down(a.hi, b.hi)});
        const double hi = std::max({a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi});
        return {lo, hi};
    }
    // The enclosure of one rational has its sign (rounding never crosses 0).
    static int sign(const V& w) { return w.lo > 0 || (w.lo == 0 && w.hi > 0) ? 1 : w.hi < 0 || (w.hi == 0 && w.lo < 0) ? -1 : 0; }
    static bool is_zero(const V& a) { return a.lo == 0 && a.hi == 0; }
    static S lower_term(const V& a, S xl, S xu) {
        return std::min({mul_down(a.lo, xl), mul_down(a.lo, xu), mul_down(a.hi, xl), mul_down(a.hi, xu)});
    }
    static S upper_term(const V& a, S xl, S xu) { return std::max({a.lo * xl, a.lo * xu, a.hi * xl, a.hi * xu}); }
    static S lower_of(const V& a) { return a.lo; }
    static S upper_of(const V& a) { return a.hi; }
    static void add_lower(S& acc, S t) { acc = -((-acc) - t); }
    static void add_upper(S& acc, S t) { acc = acc + t; }
    // Any slope λ ≥ u/(u−l) gives a chord λ·(z − l) ≥ relu(z) on [l, u]: u/(u − l) with
    // the quotient rounded up and the (positive) denominator rounded down.
    static V chord_slope(S l, S u) {
        const double den = -((-u) + l);
        return point(u / den);
    }
    static V neg(S l) { return point(-l); }
    static V chord_offset(S l) { return neg(l); }
    static V range(S lo, S hi) { return {lo, hi}; }
    static S sub_upper(S a, S b) { return a - b; }  // rounded up
    static double heuristic(const V& a) { return a.lo; }
};

// Plain binary64 in the caller's (round-to-nearest) mode: no guarantee.
struct NearestPolicy {
    using V = double;
    using S = double;
    static V zero() { return 0; }
    static V one() { return 1; }
    static V point(S s) { return s; }
    static void add_to(V& acc, V a) { acc += a; }
    static V mul(V a, V b) { return a * b; }
    static int sign(V w) { return w > 0 ? 1 : w < 0 ? -1 : 0; }
    static bool is_zero(V a) { return a == 0; }
    static S lower_term(V a, S xl, S xu) { return a * (a > 0 ? xl : xu); }
    static S upper_term(V a, S xl, S xu) { return a * (a > 0 ? xu : xl); }
    static S lower_of(V a) { return a; }
    static S upper_of(V a) { return a; }
    static void add_lower(S& acc, S t) { acc += t; }
    static void add_upper(S& acc, S t) { acc += t; }
    static V chord_slope(S l, S u) { return u / (u - l); }
    static V neg(S l) { return -l; }
    static V chord_offset(S l) { return -l; }
    static V range(S lo, S) { return lo; }  // never used: a double weight is never an interval around 0
    static S sub_upper(S a, S b) { return a - b; }
    static double heuristic(V a) { return a; }
};

// ---------------------------------------------------------------- models
// Where the weights come from: the exact chain, or its double enclosure.

struct ExactModel {
    const ReluChain& c;
    const VnnlibProperty& p;
    std::size_t layers() const { return c.weights.size(); }
    std::size_t rows(std::size_t r) const { return c.weights[r].rows(); }
    std::size_t cols(std::size_t r) const { return c.weights[r].cols(); }
    Rational w(std::size_t r, std::size_t i, std::size_t j) const { return c.weights[r].at(i, j); }
    Rational b(std::size_t r, std::size_t i) const { return c.biases[r][i]; }
    bool capped(std::size_t r, std::size_t k) const { return c.cap(r, k) != nullptr; }
    Rational cap_lower(std::size_t r, std::size_t k) const { return *c.cap(r, k); }
    // the constants of a clip, on the checker's dyadic grid (check.hpp): σ(l′) ≤ σ(l), σ(u′) ≥ σ(u)
    Rational sigma_lower(std::size_t r, std::size_t k, const Rational& z) const {
        return c.activate(r, k, round_dyadic(z, bound_precision, Round::down));
    }
    Rational sigma_upper(std::size_t r, std::size_t k, const Rational& z) const {
        return c.activate(r, k, round_dyadic(z, bound_precision, Round::up));
    }
    std::size_t conjunctions() const { return p.unsafe.size(); }
    std::size_t constraints(std::size_t k) const { return p.unsafe[k].size(); }
    Rational ax(std::size_t k, std::size_t m, std::size_t i) const { return p.unsafe[k][m].ax[i]; }
    Rational ay(std::size_t k, std::size_t m, std::size_t j) const { return p.unsafe[k][m].ay[j]; }
};

template <class P>
struct DoubleModel {
    const OutwardChain& c;
    static typename P::V get(double lo, double hi) {
        if constexpr (std::is_same_v<P, OutwardPolicy>)
            return Interval{lo, hi};
        else
            return lo == hi ? lo : lo + (hi - lo) / 2;  // a double of the enclosure
    }
    std::size_t layers() const { return c.layers.size(); }
    std::size_t rows(std::size_t r) const { return c.layers[r].rows; }
    std::size_t cols(std::size_t r) const { return c.layers[r].cols; }
    typename P::V w(std::size_t r, std::size_t i, std::size_t j) const {
        const auto& l = c.layers[r];
        return get(l.wlo[i * l.cols + j], l.whi[i * l.cols + j]);
    }
    typename P::V b(std::size_t r, std::size_t i) const { return get(c.layers[r].blo[i], c.layers[r].bhi[i]); }
    bool capped(std::size_t r, std::size_t k) const { return c.layers[r].caphi[k] >= 0; }
    double cap_lower(std::size_t r, std::size_t k) const { return c.layers[r].caplo[k]; }
    double sigma_lower(std::size_t r, std::size_t k, double z) const { return std::min(std::max(z, 0.0), c.layers[r].caplo[k]); }
    double sigma_upper(std::size_t r, std::size_t k, double z) const { return std::min(std::max(z, 0.0), c.layers[r].caphi[k]); }
    double rhs_up(std::size_t k, std::size_t m) const { return c.unsafe[k][m].rhs_up; }
    std::size_t conjunctions() const { return c.unsafe.size(); }
    std::size_t constraints(std::size_t k) const { return c.unsafe[k].size(); }
    typename P::V ax(std::size_t k, std::size_t m, std::size_t i) const {
        const auto& q = c.unsafe[k][m];
        return get(q.axlo[i], q.axhi[i]);
    }
    typename P::V ay(std::size_t k, std::size_t m, std::size_t j) const {
        const auto& q = c.unsafe[k][m];
        return get(q.aylo[j], q.ayhi[j]);
    }
};

// ---------------------------------------------------------------- the procedure

// Per hidden unit: σ ≥ la·z + lb, σ ≤ ua·z + ub and sl ≤ σ ≤ su on the region; unstable:
// an unfixed ReLU (or a clip below its cap) with l < 0 < u, relaxed by the chord above
// and α·z below (lb = 0), so any other α ∈ [0, 1] may replace la; free_slope: unstable, or
// a ReLU fixed active with l < 0 (σ ≤ z on the region, α·z below: the same freedom).
template <class P>
struct Relax {
    typename P::V la, lb, ua, ub;
    typename P::S sl, su;
    bool unstable = false;
    bool free_slope = false;
};

// Which lower slope a free-slope unit gets in a back-substitution: its own (the DeepPoly
// rule or the caller's), 0, or the caller's value α ∈ [0, 1] per unit (`given`).
enum class Alpha { own, zero, given };

// What a back-substitution saw (for the α ascent, a heuristic): nu[r] the coefficients
// of σ_r (hidden layer r) before relaxation, h the final affine function of x.
template <class P>
struct BackTrace {
    std::vector<std::vector<typename P::V>> nu;
    std::vector<typename P::V> h;
};

// ν = μ·W_r for the outward policy from the midpoint-radius form of the weights (inner
// loops over a contiguous row, which the compiler vectorises; about 10× the interval
// loop on MNIST 256×2, docs/verify.md). With μ_i ∈ [m − ρ, m + ρ] (m the midpoint, ρ
// rounded up) and w ∈ [wm − wr, wm + wr]: μ_i·w ∈ m·wm ± (|m|·wr + ρ·(|wm| + wr)), as
// |μ_i·w − m·wm| ≤ |μ_i − m|·|w| + |m|·|w − wm|. The upper ends are summed rounded up
// (FE_UPWARD: each product and sum is ≥ its exact value, and sums are monotone, so the
// total is ≥ the exact one), the lower ends as the negation of the same sum of (−m)·wm +
// … . So ν_j encloses Σ_i μ_i w_ij for every weight in its enclosure. Returns false,
// leaving ν alone, when some μ_i is not finite (the interval loop then runs).
bool outward_products(const OutwardChain::Layer& layer, const std::vector<Interval>& mu, std::vector<Interval>& nu) {
    const std::size_t cols = layer.cols;
    std::vector<double> up(cols, 0.0), down(cols, 0.0);  // down: minus the lower ends
    for (std::size_t i = 0; i < mu.size(); ++i) {
        const Interval x = mu[i];
        if (x.lo == 0 && x.hi == 0) continue;
        const double m = x.lo == x.hi ? x.lo : x.lo + (x.hi - x.lo) / 2;
        const double rho = x.lo == x.hi ? 0.0 : std::max(x.hi - m, m - x.lo);  // rounded up
        if (!std::isfinite(m) || !std::isfinite(rho)) return false;
        const double nm = -m, am = std::abs(m);
        const double* wm = &layer.wlo[i * cols];  // the midpoints
        const double* wa = &layer.wmag[i * cols];
        const double* wr = &layer.wrad[i * cols];
        if (layer.point && rho == 0) {  // point times point: no radius term
            for (std::size_t j = 0; j < cols; ++j) {
                up[j] += m * wm[j];
                down[j] += nm * wm[j];
            }
        } else {
            for (std::size_t j = 0; j < cols; ++j) {
                const double rad = am * wr[j] + rho * wa[j];
                up[j] += m * wm[j] + rad;
                down[j] += nm * wm[j] + rad;
            }
        }
    }
    for (std::size_t j = 0; j < cols; ++j) nu[j] = {-down[j], up[j]};
    return true;
}

// Lower bound over the region of μ·z_top + h·(x, 1), z_top the pre-activations of
// affine layer `top` (μ indexed by its rows), by back-substitution (DeepPoly / CROWN):
// z_r = W_r σ_{r−1} + b_r is substituted exactly (interval coefficients in the outward
// policy), then each σ_{r−1,j} is replaced by its lower relaxation la·z + lb where its
// coefficient ν_j is positive, its upper one ua·z + ub where negative (ν_j σ ≥ ν_j·(that)
// on the region in both cases), and for an interval ν_j around 0 by the constant range
// ν_j·[sl, su]; at the input the affine function is minimised over the box. Every step
// is a lower bound of the previous one, so the result is (rounded outward in the outward
// policy: each product and sum encloses the real one). With Alpha::given an unstable
// unit's lower slope is (*given)[r][j], which must lie in [0, 1] (α·z ≤ relu(z) there).
// With `beta` (β-CROWN, Wang et al., NeurIPS 2021), (*beta)[r][j]·z_{r,j} is added to the
// function for each unit of hidden layer r whose phase is fixed by a split: the caller
// keeps it ≥ 0 where the unit is fixed inactive (z ≤ 0 on the region) and ≤ 0 where
// active (z ≥ 0), 0 elsewhere, so every added term is ≤ 0 on the region and a lower bound
// of the sum is one of the original function.
template <class P, class M, class LowerMin>
typename P::S back_lower(const M& model, const std::vector<std::vector<Relax<P>>>& relax, std::vector<typename P::V> mu,
                         std::size_t top, std::vector<typename P::V> h, Alpha alpha, const LowerMin& lower_min,
                         const std::vector<std::vector<double>>* given = nullptr, BackTrace<P>* trace = nullptr,
                         const std::vector<std::vector<double>>* beta = nullptr) {
    using V = typename P::V;
    const std::size_t n = h.size() - 1;
    if (trace) trace->nu.assign(top, {});
    for (std::size_t r = top + 1; r-- > 0;) {
        std::vector<V> nu(model.cols(r), P::zero());
        bool products = false;  // ν = μ·W_r formed by outward_products
        if constexpr (std::is_same_v<P, OutwardPolicy> && std::is_same_v<M, DoubleModel<OutwardPolicy>>)
            products = outward_products(model.c.layers[r], mu, nu);
        for (std::size_t i = 0; i < mu.size(); ++i) {
            if (P::is_zero(mu[i])) continue;
            P::add_to(h[n], P::mul(mu[i], model.b(r, i)));
            if (!products)
                for (std::size_t j = 0; j < nu.size(); ++j) P::add_to(nu[j], P::mul(mu[i], model.w(r, i, j)));
        }
        if (r == 0) {
            for (std::size_t i = 0; i < n; ++i) P::add_to(h[i], nu[i]);
            break;
        }
        if (trace) trace->nu[r - 1] = nu;
        for (std::size_t j = 0; j < nu.size(); ++j) {
            const Relax<P>& rx = relax[r - 1][j];
            if (P::is_zero(nu[j])) continue;
            const int sg = P::sign(nu[j]);
            if (sg == 0) {  // an interval around 0: the concrete range of σ
                P::add_to(h[n], P::mul(nu[j], P::range(rx.sl, rx.su)));
                nu[j] = P::zero();
                continue;
            }
            P::add_to(h[n], P::mul(nu[j], sg > 0 ? rx.lb : rx.ub));
            const V la = !rx.free_slope || alpha == Alpha::own ? rx.la
                         : alpha == Alpha::zero              ? P::zero()
                                                             : P::point((*given)[r - 1][j]);
            nu[j] = P::mul(nu[j], sg > 0 ? la : rx.ua);
        }
        if (beta)
            for (std::size_t j = 0; j < nu.size(); ++j)
                if (const double bj = (*beta)[r - 1][j]; bj != 0) P::add_to(nu[j], P::point(bj));
        mu = std::move(nu);
    }
    if (trace) trace->h = h;
    return lower_min(h.data());
}

// α-CROWN for one output constraint (Xu et al., "Fast and Complete", ICLR 2021): the
// back-substituted bound B(α) of μ·z_top + h·(x, 1) is raised by `steps` projected
// signed-gradient steps on the lower slopes α ∈ [0, 1] of the unstable units, starting
// from `start`. Each B(α) is computed by back_lower in the policy P (outward: a sound
// bound, as any α ∈ [0, 1] is), and the largest is returned. The gradient is a heuristic
// in double: with the signs and coefficients ν the back-substitution used and x* the box
// corner minimising its final affine function, ∂B/∂α_j = ν_j·ẑ_j for an unstable unit with
// ν_j > 0, ẑ the pre-activations of the relaxed network (each σ replaced by the
// relaxation the back-substitution chose) at x*.
// With `fix` (β-CROWN), the multipliers β of back_lower for the units fixed by splits move
// at the same time, from 0: ∂B/∂β_j = ẑ_j, a signed step of η times the layer's mean |ν|
// (at the first step), projected onto β ≥ 0 for an inactive unit, β ≤ 0 for an active one.
template <class P, class M, class LowerMin>
typename P::S alpha_ascent(const M& model, const std::vector<std::vector<Relax<P>>>& relax,
                           const std::vector<typename P::V>& mu, std::size_t top, const std::vector<typename P::V>& h,
                           std::vector<std::vector<double>> alpha, std::size_t steps, const std::vector<typename P::S>& lo,
                           const std::vector<typename P::S>& hi, const LowerMin& lower_min, const PhaseFix* fix = nullptr,
                           typename SymbolicBounds<typename P::S>::AscentPoint* best_point = nullptr) {
    using S = typename P::S;
    S best = -std::numeric_limits<double>::infinity();
    double eta = 0.5;
    BackTrace<P> tr;
    const std::size_t n = lo.size();
    auto phase = [&](std::size_t r, std::size_t j) -> int {
        return fix && r < fix->size() && j < (*fix)[r].size() ? (*fix)[r][j] : 0;
    };
    bool any_fixed = false;
    for (std::size_t r = 0; r < top; ++r)
        for (std::size_t j = 0; j < model.rows(r); ++j) any_fixed = any_fixed || phase(r, j) != 0;
    std::vector<std::vector<double>> beta;
    std::vector<double> beta_step;
    if (any_fixed)
        for (std::size_t r = 0; r < top; ++r) beta.emplace_back(model.rows(r), 0.0);
    for (std::size_t s = 0; s < steps; ++s, eta *= 0.7) {
        const S b = back_lower<P>(model, relax, mu, top, h, Alpha::given, lower_min, &alpha, &tr, any_fixed ? &beta : nullptr);
        if (b > best) {  // NaN never wins
            best = b;
            if (best_point) *best_point = {alpha, beta};
        }
        if (s + 1 == steps) break;
        if (any_fixed && s == 0)
            for (std::size_t r = 0; r < top; ++r) {
                double sum = 0;
                std::size_t count = 0;
                for (const auto& v : tr.nu[r])
                    if (const double a = std::abs(P::heuristic(v)); a > 0 && std::isfinite(a)) sum += a, ++count;
                beta_step.push_back(count ? sum / static_cast<double>(count) : 0.0);
            }
        // relaxed forward pass at the minimising corner, in double
        std::vector<double> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = P::heuristic(tr.h[i]) > 0 ? lo[i] : hi[i];
        for (std::size_t r = 0; r < top; ++r) {
            std::vector<double> z(model.rows(r));
            for (std::size_t i = 0; i < z.size(); ++i) z[i] = P::heuristic(model.b(r, i));
            if constexpr (std::is_same_v<M, DoubleModel<OutwardPolicy>>) {  // column by column, vectorised
                const double* wt = model.c.layers[r].wlo_t.data();
                for (std::size_t j = 0; j < v.size(); ++j)
                    if (const double vj = v[j]; vj != 0)
                        for (std::size_t i = 0; i < z.size(); ++i) z[i] += wt[j * z.size() + i] * vj;
            } else {
                for (std::size_t i = 0; i < z.size(); ++i)
                    for (std::size_t j = 0; j < v.size(); ++j) z[i] += P::heuristic(model.w(r, i, j)) * v[j];
            }
            for (std::size_t j = 0; j < z.size(); ++j) {
                const Relax<P>& rx = relax[r][j];
                const double nu = P::heuristic(tr.nu[r][j]);
                const bool low = nu >= 0;
                const double la = rx.free_slope && low ? alpha[r][j] : P::heuristic(low ? rx.la : rx.ua);
                if (rx.free_slope && nu > 0) {
                    const double g = nu * z[j];
                    alpha[r][j] = std::clamp(alpha[r][j] + (g > 0 ? eta : g < 0 ? -eta : 0.0), 0.0, 1.0);
                }
                if (const int ph = any_fixed ? phase(r, j) : 0; ph != 0) {  // ∂B/∂β_j = ẑ_j
                    const double step = z[j] > 0 ? eta * beta_step[r] : z[j] < 0 ? -eta * beta_step[r] : 0.0;
                    beta[r][j] = ph < 0 ? std::max(beta[r][j] + step, 0.0) : std::min(beta[r][j] + step, 0.0);
                }
                z[j] = la * z[j] + P::heuristic(low ? rx.lb : rx.ub);
            }
            v = std::move(z);
        }
    }
    return best;
}

// Multipliers λ ≥ 0 (Σλ = 1) for combining the constraints of a conjunction, given the
// affine lower functions ℓ_m(x) − d_m (coefficients of x, then the constant) of its
// constraints over the box [lo, hi]: approximately maximises the concave function
// φ(λ) = min_box Σ_m λ_m (ℓ_m(x) − d_m) by projected supergradient steps (the
// supergradient is (ℓ_m(x*) − d_m)_m at a minimising corner x*). A heuristic in double:
// soundness never depends on λ (any λ ≥ 0 gives a valid combined constraint).
std::vector<double> combination_multipliers(const std::vector<std::vector<double>>& affine,
                                            const std::vector<double>& lo, const std::vector<double>& hi) {
    const std::size_t mm = affine.size(), n = lo.size();
    std::vector<double> lambda(mm, 0.0), best, g(mm), x(n);
    auto phi = [&](const std::vector<double>& l) {  // value at l, x* in x, supergradient in g
        double v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            double coef = 0;
            for (std::size_t m = 0; m < mm; ++m) coef += l[m] * affine[m][i];
            x[i] = coef > 0 ? lo[i] : hi[i];
            v += coef * x[i];
        }
        for (std::size_t m = 0; m < mm; ++m) {
            g[m] = affine[m][n];
            for (std::size_t i = 0; i < n; ++i) g[m] += affine[m][i] * x[i];
            v += l[m] * affine[m][n];
        }
        return v;
    };
    // a constraint whose function is ≤ 0 throughout the box only lowers the combined
    // function pointwise (λ_m ≥ 0), so it never helps: it keeps λ_m = 0 (a constraint on
    // the inputs alone that the box implies, as ACAS Xu property 6's X_2 ≥ −0.499999896
    // over its hull, looked nearest to refutation at gap ≈ 0 and drew the splits)
    std::vector<char> useless(mm, 0);
    std::size_t useful = 0;
    for (std::size_t m = 0; m < mm; ++m) {
        double top = affine[m][n];
        for (std::size_t i = 0; i < n; ++i) top += affine[m][i] * (affine[m][i] > 0 ? hi[i] : lo[i]);
        useless[m] = top <= 1e-9 * (1 + std::abs(affine[m][n]));  // up to rounding
        useful += !useless[m];
    }
    if (useful == 0) std::fill(useless.begin(), useless.end(), 0);
    // start at the best single constraint
    double best_value = -std::numeric_limits<double>::infinity();
    for (std::size_t m = 0; m < mm; ++m) {
        if (useless[m]) continue;
        std::vector<double> e(mm, 0.0);
        e[m] = 1;
        if (const double v = phi(e); v > best_value || best.empty()) {
            best_value = v;
            best = std::move(e);
        }
    }
    lambda = best;
    phi(lambda);
    double scale = 0;
    for (std::size_t m = 0; m < mm; ++m) scale = std::max(scale, std::abs(g[m]));
    if (!(scale > 0) || !std::isfinite(scale)) return best;
    std::vector<double> sorted(mm);
    for (int s = 0; s < 60; ++s) {
        const double v = phi(lambda);
        if (v > best_value) {
            best_value = v;
            best = lambda;
        }
        const double eta = 1.0 / (scale * std::sqrt(s + 1.0));
        for (std::size_t m = 0; m < mm; ++m) lambda[m] += eta * g[m];
        // Euclidean projection onto the simplex of the useful constraints (sort, find the
        // threshold)
        sorted.clear();
        for (std::size_t m = 0; m < mm; ++m)
            if (!useless[m]) sorted.push_back(lambda[m]);
        std::sort(sorted.begin(), sorted.end(), std::greater<>());
        double cum = 0, theta = 0;
        for (std::size_t j = 0; j < sorted.size(); ++j) {
            cum += sorted[j];
            const double t = (cum - 1) / static_cast<double>(j + 1);
            if (sorted[j] - t > 0) theta = t;
        }
        for (std::size_t m = 0; m < mm; ++m) lambda[m] = useless[m] ? 0.0 : std::max(lambda[m] - theta, 0.0);
    }
    return best;
}

// An output constraint left open at a node, as its bound was last computed: the
// back-substitution's start (μ, h), its right-hand side d (rounded up) and the lower
// slopes it used (Alpha::given: the ascent's best α, with its β when any).
template <class P>
struct OpenConstraint {
    std::size_t k = 0;
    std::vector<typename P::V> mu, h;
    double rhs = 0;
    Alpha alpha = Alpha::own;
    std::vector<std::vector<double>> given, beta;
};

// Filtered smart branching (De Palma et al., "Improved Branch and Bound for Neural
// Network Verification via Lagrangian Decomposition", 2021): among the `candidates`
// unstable, uncapped units of largest split score (ties: the lower layer and index),
// the one whose worse child has the least total shortfall over the open conjunctions,
// Σ_k min(0, max_m (B_m − d_m)), B_m the constraint's back-substitution with that unit
// fixed inactive (σ = 0) or active (σ ≤ z above, its lower slope below) and every other
// relaxation as at the node. A heuristic in double (the children's intermediate bounds
// are not recomputed); never a bound. None when no unit qualifies.
template <class P, class M, class LowerMin>
std::optional<std::pair<std::size_t, std::size_t>> fsb_choice(const M& model, std::vector<std::vector<Relax<P>>> relax,
                                                              const std::vector<std::vector<double>>& score,
                                                              const std::vector<OpenConstraint<P>>& open,
                                                              std::size_t top, std::size_t candidates,
                                                              std::size_t conjunctions, const LowerMin& lower_min) {
    struct Candidate {
        double score;
        std::size_t r, j;
    };
    std::vector<Candidate> cand;
    for (std::size_t r = 0; r < relax.size(); ++r)
        for (std::size_t j = 0; j < relax[r].size(); ++j)
            if (relax[r][j].unstable && !model.capped(r, j) && score[r][j] > 0) cand.push_back({score[r][j], r, j});
    if (cand.empty()) return std::nullopt;
    const std::size_t keep = std::min(candidates, cand.size());
    std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(keep), cand.end(),
                      [](const Candidate& a, const Candidate& b) {
                          return a.score != b.score ? a.score > b.score : a.r != b.r ? a.r < b.r : a.j < b.j;
                      });
    cand.resize(keep);
    if (keep == 1 || open.empty()) return std::make_pair(cand[0].r, cand[0].j);
    std::vector<std::size_t> conj;  // the open conjunctions, once each
    for (const OpenConstraint<P>& c : open)
        if (conj.empty() || conj.back() != c.k) conj.push_back(c.k);  // `open` is grouped by k
    std::vector<double> gap(conjunctions);
    auto shortfall = [&] {
        std::fill(gap.begin(), gap.end(), -std::numeric_limits<double>::infinity());
        for (const OpenConstraint<P>& c : open) {
            const double g = back_lower<P>(model, relax, c.mu, top, c.h, c.alpha, lower_min,
                                           c.given.empty() ? nullptr : &c.given, nullptr,
                                           c.beta.empty() ? nullptr : &c.beta) -
                             c.rhs;
            if (g > gap[c.k]) gap[c.k] = g;  // NaN never wins
        }
        double total = 0;
        for (std::size_t k : conj) total += std::min(gap[k], 0.0);
        return total;
    };
    double best = -std::numeric_limits<double>::infinity();
    std::pair<std::size_t, std::size_t> choice{cand[0].r, cand[0].j};
    for (const Candidate& c : cand) {
        Relax<P>& rx = relax[c.r][c.j];
        const Relax<P> unit = rx;
        rx = {P::zero(), P::zero(), P::zero(), P::zero(), 0.0, 0.0};  // inactive
        const double inactive = shortfall();
        rx = unit;  // active: σ ≤ z, σ ≥ (its lower slope)·z
        rx.ua = P::one();
        rx.ub = P::zero();
        rx.sl = 0.0;
        rx.unstable = false;
        const double active = shortfall();
        rx = unit;
        if (const double v = std::min(inactive, active); v > best) {
            best = v;
            choice = {c.r, c.j};
        }
    }
    return choice;
}

template <class P, class M>
SymbolicBounds<typename P::S> propagate(const M& model, const std::vector<typename P::S>& lo,
                                        const std::vector<typename P::S>& hi, const PhaseFix& fix,
                                        const Slopes& slopes, NeuronBounds neurons,
                                        const SymbolicBounds<typename P::S>* forward_pass,
                                        const std::function<bool()>& expired, const BoundRefinement& refine = {}) {
    using V = typename P::V;
    using S = typename P::S;
    constexpr bool exact = std::is_same_v<P, ExactPolicy>;
    const std::size_t n = lo.size(), width = n + 1;  // coefficients x_0…x_{n−1}, then the constant
    auto lower_min = [&](const V* f) {
        S s = P::lower_of(f[n]);
        for (std::size_t t = 0; t < n; ++t)
            if (!P::is_zero(f[t])) P::add_lower(s, P::lower_term(f[t], lo[t], hi[t]));
        return s;
    };
    auto upper_max = [&](const V* f) {
        S s = P::upper_of(f[n]);
        for (std::size_t t = 0; t < n; ++t)
            if (!P::is_zero(f[t])) P::add_upper(s, P::upper_term(f[t], lo[t], hi[t]));
        return s;
    };
    // σ bounds of the previous layer (initially the inputs x_i), flat: unit j at j·width
    std::vector<V> hl(n * width, P::zero()), hu;
    for (std::size_t i = 0; i < n; ++i) hl[i * width + i] = P::one();
    hu = hl;
    std::vector<char> hzero(n, 0);  // unit known to be 0 (both functions zero)
    SymbolicBounds<S> out;
    std::vector<std::vector<Relax<P>>> relax;  // for the back-substitutions
    const std::size_t last = model.layers() - 1;
    // NeuronBounds::backward: no forward functions; each unit's first enclosure [zlo, zhi]
    // by interval arithmetic over the previous layer's σ ranges (the box for layer 0), and
    // one scratch pair of functions that the relaxation code below may write into
    const bool symbolic = neurons != NeuronBounds::backward;
    std::vector<S> zlo, zhi;
    std::vector<V> scratch_l(symbolic ? 0 : width), scratch_u(symbolic ? 0 : width);
    for (std::size_t r = 0; r <= last; ++r) {
        const std::size_t rows = model.rows(r), cols = model.cols(r);
        std::vector<V> zl(symbolic ? rows * width : 0, P::zero()), zu(symbolic ? rows * width : 0, P::zero());
        if (!symbolic) {
            zlo.assign(rows, S(0));
            zhi.assign(rows, S(0));
            for (std::size_t i = 0; i < rows; ++i) {
                if (expired && expired()) throw ResourceError("symbolic bounds: stopped (time limit or interrupt)");
                S a = P::lower_of(model.b(r, i)), b = P::upper_of(model.b(r, i));
                for (std::size_t j = 0; j < cols; ++j) {
                    const S sl = r == 0 ? lo[j] : relax[r - 1][j].sl, su = r == 0 ? hi[j] : relax[r - 1][j].su;
                    if (r > 0 && sl == S(0) && su == S(0)) continue;
                    const V w = model.w(r, i, j);
                    if (P::is_zero(w)) continue;
                    P::add_lower(a, P::lower_term(w, sl, su));
                    P::add_upper(b, P::upper_term(w, sl, su));
                }
                zlo[i] = a;
                zhi[i] = b;
            }
        }
        for (std::size_t i = 0; i < (symbolic ? rows : 0); ++i) {
            if (expired && expired()) throw ResourceError("symbolic bounds: stopped (time limit or interrupt)");
            V* fl = &zl[i * width];
            V* fu = &zu[i * width];
            fl[n] = model.b(r, i);
            fu[n] = fl[n];
            for (std::size_t j = 0; j < cols; ++j) {
                if (hzero[j]) continue;
                const V w = model.w(r, i, j);
                const int sg = P::sign(w);
                if (sg == 0) continue;
                const V* gl = &(sg > 0 ? hl : hu)[j * width];
                const V* gu = &(sg > 0 ? hu : hl)[j * width];
                for (std::size_t t = 0; t < width; ++t) {
                    if (!P::is_zero(gl[t])) P::add_to(fl[t], P::mul(w, gl[t]));
                    if (!P::is_zero(gu[t])) P::add_to(fu[t], P::mul(w, gu[t]));
                }
            }
        }
        if (r == last) {
            hl = std::move(zl);
            hu = std::move(zu);
            break;
        }
        out.lower.emplace_back(rows);
        out.upper.emplace_back(rows);
        out.slopes.emplace_back(rows, 0);
        relax.emplace_back();
        hzero.assign(rows, 0);
        for (std::size_t k = 0; k < rows; ++k) {
            V* fl = symbolic ? &zl[k * width] : scratch_l.data();
            V* fu = symbolic ? &zu[k * width] : scratch_u.data();
            S l = symbolic ? lower_min(fl) : zlo[k], u = symbolic ? upper_max(fu) : zhi[k];
            const int fixed = r < fix.size() && k < fix[r].size() ? fix[r][k] : 0;
            if constexpr (!exact) {
                // back-substituted bounds of a unit whose forward bounds leave it
                // unstable, and the bounds of the plain forward pass (all are bounds of
                // z on the region: keep the tighter ends; NaN never wins). Layer 0 is
                // affine in x: nothing to gain there.
                for (const SymbolicBounds<S>* other : {forward_pass, refine.parent})
                    if (other && r < other->lower.size() && k < other->lower[r].size()) {
                        if (other->lower[r][k] > l) l = other->lower[r][k];
                        if (other->upper[r][k] < u) u = other->upper[r][k];
                    }
                const bool open = model.capped(r, k) ? !(l >= S(0) && u <= model.cap_lower(r, k)) : l < S(0) && u > S(0);
                if (neurons != NeuronBounds::forward && r > 0 && fixed == 0 && open) {
                    std::vector<V> mu(rows, P::zero());
                    // with unit_alpha_steps, α-CROWN on the unit's bound too (sound for any α)
                    auto side = [&] {
                        const std::vector<V> h(width, P::zero());
                        if (refine.unit_alpha_steps == 0) return back_lower<P>(model, relax, mu, r, h, Alpha::own, lower_min);
                        std::vector<std::vector<double>> start(r);
                        for (std::size_t q = 0; q < r; ++q)
                            for (unsigned char a : out.slopes[q]) start[q].push_back(a);
                        return alpha_ascent<P>(model, relax, mu, r, h, std::move(start), refine.unit_alpha_steps, lo, hi,
                                               lower_min, refine.beta ? &fix : nullptr);
                    };
                    mu[k] = P::one();
                    const S bl = side();
                    mu[k] = P::point(S(-1));
                    const S bu = -side();
                    if (bl > l) l = bl;
                    if (bu < u) u = bu;
                }
            }
            out.lower[r][k] = l;
            out.upper[r][k] = u;
            const V zero = P::zero(), one = P::one();
            relax[r].push_back({zero, zero, zero, zero, S(0), S(0)});  // inactive, overwritten below
            Relax<P>& rx = relax[r].back();
            if (model.capped(r, k)) {
                // clip σ(z) = min(max(z, 0), cap), with l ≥ 0: σ(z) ≤ z ≤ U, and
                // σ(z) ≥ z − (u − cap) for z ≤ u (the identity when u ≤ cap); used
                // while the overshoot u − cap is at most cap − l, else constants
                const S cap = model.cap_lower(r, k);
                rx.sl = model.sigma_lower(r, k, l);
                rx.su = model.sigma_upper(r, k, u);
                if (l >= S(0) && l < cap && (u <= cap || P::sub_upper(u, cap) <= cap - l)) {
                    rx.la = rx.ua = one;
                    if (!(u <= cap)) {
                        rx.lb = P::neg(P::sub_upper(u, cap));
                        P::add_to(fl[n], rx.lb);
                    }
                    continue;
                }
                if (u <= S(0)) {
                    std::fill(fl, fl + width, P::zero());
                    std::fill(fu, fu + width, P::zero());
                    hzero[k] = 1;
                    continue;
                }
                if (l >= S(0) || !(u <= cap)) {  // otherwise a plain ReLU on [l, u]: below
                    std::fill(fl, fl + width, P::zero());
                    std::fill(fu, fu + width, P::zero());
                    fl[n] = rx.lb = P::point(rx.sl);
                    fu[n] = rx.ub = P::point(rx.su);
                    continue;
                }
            }
            // NaN-safe: a NaN bound (overflow) never counts as a stable phase
            if (fixed > 0 || (fixed == 0 && l >= S(0))) {  // active: (L, U)
                rx = {one, zero, one, zero, l, u};
                if (!exact && neurons != NeuronBounds::forward) {
                    // fixed active with l < 0: σ = z ∈ [0, u] on the region, and σ ≥ α·z for any
                    // α ∈ [0, 1] everywhere (relu ≥ 0, relu ≥ z): the lower slope by the DeepPoly
                    // rule, as an unstable unit's, since σ ≥ z alone lets z go down to l < 0 in
                    // a back-substitution that minimises over the box (measured in docs/verify.md:
                    // without it a child's unit bounds were often looser than its parent's). The
                    // forward procedure keeps (L, U): it is the certificate checker's.
                    if (l < S(0)) {
                        rx.sl = u < S(0) ? u : S(0);  // u < 0: an empty region, kept ordered
                        rx.free_slope = true;
                        out.slopes[r][k] = u > -l ? 1 : 0;  // the slope a certificate leaf gives it
                        if (!(u > -l)) {
                            rx.la = zero;
                            std::fill(fl, fl + width, P::zero());
                        }
                    }
                }
                continue;
            }
            if (fixed < 0 || u <= S(0)) {                           // inactive: (0, 0)
                std::fill(fl, fl + width, P::zero());
                std::fill(fu, fu + width, P::zero());
                hzero[k] = 1;
                continue;
            }
            // unstable: upper λ·(U − l), lower α·L
            const V lambda = P::chord_slope(l, u);
            for (std::size_t t = 0; t < width; ++t)
                if (!P::is_zero(fu[t])) fu[t] = P::mul(lambda, fu[t]);
            P::add_to(fu[n], P::mul(lambda, P::chord_offset(l)));
            const bool alpha = r < slopes.size() && k < slopes[r].size() ? slopes[r][k] != 0 : u > -l;
            out.slopes[r][k] = alpha ? 1 : 0;
            rx = {alpha ? one : zero, zero, lambda, P::mul(lambda, P::chord_offset(l)), S(0), u, true, true};
            if (!alpha) std::fill(fl, fl + width, P::zero());
        }
        hl = std::move(zl);
        hu = std::move(zu);
    }
    // output constraints: a·x + Σ_{c>0} c·L_y + Σ_{c<0} c·U_y, minimised over the box
    const std::size_t outs = model.rows(last);
    out.combination.assign(model.conjunctions(), {});
    if constexpr (!exact)
        for (const auto& layer : relax) out.split_score.emplace_back(layer.size(), 0.0);
    if (refine.record_ascent) out.ascent.resize(model.conjunctions());
    std::vector<OpenConstraint<P>> open_constraints;  // for branch_candidates
    out.combined_bound.assign(model.conjunctions(), S(0));
    out.combined_rhs.assign(model.conjunctions(), S(0));
    for (std::size_t k = 0; k < model.conjunctions(); ++k) {
        out.bound.emplace_back();
        out.forward.emplace_back();
        out.gradient.emplace_back();
        // per constraint, the final affine function of x of its better back-substitution
        // (for choosing the multipliers of the combination below; a heuristic)
        std::vector<std::vector<double>> affine;
        bool refuted = false;
        std::vector<OpenConstraint<P>> still_open;
        for (std::size_t m = 0; m < model.constraints(k); ++m) {
            S bound{};
            std::vector<double> grad(n);
            if (symbolic) {
                std::vector<V> g(width, P::zero());
                for (std::size_t i = 0; i < n; ++i) g[i] = model.ax(k, m, i);
                for (std::size_t j = 0; j < outs; ++j) {
                    const V cj = model.ay(k, m, j);
                    const int sg = P::sign(cj);
                    if (sg == 0) continue;
                    const V* f = &(sg > 0 ? hl : hu)[j * width];
                    for (std::size_t t = 0; t < width; ++t)
                        if (!P::is_zero(f[t])) P::add_to(g[t], P::mul(cj, f[t]));
                }
                bound = lower_min(g.data());
                for (std::size_t i = 0; i < n; ++i) grad[i] = P::heuristic(g[i]);
            } else if constexpr (!exact) {
                bound = -std::numeric_limits<double>::infinity();  // no forward functions
            }
            out.forward.back().push_back(bound);
            if constexpr (!exact) {
                // back-substitution of the constraint through the same relaxations, with
                // the units' own lower slopes and with α = 0 for every unstable unit
                // (each a lower bound: any α ∈ [0, 1] is sound); the largest is kept
                std::vector<V> mu(outs), h(width, P::zero());
                for (std::size_t j = 0; j < outs; ++j) mu[j] = model.ay(k, m, j);
                for (std::size_t i = 0; i < n; ++i) h[i] = model.ax(k, m, i);
                S back_own = 0, back_zero = 0;
                BackTrace<P> tr;
                OpenConstraint<P> estimate;  // how the bound below was reached, for branch_candidates
                std::vector<std::vector<V>> nu_own;  // the own-slope run's ν, for split_score
                const bool combining = model.constraints(k) >= 2;
                std::vector<double> better(combining ? width : 0);  // ℓ_m − d_m of the better of the two
                for (Alpha a : {Alpha::own, Alpha::zero}) {
                    const S back = back_lower<P>(model, relax, mu, last, h, a, lower_min, nullptr, &tr);
                    if (back > bound) bound = back;  // NaN never wins
                    (a == Alpha::own ? back_own : back_zero) = back;
                    if (combining && (a == Alpha::own || back_zero > back_own))
                        for (std::size_t t = 0; t < width; ++t) better[t] = P::heuristic(tr.h[t]);
                    if (a == Alpha::own) {
                        nu_own = std::move(tr.nu);
                        if (!symbolic)
                            for (std::size_t i = 0; i < n; ++i) grad[i] = P::heuristic(tr.h[i]);
                    }
                }
                estimate.alpha = back_zero > back_own ? Alpha::zero : Alpha::own;
                if (combining) {
                    better[n] -= model.rhs_up(k, m);
                    affine.push_back(std::move(better));
                }
                // α-CROWN on a constraint still open (sound for any α ∈ [0, 1]), from the
                // better of the two slope choices
                if (refine.alpha_steps > 0 && !(bound > model.rhs_up(k, m))) {
                    std::vector<std::vector<double>> start(out.slopes.size());
                    for (std::size_t r = 0; r < start.size(); ++r)
                        for (unsigned char a : out.slopes[r]) start[r].push_back(back_zero > back_own ? 0.0 : a);
                    typename SymbolicBounds<S>::AscentPoint point;
                    const S opt = alpha_ascent<P>(model, relax, mu, last, h, std::move(start), refine.alpha_steps, lo, hi,
                                                  lower_min, refine.beta ? &fix : nullptr, &point);
                    if (opt > bound) {
                        bound = opt;
                        if (refine.branch_candidates > 0) {
                            estimate.alpha = Alpha::given;
                            estimate.given = point.alpha;
                            estimate.beta = point.beta;
                        }
                        if (refine.record_ascent) {  // units without a free slope: their own
                            for (std::size_t r = 0; r < point.alpha.size(); ++r)
                                for (std::size_t j = 0; j < point.alpha[r].size(); ++j)
                                    if (!relax[r][j].free_slope) point.alpha[r][j] = out.slopes[r][j];
                            out.ascent[k].resize(model.constraints(k));
                            out.ascent[k][m] = std::move(point);
                        }
                    }
                }
                if (forward_pass && forward_pass->bound[k][m] > bound) bound = forward_pass->bound[k][m];
                if (bound > model.rhs_up(k, m)) {
                    refuted = true;
                } else {  // still open: what each unstable unit's chord costs this bound
                    for (std::size_t r = 0; r < nu_own.size(); ++r)
                        for (std::size_t j = 0; j < nu_own[r].size(); ++j)
                            if (relax[r][j].unstable)
                                out.split_score[r][j] += std::abs(P::heuristic(nu_own[r][j])) * P::heuristic(relax[r][j].ub);
                    if (refine.branch_candidates > 0) {
                        estimate.k = k;
                        estimate.mu = std::move(mu);
                        estimate.h = std::move(h);
                        estimate.rhs = model.rhs_up(k, m);
                        still_open.push_back(std::move(estimate));
                    }
                }
            }
            out.bound.back().push_back(bound);
            out.gradient.back().push_back(std::move(grad));
        }
        // a conjunction no single constraint refutes: one nonnegative combination of its
        // constraints, back-substituted as one constraint (SymbolicBounds::combination)
        if constexpr (!exact) {
            if (!refuted)
                for (OpenConstraint<P>& c : still_open) open_constraints.push_back(std::move(c));
            if (refuted || model.constraints(k) < 2) continue;
            const std::vector<double> lambda = combination_multipliers(affine, lo, hi);
            std::vector<V> mu(outs, P::zero()), h(width, P::zero());
            S rhs = 0;
            for (std::size_t m = 0; m < lambda.size(); ++m) {
                if (lambda[m] == 0) continue;
                const V l = P::point(lambda[m]);
                for (std::size_t j = 0; j < outs; ++j) P::add_to(mu[j], P::mul(l, model.ay(k, m, j)));
                for (std::size_t i = 0; i < n; ++i) P::add_to(h[i], P::mul(l, model.ax(k, m, i)));
                P::add_upper(rhs, P::upper_of(P::mul(l, P::point(model.rhs_up(k, m)))));
            }
            S best = -std::numeric_limits<double>::infinity();
            for (Alpha a : {Alpha::own, Alpha::zero}) {
                const S back = back_lower<P>(model, relax, mu, last, h, a, lower_min);
                if (back > best) best = back;  // NaN never wins
            }
            out.combination[k] = lambda;
            out.combined_bound[k] = best;
            out.combined_rhs[k] = rhs;
        }
    }
    if constexpr (!exact)
        if (refine.branch_candidates > 0 && !open_constraints.empty())
            out.preferred_split = fsb_choice<P>(model, std::move(relax), out.split_score, open_constraints, last,
                                                refine.branch_candidates, model.conjunctions(), lower_min);
    return out;
}

void check_shapes(std::size_t input_dim, std::size_t lo, std::size_t hi) {
    if (lo != input_dim || hi != input_dim)
        throw ShapeError("symbolic bounds: the box has " + std::to_string(lo) + " / " + std::to_string(hi) +
                         " ends, the network " + std::to_string(input_dim) + " inputs");
}

// The binary64 passes: forward, or forward then back-substituted over its bounds (the α
// ascent only in the last pass, the parent's bounds in both); with the parent's bounds,
// back-substituted over them alone.
template <class P>
SymbolicBounds<double> double_passes(const OutwardChain& c, const std::vector<double>& lo, const std::vector<double>& hi,
                                     const PhaseFix& fix, const Slopes& slopes, NeuronBounds neurons,
                                     const BoundRefinement& refine) {
    const DoubleModel<P> m{c};
    if (neurons == NeuronBounds::forward)
        return propagate<P>(m, lo, hi, fix, slopes, NeuronBounds::forward, nullptr, {}, refine);
    // with the parent's bounds, they take the plain forward pass's place (measured in
    // docs/verify.md: the same node counts, a forward pass less per node)
    if (refine.parent || neurons == NeuronBounds::backward)
        return propagate<P>(m, lo, hi, fix, slopes, neurons, nullptr, {}, refine);
    const SymbolicBounds<double> fw =
        propagate<P>(m, lo, hi, fix, slopes, NeuronBounds::forward, nullptr, {}, BoundRefinement{0, refine.parent});
    return propagate<P>(m, lo, hi, fix, slopes, neurons, &fw, {}, refine);
}

std::pair<double, double> enclose(const Rational& q) { return {q.to_double(Round::down), q.to_double(Round::up)}; }

}  // namespace

OutwardChain::OutwardChain(const ReluChain& c, const VnnlibProperty& p) : input_dim(c.input_dim) {
    for (std::size_t r = 0; r < c.weights.size(); ++r) {
        const RationalMatrix& m = c.weights[r];
        Layer l;
        l.rows = m.rows();
        l.cols = m.cols();
        for (std::size_t i = 0; i < m.rows(); ++i) {
            for (std::size_t j = 0; j < m.cols(); ++j) {
                const auto [a, b] = enclose(m.at(i, j));
                l.wlo.push_back(a);
                l.whi.push_back(b);
            }
            const auto [a, b] = enclose(c.biases[r][i]);
            l.blo.push_back(a);
            l.bhi.push_back(b);
            const Rational* cap = r + 1 < c.weights.size() ? c.cap(r, i) : nullptr;
            l.caplo.push_back(cap ? cap->to_double(Round::down) : -1);
            l.caphi.push_back(cap ? cap->to_double(Round::up) : -1);
        }
        {
            const UpwardRounding up;  // wrad and wmag rounded up
            for (std::size_t t = 0; t < l.wlo.size(); ++t) {
                l.wrad.push_back(l.whi[t] - l.wlo[t]);
                l.wmag.push_back(std::abs(l.wlo[t]) + l.wrad.back());
                l.point = l.point && l.wrad.back() == 0;
            }
        }
        l.wlo_t.resize(l.wlo.size());
        for (std::size_t i = 0; i < l.rows; ++i)
            for (std::size_t j = 0; j < l.cols; ++j) l.wlo_t[j * l.rows + i] = l.wlo[i * l.cols + j];
        layers.push_back(std::move(l));
    }
    for (const auto& conj : p.unsafe) {
        unsafe.emplace_back();
        for (const LinearConstraint& k : conj) {
            if (k.ax.size() != c.input_dim || k.ay.size() != c.output_dim())
                throw ShapeError("symbolic bounds: the property's dimensions differ from the network's");
            Constraint q;
            for (const Rational& a : k.ax) {
                q.axlo.push_back(enclose(a).first);
                q.axhi.push_back(enclose(a).second);
            }
            for (const Rational& a : k.ay) {
                q.aylo.push_back(enclose(a).first);
                q.ayhi.push_back(enclose(a).second);
            }
            q.rhs_up = k.rhs.to_double(Round::up);
            unsafe.back().push_back(std::move(q));
        }
    }
}

SymbolicBounds<Rational> symbolic_bounds_exact(const ReluChain& c, const VnnlibProperty& p,
                                               const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                                               const PhaseFix& fix, const Slopes& slopes,
                                               const std::function<bool()>& expired) {
    check_shapes(c.input_dim, lo.size(), hi.size());
    for (const auto& conj : p.unsafe)
        for (const LinearConstraint& k : conj)
            if (k.ax.size() != c.input_dim || k.ay.size() != c.output_dim())
                throw ShapeError("symbolic bounds: the property's dimensions differ from the network's");
    return propagate<ExactPolicy>(ExactModel{c, p}, lo, hi, fix, slopes, NeuronBounds::forward, nullptr, expired);
}

SymbolicBounds<double> symbolic_bounds_outward(const OutwardChain& c, const std::vector<double>& lo,
                                               const std::vector<double>& hi, const PhaseFix& fix,
                                               const Slopes& slopes, NeuronBounds neurons,
                                               const BoundRefinement& refine) {
    check_shapes(c.input_dim, lo.size(), hi.size());
    const UpwardRounding up;
    return double_passes<OutwardPolicy>(c, lo, hi, fix, slopes, neurons, refine);
}

SymbolicBounds<double> symbolic_bounds_nearest(const OutwardChain& c, const std::vector<double>& lo,
                                               const std::vector<double>& hi, const PhaseFix& fix,
                                               const Slopes& slopes, NeuronBounds neurons,
                                               const BoundRefinement& refine) {
    check_shapes(c.input_dim, lo.size(), hi.size());
    return double_passes<NearestPolicy>(c, lo, hi, fix, slopes, neurons, refine);
}

}  // namespace rigornet
