// rigornet — exact rationals (FLINT fmpq), the ground-truth number system.
#pragma once
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include <flint/fmpq.h>

namespace rigornet {

/// Rounding direction for lossy conversions (explicit, never global state).
enum class Round { down, up, nearest };

/// An exact rational number p/q in lowest terms, q > 0 (RAII over FLINT's fmpq_t).
/// All arithmetic is exact; division by zero throws DomainError.
class Rational {
public:
    Rational() { fmpq_init(v_); }
    explicit Rational(long n) { fmpq_init(v_); fmpq_set_si(v_, n, 1); }
    /// p/q; throws DomainError if q == 0.
    Rational(long p, long q);
    Rational(const Rational& o) { fmpq_init(v_); fmpq_set(v_, o.v_); }
    Rational(Rational&& o) noexcept { fmpq_init(v_); fmpq_swap(v_, o.v_); }
    Rational& operator=(const Rational& o) { fmpq_set(v_, o.v_); return *this; }
    Rational& operator=(Rational&& o) noexcept { fmpq_swap(v_, o.v_); return *this; }
    ~Rational() { fmpq_clear(v_); }

    /// The exact value of a finite binary64 number (e.g. 0.1 → 3602879701896397/2^55).
    /// Throws DomainError for NaN or ±∞.
    static Rational from_double(double d);

    fmpq* get() { return v_; }
    const fmpq* get() const { return v_; }

    Rational& operator+=(const Rational& o) { fmpq_add(v_, v_, o.v_); return *this; }
    Rational& operator-=(const Rational& o) { fmpq_sub(v_, v_, o.v_); return *this; }
    Rational& operator*=(const Rational& o) { fmpq_mul(v_, v_, o.v_); return *this; }
    Rational& operator/=(const Rational& o);
    friend Rational operator+(Rational a, const Rational& b) { return a += b; }
    friend Rational operator-(Rational a, const Rational& b) { return a -= b; }
    friend Rational operator*(Rational a, const Rational& b) { return a *= b; }
    friend Rational operator/(Rational a, const Rational& b) { return a /= b; }
    Rational operator-() const { Rational r; fmpq_neg(r.v_, v_); return r; }

    friend bool operator==(const Rational& a, const Rational& b) { return fmpq_equal(a.v_, b.v_); }
    friend std::strong_ordering operator<=>(const Rational& a, const Rational& b) {
        return fmpq_cmp(a.v_, b.v_) <=> 0;
    }

    int sign() const { return fmpq_sgn(v_); }
    bool is_zero() const { return fmpq_is_zero(v_); }
    bool is_integer() const { return fmpz_is_one(fmpq_denref(v_)); }
    Rational abs() const { Rational r; fmpq_abs(r.v_, v_); return r; }
    /// Bit size: bits(|numerator|) + bits(denominator). The "weight size" of the theorems.
    long bits() const;

    /// "p/q", or "p" when the denominator is 1 (the exact string format of rigornet).
    std::string str() const;
    /// A binary64 value rounded in the given direction (Round::up gives a double ≥ this,
    /// Round::down one ≤ this, also through the subnormal range; ±∞ past the range when
    /// the direction allows it, else the largest finite value).
    double to_double(Round r) const;

private:
    fmpq_t v_;
};

/// Parses an exact rational: an integer ("-12"), a fraction ("-3/7", "6/4" → 3/2), or a
/// decimal with optional exponent ("0.1" → 1/10, "1e-5", "-.5", "2.5E+3"). Whitespace
/// around the number is ignored. Throws ParseError naming the offending text; throws
/// ResourceError for |exponent| > 100000 or literals over 10^6 characters, so that
/// "1e999999999" is refused instead of exhausting memory.
Rational parse_rational(std::string_view text);

/// 2^e as an exact rational (any sign of e).
Rational pow2(long e);

/// Parses a decimal literal the way a binary64 program would (round to nearest) and
/// returns the exact value of that double: the "as deployed" reading of a weight.
/// Throws ParseError for malformed text or a value outside the finite binary64 range.
Rational parse_binary64(std::string_view text);

/// Decimal text for x with `digits` significant digits (≥ 1), rounded in direction r:
/// Round::up yields a decimal ≥ x, Round::down one ≤ x (outward rounding of printed
/// bounds), Round::nearest the closest. Positional for moderate exponents, else "d.ddde±N".
std::string to_decimal(const Rational& x, int digits, Round r);

/// The same for a binary64 value, taken exactly (Rational::from_double): Round::up gives
/// a decimal ≥ x, so a printed double upper bound stays an upper bound when the decimal is
/// read exactly. +∞ gives "inf" for Round::up (and −∞ "-inf" for Round::down): no claim;
/// any other non-finite case throws DomainError.
std::string to_decimal(double x, int digits, Round r);

/// x rounded down (Round::down) or up (Round::up) to a dyadic m/2^s with about `bits`
/// significant bits: s = bits − (bits(p) − bits(q)) for x = p/q and m = ⌊x·2^s⌋ (or
/// ⌈x·2^s⌉), exact integer arithmetic, so the result is ≤ x (or ≥ x) and equals x when x
/// is already on that grid. DomainError for Round::nearest. Used to keep the bit sizes of
/// relaxation constants bounded (sound_bounds.hpp, check.hpp) without losing soundness.
Rational round_dyadic(const Rational& x, long bits, Round r);

}  // namespace rigornet
