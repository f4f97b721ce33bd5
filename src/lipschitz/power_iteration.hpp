// Private to the Lipschitz module: a floating-point top singular pair, used only to
// propose candidates (a direction for a witness pair, a level μ for a certificate);
// every value derived from it is re-proved in exact or ball arithmetic.
#pragma once
#include <cmath>
#include <cstddef>
#include <vector>

namespace rigornet::detail {

/// A top right singular vector v (unit, 200 power iterations on AᵀA) of the m×n
/// row-major matrix a, and σ ≈ ‖Av‖; the all-ones vector and σ = 0 when A ≈ 0.
struct SingularEstimate {
    std::vector<double> v;
    double sigma = 0;
};

inline SingularEstimate top_singular_pair(const std::vector<double>& a, std::size_t m, std::size_t n) {
    std::vector<double> v(n, 1.0), w(m);
    auto apply = [&] {
        for (std::size_t i = 0; i < m; ++i) {
            w[i] = 0;
            for (std::size_t k = 0; k < n; ++k) w[i] += a[i * n + k] * v[k];
        }
    };
    for (int it = 0; it < 200; ++it) {
        apply();
        double norm = 0;
        for (std::size_t k = 0; k < n; ++k) {
            v[k] = 0;
            for (std::size_t i = 0; i < m; ++i) v[k] += a[i * n + k] * w[i];
            norm += v[k] * v[k];
        }
        if (!(norm > 0) || !std::isfinite(norm)) return {std::vector<double>(n, 1.0), 0.0};
        for (double& t : v) t /= std::sqrt(norm);
    }
    apply();
    double s = 0;
    for (double t : w) s += t * t;
    return {v, std::sqrt(s)};
}

}  // namespace rigornet::detail
