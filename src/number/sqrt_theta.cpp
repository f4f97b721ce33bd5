#include "rigornet/number/sqrt_theta.hpp"

#include "rigornet/core/error.hpp"

namespace rigornet {

namespace {
constexpr long max_theta_bits = 10000000;
}

long theta_bits(const Rational& theta) {
    if (theta.sign() <= 0) throw DomainError("θ must be positive, got " + theta.str());
    if (theta >= Rational(1)) return 0;
    // k = ⌈log2(q/p)⌉ for θ = p/q < 1: start from the bit-length estimate, then correct.
    const fmpz* p = fmpq_numref(theta.get());
    const fmpz* q = fmpq_denref(theta.get());
    long k = static_cast<long>(fmpz_bits(q)) - static_cast<long>(fmpz_bits(p)) - 1;
    if (k < 0) k = 0;
    if (k > max_theta_bits + 2)  // refuse before building 2^k for an absurd θ
        throw ResourceError("θ = 2^-" + std::to_string(k) + " or smaller refused (k ≤ " +
                            std::to_string(max_theta_bits) + ")");
    // increase k until 2^−k ≤ θ, i.e. q ≤ p·2^k (at most two steps from the estimate)
    fmpz_t t;
    fmpz_init(t);
    for (;;) {
        fmpz_mul_2exp(t, p, static_cast<ulong>(k));
        if (fmpz_cmp(q, t) <= 0) break;
        ++k;
    }
    fmpz_clear(t);
    if (k > max_theta_bits)
        throw ResourceError("θ = 2^-" + std::to_string(k) + " or smaller refused (k ≤ " +
                            std::to_string(max_theta_bits) + ")");
    return k;
}

Rational sqrt_theta_bits(const Rational& x, long k) {
    if (x.sign() < 0) throw DomainError("sqrt_θ of negative number " + x.str());
    if (k < 0 || k > max_theta_bits) throw ResourceError("sqrt_θ precision out of range");
    fmpz_t n;
    fmpz_init(n);
    // N = ⌊p·4^k / q⌋
    fmpz_mul_2exp(n, fmpq_numref(x.get()), static_cast<ulong>(2 * k));
    fmpz_fdiv_q(n, n, fmpq_denref(x.get()));
    fmpz_sqrt(n, n);
    Rational r;
    fmpz_set(fmpq_numref(r.get()), n);
    fmpz_one(fmpq_denref(r.get()));
    fmpq_div_2exp(r.get(), r.get(), static_cast<ulong>(k));
    fmpz_clear(n);
    return r;
}

Rational sqrt_theta(const Rational& x, const Rational& theta) {
    return sqrt_theta_bits(x, theta_bits(theta));
}

Rational abs_theta(const Rational& re, const Rational& im, const Rational& theta) {
    return sqrt_theta(re * re + im * im, theta);
}

}  // namespace rigornet
