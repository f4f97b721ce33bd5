// Lagrangian lower bounds of a ReLU chain (dual_bound.hpp; argument in
// docs/certificates.md, "The dual leaf bound"). Exact: integer matrix products over
// common denominators (FLINT fmpz_mat), rationals for the per-unit minima.
#include "rigornet/check/dual_bound.hpp"

#include <flint/fmpq.h>
#include <flint/fmpz.h>

namespace rigornet {

namespace {

// The least common denominator of a rational vector (an integer, as a Rational).
void common_denominator(fmpz_t out, const fmpq* const* v, std::size_t n) {
    fmpz_one(out);
    for (std::size_t i = 0; i < n; ++i) fmpz_lcm(out, out, fmpq_denref(v[i]));
}

// The integer 1, for fmpq_set_fmpz_frac(q, integer, one()).
const fmpz* one() {
    static const fmpz value = 1;  // a small fmpz is its value
    return &value;
}

}  // namespace

DualChain::DualChain(const ReluChain& c) : c_(c), m_(c.weights.size()), d_(c.weights.size()) {
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
    }
    fmpz_clear(den);
    fmpz_clear(t);
}

DualChain::~DualChain() {
    for (fmpz_mat_struct& m : m_) fmpz_mat_clear(&m);
}

std::vector<Rational> DualChain::lower_bounds(std::size_t layer, const std::vector<std::vector<Rational>>& coef,
                                              const std::vector<std::vector<Rational>>& a,
                                              const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                                              const std::vector<std::vector<Rational>>& lower,
                                              const std::vector<std::vector<Rational>>& upper,
                                              const std::vector<std::vector<Rational>>& slopes) const {
    const long b = static_cast<long>(coef.size());
    std::vector<Rational> value(coef.size());
    // ν_i = row i of N divided by den[i] (an integer); starts as the objective's coefficients
    fmpz_mat_t n, mu;
    fmpz_mat_init(n, b, static_cast<long>(c_.weights[layer].rows()));
    std::vector<Rational> den(coef.size());
    fmpz_t t;
    fmpz_init(t);
    for (long i = 0; i < b; ++i) {
        std::vector<const fmpq*> row;
        for (const Rational& v : coef[i]) row.push_back(v.get());
        common_denominator(t, row.data(), row.size());
        fmpq_set_fmpz_frac(den[i].get(), t, one());
        for (std::size_t j = 0; j < row.size(); ++j) {
            fmpz_mul(fmpz_mat_entry(n, i, j), fmpq_numref(row[j]), t);
            fmpz_divexact(fmpz_mat_entry(n, i, j), fmpz_mat_entry(n, i, j), fmpq_denref(row[j]));
        }
    }
    Rational m, nu, s, term, v, scale;
    for (std::size_t q = layer + 1; q-- > 0;) {
        const std::size_t rows = c_.weights[q].rows(), cols = c_.weights[q].cols();
        // Σ_j ν_j·b_qj
        for (long i = 0; i < b; ++i) {
            Rational sum;
            for (std::size_t j = 0; j < rows; ++j)
                if (!fmpz_is_zero(fmpz_mat_entry(n, i, j))) {
                    fmpq_mul_fmpz(v.get(), c_.biases[q][j].get(), fmpz_mat_entry(n, i, j));
                    sum += v;
                }
            value[i] += sum / den[i];
        }
        // μ = νᵀ W_q = (N·M_q) / (den·D_q)
        fmpz_mat_init(mu, b, static_cast<long>(cols));
        fmpz_mat_mul(mu, n, &m_[q]);
        if (q == 0) {  // the input: min over the box of (a + μ)·x
            for (long i = 0; i < b; ++i) {
                scale = den[i] * d_[q];
                for (std::size_t j = 0; j < cols; ++j) {
                    fmpq_set_fmpz_frac(m.get(), fmpz_mat_entry(mu, i, j), fmpq_numref(scale.get()));
                    if (!a.empty() && !a[i].empty()) m += a[i][j];
                    if (m.sign() != 0) value[i] += m * (m.sign() > 0 ? lo[j] : hi[j]);
                }
            }
            fmpz_mat_clear(mu);
            break;
        }
        const std::size_t p = q - 1;  // the hidden layer whose outputs z_q reads
        fmpz_mat_clear(n);
        fmpz_mat_init(n, b, static_cast<long>(cols));
        std::vector<Rational> mus(cols), star(cols);
        std::vector<char> live(cols);
        for (long i = 0; i < b; ++i) {
            scale = den[i] * d_[q];
            long top = 0;
            bool any = false;
            for (std::size_t j = 0; j < cols; ++j) {
                const Rational &l = lower[p][j], &u = upper[p][j];
                // μ = 0, or σ ≡ 0 on [l, u] (u ≤ 0): the term is 0 with ν = 0
                live[j] = !fmpz_is_zero(fmpz_mat_entry(mu, i, j)) && u.sign() > 0;
                if (!live[j]) continue;
                fmpq_set_fmpz_frac(mus[j].get(), fmpz_mat_entry(mu, i, j), fmpq_numref(scale.get()));
                const Rational* cap = c_.cap(p, j);
                if (l.sign() >= 0 && (!cap || u <= *cap)) s = Rational(1);  // σ = z on [l, u]
                else if (!cap || u <= *cap)  // a ReLU on [l, u]: CROWN's α·z below, the chord above
                    s = mus[j].sign() > 0 ? slopes[p][j] : u / (u - l);
                else if (l.sign() >= 0 && l < *cap && u - *cap <= *cap - l) s = Rational(1);  // z − (u − cap) ≤ σ ≤ z
                else s = Rational(0);  // σ between its values at l and u
                star[j] = mus[j] * s;
                if (star[j].sign() != 0) {
                    const long e = fmpz_bits(fmpq_numref(star[j].get())) - fmpz_bits(fmpq_denref(star[j].get()));
                    if (!any || e > top) top = e;
                    any = true;
                }
            }
            // the row on the grid 2^−e, e = bits − (exponent of its largest entry), ≥ 0
            const long e = std::max(0L, dual_multiplier_bits - top);
            fmpz_one(t);
            fmpz_mul_2exp(t, t, static_cast<unsigned long>(e));
            fmpq_set_fmpz_frac(den[i].get(), t, one());
            for (std::size_t j = 0; j < cols; ++j) {
                if (!live[j]) continue;
                fmpz* nij = fmpz_mat_entry(n, i, j);
                fmpz_mul_2exp(nij, fmpq_numref(star[j].get()), static_cast<unsigned long>(e));
                fmpz_fdiv_q(nij, nij, fmpq_denref(star[j].get()));
                fmpq_set_fmpz_frac(nu.get(), nij, t);
                // min over [l, u] of μσ(z) − νz: at l, u or a kink of σ inside
                const Rational &l = lower[p][j], &u = upper[p][j];
                const Rational* cap = c_.cap(p, j);
                if (!cap || u <= *cap) {  // σ = relu on [l, u]: (μ − ν)z for z ≥ 0, −νz for z ≤ 0
                    v = mus[j] - nu;
                    if (l.sign() >= 0) term = v * (v.sign() > 0 ? l : u);
                    else {  // min(−νl, 0, (μ − ν)u): the values at l, 0 and u
                        term = -(nu * l);
                        if (term.sign() > 0) term = Rational(0);
                        v *= u;
                        if (v < term) term = v;
                    }
                } else {
                    bool first = true;
                    auto at = [&](const Rational& z) {
                        v = mus[j] * c_.activate(p, j, z) - nu * z;
                        if (first || v < term) term = v;
                        first = false;
                    };
                    at(l);
                    at(u);
                    if (l.sign() < 0 && u.sign() > 0) at(Rational(0));
                    if (l < *cap && *cap < u) at(*cap);
                }
                value[i] += term;
            }
        }
        fmpz_mat_clear(mu);
    }
    fmpz_mat_clear(n);
    fmpz_clear(t);
    return value;
}

bool dual_ranges(const DualChain& d, const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                 const std::vector<std::vector<UnitFix>>& fixed, const std::vector<std::vector<Rational>>& slopes,
                 std::vector<std::vector<Rational>>& lower, std::vector<std::vector<Rational>>& upper) {
    const ReluChain& c = d.chain();
    const std::size_t depth = c.depth();
    lower.assign(depth, {});
    upper.assign(depth, {});
    for (std::size_t r = 0; r < depth; ++r) {
        const std::size_t rows = c.weights[r].rows();
        auto fix = [&](std::size_t k) { return r < fixed.size() && k < fixed[r].size() ? fixed[r][k] : UnitFix::free; };
        // upper ends first: −z_k ≥ …, rounded outward, then the half-space z ≤ 0 of an inactive split
        std::vector<std::vector<Rational>> coef(rows, std::vector<Rational>(rows));
        for (std::size_t k = 0; k < rows; ++k) coef[k][k] = Rational(-1);
        const std::vector<Rational> ub = d.lower_bounds(r, coef, {}, lo, hi, lower, upper, slopes);
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
        const std::vector<Rational> lb = d.lower_bounds(r, coef, {}, lo, hi, lower, upper, slopes);
        for (std::size_t i = 0; i < open.size(); ++i) {
            Rational& l = lower[r][open[i]];
            l = round_dyadic(lb[i], dual_range_bits, Round::down);
            if (fix(open[i]) == UnitFix::active && l.sign() < 0) l = Rational(0);
            if (l > upper[r][open[i]]) return false;  // no point of the box is in the region
        }
    }
    return true;
}

Rational dual_constraint_lower_bound(const DualChain& d, const LinearConstraint& k, const std::vector<Rational>& lo,
                                     const std::vector<Rational>& hi, const std::vector<std::vector<Rational>>& lower,
                                     const std::vector<std::vector<Rational>>& upper,
                                     const std::vector<std::vector<Rational>>& slopes) {
    const std::size_t depth = d.chain().depth();
    const Rational with = d.lower_bounds(depth, {k.ay}, {k.ax}, lo, hi, lower, upper, slopes)[0];
    std::vector<std::vector<Rational>> zero;
    for (const auto& row : slopes) zero.emplace_back(row.size());
    const Rational without = d.lower_bounds(depth, {k.ay}, {k.ax}, lo, hi, lower, upper, zero)[0];
    return with > without ? with : without;
}

}  // namespace rigornet
