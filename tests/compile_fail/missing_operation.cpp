// Must not compile: an arithmetic without relu is no Arithmetic, and evaluate refuses
// it by the concept. Control (-DRIGORNET_CONTROL): the same call with DoubleArith.
// expect: ar.relu(r, a)
#define TOY_WITHOUT_RELU
#include "toy_arithmetic.hpp"

#include "rigornet/network/evaluate.hpp"

#ifdef RIGORNET_CONTROL
using Tested = rigornet::DoubleArith;
#else
using Tested = ToyArith;
#endif

std::vector<double> run(const rigornet::Network& net, std::span<const double> y) {
    return rigornet::evaluate(net, Tested{}, y);
}
