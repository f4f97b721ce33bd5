#include "rigornet/linalg/operator.hpp"

#include <flint/fmpq_mat.h>
#include <flint/fmpq_vec.h>
#include <flint/fmpz_mat.h>
#include <flint/fmpz_vec.h>

#include <algorithm>

namespace rigornet {

static_assert(sizeof(Ball) == sizeof(arb_struct), "Ball must be layout-compatible with arb_struct");

// ---------------------------------------------------------------- dense

static_assert(sizeof(Rational) == sizeof(fmpq), "Rational must be layout-compatible with fmpq");

struct DenseMatrix::IntegerRows {
    fmpz_mat_t num;
    fmpz* den;
    IntegerRows(const std::vector<Rational>& e, std::size_t rows, std::size_t cols) {
        fmpq_mat_t q;
        fmpq_mat_init(q, static_cast<slong>(rows), static_cast<slong>(cols));
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) fmpq_set(fmpq_mat_entry(q, i, j), e[i * cols + j].get());
        fmpz_mat_init(num, static_cast<slong>(rows), static_cast<slong>(cols));
        den = _fmpz_vec_init(static_cast<slong>(rows));
        fmpq_mat_get_fmpz_mat_rowwise(num, den, q);
        fmpq_mat_clear(q);
    }
    ~IntegerRows() {
        _fmpz_vec_clear(den, fmpz_mat_nrows(num));
        fmpz_mat_clear(num);
    }
    IntegerRows(const IntegerRows&) = delete;
    IntegerRows& operator=(const IntegerRows&) = delete;
};

DenseMatrix::DenseMatrix(std::size_t rows, std::size_t cols, std::vector<Rational> entries)
    : rows_(rows), cols_(cols), entries_([&] {
          if (entries.size() != rows * cols)
              throw ShapeError("dense matrix " + std::to_string(rows) + "x" + std::to_string(cols) +
                               " given " + std::to_string(entries.size()) + " entries");
          return std::move(entries);
      }()) {}

template <class Arith>
void DenseMatrix::apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                             std::span<typename Arith::value_type> y) const {
    const auto& w = entries_.get(ar);
    if constexpr (Arith::exact) {  // values are Rationals (the concept's contract)
        std::call_once(rows_once_, [&] { rows_int_ = std::make_shared<const IntegerRows>(w, rows_, cols_); });
        // y_i = (num_i · X) / (den_i · d) with x = X/d over a common denominator d
        fmpz* X = _fmpz_vec_init(static_cast<slong>(cols_));
        fmpz_t d, acc, q;
        fmpz_init(d);
        fmpz_init(acc);
        fmpz_init(q);
        _fmpq_vec_get_fmpz_vec_fmpz(X, d, reinterpret_cast<const fmpq*>(x.data()), static_cast<slong>(cols_));
        for (std::size_t i = 0; i < rows_; ++i) {
            _fmpz_vec_dot(acc, rows_int_->num->rows[i], X, static_cast<slong>(cols_));
            fmpz_mul(q, rows_int_->den + i, d);
            fmpq_set_fmpz_frac(y[i].get(), acc, q);
        }
        fmpz_clear(d);
        fmpz_clear(acc);
        fmpz_clear(q);
        _fmpz_vec_clear(X, static_cast<slong>(cols_));
        return;
    }
    if constexpr (requires { ar.dot_rows(y, std::span<const typename Arith::value_type>(w), x); }) {
        // the arithmetic's own kernel (MidRadArith: one a priori bound per row)
        ar.dot_rows(y, std::span<const typename Arith::value_type>(w), x);
        return;
    }
    for (std::size_t i = 0; i < rows_; ++i) {
        if constexpr (Arith::arb_balls) {
            // Arb's dot product: one error bound for the whole sum, same enclosure guarantee.
            arb_dot(y[i].get(), nullptr, 0, reinterpret_cast<arb_srcptr>(w.data() + i * cols_), 1,
                    reinterpret_cast<arb_srcptr>(x.data()), 1, static_cast<slong>(cols_), ar.prec);
        } else {
            typename Arith::value_type acc;
            ar.zero(acc);
            for (std::size_t j = 0; j < cols_; ++j) ar.addmul(acc, w[i * cols_ + j], x[j]);
            y[i] = std::move(acc);
        }
    }
}

template <class Arith>
void DenseMatrix::adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                               std::span<typename Arith::value_type> x) const {
    const auto& w = entries_.get(ar);
    for (std::size_t j = 0; j < cols_; ++j) {
        typename Arith::value_type acc;
        ar.zero(acc);
        for (std::size_t i = 0; i < rows_; ++i) ar.addmul(acc, w[i * cols_ + j], y[i]);
        x[j] = std::move(acc);
    }
}

// ---------------------------------------------------------------- sparse

SparseMatrix::Csr SparseMatrix::compress(std::size_t rows, std::size_t cols, std::vector<SparseEntry> entries) {
    for (std::size_t k = 0; k < entries.size(); ++k)
        if (entries[k].row >= rows || entries[k].col >= cols)
            throw ShapeError("sparse matrix " + std::to_string(rows) + "x" + std::to_string(cols) + ": entry " +
                             std::to_string(k) + " at (" + std::to_string(entries[k].row) + ", " +
                             std::to_string(entries[k].col) + ") is outside the matrix");
    std::stable_sort(entries.begin(), entries.end(), [](const SparseEntry& a, const SparseEntry& b) {
        return a.row != b.row ? a.row < b.row : a.col < b.col;
    });
    Csr c;
    c.row_start.assign(rows + 1, 0);
    for (std::size_t k = 0; k < entries.size();) {
        std::size_t r = entries[k].row, col = entries[k].col;
        Rational sum = entries[k].value;
        for (++k; k < entries.size() && entries[k].row == r && entries[k].col == col; ++k) sum += entries[k].value;
        if (sum.is_zero()) continue;
        c.col.push_back(col);
        c.values.push_back(std::move(sum));
        ++c.row_start[r + 1];
    }
    for (std::size_t r = 0; r < rows; ++r) c.row_start[r + 1] += c.row_start[r];
    return c;
}

SparseMatrix::SparseMatrix(std::size_t rows, std::size_t cols, std::vector<SparseEntry> entries)
    : SparseMatrix(rows, cols, compress(rows, cols, std::move(entries))) {}

SparseMatrix::SparseMatrix(std::size_t rows, std::size_t cols, Csr csr)
    : rows_(rows), cols_(cols), row_start_(std::move(csr.row_start)), col_(std::move(csr.col)),
      values_(std::move(csr.values)) {}

std::vector<SparseEntry> SparseMatrix::entries() const {
    std::vector<SparseEntry> out;
    const auto& v = values_.get(ExactArith{});
    for (std::size_t r = 0; r < rows_; ++r)
        for (std::size_t k = row_start_[r]; k < row_start_[r + 1]; ++k) out.push_back({r, col_[k], v[k]});
    return out;
}

template <class Arith>
void SparseMatrix::apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                              std::span<typename Arith::value_type> y) const {
    const auto& v = values_.get(ar);
    for (std::size_t r = 0; r < rows_; ++r) {
        typename Arith::value_type acc;
        ar.zero(acc);
        for (std::size_t k = row_start_[r]; k < row_start_[r + 1]; ++k) ar.addmul(acc, v[k], x[col_[k]]);
        y[r] = std::move(acc);
    }
}

template <class Arith>
void SparseMatrix::adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                                std::span<typename Arith::value_type> x) const {
    const auto& v = values_.get(ar);
    for (auto& xi : x) ar.zero(xi);
    for (std::size_t r = 0; r < rows_; ++r)
        for (std::size_t k = row_start_[r]; k < row_start_[r + 1]; ++k) ar.addmul(x[col_[k]], v[k], y[r]);
}

namespace {

// The bound of DenseMatrix/SparseMatrix::double_error_bound (operator.hpp): w the
// stored doubles, n the most terms of one dot product (rows or columns).
DoubleErrorBound dot_rows_bound(std::span<const double> w, std::size_t rows, std::size_t cols, std::size_t n) {
    using tracked_detail::eta;
    using tracked_detail::uadd;
    using tracked_detail::umul;
    const double F = norm2_upper(w), g = tracked_detail::gamma_upper(static_cast<double>(n));
    const double dims = static_cast<double>(rows + cols);
    DoubleErrorBound b;
    b.norm = uadd(umul(uadd(1.0, tracked_detail::u), F), umul(eta, dims));
    b.rel = uadd(umul(uadd(g, tracked_detail::u), F), umul(eta, dims));
    b.abs = umul(umul(2.0 * static_cast<double>(n), eta), dims);
    b.growth = uadd(umul(uadd(1.0, g), F), 1.0);
    if (!b.claims()) return {};
    return b;
}

}  // namespace

DoubleErrorBound DenseMatrix::double_error_bound() const {
    return dot_rows_bound(entries_.get(DoubleArith{}), rows_, cols_, std::max(rows_, cols_));
}

DoubleErrorBound SparseMatrix::double_error_bound() const {
    std::vector<std::size_t> per_col(cols_, 0);
    std::size_t n = 1;
    for (std::size_t r = 0; r < rows_; ++r) {
        n = std::max(n, row_start_[r + 1] - row_start_[r]);
        for (std::size_t k = row_start_[r]; k < row_start_[r + 1]; ++k) n = std::max(n, ++per_col[col_[k]]);
    }
    return dot_rows_bound(values_.get(DoubleArith{}), rows_, cols_, n);
}

RIGORNET_INSTANTIATE_OPERATOR(DenseMatrix)
RIGORNET_INSTANTIATE_OPERATOR(SparseMatrix)

}  // namespace rigornet
