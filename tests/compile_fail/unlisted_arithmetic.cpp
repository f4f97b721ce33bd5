// Must not compile: a complete arithmetic that is not in RIGORNET_FOR_EACH_ARITH has no
// instantiation, and eval_expr refuses it at compile time (not at link time).
// Control (-DRIGORNET_CONTROL): the same call with DoubleArith.
// expect: listed
#include "toy_arithmetic.hpp"

#include "rigornet/network/network.hpp"

static_assert(rigornet::Arithmetic<ToyArith>);  // complete: only the list is missing

#ifdef RIGORNET_CONTROL
using Tested = rigornet::DoubleArith;
#else
using Tested = ToyArith;
#endif

double run(const rigornet::Expr& g, double u) { return rigornet::eval_expr(g, Tested{}, u); }
