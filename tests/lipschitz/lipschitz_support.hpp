// Helpers shared by the Lipschitz tests: small random rationals and random ReLU networks.
#pragma once
#include "../support.hpp"

namespace rigornet::test {

inline Rational small_rational(std::mt19937_64& g) {
    std::uniform_int_distribution<long> num(-6, 6), den(1, 4);
    return Rational(num(g), den(g));
}

// A random dense ReLU network: input 1…3, 1…3 hidden layers of width 1…4, output 1…2.
inline Network random_relu_network(std::mt19937_64& g, std::size_t max_in = 3, std::size_t max_out = 2) {
    std::uniform_int_distribution<std::size_t> in(1, max_in), width(1, 4), depth(1, 3), out(1, max_out);
    Network net(in(g));
    const std::size_t l = depth(g);
    for (std::size_t r = 0; r <= l; ++r) {
        const std::size_t w = net.widths().back(), rows = r == l ? out(g) : width(g);
        std::vector<Rational> a, c;
        for (std::size_t k = 0; k < rows * w; ++k) a.push_back(small_rational(g));
        for (std::size_t k = 0; k < rows; ++k) c.push_back(small_rational(g));
        net.add_affine(std::make_shared<DenseMatrix>(rows, w, a), nullptr, c);
        if (r < l) net.add_elementwise(Scalar::relu);
    }
    return net;
}

// A dense ReLU network with `inputs` inputs, hidden layers of the given widths and
// `outputs` outputs, weights small_rational/4 (so that wide layers keep moderate ranges).
inline Network wide_relu_network(std::mt19937_64& g, std::size_t inputs, const std::vector<std::size_t>& hidden,
                                 std::size_t outputs = 1) {
    Network net(inputs);
    std::vector<std::size_t> rows = hidden;
    rows.push_back(outputs);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const std::size_t cols = net.widths().back();
        std::vector<Rational> a, b;
        for (std::size_t k = 0; k < rows[r] * cols; ++k) a.push_back(small_rational(g) / Rational(4));
        for (std::size_t k = 0; k < rows[r]; ++k) b.push_back(small_rational(g));
        net.add_affine(std::make_shared<DenseMatrix>(rows[r], cols, a), nullptr, b);
        if (r + 1 < rows.size()) net.add_elementwise(Scalar::relu);
    }
    return net;
}

}  // namespace rigornet::test
