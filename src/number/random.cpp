#include "rigornet/number/random.hpp"

#include <cmath>

#include <mpfr.h>

#include "rigornet/core/error.hpp"

namespace rigornet {

std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
    if (bound == 0) throw DomainError("uniform_below: the bound must be at least 1");
    // accept x < limit = the largest multiple of bound ≤ 2^64, so x mod bound is uniform
    const std::uint64_t limit = std::uint64_t(0) - (std::uint64_t(0) - bound) % bound;  // 2^64 − (2^64 mod bound)
    for (;;) {
        const std::uint64_t x = rng();
        if (limit == 0 || x < limit) return x % bound;  // limit 0: bound divides 2^64
    }
}

long uniform_int(std::mt19937_64& rng, long lo, long hi) {
    if (lo > hi) throw DomainError("uniform_int: empty range");
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
    const std::uint64_t k = span == 0 ? rng() : uniform_below(rng, span);  // span 0: the whole 64-bit range
    return static_cast<long>(static_cast<std::uint64_t>(lo) + k);
}

double uniform_unit(std::mt19937_64& rng) { return std::ldexp(static_cast<double>(rng() >> 11), -53); }

namespace {
double log_nearest(double s) {
    mpfr_t t;
    mpfr_init2(t, 53);
    mpfr_set_d(t, s, MPFR_RNDN);
    mpfr_log(t, t, MPFR_RNDN);
    const double r = mpfr_get_d(t, MPFR_RNDN);
    mpfr_clear(t);
    return r;
}
}  // namespace

double StandardNormal::operator()(std::mt19937_64& rng) {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    for (;;) {
        const double u = 2.0 * uniform_unit(rng) - 1.0, v = 2.0 * uniform_unit(rng) - 1.0;
        const double s = u * u + v * v;
        if (s <= 0.0 || s >= 1.0) continue;
        const double f = std::sqrt(-2.0 * log_nearest(s) / s);  // sqrt is correctly rounded (IEEE)
        spare_ = v * f;
        has_spare_ = true;
        return u * f;
    }
}

}  // namespace rigornet
