// rigornet — linear operators: dense and sparse rational matrices, and the interface
// through which structured operators (fast transforms) plug into networks.
#pragma once
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>


#include "rigornet/number/arithmetics.hpp"
#include "rigornet/number/conversions.hpp"
#include "rigornet/linalg/double_error.hpp"

namespace rigornet {

/// Every concrete operator type, once (operator.hpp, structured.hpp, transforms.hpp).
/// A new operator derives from OperatorBase<itself> and is added here; OperatorVisitor
/// then has a pure virtual for it, so every visitor (its JSON form in io/json_format.cpp,
/// its norm bound in operator_norm.cpp, …) fails to compile until it handles it, and an
/// operator missing from this list fails to compile in OperatorBase::accept
/// (tests/compile_fail/operator_without_case.cpp checks the visitor side,
/// tests/compile_fail/unlisted_operator.cpp the list side).
#define RIGORNET_FOR_EACH_OPERATOR(X)                                                             \
    X(DenseMatrix) X(SparseMatrix) X(WalshHadamard) X(Haar) X(Subsample) X(FourierSampling)        \
        X(FourierSamplingRational) X(AdjointView) X(Composition) X(BlockOperator)

#define RIGORNET_DECLARE_OPERATOR_CLASS(T) class T;
RIGORNET_FOR_EACH_OPERATOR(RIGORNET_DECLARE_OPERATOR_CLASS)
#undef RIGORNET_DECLARE_OPERATOR_CLASS

/// Double dispatch over the concrete operator types: LinearOperator::accept(v) calls the
/// visit overload of the operator's own type (one pure virtual per listed type). Code
/// dispatches through visit_operator (visit_operator.hpp).
class OperatorVisitor {
public:
    virtual ~OperatorVisitor() = default;
#define RIGORNET_DECLARE_VISIT(T) virtual void visit(const T&) = 0;
    RIGORNET_FOR_EACH_OPERATOR(RIGORNET_DECLARE_VISIT)
#undef RIGORNET_DECLARE_VISIT
};

/// A linear map R^cols → R^rows, applicable in every supported arithmetic (one pair of
/// virtual overloads per arithmetic of RIGORNET_FOR_EACH_ARITH, arithmetics.hpp).
/// Contract of apply(ar, x, y): y = M·x computed in arithmetic `ar` — exact for
/// ExactArith, an enclosure for BallArith, the tracked bound for TrackedDoubleArith,
/// values and derivatives alike for DualArith (M is linear).
/// adjoint(ar, y, x): x = Mᵀ·y likewise. Sizes must match (ShapeError otherwise);
/// input and output must not alias. An operator whose entries are irrational (e.g. a
/// DFT) throws DomainError from the overloads of arithmetics that cannot represent them
/// (ExactArith; DualArith where the operator needs the FFT path) instead of approximating.
class LinearOperator {
public:
    virtual ~LinearOperator() = default;
    virtual std::size_t rows() const = 0;
    virtual std::size_t cols() const = 0;
    /// "dense", "sparse", or the name of a structured operator.
    virtual std::string kind() const = 0;
    /// Largest bit size of a stored rational entry (0 for entry-free structured maps).
    virtual long max_entry_bits() const = 0;
    /// Number of stored entries (rows·cols for dense).
    virtual std::size_t stored_entries() const = 0;
    /// The proved normwise bound on this operator's DoubleArith apply and adjoint
    /// (double_error.hpp). Default: no claim (an operator whose double algorithm has no
    /// proved bound, e.g. FFTW's DFT, keeps it; evaluate_l2 then falls back).
    virtual DoubleErrorBound double_error_bound() const { return {}; }

#define RIGORNET_DECLARE_APPLY(ARITH)                                                              \
    virtual void apply(const ARITH&, std::span<const ARITH::value_type> x,                        \
                       std::span<ARITH::value_type> y) const = 0;                                 \
    virtual void adjoint(const ARITH&, std::span<const ARITH::value_type> y,                      \
                         std::span<ARITH::value_type> x) const = 0;
    RIGORNET_FOR_EACH_ARITH(RIGORNET_DECLARE_APPLY)
#undef RIGORNET_DECLARE_APPLY

    /// Calls v.visit(*this as its concrete type) (OperatorBase implements it).
    virtual void accept(OperatorVisitor& v) const = 0;
};

/// Implements the virtual overloads of LinearOperator by forwarding to the derived
/// class's templates apply_impl(ar, x, y) and adjoint_impl(ar, y, x).
template <class Derived>
class OperatorBase : public LinearOperator {
public:
#define RIGORNET_FORWARD(ARITH)                                                                   \
    void apply(const ARITH& ar, std::span<const ARITH::value_type> x,                             \
               std::span<ARITH::value_type> y) const override {                                   \
        check(x.size(), y.size());                                                                \
        static_cast<const Derived*>(this)->apply_impl(ar, x, y);                                  \
    }                                                                                             \
    void adjoint(const ARITH& ar, std::span<const ARITH::value_type> y,                           \
                 std::span<ARITH::value_type> x) const override {                                 \
        check(x.size(), y.size());                                                                \
        static_cast<const Derived*>(this)->adjoint_impl(ar, y, x);                                \
    }
    RIGORNET_FOR_EACH_ARITH(RIGORNET_FORWARD)
#undef RIGORNET_FORWARD

    /// An operator type missing from RIGORNET_FOR_EACH_OPERATOR has no visit overload of
    /// its own: this call then fails to compile.
    void accept(OperatorVisitor& v) const override { v.visit(static_cast<const Derived&>(*this)); }

private:
    void check(std::size_t nx, std::size_t ny) const {
        if (nx != this->cols() || ny != this->rows())
            throw ShapeError(this->kind() + " operator of size " + std::to_string(this->rows()) + "x" +
                             std::to_string(this->cols()) + " applied to vectors of sizes " +
                             std::to_string(nx) + " -> " + std::to_string(ny));
    }
};

/// Declares the two member templates an OperatorBase<Derived> forwards to (defined in the
/// class's .cpp file and instantiated there with RIGORNET_INSTANTIATE_OPERATOR).
#define RIGORNET_OPERATOR_TEMPLATES                                                                   \
    template <class Arith>                                                                            \
    void apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,                   \
                    std::span<typename Arith::value_type> y) const;                                   \
    template <class Arith>                                                                            \
    void adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,                 \
                      std::span<typename Arith::value_type> x) const;

/// Explicitly instantiates CLASS::apply_impl and CLASS::adjoint_impl for every supported
/// arithmetic; used once, in the .cpp file that defines those templates.
#define RIGORNET_INSTANTIATE_ONE(ARITH, CLASS)                                                          \
    template void CLASS::apply_impl<ARITH>(const ARITH&, std::span<const ARITH::value_type>,           \
                                           std::span<ARITH::value_type>) const;                        \
    template void CLASS::adjoint_impl<ARITH>(const ARITH&, std::span<const ARITH::value_type>,         \
                                             std::span<ARITH::value_type>) const;
#define RIGORNET_INSTANTIATE_OPERATOR(CLASS) RIGORNET_FOR_EACH_ARITH(RIGORNET_INSTANTIATE_ONE, CLASS)

/// A dense rows×cols rational matrix, stored row-major.
class DenseMatrix final : public OperatorBase<DenseMatrix> {
public:
    /// entries.size() must be rows·cols (ShapeError otherwise).
    DenseMatrix(std::size_t rows, std::size_t cols, std::vector<Rational> entries);
    std::size_t rows() const override { return rows_; }
    std::size_t cols() const override { return cols_; }
    std::string kind() const override { return "dense"; }
    long max_entry_bits() const override { return entries_.max_bits(); }
    std::size_t stored_entries() const override { return rows_ * cols_; }
    /// Rows are dot products summed left to right (Higham (3.4)): per row
    /// |fl − âᵢ·x̂| ≤ γ_n Σ|â_ij||x̂_j| + nη, and the stored doubles â are the nearest to
    /// the rationals, |â − a| ≤ u|â| + η; so ‖fl(Ax̂) − Ax̂‖ ≤ (γ_n + u)‖Â‖_F‖x̂‖ + η-terms
    /// (Cauchy–Schwarz per row); norm ‖A‖₂ ≤ ‖A‖_F ≤ (1 + u)‖Â‖_F + η·√(rows·cols).
    /// n = max(rows, cols) covers the adjoint (column sums). O(entries) per call.
    DoubleErrorBound double_error_bound() const override;
    const Rational& at(std::size_t i, std::size_t j) const { return entries_.get(ExactArith{})[i * cols_ + j]; }

    RIGORNET_OPERATOR_TEMPLATES

private:
    std::size_t rows_, cols_;
    EntryCache entries_;
    // Exact fast path: row i is num_i / den_i with integer numerators (FLINT's rowwise
    // common denominators), so a row times x is one integer dot product over x's common
    // denominator and one canonicalisation, instead of a gcd per term.
    // Built on the first exact product only (ball and double runs never need it).
    struct IntegerRows;
    mutable std::once_flag rows_once_;
    mutable std::shared_ptr<const IntegerRows> rows_int_;
};

/// One stored entry of a sparse matrix.
struct SparseEntry {
    std::size_t row, col;
    Rational value;
};

/// A sparse rational matrix in compressed-row form. Duplicate (row, col) pairs are
/// summed; explicit zeros are dropped.
class SparseMatrix final : public OperatorBase<SparseMatrix> {
public:
    /// Every entry must lie inside rows×cols (ShapeError naming the entry otherwise).
    SparseMatrix(std::size_t rows, std::size_t cols, std::vector<SparseEntry> entries);
    std::size_t rows() const override { return rows_; }
    std::size_t cols() const override { return cols_; }
    std::string kind() const override { return "sparse"; }
    long max_entry_bits() const override { return values_.max_bits(); }
    std::size_t stored_entries() const override { return col_.size(); }
    /// As DenseMatrix's, with n the largest number of stored entries in a row or column.
    DoubleErrorBound double_error_bound() const override;
    /// The stored entries, row by row (canonical: sorted, summed, no zeros).
    std::vector<SparseEntry> entries() const;

    RIGORNET_OPERATOR_TEMPLATES

private:
    struct Csr {
        std::vector<std::size_t> row_start, col;
        std::vector<Rational> values;
    };
    static Csr compress(std::size_t rows, std::size_t cols, std::vector<SparseEntry> entries);
    SparseMatrix(std::size_t rows, std::size_t cols, Csr csr);
    std::size_t rows_, cols_;
    std::vector<std::size_t> row_start_, col_;
    EntryCache values_;
};

}  // namespace rigornet
