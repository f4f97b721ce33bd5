// Zou–Balan–Singh CNN bounds and the 1-Lipschitz Euler certificate (cnn_bounds.hpp).
#include "rigornet/lipschitz/cnn_bounds.hpp"
#include "rigornet/number/sqrt_theta.hpp"

#include <array>

#include <flint/fmpq_poly.h>

#include "rigornet/core/error.hpp"
#include "rigornet/linalg/exact_lp.hpp"

namespace rigornet {

Ball cnn_product_bound(const std::vector<BesselBounds>& layers, long prec) {
    Ball p(Rational(1), prec), one(Rational(1), prec), f;
    for (const BesselBounds& l : layers) {
        arb_max(f.get(), one.get(), l.b1.get(), prec);
        arb_mul(p.get(), p.get(), f.get(), prec);
    }
    return p;
}

namespace {

// Γ for exact bounds b. upper = false: the value c·x of the solver's point, which is
// feasible (re-checked by lp_maximize), hence ≤ Γ. upper = true: y·rhs for the solver's
// dual values y after their exact weak-duality check (lp_dual_upper_bound; QSopt_ex's sign
// convention is tried both ways), hence ≥ Γ (equal to c·x when the duals are optimal);
// Error (not proved) if neither passes.
Rational gamma_exact(const std::vector<std::array<Rational, 3>>& b, GammaObjective objective, bool upper) {
    const std::size_t m = b.size(), n = 2 * m;  // variables y_1…y_M, z_1…z_M
    std::vector<Rational> c(n);
    for (std::size_t k = 0; k < m; ++k) c[m + k] = Rational(1);
    if (objective == GammaObjective::with_last_output && m > 0) c[m - 1] = Rational(1);
    std::vector<LpRow> rows;
    for (std::size_t k = 0; k < m; ++k) {
        // Each constraint a·(y, z) ≤ B·y_{k−1}, with y_0 = 1 moved to the right-hand side.
        for (int which = 0; which < 3; ++which) {
            LpRow r{std::vector<Rational>(n), '<', Rational()};
            if (which != 2) r.a[k] = Rational(1);      // y_k in constraints 1, 2
            if (which != 1) r.a[m + k] = Rational(1);  // z_k in constraints 1, 3
            if (k == 0) r.rhs = b[k][which];
            else r.a[k - 1] = -b[k][which];
            rows.push_back(std::move(r));
        }
    }
    std::vector<std::optional<Rational>> lo(n, Rational(0)), hi(n);
    auto s = lp_maximize(c, rows, lo, hi);
    if (!s) throw Error("cnn_gamma: the programme is infeasible (impossible for y = z = 0)");
    if (!upper) return s->value;
    std::vector<Rational> negated;
    for (const Rational& y : s->duals) negated.push_back(-y);
    auto bound = lp_dual_upper_bound(c, rows, s->duals);
    if (!bound) bound = lp_dual_upper_bound(c, rows, negated);
    if (!bound)
        throw Error("cnn_gamma: the upper LP's optimality is not proved (its dual values fail the exact "
                    "weak-duality check)");
    return *bound;
}

}  // namespace

Enclosure cnn_gamma(const std::vector<BesselBounds>& layers, GammaObjective objective) {
    std::vector<std::array<Rational, 3>> lo, hi;
    for (const BesselBounds& l : layers) {
        std::array<Rational, 3> a{l.b1.lower(), l.b2.lower(), l.b3.lower()}, b{l.b1.upper(), l.b2.upper(), l.b3.upper()};
        for (const Rational& x : a)
            if (x.sign() < 0) throw DomainError("cnn_gamma: a Bessel bound with a negative lower end");
        lo.push_back(a);
        hi.push_back(b);
    }
    return {gamma_exact(lo, objective, false), gamma_exact(hi, objective, true)};
}

Verdict certify_euler_step(const EulerStep& s) {
    if (s.tau.sign() < 0) return Verdict::refuted;
    const std::size_t h = s.w.cols();
    RationalMatrix m = s.w.transpose() * s.w;
    for (std::size_t i = 0; i < h; ++i)
        for (std::size_t j = 0; j < h; ++j) m.set(i, j, (i == j ? Rational(2) : Rational(0)) - s.tau * m.at(i, j));
    // det(xI + M) = (−1)^h det(−xI − M) = (−1)^h p_M(−x), p_M the characteristic polynomial.
    fmpq_poly_t p;
    fmpq_poly_init(p);
    fmpq_mat_charpoly(p, m.get());
    bool nonnegative = true;
    Rational coef;
    for (slong k = 0; k <= fmpq_poly_degree(p); ++k) {
        fmpq_poly_get_coeff_fmpq(coef.get(), p, k);
        // coefficient of x^k in (−1)^h p(−x) is (−1)^(h+k) · p_k
        if (((h + static_cast<std::size_t>(k)) % 2 ? -coef : coef).sign() < 0) nonnegative = false;
    }
    fmpq_poly_clear(p);
    return nonnegative ? Verdict::proved : Verdict::refuted;
}

std::vector<Rational> euler_apply(const EulerStep& s, const std::vector<Rational>& x) {
    if (x.size() != s.w.cols() || s.b.size() != s.w.rows())
        throw ShapeError("Euler step: W is " + std::to_string(s.w.rows()) + "x" + std::to_string(s.w.cols()) + ", b has " +
                         std::to_string(s.b.size()) + " entries, x has " + std::to_string(x.size()));
    std::vector<Rational> z = s.w.apply(x);
    for (std::size_t i = 0; i < z.size(); ++i) {
        z[i] += s.b[i];
        if (z[i].sign() < 0) z[i] = Rational(0);
    }
    const std::vector<Rational> back = s.w.transpose().apply(z);
    std::vector<Rational> out = x;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] -= s.tau * back[i];
    return out;
}

EulerStep euler_seed_example(const Rational& tau, const Rational& theta) {
    const Rational c = sqrt_theta(Rational(1, 2), theta);
    RationalMatrix w(2, 2);
    w.set(0, 0, c), w.set(0, 1, -c), w.set(1, 0, c), w.set(1, 1, c);
    return {w, {Rational(0), Rational(0)}, tau};
}

Verdict certify_margin(const Rational& margin, const Rational& lip_upper, const Rational& eps) {
    if (margin.sign() > 0 && margin * margin > Rational(2) * lip_upper * lip_upper * eps * eps) return Verdict::proved;
    return Verdict::unknown;
}

}  // namespace rigornet
