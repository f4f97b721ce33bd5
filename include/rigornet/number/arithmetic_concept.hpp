// rigornet — the one concept every number system (arithmetic policy) satisfies.
//
// Generic code (evaluation, operators, gate expressions) is written against
// `Arithmetic` and nothing else: no permissive default, no type ladders. What the code
// needs to know about a number system beyond its operations is asked through the trait
// flags below (`if constexpr (A::fft_path)`), never by naming the type.
//
// Contract of an arithmetic A (an object carrying its own parameters, e.g. a precision;
// there is no global state):
//   value_type     the number type V; semiregular, and V{} is zero.
//   name           static, a short name for messages ("exact", "ball", …).
//   Operations take the output first and may alias it with an input:
//     r = from_rational(q)       the value standing for the rational q
//     zero(r)                    r = 0
//     add/sub/mul/div(r, a, b)   r = a ∘ b
//     neg(r, a), square(r, a)    r = −a, r = a²
//     addmul(acc, w, x)          acc = acc + w·x
//     relu(r, a)                 r = max(a, 0)
//     min/max(r, a, b)
//     sqrt_theta(r, a, k)        r = sqrt_θ(a) with k = theta_bits(θ) (sqrt_theta.hpp)
//   Each arithmetic's header states what its results guarantee (exact, an enclosure, a
//   bound, or nothing) and what happens at singular input.
//   summarise(z)    what evaluation records about one layer's values (LayerSummary).
//   Optional: dot_rows(y, w, x) with spans, w row-major y.size() × x.size():
//   y_i = Σ_j w_ij·x_j with the same guarantee as the addmul loop it replaces; dense
//   products use it when present.
//   Trait flags (static constexpr bool), each a promise the concept partly checks:
//     certified     every result is exact, encloses the exact result, or carries a
//                   proved bound on its distance from it (false: an estimate).
//     exact         value_type is Rational and every operation is exact (the oracle).
//     per_precision from_rational depends on the member `long prec` and on no other
//                   parameter: converted constants are cached per precision. (When
//                   false, from_rational depends on no parameter at all: converted once.)
//     arb_balls     value_type is Ball at precision `prec` (so per_precision): kernels
//                   may call Arb directly (arb_dot, acb_dft) with the same guarantee.
//     fft_path      values carry a binary64 value, and linear maps may be computed by
//                   double-precision kernels (FFTW) on it: the arithmetic provides
//                     double binary64(a)             the binary64 value (bit-for-bit
//                                                    what DoubleArith computes),
//                     V from_binary64(v, err)        a value for some real x with
//                                                    |v − x| ≤ err (+∞: no claim).
// The supported arithmetics are listed once, in arithmetics.hpp.
#pragma once
#include <concepts>
#include <cstddef>
#include <span>

#include "rigornet/number/ball.hpp"
#include "rigornet/number/rational.hpp"

namespace rigornet {

/// What evaluation observed after one layer (index 0: the input), from the arithmetic's
/// summarise hook.
struct LayerSummary {
    std::size_t width = 0;
    /// ExactArith: largest bit size (numerator + denominator) of an output; else −1.
    long max_bits = -1;
    /// BallArith: an upper bound on the largest radius; TrackedDoubleArith: on the
    /// largest error bound; else −1. (+∞ when some value is unbounded.)
    /// (From mag_get_d and the tracked bounds, both upper bounds.)
    double max_radius = -1.0;
};

namespace arith_detail {
template <class T>
concept Flag = std::same_as<T, const bool>;  // the type of a static constexpr bool member
}  // namespace arith_detail

template <class A>
concept Arithmetic =
    std::copy_constructible<A> &&
    requires(const A& ar, typename A::value_type& r, const typename A::value_type& a,
             const typename A::value_type& b, const Rational& q, long k, std::span<const typename A::value_type> z) {
        requires std::semiregular<typename A::value_type>;
        { A::name } -> std::convertible_to<const char*>;
        requires arith_detail::Flag<decltype(A::certified)> && arith_detail::Flag<decltype(A::exact)>;
        requires arith_detail::Flag<decltype(A::per_precision)> && arith_detail::Flag<decltype(A::arb_balls)>;
        requires arith_detail::Flag<decltype(A::fft_path)>;
        { ar.from_rational(q) } -> std::convertible_to<typename A::value_type>;
        ar.zero(r);
        ar.add(r, a, b);
        ar.sub(r, a, b);
        ar.mul(r, a, b);
        ar.div(r, a, b);
        ar.neg(r, a);
        ar.addmul(r, a, b);
        ar.relu(r, a);
        ar.min(r, a, b);
        ar.max(r, a, b);
        ar.square(r, a);
        ar.sqrt_theta(r, a, k);
        { ar.summarise(z) } -> std::same_as<LayerSummary>;
    } &&
    (!A::exact || std::same_as<typename A::value_type, Rational>) &&
    (!A::per_precision || requires(const A& ar) { { ar.prec } -> std::convertible_to<long>; }) &&
    (!A::arb_balls || (A::per_precision && std::same_as<typename A::value_type, Ball>)) &&
    (!A::fft_path || requires(const A& ar, const typename A::value_type& a, double v) {
        { ar.binary64(a) } -> std::same_as<double>;
        { ar.from_binary64(v, v) } -> std::same_as<typename A::value_type>;
    });

}  // namespace rigornet
