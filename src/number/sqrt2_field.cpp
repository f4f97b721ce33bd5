#include "rigornet/number/sqrt2_field.hpp"

#include "rigornet/core/error.hpp"

namespace rigornet {

QSqrt2 operator/(const QSqrt2& x, const QSqrt2& y) {
    const Rational n = y.a_ * y.a_ - Rational(2) * y.b_ * y.b_;  // the norm, ≠ 0 unless y = 0
    if (n.is_zero()) throw DomainError("division by zero in Q(sqrt 2)");
    const QSqrt2 conj(y.a_, -y.b_);
    QSqrt2 p = x * conj;
    return QSqrt2(p.a_ / n, p.b_ / n);
}

int QSqrt2::sign() const {
    const int sa = a_.sign(), sb = b_.sign();
    if (sb == 0) return sa;
    if (sa == 0 || sa == sb) return sb;
    const int d = (a_ * a_ - Rational(2) * b_ * b_).sign();  // never 0: √2 is irrational
    return sa * d;
}

Ball QSqrt2::ball(long prec) const {
    Ball r, s, b(b_, prec + 16);
    arb_sqrt_ui(s.get(), 2, prec + 16);
    arb_mul(s.get(), s.get(), b.get(), prec + 16);
    Ball a(a_, prec + 16);
    arb_add(r.get(), a.get(), s.get(), prec);
    return r;
}

std::string QSqrt2::str() const { return a_.str() + " + " + b_.str() + "*sqrt(2)"; }

}  // namespace rigornet
