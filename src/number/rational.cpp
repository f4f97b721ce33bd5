#include "rigornet/number/rational.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <memory>

#include <mpfr.h>

#include "rigornet/core/error.hpp"

namespace rigornet {

namespace {

constexpr long max_exponent = 100000;
constexpr std::size_t max_literal = 1000000;

std::string quoted(std::string_view s) {
    if (s.size() > 60) return "\"" + std::string(s.substr(0, 57)) + "...\"";
    return "\"" + std::string(s) + "\"";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool all_digits(std::string_view s) {
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

void set_digits(fmpz_t z, std::string_view digits) {
    if (digits.empty()) {
        fmpz_zero(z);
        return;
    }
    std::string buf(digits);
    fmpz_set_str(z, buf.c_str(), 10);
}

struct Fmpz {
    fmpz_t v;
    Fmpz() { fmpz_init(v); }
    ~Fmpz() { fmpz_clear(v); }
    Fmpz(const Fmpz&) = delete;
    Fmpz& operator=(const Fmpz&) = delete;
};

}  // namespace

Rational::Rational(long p, long q) {
    fmpq_init(v_);
    if (q == 0) throw DomainError("rational with zero denominator");
    fmpq_set_si(v_, p, 1);
    Rational d(q);
    fmpq_div(v_, v_, d.v_);
}

Rational& Rational::operator/=(const Rational& o) {
    if (o.is_zero()) throw DomainError("division by zero");
    fmpq_div(v_, v_, o.v_);
    return *this;
}

Rational Rational::from_double(double d) {
    if (!std::isfinite(d)) throw DomainError("not a finite binary64 value");
    // d = m · 2^e with m ∈ [0.5, 1); m · 2^53 is an integer of at most 53 bits.
    int e = 0;
    double m = std::frexp(d, &e);
    auto mant = static_cast<long long>(std::ldexp(m, 53));
    Rational r;
    fmpz_set_si(fmpq_numref(r.v_), static_cast<slong>(mant));
    e -= 53;
    if (e >= 0)
        fmpq_mul_2exp(r.v_, r.v_, static_cast<ulong>(e));
    else
        fmpq_div_2exp(r.v_, r.v_, static_cast<ulong>(-e));
    return r;
}

long Rational::bits() const {
    return static_cast<long>(fmpz_bits(fmpq_numref(v_)) + fmpz_bits(fmpq_denref(v_)));
}

std::string Rational::str() const {
    std::unique_ptr<char, void (*)(void*)> s(fmpq_get_str(nullptr, 10, v_), flint_free);
    return std::string(s.get());
}

double Rational::to_double(Round r) const {
    // Fast path: p and q exactly representable, so IEEE division rounds p/q to nearest.
    if (r == Round::nearest && fmpz_bits(fmpq_numref(v_)) <= 53 && fmpz_bits(fmpq_denref(v_)) <= 53)
        return static_cast<double>(fmpz_get_si(fmpq_numref(v_))) / static_cast<double>(fmpz_get_si(fmpq_denref(v_)));
    mpfr_t f;
    mpfr_init2(f, 53);
    mpfr_rnd_t rnd = r == Round::up ? MPFR_RNDU : r == Round::down ? MPFR_RNDD : MPFR_RNDN;
    fmpq_get_mpfr(f, v_, rnd);
    // A second rounding happens only in the subnormal range: harmless for the directed
    // modes (same direction), but it could misround to nearest, so there x·2^1074 is
    // rounded to the nearest integer (ties to even) exactly instead.
    double d = mpfr_get_d(f, rnd);
    mpfr_clear(f);
    if (r == Round::nearest && std::fabs(d) < std::numeric_limits<double>::min() && !is_zero()) {
        Rational s = *this;
        fmpq_mul_2exp(s.v_, s.v_, 1074);
        fmpz_t q, rem;
        fmpz_init(q);
        fmpz_init(rem);
        fmpz_fdiv_qr(q, rem, fmpq_numref(s.v_), fmpq_denref(s.v_));
        fmpz_mul_2exp(rem, rem, 1);
        const int c = fmpz_cmp(rem, fmpq_denref(s.v_));
        if (c > 0 || (c == 0 && fmpz_is_odd(q))) fmpz_add_ui(q, q, 1);
        d = std::ldexp(static_cast<double>(fmpz_get_si(q)), -1074);  // |q| ≤ 2^52: exact
        fmpz_clear(q);
        fmpz_clear(rem);
    }
    return d;
}

Rational parse_rational(std::string_view text) {
    if (text.size() > max_literal)
        throw ResourceError("number literal longer than " + std::to_string(max_literal) +
                            " characters refused");
    std::string_view s = trim(text);
    auto fail = [&](const char* what) {
        return ParseError(std::string("invalid number ") + quoted(text) + ": " + what);
    };
    if (s.empty()) throw fail("empty");
    bool neg = false;
    if (s.front() == '+' || s.front() == '-') {
        neg = s.front() == '-';
        s.remove_prefix(1);
    }
    Rational r;
    if (auto slash = s.find('/'); slash != std::string_view::npos) {
        std::string_view p = s.substr(0, slash), q = s.substr(slash + 1);
        if (p.empty() || q.empty() || !all_digits(p) || !all_digits(q))
            throw fail("expected integer/integer, e.g. -3/7");
        Fmpz num, den;
        set_digits(num.v, p);
        set_digits(den.v, q);
        if (fmpz_is_zero(den.v)) throw fail("zero denominator");
        fmpq_set_fmpz_frac(r.get(), num.v, den.v);
    } else {
        std::size_t epos = s.find_first_of("eE");
        std::string_view mant = s.substr(0, epos);
        long exp10 = 0;
        if (epos != std::string_view::npos) {
            std::string_view ex = s.substr(epos + 1);
            bool eneg = false;
            if (!ex.empty() && (ex.front() == '+' || ex.front() == '-')) {
                eneg = ex.front() == '-';
                ex.remove_prefix(1);
            }
            if (ex.empty() || !all_digits(ex)) throw fail("malformed exponent");
            while (ex.size() > 1 && ex.front() == '0') ex.remove_prefix(1);
            if (ex.size() <= 6) std::from_chars(ex.data(), ex.data() + ex.size(), exp10);
            if (ex.size() > 6 || exp10 > max_exponent)
                throw ResourceError("number " + quoted(text) + ": exponent beyond ±" +
                                    std::to_string(max_exponent) + " refused");
            if (eneg) exp10 = -exp10;
        }
        std::size_t dot = mant.find('.');
        std::string_view ip = mant.substr(0, dot);
        std::string_view fp = dot == std::string_view::npos ? std::string_view{} : mant.substr(dot + 1);
        if ((ip.empty() && fp.empty()) || !all_digits(ip) || !all_digits(fp))
            throw fail("expected a decimal such as 0.1, -2.5e-3 or a fraction such as -3/7");
        Fmpz num, pow;
        set_digits(num.v, std::string(ip) + std::string(fp));
        exp10 -= static_cast<long>(fp.size());
        fmpz_set_ui(pow.v, 10);
        fmpz_pow_ui(pow.v, pow.v, static_cast<ulong>(exp10 < 0 ? -exp10 : exp10));
        if (exp10 >= 0) {
            fmpz_mul(num.v, num.v, pow.v);
            fmpz_one(pow.v);
            fmpq_set_fmpz_frac(r.get(), num.v, pow.v);
        } else {
            fmpq_set_fmpz_frac(r.get(), num.v, pow.v);
        }
    }
    if (neg) fmpq_neg(r.get(), r.get());
    return r;
}

Rational parse_binary64(std::string_view text) {
    std::string_view s = trim(text);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc::result_out_of_range)
        throw ParseError("number " + quoted(text) + " is outside the binary64 range");
    if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        throw ParseError("invalid number " + quoted(text) + ": expected a decimal such as -2.5e-3");
    if (!std::isfinite(d)) throw ParseError("number " + quoted(text) + " is not finite");
    return Rational::from_double(d);
}

std::string to_decimal(const Rational& x, int digits, Round r) {
    if (digits < 1) digits = 1;
    if (x.is_zero()) return "0";
    const bool neg = x.sign() < 0;
    Rational a = x.abs();
    // e = ⌊log10 a⌋, first estimated from bit lengths, then corrected exactly.
    long lb = static_cast<long>(fmpz_bits(fmpq_numref(a.get()))) -
              static_cast<long>(fmpz_bits(fmpq_denref(a.get())));
    long e = static_cast<long>(std::floor(static_cast<double>(lb) * 0.30102999566398120));
    auto pow10 = [](long k) {
        Rational p(1);
        Fmpz t;
        fmpz_set_ui(t.v, 10);
        fmpz_pow_ui(t.v, t.v, static_cast<ulong>(k < 0 ? -k : k));
        if (k >= 0)
            fmpz_set(fmpq_numref(p.get()), t.v);
        else
            fmpz_set(fmpq_denref(p.get()), t.v);
        return p;
    };
    while (pow10(e) > a) --e;
    while (pow10(e + 1) <= a) ++e;
    // m = a · 10^(digits−1−e) ∈ [10^(digits−1), 10^digits); round it to an integer.
    Rational m = a * pow10(digits - 1 - e);
    Round mag = r;  // the direction to round |x| in
    if (neg && r != Round::nearest) mag = r == Round::up ? Round::down : Round::up;
    Fmpz q;
    if (mag == Round::up)
        fmpz_cdiv_q(q.v, fmpq_numref(m.get()), fmpq_denref(m.get()));
    else if (mag == Round::down)
        fmpz_fdiv_q(q.v, fmpq_numref(m.get()), fmpq_denref(m.get()));
    else {  // nearest, ties away from zero: ⌊(2n + d) / 2d⌋
        Fmpz n2, d2;
        fmpz_mul_2exp(n2.v, fmpq_numref(m.get()), 1);
        fmpz_add(n2.v, n2.v, fmpq_denref(m.get()));
        fmpz_mul_2exp(d2.v, fmpq_denref(m.get()), 1);
        fmpz_fdiv_q(q.v, n2.v, d2.v);
    }
    std::unique_ptr<char, void (*)(void*)> cs(fmpz_get_str(nullptr, 10, q.v), flint_free);
    std::string ds(cs.get());
    if (static_cast<int>(ds.size()) > digits) {  // rounding carried into a new digit
        ++e;
        ds.pop_back();
    }
    // strip trailing zeros of the significand
    while (ds.size() > 1 && ds.back() == '0') ds.pop_back();
    std::string out = neg ? "-" : "";
    const long nd = static_cast<long>(ds.size());
    if (e >= -6 && e < 21) {
        if (e < 0) {
            out += "0." + std::string(static_cast<std::size_t>(-e - 1), '0') + ds;
        } else if (e + 1 >= nd) {
            out += ds + std::string(static_cast<std::size_t>(e + 1 - nd), '0');
        } else {
            out += ds.substr(0, static_cast<std::size_t>(e + 1)) + "." +
                   ds.substr(static_cast<std::size_t>(e + 1));
        }
    } else {
        out += ds.substr(0, 1);
        if (nd > 1) out += "." + ds.substr(1);
        out += "e" + std::to_string(e);
    }
    return out;
}

std::string to_decimal(double x, int digits, Round r) {
    if (x == std::numeric_limits<double>::infinity() && r == Round::up) return "inf";
    if (x == -std::numeric_limits<double>::infinity() && r == Round::down) return "-inf";
    return to_decimal(Rational::from_double(x), digits, r);
}


Rational round_dyadic(const Rational& x, long bits, Round r) {
    if (r == Round::nearest) throw DomainError("round_dyadic: a direction (up or down) is required");

    if (x.is_zero()) return x;
    const slong s = bits - (static_cast<slong>(fmpz_bits(fmpq_numref(x.get()))) -
                                       static_cast<slong>(fmpz_bits(fmpq_denref(x.get()))));
    fmpz_t num, den, m;
    fmpz_init(num);
    fmpz_init(den);
    fmpz_init(m);
    fmpz_set(num, fmpq_numref(x.get()));
    fmpz_set(den, fmpq_denref(x.get()));
    if (s >= 0) fmpz_mul_2exp(num, num, static_cast<ulong>(s));
    else fmpz_mul_2exp(den, den, static_cast<ulong>(-s));
    if (r == Round::up) fmpz_cdiv_q(m, num, den);
    else fmpz_fdiv_q(m, num, den);
    Rational out;  // 0/1
    fmpz_swap(fmpq_numref(out.get()), m);
    if (s >= 0) fmpq_div_2exp(out.get(), out.get(), static_cast<ulong>(s));
    else fmpq_mul_2exp(out.get(), out.get(), static_cast<ulong>(-s));
    fmpz_clear(num);
    fmpz_clear(den);
    fmpz_clear(m);
    return out;
}


Rational pow2(long e) {
    Rational r(1);
    if (e >= 0) fmpq_mul_2exp(r.get(), r.get(), static_cast<ulong>(e));
    else fmpq_div_2exp(r.get(), r.get(), static_cast<ulong>(-e));
    return r;
}

}  // namespace rigornet
