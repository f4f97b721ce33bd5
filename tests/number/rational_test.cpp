#include <cmath>
#include <limits>

#include "../support.hpp"
#include "rigornet/core/error.hpp"
#include "rigornet/number/rational.hpp"

using namespace rigornet;
using rigornet::test::cases;

TEST_CASE("decimal and fraction strings are read exactly", "[rational]") {
    CHECK(parse_rational("0.1") == Rational(1, 10));
    CHECK(parse_rational("-3/7") == Rational(-3, 7));
    CHECK(parse_rational("6/4") == Rational(3, 2));
    CHECK(parse_rational("1e-5") == Rational(1, 100000));
    CHECK(parse_rational("-.5") == Rational(-1, 2));
    CHECK(parse_rational("2.5E+3") == Rational(2500));
    CHECK(parse_rational("  +7.  ") == Rational(7));
    CHECK(parse_rational("12.3400e2") == Rational(1234));
    // 10^-300 is exact, far below the binary64 range's precision
    Rational tiny = parse_rational("1e-300");
    CHECK(tiny * parse_rational("1e300") == Rational(1));
}

TEST_CASE("malformed numbers are refused with the text in the message", "[rational]") {
    for (const char* bad : {"", "abc", "1/0", "1.2.3", "1e", "--1", "1/-2", "0x10", "1,5", "e5", ".", "1 2"}) {
        INFO("input: \"" << bad << "\"");
        CHECK_THROWS_AS(parse_rational(bad), ParseError);
    }
    CHECK_THROWS_WITH(parse_rational("1.2.3"), Catch::Contains("1.2.3"));
    // resource guard: a huge exponent is refused instead of building a 3-gigabit integer
    CHECK_THROWS_AS(parse_rational("1e999999999"), ResourceError);
    CHECK_THROWS_AS(parse_rational("1e-100001"), ResourceError);
    CHECK(parse_rational("1e00000000000000000000000000001") == Rational(10));  // leading zeros are harmless
}

TEST_CASE("binary64 reading gives the exact value of the nearest double", "[rational]") {
    // 0.1 as a double is 3602879701896397 / 2^55 (closed form, IEEE 754)
    Rational expect = Rational(3602879701896397L) / (Rational(1L << 55));
    CHECK(parse_binary64("0.1") == expect);
    CHECK(parse_binary64("0.1") != parse_rational("0.1"));
    CHECK(parse_binary64("0.5") == Rational(1, 2));
    CHECK(parse_binary64("-2.5e-3") == Rational::from_double(-2.5e-3));
    CHECK_THROWS_AS(parse_binary64("1e999"), ParseError);
    CHECK_THROWS_AS(parse_binary64("nan"), ParseError);
    CHECK_THROWS_AS(parse_binary64("1.0x"), ParseError);
    CHECK_THROWS_AS(Rational::from_double(std::numeric_limits<double>::infinity()), DomainError);
}

TEST_CASE("from_double is exact and inverts to_double", "[rational]") {
    auto g = rigornet::test::rng(1);
    std::uniform_real_distribution<double> u(-1e6, 1e6);
    for (int i = 0; i < cases(2000); ++i) {
        double d = i % 3 ? u(g) : std::ldexp(u(g), static_cast<int>(g() % 2000) - 1000);
        Rational r = Rational::from_double(d);
        INFO("d = " << d << " r = " << r.str());
        // the denominator is a power of two and the value converts back unchanged
        CHECK(static_cast<slong>(fmpz_val2(fmpq_denref(r.get()))) + 1 == static_cast<slong>(fmpz_bits(fmpq_denref(r.get()))));
        CHECK(r.to_double(Round::nearest) == d);
        CHECK(r.to_double(Round::up) == d);
        CHECK(r.to_double(Round::down) == d);
    }
    Rational two_m1074(1);
    fmpq_div_2exp(two_m1074.get(), two_m1074.get(), 1074);
    CHECK(Rational::from_double(std::numeric_limits<double>::denorm_min()) == two_m1074);
}

TEST_CASE("directed conversions to double bracket the rational within one ulp", "[rational]") {
    auto g = rigornet::test::rng(2);
    for (int i = 0; i < cases(2000); ++i) {
        Rational x = rigornet::test::random_rational(g, 40);
        double lo = x.to_double(Round::down), hi = x.to_double(Round::up);
        INFO("x = " << x.str());
        REQUIRE(std::isfinite(lo));
        REQUIRE(std::isfinite(hi));
        CHECK(Rational::from_double(lo) <= x);
        CHECK(x <= Rational::from_double(hi));
        CHECK((hi == lo || std::nextafter(lo, hi) == hi));
        double n = x.to_double(Round::nearest);
        CHECK((n == lo || n == hi));
        CHECK((x - Rational::from_double(n)).abs() <= (x - Rational::from_double(n == lo ? hi : lo)).abs());
    }
}

TEST_CASE("to_decimal rounds in the stated direction", "[rational]") {
    CHECK(to_decimal(Rational(1, 3), 5, Round::up) == "0.33334");
    CHECK(to_decimal(Rational(1, 3), 5, Round::down) == "0.33333");
    CHECK(to_decimal(Rational(-1, 3), 5, Round::up) == "-0.33333");
    CHECK(to_decimal(Rational(-1, 3), 5, Round::down) == "-0.33334");
    CHECK(to_decimal(Rational(2, 3), 3, Round::nearest) == "0.667");
    CHECK(to_decimal(Rational(999999, 1000000), 3, Round::up) == "1");
    CHECK(to_decimal(Rational(12345), 2, Round::down) == "12000");
    CHECK(to_decimal(parse_rational("4.2e-31"), 3, Round::nearest) == "4.2e-31");
    CHECK(to_decimal(Rational(0), 3, Round::up) == "0");
    auto g = rigornet::test::rng(3);
    for (int i = 0; i < cases(1000); ++i) {
        Rational x = rigornet::test::random_rational(g, 30);
        int digits = 1 + static_cast<int>(g() % 25);
        INFO("x = " << x.str() << ", digits = " << digits);
        Rational lo = parse_rational(to_decimal(x, digits, Round::down));
        Rational hi = parse_rational(to_decimal(x, digits, Round::up));
        CHECK(lo <= x);
        CHECK(x <= hi);
        // tightness: the gap is at most one unit in the last of `digits` places
        if (!x.is_zero()) CHECK((hi - lo) <= x.abs() * parse_rational("1e" + std::to_string(1 - digits)));
    }
}

TEST_CASE("string form round-trips and bits are additive", "[rational]") {
    auto g = rigornet::test::rng(4);
    for (int i = 0; i < cases(1000); ++i) {
        Rational x = rigornet::test::random_rational(g, 60);
        INFO("x = " << x.str());
        CHECK(parse_rational(x.str()) == x);
        CHECK(x.bits() == static_cast<long>(fmpz_bits(fmpq_numref(x.get())) + fmpz_bits(fmpq_denref(x.get()))));
    }
    CHECK_THROWS_AS(Rational(1) / Rational(0), DomainError);
}
