#include "rigornet/cs/inexact_input.hpp"

#include <algorithm>

#include "rigornet/core/error.hpp"

namespace rigornet {

namespace {

Rational pow10(int k) {
    Rational r(1);
    for (int i = 0; i < k; ++i) r *= Rational(10);
    return r;
}

// An exact upper bound of a finite ball's values (DomainError otherwise).
Rational upper_of(const Ball& b, const std::string& what) {
    if (!b.is_finite()) throw DomainError(what + ": enclosure not finite");
    return b.upper();
}

// Rounds the ball's midpoint to a multiple of 2^−bits, exactly.
Rational round_dyadic(const Ball& b, long bits) {
    Rational mid;
    arf_get_fmpq(mid.get(), arb_midref(b.get()));
    fmpz_t scaled;
    fmpz_init(scaled);
    Rational s = mid;
    fmpz_t two;
    fmpz_init_set_ui(two, 2);
    fmpz_pow_ui(two, two, static_cast<ulong>(bits));
    fmpq_mul_fmpz(s.get(), s.get(), two);
    fmpz_fdiv_q(scaled, fmpq_numref(s.get()), fmpq_denref(s.get()));
    Rational q;
    fmpq_set_fmpz_frac(q.get(), scaled, two);
    fmpz_clear(scaled);
    fmpz_clear(two);
    return q;
}

}  // namespace

InexactMember inexact_member(const InexactParams& p, std::size_t j) {
    if (p.K < 1 || p.K > 30) throw DomainError("inexact input: K must be in 1..30");
    if (p.n < 1 || p.n > 4096) throw DomainError("inexact input: n must be in 1..4096");
    if (p.N1 < 2 || p.N2 < 1 || p.N1 + p.N2 > 4096) throw DomainError("inexact input: N1 >= 2, N2 >= 1 (N1 + N2 <= 4096)");
    if (p.delta.sign() <= 0 || p.delta >= Rational(1, 4)) throw DomainError("inexact input: delta must be in (0, 1/4)");
    if (p.lambda.sign() <= 0 || p.lambda > Rational(1)) throw DomainError("inexact input: lambda must be in (0, 1]");
    if (j < 1 || j > p.N1) throw DomainError("inexact input: j must be in 1..N1");
    const Rational rho = Rational(1) - p.delta;
    const QSqrt2 g(Rational(0), rho * pow10(p.K) / Rational(3));  // γ₁λ = √2(1−δ)10^K/3
    const QSqrt2 eps(pow2(-(p.n + 1))), rq(rho);
    const QSqrt2 c = eps / g;
    const QSqrt2 t = c * rq * rq / (QSqrt2(Rational(1)) + c * rq);
    const QSqrt2 rho_min = rq - t;
    InexactMember m;
    m.j = j;
    m.a.assign(p.N1, g / rq);
    m.a[j - 1] = g / rho_min;
    for (auto& v : m.a) m.norm_a_sq = m.norm_a_sq + v * v;
    m.x_star = rho_min / g;
    return m;
}

std::vector<QSqrt2> stated_minimiser(const InexactParams& p, const InexactMember& m) {
    std::vector<QSqrt2> x(p.N1 + p.N2);
    x[m.j - 1] = m.x_star;
    return x;
}

MinimiserCheck check_minimiser(const InexactParams& p, const InexactMember& m, const std::vector<QSqrt2>& x) {
    if (x.size() != p.N1 + p.N2)
        throw ShapeError("check_minimiser: " + std::to_string(x.size()) + " entries for " + std::to_string(p.N1 + p.N2) + " unknowns");
    const QSqrt2 lam(p.lambda), one(Rational(1));
    QSqrt2 au, l1;
    for (std::size_t i = 0; i < p.N1; ++i) au = au + m.a[i] * x[i];
    for (auto& v : x) l1 = l1 + v.abs();
    const QSqrt2 r1 = au - one;
    const bool v_zero = std::all_of(x.begin() + static_cast<long>(p.N1), x.end(), [](const QSqrt2& v) { return v.is_zero(); });
    if (!v_zero) {
        if (one < lam * l1 + r1.abs())
            return {Verdict::refuted, "non-zero on the last N2 coordinates and F(x) >= lambda||x||_1 + |r_1| = " +
                                          (lam * l1 + r1.abs()).str() + " > 1 = F(0)"};
        return {Verdict::unknown, "non-zero on the last N2 coordinates; F(x) > F(0) not shown"};
    }
    if (!r1.is_zero()) {
        const int s = r1.sign();
        for (std::size_t i = 0; i < p.N1; ++i) {
            const int su = x[i].sign();
            if (su != 0 && !(m.a[i] == lam && su == -s))
                return {Verdict::refuted, "residual non-zero and lambda*sign(x_" + std::to_string(i + 1) + ") + sign(r_1)*a_" +
                                              std::to_string(i + 1) + " != 0: 0 is not a subgradient"};
            if (su == 0 && lam < m.a[i])
                return {Verdict::refuted, "residual non-zero and a_" + std::to_string(i + 1) + " > lambda at a zero coordinate: 0 is not a subgradient"};
        }
        return {Verdict::proved, "residual non-zero; lambda*sign(x) + sign(r_1)*(a, 0) contains 0"};
    }
    // zero residual: one ω with |ω| ≤ 1, ω a_i = −λ sign(u_i) on the support, |ω a_i| ≤ λ off it
    std::size_t k = p.N1;
    for (std::size_t i = 0; i < p.N1; ++i)
        if (!x[i].is_zero()) {
            k = i;
            break;
        }
    const QSqrt2 omega = QSqrt2(Rational(-x[k].sign())) * lam / m.a[k];
    if (one < omega.abs()) return {Verdict::refuted, "the dual multiplier omega = " + omega.str() + " has |omega| > 1"};
    for (std::size_t i = 0; i < p.N1; ++i) {
        const QSqrt2 wa = omega * m.a[i];
        if (!x[i].is_zero() && !(wa == QSqrt2(Rational(-x[i].sign())) * lam))
            return {Verdict::refuted, "no single dual multiplier fits coordinates " + std::to_string(k + 1) + " and " + std::to_string(i + 1)};
        if (x[i].is_zero() && lam < wa.abs())
            return {Verdict::refuted, "|omega a_" + std::to_string(i + 1) + "| > lambda at a zero coordinate"};
    }
    return {Verdict::proved, "A x = y exactly and w = omega D e_1 with omega = " + omega.str() +
                                 ", |omega| <= 1, gives -A^T w in lambda*d||x||_1: 0 is a subgradient"};
}

std::vector<Ball> dct_matrix(std::size_t m, long prec) {
    std::vector<Ball> d(m * m);
    Ball c0, ck;
    arb_set_ui(c0.get(), 1);
    arb_div_ui(c0.get(), c0.get(), m, prec + 16);
    arb_sqrt(c0.get(), c0.get(), prec + 16);
    arb_set_ui(ck.get(), 2);
    arb_div_ui(ck.get(), ck.get(), m, prec + 16);
    arb_sqrt(ck.get(), ck.get(), prec + 16);
    for (std::size_t k = 0; k < m; ++k)
        for (std::size_t l = 0; l < m; ++l) {
            Rational arg(static_cast<long>(k * (2 * l + 1)), static_cast<long>(2 * m));
            Ball& e = d[k * m + l];
            arb_cos_pi_fmpq(e.get(), arg.get(), prec + 16);
            arb_mul(e.get(), e.get(), (k == 0 ? c0 : ck).get(), prec);
        }
    return d;
}

InexactInstance make_inexact_instance(const InexactParams& p, long prec) {
    InexactInstance in;
    in.params = p;
    in.first = inexact_member(p, 1);
    in.second = inexact_member(p, 2);
    in.rows = p.N2 + 1;
    in.cols = p.N1 + p.N2;
    in.row_gap = in.first.a[0] - in.second.a[0];
    const long bits = p.n + 8;  // 2^−(n+8)·√(rows·cols)/2 stays far below 2^−n for these sizes
    const long wp = prec + 4 * p.K + p.n;
    const auto D = dct_matrix(in.rows, wp);
    // M_2 in balls: first row a², then ‖a‖ on the block; A′ = D M_2, whose column l is
    // D's column 0 times a²_l (l < N1) or D's column 1 + (l − N1) times ‖a‖
    std::vector<Ball> col_scale(in.cols);
    Ball norm_a;
    Ball nsq = in.second.norm_a_sq.ball(wp);
    arb_sqrtpos(norm_a.get(), nsq.get(), wp);
    for (std::size_t l = 0; l < in.cols; ++l) col_scale[l] = l < p.N1 ? in.second.a[l].ball(wp) : norm_a;
    in.An.resize(in.rows * in.cols);
    Ball fro, diff;
    for (std::size_t k = 0; k < in.rows; ++k)
        for (std::size_t l = 0; l < in.cols; ++l) {
            const std::size_t dcol = l < p.N1 ? 0 : 1 + (l - p.N1);
            Ball e;
            arb_mul(e.get(), D[k * in.rows + dcol].get(), col_scale[l].get(), wp);
            Rational& q = in.An[k * in.cols + l];
            q = round_dyadic(e, bits);
            Ball qb(q, wp);
            arb_sub(diff.get(), e.get(), qb.get(), wp);
            arb_addmul(fro.get(), diff.get(), diff.get(), wp);
        }
    arb_sqrtpos(fro.get(), fro.get(), wp);
    in.approx_A = upper_of(fro, "||A' - A_n||_F");
    Ball ey;
    for (std::size_t k = 0; k < in.rows; ++k) {
        const Ball& e = D[k * in.rows];  // y = D e₁: column 0
        in.yn.push_back(round_dyadic(e, bits));
        Ball qb(in.yn.back(), wp);
        arb_sub(diff.get(), e.get(), qb.get(), wp);
        arb_addmul(ey.get(), diff.get(), diff.get(), wp);
    }
    arb_sqrtpos(ey.get(), ey.get(), wp);
    in.approx_y = upper_of(ey, "||y - y_n||");
    Ball gap = in.row_gap.abs().ball(wp), s2;
    arb_sqrt_ui(s2.get(), 2, wp);
    arb_mul(gap.get(), gap.get(), s2.get(), wp);
    const Rational a_bound = upper_of(gap, "sqrt(2)|eps'|") + in.approx_A;
    in.perturbation = parse_rational(to_decimal(std::max(a_bound, in.approx_y), 10, Round::up));
    return in;
}

Ball minimiser_separation(const InexactInstance& inst, long prec) {
    // x*¹ − x*² = x*·(e_1 − e_2) (equal x* in both members, checked exactly)
    if (!(inst.first.x_star == inst.second.x_star)) throw DomainError("the two members' minimiser values differ");
    return (QSqrt2::sqrt2() * inst.first.x_star).ball(prec);
}

}  // namespace rigornet
