// Lagrangian lower bounds of a ReLU chain (dual_bound.hpp; argument in
// docs/certificates.md, "The dual leaf bound"). Exact and in integers: matrix products
// over common denominators (FLINT fmpz_mat), and per row of objectives and layer the
// per-unit minima as integers over one denominator s·2^e·g (μ = mu/s, ν = N/2^e, the
// layer's ranges over g), so no gcd in the inner loops; rationals only for the input
// box, clip units above their cap and one sum per row and layer. Each product runs over
// the live units only (ν ≠ 0 columns × units not off), a unit objective takes a row of
// M_q, and where s is a power of two (float weights) a linear unit's ν is a shift of μ
// and μ − ν its remainder.
#include "rigornet/check/dual_bound.hpp"

#include <flint/fmpq.h>
#include <flint/fmpz.h>

namespace rigornet {

namespace {

// The least common denominator of a rational vector (an integer, as a Rational).
void common_denominator(fmpz_t out, const fmpq* const* v, std::size_t n) {
    fmpz_one(out);
    for (std::size_t i = 0; i < n; ++i)
        if (!fmpz_is_one(fmpq_denref(v[i]))) fmpz_lcm(out, out, fmpq_denref(v[i]));
}

// The integer 1, for fmpq_set_fmpz_frac(q, integer, one()).
const fmpz* one() {
    static const fmpz value = 1;  // a small fmpz is its value
    return &value;
}


// An fmpz vector with its lifetime.
class Ints {
public:
    explicit Ints(std::size_t n) : n_(static_cast<slong>(n)), v_(_fmpz_vec_init(n_)) {}
    ~Ints() { _fmpz_vec_clear(v_, n_); }
    Ints(const Ints&) = delete;
    Ints& operator=(const Ints&) = delete;
    fmpz* operator[](std::size_t i) { return v_ + i; }

private:
    slong n_;
    fmpz* v_;
};

// How a unit of hidden layer p enters the bound, from its range [l, u] (and its cap):
// off: u ≤ 0 (σ ≡ 0, ν = 0, term 0); linear: σ = z on [l, u] (ν = μ); relu: l < 0 < u ≤ cap
// or no cap (ν = α·μ for μ > 0, the chord μ·u/(u − l) for μ < 0); clip_linear / clip_zero:
// u > cap with ν = μ (0 ≤ l < cap, u − cap ≤ cap − l) or ν = 0 (the others).
enum class Unit : char { off, linear, relu, clip_linear, clip_zero };

// floor(log2(m/s)) for integers m, s > 0, exactly.
long floor_log2(const fmpz_t m, const fmpz_t s, fmpz_t t) {
    long k = static_cast<long>(fmpz_bits(m)) - static_cast<long>(fmpz_bits(s));  // 2^(k−1) < m/s < 2^(k+1)
    if (k >= 0) {
        fmpz_mul_2exp(t, s, static_cast<unsigned long>(k));
        return fmpz_cmp(m, t) < 0 ? k - 1 : k;
    }
    fmpz_mul_2exp(t, m, static_cast<unsigned long>(-k));
    return fmpz_cmp(t, s) < 0 ? k - 1 : k;
}

}  // namespace

DualChain::DualChain(const ReluChain& c)
    : c_(c), m_(c.weights.size()), d_(c.weights.size()), bias_(c.weights.size()), bias_den_(c.weights.size()) {
    fmpz_t den, t;
    fmpz_init(den);
    fmpz_init(t);
    for (std::size_t q = 0; q < c.weights.size(); ++q) {
        const RationalMatrix& w = c.weights[q];
        std::vector<const fmpq*> all;
        for (std::size_t i = 0; i < w.rows(); ++i)
            for (std::size_t j = 0; j < w.cols(); ++j) all.push_back(fmpq_mat_entry(w.get(), i, j));
        common_denominator(den, all.data(), all.size());
        fmpz_mat_init(&m_[q], static_cast<long>(w.rows()), static_cast<long>(w.cols()));
        for (std::size_t i = 0; i < w.rows(); ++i)
            for (std::size_t j = 0; j < w.cols(); ++j) {  // M_ij = W_ij·D exactly (D is a multiple of its denominator)
                const fmpq* e = fmpq_mat_entry(w.get(), i, j);
                fmpz_divexact(t, den, fmpq_denref(e));
                fmpz_mul(fmpz_mat_entry(&m_[q], i, j), fmpq_numref(e), t);
            }
        fmpq_set_fmpz_frac(d_[q].get(), den, one());
        // b_q = B_q / E_q likewise, B_q a column
        const std::vector<Rational>& bias = c.biases[q];
        std::vector<const fmpq*> entries;
        for (const Rational& e : bias) entries.push_back(e.get());
        common_denominator(den, entries.data(), entries.size());
        fmpz_mat_init(&bias_[q], static_cast<long>(bias.size()), 1);
        for (std::size_t i = 0; i < bias.size(); ++i) {
            fmpz_divexact(t, den, fmpq_denref(entries[i]));
            fmpz_mul(fmpz_mat_entry(&bias_[q], i, 0), fmpq_numref(entries[i]), t);
        }
        fmpq_set_fmpz_frac(bias_den_[q].get(), den, one());
    }
    fmpz_clear(den);
    fmpz_clear(t);
}

DualChain::~DualChain() {
    for (fmpz_mat_struct& m : m_) fmpz_mat_clear(&m);
    for (fmpz_mat_struct& m : bias_) fmpz_mat_clear(&m);
}

Rational DualChain::unit_minimum(std::size_t p, std::size_t j, const Rational& l, const Rational& u, const Rational& mu,
                                 const Rational& nu) const {
    // μσ(z) − νz is piecewise linear in z: its minimum over [l, u] is at l, u or a kink inside
    Rational least = mu * c_.activate(p, j, l) - nu * l;
    auto at = [&](const Rational& z) {
        Rational v = mu * c_.activate(p, j, z) - nu * z;
        if (v < least) least = std::move(v);
    };
    at(u);
    if (l.sign() < 0 && u.sign() > 0) at(Rational(0));
    if (const Rational* cap = c_.cap(p, j); cap && l < *cap && *cap < u) at(*cap);
    return least;
}

std::vector<Rational> DualChain::lower_bounds(std::size_t layer, const std::vector<std::vector<Rational>>& coef,
                                              const std::vector<std::vector<Rational>>& a,
                                              const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                                              const std::vector<std::vector<Rational>>& lower,
                                              const std::vector<std::vector<Rational>>& upper,
                                              const std::vector<std::vector<Rational>>& slopes,
                                              const std::vector<std::vector<Rational>>* beta, bool kink_slopes) const {
    const long b = static_cast<long>(coef.size());
    std::vector<Rational> value(coef.size());
    // ν_i = row i of N divided by den[i] (a positive integer); N's columns are the units
    // `live` of layer q (every other unit has ν = 0); starts as the objective's coefficients
    std::vector<std::size_t> live(c_.weights[layer].rows());
    for (std::size_t j = 0; j < live.size(); ++j) live[j] = j;
    fmpz_mat_t n, mu, sub;
    fmpz_mat_init(n, b, static_cast<long>(live.size()));
    Ints den(coef.size());
    fmpz_t t, s, g, acc, w, y;
    fmpz_init(t);
    fmpz_init(s);
    fmpz_init(g);
    fmpz_init(acc);
    fmpz_init(w);
    fmpz_init(y);
    for (long i = 0; i < b; ++i) {
        std::vector<const fmpq*> row;
        for (const Rational& v : coef[i]) row.push_back(v.get());
        common_denominator(den[i], row.data(), row.size());
        for (std::size_t j = 0; j < row.size(); ++j) {
            if (fmpq_is_zero(row[j])) continue;
            fmpz_mul(fmpz_mat_entry(n, i, j), fmpq_numref(row[j]), den[i]);
            fmpz_divexact(fmpz_mat_entry(n, i, j), fmpz_mat_entry(n, i, j), fmpq_denref(row[j]));
        }
    }
    Rational m, mus, nu, v;
    for (std::size_t q = layer + 1; q-- > 0;) {
        const std::size_t cols = c_.weights[q].cols();
        const fmpz* dq = fmpq_numref(d_[q].get());
        // Σ_j ν_ij·b_qj = (N·B_q)_i / (den_i·E_q)
        for (long i = 0; i < b; ++i) {
            fmpz_zero(acc);
            for (std::size_t k = 0; k < live.size(); ++k)
                fmpz_addmul(acc, fmpz_mat_entry(n, i, k), fmpz_mat_entry(&bias_[q], live[k], 0));
            fmpz_mul(t, den[i], fmpq_numref(bias_den_[q].get()));
            fmpq_set_fmpz_frac(v.get(), acc, t);
            value[i] += v;
        }
        // the units μ is needed for: every input (q = 0); else the units of hidden layer
        // p = q − 1 that are not off, with their kinds and their ranges over one
        // denominator g (l_j = L_j/g, u_j = U_j/g)
        const std::size_t p = q - 1;
        std::vector<Unit> kind;
        std::vector<const Rational*> shift_by;  // β_pj where nonzero (then ν = rule + β)
        std::vector<std::size_t> need;
        fmpz_one(g);
        for (std::size_t j = 0; j < cols; ++j) {
            if (q == 0) {
                need.push_back(j);
                continue;
            }
            const Rational &l = lower[p][j], &u = upper[p][j];
            const Rational* cap = c_.cap(p, j);
            const Rational* bj = beta && p < beta->size() && j < (*beta)[p].size() && !(*beta)[p][j].is_zero()
                                     ? &(*beta)[p][j]
                                     : nullptr;
            Unit k;
            if (u.sign() <= 0) k = Unit::off;
            else if (!cap || u <= *cap) k = l.sign() > 0 || (l.sign() == 0 && !kink_slopes) ? Unit::linear : Unit::relu;
            else if (l.sign() >= 0 && l < *cap && u - *cap <= *cap - l) k = Unit::clip_linear;  // z − (u − cap) ≤ σ ≤ z
            else k = Unit::clip_zero;  // σ between its values at l and u
            if (k == Unit::off && !bj) continue;
            need.push_back(j);
            kind.push_back(k);
            shift_by.push_back(bj);
            fmpz_lcm(g, g, fmpq_denref(l.get()));
            fmpz_lcm(g, g, fmpq_denref(u.get()));
        }
        // μ = νᵀ W_q over those units = (N·M_q[live, need]) / (den·D_q); a row of N with
        // one nonzero entry (a unit objective) takes a row of M_q, else a matrix product
        fmpz_mat_init(mu, b, static_cast<long>(need.size()));
        bool single = true;
        for (long i = 0; i < b && single; ++i) {
            std::size_t nonzero = 0;
            for (std::size_t k = 0; k < live.size(); ++k) nonzero += !fmpz_is_zero(fmpz_mat_entry(n, i, k));
            single = nonzero <= 1;
        }
        if (single) {
            for (long i = 0; i < b; ++i)
                for (std::size_t k = 0; k < live.size(); ++k) {
                    const fmpz* nik = fmpz_mat_entry(n, i, k);
                    if (fmpz_is_zero(nik)) continue;
                    for (std::size_t c = 0; c < need.size(); ++c)
                        fmpz_mul(fmpz_mat_entry(mu, i, c), nik, fmpz_mat_entry(&m_[q], live[k], need[c]));
                }
        } else if (!live.empty() && !need.empty()) {
            fmpz_mat_init(sub, static_cast<long>(live.size()), static_cast<long>(need.size()));
            for (std::size_t k = 0; k < live.size(); ++k)
                for (std::size_t c = 0; c < need.size(); ++c)
                    fmpz_set(fmpz_mat_entry(sub, k, c), fmpz_mat_entry(&m_[q], live[k], need[c]));
            fmpz_mat_mul(mu, n, sub);
            fmpz_mat_clear(sub);
        }
        fmpz_mat_clear(n);
        if (q == 0) {  // the input: min over the box of (a + μ)·x
            for (long i = 0; i < b; ++i) {
                fmpz_mul(s, den[i], dq);
                for (std::size_t j = 0; j < cols; ++j) {
                    fmpq_set_fmpz_frac(m.get(), fmpz_mat_entry(mu, i, j), s);
                    if (!a.empty() && !a[i].empty()) m += a[i][j];
                    if (m.sign() != 0) value[i] += m * (m.sign() > 0 ? lo[j] : hi[j]);
                }
            }
            fmpz_mat_clear(mu);
            break;
        }
        Ints lg(need.size()), ug(need.size());
        for (std::size_t c = 0; c < need.size(); ++c) {
            const std::size_t j = need[c];
            fmpz_divexact(t, g, fmpq_denref(lower[p][j].get()));
            fmpz_mul(lg[c], fmpq_numref(lower[p][j].get()), t);
            fmpz_divexact(t, g, fmpq_denref(upper[p][j].get()));
            fmpz_mul(ug[c], fmpq_numref(upper[p][j].get()), t);
        }
        fmpz_mat_init(n, b, static_cast<long>(need.size()));
        for (long i = 0; i < b; ++i) {
            fmpz_mul(s, den[i], dq);  // μ_ij = mu_ij / s
            // the row of ν on the grid 2^−e, e = bits − (exponent of the largest |μ_ij|), ≥ 0
            fmpz_zero(y);
            for (std::size_t c = 0; c < need.size(); ++c)
                if (fmpz_cmpabs(fmpz_mat_entry(mu, i, c), y) > 0) fmpz_abs(y, fmpz_mat_entry(mu, i, c));
            const long e = fmpz_is_zero(y) ? dual_multiplier_bits
                                           : std::max(0L, dual_multiplier_bits - 1 - floor_log2(y, s, t));
            const auto ue = static_cast<unsigned long>(e);
            // s = 2^ks (a power of two: float weights, multipliers from the grid) makes the
            // linear units' ν a shift and their μ − ν a remainder
            const auto ks = static_cast<long>(fmpz_val2(s));
            const bool shift = static_cast<long>(fmpz_bits(s)) == ks + 1;
            fmpz_zero(acc);  // Σ of the terms of relu-shaped units, times s·2^e·g
            for (std::size_t c = 0; c < need.size(); ++c) {
                const std::size_t j = need[c];
                const fmpz* mij = fmpz_mat_entry(mu, i, c);
                fmpz* nij = fmpz_mat_entry(n, i, c);
                if (shift_by[c]) {  // ν = (the rule's ν) + β on the grid, the term's minimum exactly
                    const Rational &l = lower[p][j], &u = upper[p][j];
                    fmpq_set_fmpz_frac(mus.get(), mij, s);
                    const Unit kc = kind[c];
                    nu = kc == Unit::linear || kc == Unit::clip_linear ? mus
                         : kc == Unit::relu                           ? mus * (mus.sign() > 0 ? slopes[p][j] : u / (u - l))
                                                                      : Rational(0);
                    nu += *shift_by[c];
                    fmpz_mul_2exp(t, fmpq_numref(nu.get()), ue);
                    fmpz_fdiv_q(nij, t, fmpq_denref(nu.get()));
                    fmpz_one(t);
                    fmpz_mul_2exp(t, t, ue);
                    fmpq_set_fmpz_frac(nu.get(), nij, t);
                    value[i] += unit_minimum(p, j, l, u, mus, nu);
                    continue;
                }
                if (fmpz_is_zero(mij)) continue;  // the term is 0 with ν = 0
                // ν = floor(2^e·μ·slope)/2^e, the slope by the unit's kind (file comment)
                if (kind[c] == Unit::linear && shift) {
                    // 2^e·mu = N·2^ks + r with 0 ≤ r < 2^ks: w = 2^e·mu − N·s = r ≥ 0 (below)
                    if (e >= ks) {
                        fmpz_mul_2exp(nij, mij, static_cast<unsigned long>(e - ks));
                        continue;  // w = 0: the term is 0
                    }
                    fmpz_fdiv_q_2exp(nij, mij, static_cast<unsigned long>(ks - e));
                    fmpz_fdiv_r_2exp(w, mij, static_cast<unsigned long>(ks - e));
                    fmpz_mul_2exp(w, w, ue);
                    fmpz_addmul(acc, w, lg[c]);
                    continue;
                }
                if (kind[c] == Unit::linear || kind[c] == Unit::clip_linear) {
                    fmpz_mul_2exp(nij, mij, ue);
                    fmpz_fdiv_q(nij, nij, s);
                } else if (kind[c] == Unit::relu && fmpz_sgn(mij) > 0) {
                    const fmpq* alpha = slopes[p][j].get();
                    fmpz_mul(nij, mij, fmpq_numref(alpha));
                    fmpz_mul_2exp(nij, nij, ue);
                    fmpz_mul(t, s, fmpq_denref(alpha));
                    fmpz_fdiv_q(nij, nij, t);
                } else if (kind[c] == Unit::relu) {  // the chord slope u/(u − l) = U/(U − L)
                    fmpz_mul(nij, mij, ug[c]);
                    fmpz_mul_2exp(nij, nij, ue);
                    fmpz_sub(w, ug[c], lg[c]);
                    fmpz_mul(t, s, w);
                    fmpz_fdiv_q(nij, nij, t);
                }
                if (kind[c] == Unit::linear || kind[c] == Unit::relu) {
                    // σ = relu on [l, u]: min of (μ − ν)z for z ≥ 0, −νz for z ≤ 0; times s·2^e·g,
                    // μ − ν = w/(s·2^e) with w = 2^e·mu − N·s
                    fmpz_mul_2exp(w, mij, ue);
                    fmpz_submul(w, nij, s);
                    if (kind[c] == Unit::linear) fmpz_addmul(acc, w, fmpz_sgn(w) > 0 ? lg[c] : ug[c]);
                    else {  // min(−νl, 0, (μ − ν)u): the values at l, 0 and u
                        fmpz_mul(y, nij, lg[c]);
                        fmpz_mul(y, y, s);
                        fmpz_neg(y, y);
                        if (fmpz_sgn(y) > 0) fmpz_zero(y);
                        fmpz_mul(t, w, ug[c]);
                        if (fmpz_cmp(t, y) < 0) fmpz_swap(t, y);
                        fmpz_add(acc, acc, y);
                    }
                    continue;
                }
                // u > cap: the minimum over the values at l, u and the kinks inside, exactly
                fmpq_set_fmpz_frac(mus.get(), mij, s);
                fmpz_one(t);
                fmpz_mul_2exp(t, t, ue);
                fmpq_set_fmpz_frac(nu.get(), nij, t);
                value[i] += unit_minimum(p, j, lower[p][j], upper[p][j], mus, nu);
            }
            fmpz_mul_2exp(t, s, ue);
            fmpz_mul(t, t, g);
            fmpq_set_fmpz_frac(v.get(), acc, t);
            value[i] += v;
            fmpz_one(den[i]);
            fmpz_mul_2exp(den[i], den[i], ue);
        }
        fmpz_mat_clear(mu);
        // keep only the columns of N with a nonzero entry (ν = 0 elsewhere: off units,
        // μ = 0, slope 0)
        std::vector<std::size_t> kept;
        for (std::size_t c = 0; c < need.size(); ++c) {
            bool nonzero = false;
            for (long i = 0; i < b && !nonzero; ++i) nonzero = !fmpz_is_zero(fmpz_mat_entry(n, i, c));
            if (nonzero) kept.push_back(c);
        }
        live.clear();
        for (std::size_t c : kept) live.push_back(need[c]);
        if (kept.size() < need.size()) {
            fmpz_mat_t packed;
            fmpz_mat_init(packed, b, static_cast<long>(kept.size()));
            for (long i = 0; i < b; ++i)
                for (std::size_t k = 0; k < kept.size(); ++k)
                    fmpz_swap(fmpz_mat_entry(packed, i, k), fmpz_mat_entry(n, i, kept[k]));
            fmpz_mat_swap(n, packed);
            fmpz_mat_clear(packed);
        }
    }
    fmpz_clear(t);
    fmpz_clear(s);
    fmpz_clear(g);
    fmpz_clear(acc);
    fmpz_clear(w);
    fmpz_clear(y);
    return value;
}

namespace {

// The ranges of hidden layer r (dual_ranges' step, from the ranges of layers < r):
// appended as lower[r], upper[r]; false when the region is shown empty.
bool layer_ranges(const DualChain& d, std::size_t r, const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                  bool kink_slopes,
                  const std::vector<std::vector<UnitFix>>& fixed, const std::vector<std::vector<Rational>>& slopes,
                  std::vector<std::vector<Rational>>& lower, std::vector<std::vector<Rational>>& upper) {
    const std::size_t rows = d.chain().weights[r].rows();
    auto fix = [&](std::size_t k) { return r < fixed.size() && k < fixed[r].size() ? fixed[r][k] : UnitFix::free; };
    // upper ends first: −z_k ≥ …, rounded outward, then the half-space z ≤ 0 of an inactive split
    std::vector<std::vector<Rational>> coef(rows, std::vector<Rational>(rows));
    for (std::size_t k = 0; k < rows; ++k) coef[k][k] = Rational(-1);
    const std::vector<Rational> ub = d.lower_bounds(r, coef, {}, lo, hi, lower, upper, slopes, nullptr, kink_slopes);
    // units with u > 0 need a lower end; fixed inactive ones get one to detect l > 0 (R empty)
    std::vector<std::size_t> open;
    for (std::size_t k = 0; k < rows; ++k) {
        upper[r].push_back(round_dyadic(-ub[k], dual_range_bits, Round::up));
        if (fix(k) == UnitFix::active && upper[r][k].sign() < 0) return false;  // z ≥ 0 and z ≤ u < 0
        if (upper[r][k].sign() > 0 || fix(k) == UnitFix::inactive) open.push_back(k);
        if (fix(k) == UnitFix::inactive && upper[r][k].sign() > 0) upper[r][k] = Rational(0);
    }
    // u ≤ 0: σ = 0 on (−∞, u], the lower end is never used (lower_bounds skips the unit)
    lower[r] = upper[r];
    coef.assign(open.size(), std::vector<Rational>(rows));
    for (std::size_t i = 0; i < open.size(); ++i) coef[i][open[i]] = Rational(1);
    const std::vector<Rational> lb = d.lower_bounds(r, coef, {}, lo, hi, lower, upper, slopes, nullptr, kink_slopes);
    for (std::size_t i = 0; i < open.size(); ++i) {
        Rational& l = lower[r][open[i]];
        l = round_dyadic(lb[i], dual_range_bits, Round::down);
        if (fix(open[i]) == UnitFix::active && l.sign() < 0) l = Rational(0);
        if (l > upper[r][open[i]]) return false;  // no point of the box is in the region
    }
    return true;
}

}  // namespace

bool dual_ranges(const DualChain& d, const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                 const std::vector<std::vector<UnitFix>>& fixed, const std::vector<std::vector<Rational>>& slopes,
                 std::vector<std::vector<Rational>>& lower, std::vector<std::vector<Rational>>& upper) {
    const std::size_t depth = d.chain().depth();
    lower.assign(depth, {});
    upper.assign(depth, {});
    for (std::size_t r = 0; r < depth; ++r)
        if (!layer_ranges(d, r, lo, hi, false, fixed, slopes, lower, upper)) return false;
    return true;
}

bool dual_interval_ranges(const DualChain& d, const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                          const std::vector<std::vector<UnitFix>>& fixed, const std::vector<std::vector<Rational>>& slopes,
                          std::vector<std::vector<Rational>>& lower, std::vector<std::vector<Rational>>& upper) {
    const ReluChain& c = d.chain();
    const std::size_t depth = c.depth();
    lower.assign(depth, {});
    upper.assign(depth, {});
    Rational il, iu, t;
    std::vector<Rational> sl, su;
    for (std::size_t r = 0; r < depth; ++r) {
        if (!layer_ranges(d, r, lo, hi, true, fixed, slopes, lower, upper)) return false;
        if (r == 0) continue;  // already the affine function's exact range over the box
        // σ ranges of layer r − 1 ([0, 0] where u ≤ 0)
        const std::size_t cols = c.weights[r].cols();
        sl.assign(cols, Rational(0));
        su.assign(cols, Rational(0));
        for (std::size_t j = 0; j < cols; ++j)
            if (upper[r - 1][j].sign() > 0) {
                sl[j] = c.activate(r - 1, j, lower[r - 1][j]);
                su[j] = c.activate(r - 1, j, upper[r - 1][j]);
            }
        for (std::size_t k = 0; k < lower[r].size(); ++k) {
            il = c.biases[r][k];
            iu = il;
            for (std::size_t j = 0; j < cols; ++j) {
                if (su[j].is_zero()) continue;  // σ_j = 0 on R (sl ≤ su = 0 ≤ sl)
                const Rational& w = c.weights[r].at(k, j);
                if (w.sign() == 0) continue;
                t = w * (w.sign() > 0 ? sl[j] : su[j]);
                il += t;
                t = w * (w.sign() > 0 ? su[j] : sl[j]);
                iu += t;
            }
            const UnitFix f = r < fixed.size() && k < fixed[r].size() ? fixed[r][k] : UnitFix::free;
            const bool derived = upper[r][k].sign() > 0 || f == UnitFix::inactive;  // has a lower end
            iu = round_dyadic(iu, dual_range_bits, Round::up);
            if (iu < upper[r][k]) upper[r][k] = iu;
            if (f == UnitFix::active && upper[r][k].sign() < 0) return false;  // z ≥ 0 and z ≤ u < 0
            if (derived) {
                il = round_dyadic(il, dual_range_bits, Round::down);
                if (il > lower[r][k]) lower[r][k] = il;
            }
            if (upper[r][k].sign() <= 0 && f != UnitFix::inactive) lower[r][k] = upper[r][k];  // off: no lower end
            else if (lower[r][k] > upper[r][k]) return false;
        }
    }
    return true;
}

bool dual_forward_ranges(const DualChain& d, const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                         const std::vector<std::vector<UnitFix>>& fixed, const std::vector<std::vector<Rational>>& slopes,
                         std::vector<std::vector<Rational>>& lower, std::vector<std::vector<Rational>>& upper,
                         LeafBounds& outputs) {
    const std::size_t depth = d.chain().depth();
    lower.assign(depth, {});
    upper.assign(depth, {});
    // an independent forward pass, its slopes by the rule α = 1 where u > −l (any α is sound)
    std::vector<std::vector<Rational>> fl(depth), fu(depth);
    auto record = [&](std::size_t r, std::vector<Rational>& l, std::vector<Rational>& u, std::vector<Rational>& alpha) {
        for (std::size_t k = 0; k < l.size(); ++k) alpha[k] = Rational(u[k] > -l[k] ? 1 : 0);
        fl[r] = l;
        fu[r] = u;
        return true;
    };
    outputs = symbolic_bounds(d.chain(), lo, hi, fixed, slopes, record);
    for (std::size_t r = 0; r < depth; ++r) {
        if (!layer_ranges(d, r, lo, hi, false, fixed, slopes, lower, upper)) return false;
        for (std::size_t k = 0; k < lower[r].size(); ++k) {
            const bool inactive = r < fixed.size() && k < fixed[r].size() && fixed[r][k] == UnitFix::inactive;
            const bool derived = upper[r][k].sign() > 0 || inactive;
            Rational l = fl[r][k], u = fu[r][k];
            if (derived && lower[r][k] > l) l = lower[r][k];
            if (upper[r][k] < u) u = upper[r][k];
            if (l > u) return false;
            lower[r][k] = l;
            upper[r][k] = u;
        }
    }
    return true;
}

Rational dual_constraint_lower_bound(const DualChain& d, const LinearConstraint& k, const std::vector<Rational>& lo,
                                     const std::vector<Rational>& hi, const std::vector<std::vector<Rational>>& lower,
                                     const std::vector<std::vector<Rational>>& upper,
                                     const std::vector<std::vector<Rational>>& slopes, const DualRefinement* refine,
                                     bool kink_slopes) {
    const std::size_t depth = d.chain().depth();
    const Rational with = d.lower_bounds(depth, {k.ay}, {k.ax}, lo, hi, lower, upper, slopes, nullptr, kink_slopes)[0];
    std::vector<std::vector<Rational>> zero;
    for (const auto& row : slopes) zero.emplace_back(row.size());
    const Rational without = d.lower_bounds(depth, {k.ay}, {k.ax}, lo, hi, lower, upper, zero, nullptr, kink_slopes)[0];
    Rational best = with > without ? with : without;
    if (refine) {
        const Rational ascent =
            d.lower_bounds(depth, {k.ay}, {k.ax}, lo, hi, lower, upper, refine->alpha, &refine->beta, kink_slopes)[0];
        if (ascent > best) best = ascent;
    }
    return best;
}

Rational dual_forward_constraint_lower_bound(const DualChain& d, const LinearConstraint& k,
                                             const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                                             const std::vector<std::vector<Rational>>& lower,
                                             const std::vector<std::vector<Rational>>& upper,
                                             const std::vector<std::vector<Rational>>& slopes, const LeafBounds& outputs) {
    const Rational dual = dual_constraint_lower_bound(d, k, lo, hi, lower, upper, slopes);
    const Rational forward = constraint_lower_bound(k, outputs, lo, hi);
    return dual > forward ? dual : forward;
}

}  // namespace rigornet
