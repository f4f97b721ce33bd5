// rigornet — the number systems as arithmetic policies (DESIGN.md §2).
//
// Generic code (network evaluation, operators) is written once against the concept
// Arithmetic (arithmetic_concept.hpp, which states the contract every arithmetic here
// satisfies); there is no permissive default. Each struct names its value type, its
// trait flags, and carries its own parameters (the ball precision is an explicit
// member, never global). Operations take the output first: op(r, a, b) sets r = a op b.
//
//   ExactArith          Rational                   exact; the oracle
//   BallArith           Ball (arb_t), prec bits    encloses the exact value
//   DoubleArith         double                     fast, uncertified
//   TrackedDoubleArith  {double, error bound}      the same doubles as DoubleArith, plus a
//                                                  proved bound on their distance from exact
// (DualArith, dual.hpp, adds derivatives to DoubleArith; arithmetics.hpp lists them all.)
#pragma once
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

#include "rigornet/number/arithmetic_concept.hpp"
#include "rigornet/number/ball.hpp"
#include "rigornet/core/error.hpp"
#include "rigornet/number/rational.hpp"
#include "rigornet/core/resources.hpp"
#include "rigornet/number/sqrt_theta.hpp"

namespace rigornet {

/// Exact rational arithmetic. Division by zero and sqrt_θ of a negative number throw
/// DomainError. Exact values can grow without bound (repeated squaring doubles the bit
/// size per step), so products and quotients whose bit size (numerator + denominator)
/// would exceed max_bits throw ResourceError instead of exhausting memory; evaluate()
/// also refuses a layer whose values together exceed max_bytes.
struct ExactArith {
    using value_type = Rational;
    static constexpr const char* name = "exact";
    static constexpr bool certified = true, exact = true, per_precision = false, arb_balls = false, fft_path = false;
    long max_bits = 1L << 24;                        // 16 Mbit = 2 MiB per value
    std::size_t max_bytes = default_memory_limit();  // all values of one layer

    Rational from_rational(const Rational& x) const { return x; }
    void zero(Rational& r) const { fmpq_zero(r.get()); }
    void add(Rational& r, const Rational& a, const Rational& b) const { fmpq_add(r.get(), a.get(), b.get()); }
    void sub(Rational& r, const Rational& a, const Rational& b) const { fmpq_sub(r.get(), a.get(), b.get()); }
    void mul(Rational& r, const Rational& a, const Rational& b) const {
        check_product(a, b);
        fmpq_mul(r.get(), a.get(), b.get());
    }
    void div(Rational& r, const Rational& a, const Rational& b) const {
        if (b.is_zero()) throw DomainError("division by zero");
        check_product(a, b);
        fmpq_div(r.get(), a.get(), b.get());
    }
    void neg(Rational& r, const Rational& a) const { fmpq_neg(r.get(), a.get()); }
    void addmul(Rational& acc, const Rational& w, const Rational& x) const {
        check_product(w, x);
        fmpq_addmul(acc.get(), w.get(), x.get());
    }
    void relu(Rational& r, const Rational& a) const { if (a.sign() < 0) zero(r); else r = a; }
    void min(Rational& r, const Rational& a, const Rational& b) const { r = a <= b ? a : b; }
    void max(Rational& r, const Rational& a, const Rational& b) const { r = a >= b ? a : b; }
    void square(Rational& r, const Rational& a) const {
        check_product(a, a);
        fmpq_mul(r.get(), a.get(), a.get());
    }
    /// r = sqrt_θ(a) with k = theta_bits(θ) fractional bits (sqrt_theta.hpp).
    void sqrt_theta(Rational& r, const Rational& a, long k) const { r = sqrt_theta_bits(a, k); }
    /// max_bits: the largest Rational::bits() of the values (0 for none).
    LayerSummary summarise(std::span<const Rational> z) const;
    /// ResourceError when a·b (or a/b) may have more than max_bits bits: the product's
    /// size is at most bits(a) + bits(b), the test made before computing it.
    void check_product(const Rational& a, const Rational& b) const {
        if (a.bits() + b.bits() > max_bits) throw ResourceError(bits_message(a.bits() + b.bits()));
    }
    std::string bits_message(long bits) const;
};

/// Ball arithmetic at `prec` bits. Every result encloses the exact result of the same
/// operation on any points of the argument balls (Arb's containment guarantee).
/// With ideal_sqrt, sqrt_theta encloses the true √ instead of sqrt_θ: evaluating a
/// network so gives the *ideal* network, for bounding the effect of θ.
/// Division by a ball containing 0 gives an infinite ball (never a false claim); by the
/// exact zero ball, DomainError, as in exact arithmetic.
struct BallArith {
    using value_type = Ball;
    static constexpr const char* name = "ball";
    static constexpr bool certified = true, exact = false, per_precision = true, arb_balls = true, fft_path = false;
    long prec = 128;
    bool ideal_sqrt = false;
    std::size_t max_bytes = default_memory_limit();  // evaluate() refuses larger estimates

    Ball from_rational(const Rational& x) const { return Ball(x, prec); }
    void zero(Ball& r) const { arb_zero(r.get()); }
    void add(Ball& r, const Ball& a, const Ball& b) const { arb_add(r.get(), a.get(), b.get(), prec); }
    void sub(Ball& r, const Ball& a, const Ball& b) const { arb_sub(r.get(), a.get(), b.get(), prec); }
    void mul(Ball& r, const Ball& a, const Ball& b) const { arb_mul(r.get(), a.get(), b.get(), prec); }
    /// Throws DomainError when b is exactly 0 (the exact division is undefined).
    void div(Ball& r, const Ball& a, const Ball& b) const {
        if (arb_is_zero(b.get())) throw DomainError("division by zero");
        arb_div(r.get(), a.get(), b.get(), prec);
    }
    void neg(Ball& r, const Ball& a) const { arb_neg(r.get(), a.get()); }
    void addmul(Ball& acc, const Ball& w, const Ball& x) const { arb_addmul(acc.get(), w.get(), x.get(), prec); }
    void relu(Ball& r, const Ball& a) const { arb_nonnegative_part(r.get(), a.get()); }
    void min(Ball& r, const Ball& a, const Ball& b) const { arb_min(r.get(), a.get(), b.get(), prec); }
    void max(Ball& r, const Ball& a, const Ball& b) const { arb_max(r.get(), a.get(), b.get(), prec); }
    void square(Ball& r, const Ball& a) const { arb_sqr(r.get(), a.get(), prec); }
    /// Encloses sqrt_θ(t) for every t ≥ 0 in a. sqrt_θ is non-decreasing, so the hull
    /// of sqrt_θ at the ball's (dyadic, exactly converted) endpoints is exact up to the
    /// final rounding; for endpoints beyond 2^±100000 it falls back to √a − [0, 2^−k]
    /// (as √t − 2^−k < sqrt_θ(t) ≤ √t). With ideal_sqrt the result encloses √a.
    /// A ball that is entirely negative throws DomainError (exact evaluation would too).
    void sqrt_theta(Ball& r, const Ball& a, long k) const;
    /// max_radius: an upper bound on the largest radius (+∞ for a non-finite ball; 0 for none).
    LayerSummary summarise(std::span<const Ball> z) const;
};

/// Plain binary64 arithmetic, round to nearest. sqrt_theta is computed as the rounded
/// √max(0, a): the floating-point model of the network, not a certificate.
/// On the FFT path a value is its binary64 value; from_binary64 drops the error bound.
struct DoubleArith {
    using value_type = double;
    static constexpr const char* name = "double";
    static constexpr bool certified = false, exact = false, per_precision = false, arb_balls = false, fft_path = true;

    double from_rational(const Rational& x) const { return x.to_double(Round::nearest); }
    void zero(double& r) const { r = 0.0; }
    void add(double& r, double a, double b) const { r = a + b; }
    void sub(double& r, double a, double b) const { r = a - b; }
    void mul(double& r, double a, double b) const { r = a * b; }
    void div(double& r, double a, double b) const { r = a / b; }
    void neg(double& r, double a) const { r = -a; }
    void addmul(double& acc, double w, double x) const { acc += w * x; }
    void relu(double& r, double a) const { r = a > 0.0 ? a : 0.0; }
    void min(double& r, double a, double b) const { r = std::min(a, b); }
    void max(double& r, double a, double b) const { r = std::max(a, b); }
    void square(double& r, double a) const { r = a * a; }
    void sqrt_theta(double& r, double a, long) const { r = std::sqrt(a > 0.0 ? a : 0.0); }
    /// Only the width: doubles carry no size or error information.
    LayerSummary summarise(std::span<const double> z) const { return LayerSummary{z.size()}; }
    double binary64(double a) const { return a; }
    double from_binary64(double v, double) const { return v; }
};

/// A binary64 value v with a proved bound err ≥ |v − x|, x the exact value it stands for.
struct TrackedDouble {
    double v = 0.0;
    double err = 0.0;
};

namespace tracked_detail {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double u = 0x1p-53;                                      // unit roundoff
constexpr double eta = std::numeric_limits<double>::denorm_min();  // underflow unit

// Upper bounds for operations on non-negative doubles: the rounded-to-nearest result is
// within one ulp, so stepping one ulp up is ≥ the exact result. For x ≥ 0 the next
// double up is the next bit pattern; NaN becomes +∞ (no claim).
inline double up(double x) {
    if (!(x < inf)) return inf;
    if (x <= 0.0) return eta;
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) + 1);
}
inline double uadd(double a, double b) { return up(a + b); }
inline double umul(double a, double b) { return up(a * b); }
// Lower bound for a non-negative rounded result (one ulp down, never below 0).
inline double down(double x) {
    if (!(x > 0.0)) return 0.0;
    if (x == inf) return std::numeric_limits<double>::max();
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) - 1);
}
// ≥ γ_k = k·u/(1 − k·u) (Higham, Accuracy and Stability, 2nd ed., §3.1) for k ≥ 0:
// k·u rounded up, 1 − k·u rounded down, the quotient rounded up; +∞ when k·u ≥ 1/2.
inline double gamma_upper(double k) {
    const double ku = umul(k, u);
    if (!(ku < 0.5)) return inf;
    return up(ku / down(1.0 - ku));
}
// A value that is not finite carries no claim.
inline TrackedDouble checked(double v, double err) { return {v, std::isfinite(v) ? err : inf}; }

}  // namespace tracked_detail

/// Running error analysis (Wilkinson) of DoubleArith: `v` is bit-for-bit the value
/// DoubleArith computes (the same operations in the same order), and `err` is a proved
/// upper bound on |v − exact|, where exact is what ExactArith computes for the same
/// expression. The bound uses the IEEE model |fl(a∘b) − a∘b| ≤ u·|fl(a∘b)| + η with
/// u = 2^−53, η = 2^−1074 (default round-to-nearest; no fused multiply-add, which the
/// build disables with -ffp-contract=off), and propagation rules per operation given
/// in arith.cpp. The bound arithmetic itself rounds upward by stepping each result
/// one ulp up (nextafter), so no rounding mode is ever switched. Overflow or a divisor
/// whose error may reach zero yields err = +∞ (no claim), never a wrong finite bound.
/// On the FFT path a value's binary64 value is .v, and from_binary64(v, err) is {v, err}.
struct TrackedDoubleArith {
    using value_type = TrackedDouble;
    static constexpr const char* name = "double+bound";
    static constexpr bool certified = true, exact = false, per_precision = false, arb_balls = false, fft_path = true;

    /// v = x rounded to nearest; err ≥ |v − x|: 0 when x is a double, u·|v| rounded up
    /// when x = p/q with p, q < 2^53 (then |x| ≥ 2^−53 is normal), else |v − x| computed
    /// exactly and rounded up.
    TrackedDouble from_rational(const Rational& x) const;
    void zero(TrackedDouble& r) const { r = TrackedDouble{}; }
    /// |fl(â ± b̂) − (a ± b)| ≤ |fl(â ± b̂) − (â ± b̂)| + e_a + e_b ≤ u·|v| + e_a + e_b
    /// (sums are exact when the result is subnormal, so no η).
    void add(TrackedDouble& r, const TrackedDouble& a, const TrackedDouble& b) const {
        using namespace tracked_detail;
        const double v = a.v + b.v;
        r = checked(v, uadd(uadd(a.err, b.err), umul(u, std::fabs(v))));
    }
    void sub(TrackedDouble& r, const TrackedDouble& a, const TrackedDouble& b) const {
        using namespace tracked_detail;
        const double v = a.v - b.v;
        r = checked(v, uadd(uadd(a.err, b.err), umul(u, std::fabs(v))));
    }
    /// âb̂ − ab = â(b̂ − b) + b̂(â − a) − (â − a)(b̂ − b), so
    /// |fl(âb̂) − ab| ≤ |â|e_b + |b̂|e_a + e_a·e_b + u·|v| + η.
    void mul(TrackedDouble& r, const TrackedDouble& a, const TrackedDouble& b) const {
        using namespace tracked_detail;
        const double v = a.v * b.v;
        double e = uadd(umul(std::fabs(a.v), b.err), umul(std::fabs(b.v), a.err));
        e = uadd(e, umul(a.err, b.err));
        r = checked(v, uadd(uadd(e, umul(u, std::fabs(v))), eta));
    }
    /// â/b̂ − a/b = (â(b − b̂) + b̂(â − a))/(b̂·b) with |b| ≥ |b̂| − e_b > 0, so the error is
    /// ≤ (|â|e_b + |b̂|e_a)/(|b̂|(|b̂| − e_b)) + u·|v| + η; err = +∞ if |b̂| ≤ e_b (b may be 0).
    /// b̂ = 0 with e_b = 0 proves b = 0: DomainError, as in exact arithmetic.
    void div(TrackedDouble& r, const TrackedDouble& a, const TrackedDouble& b) const;
    void neg(TrackedDouble& r, const TrackedDouble& a) const { r = {-a.v, a.err}; }
    /// acc + w·x evaluated as fl(acc + fl(w·x)): the mul rule, then the add rule.
    void addmul(TrackedDouble& acc, const TrackedDouble& w, const TrackedDouble& x) const {
        TrackedDouble p;
        mul(p, w, x);
        add(acc, acc, p);
    }
    /// ReLU, min and max are 1-Lipschitz and exact in floating point, so the error
    /// carries over (the larger one for min/max); when the bounds prove the sign (ReLU)
    /// or the order (min/max), the value is exactly the chosen one: err 0 for a proved
    /// negative ReLU input, the chosen operand's err for a proved order.
    void relu(TrackedDouble& r, const TrackedDouble& a) const;
    void min(TrackedDouble& r, const TrackedDouble& a, const TrackedDouble& b) const;
    void max(TrackedDouble& r, const TrackedDouble& a, const TrackedDouble& b) const;
    void square(TrackedDouble& r, const TrackedDouble& a) const { mul(r, a, a); }
    /// v = fl(√max(â, 0)); since √a − 2^−k < sqrt_θ(a) ≤ √a and |√â⁺ − √a| ≤
    /// min(√e_a, e_a/√â⁺), err = u·v + min(√e_a, e_a/√â⁺) + 2^−k (all rounded up).
    /// −â > e_a proves a < 0: DomainError, as in exact and ball arithmetic. Otherwise the
    /// bound holds whenever a ≥ 0, i.e. whenever the exact evaluation is defined.
    void sqrt_theta(TrackedDouble& r, const TrackedDouble& a, long k) const;
    /// max_radius: the largest error bound (+∞ when some value is unbounded; 0 for none).
    LayerSummary summarise(std::span<const TrackedDouble> z) const;
    double binary64(const TrackedDouble& a) const { return a.v; }
    TrackedDouble from_binary64(double v, double err) const { return {v, err}; }
};

static_assert(Arithmetic<ExactArith> && Arithmetic<BallArith> && Arithmetic<DoubleArith> &&
              Arithmetic<TrackedDoubleArith>);

}  // namespace rigornet
