// The portable draws: the engine is the standard's, the transformations are rigornet's.
#include <cmath>

#include "../support.hpp"
#include "rigornet/number/random.hpp"

using namespace rigornet;

TEST_CASE("mt19937_64 is the standard's engine (its 10000th output is fixed by the standard)", "[random]") {
    std::mt19937_64 g;
    g.discard(9999);
    CHECK(g() == 9981545732273789042ULL);
}

TEST_CASE("uniform_below and uniform_int: in range, unbiased counts, and bound 1", "[random]") {
    std::mt19937_64 g(7);
    for (std::uint64_t bound : {1ULL, 2ULL, 3ULL, 7ULL, 1000ULL, (1ULL << 63) + 1}) {
        for (int i = 0; i < 2000; ++i) CHECK(uniform_below(g, bound) < bound);
    }
    CHECK_THROWS_AS(uniform_below(g, 0), DomainError);
    // 6 buckets, 60000 draws: each count within 5 standard deviations of 10000
    std::array<int, 6> count{};
    for (int i = 0; i < 60000; ++i) ++count[static_cast<std::size_t>(uniform_int(g, -3, 2) + 3)];
    for (int c : count) CHECK(std::abs(c - 10000) < 5 * std::sqrt(60000.0 * (1.0 / 6) * (5.0 / 6)));
    // the full range and a single point
    CHECK(uniform_int(g, 5, 5) == 5);
    (void)uniform_int(g, std::numeric_limits<long>::min(), std::numeric_limits<long>::max());
    // for a bound dividing 2^64 nothing is rejected: exactly the engine's output mod bound
    std::mt19937_64 a(11), b(11);
    for (int i = 0; i < 100; ++i) CHECK(uniform_below(a, 1ULL << 20) == (b() & ((1ULL << 20) - 1)));
}

TEST_CASE("StandardNormal: moments of a standard normal, and the polar method's pair", "[random]") {
    std::mt19937_64 g(3);
    StandardNormal n;
    const int N = 40000;
    double s1 = 0, s2 = 0, s4 = 0;
    for (int i = 0; i < N; ++i) {
        const double x = n(g);
        s1 += x, s2 += x * x, s4 += x * x * x * x;
    }
    // mean 0 (sd 1/√N), variance 1 (sd √(2/N)), fourth moment 3 (sd √(96/N))
    CHECK(std::abs(s1 / N) < 5 / std::sqrt(N));
    CHECK(std::abs(s2 / N - 1) < 5 * std::sqrt(2.0 / N));
    CHECK(std::abs(s4 / N - 3) < 5 * std::sqrt(96.0 / N));
    // the first two draws come from one accepted pair (u, v): their ratio is u/v
    std::mt19937_64 e(5), f(5);
    StandardNormal m;
    const double x = m(e), y = m(e);
    double u, v, s;
    do {
        u = 2.0 * uniform_unit(f) - 1.0, v = 2.0 * uniform_unit(f) - 1.0, s = u * u + v * v;
    } while (s <= 0.0 || s >= 1.0);
    CHECK(x * v == Approx(y * u).epsilon(1e-15));
    CHECK(x * x + y * y == Approx(-2.0 * std::log(s)).epsilon(1e-12));
}
