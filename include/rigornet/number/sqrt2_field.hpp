// rigornet — exact arithmetic in the field Q(√2) = {a + b√2 : a, b rational}: the numbers
// of the inexact-input construction (seed 003; its γ₁ carries a √2), decided exactly.
#pragma once
#include <string>

#include "rigornet/number/ball.hpp"

namespace rigornet {

/// a + b√2 with exact rationals a, b. Every operation is exact (Q(√2) is a field; the
/// inverse of a + b√2 ≠ 0 is (a − b√2)/(a² − 2b²), and a² − 2b² ≠ 0 because √2 is
/// irrational); division by zero throws DomainError.
class QSqrt2 {
public:
    QSqrt2() = default;
    explicit QSqrt2(Rational a, Rational b = Rational()) : a_(std::move(a)), b_(std::move(b)) {}
    static QSqrt2 sqrt2() { return QSqrt2(Rational(0), Rational(1)); }
    const Rational& rational_part() const { return a_; }
    const Rational& sqrt2_part() const { return b_; }

    friend QSqrt2 operator+(const QSqrt2& x, const QSqrt2& y) { return QSqrt2(x.a_ + y.a_, x.b_ + y.b_); }
    friend QSqrt2 operator-(const QSqrt2& x, const QSqrt2& y) { return QSqrt2(x.a_ - y.a_, x.b_ - y.b_); }
    friend QSqrt2 operator*(const QSqrt2& x, const QSqrt2& y) {
        return QSqrt2(x.a_ * y.a_ + Rational(2) * x.b_ * y.b_, x.a_ * y.b_ + x.b_ * y.a_);
    }
    friend QSqrt2 operator/(const QSqrt2& x, const QSqrt2& y);
    QSqrt2 operator-() const { return QSqrt2(-a_, -b_); }
    friend bool operator==(const QSqrt2& x, const QSqrt2& y) { return x.a_ == y.a_ && x.b_ == y.b_; }

    /// The exact sign (−1, 0, 1): for a and b of opposite signs, sign(a + b√2) =
    /// sign(a)·sign(a² − 2b²), since |a| > |b|√2 ⟺ a² > 2b².
    int sign() const;
    bool is_zero() const { return a_.is_zero() && b_.is_zero(); }
    QSqrt2 abs() const { return sign() < 0 ? -*this : *this; }
    /// A ball containing the value (√2 enclosed by Arb at prec bits).
    Ball ball(long prec) const;
    /// "a + b*sqrt(2)" with exact rationals.
    std::string str() const;

private:
    Rational a_, b_;
};

/// Exact comparison helpers.
inline bool operator<(const QSqrt2& x, const QSqrt2& y) { return (y - x).sign() > 0; }
inline bool operator<=(const QSqrt2& x, const QSqrt2& y) { return (y - x).sign() >= 0; }

}  // namespace rigornet
