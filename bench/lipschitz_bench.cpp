// make bench: K_1 by dynamic programme vs by the subset sum (ℓ = 10…30), and the exact
// Lipschitz constant by branch and bound against the unpruned region enumeration on the same
// networks (2 layers × 4…16 units on R^2; 10-w-w-3 Glorot networks on a box), as ratios.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "rigornet/lipschitz/lipschitz.hpp"

using namespace rigornet;

namespace {

template <class F>
double seconds(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A chain 1 → 2 → … → 2 → 1 with ℓ ReLU layers and weights k/8, k ∈ [−8, 8].
ReluChain narrow_chain(std::mt19937_64& g, std::size_t l) {
    std::uniform_int_distribution<long> k(-8, 8);
    ReluChain c;
    c.input_dim = 1;
    for (std::size_t r = 0; r <= l; ++r) {
        const std::size_t rows = r == l ? 1 : 2, cols = r == 0 ? 1 : 2;
        RationalMatrix w(rows, cols);
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) w.set(i, j, Rational(k(g), 8));
        c.weights.push_back(w);
        c.biases.emplace_back(rows);
    }
    return c;
}

// 2 inputs, two hidden layers of `width` units, 1 output; weights and biases k/8.
ReluChain two_layer_chain(std::mt19937_64& g, std::size_t width) {
    std::uniform_int_distribution<long> k(-8, 8);
    ReluChain c;
    c.input_dim = 2;
    const std::size_t dims[] = {2, width, width, 1};
    for (std::size_t r = 0; r < 3; ++r) {
        RationalMatrix w(dims[r + 1], dims[r]);
        std::vector<Rational> b(dims[r + 1]);
        for (std::size_t i = 0; i < dims[r + 1]; ++i) {
            b[i] = Rational(k(g), 8);
            for (std::size_t j = 0; j < dims[r]; ++j) w.set(i, j, Rational(k(g), 8));
        }
        c.weights.push_back(w);
        c.biases.push_back(b);
    }
    return c;
}

// A 10 → width → width → 3 chain with Glorot-uniform weights and biases (k/2^20 steps of
// ±√(6/(fan_in + fan_out))), the shape of LipBaB's SDnet networks.
ReluChain glorot_chain(std::mt19937_64& g, std::size_t width) {
    ReluChain c;
    c.input_dim = 10;
    const std::size_t dims[] = {10, width, width, 3};
    for (std::size_t r = 0; r < 3; ++r) {
        const double a = std::sqrt(6.0 / static_cast<double>(dims[r] + dims[r + 1]));
        std::uniform_int_distribution<long> k(-(1L << 20), 1L << 20);
        auto draw = [&] { return Rational::from_double(a * static_cast<double>(k(g)) / static_cast<double>(1L << 20)); };
        RationalMatrix w(dims[r + 1], dims[r]);
        std::vector<Rational> b(dims[r + 1]);
        for (std::size_t i = 0; i < dims[r + 1]; ++i) {
            b[i] = draw();
            for (std::size_t j = 0; j < dims[r]; ++j) w.set(i, j, draw());
        }
        c.weights.push_back(w);
        c.biases.push_back(b);
    }
    return c;
}

}  // namespace

int main() {
    std::mt19937_64 g(2024);
    std::printf("K_1, l-inf norm: subset sum (2^l terms) / dynamic programme (O(l^2) segment norms)\n");
    std::printf("%4s %14s %14s %12s\n", "l", "DP seconds", "subsets s", "ratio");
    for (std::size_t l = 10; l <= 30; l += 2) {
        const ReluChain c = narrow_chain(g, l);
        Rational dp, sub;
        const double t_dp = seconds([&] { dp = bound_k1_dp(c, LipNorm::linf, 64); });
        if (l <= 20) {
            const double t_sub = seconds([&] { sub = bound_k1_subsets(c, LipNorm::linf, 64); });
            if (sub != dp) {
                std::printf("MISMATCH at l = %zu\n", l);
                return 1;
            }
            std::printf("%4zu %14.6f %14.6f %12.0f\n", l, t_dp, t_sub, t_sub / t_dp);
        } else {
            std::printf("%4zu %14.6f %14s %12s\n", l, t_dp, "(skipped)", "-");
        }
    }
    std::printf("\nExact L (l-inf, R^2): branch and bound (pruned by the interval Jacobian) against the\n"
                "unpruned region enumeration on the same network; both exact, they must agree\n");
    std::printf("%6s %9s %9s %8s %6s %6s %12s %12s %8s\n", "width", "regions", "enum reg", "pruned", "LPs", "enum LPs", "B&B s", "enum s",
                "enum/B&B");
    for (std::size_t w = 4; w <= 16; w += 4) {
        const ReluChain c = two_layer_chain(g, w);
        std::optional<ExactLipschitz> bb, en;
        ExactLimits all;
        all.prune = false;
        const double t_bb = seconds([&] { bb = exact_lipschitz(c, Domain{}, LipNorm::linf, 64); });
        const double t_en = seconds([&] { en = exact_lipschitz(c, Domain{}, LipNorm::linf, 64, all); });
        if (!bb || !en || bb->value.upper != en->value.upper) {
            std::printf("MISMATCH at width %zu\n", w);
            return 1;
        }
        std::printf("%6zu %9zu %9zu %8zu %6zu %6zu %12.4f %12.4f %8.1f\n", w, bb->regions, en->regions, bb->pruned, bb->lps, en->lps, t_bb, t_en,
                    t_en / t_bb);
    }
    std::printf("\nExact L (l-inf) of 10-w-w-3 Glorot networks on [0, 0.1]^10: box and region branch and bound\n"
                "against the unpruned region enumeration of the same box; both exact, they must agree\n");
    std::printf("%6s %9s %9s %8s %6s %8s %12s %12s %8s\n", "width", "regions", "enum reg", "pruned", "LPs", "enum LPs", "B&B s", "enum s",
                "enum/B&B");
    Domain box;
    box.lo.assign(10, Rational(0));
    box.hi.assign(10, Rational(1, 10));
    for (std::size_t w = 8; w <= 26; w += 6) {
        const ReluChain c = glorot_chain(g, w);
        std::optional<ExactLipschitz> bb, en;
        ExactLimits all;
        all.prune = false;
        const double t_bb = seconds([&] { bb = exact_lipschitz(c, box, LipNorm::linf, 64); });
        const double t_en = seconds([&] { en = exact_lipschitz(c, box, LipNorm::linf, 64, all); });
        if (!bb || !en || !bb->complete() || !en->complete() || bb->value.upper != en->value.upper) {
            std::printf("MISMATCH at width %zu\n", w);
            return 1;
        }
        std::printf("%6zu %9zu %9zu %8zu %6zu %8zu %12.4f %12.4f %8.1f\n", w, bb->regions, en->regions, bb->pruned, bb->lps, en->lps, t_bb,
                    t_en, t_en / t_bb);
    }
    return 0;
}
