// rigornet — assembling a compressed-sensing problem A = P_Ω U W⁻¹ (DESIGN.md §5):
// sampling pattern, sparsity in levels estimated on a reference image, level weights.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "rigornet/cs/sampling.hpp"
#include "rigornet/cs/unrolled.hpp"

namespace rigornet {

struct CsSetup {
    Shape shape;
    Modality modality;
    std::shared_ptr<const Haar> haar;          // W
    std::vector<std::size_t> omega;            // Ω (flat indices of sampled coefficients of U)
    std::vector<std::size_t> sparsities;       // s_1…s_L of the reference image
    OperatorPtr measure;                       // P_Ω U: signal → measurements
    OperatorPtr analysis;                      // W (W ⊕ W when complex): signal → coefficients
    CsProblem problem;                         // A = P_Ω U W⁻¹ (realified for Fourier)
};

/// Local sparsities of a reference image x (row-major, shape): counts of its Haar
/// coefficients above rel_threshold·max per level (see local_sparsities).
std::vector<std::size_t> image_sparsities(const Shape& shape, int levels, const std::vector<double>& x,
                                          double rel_threshold = 1e-2);

/// A multilevel random pattern with ⌈rate·N⌉ samples (0 < rate ≤ 1), per-band counts
/// from seed 003's formula with the given sparsities, drawn with `seed`.
std::vector<std::size_t> sample_pattern(const Shape& shape, Modality m, const std::vector<std::size_t>& s, double rate,
                                        std::uint64_t seed);

/// The problem for sampling pattern Ω: A = P_Ω U W⁻¹ with U the sequency-ordered Walsh
/// transform (exact when N is a power of 4) or the realified Fourier sampling; weights
/// √(s/s_j) per level within theta (level_weights) when `weighted`, else 1; L_A = 1.
/// With fourier_accuracy = n > 0 (Fourier only) the network's A is the rational A_n
/// (FourierSamplingRational, ‖A_n − A‖₂ ≤ 2^−n) while `measure` stays the true P_Ω U;
/// then L_A = 1 + error_bound() ≤ 1 + 2^−n, a proved bound on ‖A_n W⁻¹‖ = ‖A_n‖ (W
/// orthonormal): ‖A_n‖ ≤ ‖A‖ + ‖A_n − A‖ ≤ 1 + error_bound() by the triangle
/// inequality, ‖A‖ ≤ 1 (FourierSampling). With `complex`, signals and coefficients are complex, stored
/// (Re | Im): W and Walsh act on both parts, the DFT takes complex input, and the
/// network uses the complex soft threshold (CsProblem::complex).
CsSetup make_setup(const Shape& shape, Modality m, int levels, std::vector<std::size_t> omega,
                   std::vector<std::size_t> sparsities, bool weighted, const Rational& theta,
                   long fourier_accuracy = 0, bool complex = false);

/// op ⊕ op acting on (Re | Im) parts: the complex extension of a real operator.
OperatorPtr complexify(const OperatorPtr& op);

}  // namespace rigornet
