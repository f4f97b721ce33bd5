// Seed 001's xy multiplier (xy_multiplier_network) against an independent formula and
// the derived error bound; its table's and the random-relu table's checked claims.
#include <algorithm>

#include "lipschitz_support.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/report/lipschitz_tables.hpp"

using namespace rigornet;
using rigornet::test::cases;
using rigornet::test::rng;

namespace {

// The linear interpolant of t ↦ t²/4 on the grid hℤ, at t ∈ [−2, 2] (h = 2^{1−l} divides 2).
Rational interpolant_quarter_square(const Rational& t, const Rational& h) {
    Rational t0(-2);
    while (t0 + h <= t && t0 + h <= Rational(2)) t0 += h;
    if (t0 == Rational(2)) t0 -= h;
    const Rational t1 = t0 + h, f0 = t0 * t0 / Rational(4), f1 = t1 * t1 / Rational(4);
    return f0 + (f1 - f0) * (t - t0) / h;
}

}  // namespace

TEST_CASE("xy multiplier: T_l = I(p^2/4) - I(q^2/4), within 4^-(l+1) of xy on [-1,1]^2, attained", "[lipschitz][xy]") {
    auto g = rng(1201);
    std::uniform_int_distribution<long> nx(-997, 997), ny(-1009, 1009);
    for (std::size_t l = 1; l <= 6; ++l) {
        const ReluChain c = extract_relu_chain(xy_multiplier_network(l));
        const Rational h = pow2(1 - static_cast<long>(l)), bound = pow2(-2 * static_cast<long>(l) - 2);
        // Random rational points, and the grid nodes of the interpolant (x, y multiples of h/2).
        std::vector<std::vector<Rational>> points;
        for (int i = 0; i < cases(100); ++i) points.push_back({Rational(nx(g), 997), Rational(ny(g), 1009)});
        const long n = 1L << l;  // h/2 = 1/n
        for (long i = -n; i <= n; i += std::max(1L, n / 4))
            for (long j = -n; j <= n; j += std::max(1L, n / 4)) points.push_back({Rational(i, n), Rational(j, n)});
        for (const auto& x : points) {
            const Rational t = c.evaluate(x)[0], xy = x[0] * x[1];
            INFO("l = " << l << ", (x, y) = (" << x[0].str() << ", " << x[1].str() << "), T = " << t.str());
            CHECK(t == interpolant_quarter_square(x[0] + x[1], h) - interpolant_quarter_square(x[0] - x[1], h));
            CHECK((t - xy).abs() <= bound);
        }
        // Equality at x = y = h/4: p = h/2 is an interval's midpoint (error h²/16), q = 0 a node.
        const Rational m = h / Rational(4);
        CHECK(m * m - c.evaluate({m, m})[0] == -bound);
    }
}

TEST_CASE("xy multiplier: L = 2 - 2^-l exactly on [-1,1]^2, attained by the witness, table claims hold",
          "[lipschitz][xy]") {
    const Domain square{{Rational(-1), Rational(-1)}, {Rational(1), Rational(1)}};
    for (std::size_t l = 1; l <= 3; ++l) {
        const ReluChain c = extract_relu_chain(xy_multiplier_network(l));
        const auto ex = exact_lipschitz(c, square, LipNorm::linf, 64);
        REQUIRE(ex);
        REQUIRE(ex->complete());
        const Rational expected = Rational(2) - pow2(-static_cast<long>(l));
        CHECK(ex->value.lower == expected);
        CHECK(ex->value.upper == expected);
        CHECK(pair_quotient_lower(c, ex->witness.a, ex->witness.b, LipNorm::linf, 64) == expected);
        // Independently: the interpolant's steepest slope 1 − 2^−l in p, times 2 (∂_x, ∂_y).
        const Rational h = pow2(1 - static_cast<long>(l));
        const Rational slope = (interpolant_quarter_square(Rational(2), h) -
                                interpolant_quarter_square(Rational(2) - h, h)) / h;
        CHECK(Rational(2) * slope == expected);
    }
    std::vector<std::string> failures;
    const Table t = xy_multiplier_table(3, &failures);
    CHECK(t.rows.size() == 3);
    for (const auto& f : failures) FAIL_CHECK(f);
}

TEST_CASE("random-relu: the proved bounds are never below a witnessed L; the K_2 columns are labelled",
          "[lipschitz][xy]") {
    std::vector<std::string> failures;
    const Table t = random_relu_table(cases(4), 7, LipNorm::linf, {}, &failures);
    for (const auto& f : failures) FAIL_CHECK(f);
    REQUIRE(t.rows.size() == 5);
    CHECK(t.rows.back()[0].text == "below a witnessed L (draws)");
    CHECK(std::find(t.headers.begin(), t.headers.end(), "K_2 seed formula/K_* (not a bound)") != t.headers.end());
    // The proved l-inf K_2 is ||U_3||·Q·||V_0^T|| where U_3 (3×3) and V_0 (8×8) are square
    // orthogonal (W_3 has full row rank, W_1 full column rank): unit rows, so both norms are
    // >= 1 and every draw's ratio is at least the seed formula's; so are the max and min.
    const std::size_t q = 3, pr = 4;
    for (std::size_t s : {0, 2}) CHECK(parse_rational(t.rows[s][q].value) <= parse_rational(t.rows[s][pr].value));
    // With the l1 norm the seed's formula (an l-inf quantity) is not shown.
    const Table t1 = random_relu_table(1, 7, LipNorm::l1);
    CHECK(t1.rows[0][q].text == "n/a (l-inf only)");
}
