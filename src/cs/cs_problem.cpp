#include "rigornet/cs/cs_problem.hpp"

#include <cmath>

namespace rigornet {

std::vector<std::size_t> image_sparsities(const Shape& shape, int levels, const std::vector<double>& x,
                                          double rel_threshold) {
    Haar W(shape, levels);
    std::vector<double> c(shape.size());
    W.apply(DoubleArith{}, x, c);
    return local_sparsities(c, W.coefficient_levels(), levels, rel_threshold);
}

std::vector<std::size_t> sample_pattern(const Shape& shape, Modality m, const std::vector<std::size_t>& s, double rate,
                                        std::uint64_t seed) {
    if (!(rate > 0.0 && rate <= 1.0)) throw DomainError("sampling rate must be in (0, 1], got " + std::to_string(rate));
    const Bands bands = tensor_bands(m, shape);
    const auto total = static_cast<std::size_t>(std::ceil(rate * static_cast<double>(shape.size())));
    return multilevel_sample(bands, band_counts(m, bands, s, total), seed);
}

OperatorPtr complexify(const OperatorPtr& op) {
    return std::make_shared<BlockOperator>(2 * op->rows(), 2 * op->cols(),
                                           std::vector<Block>{Block{{0}, {{0, Rational(1)}}, op, 0},
                                                              Block{{op->rows()}, {{op->cols(), Rational(1)}}, op, 0}});
}

CsSetup make_setup(const Shape& shape, Modality m, int levels, std::vector<std::size_t> omega,
                   std::vector<std::size_t> sparsities, bool weighted, const Rational& theta, long fourier_accuracy,
                   bool complex) {
    auto haar = std::make_shared<Haar>(shape, levels);
    OperatorPtr analysis = haar, synthesis = std::make_shared<AdjointView>(haar);
    if (complex) {
        analysis = complexify(analysis);
        synthesis = complexify(synthesis);
    }
    OperatorPtr sampled, network_sampled;
    Rational norm(1);
    if (m == Modality::walsh) {
        sampled = std::make_shared<Composition>(std::vector<OperatorPtr>{
            std::make_shared<Subsample>(shape.size(), omega), std::make_shared<WalshHadamard>(shape, WalshOrder::sequency)});
        if (complex) sampled = complexify(sampled);
        network_sampled = sampled;
    } else {
        sampled = network_sampled = std::make_shared<FourierSampling>(shape, omega, complex);
        if (fourier_accuracy > 0) {
            auto an = std::make_shared<FourierSamplingRational>(shape, omega, fourier_accuracy, complex);
            norm += an->error_bound();  // ‖A_n‖ ≤ ‖A‖ + ‖A_n − A‖ ≤ 1 + bound
            network_sampled = an;
        }
    }
    CsProblem pb{std::make_shared<Composition>(std::vector<OperatorPtr>{network_sampled, synthesis}), synthesis, {}, norm,
                 complex};
    // P_Ω U W⁻¹ has orthonormal rows when U is applied exactly and is real-to-real
    // (Walsh) or complex-to-complex; the realified real-input DFT does not.
    pb.A_orthonormal_rows = m == Modality::walsh || (complex && fourier_accuracy == 0);
    if (weighted) {
        const auto w = level_weights(sparsities, theta);
        for (int l : haar->coefficient_levels()) pb.weights.push_back(w.at(static_cast<std::size_t>(l - 1)));
    }
    return CsSetup{shape, m, haar, std::move(omega), std::move(sparsities), sampled, analysis, std::move(pb)};
}

}  // namespace rigornet
