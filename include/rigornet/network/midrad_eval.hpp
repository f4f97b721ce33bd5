// rigornet — the fast certified evaluation: midpoint–radius doubles (MidRadArith) tried
// before Arb balls, used wherever their radii meet the requested accuracy.
#pragma once
#include <optional>
#include <vector>

#include "rigornet/network/network.hpp"
#include "rigornet/number/arithmetic_concept.hpp"
#include "rigornet/number/ball.hpp"

namespace rigornet {

/// Evaluates net at the exact input y in MidRadArith and returns the outputs as balls
/// (to_ball at prec bits: each contains the exact network output, by MidRadArith's
/// containment) when every output ball is finite with radius < 2^−accuracy_bits; otherwise
/// nullopt: the midpoint–radius bound is too wide (deep or ill-conditioned networks,
/// overflow, a DFT layer whose FFT rounding it does not track), and the caller falls
/// back to BallArith. Domain errors (sqrt_θ of a value proved negative) propagate as in
/// every arithmetic. `summary`, if given, receives MidRadArith's per-layer summaries.
std::optional<std::vector<Ball>> evaluate_midrad_balls(const Network& net, const std::vector<Rational>& y,
                                                       long accuracy_bits, long prec = 128,
                                                       std::vector<LayerSummary>* summary = nullptr);

}  // namespace rigornet
