// rigornet — a user's problem y = Az given as files (a matrix and a measurement vector),
// with a proved upper bound on ‖A‖₂ for the solvers' step sizes, and the SR-LASSO
// objective enclosed at a point (DESIGN.md §6).
#pragma once
#include <span>
#include <string>
#include <vector>

#include "rigornet/number/ball.hpp"
#include "rigornet/io/matrix_market.hpp"
#include "rigornet/cs/unrolled.hpp"

namespace rigornet {

/// A matrix file: Matrix Market when the name ends in ".mtx" (read_matrix_market), else
/// JSON (docs/formats.md, "Problem files"): a matrix object of the network format,
/// {"rows", "cols", "dense": [[...]...]} or {"rows", "cols", "sparse": [[i, j, "v"]...]}
/// (0-based), or {"real": MATRIX, "imag": MATRIX} of equal sizes for a complex matrix.
/// "data" may stand for "dense" (rows of values, or rows·cols values row by row) and
/// "entries" for "sparse".
/// Errors name the file and the line or JSON path (ParseError, ShapeError, ResourceError).
MatrixEntries read_problem_matrix(const std::string& path);

/// A vector file of `n` entries (n complex entries when `complex`, returned as (Re | Im),
/// 2n values): ".mtx" (an n×1 array or coordinate matrix), JSON (an array of rationals,
/// {"data": [...]}, or {"re": [...], "im": [...]}), or plain text (rationals separated by commas or
/// whitespace; real only). ShapeError naming the file when the length is not n; a
/// complex vector for a real problem is refused, a real one for a complex problem has
/// zero imaginary parts.
std::vector<Rational> read_problem_vector(const std::string& path, std::size_t n, bool complex);

/// The real form of A: A itself, or [Re −Im; Im Re] (2·rows × 2·cols) acting on
/// (Re z | Im z) when complex, so that it maps (Re z | Im z) to (Re Az | Im Az) and has the
/// same ℓ2 operator norm as the complex A (it is unitarily similar to A ⊕ conj(A)).
std::vector<SparseEntry> real_form(const MatrixEntries& a, std::size_t& rows, std::size_t& cols);

/// A problem for the unrolled solvers (build_unrolled): A from the entries (real form
/// when complex, CsProblem::complex set), the synthesis the identity (the unknowns are the
/// coefficients themselves), unit weights, and L_A = norm_A the proved `norm` ≥ ‖A‖₂.
CsProblem make_user_problem(std::vector<SparseEntry> a, std::size_t rows, std::size_t cols, bool complex,
                            const Rational& norm);

/// Primal–dual steps τ = σ = (1 − 10⁻⁴)/U for a proved U ≥ ‖A‖₂: then τσ‖A‖² ≤ τσU² =
/// (1 − 10⁻⁴)² < 1, the step condition of Chambolle–Pock. DomainError if U ≤ 0.
Rational primal_dual_step(const Rational& norm_upper);

/// Encloses the SR-LASSO objective F(z) = λ‖z‖_{1,w} + ‖Az − y‖₂ at every point of the
/// balls z (complex: |z_i| = √(Re² + Im²) per coordinate), computed by ball arithmetic
/// at prec bits (A applied by BallArith, each step keeps containment).
Ball sr_lasso_objective(const CsProblem& pb, const Rational& lambda, std::span<const Rational> y, std::span<const Ball> z,
                        long prec);

}  // namespace rigornet
