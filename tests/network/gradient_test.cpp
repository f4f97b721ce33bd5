// Reverse-mode gradients: agreement with high-precision central differences on random
// networks of every layer kind, a closed form (exact, kinks included), dual numbers.
#include <cmath>

#include "../support.hpp"
#include "rigornet/number/dual.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/network/gradient.hpp"

using namespace rigornet;
using rigornet::test::cases;

namespace {

std::shared_ptr<DenseMatrix> dense(std::size_t rows, std::size_t cols, std::vector<long> entries) {
    std::vector<Rational> q;
    for (long e : entries) q.emplace_back(e);
    return std::make_shared<DenseMatrix>(rows, cols, std::move(q));
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

}  // namespace

TEST_CASE("vjp returns the DoubleArith value bit for bit", "[gradient]") {
    auto g = test::rng(70);
    std::uniform_real_distribution<double> u(-2, 2);
    for (int trial = 0; trial < cases(200); ++trial) {
        const std::size_t n = 1 + g() % 4;
        const Network net = test::random_network(g, n, 1 + static_cast<int>(g() % 4));
        std::vector<double> y(n), w(net.output_dim(), 1.0);
        for (double& v : y) v = u(g);
        const std::vector<double> plain = evaluate(net, DoubleArith{}, std::span<const double>(y));
        const Vjp r = vjp(net, y, w);
        REQUIRE(r.value.size() == plain.size());
        REQUIRE(r.gradient.size() == n);
        for (std::size_t i = 0; i < plain.size(); ++i) {
            INFO("trial " << trial << " output " << i);
            CHECK((r.value[i] == plain[i] || (std::isnan(r.value[i]) && std::isnan(plain[i]))));
        }
    }
    const Network net = test::random_network(g, 3, 2);
    // The cotangent chosen from the value (w = φ(y) − x) gives what the explicit w gives.
    const std::vector<double> y{0.5, -1.25, 2.0}, x(net.output_dim(), 0.75);
    const Vjp late = vjp(net, y, [&](std::span<const double> value) {
        std::vector<double> w(value.begin(), value.end());
        for (std::size_t i = 0; i < w.size(); ++i) w[i] -= x[i];
        return w;
    });
    std::vector<double> w = evaluate(net, DoubleArith{}, std::span<const double>(y));
    for (std::size_t i = 0; i < w.size(); ++i) w[i] -= x[i];
    CHECK(late.gradient == vjp(net, y, w).gradient);
    CHECK_THROWS_AS(vjp(net, y, [](std::span<const double>) { return std::vector<double>(1000); }), ShapeError);
    CHECK_THROWS_AS(vjp(net, std::vector<double>(2), std::vector<double>(net.output_dim())), ShapeError);
    CHECK_THROWS_AS(vjp(net, std::vector<double>(3), std::vector<double>(net.output_dim() + 1)), ShapeError);
}

// Reference: the directional derivative of f(s) = ⟨w, φ(y + s·v)⟩ by central differences
// D(h) = (f(h) − f(−h))/2h of the ideal-√ network (BallArith with ideal_sqrt, which is
// what DoubleArith models) in 300-bit balls at h = 2^−30 and 2^−31. Rounding in the
// reference is then negligible (relative 2^−300 per operation, magnitudes ≤ 2^200), and
// on a smooth piece the truncation error is h²|f'''|/6, about 10^−19 relative here.
// A kink between y − hv and y + hv shows up as D(h) ≠ D(h/2); such points (probability
// about 2^−30 per kink) are skipped, and the test requires that nearly none are.
// The vjp itself is double arithmetic through at most 8 layers of width ≤ 7: its
// relative error is a few hundred ulps at most unless the gradient cancels, so we
// allow 10^−8 relative plus 10^−12·(1 + Σ|w_i φ_i(y)|) absolute (cancelling gradients of
// size ~ε·|φ|). A wrong derivative rule gives an O(1) relative error and fails.
TEST_CASE("vjp agrees with high-precision central differences on random networks", "[gradient]") {
    auto g = test::rng(71);
    std::uniform_real_distribution<double> u(-2, 2), unit(-1, 1);
    const BallArith ar{300, true};
    int tested = 0, skipped = 0;
    for (int trial = 0; trial < cases(150); ++trial) {
        const std::size_t n = 1 + g() % 4;
        const Network net = test::random_network(g, n, 1 + static_cast<int>(g() % 4));
        std::vector<double> y(n), v(n), w(net.output_dim());
        for (double& x : y) x = u(g);
        for (double& x : v) x = unit(g);
        for (double& x : w) x = unit(g);
        const Vjp r = vjp(net, y, w);
        auto f = [&](const Rational& s) {
            std::vector<Rational> p;
            for (std::size_t i = 0; i < n; ++i) p.push_back(Rational::from_double(y[i]) + s * Rational::from_double(v[i]));
            const std::vector<Ball> out = evaluate_rational(net, ar, p);
            Ball acc = ar.from_rational(Rational(0));
            for (std::size_t i = 0; i < out.size(); ++i) ar.addmul(acc, ar.from_rational(Rational::from_double(w[i])), out[i]);
            return acc;
        };
        auto central = [&](long log2_inv_h) {
            const Rational h(1, 1L << log2_inv_h);
            Ball d;
            ar.sub(d, f(h), f(-h));
            ar.mul(d, d, ar.from_rational(Rational(1L << (log2_inv_h - 1))));
            return arf_get_d(arb_midref(d.get()), ARF_RND_NEAR);
        };
        const double d1 = central(30), d2 = central(31), gv = dot(r.gradient, v);
        double scale = 1.0;
        for (std::size_t i = 0; i < w.size(); ++i) scale += std::abs(w[i] * r.value[i]);
        REQUIRE(std::isfinite(gv));
        if (std::abs(d1 - d2) > 1e-6 * std::max(std::abs(d1), std::abs(d2)) + 1e-12 * scale) {
            ++skipped;
            continue;
        }
        ++tested;
        INFO("trial " << trial << ": vjp·v = " << gv << ", central difference " << d2 << ", scale " << scale);
        CHECK(std::abs(gv - d2) <= 1e-8 * std::abs(d2) + 1e-12 * scale);
    }
    CHECK(skipped <= cases(150) / 50);
    CHECK(tested >= cases(150) * 9 / 10);
}

TEST_CASE("vjp matches the closed-form gradient of a hand-built network exactly", "[gradient]") {
    // φ(y) = relu(y0 + 2y1) + 3·√((y0 − y1 + ½)²)·S_½(y1) + y0 + ¼, built as
    //   z = (y0 + 2y1, y0 − y1 + ½, y1); relu z0; square z1; soft threshold ½ on z2;
    //   gate z2 ← sqrt_θ(z1)·z2, z1 ← 0; output z0 + 3 z2 + y0 + ¼ (re-injection).
    Network net(2);
    net.add_affine(dense(3, 2, {1, 2, 1, -1, 0, 1}), nullptr, {Rational(0), Rational(1, 2), Rational(0)});
    net.add_elementwise(Scalar::relu, std::vector<std::size_t>{0});
    net.add_elementwise(Scalar::square, std::vector<std::size_t>{1});
    net.add_elementwise(Scalar::soft_threshold, std::vector<std::size_t>{2}, Rational(1, 2));
    net.add_gates({Gate{1, {2}, Expr::sqrt_theta(Expr::variable(), Rational(1, 1 << 20))}});
    net.add_affine(dense(1, 3, {1, 0, 3}), dense(1, 2, {1, 0}), {Rational(1, 4)});

    // With a = y0 + 2y1, b = y0 − y1 + ½, s = S_½(y1), by hand:
    //   ∂φ/∂y0 = [a > 0] + 3·sign(b)·s + 1,  ∂φ/∂y1 = 2[a > 0] − 3·sign(b)·s + 3|b|·[|y1| > ½],
    // with the documented kink conventions ([a > 0] at a = 0, sign(0) = 0 from √'(0) = 0,
    // S' = 0 at |y1| = ½). At dyadic points with |b| a power of two (or 0) every double
    // operation is exact, so the comparison is exact.
    auto check = [&](double y0, double y1, double w) {
        const double a = y0 + 2 * y1, b = y0 - y1 + 0.5;
        const double s = std::abs(y1) > 0.5 ? y1 - std::copysign(0.5, y1) : 0.0;
        const double step = a > 0 ? 1.0 : 0.0, sign = b > 0 ? 1.0 : (b < 0 ? -1.0 : 0.0);
        const double beyond = std::abs(y1) > 0.5 ? 1.0 : 0.0;
        const Vjp r = vjp(net, std::vector<double>{y0, y1}, std::vector<double>{w});
        INFO("y = (" << y0 << ", " << y1 << "), w = " << w);
        CHECK(r.value[0] == std::max(a, 0.0) + 3 * std::abs(b) * s + y0 + 0.25);
        CHECK(r.gradient[0] == w * (step + 3 * sign * s + 1));
        CHECK(r.gradient[1] == w * (2 * step - 3 * sign * s + 3 * std::abs(b) * beyond));
    };
    int checked = 0;
    for (double w : {1.0, -0.75}) {
        for (double y1 : {-1.5, -0.5, -0.25, 0.0, 0.125, 0.5, 0.75, 2.5})
            for (double b : {-2.0, -0.25, 0.0, 0.5, 1.0}) check(b - 0.5 + y1, y1, w), ++checked;
        // a = 0, the ReLU kink, where b = ½ − 3y1 is then 2, ½, ⅛, −1
        for (double y1 : {-0.5, 0.0, 0.125, 0.5}) check(-2 * y1, y1, w), ++checked;
    }
    CHECK(checked == 88);
}

TEST_CASE("dual numbers differentiate gate expressions, kinks by the branch taken", "[gradient]") {
    const DualArith ar;
    auto eval = [&](const Expr& e, double u) {
        const Dual r = eval_expr(e, ar, Dual(u, 1.0));
        CHECK(r.v == eval_expr(e, DoubleArith{}, u));  // the value is DoubleArith's
        return r;
    };
    using Op = Expr::Op;
    const Rational theta(1, 1 << 20);
    // 1/max(1, √u): −½u^(−3/2) beyond u = 1, constant below; at the tie max returns its
    // first operand, the constant 1.
    const Expr proj = Expr::binary(Op::div, Expr::constant(Rational(1)),
                                   Expr::binary(Op::max, Expr::constant(Rational(1)), Expr::sqrt_theta(Expr::variable(), theta)));
    CHECK(eval(proj, 4.0).v == 0.5);
    CHECK(eval(proj, 4.0).d == -1.0 / 16);
    CHECK(eval(proj, 0.25).d == 0.0);
    CHECK(eval(proj, 1.0).d == 0.0);
    // min(u, 2) − 1/7: slope 1 below 2 and at the tie (u is the first operand), 0 above.
    const Expr clip = Expr::binary(Op::sub, Expr::binary(Op::min, Expr::variable(), Expr::constant(Rational(2))),
                                   Expr::constant(Rational(1, 7)));
    CHECK(eval(clip, 1.0).d == 1.0);
    CHECK(eval(clip, 2.0).d == 1.0);
    CHECK(eval(clip, 3.0).d == 0.0);
    // −(u·u − u): derivative −(2u − 1); √ at 0 and below: 0 (documented convention).
    const Expr poly = Expr::unary(Op::neg, Expr::binary(Op::sub, Expr::binary(Op::mul, Expr::variable(), Expr::variable()),
                                                        Expr::variable()));
    CHECK(eval(poly, 3.0).v == -6.0);
    CHECK(eval(poly, 3.0).d == -5.0);
    const Expr root = Expr::sqrt_theta(Expr::variable(), theta);
    CHECK(eval(root, 0.0).d == 0.0);
    CHECK(eval(root, -1.0).d == 0.0);
    CHECK(eval(root, 0.0625).d == 2.0);  // 1/(2·¼)
}
