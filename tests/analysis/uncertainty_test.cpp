// Uncertainty propagation (uncertainty.hpp): the linearised std against exact row norms of
// a linear network and against finite differences on FIRENET, Monte Carlo within its own
// standard errors, the Cramér–Rao floor against exact rational inverses and seed 000's
// lemma (BBᵀ ⪰ (FᵀF)⁺ for every B with BF = P), and the agreement statistics.
#include <cmath>

#include <flint/fmpq_mat.h>

#include "../support.hpp"
#include "rigornet/linalg/operator_norm.hpp"
#include "rigornet/cs/cs_problem.hpp"
#include "rigornet/network/gradient.hpp"
#include "rigornet/imaging/image.hpp"
#include "rigornet/linalg/rational_matrix.hpp"
#include "rigornet/analysis/uncertainty.hpp"
#include "rigornet/cs/user_problem.hpp"

using namespace rigornet;
using rigornet::test::cases;
using rigornet::test::random_vector;

namespace {

// Small random integers and halves: entries of well-conditioned test matrices.
std::vector<Rational> small_entries(std::mt19937_64& g, std::size_t n) {
    std::uniform_int_distribution<long> d(-6, 6);
    std::vector<Rational> v;
    for (std::size_t i = 0; i < n; ++i) v.emplace_back(d(g), 1 + static_cast<long>(g() % 2));
    return v;
}

// The network y ↦ B y + c.
Network linear_network(std::size_t rows, std::size_t cols, const std::vector<Rational>& b,
                       const std::vector<Rational>& c) {
    Network net(cols);
    net.add_affine(std::make_shared<DenseMatrix>(rows, cols, b), nullptr, c);
    return net;
}

// σ‖row k of B‖₂ from the exact sum of squares (rounded once, then one sqrt).
std::vector<double> exact_row_std(const RationalMatrix& b, double sigma) {
    std::vector<double> s;
    for (std::size_t k = 0; k < b.rows(); ++k) {
        Rational q;
        for (std::size_t j = 0; j < b.cols(); ++j) q += b.at(k, j) * b.at(k, j);
        s.push_back(sigma * std::sqrt(q.to_double(Round::nearest)));
    }
    return s;
}

RationalMatrix matrix(std::size_t rows, std::size_t cols, const std::vector<Rational>& e) {
    RationalMatrix m(rows, cols);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) m.set(i, j, e[i * cols + j]);
    return m;
}

std::vector<Rational> entries(const RationalMatrix& m) {
    std::vector<Rational> e;
    for (std::size_t i = 0; i < m.rows(); ++i)
        for (std::size_t j = 0; j < m.cols(); ++j) e.push_back(m.at(i, j));
    return e;
}

bool close(double a, double b, double rel) { return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)); }

}  // namespace

TEST_CASE("uncertainty: for a linear network the linearised std is sigma times the row norms", "[uncertainty]") {
    auto g = rigornet::test::rng(801);
    for (int c = 0; c < cases(10); ++c) {
        const std::size_t rows = 1 + g() % 6, cols = 1 + g() % 7;
        const auto b = random_vector(g, rows * cols, 12);
        const Network net = linear_network(rows, cols, b, random_vector(g, rows, 8));
        std::vector<double> y(cols);
        for (auto& v : y) v = static_cast<double>(g() % 1000) / 100.0 - 5;
        const double sigma = 0.25;
        const LinearizedStd s = linearized_std(net, y, sigma);
        const auto want = exact_row_std(matrix(rows, cols, b), sigma);
        REQUIRE(s.std.size() == rows);
        for (std::size_t k = 0; k < rows; ++k) {
            INFO("case " << c << " row " << k << ": " << s.std[k] << " vs " << want[k]);
            CHECK(std::abs(s.std[k] - want[k]) <= 1e-12 * want[k]);
        }
    }
}

TEST_CASE("uncertainty: Monte Carlo on a linear network agrees within a few standard errors", "[uncertainty]") {
    auto g = rigornet::test::rng(802);
    const std::size_t rows = 6, cols = 4;
    const auto b = small_entries(g, rows * cols);
    const Network net = linear_network(rows, cols, b, small_entries(g, rows));
    const std::vector<double> y = {0.5, -1, 2, 0.25};
    const double sigma = 0.1;
    const auto want = exact_row_std(matrix(rows, cols, b), sigma);
    const MonteCarloStd mc = monte_carlo_std(net, y, sigma, 4000, 7);
    const std::vector<double> phi = evaluate(net, DoubleArith{}, std::span<const double>(y));
    for (std::size_t k = 0; k < rows; ++k) {
        INFO("row " << k << ": MC " << mc.std[k] << " +- " << mc.std_error[k] << ", exact " << want[k]);
        CHECK(std::abs(mc.std[k] - want[k]) <= 4 * mc.std_error[k]);
        // Gaussian output: the delta-method SE is near s/sqrt(2(n-1))
        CHECK(close(mc.std_error[k], mc.std[k] / std::sqrt(2.0 * 3999), 0.2));
        // the mean of a linear map of zero-mean noise is phi(y), within 4 standard errors of the mean
        CHECK(std::abs(mc.mean[k] - phi[k]) <= 4 * mc.std[k] / std::sqrt(4000.0));
    }
    // seeded: the same draws again, other draws for another seed
    const MonteCarloStd again = monte_carlo_std(net, y, sigma, 4000, 7),
                        other = monte_carlo_std(net, y, sigma, 4000, 8);
    CHECK(again.std == mc.std);
    CHECK(other.std != mc.std);
    CHECK_THROWS_AS(monte_carlo_std(net, y, sigma, 1, 7), DomainError);
    CHECK_THROWS_AS(linearized_std(net, y, -1.0), DomainError);
    CHECK_THROWS_AS(monte_carlo_std(net, y, sigma, 1000000, 7, 1e-9), ResourceError);
}

TEST_CASE("uncertainty: the tape's pullbacks are vjp's gradients bit for bit", "[uncertainty]") {
    auto g = rigornet::test::rng(803);
    for (int c = 0; c < cases(10); ++c) {
        const std::size_t m = 1 + g() % 4;
        const Network net = rigornet::test::random_network(g, m, 3);
        std::vector<double> y(m);
        for (auto& v : y) v = static_cast<double>(g() % 200) / 50.0 - 2;
        const ReverseTape tape(net, y);
        for (int k = 0; k < 3; ++k) {
            std::vector<double> w(tape.value().size());
            for (auto& v : w) v = static_cast<double>(g() % 9) - 4;
            const Vjp ref = vjp(net, y, w);
            CHECK(tape.pullback(w) == ref.gradient);
            CHECK(tape.value() == ref.value);
        }
    }
}

TEST_CASE("uncertainty: on a small FIRENET the linearised std equals a finite-difference Jacobian's", "[uncertainty]") {
    const Shape shape({8, 8});
    const Image truth = shepp_logan(8);
    const auto s = image_sparsities(shape, 3, truth.pixels);
    SolverParams p;
    p.restarts = 2;
    p.inner = 4;
    p.lambda = Rational(1, 100);
    CsSetup st =
        make_setup(shape, Modality::walsh, 3, sample_pattern(shape, Modality::walsh, s, 0.5, 3), s, true, p.theta);
    std::vector<double> y(st.measure->rows());
    st.measure->apply(DoubleArith{}, std::span<const double>(truth.pixels), std::span<double>(y));
    double n2 = 0;
    for (double v : y) n2 += v * v;
    p.eps0 = Rational::from_double(std::sqrt(n2) * 1.01);
    const Network net = build_unrolled(st.problem, p);
    const double sigma = 0.01;
    const LinearizedStd ad = linearized_std(net, y, sigma);
    // central differences, one input at a time: column j of J
    const std::size_t M = y.size(), N = ad.std.size();
    std::vector<double> sum(N, 0.0);
    const double h = 1e-6;
    for (std::size_t j = 0; j < M; ++j) {
        std::vector<double> yp = y, ym = y;
        yp[j] += h;
        ym[j] -= h;
        const auto fp = evaluate(net, DoubleArith{}, std::span<const double>(yp));
        const auto fm = evaluate(net, DoubleArith{}, std::span<const double>(ym));
        for (std::size_t k = 0; k < N; ++k) {
            const double d = (fp[k] - fm[k]) / (2 * h);
            sum[k] += d * d;
        }
    }
    double largest = 0;
    for (double v : ad.std) largest = std::max(largest, v);
    REQUIRE(largest > 0);
    for (std::size_t k = 0; k < N; ++k) {
        const double fd = sigma * std::sqrt(sum[k]);
        INFO("pixel " << k << ": autodiff " << ad.std[k] << ", finite differences " << fd);
        CHECK(std::abs(ad.std[k] - fd) <= 1e-6 * largest);
    }
}

TEST_CASE("uncertainty: Cramer-Rao for full column rank is sigma^2 diag((F^T F)^-1), and seed 000's lemma",
          "[uncertainty]") {
    auto g = rigornet::test::rng(804);
    for (int c = 0; c < cases(5); ++c) {
        const std::size_t M = 4 + g() % 4, N = 1 + g() % 4;
        const auto fe = small_entries(g, M * N);
        const RationalMatrix F = matrix(M, N, fe);
        const RationalMatrix Ft = F.transpose(), H = Ft * F;
        RationalMatrix Hinv(N, N);
        if (!fmpq_mat_inv(Hinv.get(), H.get())) continue;  // rank-deficient draw
        const RationalMatrix pinv = Hinv * Ft;             // F⁺ = (FᵀF)⁻¹Fᵀ
        const double sigma = 0.5;
        const DenseMatrix op(M, N, fe);
        const CramerRao cr = cramer_rao_std(op, sigma);
        REQUIRE(cr.computed);
        CHECK(cr.full_column_rank);
        CHECK(cr.rank == N);
        for (std::size_t k = 0; k < N; ++k) {
            const double want = sigma * std::sqrt(Hinv.at(k, k).to_double(Round::nearest));
            INFO("case " << c << " pixel " << k);
            CHECK(close(cr.std[k], want, 1e-10));
            CHECK(cr.identifiable[k] == Approx(1.0).epsilon(1e-12));
        }
        // the pseudo-inverse attains the bound; any other left inverse F⁺ + D(I − FF⁺) lies above it
        std::vector<double> y(M, 1.0);
        const auto at_pinv = linearized_std(linear_network(N, M, entries(pinv), std::vector<Rational>(N)), y, sigma);
        RationalMatrix D = matrix(N, M, small_entries(g, N * M)), I = RationalMatrix::identity(M),
                       minusFpinv = F * pinv;
        fmpq_mat_neg(minusFpinv.get(), minusFpinv.get());
        const RationalMatrix B = pinv + D * (I + minusFpinv);
        REQUIRE(B * F == RationalMatrix::identity(N));
        const auto at_B = linearized_std(linear_network(N, M, entries(B), std::vector<Rational>(N)), y, sigma);
        for (std::size_t k = 0; k < N; ++k) {
            CHECK(close(at_pinv.std[k], cr.std[k], 1e-10));
            CHECK(at_B.std[k] >= cr.std[k] * (1 - 1e-10));
        }
    }
}

TEST_CASE("uncertainty: Cramer-Rao of orthonormal and repeated rows (rank-deficient F)", "[uncertainty]") {
    // h0, h1: rows of the 4x4 Hadamard matrix over 2 (orthonormal, rational)
    const std::vector<Rational> h0 = {Rational(1, 2), Rational(1, 2), Rational(1, 2), Rational(1, 2)},
                                h1 = {Rational(1, 2), Rational(-1, 2), Rational(1, 2), Rational(-1, 2)};
    auto rows = [](std::vector<std::vector<Rational>> r) {
        std::vector<Rational> e;
        for (auto& v : r) e.insert(e.end(), v.begin(), v.end());
        return e;
    };
    const double sigma = 2;
    // F = [h0; h1]: FᵀF = P, the projection onto span(h0, h1), P_kk = 1/2 — the bound is σ√(1/2)
    const CramerRao a = cramer_rao_std(DenseMatrix(2, 4, rows({h0, h1})), sigma);
    REQUIRE(a.computed);
    CHECK_FALSE(a.full_column_rank);
    CHECK(a.rank == 2);
    // F = [h0; h0; h1] (h0 measured twice): FᵀF = 2h0h0ᵀ + h1h1ᵀ, (FᵀF)⁺ = h0h0ᵀ/2 + h1h1ᵀ, diagonal 1/8 + 1/4
    const CramerRao b = cramer_rao_std(DenseMatrix(3, 4, rows({h0, h0, h1})), sigma);
    REQUIRE(b.computed);
    CHECK(b.rank == 2);
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(close(a.std[k], sigma * std::sqrt(0.5), 1e-14));
        CHECK(a.identifiable[k] == Approx(0.5).epsilon(1e-14));
        CHECK(close(b.std[k], sigma * std::sqrt(0.375), 1e-14));
        CHECK(b.identifiable[k] == Approx(0.5).epsilon(1e-14));
    }
    const CramerRao none = cramer_rao_std(DenseMatrix(2, 4, rows({h0, h1})), sigma, 1.0);
    CHECK_FALSE(none.computed);
    CHECK(none.std.empty());
}

TEST_CASE("uncertainty: agreement statistics of two std maps", "[uncertainty]") {
    const std::vector<double> b = {1, 2, 3, 4, 0}, a = {2, 4, 6, 8, 1};
    StdAgreement s = compare_std(a, b);
    CHECK(s.pixels == 5);
    CHECK(s.median_ratio == 2);  // over the four pixels with b > 0: ratios 2, 2, 2, 2
    CHECK(s.fraction_below == 0);
    const std::vector<double> c = {0.5, 2, 1.5, 4, 0};  // ratios 0.5, 1, 0.5, 1
    s = compare_std(c, b);
    CHECK(s.median_ratio == 0.75);
    CHECK(s.fraction_below == Approx(0.4));
    s = compare_std(a, b, {true, true, false, false, false});
    CHECK(s.pixels == 2);
    CHECK(s.correlation == Approx(1.0));
    CHECK(std::isnan(compare_std(a, std::vector<double>(5, 1.0)).correlation));
    CHECK_THROWS_AS(compare_std(a, std::vector<double>(4, 1.0)), ShapeError);
}

TEST_CASE("uncertainty: Monte Carlo of a non-Gaussian output, relu(y + e) at y = 0, and the linearisation's blind spot",
          "[uncertainty]") {
    // φ(y) = relu(y) on R²: at y = (0, 1) the first output is σ·relu(g), with
    // Var = σ²(1/2 − 1/(2π)) (E relu(g)² = 1/2, E relu(g) = 1/√(2π)), and its fourth central
    // moment is not 3 Var² (not Gaussian), which the standard error's m4 accounts for
    Network net(2);
    net.add_elementwise(Scalar::relu);
    const std::vector<double> y = {0, 1};
    const double sigma = 0.5, pi = std::acos(-1.0);
    const MonteCarloStd mc = monte_carlo_std(net, y, sigma, 20000, 11);
    const double want0 = sigma * std::sqrt(0.5 - 1 / (2 * pi));
    INFO("MC " << mc.std[0] << " +- " << mc.std_error[0] << ", exact " << want0);
    CHECK(std::abs(mc.std[0] - want0) <= 4 * mc.std_error[0]);
    CHECK(std::abs(mc.mean[0] - sigma / std::sqrt(2 * pi)) <= 4 * mc.std[0] / std::sqrt(20000.0));
    // the second output is linear near y = 1 (relu(1 + e) = 1 + e unless e < −1, P ≈ 2.3 %)
    CHECK(std::abs(mc.std[1] - sigma) <= 4 * mc.std_error[1] + 0.02 * sigma);
    // the linearisation sees relu'(0) = 0: no noise at all through the kink
    const LinearizedStd ad = linearized_std(net, y, sigma);
    CHECK(ad.std[0] == 0);
    CHECK(ad.std[1] == sigma);
}

namespace {

// A random complex M×N matrix of small entries (re and im parts).
MatrixEntries random_complex(std::mt19937_64& g, std::size_t M, std::size_t N) {
    MatrixEntries a;
    a.rows = M;
    a.cols = N;
    a.complex = true;
    const auto re = small_entries(g, M * N), im = small_entries(g, M * N);
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            a.re.push_back({i, j, re[i * N + j]});
            a.im.push_back({i, j, im[i * N + j]});
        }
    return a;
}

}  // namespace

TEST_CASE("uncertainty, complex unknowns: autodiff agrees with Monte Carlo at low noise on a small FIRENET",
          "[uncertainty][uncertainty-complex]") {
    auto g = rigornet::test::rng(807);
    std::size_t rows = 0, cols = 0;
    auto a = real_form(random_complex(g, 6, 4), rows, cols);  // 12 × 8 real form
    const Rational L = norm_upper(a, rows, cols);
    const CsProblem pb = make_user_problem(std::move(a), rows, cols, true, L);
    SolverParams p;
    p.restarts = 2;
    p.inner = 5;
    p.lambda = Rational(1, 100);
    p.tau = p.sigma = primal_dual_step(L);
    p.eps0 = Rational(100);
    const Network net = build_unrolled(pb, p);
    std::vector<double> z(8, 0.0), y(12);
    z[1] = 1.5;
    z[6] = -0.75;  // entry 1 real, entry 2 imaginary
    pb.A->apply(DoubleArith{}, z, y);
    const double sigma = 1e-6;  // low noise: φ is linear over the draws (away from its kinks)
    const LinearizedStd ad = complex_entries(linearized_std(net, y, sigma));
    const MonteCarloStd mc = complex_entries(monte_carlo_std(net, y, sigma, 2000, 3));
    REQUIRE(ad.std.size() == 4);
    REQUIRE(mc.std.size() == 4);
    for (std::size_t k = 0; k < 4; ++k) {
        INFO("entry " << k << ": autodiff " << ad.std[k] << ", Monte Carlo " << mc.std[k] << " +- " << mc.std_error[k]);
        CHECK(ad.std[k] > 0);
        CHECK(std::abs(ad.std[k] - mc.std[k]) <= 4 * mc.std_error[k]);
    }
    // the complex std is the root of the summed variances of the two parts
    const LinearizedStd parts = linearized_std(net, y, sigma);
    CHECK(ad.std[2] == std::hypot(parts.std[2], parts.std[6]));
    CHECK_THROWS_AS(complex_entries(LinearizedStd{{1, 2, 3}, {1, 2, 3}}), ShapeError);
}

TEST_CASE("uncertainty, complex unknowns: Cramer-Rao is attained by the pseudo-inverse and below any unbiased estimator",
          "[uncertainty][uncertainty-complex]") {
    auto g = rigornet::test::rng(808);
    std::size_t rows = 0, cols = 0;
    const auto a = real_form(random_complex(g, 5, 3), rows, cols);  // 10 × 6 real form
    RationalMatrix F(rows, cols);
    for (const SparseEntry& e : a) F.set(e.row, e.col, F.at(e.row, e.col) + e.value);
    const RationalMatrix Ft = F.transpose(), H = Ft * F;
    RationalMatrix Hinv(cols, cols);
    REQUIRE(fmpq_mat_inv(Hinv.get(), H.get()));  // full column rank
    const RationalMatrix pinv = Hinv * Ft;
    RationalMatrix D = matrix(cols, rows, small_entries(g, cols * rows)), I = RationalMatrix::identity(rows),
                   minusFpinv = F * pinv;
    fmpq_mat_neg(minusFpinv.get(), minusFpinv.get());
    const RationalMatrix B = pinv + D * (I + minusFpinv);  // another left inverse: unbiased
    REQUIRE(B * F == RationalMatrix::identity(cols));
    const double sigma = 0.1;
    const CramerRao cr = complex_entries(cramer_rao_std(SparseMatrix(rows, cols, a), sigma));
    REQUIRE(cr.computed);
    REQUIRE(cr.std.size() == 3);
    const std::vector<double> y(rows, 1.0);
    const std::size_t n = 4000;
    const MonteCarloStd at_pinv =
        complex_entries(monte_carlo_std(linear_network(cols, rows, entries(pinv), std::vector<Rational>(cols)), y, sigma, n, 5));
    const MonteCarloStd at_B =
        complex_entries(monte_carlo_std(linear_network(cols, rows, entries(B), std::vector<Rational>(cols)), y, sigma, n, 6));
    for (std::size_t k = 0; k < 3; ++k) {
        INFO("entry " << k << ": CRLB " << cr.std[k] << ", MC(pinv) " << at_pinv.std[k] << " +- " << at_pinv.std_error[k]
                      << ", MC(B) " << at_B.std[k] << " +- " << at_B.std_error[k]);
        CHECK(std::abs(at_pinv.std[k] - cr.std[k]) <= 4 * at_pinv.std_error[k]);  // attained
        CHECK(cr.std[k] <= at_B.std[k] + 4 * at_B.std_error[k]);                  // a floor
        CHECK(cr.identifiable[k] == Approx(1.0).epsilon(1e-12));
    }
}
