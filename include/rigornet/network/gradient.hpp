// rigornet — reverse-mode derivatives of a network's binary64 model (DESIGN.md §4 class).
//
// Floating point finds candidates: these gradients drive searches (the stability test,
// stability.hpp) and certify nothing; a point they find is re-evaluated in exact or ball
// arithmetic before any claim is made.
#pragma once
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "rigornet/network/network.hpp"

namespace rigornet {

/// φ(y) and a vector–Jacobian product.
struct Vjp {
    std::vector<double> value;     ///< φ(y) in DoubleArith (bit-for-bit evaluate(net, DoubleArith{}, y))
    std::vector<double> gradient;  ///< ∇_y ⟨w, φ(y)⟩ = J_φ(y)ᵀ w
};

/// φ(y) and J_φ(y)ᵀ w for the floating-point model of the network (DoubleArith),
/// by one forward pass — evaluate itself, observing each layer's input (evaluate.hpp),
/// from which a nonlinear layer's local derivatives are taken by dual numbers on the
/// same maps (apply_elementwise, eval_expr in DualArith) — and one backward pass:
/// affine layers z ↦ A z + B y + c send the adjoint g back as Aᵀg and add Bᵀg to the
/// input's gradient (the input re-enters at every layer with B); elementwise layers
/// multiply by f'(z_i); a gate (x0, X) with u = z_x0 maps g to g_X ↦ f(u)·g_X and
/// g_x0 ↦ f'(u)·⟨g_X, z_X⟩ (product rule). Where φ is differentiable and no kink is hit this is the derivative of the
/// model; at kinks one branch's derivative is taken by the comparison that selects the
/// value: relu'(0) = 0, soft_threshold'(±t) = 0, √'(0) = 0 for sqrt_θ (modelled as
/// √max(0, ·), as DoubleArith does), min/max as in DualArith. No error bound.
/// ShapeError if y or w has the wrong size.
Vjp vjp(const Network& net, std::span<const double> y, std::span<const double> w);

/// The forward pass of vjp recorded once, for many cotangents (one backward pass each):
/// the rows of J_φ(y), e.g. for the linearised covariance (uncertainty.hpp).
/// pullback(w) is bit-for-bit vjp(net, y, w).gradient — vjp is this class with one
/// cotangent. Keeps a reference to `net`, which must outlive the tape.
/// ShapeError if y has the wrong size (constructor) or w does (pullback).
class ReverseTape {
public:
    ReverseTape(const Network& net, std::span<const double> y);
    ~ReverseTape();
    ReverseTape(ReverseTape&&) noexcept;
    ReverseTape& operator=(ReverseTape&&) noexcept;
    /// φ(y) in DoubleArith.
    const std::vector<double>& value() const { return value_; }
    /// J_φ(y)ᵀ w.
    std::vector<double> pullback(std::span<const double> w) const;

private:
    struct Tape;
    const Network* net_;
    std::vector<double> y_, value_;
    std::unique_ptr<Tape> tape_;
};

/// The same with the cotangent chosen after the forward pass, w = cotangent(φ(y)), so
/// that an objective such as ½‖φ(y) − x‖² (w = φ(y) − x) costs one forward pass.
/// ShapeError if y has the wrong size or cotangent returns a vector of the wrong size.
Vjp vjp(const Network& net, std::span<const double> y,
        const std::function<std::vector<double>(std::span<const double> value)>& cotangent);

}  // namespace rigornet
