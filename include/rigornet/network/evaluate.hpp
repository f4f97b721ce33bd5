// rigornet — evaluating a network in any number system, from one generic implementation.
// This is the single engine: other passes over a network (reverse-mode gradients,
// gradient.hpp) observe it layer by layer rather than re-implementing the layer maps.
#pragma once
#include <functional>
#include <span>
#include <vector>

#include "rigornet/network/network.hpp"

namespace rigornet {

/// Called after each layer with (layers done, total layers); for progress output.
using Progress = std::function<void(std::size_t, std::size_t)>;

/// Called after each layer j (0-based index into net.layers()) with the state before and
/// after it (input and output of the layer; the network input y is re-read by affine
/// layers with B). The spans are valid during the call only.
template <class V>
using LayerObserver = std::function<void(std::size_t j, std::span<const V> input, std::span<const V> output)>;

/// φ(y) in arithmetic ar. Guarantees, per arithmetic:
///  - ExactArith: the exact rational value of the network at y.
///  - BallArith: each output ball contains the exact value (Arb's containment applied
///    operation by operation; sqrt_θ per BallArith::sqrt_theta). With ar.ideal_sqrt,
///    contains the value of the ideal network (√ in place of sqrt_θ) instead.
///  - DoubleArith: the floating-point model, no guarantee.
///  - TrackedDoubleArith: the same doubles as DoubleArith, each with a proved bound on
///    its distance from the exact value.
///  - DualArith: the DoubleArith values, each with its derivative along the direction
///    given by the inputs' .d parts (forward mode; kink conventions of DualArith).
/// Throws ShapeError if y has the wrong size, DomainError naming the layer for an
/// undefined operation (division by an exact zero, sqrt_θ of a proved negative value,
/// in every certified arithmetic), and ResourceError naming the layer when exact values
/// outgrow ExactArith::max_bits / max_bytes, or before starting when a ball evaluation
/// is estimated to need more than BallArith::max_bytes (ball_evaluation_bytes).
/// The ball and tracked guarantees are about the exact value, so they are conditional
/// on the exact evaluation being defined: where it is not (a gate dividing by a value
/// that is exactly 0), balls and bounds turn infinite if that value is used, but a
/// result that discards it (a gate without targets) stays finite.
/// If `summary` is given it receives one entry per layer plus the input (ar.summarise);
/// `progress`, if set, is called after every layer, and `observe` too (an exception it
/// throws propagates unchanged).
template <SupportedArithmetic Arith>
std::vector<typename Arith::value_type> evaluate(const Network& net, const Arith& ar,
                                                 std::span<const typename Arith::value_type> y,
                                                 std::vector<LayerSummary>* summary = nullptr,
                                                 const Progress& progress = {},
                                                 const LayerObserver<typename Arith::value_type>& observe = {});

/// An estimate of the bytes a ball evaluation at `prec` bits holds at its peak: the
/// working vectors (3 of the largest width) and the cached ball conversions of every
/// affine layer's bias (one per distinct value) and stored matrix entries, each ball
/// about prec/8 + 48 bytes.
/// An estimate of the main terms, not a bound: evaluate(BallArith) refuses to start
/// (ResourceError) when it exceeds ar.max_bytes, and the CLI's out-of-memory handler
/// (resources.hpp) catches what it misses.
double ball_evaluation_bytes(const Network& net, long prec);

/// Convenience: converts the exact input with ar.from_rational (an enclosure for balls,
/// rounding with a tracked error for TrackedDoubleArith) and evaluates.
template <SupportedArithmetic Arith>
std::vector<typename Arith::value_type> evaluate_rational(const Network& net, const Arith& ar,
                                                          const std::vector<Rational>& y,
                                                          std::vector<LayerSummary>* summary = nullptr,
                                                          const Progress& progress = {});

/// The map of an elementwise layer, z_i ↦ f(z_i) on e's indices (all when none), applied
/// to z in place in arithmetic ar: the map evaluate applies, with its guarantees. Throws
/// DomainError for sqrt_θ of a negative value under ExactArith (BallArith: of a ball
/// that is entirely negative).
template <SupportedArithmetic Arith>
void apply_elementwise(const ElementwiseLayer& e, const Arith& ar, std::span<typename Arith::value_type> z);

}  // namespace rigornet
