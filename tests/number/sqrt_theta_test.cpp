#include "../support.hpp"
#include "rigornet/number/ball.hpp"
#include "rigornet/core/error.hpp"
#include "rigornet/number/sqrt_theta.hpp"

using namespace rigornet;
using rigornet::test::cases;

namespace {

// Proves |v − √x| ≤ θ with Arb at a precision well beyond the bound, independently of
// the integer square root used by sqrt_theta. Returns false if it could not prove it.
bool arb_proves_within(const Rational& v, const Rational& x, const Rational& theta) {
    const long prec = 4 * (x.bits() + v.bits() + theta.bits()) + 128;
    Ball root(x, prec), d(v, prec);
    arb_sqrt(root.get(), root.get(), prec);
    arb_sub(d.get(), d.get(), root.get(), prec);
    arb_abs(d.get(), d.get());
    Ball t(theta, prec);
    return arb_le(d.get(), t.get());
}

}  // namespace

TEST_CASE("theta_bits is the least k with 2^-k <= theta", "[sqrt_theta]") {
    auto g = rigornet::test::rng(10);
    for (int i = 0; i < cases(500); ++i) {
        Rational theta = rigornet::test::random_rational(g, 40).abs();
        if (theta.is_zero()) continue;
        long k = theta_bits(theta);
        INFO("theta = " << theta.str() << ", k = " << k);
        CHECK(pow2(-k) <= theta);
        if (k > 0) CHECK(pow2(1 - k) > theta);
    }
    CHECK(theta_bits(Rational(1, 1024)) == 10);
    CHECK(theta_bits(Rational(1, 1025)) == 11);
    CHECK(theta_bits(Rational(5)) == 0);
    CHECK_THROWS_AS(theta_bits(Rational(0)), DomainError);
    CHECK_THROWS_AS(theta_bits(Rational(-1, 2)), DomainError);
}

TEST_CASE("sqrt_theta is within theta of the true root (checked by Arb)", "[sqrt_theta]") {
    auto g = rigornet::test::rng(11);
    for (int i = 0; i < cases(400); ++i) {
        Rational x = rigornet::test::random_rational(g, 60).abs();
        Rational theta = rigornet::test::random_rational(g, 30).abs();
        if (theta.is_zero()) theta = Rational(1, 3);
        Rational v = sqrt_theta(x, theta);
        INFO("x = " << x.str() << ", theta = " << theta.str() << ", value = " << v.str());
        CHECK(arb_proves_within(v, x, theta));
        // one-sided: the value never exceeds √x, i.e. v² ≤ x (exact)
        CHECK(v * v <= x);
    }
}

TEST_CASE("sqrt_theta on adversarial inputs", "[sqrt_theta]") {
    const Rational theta(1, 1L << 40);
    CHECK(sqrt_theta(Rational(0), theta) == Rational(0));
    // perfect squares (of dyadics with at most k bits) are returned exactly
    for (long m : {1L, 4L, 9L, 12345L * 12345L, 1L << 60})
        CHECK(sqrt_theta(Rational(m), theta) * sqrt_theta(Rational(m), theta) == Rational(m));
    CHECK(sqrt_theta(Rational(9, 16), theta) == Rational(3, 4));
    // 10^±300, far outside binary64's comfortable range
    for (const char* s : {"1e300", "1e-300", "2e-301", "7.77e299"}) {
        Rational x = parse_rational(s);
        INFO("x = " << s);
        CHECK(arb_proves_within(sqrt_theta(x, theta), x, theta));
    }
    // a denominator with a huge prime factor (2^127 − 1 is prime)
    Rational mersenne = pow2(127) - Rational(1);
    Rational x = Rational(3) / mersenne;
    CHECK(arb_proves_within(sqrt_theta(x, theta), x, theta));
    CHECK_THROWS_AS(sqrt_theta(Rational(-1, 5), theta), DomainError);
    CHECK_THROWS_AS(sqrt_theta(Rational(2), Rational(0)), DomainError);
    CHECK_THROWS_AS(sqrt_theta(Rational(2), pow2(-20000000)), ResourceError);
}

TEST_CASE("output bits grow like log2(1/theta), not like the input", "[sqrt_theta]") {
    // x with a 2000-bit denominator and numerator: the result still has about k bits
    Rational big = pow2(2000) + Rational(12345);
    Rational x = (big + Rational(7)) / big;  // ≈ 1, 4000 bits
    REQUIRE(x.bits() > 3900);
    for (long k : {10L, 100L, 1000L}) {
        Rational v = sqrt_theta_bits(x, k);
        INFO("k = " << k << ", bits = " << v.bits());
        CHECK(v.bits() <= 2 * k + 4);  // numerator ≤ k+1 bits, denominator ≤ k+1 bits
    }
    // doubling k roughly doubles the bits, independent of x's size
    Rational y = parse_rational("1e-300") + pow2(-5000);
    long b1 = sqrt_theta_bits(y, 2000).bits(), b2 = sqrt_theta_bits(y, 4000).bits();
    CHECK(b2 > b1);
    CHECK(b2 <= 2 * 4000 + 4);
}

TEST_CASE("abs_theta encloses the complex modulus", "[sqrt_theta]") {
    auto g = rigornet::test::rng(12);
    const Rational theta(1, 1L << 30);
    for (int i = 0; i < cases(200); ++i) {
        Rational re = rigornet::test::random_rational(g, 30), im = rigornet::test::random_rational(g, 30);
        Rational v = abs_theta(re, im, theta);
        INFO("re = " << re.str() << ", im = " << im.str());
        CHECK(arb_proves_within(v, re * re + im * im, theta));
    }
    CHECK(abs_theta(Rational(3), Rational(-4), theta) == Rational(5));
}
