// rigornet — seeded measurement noise of a relative ℓ2 level, as exact rationals, for
// noisy reconstruction experiments (y = Ax + e).
#pragma once
#include <cstdint>
#include <vector>

#include "rigornet/number/ball.hpp"

namespace rigornet {

struct NoisyMeasurements {
    std::vector<Rational> y;  // y + e, exact
    Ball noise_norm;          // encloses ‖e‖₂ (exactly the noise added)
};

/// y + e with e = c·g: g_i standard normal draws (StandardNormal on mt19937_64(seed):
/// the same values on every platform), each read exactly as the double it is, and the
/// rational c = level·‖y‖₂/‖g‖₂ with both norms replaced by sqrt_θ values (θ = 2^−64
/// relative to the scale), so ‖e‖₂ = level·‖y‖₂ up to a relative error below 2^−50; the
/// exact ‖e‖₂ is returned enclosed. level = 0 returns y unchanged. DomainError for a
/// negative level or for level > 0 with y = 0 (no scale to be relative to).
NoisyMeasurements add_measurement_noise(const std::vector<Rational>& y, const Rational& level, std::uint64_t seed);

}  // namespace rigornet
