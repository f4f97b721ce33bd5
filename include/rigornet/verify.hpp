// rigornet — verification of a VNN-LIB property over an input box (DESIGN.md §10):
// holds ⇔ f(X) ∩ U = ∅ for the real-valued network with its exact rational weights.
#pragma once
#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "rigornet/cnn_bounds.hpp"  // Verdict: proved / refuted / unknown
#include "rigornet/lipschitz.hpp"
#include "rigornet/vnnlib.hpp"

namespace rigornet {


struct VerifyOptions {
    double timeout_seconds = 60;
    std::size_t max_nodes = 1000000;
    /// Random candidates tried per box (in double, each re-checked exactly).
    std::size_t samples_per_node = 4;
    unsigned long seed = 1;
    /// Set (e.g. by SIGINT) to stop: the verdict becomes unknown, reason "interrupted".
    const std::atomic<bool>* interrupt = nullptr;
    /// Called about every 2 s with (nodes processed, boxes pending, seconds).
    std::function<void(std::size_t, std::size_t, double)> progress;
};

struct VerifyResult {
    Verdict verdict = Verdict::unknown;
    /// For unknown: "timeout", "node limit" or "interrupted".
    std::string reason;
    /// For refuted: an exact input in the box and its exact outputs, (x, f(x)) ∈ U.
    std::vector<Rational> input, output;
    std::size_t nodes = 0;
    double seconds = 0;
};

/// Bounds f on the box [lo, hi] by interval arithmetic in exact rationals: returns, per
/// hidden layer r = 1…ℓ, the enclosure [hl, hu] of the post-activations (last entry: the
/// outputs of the final affine layer). Sound: each affine map is bounded exactly
/// (W⁺·lo + W⁻·hi ≤ W·h + b ≤ W⁺·hi + W⁻·lo for lo ≤ h ≤ hi) and ReLU / clip are
/// monotone, so every real f(x), x ∈ box, lies in the last enclosure. Exact (no rounding).
std::vector<std::pair<std::vector<Rational>, std::vector<Rational>>> interval_bounds(const ReluChain& c,
                                                                                     const std::vector<Rational>& lo,
                                                                                     const std::vector<Rational>& hi);

/// Decides f(box) ∩ U = ∅ (proved: the property holds; refuted: violated) by branch and bound on input boxes (split at the exact midpoint
/// of the widest side). proved: every box was proved empty for every conjunction of U, a
/// conjunction being refuted on a box when one of its constraints a·x + c·y ≤ d has
/// min over the box of a·x + (cᵀW_ℓ)·h + cᵀb_ℓ > d, with h in the exact interval enclosure
/// of the last hidden layer (interval_bounds) — an exact lower bound, so the refutation
/// is a proof for the real network. refuted: a double candidate was converted to an exact
/// rational point of the box and the exact output (ReluChain::evaluate) satisfies a
/// conjunction exactly. Otherwise unknown with the reason. Deterministic for a given seed
/// unless stopped by time or interrupt. Property and chain dimensions must agree
/// (ShapeError).
VerifyResult verify(const ReluChain& c, const VnnlibProperty& p, const VerifyOptions& o);

}  // namespace rigornet
