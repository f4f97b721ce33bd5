#include "rigornet/cs/measurement_noise.hpp"

#include <random>

#include "rigornet/core/error.hpp"
#include "rigornet/number/random.hpp"
#include "rigornet/number/sqrt_theta.hpp"

namespace rigornet {

NoisyMeasurements add_measurement_noise(const std::vector<Rational>& y, const Rational& level, std::uint64_t seed) {
    if (level.sign() < 0) throw DomainError("the noise level must be >= 0");
    NoisyMeasurements r{y, Ball()};
    if (level.is_zero()) return r;
    Rational y2, g2;
    for (auto& v : y) y2 += v * v;
    if (y2.is_zero()) throw DomainError("relative noise on zero measurements");
    std::mt19937_64 rng(seed);
    StandardNormal normal;
    std::vector<Rational> g;
    for (std::size_t i = 0; i < y.size(); ++i) {
        g.push_back(Rational::from_double(normal(rng)));
        g2 += g.back() * g.back();
    }
    // norms by sqrt_θ at 64 bits below their scale: relative errors ≤ 2^−60 each
    auto root = [](const Rational& x) {
        const long k = 64 - static_cast<long>(fmpz_bits(fmpq_numref(x.get()))) / 2 + static_cast<long>(fmpz_bits(fmpq_denref(x.get()))) / 2;
        return sqrt_theta_bits(x, std::max(k, 1L));
    };
    const Rational c = level * root(y2) / root(g2);
    Rational e2;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const Rational e = c * g[i];
        r.y[i] += e;
        e2 += e * e;
    }
    Ball b(e2, 128);
    arb_sqrtpos(r.noise_norm.get(), b.get(), 128);
    return r;
}

}  // namespace rigornet
