// rigornet — proved upper bounds on the ℓ2 operator norm of any LinearOperator the
// library builds (dense, sparse, structured transforms, compositions, adjoints, and the
// block operators of unrolled networks), without materialising a structured matrix.
#pragma once
#include "rigornet/linalg/structured.hpp"

namespace rigornet {

/// A rational U ≥ ‖M‖₂ (the largest singular value), proved:
///  - dense, sparse: norm_upper (below: the exact characteristic-polynomial
///    route of norm_2 for small matrices, else √(‖M‖₁‖M‖_∞); rounded up to 10 digits);
///  - walsh, haar: 1 (orthonormal, transforms.hpp); subsample: 1 (a coordinate
///    projection; 0 when it has no rows); fourier: 1 (‖P_Ω F‖ ≤ 1, transforms.hpp);
///    fourier-rational: 1 + error_bound() (‖A_n‖ ≤ ‖A‖ + ‖A_n − A‖);
///  - composition: the product of its factors' bounds (submultiplicativity);
///    adjoint: the inner operator's bound (‖Mᵀ‖₂ = ‖M‖₂);
///  - block: partition rows and columns at every boundary of a block's input slices and
///    output ranges; the bound N_IJ on each cell M_IJ is Σ |c|·‖op‖ over the block terms
///    touching the cell (a cell of one term is a submatrix of c·op, so its norm is
///    ≤ |c|‖op‖; triangle inequality over terms; an identity term touches a cell only
///    where its diagonal does). Then ‖M‖₂ ≤ ‖N‖₂ (for x split as (x_J):
///    ‖Mx‖² = Σ_I ‖Σ_J M_IJ x_J‖² ≤ Σ_I (Σ_J N_IJ ‖x_J‖)² = ‖Nξ‖², ξ_J = ‖x_J‖, ‖ξ‖ = ‖x‖),
///    and ‖N‖₂ is bounded by norm_upper of the small non-negative matrix N.
/// 0 only for an operator proved zero. Every operator type has its own case
/// (visit_operator): a new type fails to compile here until it is given a proved bound.
Rational operator_norm_upper(const LinearOperator& op);

/// A proved upper bound U ≥ ‖A‖₂ of the matrix with these entries (duplicates summed), as a short decimal rounded up (so
/// that U read exactly is still ≥ ‖A‖₂). Why it holds: U is the least of
///  (i) √(‖A‖₁‖A‖_∞), exact norms, square root rounded up (‖A‖₂² = ρ(AᵀA) ≤
///      ‖AᵀA‖₁ ≤ ‖Aᵀ‖₁‖A‖₁ = ‖A‖_∞‖A‖₁; Higham, Accuracy and Stability, Lemma 6.10), and
///  (ii) when min(rows, cols) ≤ exact_dim: the upper end of norm_2 (rational_matrix.hpp:
///      the exact characteristic polynomial of the Gram matrix, roots isolated by Arb),
///      which is tight to about 2^−prec relative.
/// 0 for the zero matrix.
Rational norm_upper(const std::vector<SparseEntry>& a, std::size_t rows, std::size_t cols, long prec = 128,
                    std::size_t exact_dim = 64);

}  // namespace rigornet
