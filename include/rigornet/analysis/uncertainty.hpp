// rigornet — uncertainty propagation through a reconstruction network (DESIGN.md §12,
// seed 000): per-output standard deviations under white Gaussian noise on the network's
// input, predicted by the linearisation (reverse mode), estimated by Monte Carlo, and the
// Cramér–Rao floor of the measurement model.
//
// These are statistics of the floating-point model (DoubleArith), not certified bounds:
// every number here is an estimate. The noise model is y + e, e ~ N(0, σ² I_M), white on
// the M real values the network reads.
#pragma once
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "rigornet/network/evaluate.hpp"
#include "rigornet/linalg/operator.hpp"

namespace rigornet {

/// The linearised prediction: value = φ(y), std_k = σ‖e_kᵀ J_φ(y)‖₂.
/// Why: for e ~ N(0, σ²I), φ(y) + J e has covariance σ² J Jᵀ, whose k-th diagonal entry
/// is σ² times the squared norm of J's k-th row (the first-order term of φ(y + e)).
struct LinearizedStd {
    std::vector<double> value, std;
};

/// One ReverseTape forward pass and one pullback of e_k per output k (N backward passes:
/// row k of J is J_φ(y)ᵀ e_k). Kinks follow vjp's conventions. An estimate: floating
/// point, and exact only for affine φ. Cost guard: after every pass (the first one
/// included) the total time is projected as the mean time per pass so far × the number
/// of passes; ResourceError stating the projection when it exceeds max_seconds (so also
/// when the time runs out). progress(done, N) after every pass. DomainError unless σ ≥ 0 is finite;
/// ShapeError if y has the wrong size.
LinearizedStd linearized_std(const Network& net, std::span<const double> y, double sigma,
                             double max_seconds = std::numeric_limits<double>::infinity(),
                             const Progress& progress = {});

/// Monte Carlo over seeded noise draws: for s = 1…samples, e_s = σ·g_s with g_s the next
/// M StandardNormal draws on one mt19937_64(seed) stream (random.hpp: the same values on
/// every platform), and φ(y + e_s) in DoubleArith.
///  mean_k: the sample mean; std_k: √ of the unbiased sample variance (÷ (samples − 1));
///  std_error_k: the delta-method standard error of std_k, SE(s²)/(2s) with
///   SE(s²)² = (m4 − s⁴(n − 3)/(n − 1))/n (the variance of the sample variance, e.g.
///   Cramér, Mathematical Methods of Statistics, 1946, ch. 27, with the fourth central
///   moment m4 estimated from the draws; clamped at 0), 0 where s = 0. For Gaussian
///   outputs SE ≈ s/√(2(n − 1)).
/// Moments are accumulated about c = φ(y) (the noiseless output, near the mean), from which
/// the central moments follow exactly in real arithmetic. Estimates, with their errors.
/// Same cost guard and progress as linearized_std (per sample). DomainError unless
/// σ ≥ 0 is finite and samples ≥ 2.
struct MonteCarloStd {
    std::vector<double> mean, std, std_error;
    std::size_t samples = 0;
};
MonteCarloStd monte_carlo_std(const Network& net, std::span<const double> y, double sigma, std::size_t samples,
                              std::uint64_t seed, double max_seconds = std::numeric_limits<double>::infinity(),
                              const Progress& progress = {});

/// The Cramér–Rao floor for y = F x + e, e ~ N(0, σ²I) (F: M×N, the measurement map of
/// the signal the network outputs). The Fisher information is H = FᵀF/σ².
///  - rank F = N (full column rank): every unbiased estimator x̂ has Cov ⪰ σ²(FᵀF)⁻¹, so
///    std_k = σ√((FᵀF)⁻¹)_kk; identifiable_k = 1. Seed 000's lemma: a left inverse B
///    (BF = I) has BBᵀ ⪰ (FᵀF)⁻¹, with equality for the pseudo-inverse.
///  - rank F = r < N (compressed sensing, M < N, or repeated measurements such as the
///    realified DFT's conjugate pairs): FᵀF is singular and x itself has no unbiased
///    estimator (x + v, v ∈ ker F, gives the same data). What is identifiable is Px,
///    P = F⁺F the projection onto the row space; for it the bound holds with the
///    pseudo-inverse, Cov(P̂x) ⪰ σ²(FᵀF)⁺ (Stoica & Marzetta, IEEE TSP 49(1), 2001):
///    std_k = σ√((FᵀF)⁺)_kk, identifiable_k = P_kk ∈ [0, 1] (the squared length of e_k's
///    component in the row space; 1 iff pixel k is identifiable). The lemma generalises:
///    any B with BF = P has BBᵀ = F⁺F⁺ᵀ + CCᵀ ⪰ (FᵀF)⁺ (C = B − F⁺ has CF = 0, so
///    F⁺Cᵀ = (FᵀF)⁺(CF)ᵀ = 0).
/// How: F's dense double image (F applied to each unit vector in DoubleArith); rows R
/// spanning its row space chosen by modified Gram–Schmidt (a row is kept when the part of
/// it orthogonal to the rows kept has more than rank_tolerance of its squared norm: the
/// numerical rank r); then F = CR with C = FRᵀ(RRᵀ)⁻¹ and FᵀF = Rᵀ(CᵀC)R, whose
/// pseudo-inverse is R⁺(CᵀC)⁻¹R⁺ᵀ with R⁺ = Rᵀ(RRᵀ)⁻¹ (check: its product with FᵀF is
/// R⁺R = P both ways), so ((FᵀF)⁺)_kk = y_kᵀ(CᵀC)⁻¹y_k and P_kk = r_kᵀy_k with y_k the
/// k-th column of (RRᵀ)⁻¹R (Arb's floating-point solves, arb_mat_approx_solve at 53 bits).
/// Floating point throughout: estimates of the bound. computed = false with the reason in
/// `note` when min(M, N)·M·N > max_work (the default 1e9 is about a second, and a few
/// hundred MB of dense matrices at 1000×1000) or a solve finds a singular matrix; std and
/// identifiable are then empty. DomainError unless σ ≥ 0 is finite.
struct CramerRao {
    bool computed = false, full_column_rank = false;
    std::size_t rank = 0;
    std::vector<double> std, identifiable;
    std::string note;
};
CramerRao cramer_rao_std(const LinearOperator& F, double sigma, double max_work = 1e9, double rank_tolerance = 1e-12);

/// Complex outputs. A complex problem's network reads and writes (Re | Im): 2M real
/// inputs for M complex measurements, 2N real outputs for N complex unknowns. The noise
/// model of the functions above on those 2M reals is circular complex Gaussian noise
/// e_j = a_j + i b_j with a_j, b_j ~ N(0, σ²) independent: σ per real component, so
/// E|e_j|² = 2σ². Per complex entry x_k the functions below report the std of the
/// complex value, √E|x_k − E x_k|² = √(Var Re x_k + Var Im x_k): the root of the total
/// variance of the real and imaginary parts. Not the std of |x_k|: the modulus is not
/// smooth at 0 and biased for small entries, while the total variance is what the
/// linearisation, the sample variance and the Cramér–Rao trace all give additively.
/// Each takes the 2N-entry result of the real function and returns N entries; ShapeError
/// for an odd size.
///  - LinearizedStd: std_k = √(std_k² + std_{k+N}²) (σ²(‖J row k‖² + ‖J row k+N‖²), the
///    same first-order argument), value_k = |φ(y)_k|.
///  - MonteCarloStd: std_k from the two unbiased sample variances (their sum is unbiased
///    for the total variance), mean_k = |mean_k|, std_error_k = (s_re·SE_re + s_im·SE_im)/
///    std_k (the delta method for √(s_re² + s_im²) without assuming the two estimates
///    independent: the triangle inequality on the first-order error), 0 where std_k = 0.
///  - CramerRao (when computed): std_k = σ√(((FᵀF)⁺)_kk + ((FᵀF)⁺)_{k+N,k+N}), F the
///    real form: an unbiased estimator of the identifiable part has Cov ⪰ σ²(FᵀF)⁺, so
///    E|x̂_k − E x̂_k|², the sum of two diagonal entries of Cov, is at least the sum of
///    the bound's; identifiable_k the mean of the two parts' P_kk.
LinearizedStd complex_entries(const LinearizedStd& s);
MonteCarloStd complex_entries(const MonteCarloStd& s);
CramerRao complex_entries(const CramerRao& c);

/// How two per-pixel std maps agree, over the pixels where `mask` is true (all when
/// empty): Pearson correlation of a and b (NaN when either is constant there), the median
/// of a_k/b_k over those pixels with b_k > 0 (the mean of the middle two for an even
/// count; NaN when there is none), the fraction with a_k < b_k, and the pixel count.
/// ShapeError if the sizes differ.
struct StdAgreement {
    double correlation = 0, median_ratio = 0, fraction_below = 0;
    std::size_t pixels = 0;
};
StdAgreement compare_std(std::span<const double> a, std::span<const double> b, const std::vector<bool>& mask = {});

}  // namespace rigornet
