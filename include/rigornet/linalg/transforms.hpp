// rigornet — the measurement and sparsifying transforms of compressed sensing
// (DESIGN.md §5), as fast structured operators on d-dimensional arrays (row-major, every
// side a power of two). None materialises an N×N matrix.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "rigornet/linalg/operator.hpp"

namespace rigornet {

/// Sides of a d-dimensional array, each a power of two in [2, 2^24] (ShapeError
/// otherwise), at most 2^31 values in all (ResourceError otherwise).
struct Shape {
    std::vector<std::size_t> dims;
    explicit Shape(std::vector<std::size_t> d);
    std::size_t size() const;
    std::size_t rank() const { return dims.size(); }
};

enum class WalshOrder { natural, sequency };

/// The orthonormal d-dimensional Walsh–Hadamard transform U (entries ±1/√N, N = size),
/// rows in natural (Hadamard) or sequency order (row k of each 1-D factor has k sign
/// changes). U is symmetric and orthogonal, so adjoint = inverse. Exact when N is a
/// power of 4 (entries ±2^−e, e.g. ±1/n for n×n images): ExactArith then computes U x
/// exactly; otherwise the ExactArith and DualArith overloads throw DomainError (1/√N is
/// irrational) and balls enclose it. Fast transform: O(N log N) additions and one scaling.
class WalshHadamard final : public OperatorBase<WalshHadamard> {
public:
    WalshHadamard(Shape shape, WalshOrder order);
    std::size_t rows() const override { return shape_.size(); }
    std::size_t cols() const override { return shape_.size(); }
    std::string kind() const override { return "walsh"; }
    long max_entry_bits() const override { return 0; }
    std::size_t stored_entries() const override { return 0; }
    const Shape& shape() const { return shape_; }
    WalshOrder order() const { return order_; }
    /// Normwise bound of the butterflies actually run (double_error.hpp): L = log2 N
    /// stages, each √2 times an orthogonal map (I ⊗ [[1,1],[1,−1]] ⊗ I along one axis),
    /// each entry rounded once (|f| ≤ u·|exact stage output|, so ‖f‖ ≤ u·√2‖ẑ‖), then
    /// the scaling by 2^(−L/2): exact for even L up to underflow (η per entry), for odd L
    /// by ŝ = fl(√½)·2^(−⌊L/2⌋) with |ŝ − s| ≤ u·s, so the stage error is ≤ (2u + u²)s‖ẑ‖
    /// + √N·η. ErrorChain composes the stages; the result is about
    /// ‖fl(Ux̂) − Ux̂‖ ≤ (L + 2)u‖x̂‖, against √N-fold growth of componentwise radii.
    /// The permutation to sequency order is exact. Holds for the adjoint (= apply).
    DoubleErrorBound double_error_bound() const override;

    template <class Arith>
    void apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                    std::span<typename Arith::value_type> y) const;
    template <class Arith>
    void adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                      std::span<typename Arith::value_type> x) const {
        apply_impl(ar, y, x);  // symmetric
    }

private:
    Shape shape_;
    WalshOrder order_;
    std::vector<std::vector<std::size_t>> perm_;  // per axis: sequency index → natural index
};

/// The orthonormal periodic Haar wavelet transform W with `levels` levels (analysis:
/// apply = W, adjoint = W⁻¹ = Wᵀ). Coefficients in the usual nested layout: the
/// coarse block [0, n_a/2^levels) per axis first. Each level multiplies by 2^(−d/2):
/// exact for even d (e.g. images, factor 1/2 per level), DomainError under ExactArith
/// and DualArith for odd d. 1 ≤ levels ≤ log2(smallest side).
class Haar final : public OperatorBase<Haar> {
public:
    Haar(Shape shape, int levels);
    std::size_t rows() const override { return shape_.size(); }
    std::size_t cols() const override { return shape_.size(); }
    std::string kind() const override { return "haar"; }
    long max_entry_bits() const override { return 0; }
    std::size_t stored_entries() const override { return 0; }
    const Shape& shape() const { return shape_; }
    int levels() const { return levels_; }
    /// Normwise bound (double_error.hpp): each level is an orthogonal map (identity
    /// outside the coarse box; on it d butterfly stages, each √2 times orthogonal with one
    /// rounding per entry, and the scaling 2^(−d/2), exact for even d up to underflow,
    /// else within (2u + u²) relatively, as for WalshHadamard); a level's error is the
    /// box chain's, ≤ ε_lev‖ẑ‖ + √N·η, and the levels chain with t = 1. The adjoint runs
    /// the stages of a level in the opposite order (scaling first): the larger of the
    /// two chains is returned.
    DoubleErrorBound double_error_bound() const override;
    /// Sparsity level (1 = coarsest … levels) of each coefficient: the largest over the
    /// axes of the 1-D level, where index i has level 1 if i < 2c, else ⌊log2(i/c)⌋ + 1,
    /// c = n/2^levels. These are the (s, M) levels of seed 003.
    std::vector<int> coefficient_levels() const;

    RIGORNET_OPERATOR_TEMPLATES

private:
    Shape shape_;
    int levels_;
};

/// P_Ω : R^N → R^m, (P_Ω x)_k = x_{Ω_k}; adjoint scatters back (zeros elsewhere). Exact.
/// Ω must hold distinct indices < N (ShapeError otherwise).
class Subsample final : public OperatorBase<Subsample> {
public:
    Subsample(std::size_t n, std::vector<std::size_t> omega);
    std::size_t rows() const override { return omega_.size(); }
    std::size_t cols() const override { return n_; }
    std::string kind() const override { return "subsample"; }
    long max_entry_bits() const override { return 1; }
    std::size_t stored_entries() const override { return omega_.size(); }
    const std::vector<std::size_t>& omega() const { return omega_; }
    /// Copies (apply) and copies with zeros (adjoint): exact, norm 1.
    DoubleErrorBound double_error_bound() const override { return DoubleErrorBound::exact_isometry(); }

    RIGORNET_OPERATOR_TEMPLATES

private:
    std::size_t n_;
    std::vector<std::size_t> omega_;
};

/// Subsampled orthonormal d-dimensional DFT, realified:
/// x ∈ R^N ↦ (Re (F x)_Ω, Im (F x)_Ω) ∈ R^{2m}, (F x)_ω = N^{−1/2} Σ_t x_t e^{−2πi⟨ω,t/n⟩}.
/// Adjoint (real inner products): (a, b) ↦ Re F*(P_Ωᵀ(a + i b)). Its norm is ≤ 1:
/// the map is P_Ω F, F unitary and P_Ω a coordinate projection, so ‖P_Ω F z‖ ≤ ‖z‖
/// for complex z; realification is an isometry C^m → R^{2m}, and restricting to real
/// inputs (a subspace) cannot increase the norm.
/// With complex_input the signal is complex, given as (Re x, Im x) ∈ R^{2N}, and the
/// adjoint returns (Re, Im) of F*(P_Ωᵀ(a + i b)).
/// Double: FFTW. Ball: Arb's acb_dft along each axis, enclosing the exact transform
/// (precomputations cached per precision). TrackedDoubleArith: the same FFTW
/// computation on the .v parts (bit-identical to double) with err = +∞ on every output,
/// TrackedDouble's "no claim": the FFT's rounding is not tracked. For the same reason
/// double_error_bound() makes no claim (FFTW's algorithm is chosen at plan time and has
/// no published error bound to cite), so evaluate_l2 falls back to balls. The entries are
/// irrational: ExactArith throws DomainError (use balls, or FourierSamplingRational),
/// and so does DualArith (not on the FFT path).
class FourierSampling final : public OperatorBase<FourierSampling> {
public:
    FourierSampling(Shape shape, std::vector<std::size_t> omega, bool complex_input = false);
    ~FourierSampling() override;
    std::size_t rows() const override { return 2 * omega_.size(); }
    std::size_t cols() const override { return complex_ ? 2 * shape_.size() : shape_.size(); }
    bool complex_input() const { return complex_; }
    std::string kind() const override { return "fourier"; }
    long max_entry_bits() const override { return 0; }
    std::size_t stored_entries() const override { return 0; }
    const Shape& shape() const { return shape_; }
    const std::vector<std::size_t>& omega() const { return omega_; }

    RIGORNET_OPERATOR_TEMPLATES

private:
    Shape shape_;
    std::vector<std::size_t> omega_;
    bool complex_;
    struct Plans;
    std::unique_ptr<Plans> plans_;
};

/// A_n: the realified subsampled orthonormal DFT of FourierSampling computed by an
/// exact radix-2 FFT whose twiddle factors are rounded to dyadic rationals with b
/// fractional bits. A_n is a fixed *rational* matrix, so networks using it evaluate
/// exactly (ExactArith), and it is chosen so that ‖A_n − A‖₂ ≤ 2^−accuracy.
/// Proof of the bound (error_bound() returns the right-hand side, an exact rational):
/// the unnormalised DIT FFT of length n = 2^L is F = S_L ⋯ S_1 P with P a permutation
/// and each stage S_l a direct sum of 2×2 blocks [[1, ω], [1, −ω]] (|ω| = 1), so
/// ‖S_l‖₂ = √2. Rounding re and im of ω to 2^−b gives |ω̃ − ω| ≤ ε = √2·2^−b,
/// ‖S̃_l − S_l‖₂ ≤ √2ε and ‖S̃_l‖₂ ≤ √2(1 + ε); telescoping the product,
/// ‖F̃ − F‖₂ ≤ L·√2ε·(√2(1+ε))^(L−1), i.e. η = L·ε·(1+ε)^(L−1) after the scaling
/// n^(−1/2) (exact: 2^(−L/2) multiplies both). For a d-dimensional transform (a
/// Kronecker product of 1-D ones with ‖F_a‖ = 1, ‖F̃_a‖ ≤ 1 + η_a):
/// ‖⊗F̃_a − ⊗F_a‖ ≤ Π(1 + η_a) − 1. Restricting to real input, subsampling and
/// realifying do not increase the norm. b is the least value making this ≤ 2^−accuracy.
/// complex_input as for FourierSampling.
/// The overall scaling N^(−1/2) is rational only when N is a power of 4 (e.g. n×n
/// images); otherwise ExactArith and DualArith throw DomainError. Cost O(N log N) per
/// application.
class FourierSamplingRational final : public OperatorBase<FourierSamplingRational> {
public:
    FourierSamplingRational(Shape shape, std::vector<std::size_t> omega, long accuracy, bool complex_input = false);
    std::size_t rows() const override { return 2 * omega_.size(); }
    std::size_t cols() const override { return complex_ ? 2 * shape_.size() : shape_.size(); }
    bool complex_input() const { return complex_; }
    std::string kind() const override { return "fourier-rational"; }
    long max_entry_bits() const override { return twiddles_.front()->max_bits(); }
    std::size_t stored_entries() const override;
    const Shape& shape() const { return shape_; }
    const std::vector<std::size_t>& omega() const { return omega_; }
    long accuracy() const { return accuracy_; }
    long twiddle_bits() const { return bits_; }
    /// The proved bound on ‖A_n − A‖₂ (≤ 2^−accuracy), as an exact rational.
    const Rational& error_bound() const { return bound_; }

    RIGORNET_OPERATOR_TEMPLATES

private:
    template <class Arith>
    void transform(const Arith& ar, std::vector<typename Arith::value_type>& re,
                   std::vector<typename Arith::value_type>& im, bool adjoint) const;
    Shape shape_;
    std::vector<std::size_t> omega_;
    long accuracy_, bits_ = 0;
    bool complex_;
    Rational bound_;
    // per axis: cos(2πj/n) and −sin(2πj/n) (the twiddle e^(−2πij/n)) for j < n/2, rounded
    std::vector<std::shared_ptr<const EntryCache>> twiddles_;  // [cos…, −sin…] per axis
};

}  // namespace rigornet
