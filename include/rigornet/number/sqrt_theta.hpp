// rigornet — the θ-accurate square root sqrt_θ : Q≥0 → Q (DESIGN.md §3).
#pragma once
#include "rigornet/number/rational.hpp"

namespace rigornet {

/// k = ⌈log2(1/θ)⌉ clamped at 0: the least k ≥ 0 with 2^−k ≤ θ.
/// Throws DomainError for θ ≤ 0 and ResourceError for k > 10^7 (θ below 2^−10^7).
long theta_bits(const Rational& theta);

/// sqrt_θ(x) with k fractional bits: s/2^k with s = ⌊√⌊x·4^k⌋⌋ (exact integer square root).
///
/// Bound: 0 ≤ √x − s/2^k < 2^−k.
/// Proof: N = ⌊x·4^k⌋ satisfies N ≤ x·4^k < N + 1, and s = ⌊√N⌋ satisfies s² ≤ N < (s+1)²,
/// so s² ≤ x·4^k < (s+1)² (the last step because N+1 ≤ (s+1)² for integers); taking
/// square roots and dividing by 2^k gives s/2^k ≤ √x < (s+1)/2^k.
/// The result is dyadic: its numerator has about log2(√x) + k bits, independent of the
/// size of x's denominator (bit growth is controlled by θ alone).
/// Throws DomainError for x < 0. Exact; never rounds.
Rational sqrt_theta_bits(const Rational& x, long k);

/// sqrt_θ(x) = sqrt_theta_bits(x, theta_bits(θ)); |sqrt_θ(x) − √x| < 2^−k ≤ θ.
/// Throws DomainError for x < 0 or θ ≤ 0.
Rational sqrt_theta(const Rational& x, const Rational& theta);

/// |z| for z = re + i·im, to within θ: sqrt_θ(re² + im²), so ||z|θ − |z|| < θ
/// (the squared modulus is computed exactly, then the bound of sqrt_theta applies).
Rational abs_theta(const Rational& re, const Rational& im, const Rational& theta);

}  // namespace rigornet
