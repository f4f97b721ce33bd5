// Test helper: the NNet semantics evaluated directly (an oracle independent of the
// network construction in nnet_format.cpp).
#pragma once
#include <vector>

#include "rigornet/io/nnet_format.hpp"

namespace rigornet::test {

// The NNet semantics written directly (an independent evaluator, not the network
// construction): clip, normalise, ReLU layers, un-normalise.
inline std::vector<Rational> direct_nnet(const NNetFile& f, std::vector<Rational> x) {
    const std::size_t n = f.sizes.front();
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i] < f.input_min[i]) x[i] = f.input_min[i];
        if (x[i] > f.input_max[i]) x[i] = f.input_max[i];
        x[i] = (x[i] - f.mean[i]) / f.range[i];
    }
    for (std::size_t k = 0; k + 1 < f.sizes.size(); ++k) {
        std::vector<Rational> z(f.sizes[k + 1]);
        for (std::size_t i = 0; i < z.size(); ++i) {
            z[i] = f.biases[k][i];
            for (std::size_t j = 0; j < x.size(); ++j) z[i] += f.weights[k][i * x.size() + j] * x[j];
            if (k + 2 < f.sizes.size() && z[i].sign() < 0) z[i] = Rational(0);
        }
        x = std::move(z);
    }
    for (auto& v : x) v = v * f.range[n] + f.mean[n];
    return x;
}

}  // namespace rigornet::test
