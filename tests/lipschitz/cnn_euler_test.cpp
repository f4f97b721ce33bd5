// CNN bounds (exact LP Γ), the 1-Lipschitz Euler certificate and the margin certificate.
#include "lipschitz_support.hpp"
#include "rigornet/lipschitz/cnn_bounds.hpp"
#include "rigornet/linalg/exact_lp.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/report/lipschitz_tables.hpp"

using namespace rigornet;
using rigornet::test::cases;
using rigornet::test::rng;
using rigornet::test::small_rational;

namespace {

// x ↦ x − τ Wᵀ ReLU(Wx + b) as a ReLU chain: x = ReLU(x) − ReLU(−x) carries the skip.
ReluChain euler_chain(const EulerStep& s) {
    const std::size_t h = s.w.cols(), k = s.w.rows();
    ReluChain c;
    c.input_dim = h;
    RationalMatrix w0(k + 2 * h, h), w1(h, k + 2 * h);
    std::vector<Rational> b0(k + 2 * h);
    for (std::size_t i = 0; i < k; ++i) {
        b0[i] = s.b[i];
        for (std::size_t j = 0; j < h; ++j) {
            w0.set(i, j, s.w.at(i, j));
            w1.set(j, i, -s.tau * s.w.at(i, j));
        }
    }
    for (std::size_t j = 0; j < h; ++j) {
        w0.set(k + j, j, Rational(1));
        w0.set(k + h + j, j, Rational(-1));
        w1.set(j, k + j, Rational(1));
        w1.set(j, k + h + j, Rational(-1));
    }
    c.weights = {w0, w1};
    c.biases = {b0, std::vector<Rational>(h)};
    return c;
}

}  // namespace

TEST_CASE("cnn: Gamma solves small LPs exactly and is monotone in the Bessel bounds", "[lipschitz][cnn]") {
    const long prec = 128;
    auto g = rng(501);
    for (int i = 0; i < cases(20); ++i) {
        std::uniform_int_distribution<int> depth(1, 4), num(0, 12);
        std::vector<BesselBounds> lo, hi;
        for (int m = 0; m < depth(g); ++m) {
            Rational a(num(g), 4), b(num(g), 4), c(num(g), 4);
            lo.push_back({Ball(a, prec), Ball(b, prec), Ball(c, prec)});
            hi.push_back({Ball(a + Rational(1, 8), prec), Ball(b, prec), Ball(c + Rational(1, 3), prec)});
        }
        for (auto obj : {GammaObjective::printed, GammaObjective::with_last_output}) {
            const Enclosure x = cnn_gamma(lo, obj), y = cnn_gamma(hi, obj);
            CHECK(x.exact());
            CHECK(x.upper <= y.lower);
        }
        CHECK(cnn_gamma(lo, GammaObjective::printed).lower.sign() >= 0);
    }
    // Closed form with B^(1) = b ∈ [1, 2], B^(2) = B^(3) = 1 and M = 3: keeping y_m = 1 and
    // z_m = b − 1 until the last layer, Σ z = 2(b − 1) + 1 = 2b − 1 and Σ z + y_M = 3b − 2.
    for (long k = 4; k <= 8; ++k) {
        const Rational b(k, 4);
        std::vector<BesselBounds> layers(3, BesselBounds{Ball(b, prec), Ball(Rational(1), prec), Ball(Rational(1), prec)});
        CHECK(cnn_gamma(layers, GammaObjective::printed).upper.str() == (Rational(2) * b - Rational(1)).str());
        CHECK(cnn_gamma(layers, GammaObjective::with_last_output).upper.str() == (Rational(3) * b - Rational(2)).str());
    }
}

TEST_CASE("cnn: seed 000 example 2 reproduces 8/e and 6e^(-1/3) - 2", "[lipschitz][cnn]") {
    std::vector<std::string> failures;
    cnn_lp_table(&failures);
    for (const auto& f : failures) FAIL_CHECK(f);
}

TEST_CASE("exact LP: optimum, infeasibility and unboundedness", "[lipschitz][lp]") {
    // max x + y  s.t.  x + 2y ≤ 4, 3x + y ≤ 6, x, y ≥ 0  →  (8/5, 6/5), value 14/5.
    std::vector<std::optional<Rational>> zero(2, Rational(0)), none(2);
    auto s = lp_maximize({Rational(1), Rational(1)},
                         {{{Rational(1), Rational(2)}, '<', Rational(4)}, {{Rational(3), Rational(1)}, '<', Rational(6)}},
                         zero, none);
    REQUIRE(s);
    CHECK(s->value == Rational(14, 5));
    CHECK(s->x == std::vector<Rational>{Rational(8, 5), Rational(6, 5)});
    CHECK_FALSE(lp_maximize({Rational(1), Rational(0)}, {{{Rational(1), Rational(1)}, '<', Rational(-1)}}, zero, none));
    CHECK_THROWS_AS(lp_maximize({Rational(1), Rational(0)}, {}, zero, none), DomainError);
}

TEST_CASE("euler: the 1-Lipschitz certificate proves tau <= 2/||W||^2 and refutes tau slightly above", "[lipschitz][euler]") {
    // W = 2·(Pythagorean rotation): ‖W‖₂² = 4 exactly, so the threshold is τ = 1/2.
    RationalMatrix w(2, 2);
    w.set(0, 0, Rational(6, 5));
    w.set(0, 1, Rational(-8, 5));
    w.set(1, 0, Rational(8, 5));
    w.set(1, 1, Rational(6, 5));
    const Rational tiny = Rational(1) / (Rational(1L << 40) * Rational(1L << 40));
    CHECK(certify_euler_step({w, {Rational(0), Rational(0)}, Rational(1, 2)}) == Verdict::proved);
    CHECK(certify_euler_step({w, {Rational(0), Rational(0)}, Rational(1, 2) + tiny}) == Verdict::refuted);
    CHECK(certify_euler_step({w, {Rational(0), Rational(0)}, Rational(0)}) == Verdict::proved);
    CHECK(certify_euler_step({w, {Rational(0), Rational(0)}, -tiny}) == Verdict::refuted);

    auto g = rng(502);
    for (int i = 0; i < cases(15); ++i) {
        std::uniform_int_distribution<std::size_t> dim(1, 3);
        const std::size_t k = dim(g), h = dim(g);
        RationalMatrix a(k, h);
        std::vector<Rational> b(k);
        for (std::size_t r = 0; r < k; ++r) {
            b[r] = small_rational(g);
            for (std::size_t s = 0; s < h; ++s) a.set(r, s, small_rational(g));
        }
        const Ball n = norm_2(a, 128);
        if (n.lower().sign() <= 0) continue;
        INFO("||W||_2 in " << n.str());
        // 2/‖W‖² lies in [2/hi², 2/lo²]: below the interval proved, above it refuted.
        const Rational below = Rational(2) / (n.upper() * n.upper()), above = Rational(2) / (n.lower() * n.lower());
        CHECK(certify_euler_step({a, b, below}) == Verdict::proved);
        CHECK(certify_euler_step({a, b, above + tiny}) == Verdict::refuted);
        // Independent check: the proved step's exact ℓ2 Lipschitz constant (region
        // enumeration, ball enclosures) is at most 1.
        const auto ex = exact_lipschitz(euler_chain({a, b, below}), Domain{}, LipNorm::l2, 128);
        REQUIRE(ex);
        CHECK(ex->value.lower <= Rational(1));
    }
}

TEST_CASE("euler: margin certificate", "[lipschitz][euler]") {
    // √2 · 1 · ε with ε = 1/2 is 0.7071…: a margin 3/4 certifies, 7/10 does not.
    CHECK(certify_margin(Rational(3, 4), Rational(1), Rational(1, 2)) == Verdict::proved);
    CHECK(certify_margin(Rational(7, 10), Rational(1), Rational(1, 2)) == Verdict::unknown);
    CHECK(certify_margin(Rational(-1), Rational(1), Rational(0)) == Verdict::unknown);
}

TEST_CASE("exact LP: the weak-duality check accepts the true dual and rejects a perturbed one", "[lipschitz][lp]") {
    // max x + y s.t. x + 2y ≤ 4, 3x + y ≤ 6, x, y ≥ 0: the vertex (8/5, 6/5), value 14/5;
    // the dual min 4a + 6b s.t. a + 3b ≥ 1, 2a + b ≥ 1, a, b ≥ 0 has optimum (2/5, 1/5).
    const std::vector<Rational> c{Rational(1), Rational(1)};
    const std::vector<LpRow> rows{{{Rational(1), Rational(2)}, '<', Rational(4)}, {{Rational(3), Rational(1)}, '<', Rational(6)}};
    const auto s = lp_maximize(c, rows, {Rational(0), Rational(0)}, {std::nullopt, std::nullopt});
    REQUIRE(s);
    CHECK(s->value == Rational(14, 5));
    CHECK(lp_dual_upper_bound(c, rows, {Rational(2, 5), Rational(1, 5)}) == Rational(14, 5));
    // A feasible but not optimal dual still bounds the value (from above).
    CHECK(lp_dual_upper_bound(c, rows, {Rational(1), Rational(1)}) == Rational(10));
    // Perturbed: a + 3b < 1 (infeasible), or a negative multiplier: no certificate.
    CHECK(!lp_dual_upper_bound(c, rows, {Rational(2, 5), Rational(1, 5) - Rational(1, 100)}));
    CHECK(!lp_dual_upper_bound(c, rows, {Rational(-1), Rational(2)}));
    // The solver's own duals certify its value (in one of the two sign conventions).
    std::vector<Rational> neg;
    for (const Rational& y : s->duals) neg.push_back(-y);
    const auto b1 = lp_dual_upper_bound(c, rows, s->duals), b2 = lp_dual_upper_bound(c, rows, neg);
    CHECK(((b1 && *b1 == s->value) || (b2 && *b2 == s->value)));
    CHECK_THROWS_AS(lp_dual_upper_bound(c, {{{Rational(1), Rational(0)}, '>', Rational(0)}}, {Rational(1)}), DomainError);
}

TEST_CASE("euler: the 2-D example is 1-Lipschitz exactly up to tau = 2, and expands beyond", "[lipschitz][euler]") {
    const Rational theta(1, 1L << 40);
    CHECK(certify_euler_step(euler_seed_example(Rational(2), theta)) == Verdict::proved);
    // 2c² ∈ (1 − 2√2θ, 1], so 2/‖W‖² < 2 + 6θ: τ = 2 + 2^−30 must fail
    CHECK(certify_euler_step(euler_seed_example(Rational(2) + Rational(1, 1L << 30), theta)) == Verdict::refuted);
    // independent check of the property at random exact pairs: ‖φ(x) − φ(y)‖² ≤ ‖x − y‖² for τ = 2
    auto g = rigornet::test::rng(93);
    const EulerStep s2 = euler_seed_example(Rational(2), theta);
    auto dist2 = [](const std::vector<Rational>& a, const std::vector<Rational>& b) {
        Rational d;
        for (std::size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
        return d;
    };
    for (int i = 0; i < 200; ++i) {
        auto x = rigornet::test::random_vector(g, 2, 8), y = rigornet::test::random_vector(g, 2, 8);
        CHECK(dist2(euler_apply(s2, x), euler_apply(s2, y)) <= dist2(x, y));
    }
    // τ = 3: φ(1, 0) = (1 − 6c², 0) ≈ (−2, 0) and φ(0) = 0, an expansion by about 2
    const EulerStep s3 = euler_seed_example(Rational(3), theta);
    CHECK(dist2(euler_apply(s3, {Rational(1), Rational(0)}), euler_apply(s3, {Rational(0), Rational(0)})) > Rational(3));
    // euler_apply by hand: W = I, b = (−1, 0), τ = 1/2 at x = (3, −2): relu(Wx + b) = (2, 0), x − (1, 0) = (2, −2)
    RationalMatrix id = RationalMatrix::identity(2);
    CHECK(euler_apply({id, {Rational(-1), Rational(0)}, Rational(1, 2)}, {Rational(3), Rational(-2)}) ==
          std::vector<Rational>{Rational(2), Rational(-2)});
}
