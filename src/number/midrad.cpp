#include "rigornet/number/midrad.hpp"

#include <limits>

namespace rigornet {

using namespace tracked_detail;  // u, η, inf and the one-ulp-up bounds up/uadd/umul/down

namespace {

// TwoSum (Knuth): s = fl(a + b) and e with a + b = s + e exactly, barring overflow.
inline void two_sum(double a, double b, double& s, double& e) {
    s = a + b;
    const double bb = s - a;
    e = (a - (s - bb)) + (b - bb);
}
// Signed bounds on a + b: the rounded sum is an adjacent double of the exact one, so one
// step up (down) from it is ≥ (≤) the exact sum.
inline double upper_sum(double a, double b) { return std::nextafter(a + b, inf); }
inline double lower_sum(double a, double b) { return std::nextafter(a + b, -inf); }
// Upper and lower bounds of the reals a value stands for.
inline double upper_of(const MidRad& a) { return upper_sum(upper_sum(a.mid, a.lo), a.rad); }
inline double lower_of(const MidRad& a) { return lower_sum(lower_sum(a.mid, a.lo), -a.rad); }
// A value whose mid or lo is not finite carries no claim.
inline MidRad checked(double mid, double lo, double rad) {
    if (!std::isfinite(mid) || !std::isfinite(lo)) return {mid, 0.0, inf};
    return {mid, lo, rad};
}
// An upper bound of the exact sum S of non-negative terms from its round-to-nearest
// value Ŝ, when every exact ingredient passed through at most `depth` roundings and
// `etas` products (each of which may lose η to underflow): each rounding of a
// non-negative result loses at most the factor (1 − u), each product at most η more, so
// Ŝ ≥ S·(1 − u)^depth − etas·η ≥ S·(1 − depth·u) − etas·η (Bernoulli). Hence
// S ≤ (Ŝ + etas·η)/(1 − depth·u), both steps rounded up. etas·η and 1 − depth·u are
// exact doubles for depth, etas < 2^52 (an integer times 2^−1074; a multiple of 2^−53 in
// [1/2, 1)); +∞ beyond.
inline double nonneg_sum_upper(double sum, double depth, double etas) {
    if (!(depth < 0x1p52) || !(etas < 0x1p52)) return inf;
    return up(up(sum + etas * eta) / (1.0 - depth * u));
}

}  // namespace

Ball to_ball(const MidRad& a, long prec) {
    Ball b;
    if (!std::isfinite(a.mid) || !std::isfinite(a.lo)) {
        arb_zero_pm_inf(b.get());
        return b;
    }
    b = Ball(Rational::from_double(a.mid) + Rational::from_double(a.lo), prec);
    if (!std::isfinite(a.rad)) {
        mag_inf(arb_radref(b.get()));
        return b;
    }
    arf_t r;
    arf_init(r);
    arf_set_d(r, a.rad);  // exact
    arb_add_error_arf(b.get(), r);
    arf_clear(r);
    return b;
}

double double_error_bound(const MidRad& a) { return uadd(std::fabs(a.lo), a.rad); }

// mid = RN(x) and lo = RN(x − mid) from the exact difference; the rest is computed
// exactly and rounded up, so |x − mid − lo| ≤ rad.
MidRad MidRadArith::from_rational(const Rational& x) const {
    const double m = x.to_double(Round::nearest);
    if (!std::isfinite(m)) return {m, 0.0, inf};
    const Rational d = x - Rational::from_double(m);
    if (d.is_zero()) return {m, 0.0, 0.0};
    const double l = d.to_double(Round::nearest);
    const Rational rest = (d - Rational::from_double(l)).abs();
    return {m, l, rest.is_zero() ? 0.0 : rest.to_double(Round::up)};
}

// x ∈ â ± a.rad, y ∈ b̂ ± b.rad. a.mid + b.mid = s + e exactly (TwoSum), so
// x + y = s + (a.lo + b.lo + e) + δ with |δ| ≤ a.rad + b.rad; lo = fl(fl(a.lo + b.lo) + e)
// differs from the bracket by at most u·|t₁| + u·|t₂| (sums have no underflow error).
void MidRadArith::add(MidRad& r, const MidRad& a, const MidRad& b) const {
    double s, e;
    two_sum(a.mid, b.mid, s, e);
    const double t1 = a.lo + b.lo, t2 = t1 + e;
    const double rad = uadd(uadd(a.rad, b.rad), umul(u, uadd(std::fabs(t1), std::fabs(t2))));
    r = checked(s, t2, rad);
}

// See the header: xy = p + e + a.mid·b.lo + a.lo·b.mid + a.lo·b.lo + â·δb + b̂·δa + δa·δb
// with e = a.mid·b.mid − p; e is fma's rounding of that (error ≤ u|e| + η, 0 without
// underflow), t₁ = fl(a.mid·b.lo) and t₂ = fl(a.lo·b.mid) err ≤ u|t| + η each, and the
// two sums t₃, t₄ err ≤ u|t| each. Everything dropped or rounded is in rad.
void MidRadArith::mul(MidRad& r, const MidRad& a, const MidRad& b) const {
    const double p = a.mid * b.mid;
    const double e = std::fma(a.mid, b.mid, -p);
    const double t1 = a.mid * b.lo, t2 = a.lo * b.mid;
    const double t3 = t1 + t2, t4 = t3 + e;
    double first = uadd(umul(uadd(std::fabs(a.mid), std::fabs(a.lo)), b.rad),
                        umul(uadd(std::fabs(b.mid), std::fabs(b.lo)), a.rad));
    first = uadd(first, uadd(umul(a.rad, b.rad), umul(std::fabs(a.lo), std::fabs(b.lo))));
    double rounding = uadd(uadd(std::fabs(t1), std::fabs(t2)), uadd(std::fabs(t3), std::fabs(t4)));
    rounding = uadd(umul(u, uadd(rounding, std::fabs(e))), 3 * eta);
    r = checked(p, t4, uadd(first, rounding));
}

// x = â + δa, y = b̂ + δb, q = fl(a.mid/b.mid) (DoubleArith's value). x/y − q = N/y with
// N = x − q·y = (a.mid − q·b.mid) + (a.lo − q·b.lo) + δa − q·δb. The computed
// n = fl(ρ + fl(a.lo − fl(q·b.lo))), ρ = fma(−q, b.mid, a.mid), is within
// E = a.rad + |q|·b.rad + u(|ρ| + |n₁| + |n₂| + |n|) + 2η of N. With g ≤ |b.mid| − |b.lo| − b.rad ≤ |y|
// (g > 0 proves y ≠ 0): |N/y − n/b.mid| ≤ |N − n|/|y| + |n|·|b.mid − y|/(|y|·|b.mid|)
// ≤ E/g + |n|(|b.lo| + b.rad)/(g·|b.mid|); lo = fl(n/b.mid) adds u|lo| + η.
void MidRadArith::div(MidRad& r, const MidRad& a, const MidRad& b) const {
    if (b.mid == 0.0 && b.lo == 0.0 && b.rad == 0.0) throw DomainError("division by zero");
    const double q = a.mid / b.mid;
    const double bb = std::fabs(b.mid);
    const double g = down(down(bb - std::fabs(b.lo)) - b.rad);  // 0 when not proved positive
    if (!(g > 0.0) || !std::isfinite(q)) {
        r = {q, 0.0, inf};
        return;
    }
    const double rho = std::fma(-q, b.mid, a.mid);
    const double n1 = q * b.lo, n2 = a.lo - n1, n = rho + n2;
    double E = uadd(a.rad, umul(std::fabs(q), b.rad));
    E = uadd(E, umul(u, uadd(uadd(std::fabs(rho), std::fabs(n1)), uadd(std::fabs(n2), std::fabs(n)))));
    E = uadd(E, 2 * eta);
    const double l = n / b.mid;
    const double den = down(g * bb);
    double rad = up(E / g);
    rad = uadd(rad, den > 0.0 ? up(umul(std::fabs(n), uadd(std::fabs(b.lo), b.rad)) / den) : inf);
    rad = uadd(rad, uadd(umul(u, std::fabs(l)), eta));
    r = checked(q, l, rad);
}

// relu(x) ∈ relu(â) ± a.rad (1-Lipschitz). s = fl(a.mid + a.lo) has the sign of â (round
// to nearest keeps signs and zero). relu(â) = 0 for s ≤ 0: lo = −mid' exactly; = â for
// s > 0: lo = a.lo when a.mid > 0 (mid' = a.mid), else mid' = 0 and lo = s with
// |s − â| ≤ u|s|. upper_of(a) ≤ 0 proves x ≤ 0: relu(x) = 0 exactly.
void MidRadArith::relu(MidRad& r, const MidRad& a) const {
    const double m = a.mid > 0.0 ? a.mid : 0.0;  // DoubleArith's value
    if (upper_of(a) <= 0.0) {
        r = {m, -m, 0.0};
        return;
    }
    const double s = a.mid + a.lo;
    if (s <= 0.0)
        r = {m, -m, a.rad};
    else if (a.mid > 0.0)
        r = {a.mid, a.lo, a.rad};
    else
        r = {0.0, s, uadd(a.rad, umul(u, std::fabs(s)))};
}

// For x ∈ ĉ ± r_c, y ∈ ô ± r_o: |min(x, y) − min(ĉ, ô)| ≤ max(r_c, r_o) and
// min(ĉ, ô) = ĉ − max(0, ĉ − ô), so min(x, y) ∈ ĉ ± (max(r_c, r_o) + D) with
// D ≥ max(0, ĉ − ô). A proved order (upper(c) ≤ lower(o)) gives min(x, y) = x exactly.
void MidRadArith::min(MidRad& r, const MidRad& a, const MidRad& b) const {
    const bool pick_a = !(b.mid < a.mid);  // std::min(a.mid, b.mid) returns a.mid then
    const MidRad c = pick_a ? a : b, o = pick_a ? b : a;
    if (upper_of(c) <= lower_of(o)) {
        r = c;
        return;
    }
    const double d = upper_sum(upper_sum(c.mid, -o.mid), upper_sum(c.lo, -o.lo));
    const double D = std::isnan(d) ? inf : d > 0.0 ? d : 0.0;
    r = {c.mid, c.lo, uadd(std::max(c.rad, o.rad), D)};
}

// The mirror image: max(ĉ, ô) = ĉ + max(0, ô − ĉ).
void MidRadArith::max(MidRad& r, const MidRad& a, const MidRad& b) const {
    const bool pick_a = !(a.mid < b.mid);  // std::max(a.mid, b.mid) returns a.mid then
    const MidRad c = pick_a ? a : b, o = pick_a ? b : a;
    if (lower_of(c) >= upper_of(o)) {
        r = c;
        return;
    }
    const double d = upper_sum(upper_sum(o.mid, -c.mid), upper_sum(o.lo, -c.lo));
    const double D = std::isnan(d) ? inf : d > 0.0 ? d : 0.0;
    r = {c.mid, c.lo, uadd(std::max(c.rad, o.rad), D)};
}

// |a.mid − x| ≤ |a.lo| + a.rad, TrackedDoubleArith's hypothesis on {a.mid, that bound}.
void MidRadArith::sqrt_theta(MidRad& r, const MidRad& a, long k) const {
    TrackedDouble t;
    TrackedDoubleArith{}.sqrt_theta(t, TrackedDouble{a.mid, uadd(std::fabs(a.lo), a.rad)}, k);
    r = {t.v, 0.0, t.err};
}

// The dense kernel (Rump's midpoint–radius product, with a compensated midpoint).
// Exact: Σ_j w_j x_j with w_j = ŵ_j + δw_j, x_j = x̂_j + δx_j. Per term, with
// p_j = fl(w.mid·x.mid), pe_j = fma(w.mid, x.mid, −p_j) and the TwoSum chain
// s_j + se_j = s_{j−1} + p_j (exact, so s_n + Σ se_j = Σ p_j):
//   Σ w_j x_j = s_n + Σ_j (se_j + [w.mid·x.mid − p_j] + w.mid·x.lo + w.lo·x.mid)        (1)
//             + Σ_j (w.lo·x.lo + ŵ_j·δx_j + x̂_j·δw_j + δw_j·δx_j).                    (2)
// lo = the recursive round-to-nearest sum of the K = 4n computed doubles
// pe_j, se_j, t1_j = fl(w.mid·x.lo), t2_j = fl(w.lo·x.mid): it differs from (1) by at most
// γ_{K−1}·T + u·T + 3nη ≤ γ_K·T + 3nη, T = Σ|those doubles| (Higham (4.3) for the sum;
// u|t| + η for each of the 3n computed products; se exact).
// |(2)| ≤ A = Σ_j ((|w.mid| + |w.lo|)·x.rad + w.rad·(|x.mid| + |x.lo|) + w.rad·x.rad + |w.lo|·|x.lo|).
// A and T are summed in round to nearest and bounded above by nonneg_sum_upper: every
// ingredient of A passes ≤ 5 roundings inside its term and ≤ n in the running sum, with
// 4n products; of T, ≤ 3 + n roundings and no products.
// So rad = A↑ + γ_K↑·T↑ + 3nη, each step rounded up.
namespace {

// K rows at once: the same operations, in the same order, for each row (so each result
// is bit-for-bit the one-row kernel's); interleaving K independent dependency chains lets
// the processor overlap them.
template <std::size_t K>
[[gnu::always_inline]] inline void dot_block(MidRad* r, const MidRad* w, std::size_t stride, const MidRad* x,
                                             std::size_t n) {
    double s[K] = {}, L[K] = {}, A[K] = {}, T[K] = {};
    for (std::size_t j = 0; j < n; ++j) {
        const MidRad& b = x[j];
        for (std::size_t k = 0; k < K; ++k) {
            const MidRad& a = w[k * stride + j];
            const double p = a.mid * b.mid;
            const double pe = std::fma(a.mid, b.mid, -p);
            double s1, se;
            two_sum(s[k], p, s1, se);
            s[k] = s1;
            const double t1 = a.mid * b.lo, t2 = a.lo * b.mid;
            L[k] = L[k] + pe;
            L[k] = L[k] + se;
            L[k] = L[k] + t1;
            L[k] = L[k] + t2;
            T[k] = T[k] + (((std::fabs(pe) + std::fabs(se)) + std::fabs(t1)) + std::fabs(t2));
            A[k] = A[k] + ((((std::fabs(a.mid) + std::fabs(a.lo)) * b.rad + a.rad * (std::fabs(b.mid) + std::fabs(b.lo))) +
                            a.rad * b.rad) +
                           std::fabs(a.lo) * std::fabs(b.lo));
        }
    }
    const double nd = static_cast<double>(n);
    for (std::size_t k = 0; k < K; ++k) {
        const double Aup = nonneg_sum_upper(A[k], nd + 5, 4 * nd);
        const double Tup = nonneg_sum_upper(T[k], nd + 3, 0);
        const double rad = uadd(uadd(Aup, umul(gamma_upper(4 * nd), Tup)), 3 * nd * eta);
        r[k] = checked(s[k], L[k], rad);
    }
}

}  // namespace

// On x86-64 the kernel is compiled twice, with and without the FMA instructions, and the
// loader picks the one the processor has (GCC target_clones): std::fma is then one
// instruction instead of a library call. Both clones round identically (fma is exact
// then rounds once either way; contraction stays off), so results do not depend on it.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RIGORNET_FMA_CLONES __attribute__((target_clones("fma", "default")))
#else
#define RIGORNET_FMA_CLONES
#endif

RIGORNET_FMA_CLONES
void MidRadArith::dot_rows(std::span<MidRad> y, std::span<const MidRad> w, std::span<const MidRad> x) const {
    const std::size_t n = x.size(), rows = y.size();
    std::size_t i = 0;
    for (; i + 4 <= rows; i += 4) dot_block<4>(y.data() + i, w.data() + i * n, n, x.data(), n);
    for (; i < rows; ++i) dot_block<1>(y.data() + i, w.data() + i * n, n, x.data(), n);
}

void MidRadArith::dot(MidRad& r, std::span<const MidRad> w, std::span<const MidRad> x) const {
    dot_rows(std::span<MidRad>(&r, 1), w, x);
}

LayerSummary MidRadArith::summarise(std::span<const MidRad> z) const {
    LayerSummary s{z.size()};
    s.max_radius = 0.0;
    for (const MidRad& v : z) s.max_radius = std::max(s.max_radius, v.rad);
    return s;
}

}  // namespace rigornet
