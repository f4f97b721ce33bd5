#include "../support.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/network/gradient.hpp"

using namespace rigornet;
using rigornet::test::cases;

namespace {

bool within(const TrackedDouble& t, const Rational& exact) {
    if (!std::isfinite(t.err)) return true;
    return (Rational::from_double(t.v) - exact).abs() <= Rational::from_double(t.err);
}

std::string show(const std::vector<Rational>& v) {
    std::string s;
    for (auto& x : v) s += x.str() + " ";
    return s;
}

}  // namespace

TEST_CASE("ball evaluation encloses exact evaluation; tracked double is within its bound", "[evaluate]") {
    auto g = rigornet::test::rng(30);
    int evaluated = 0;
    for (int trial = 0; trial < cases(150); ++trial) {
        std::size_t n = 1 + g() % 4;
        Network net = rigornet::test::random_network(g, n, 1 + static_cast<int>(g() % 4));
        std::vector<Rational> y = rigornet::test::random_vector(g, n, 12);
        INFO("trial " << trial << " input " << show(y) << " layers " << net.layers().size());
        std::vector<Rational> exact;
        try {
            exact = evaluate_rational(net, ExactArith{}, y);
        } catch (const DomainError&) {
            continue;  // e.g. a gate dividing by zero: nothing to enclose
        }
        ++evaluated;
        for (long prec : {53L, 128L}) {
            auto balls = evaluate_rational(net, BallArith{prec, false}, y);
            for (std::size_t i = 0; i < exact.size(); ++i) {
                INFO("prec " << prec << " output " << i << ": exact " << exact[i].str() << " ball " << balls[i].str());
                CHECK(balls[i].contains(exact[i]));
            }
        }
        auto tracked = evaluate_rational(net, TrackedDoubleArith{}, y);
        auto plain = evaluate_rational(net, DoubleArith{}, y);
        for (std::size_t i = 0; i < exact.size(); ++i) {
            INFO("output " << i << ": exact " << exact[i].str() << " double " << tracked[i].v << " +/- " << tracked[i].err);
            CHECK(within(tracked[i], exact[i]));
            CHECK((tracked[i].v == plain[i] || (std::isnan(plain[i]) && std::isnan(tracked[i].v))));
        }
    }
    CHECK(evaluated > cases(150) / 2);
}

TEST_CASE("exact evaluation matches a closed form", "[evaluate]") {
    // f(y1, y2) = relu(y1 − y2) + 2·sqrt_θ(y1²) − gate: hand-computed
    Network net(2);
    net.add_affine(std::make_shared<DenseMatrix>(3, 2, std::vector<Rational>{Rational(1), Rational(-1), Rational(1), Rational(0), Rational(0), Rational(1)}),
                   nullptr, {Rational(0), Rational(0), Rational(0)});
    net.add_elementwise(Scalar::relu, std::vector<std::size_t>{0});
    net.add_elementwise(Scalar::square, std::vector<std::size_t>{1});
    net.add_elementwise(Scalar::sqrt_theta, std::vector<std::size_t>{1}, Rational(1, 1024));
    // gate: z2 ← min(1, 1/sqrt_θ(z1))·z2 would need z1 ≥ 0; use f(u) = max(u, 1/2)
    net.add_gates({Gate{0, {2}, Expr::binary(Expr::Op::max, Expr::variable(), Expr::constant(Rational(1, 2)))}});
    // output = z0 + 2 z1 + z2 + y1 (re-injection)
    net.add_affine(std::make_shared<DenseMatrix>(1, 3, std::vector<Rational>{Rational(1), Rational(2), Rational(1)}),
                   std::make_shared<DenseMatrix>(1, 2, std::vector<Rational>{Rational(1), Rational(0)}), {Rational(1, 3)});
    auto f = [](const Rational& y1, const Rational& y2) {
        Rational z0 = y1 - y2 > Rational(0) ? y1 - y2 : Rational(0);
        Rational z1 = sqrt_theta(y1 * y1, Rational(1, 1024));
        Rational gate = z0 > Rational(1, 2) ? z0 : Rational(1, 2);
        return Rational(0) + Rational(2) * z1 + gate * y2 + y1 + Rational(1, 3);  // gate zeroes z0
    };
    auto g = rigornet::test::rng(31);
    for (int i = 0; i < cases(200); ++i) {
        Rational y1 = rigornet::test::random_rational(g, 20), y2 = rigornet::test::random_rational(g, 20);
        INFO("y = " << y1.str() << ", " << y2.str());
        CHECK(evaluate_rational(net, ExactArith{}, {y1, y2})[0] == f(y1, y2));
    }
}

TEST_CASE("dense and sparse forms of one matrix agree exactly; adjoint identity", "[evaluate]") {
    auto g = rigornet::test::rng(32);
    for (int t = 0; t < cases(100); ++t) {
        std::size_t r = 1 + g() % 7, c = 1 + g() % 7;
        std::vector<Rational> d(r * c);
        std::vector<SparseEntry> s;
        for (std::size_t i = 0; i < r; ++i)
            for (std::size_t j = 0; j < c; ++j)
                if (g() % 2) {
                    // split the entry into two sparse pieces: duplicates must be summed
                    Rational a = rigornet::test::random_rational(g, 10), b = rigornet::test::random_rational(g, 10);
                    d[i * c + j] = a + b;
                    s.push_back({i, j, a});
                    s.push_back({i, j, b});
                }
        DenseMatrix D(r, c, d);
        SparseMatrix S(r, c, s);
        std::vector<Rational> x = rigornet::test::random_vector(g, c), y = rigornet::test::random_vector(g, r);
        std::vector<Rational> dx(r), sx(r), dty(c), sty(c);
        D.apply(ExactArith{}, x, dx);
        S.apply(ExactArith{}, x, sx);
        D.adjoint(ExactArith{}, y, dty);
        S.adjoint(ExactArith{}, y, sty);
        CHECK(dx == sx);
        CHECK(dty == sty);
        Rational lhs, rhs;  // ⟨Dx, y⟩ = ⟨x, Dᵀy⟩
        for (std::size_t i = 0; i < r; ++i) lhs += dx[i] * y[i];
        for (std::size_t j = 0; j < c; ++j) rhs += x[j] * dty[j];
        CHECK(lhs == rhs);
    }
    std::vector<Rational> wrong(3);
    DenseMatrix D(2, 2, std::vector<Rational>(4));
    std::vector<Rational> out(2);
    CHECK_THROWS_AS(D.apply(ExactArith{}, wrong, out), ShapeError);
}

TEST_CASE("the ideal network differs from the sqrt_theta network by at most theta per root", "[evaluate]") {
    // y ↦ sqrt_θ(y²+1): the sqrt_θ ball and the ideal ball differ by at most 2^−k
    Network net(1);
    net.add_elementwise(Scalar::square);
    net.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1)}), nullptr, {Rational(1)});
    const Rational theta(1, 1 << 16);
    net.add_elementwise(Scalar::sqrt_theta, std::nullopt, theta);
    auto g = rigornet::test::rng(33);
    for (int i = 0; i < cases(100); ++i) {
        Rational y = rigornet::test::random_rational(g, 20);
        BallArith ar{128, false}, ideal{128, true};
        Ball a = evaluate_rational(net, ar, {y})[0], b = evaluate_rational(net, ideal, {y})[0];
        Ball d;
        arb_sub(d.get(), a.get(), b.get(), 128);
        INFO("y = " << y.str() << " difference " << d.str());
        CHECK(d.abs_upper() <= theta + a.radius() + b.radius());
        // the ideal ball contains √(y²+1), checked at higher precision
        Ball root(y * y + Rational(1), 256);
        arb_sqrt(root.get(), root.get(), 256);
        CHECK(arb_contains(b.get(), root.get()));
    }
}

TEST_CASE("evaluation reports per-layer bits and radii, and names the failing layer", "[evaluate]") {
    Network net(1);
    net.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1, 3)}), nullptr, {Rational(0)});
    net.add_elementwise(Scalar::sqrt_theta, std::nullopt, Rational(1, 1 << 10));
    std::vector<LayerSummary> s;
    evaluate_rational(net, ExactArith{}, {Rational(2)}, &s);
    REQUIRE(s.size() == 3);
    CHECK(s[1].max_bits == Rational(2, 3).bits());
    CHECK(s[2].max_bits == sqrt_theta(Rational(2, 3), Rational(1, 1024)).bits());
    evaluate_rational(net, BallArith{}, {Rational(2)}, &s);
    CHECK(s[1].max_radius > 0.0);  // 2/3 is not dyadic: rounded into a ball
    CHECK_THROWS_WITH(evaluate_rational(net, ExactArith{}, {Rational(-2)}), Catch::Contains("layer 2"));
    CHECK_THROWS_AS(evaluate_rational(net, ExactArith{}, {Rational(1), Rational(2)}), ShapeError);
}

TEST_CASE("exact evaluation refuses values past max_bits and layers past max_bytes", "[evaluate]") {
    // a chain of squarings: the value after k layers is 3^(2^k), 2^k·log2(3) bits
    Network net(1);
    for (int k = 0; k < 40; ++k) net.add(ElementwiseLayer{Scalar::square, Rational(), 0, std::nullopt});
    ExactArith ar;
    ar.max_bits = 1 << 16;
    CHECK_THROWS_AS(evaluate_rational(net, ar, {Rational(3)}), ResourceError);
    // below the limit the value is exact: 3^(2^12) from an independent integer power
    Network short_net(1);
    for (int k = 0; k < 12; ++k) short_net.add(ElementwiseLayer{Scalar::square, Rational(), 0, std::nullopt});
    auto z = evaluate_rational(short_net, ar, {Rational(3)});
    Rational expect;
    fmpz_set_ui(fmpq_numref(expect.get()), 3);
    fmpz_pow_ui(fmpq_numref(expect.get()), fmpq_numref(expect.get()), 1UL << 12);
    CHECK(z[0] == expect);
    // a gate squaring inside one expression is caught by the operation itself (f is a
    // tree of 2^18 leaves; its value 3^(2^18) would need 415,000 bits)
    Expr f = Expr::variable();
    for (int k = 0; k < 18; ++k) f = Expr::binary(Expr::Op::mul, f, f);
    Network gate_net(2);
    gate_net.add(GateLayer{{Gate{0, {1}, f}}});
    CHECK_THROWS_AS(evaluate_rational(gate_net, ar, {Rational(3), Rational(1)}), ResourceError);
    // many modest values together: max_bytes
    ar.max_bits = 1 << 20;
    ar.max_bytes = 1000;
    Network wide(64);
    wide.add(ElementwiseLayer{Scalar::square, Rational(), 0, std::nullopt});
    CHECK_THROWS_AS(evaluate_rational(wide, ar, std::vector<Rational>(64, Rational(7, 3))), ResourceError);
}

TEST_CASE("ball evaluation is refused before it starts when its estimate exceeds max_bytes", "[evaluate]") {
    auto g = rigornet::test::rng(31);
    Network net = rigornet::test::random_network(g, 3, 3, false);
    const double need = ball_evaluation_bytes(net, 1000000);
    CHECK(need >= 3.0 * 1000000 / 8);  // at least the working vector of the input
    BallArith small{1000000, false, static_cast<std::size_t>(need / 2)};
    CHECK_THROWS_AS(evaluate_rational(net, small, {Rational(1), Rational(2), Rational(3)}), ResourceError);
    BallArith enough{128, false, static_cast<std::size_t>(need / 2)};
    CHECK_NOTHROW(evaluate_rational(net, enough, {Rational(1), Rational(2), Rational(3)}));
}

TEST_CASE("the layer observer sees every layer's input and output, chained", "[evaluate]") {
    auto g = rigornet::test::rng(31);
    for (int trial = 0; trial < cases(50); ++trial) {
        const std::size_t n = 1 + g() % 4;
        const Network net = rigornet::test::random_network(g, n, 1 + static_cast<int>(g() % 4));
        const std::vector<Rational> y = rigornet::test::random_vector(g, n, 12);
        std::vector<std::vector<Rational>> inputs, outputs;
        std::vector<std::size_t> seen;
        const auto out = evaluate(net, ExactArith{}, std::span<const Rational>(y), nullptr, {},
                                  [&](std::size_t j, std::span<const Rational> in, std::span<const Rational> o) {
                                      seen.push_back(j);
                                      inputs.emplace_back(in.begin(), in.end());
                                      outputs.emplace_back(o.begin(), o.end());
                                  });
        INFO("trial " << trial << " input " << show(y));
        REQUIRE(seen.size() == net.layers().size());
        for (std::size_t j = 0; j < seen.size(); ++j) {
            CHECK(seen[j] == j);
            CHECK(inputs[j] == (j == 0 ? y : outputs[j - 1]));
            CHECK(outputs[j].size() == net.widths()[j + 1]);
        }
        CHECK(outputs.back() == out);
    }
}

TEST_CASE("dual evaluation is forward mode: DoubleArith's values, and J·v agreeing with vjp", "[evaluate]") {
    auto g = rigornet::test::rng(32);
    std::uniform_real_distribution<double> u(-2, 2), unit(-1, 1);
    for (int trial = 0; trial < cases(100); ++trial) {
        const std::size_t n = 1 + g() % 4;
        const Network net = rigornet::test::random_network(g, n, 1 + static_cast<int>(g() % 4));
        std::vector<double> y(n), w(net.output_dim());
        std::vector<Dual> yv(n);
        for (std::size_t i = 0; i < n; ++i) yv[i] = Dual(y[i] = u(g), unit(g));
        for (double& x : w) x = unit(g);
        const auto plain = evaluate(net, DoubleArith{}, std::span<const double>(y));
        const auto dual = evaluate(net, DualArith{}, std::span<const Dual>(yv));
        const Vjp r = vjp(net, y, w);
        INFO("trial " << trial);
        REQUIRE(dual.size() == plain.size());
        double forward = 0.0, reverse = 0.0, scale = 1.0;
        for (std::size_t i = 0; i < plain.size(); ++i) {
            CHECK((dual[i].v == plain[i] || (std::isnan(dual[i].v) && std::isnan(plain[i]))));
            forward += w[i] * dual[i].d;
            scale += std::abs(w[i] * dual[i].d);
        }
        for (std::size_t i = 0; i < n; ++i) reverse += r.gradient[i] * yv[i].d;
        // ⟨w, J v⟩ = ⟨Jᵀ w, v⟩; the two double computations differ by rounding only.
        CHECK(std::abs(forward - reverse) <= 1e-9 * scale);
    }
}
