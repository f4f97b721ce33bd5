// rigornet — midpoint–radius balls (Arb's arb_t), the certified number system.
#pragma once
#include <span>
#include <string>

#include "rigornet/number/arb.hpp"
#include "rigornet/number/rational.hpp"

namespace rigornet {

/// A real ball [m ± r] (RAII over arb_t). Arithmetic on balls is done through
/// BallArith (arith.hpp), which carries the working precision explicitly.
/// Invariant of every rigornet routine returning a Ball: the true value lies inside.
class Ball {
public:
    Ball() { arb_init(v_); }
    /// The ball enclosing the rational x, rounded to prec bits (exact if x is dyadic and
    /// fits; otherwise a radius covers the rounding error).
    Ball(const Rational& x, long prec) { arb_init(v_); arb_set_fmpq(v_, x.get(), prec); }
    Ball(const Ball& o) { arb_init(v_); arb_set(v_, o.v_); }
    Ball(Ball&& o) noexcept { arb_init(v_); arb_swap(v_, o.v_); }
    Ball& operator=(const Ball& o) { arb_set(v_, o.v_); return *this; }
    Ball& operator=(Ball&& o) noexcept { arb_swap(v_, o.v_); return *this; }
    ~Ball() { arb_clear(v_); }

    arb_ptr get() { return v_; }
    arb_srcptr get() const { return v_; }

    /// Whether x lies in the ball (a proof when true; false may mean "not proved" only
    /// for balls whose endpoints are not exactly representable, which Arb avoids).
    bool contains(const Rational& x) const { return arb_contains_fmpq(v_, x.get()); }
    bool is_finite() const { return arb_is_finite(v_); }
    /// Exact rational upper bound of every point in the ball (DomainError if infinite).
    Rational upper() const;
    /// Exact rational lower bound of every point in the ball (DomainError if infinite).
    Rational lower() const;
    /// Exact rational upper bound of |t| over the ball (DomainError if infinite).
    Rational abs_upper() const;
    /// The radius as an exact rational (DomainError if infinite).
    Rational radius() const;
    /// Arb's decimal form "[mid +/- rad]" with `digits` significant digits (outward).
    std::string str(long digits = 20) const;

private:
    arb_t v_;
};

/// Encloses ‖a − b‖₂ for balls a and exact rationals b: each b_i is enclosed, then ball
/// subtraction, squares, sum and arb_sqrtpos each keep containment (so every point of a
/// gives a distance inside the result). ShapeError if the sizes differ.
Ball l2_distance(std::span<const Ball> a, std::span<const Rational> b, long prec);
/// Encloses ‖a − b‖₂ for two ball vectors, over every choice of points of a and b (same
/// steps as above). ShapeError if the sizes differ.
Ball l2_distance(std::span<const Ball> a, std::span<const Ball> b, long prec);
/// Encloses ‖b‖₂ of exact rationals (enclose each b_i, sum of squares, arb_sqrtpos).
Ball l2_norm(std::span<const Rational> b, long prec);

}  // namespace rigornet
