// rigornet — normwise certified evaluation: the network run in binary64 (the very
// doubles DoubleArith computes) with a proved bound on the ℓ2 distance of the whole
// state from the exact state, layer by layer (issue 9, item 3).
#pragma once
#include <span>
#include <string>
#include <vector>

#include "rigornet/network/evaluate.hpp"

namespace rigornet {

/// The result of evaluate_l2.
struct L2Evaluation {
    std::vector<double> mid;     // evaluate(net, DoubleArith{}, ŷ), ŷ = y rounded to nearest
    double radius = 0;           // proved: ‖mid − φ(y)‖₂ ≤ radius (+∞: no claim)
    std::vector<double> radii;   // the bound after each layer; radii[0] is the input's
    std::size_t failed_layer = 0;  // 1-based layer where the bound became +∞ (0: never)
    std::string reason;          // why it did (empty when radius is finite)
};

/// The input as evaluate_l2 feeds it: ŷ = y rounded to nearest, ρ_y ≥ ‖ŷ − y‖₂ and
/// ‖ŷ‖₂ upward (+∞ when some ŷ_i is not finite).
struct L2Input {
    std::vector<double> y;
    double rho = 0, norm = 0;
};
L2Input l2_input(const std::vector<Rational>& y);

/// One layer's step of the rule below, for callers that compose layers themselves (e.g.
/// cs/primal_dual_l2.hpp): with ρ ≥ ‖ẑ − z‖₂ before layer j (ẑ = `in`, the doubles
/// DoubleArith computed, z any exact state), step returns ρ' ≥ ‖ẑ' − φ_j(z)‖₂ after it,
/// ẑ' = `out` = DoubleArith's φ_j(ẑ) and φ_j the exact layer with the exact input y; or
/// +∞ with `why` set where no bound is proved. ρ = 0 gives the layer's own rounding.
class L2LayerBound {
public:
    L2LayerBound(const Network& net, const L2Input& input) : net_(net), rho_y_(input.rho), norm_y_(input.norm) {}
    double step(std::size_t j, std::span<const double> in, std::span<const double> out, double rho,
                std::string& why) const;

private:
    const Network& net_;
    double rho_y_, norm_y_;
};

/// φ(y) in double with a proved ℓ2 radius: if ρ bounds ‖ẑ − z‖₂ before layer k (ẑ the
/// doubles, z the exact state of the same network at the exact input y), then after it
///   ρ' = L·ρ + e,
/// L a proved local ℓ2 Lipschitz bound of the layer's exact map on the ball around ẑ
/// and e a proved bound on the rounding error of computing the layer in double at ẑ:
///  - affine z ↦ Az + By + c: L = ‖A‖₂ bound, e = A's and B's double_error_bound
///    (linalg/double_error.hpp) at ‖ẑ‖, ‖ŷ‖, plus ‖B‖·ρ_y (ρ_y the input's rounding),
///    the bias's rounding u‖ĉ‖ + √n·η and the two additions 3u‖out‖ + u‖ĉ‖;
///  - ReLU: L = 1, exact in floating point; soft threshold S_t: L = 1 (a prox), e =
///    u‖out‖ + √n·|t̂ − t| (the computed value is ±fl(|x̂| − t̂) or 0, and S is
///    1-Lipschitz in t); square: L = 2 max|ẑ_i| + ρ (x̂² − x² = (x̂ − x)(x̂ + x)),
///    e = u‖out‖ + √n·η; sqrt_θ: L = 1/√(min ẑ_i) when min ẑ_i > ρ (so every exact input
///    is positive and |√â − √a| ≤ |â − a|/√â), e = u‖out‖ + √n·2^−k (√a − 2^−k < sqrt_θ(a)
///    ≤ √a), otherwise no claim. Identity elsewhere: the layer's L is max(1, L_I);
///  - gates z_X ↦ g(z_x0)·z_X: g evaluated by TrackedDoubleArith at {x̂0, ρ} (the same
///    double ĝ, with |ĝ − g(x0)| ≤ δ), so on X the error is ≤ (|ĝ| + δ)ρ_X + δ‖ẑ_X‖ +
///    u‖out_X‖ + √|X|·η; gates act on disjoint sets, so L = max(1, max_g |ĝ| + δ) and the
///    additive terms combine as the ℓ2 norm of their per-gate norms.
/// Overflow is excluded by checking every layer's output is finite and each operator's
/// growth·(‖ẑ‖ + 1) ≤ 2^1000. All bound arithmetic rounds upward.
/// When a step cannot be bounded (an operator without a proved double bound, e.g.
/// FourierSampling's FFTW path; sqrt_θ near 0; a non-finite value), radius = +∞ from
/// that layer on and failed_layer/reason say where and why; mid is still computed.
/// Every output coordinate is enclosed by |φ(y)_i − mid_i| ≤ radius.
/// Throws ShapeError for a wrong input size.
L2Evaluation evaluate_l2(const Network& net, const std::vector<Rational>& y, const Progress& progress = {});

}  // namespace rigornet
