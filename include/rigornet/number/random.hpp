// rigornet — portable pseudo-random draws for seeded experiments (random-relu tables,
// sample points, stability starts): the same values on every platform.
//
// std::mt19937_64's output sequence is fixed by the C++ standard ([rand.predef]: the
// 10000th output of a default-constructed engine is 9981545732273789042), but the
// standard distributions (uniform_int_distribution, normal_distribution, ...) are not:
// libstdc++, libc++ and MSVC turn the same engine output into different numbers. So
// rigornet draws through the transformations below, which use only the engine's output,
// IEEE-754 basic operations (correctly rounded everywhere) and MPFR's correctly rounded
// logarithm, never the platform's libm.
#pragma once
#include <cstdint>
#include <random>

namespace rigornet {

/// Uniform in [0, bound) for bound ≥ 1, unbiased: rejection of the top partial block
/// of 2^64 (at most one redraw in two on average).
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound);

/// Uniform in [lo, hi] (lo ≤ hi), by uniform_below(hi − lo + 1).
long uniform_int(std::mt19937_64& rng, long lo, long hi);

/// k·2^−53 with k uniform in [0, 2^53): a double uniform on a grid in [0, 1).
double uniform_unit(std::mt19937_64& rng);

/// A standard normal draw by Marsaglia's polar method: u, v = 2·uniform_unit − 1 until
/// 0 < s = u² + v² < 1, then u·√(−2 ln s / s), with ln rounded to nearest by MPFR (so the
/// value is the same on every platform). Odd draws return the cached v·√(−2 ln s / s) of
/// the same pair, as the method produces two independent normals per accepted pair.
class StandardNormal {
public:
    double operator()(std::mt19937_64& rng);

private:
    bool has_spare_ = false;
    double spare_ = 0.0;
};

}  // namespace rigornet
