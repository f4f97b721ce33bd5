// rigornet — operators built from other operators: composition, adjoint view, and the
// block operator that unrolled solvers are made of. Each is applied through its parts
// (never materialised), in every number system, with the parts' guarantees.
#pragma once
#include <memory>
#include <vector>

#include "rigornet/operator.hpp"

namespace rigornet {

using OperatorPtr = std::shared_ptr<const LinearOperator>;

/// M_1 M_2 ⋯ M_k (applied right to left). Adjoint: M_kᵀ ⋯ M_1ᵀ. Throws ShapeError when
/// neighbouring sizes do not match. Exact iff every factor is.
class Composition final : public OperatorBase<Composition> {
public:
    explicit Composition(std::vector<OperatorPtr> factors);
    std::size_t rows() const override { return factors_.front()->rows(); }
    std::size_t cols() const override { return factors_.back()->cols(); }
    std::string kind() const override { return "composition"; }
    long max_entry_bits() const override;
    std::size_t stored_entries() const override;
    const std::vector<OperatorPtr>& factors() const { return factors_; }

    template <class Arith>
    void apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                    std::span<typename Arith::value_type> y) const;
    template <class Arith>
    void adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                      std::span<typename Arith::value_type> x) const;

private:
    std::vector<OperatorPtr> factors_;
};

/// Mᵀ as an operator (apply and adjoint swapped).
class AdjointView final : public OperatorBase<AdjointView> {
public:
    explicit AdjointView(OperatorPtr op) : op_(std::move(op)) {}
    std::size_t rows() const override { return op_->cols(); }
    std::size_t cols() const override { return op_->rows(); }
    std::string kind() const override { return "adjoint"; }
    long max_entry_bits() const override { return op_->max_entry_bits(); }
    std::size_t stored_entries() const override { return op_->stored_entries(); }
    const OperatorPtr& inner() const { return op_; }

    template <class Arith>
    void apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                    std::span<typename Arith::value_type> y) const {
        op_->adjoint(ar, x, y);
    }
    template <class Arith>
    void adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                      std::span<typename Arith::value_type> x) const {
        op_->apply(ar, y, x);
    }

private:
    OperatorPtr op_;
};

/// One block of a BlockOperator: out[row0 : row0 + rows] += coeff · M · in[col0 : col0 + cols],
/// with M = op, or the identity of size `identity` when op is null.
struct Block {
    std::size_t row0 = 0, col0 = 0;
    Rational coeff{1};
    OperatorPtr op;            // null: identity
    std::size_t identity = 0;  // size of the identity when op is null
};

/// A rows×cols operator that is a sum of scaled blocks (each an operator or an identity)
/// placed at row/column offsets: how unrolled iterations (x − τAᵀy, y + σA(2x⁺ − x) …)
/// become affine layers without materialising A. Blocks may overlap (they add).
/// Coefficients are exact rationals; the result is exact iff every block operator is.
class BlockOperator final : public OperatorBase<BlockOperator> {
public:
    /// Throws ShapeError naming the block if one falls outside rows×cols.
    BlockOperator(std::size_t rows, std::size_t cols, std::vector<Block> blocks);
    std::size_t rows() const override { return rows_; }
    std::size_t cols() const override { return cols_; }
    std::string kind() const override { return "block"; }
    long max_entry_bits() const override;
    std::size_t stored_entries() const override;
    const std::vector<Block>& blocks() const { return blocks_; }

    template <class Arith>
    void apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                    std::span<typename Arith::value_type> y) const;
    template <class Arith>
    void adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                      std::span<typename Arith::value_type> x) const;

private:
    std::size_t rows_, cols_;
    std::vector<Block> blocks_;
    std::vector<Constant> coeffs_;
};

}  // namespace rigornet
