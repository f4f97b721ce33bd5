// Dense exact rational matrices and their operator norms (rational_matrix.hpp).
#include "rigornet/linalg/rational_matrix.hpp"

#include <string>

#include <flint/fmpq_poly.h>
#include <flint/fmpz_poly.h>

#include "rigornet/number/arb.hpp"
#include "rigornet/core/error.hpp"

namespace rigornet {

RationalMatrix::RationalMatrix(std::size_t rows, std::size_t cols) {
    fmpq_mat_init(m_, static_cast<slong>(rows), static_cast<slong>(cols));
}
RationalMatrix::RationalMatrix(const RationalMatrix& o) {
    fmpq_mat_init(m_, fmpq_mat_nrows(o.m_), fmpq_mat_ncols(o.m_));
    fmpq_mat_set(m_, o.m_);
}
RationalMatrix::RationalMatrix(RationalMatrix&& o) noexcept {
    fmpq_mat_init(m_, 0, 0);
    fmpq_mat_swap(m_, o.m_);
}
RationalMatrix& RationalMatrix::operator=(RationalMatrix o) noexcept {
    fmpq_mat_swap(m_, o.m_);
    return *this;
}
RationalMatrix::~RationalMatrix() { fmpq_mat_clear(m_); }

RationalMatrix RationalMatrix::identity(std::size_t n) {
    RationalMatrix r(n, n);
    fmpq_mat_one(r.m_);
    return r;
}

Rational RationalMatrix::at(std::size_t i, std::size_t j) const {
    Rational r;
    fmpq_set(r.get(), fmpq_mat_entry(m_, i, j));
    return r;
}
void RationalMatrix::set(std::size_t i, std::size_t j, const Rational& v) { fmpq_set(fmpq_mat_entry(m_, i, j), v.get()); }

RationalMatrix operator*(const RationalMatrix& a, const RationalMatrix& b) {
    if (a.cols() != b.rows())
        throw ShapeError("matrix product " + std::to_string(a.rows()) + "x" + std::to_string(a.cols()) + " times " +
                         std::to_string(b.rows()) + "x" + std::to_string(b.cols()));
    RationalMatrix r(a.rows(), b.cols());
    fmpq_mat_mul(r.m_, a.m_, b.m_);
    return r;
}

RationalMatrix operator+(const RationalMatrix& a, const RationalMatrix& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols())
        throw ShapeError("matrix sum of sizes " + std::to_string(a.rows()) + "x" + std::to_string(a.cols()) + " and " +
                         std::to_string(b.rows()) + "x" + std::to_string(b.cols()));
    RationalMatrix r(a.rows(), a.cols());
    fmpq_mat_add(r.m_, a.m_, b.m_);
    return r;
}

RationalMatrix RationalMatrix::abs() const {
    RationalMatrix r(rows(), cols());
    for (std::size_t i = 0; i < rows(); ++i)
        for (std::size_t j = 0; j < cols(); ++j) fmpq_abs(fmpq_mat_entry(r.m_, i, j), fmpq_mat_entry(m_, i, j));
    return r;
}

RationalMatrix RationalMatrix::transpose() const {
    RationalMatrix r(cols(), rows());
    fmpq_mat_transpose(r.m_, m_);
    return r;
}

RationalMatrix RationalMatrix::keep_rows(const std::vector<bool>& mask) const {
    if (mask.size() != rows())
        throw ShapeError("row mask of size " + std::to_string(mask.size()) + " for " + std::to_string(rows()) + " rows");
    RationalMatrix r(*this);
    for (std::size_t i = 0; i < rows(); ++i)
        if (!mask[i])
            for (std::size_t j = 0; j < cols(); ++j) fmpq_zero(fmpq_mat_entry(r.m_, i, j));
    return r;
}

std::vector<Rational> RationalMatrix::apply(const std::vector<Rational>& x) const {
    return apply(x, std::vector<bool>(cols(), true));
}

std::vector<Rational> RationalMatrix::apply(const std::vector<Rational>& x, const std::vector<bool>& mask) const {
    if (x.size() != cols() || mask.size() != cols())
        throw ShapeError("matrix-vector product: " + std::to_string(rows()) + "x" + std::to_string(cols()) +
                         " matrix, vector of size " + std::to_string(x.size()) + ", mask of size " +
                         std::to_string(mask.size()));
    std::vector<Rational> y(rows());
    for (std::size_t i = 0; i < rows(); ++i)
        for (std::size_t j = 0; j < cols(); ++j)
            if (mask[j]) fmpq_addmul(y[i].get(), fmpq_mat_entry(m_, i, j), x[j].get());
    return y;
}

Rational norm_inf(const RationalMatrix& a) {
    Rational best, row, t;
    for (std::size_t i = 0; i < a.rows(); ++i) {
        fmpq_zero(row.get());
        for (std::size_t j = 0; j < a.cols(); ++j) {
            fmpq_abs(t.get(), fmpq_mat_entry(a.get(), i, j));
            row += t;
        }
        if (row > best) best = row;
    }
    return best;
}

Rational norm_1(const RationalMatrix& a) { return norm_inf(a.transpose()); }

Ball largest_eigenvalue_symmetric(const RationalMatrix& s, long prec) {
    if (s.rows() != s.cols() || !(s == s.transpose()))
        throw DomainError("largest_eigenvalue_symmetric: the matrix is not symmetric");
    const slong n = static_cast<slong>(s.rows());
    Ball result;
    if (n == 0) return result;  // empty spectrum: 0 by convention (norm of an empty map)
    fmpq_poly_t cp;
    fmpz_poly_t zp;
    fmpq_poly_init(cp);
    fmpz_poly_init(zp);
    fmpq_mat_charpoly(cp, s.get());
    // The roots of the integer polynomial den·cp are those of cp (den > 0 is a scalar).
    // Arb's isolation wants a squarefree polynomial without the root 0: divide by
    // gcd(p, p′) (same roots, each simple), then by the power of x (the eigenvalue 0,
    // which is then accounted for by starting the maximum at 0 when it was a root).
    fmpq_poly_get_numerator(zp, cp);
    fmpz_poly_t dp, g;
    fmpz_poly_init(dp);
    fmpz_poly_init(g);
    fmpz_poly_derivative(dp, zp);
    fmpz_poly_gcd(g, zp, dp);
    fmpz_poly_div(zp, zp, g);
    fmpz_poly_clear(dp);
    fmpz_poly_clear(g);
    bool zero_root = false;
    while (fmpz_poly_length(zp) > 1 && fmpz_is_zero(zp->coeffs)) {
        fmpz_poly_shift_right(zp, zp, 1);
        zero_root = true;
    }
    const slong deg = fmpz_poly_degree(zp);
    acb_ptr roots = _acb_vec_init(deg > 0 ? deg : 1);
    if (deg > 0) arb_fmpz_poly_complex_roots(roots, zp, 0, prec);
    if (deg <= 0 || zero_root) arb_zero(result.get());
    else arb_set(result.get(), acb_realref(roots + 0));
    for (slong k = 0; k < deg; ++k) arb_max(result.get(), result.get(), acb_realref(roots + k), prec);
    _acb_vec_clear(roots, deg > 0 ? deg : 1);
    fmpz_poly_clear(zp);
    fmpq_poly_clear(cp);
    return result;
}

Ball norm_2(const RationalMatrix& a, long prec, std::size_t exact_dim) {
    Ball r;
    if (a.rows() == 0 || a.cols() == 0) return r;
    const RationalMatrix gram = a.rows() < a.cols() ? a * a.transpose() : a.transpose() * a;
    if (gram.rows() > exact_dim) {
        Rational diag;
        for (std::size_t j = 0; j < gram.rows(); ++j)
            if (gram.at(j, j) > diag) diag = gram.at(j, j);
        Ball lo(diag, prec), hi(norm_inf(gram * gram), prec);
        arb_sqrt(lo.get(), lo.get(), prec);
        arb_sqrt(hi.get(), hi.get(), prec);
        arb_sqrt(hi.get(), hi.get(), prec);
        arb_union(r.get(), lo.get(), hi.get(), prec);
        return r;
    }
    r = largest_eigenvalue_symmetric(gram, prec);
    // λ_max ≥ 0 for a Gram matrix: clip the enclosure at 0 before the square root so
    // that a ball straddling 0 (λ_max = 0) stays finite.
    arb_nonnegative_part(r.get(), r.get());
    arb_sqrt(r.get(), r.get(), prec);
    return r;
}

}  // namespace rigornet
