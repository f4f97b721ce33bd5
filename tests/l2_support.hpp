// Helpers shared by the ℓ2-radius tests (network/evaluate_l2_test, cs/primal_dual_l2_test):
// small compressed-sensing problems with random measurements, the exact squared distance,
// and the overlap of two enclosures printed by the CLI.
#pragma once
#include <bit>
#include <string>
#include <vector>

#include "support.hpp"
#include "rigornet/cs/cs_problem.hpp"
#include "rigornet/imaging/image.hpp"

namespace rigornet::test {

/// Σ (a_i − b_i)² exactly, a the doubles, b exact rationals.
inline Rational dist2(const std::vector<double>& a, const std::vector<Rational>& b) {
    Rational s;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const Rational d = Rational::from_double(a[i]) - b[i];
        s += d * d;
    }
    return s;
}

struct SmallProblem {
    CsSetup setup;
    std::vector<Rational> y;
};

/// A problem on the n×n phantom's sparsity pattern (50 % sampling) with random
/// measurements y, multiples of 1/64 in [−1, 1] (any y is a valid network input); with
/// `thirds` every third is a multiple of 1/192 instead, not a binary64 number.
inline SmallProblem small_problem(std::size_t n, Modality m, unsigned salt, bool thirds = false) {
    const Shape shape({n, n});
    const int levels = std::countr_zero(n);
    const auto s = image_sparsities(shape, levels, shepp_logan(n).pixels);
    SmallProblem p{make_setup(shape, m, levels, sample_pattern(shape, m, s, 0.5, salt), s, true, Rational(1, 1 << 20)), {}};
    auto g = rng(salt);
    for (std::size_t i = 0; i < p.setup.measure->rows(); ++i)
        p.y.emplace_back(static_cast<long>(g() % 129) - 64, thirds && i % 3 == 0 ? 192 : 64);
    return p;
}

/// Whether two CLI enclosures [lo, hi] (decimal strings) of the same quantity overlap.
inline bool enclosures_overlap(const nlohmann::json& a, const nlohmann::json& b) {
    return std::stod(a[0].get<std::string>()) <= std::stod(b[1].get<std::string>()) &&
           std::stod(b[0].get<std::string>()) <= std::stod(a[1].get<std::string>());
}

}  // namespace rigornet::test
