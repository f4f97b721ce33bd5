// rigornet — dual numbers: forward-mode derivatives of the binary64 model (DoubleArith).
//
// Used by the reverse-mode gradient (gradient.hpp) to differentiate a layer's scalar
// maps: eval_expr(g, DualArith{}, Dual(u, 1)) gives g(u) in .v and g'(u) in .d. As a
// full arithmetic (arithmetics.hpp), evaluate(net, DualArith{}, y) with y = (y, v) is
// forward mode: φ(y) and J_φ(y)·v. Floating point throughout: a derivative estimate,
// never a bound.
#pragma once
#include <cmath>
#include <span>

#include "rigornet/number/arith.hpp"

namespace rigornet {

/// v + d·ε with ε² = 0: a value and its derivative along one direction. Built implicitly
/// from a double (a constant, derivative 0), which is lossless.
struct Dual {
    double v = 0.0;
    double d = 0.0;
    Dual() = default;
    Dual(double value, double derivative = 0.0) : v(value), d(derivative) {}
};

/// The arithmetic policy of DoubleArith on dual numbers: .v is bit-for-bit what
/// DoubleArith computes, .d the derivative of that floating-point model by the chain
/// rule. At kinks the derivative of one branch is taken, by the same comparison that
/// selects the value: relu'(0) = 0; min(a, b) and max(a, b) follow the operand they
/// return (the first on ties, as std::min/std::max do); the derivative of sqrt_θ —
/// modelled as √max(0, a) — is a.d/(2√a) for a > 0 and 0 for a ≤ 0 (the true one is
/// infinite at 0). Division by a zero value gives ±∞/NaN as in DoubleArith.
/// Rationals convert to DoubleArith's doubles, as constants (derivative 0). Not on the
/// FFT path (a double kernel would drop the derivatives): operators whose entries are
/// irrational throw DomainError, as under ExactArith.
struct DualArith {
    using value_type = Dual;
    static constexpr const char* name = "dual";
    static constexpr bool certified = false, exact = false, per_precision = false, arb_balls = false, fft_path = false;

    Dual from_rational(const Rational& x) const { return Dual(DoubleArith{}.from_rational(x)); }
    void zero(Dual& r) const { r = Dual{}; }
    void add(Dual& r, const Dual& a, const Dual& b) const { r = {a.v + b.v, a.d + b.d}; }
    void sub(Dual& r, const Dual& a, const Dual& b) const { r = {a.v - b.v, a.d - b.d}; }
    void mul(Dual& r, const Dual& a, const Dual& b) const { r = {a.v * b.v, a.d * b.v + a.v * b.d}; }
    void div(Dual& r, const Dual& a, const Dual& b) const {
        const double q = a.v / b.v;
        r = {q, (a.d - q * b.d) / b.v};
    }
    void neg(Dual& r, const Dual& a) const { r = {-a.v, -a.d}; }
    void addmul(Dual& acc, const Dual& w, const Dual& x) const {
        Dual p;
        mul(p, w, x);
        add(acc, acc, p);
    }
    void relu(Dual& r, const Dual& a) const { r = a.v > 0.0 ? a : Dual{}; }
    void min(Dual& r, const Dual& a, const Dual& b) const { r = b.v < a.v ? b : a; }
    void max(Dual& r, const Dual& a, const Dual& b) const { r = a.v < b.v ? b : a; }
    void square(Dual& r, const Dual& a) const { mul(r, a, a); }
    void sqrt_theta(Dual& r, const Dual& a, long) const {
        if (a.v > 0.0) {
            const double s = std::sqrt(a.v);
            r = {s, a.d / (2.0 * s)};
        } else {
            r = Dual{};
        }
    }
    /// Only the width, as for DoubleArith.
    LayerSummary summarise(std::span<const Dual> z) const { return LayerSummary{z.size()}; }
};

static_assert(Arithmetic<DualArith>);

}  // namespace rigornet
