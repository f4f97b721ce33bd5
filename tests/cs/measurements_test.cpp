// real_measurements against the numerical rank of the measurement matrix, and the Walsh
// phantom reconstruction at the real measurement count of a Fourier pattern.
#include <algorithm>
#include <cmath>

#include "../support.hpp"
#include "rigornet/cs/cs_problem.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/imaging/image.hpp"
#include "rigornet/cs/unrolled.hpp"

using namespace rigornet;

namespace {

// Rank of a dense rows×cols matrix by Gaussian elimination with partial pivoting; the
// matrices here have orthogonal rows or exact duplicates, so a tolerance of 1e−9 on
// pivots of size ~N^−1/2 separates the two cleanly.
std::size_t numeric_rank(std::vector<std::vector<double>> a) {
    std::size_t rank = 0;
    const std::size_t cols = a.empty() ? 0 : a[0].size();
    for (std::size_t c = 0; c < cols && rank < a.size(); ++c) {
        std::size_t piv = rank;
        for (std::size_t r = rank; r < a.size(); ++r)
            if (std::abs(a[r][c]) > std::abs(a[piv][c])) piv = r;
        if (std::abs(a[piv][c]) < 1e-9) continue;
        std::swap(a[piv], a[rank]);
        for (std::size_t r = rank + 1; r < a.size(); ++r) {
            const double f = a[r][c] / a[rank][c];
            for (std::size_t k = c; k < cols; ++k) a[r][k] -= f * a[rank][k];
        }
        ++rank;
    }
    return rank;
}

// The matrix of a sampling operator (rows: measurements, cols: real unknowns), column by
// column from unit vectors.
std::vector<std::vector<double>> matrix_of(const LinearOperator& op) {
    std::vector<std::vector<double>> m(op.rows(), std::vector<double>(op.cols()));
    std::vector<double> e(op.cols()), col(op.rows());
    for (std::size_t j = 0; j < op.cols(); ++j) {
        e.assign(op.cols(), 0.0);
        e[j] = 1.0;
        op.apply(DoubleArith{}, e, col);
        for (std::size_t i = 0; i < op.rows(); ++i) m[i][j] = col[i];
    }
    return m;
}

}  // namespace

TEST_CASE("real_measurements is the rank of the sampling map (Fourier: conjugate pairs count once)", "[sampling]") {
    auto g = rigornet::test::rng(1301);
    for (const Shape& shape : {Shape({8}), Shape({4, 8}), Shape({8, 8})}) {
        const std::size_t N = shape.size();
        std::uniform_int_distribution<std::size_t> count(1, N);
        for (int trial = 0; trial < 12; ++trial) {
            std::vector<std::size_t> all(N);
            for (std::size_t i = 0; i < N; ++i) all[i] = i;
            std::shuffle(all.begin(), all.end(), g);
            std::vector<std::size_t> omega(all.begin(), all.begin() + static_cast<long>(count(g)));
            std::sort(omega.begin(), omega.end());
            for (bool complex : {false, true}) {
                INFO("N = " << N << ", m = " << omega.size() << ", complex " << complex);
                CHECK(real_measurements(Modality::fourier, shape, omega, complex) ==
                      numeric_rank(matrix_of(FourierSampling(shape, omega, complex))));
            }
            CHECK(real_measurements(Modality::walsh, shape, omega, false) == omega.size());
        }
    }
    CHECK_THROWS_AS(real_measurements(Modality::fourier, Shape({4}), {4}, false), ShapeError);
}

// At 64² the Fourier pattern of rate 50 % carries 2739 independent real measurements (its
// complex samples give Re and Im, conjugate pairs excepted). With as many Walsh samples
// (rate 0.67) FIRENET recovers the phantom to ~1e−3 with the default 5 restarts (4e−10
// with 20): Walsh is not worse than Fourier per real measurement; at 30 % and 50 % its
// samples (1229, 2048) are fewer, and the finest Haar level, decoupled from the others by
// the Walsh–Haar block structure, falls below the l1 phase transition (basis pursuit gives
// the same errors, 0.33 and 0.06).
TEST_CASE("Walsh FIRENET at 64x64 with the real measurement count of Fourier's 50 % pattern", "[unrolled]") {
    const std::size_t n = 64;
    const Shape shape({n, n});
    const std::vector<double> x = shepp_logan(n).pixels;
    const auto s = image_sparsities(shape, 6, x);
    const std::size_t fourier_real =
        real_measurements(Modality::fourier, shape, sample_pattern(shape, Modality::fourier, s, 0.5, 1), false);
    CHECK(fourier_real > n * n / 2 + n * n / 8);  // well over the 2048 complex samples' count
    const double rate = static_cast<double>(fourier_real) / static_cast<double>(n * n);
    CsSetup st = make_setup(shape, Modality::walsh, 6, sample_pattern(shape, Modality::walsh, s, rate, 1), s, true,
                            Rational(1, 1 << 20));
    CHECK(st.omega.size() >= fourier_real);
    std::vector<double> y(st.measure->rows());
    st.measure->apply(DoubleArith{}, x, y);
    SolverParams pr;
    pr.lambda = Rational(1, 250);
    double ny = 0;
    for (double v : y) ny += v * v;
    pr.eps0 = Rational::from_double(std::sqrt(ny));
    const Network net = build_unrolled(st.problem, pr);
    const auto rec = evaluate(net, DoubleArith{}, std::span<const double>(y));
    double err = 0, nx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        err += (rec[i] - x[i]) * (rec[i] - x[i]);
        nx += x[i] * x[i];
    }
    INFO("relative error " << std::sqrt(err / nx));
    CHECK(std::sqrt(err / nx) < 1e-2);
}
