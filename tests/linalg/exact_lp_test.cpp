// The binary64 simplex (lp_maximize_binary64) against the exact simplex (lp_maximize) on
// random programmes: the same programme must be read (columns, bounds, senses), so the
// optima agree to binary64 accuracy, and its point nearly satisfies every row exactly.
#include <cmath>
#include <random>

#include "../support.hpp"
#include "rigornet/linalg/exact_lp.hpp"

using namespace rigornet;

TEST_CASE("exact LP: the binary64 simplex solves the same programme as the exact one", "[lp]") {
    std::mt19937_64 g(7);
    std::uniform_int_distribution<long> k(-9, 9);
    int optimal = 0, infeasible = 0;
    for (int trial = 0; trial < 60; ++trial) {
        const std::size_t n = 2 + trial % 4, m = 3 + trial % 5;
        std::vector<Rational> c(n);
        for (auto& v : c) v = Rational(k(g), 4);
        std::vector<LpRow> rows;
        for (std::size_t i = 0; i < m; ++i) {
            LpRow r;
            for (std::size_t j = 0; j < n; ++j) r.a.push_back(Rational(k(g), 3));
            r.sense = "<>="[i % 3 == 2 && trial % 2 ? 2 : i % 2];
            r.rhs = Rational(k(g), 2);
            rows.push_back(r);
        }
        std::vector<std::optional<Rational>> lo(n), hi(n);
        for (std::size_t j = 0; j < n; ++j) {  // bounded: no unbounded programme
            lo[j] = Rational(-5 - static_cast<long>(j));
            hi[j] = Rational(3 + static_cast<long>(j), 2);
        }
        const auto exact = lp_maximize(c, rows, lo, hi);
        const LpCandidate fast = lp_maximize_binary64(c, rows, lo, hi);
        if (!exact) {
            ++infeasible;
            CHECK(!fast.optimal);
            continue;
        }
        ++optimal;
        REQUIRE(fast.optimal);
        REQUIRE(fast.x.size() == n);
        REQUIRE(fast.duals.size() == m);
        const double v = exact->value.to_double(Round::nearest);
        CHECK(std::fabs(fast.value - v) <= 1e-9 * (1 + std::fabs(v)));
        for (const LpRow& r : rows) {  // the point, read exactly, violates no row by more than 1e-9
            Rational lhs;
            for (std::size_t j = 0; j < n; ++j) lhs += r.a[j] * Rational::from_double(fast.x[j]);
            const double slack = (lhs - r.rhs).to_double(Round::nearest);
            if (r.sense == '<') CHECK(slack <= 1e-9);
            if (r.sense == '>') CHECK(slack >= -1e-9);
            if (r.sense == '=') CHECK(std::fabs(slack) <= 1e-9);
        }
    }
    CHECK(optimal >= 10);  // both kinds of programme were met
    CHECK(infeasible >= 5);
}
