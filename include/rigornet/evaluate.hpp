// rigornet — evaluating a network in any number system, from one generic implementation.
#pragma once
#include <functional>
#include <span>
#include <vector>

#include "rigornet/network.hpp"

namespace rigornet {

/// What evaluation observed after one layer (index 0: the input).
struct LayerSummary {
    std::size_t width = 0;
    /// ExactArith: largest bit size (numerator + denominator) of an output; else −1.
    long max_bits = -1;
    /// BallArith: an upper bound on the largest radius; TrackedDoubleArith: on the
    /// largest error bound; else −1. (+∞ when some value is unbounded.)
    /// (From mag_get_d and the tracked bounds, both upper bounds.)
    double max_radius = -1.0;
};

/// Called after each layer with (layers done, total layers); for progress output.
using Progress = std::function<void(std::size_t, std::size_t)>;

/// φ(y) in arithmetic ar. Guarantees, per arithmetic:
///  - ExactArith: the exact rational value of the network at y.
///  - BallArith: each output ball contains the exact value (Arb's containment applied
///    operation by operation; sqrt_θ per BallArith::sqrt_theta). With ar.ideal_sqrt,
///    contains the value of the ideal network (√ in place of sqrt_θ) instead.
///  - DoubleArith: the floating-point model, no guarantee.
///  - TrackedDoubleArith: the same doubles as DoubleArith, each with a proved bound on
///    its distance from the exact value.
/// Throws ShapeError if y has the wrong size, DomainError naming the layer for an
/// undefined operation (division by an exact zero, sqrt_θ of a proved negative value,
/// in every certified arithmetic), and ResourceError naming the layer when exact values
/// outgrow ExactArith::max_bits / max_bytes, or before starting when a ball evaluation
/// is estimated to need more than BallArith::max_bytes (ball_evaluation_bytes).
/// The ball and tracked guarantees are about the exact value, so they are conditional
/// on the exact evaluation being defined: where it is not (a gate dividing by a value
/// that is exactly 0), balls and bounds turn infinite if that value is used, but a
/// result that discards it (a gate without targets) stays finite.
/// If `summary` is given it receives one entry per layer plus the input; `progress`, if
/// set, is called after every layer.
template <class Arith>
std::vector<typename Arith::value_type> evaluate(const Network& net, const Arith& ar,
                                                 std::span<const typename Arith::value_type> y,
                                                 std::vector<LayerSummary>* summary = nullptr,
                                                 const Progress& progress = {});

/// An estimate of the bytes a ball evaluation at `prec` bits holds at its peak: the
/// working vectors (3 of the largest width) and the cached ball conversions of every
/// affine layer's bias and stored matrix entries, each ball about prec/8 + 48 bytes.
/// An estimate of the main terms, not a bound: evaluate(BallArith) refuses to start
/// (ResourceError) when it exceeds ar.max_bytes, and the CLI's out-of-memory handler
/// (resources.hpp) catches what it misses.
double ball_evaluation_bytes(const Network& net, long prec);

/// Convenience: converts the exact input with ar.from_rational (an enclosure for balls,
/// rounding with a tracked error for TrackedDoubleArith) and evaluates.
template <class Arith>
std::vector<typename Arith::value_type> evaluate_rational(const Network& net, const Arith& ar,
                                                          const std::vector<Rational>& y,
                                                          std::vector<LayerSummary>* summary = nullptr,
                                                          const Progress& progress = {});

}  // namespace rigornet
