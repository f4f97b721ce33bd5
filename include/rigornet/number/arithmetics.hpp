// rigornet — the one list of supported arithmetics.
//
// RIGORNET_FOR_EACH_ARITH(X) expands X(A) for every supported arithmetic A, and
// RIGORNET_FOR_EACH_ARITH(X, args…) expands X(A, args…). Everything
// that exists once per arithmetic is generated from it: the virtual apply/adjoint
// overloads of LinearOperator and their forwarding (operator.hpp), the per-arithmetic
// caches of converted rationals (conversions.hpp), and every explicit instantiation of
// the generic code (evaluate, eval_expr, the operators' apply_impl/adjoint_impl).
// Adding an arithmetic: define it (satisfying Arithmetic, arithmetic_concept.hpp) and
// add it here; the compiler then names every generic kernel it cannot yet run.
#pragma once
#include <concepts>
#include <type_traits>

#include "rigornet/number/arith.hpp"
#include "rigornet/number/arithmetic_concept.hpp"
#include "rigornet/number/dual.hpp"
#include "rigornet/number/midrad.hpp"

#define RIGORNET_FOR_EACH_ARITH(X, ...)            \
    X(ExactArith __VA_OPT__(, ) __VA_ARGS__)         \
    X(BallArith __VA_OPT__(, ) __VA_ARGS__)          \
    X(DoubleArith __VA_OPT__(, ) __VA_ARGS__)        \
    X(TrackedDoubleArith __VA_OPT__(, ) __VA_ARGS__) \
    X(DualArith __VA_OPT__(, ) __VA_ARGS__)          \
    X(MidRadArith __VA_OPT__(, ) __VA_ARGS__)

namespace rigornet {

/// The list as types.
template <class... As>
struct ArithList {};

namespace arith_detail {
template <class Void, class... As>
struct drop_first {
    using type = ArithList<As...>;
};
template <class A, class List>
struct listed;
template <class A, class... As>
struct listed<A, ArithList<As...>> : std::bool_constant<(std::same_as<A, As> || ...)> {};
}  // namespace arith_detail

#define RIGORNET_ARITH_TYPE(A) , A
using SupportedArithmetics = arith_detail::drop_first<void RIGORNET_FOR_EACH_ARITH(RIGORNET_ARITH_TYPE)>::type;
#undef RIGORNET_ARITH_TYPE

/// An arithmetic of the list: the constraint of every generic entry point. Only these
/// are instantiated, so another type is refused here, at compile time, not by the linker.
template <class A>
concept SupportedArithmetic = Arithmetic<A> && arith_detail::listed<A, SupportedArithmetics>::value;

}  // namespace rigornet
