// rigornet — multilevel random sampling, sparsity in levels and level weights
// (seed 003; DESIGN.md §5).
#pragma once
#include <cstdint>
#include <vector>

#include "rigornet/number/rational.hpp"
#include "rigornet/linalg/transforms.hpp"

namespace rigornet {

enum class Modality { fourier, walsh };

/// The dyadic band (1-based) of index i along an axis of length n = 2^r.
/// Fourier: index i is the frequency ω = i (i ≤ n/2) or i − n; B_1 = {0, 1} and
/// B_k = {−2^(k−1)+1, …, −2^(k−2)} ∪ {2^(k−2)+1, …, 2^(k−1)} (k = 2…r).
/// Walsh (sequency order): B_1 = {0, 1}, B_k = {2^(k−1), …, 2^k − 1}.
int band_1d(Modality m, std::size_t i, std::size_t n);

/// The tensor bands B_k1 × … × B_kd of an array: the flat indices of each band and its
/// multi-index k (1-based per axis). Bands with no element are omitted.
struct Bands {
    std::vector<std::vector<std::size_t>> members;
    std::vector<std::vector<int>> k;
    int levels = 0;  // r = log2(smallest side)
};
Bands tensor_bands(Modality m, const Shape& shape);

/// Local sparsities s_1…s_L: the number of coefficients c_i at level l (levels from
/// Haar::coefficient_levels) with |c_i| > rel_threshold · max|c|, at least 1 each.
std::vector<std::size_t> local_sparsities(const std::vector<double>& coeffs, const std::vector<int>& levels, int L,
                                          double rel_threshold);

/// Seed 003's per-band sample weights: Fourier M_F(s, k) =
/// Σ_{l ≤ ‖k‖∞} s_l Π_i 2^−|k_i − l| + Σ_{l > ‖k‖∞} s_l 2^−2(l − ‖k‖∞) Π_i 2^−|k_i − l|;
/// Walsh M_B(s, k) = s_‖k‖∞ Π_i 2^−|k_i − ‖k‖∞|. (s has L entries; levels beyond L count 0.)
double band_weight(Modality m, const std::vector<std::size_t>& s, const std::vector<int>& k);

/// Per-band counts m_k = min(|B_k|, c · M(s, k)) with c chosen so that Σ m_k = total
/// (rounded by largest remainders). Bands are promoted to full sampling one at a time:
/// while some band's share c·M(s, k) reaches half its size (and its full size fits in
/// the budget), the one with the largest share/size (ties: lowest index) is sampled
/// fully and c is recomputed for the others (the theorem's log factor saturates the
/// coarse bands). Guarantees: Σ m_k = total, m_k ≤ |B_k|; a band is full only if its
/// share reached half its size at the c in force when it was promoted. Throws
/// ShapeError if total exceeds the array size or is zero.
std::vector<std::size_t> band_counts(Modality m, const Bands& bands, const std::vector<std::size_t>& s,
                                     std::size_t total);

/// Ω: in each band, counts[b] indices drawn uniformly without replacement; seeded and
/// reproducible across platforms (own generator: splitmix64 and rejection sampling).
/// Returned sorted.
std::vector<std::size_t> multilevel_sample(const Bands& bands, const std::vector<std::size_t>& counts,
                                           std::uint64_t seed);

/// The number of independent real measurements the samples Ω carry: the rank over R of
/// x ↦ P_Ω U x on real signals (complex = false) or on complex ones (true, counted as
/// 2N real unknowns). Walsh: U is real orthogonal, so its m selected rows are independent:
/// m (2m complex). Fourier on real x: sample ω gives Re and Im of (Fx)_ω, i.e.
/// ⟨c_ω, x⟩ and −⟨s_ω, x⟩ with c_ω, s_ω the cosine and sine of 2π⟨ω, t/n⟩ (over √N);
/// −ω (mod n per axis) gives the same two functionals (c even, s odd), and s_ω = 0 when
/// ω ≡ −ω (every component 0 or n/2). The nonzero c_ω, s_ω of distinct classes {ω, −ω}
/// are orthogonal (the real Fourier basis), so the rank is Σ over the classes meeting Ω of
/// 2, or 1 for a self-conjugate ω: up to 2m, which is why a Fourier pattern of rate r can
/// carry about twice the information of a Walsh pattern of rate r. Complex x: F is
/// unitary, m orthonormal complex rows, rank 2m. ShapeError for an index ≥ N.
std::size_t real_measurements(Modality m, const Shape& shape, const std::vector<std::size_t>& omega, bool complex);

/// Weights w_(j) = √(s/s_j), s = Σ s_j, as rationals within θ of the true value
/// (sqrt_θ applied to the exact ratio: |w − √(s/s_j)| < θ), for each level j.
std::vector<Rational> level_weights(const std::vector<std::size_t>& s, const Rational& theta);

}  // namespace rigornet
