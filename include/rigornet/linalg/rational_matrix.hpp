// rigornet — dense exact rational matrices (RAII over FLINT's fmpq_mat_t) for analysis
// code that multiplies whole matrices (Lipschitz bounds), and their operator norms:
// ‖·‖_1 and ‖·‖_∞ exactly, ‖·‖_2 enclosed in a ball.
#pragma once
#include <cstddef>
#include <vector>

#include <flint/fmpq_mat.h>

#include "rigornet/number/ball.hpp"

namespace rigornet {

/// A rows×cols matrix of exact rationals (zero-initialised). Products are exact.
class RationalMatrix {
public:
    RationalMatrix(std::size_t rows, std::size_t cols);
    RationalMatrix(const RationalMatrix& o);
    RationalMatrix(RationalMatrix&& o) noexcept;
    RationalMatrix& operator=(RationalMatrix o) noexcept;
    ~RationalMatrix();
    static RationalMatrix identity(std::size_t n);

    std::size_t rows() const { return static_cast<std::size_t>(fmpq_mat_nrows(m_)); }
    std::size_t cols() const { return static_cast<std::size_t>(fmpq_mat_ncols(m_)); }
    Rational at(std::size_t i, std::size_t j) const;
    void set(std::size_t i, std::size_t j, const Rational& v);
    fmpq_mat_struct* get() { return m_; }
    const fmpq_mat_struct* get() const { return m_; }

    /// Exact product; ShapeError if the inner sizes differ.
    friend RationalMatrix operator*(const RationalMatrix& a, const RationalMatrix& b);
    /// Exact sum; ShapeError if the sizes differ.
    friend RationalMatrix operator+(const RationalMatrix& a, const RationalMatrix& b);
    friend bool operator==(const RationalMatrix& a, const RationalMatrix& b) { return fmpq_mat_equal(a.m_, b.m_); }
    /// Entrywise absolute value A^abs, (A^abs)_ij = |A_ij|.
    RationalMatrix abs() const;
    RationalMatrix transpose() const;
    /// D·A where D = diag(mask) with mask entries 0/1 (rows of A kept where mask is 1).
    RationalMatrix keep_rows(const std::vector<bool>& mask) const;
    /// A·x, exact; ShapeError if x.size() ≠ cols().
    std::vector<Rational> apply(const std::vector<Rational>& x) const;
    /// A·D·x where D = diag(mask) (columns of A used where mask is 1), exact; ShapeError
    /// if x or mask has not cols() entries.
    std::vector<Rational> apply(const std::vector<Rational>& x, const std::vector<bool>& mask) const;

private:
    fmpq_mat_t m_;
};

/// ‖A‖_1 = max_j Σ_i |A_ij| (operator norm of ℓ1), exact.
Rational norm_1(const RationalMatrix& a);
/// ‖A‖_∞ = max_i Σ_j |A_ij| (operator norm of ℓ∞), exact.
Rational norm_inf(const RationalMatrix& a);

/// A ball containing ‖A‖_2 = σ_max(A) (the ℓ2 operator norm).
/// Why it holds: σ_max² is the largest eigenvalue of the Gram matrix G = AᵀA (or AAᵀ,
/// whichever is smaller; the non-zero spectra agree). The characteristic polynomial of
/// G is computed exactly (FLINT fmpq_mat_charpoly), made integral, made squarefree by
/// dividing by gcd(p, p′) (same roots, each simple), stripped of its factor x^k (the
/// eigenvalue 0, kept as the start of the maximum), and all its roots are isolated by Arb
/// (arb_fmpz_poly_complex_roots). G is symmetric positive semidefinite,
/// so every root is real and ≥ 0; the largest real part over the root enclosures
/// encloses λ_max, and its square root encloses σ_max. Exact for the zero matrix (0).
/// The radius is about 2^−prec relative. Never uses power iteration.
/// Above `exact_dim` (the Gram matrix's size), factoring the characteristic polynomial
/// gets slow; the ball is then the proved but wider interval
/// [√(max_j G_jj), ‖G²‖_∞^{1/4}]: a diagonal entry of a PSD matrix is ≤ λ_max, and
/// λ_max² = λ_max(G²) ≤ ‖G²‖_∞ (every induced norm bounds the spectral radius).
Ball norm_2(const RationalMatrix& a, long prec, std::size_t exact_dim = 24);

/// A ball containing the largest eigenvalue of the symmetric matrix S (exact entries),
/// by the same exact-characteristic-polynomial route as norm_2. DomainError if S is not
/// symmetric.
Ball largest_eigenvalue_symmetric(const RationalMatrix& s, long prec);

}  // namespace rigornet
