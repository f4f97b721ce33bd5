// rigornet — operators built from other operators: composition, adjoint view, and the
// block operator that unrolled solvers are made of. Each is applied through its parts
// (never materialised), in every number system, with the parts' guarantees.
#pragma once
#include <memory>
#include <vector>

#include "rigornet/linalg/operator.hpp"

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
    /// The factors' bounds chained by compose_bounds (double_error.hpp); no claim if a
    /// factor makes none.
    DoubleErrorBound double_error_bound() const override;

    RIGORNET_OPERATOR_TEMPLATES

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
    /// The inner operator's (its bound covers apply and adjoint alike).
    DoubleErrorBound double_error_bound() const override { return op_->double_error_bound(); }

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

/// One block of a BlockOperator. With t = Σ_i c_i · in[col_i : col_i + n] (a linear
/// combination of input slices, n = op's columns or `identity`), the block adds
/// M·t (M = op, or the identity when op is null) to out[r : r + rows] for every r in
/// `out_rows`. Combining inputs first and writing to several places costs one
/// application of M, however many terms use it (e.g. y + σA(2x⁺ − x) applies A once).
struct Block {
    std::vector<std::size_t> out_rows;
    std::vector<std::pair<std::size_t, Rational>> in;  // (col_i, c_i)
    OperatorPtr op;            // null: identity
    std::size_t identity = 0;  // size of the identity when op is null
};

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
    /// Normwise bound (double_error.hpp). Block b is Post_b·M_b·Pre_b: for apply Pre_b
    /// = Σ c_i·(slice i) and Post_b = Σ_r (place at r); for the adjoint they swap. Their
    /// masses bound both the ℓ2 norm and the ℓ2 norm of the per-entry sums of |terms|:
    /// m₁ = ‖c‖₂ when the slices are pairwise disjoint (Cauchy–Schwarz: ‖Σ c_i x_i‖ ≤
    /// ‖c‖₂(Σ‖x_i‖²)^½ ≤ ‖c‖₂‖x‖), Σ|c_i| otherwise; m₂ = √|out_rows| when the placements
    /// are disjoint (each entry receives one copy), |out_rows| otherwise. Each of the two combinations computes entries
    /// that are sums of at most K products (K = every term and placement of all blocks
    /// plus one), so (Higham (3.4), with the coefficients' conversion |ĉ − c| ≤ u|ĉ| + η)
    /// its error is ≤ (γ_K + u)·Σ|coef|·|value| + Kη per entry: for Pre_b
    /// ‖t̂ − t‖ ≤ E₁‖x̂‖ + A₁ with E₁ = (γ_K + u)m₁ + Kη, A₁ = 2Kη√D (D = rows + cols); the
    /// accumulation of all blocks' Post_b adds ≤ Σ_b [(γ_K + u)m₂ + Kη]‖m̂_b‖ + A₁; and M_b's
    /// error (its own bound) enters times m₂. ‖Y‖₂ ≤ Σ_b m₁m₂‖M_b‖ (triangle inequality,
    /// slices and placements have norm 1). The larger of the apply and adjoint bounds is
    /// returned; no claim if a block's operator makes none.
    DoubleErrorBound double_error_bound() const override;

    RIGORNET_OPERATOR_TEMPLATES

private:
    std::size_t rows_, cols_;
    std::vector<Block> blocks_;
    std::vector<std::vector<Constant>> coeffs_;  // per block, per input term
};

}  // namespace rigornet
