#include "rigornet/number/arith.hpp"

#include <bit>
#include <cstdint>

namespace rigornet {

std::string ExactArith::bits_message(long bits) const {
    return "exact values would reach " + std::to_string(bits) + " bits, over the limit of " + std::to_string(max_bits) +
           " bits (--max-bits): the network's exact values grow too fast (e.g. repeated squaring)";
}

LayerSummary ExactArith::summarise(std::span<const Rational> z) const {
    LayerSummary s{z.size()};
    s.max_bits = 0;
    for (const Rational& v : z) s.max_bits = std::max(s.max_bits, v.bits());
    return s;
}

LayerSummary BallArith::summarise(std::span<const Ball> z) const {
    LayerSummary s{z.size()};
    s.max_radius = 0.0;
    for (const Ball& v : z) {
        double r = arb_is_finite(v.get()) ? mag_get_d(arb_radref(v.get())) : std::numeric_limits<double>::infinity();
        s.max_radius = std::max(s.max_radius, r);
    }
    return s;
}

void BallArith::sqrt_theta(Ball& r, const Ball& a, long k) const {
    if (arb_is_negative(a.get()))
        throw DomainError("sqrt_θ of a ball that is entirely negative: " + a.str(10));
    if (ideal_sqrt) {
        arb_sqrtpos(r.get(), a.get(), prec);
        return;
    }
    // sqrt_θ is non-decreasing (x ≤ y ⇒ ⌊x·4^k⌋ ≤ ⌊y·4^k⌋ ⇒ their integer roots are
    // ordered), so for t in [lo, hi] ∩ [0, ∞): sqrt_θ(max(lo, 0)) ≤ sqrt_θ(t) ≤ sqrt_θ(hi).
    // The endpoints are dyadic, so both values are computed exactly. Used when the
    // endpoints have moderate exponents; otherwise the looser enclosure below.
    arf_t lo, hi;
    arf_init(lo);
    arf_init(hi);
    arb_get_lbound_arf(lo, a.get(), prec);
    arb_get_ubound_arf(hi, a.get(), prec);
    const bool moderate = arb_is_finite(a.get()) && k <= 100000 && arf_cmpabs_2exp_si(hi, 100000) < 0;
    if (moderate) {
        Rational l, h;
        if (arf_sgn(lo) > 0 && arf_cmpabs_2exp_si(lo, -100000) > 0) arf_get_fmpq(l.get(), lo);
        arf_get_fmpq(h.get(), hi);
        Ball bl(sqrt_theta_bits(l, k), prec), bh(sqrt_theta_bits(h, k), prec);
        arb_union(r.get(), bl.get(), bh.get(), prec);
    } else {
        // sqrt_θ(t) ∈ (√t − 2^−k, √t]: subtract the ball [2^−(k+1) ± 2^−(k+1)] ⊇ [0, 2^−k].
        Ball s, shift;
        arb_sqrtpos(s.get(), a.get(), prec);
        arb_one(shift.get());
        arb_mul_2exp_si(shift.get(), shift.get(), -(k + 1));
        mag_set_ui_2exp_si(arb_radref(shift.get()), 1, -(k + 1));
        arb_sub(r.get(), s.get(), shift.get(), prec);
    }
    arf_clear(lo);
    arf_clear(hi);
}

using namespace tracked_detail;

LayerSummary TrackedDoubleArith::summarise(std::span<const TrackedDouble> z) const {
    LayerSummary s{z.size()};
    s.max_radius = 0.0;
    for (const TrackedDouble& v : z) s.max_radius = std::max(s.max_radius, v.err);
    return s;
}

TrackedDouble TrackedDoubleArith::from_rational(const Rational& x) const {
    double v = x.to_double(Round::nearest);
    if (!std::isfinite(v)) return {v, inf};
    if (fmpz_bits(fmpq_numref(x.get())) <= 53 && fmpz_bits(fmpq_denref(x.get())) <= 53) {
        // Exact when the denominator is a power of two (then x is a double). Otherwise
        // |x| ≥ 2^−53 lies in the normal range, so v = RN(x) gives |v − x| ≤ u·|v|.
        if (fmpz_is_pm1(fmpq_denref(x.get())) || fmpz_val2(fmpq_denref(x.get())) + 1 == fmpz_bits(fmpq_denref(x.get())))
            return {v, 0.0};
        return {v, up(u * std::fabs(v))};
    }
    return {v, (x - Rational::from_double(v)).abs().to_double(Round::up)};
}

// â/b̂ − a/b = (â(b − b̂) + b̂(â − a)) / (b̂·b) and |b| ≥ |b̂| − e_b > 0, so
// |fl(â/b̂) − a/b| ≤ (|â|e_b + |b̂|e_a) / (|b̂|(|b̂| − e_b)) + u·|v| + η.
void TrackedDoubleArith::div(TrackedDouble& r, const TrackedDouble& a, const TrackedDouble& b) const {
    if (b.v == 0.0 && b.err == 0.0) throw DomainError("division by zero");
    double v = a.v / b.v;
    double bb = std::fabs(b.v);
    double gap = down(bb - b.err);  // lower bound of |b̂| − e_b; 0 (or NaN → 0) when not positive
    if (gap <= 0.0) {
        r = {v, inf};
        return;
    }
    double num = uadd(umul(std::fabs(a.v), b.err), umul(bb, a.err));
    double den = down(bb * gap);  // bb = |b̂| is exact
    double e = den > 0.0 ? up(num / den) : inf;
    r = checked(v, uadd(uadd(e, umul(u, std::fabs(v))), eta));
}

// −a.v > a.err (an exact comparison of doubles) proves a < 0, so ReLU(a) = 0 = ReLU(v).
void TrackedDoubleArith::relu(TrackedDouble& r, const TrackedDouble& a) const {
    if (a.v <= 0.0 && -a.v > a.err)
        r = {0.0, 0.0};
    else
        r = {a.v > 0.0 ? a.v : 0.0, a.err};
}

namespace {
// Whether the bounds prove a < b: a.v + a.err (rounded up) < b.v − b.err (rounded down).
bool proved_less(const TrackedDouble& a, const TrackedDouble& b) {
    return std::nextafter(a.v + a.err, inf) < std::nextafter(b.v - b.err, -inf);
}
}  // namespace

void TrackedDoubleArith::min(TrackedDouble& r, const TrackedDouble& a, const TrackedDouble& b) const {
    double e = proved_less(a, b) ? a.err : proved_less(b, a) ? b.err : std::max(a.err, b.err);
    r = {std::min(a.v, b.v), e};
}

void TrackedDoubleArith::max(TrackedDouble& r, const TrackedDouble& a, const TrackedDouble& b) const {
    double e = proved_less(a, b) ? b.err : proved_less(b, a) ? a.err : std::max(a.err, b.err);
    r = {std::max(a.v, b.v), e};
}

// Target: sqrt_θ(a) ∈ (√a − 2^−k, √a]. With â⁺ = max(â, 0) and a ≥ 0 (else the exact
// evaluation fails), |â⁺ − a| ≤ e_a, and
// |fl(√â⁺) − sqrt_θ(a)| ≤ u·v + |√â⁺ − √a| + 2^−k,
// |√â⁺ − √a| ≤ min(√e_a, e_a/√â⁺)   (√ is ½-Hölder; and |x−y|/(√x+√y) form).
void TrackedDoubleArith::sqrt_theta(TrackedDouble& r, const TrackedDouble& a, long k) const {
    if (a.v < 0.0 && -a.v > a.err)
        throw DomainError("sqrt_θ of a negative value (" + to_decimal(a.v, 6, Round::nearest) +
                                         " with error at most " + to_decimal(a.err, 6, Round::up) + ")");
    double ap = a.v > 0.0 ? a.v : 0.0;
    double v = std::sqrt(ap);
    double prop = up(std::sqrt(a.err));
    double root_lo = down(v);
    if (root_lo > 0.0) prop = std::min(prop, up(a.err / root_lo));
    double step = k <= 1074 ? std::ldexp(1.0, static_cast<int>(-k)) : eta;  // ≥ 2^−k
    r = checked(v, uadd(uadd(prop, umul(u, v)), step));
}

}  // namespace rigornet
