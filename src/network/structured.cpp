#include "rigornet/structured.hpp"

#include <algorithm>

namespace rigornet {

Composition::Composition(std::vector<OperatorPtr> factors) : factors_(std::move(factors)) {
    if (factors_.empty()) throw ShapeError("composition of no operators");
    for (std::size_t i = 0; i + 1 < factors_.size(); ++i)
        if (factors_[i]->cols() != factors_[i + 1]->rows())
            throw ShapeError("composition: factor " + std::to_string(i + 1) + " (" + factors_[i]->kind() + ") takes " +
                             std::to_string(factors_[i]->cols()) + " values but factor " + std::to_string(i + 2) + " (" +
                             factors_[i + 1]->kind() + ") gives " + std::to_string(factors_[i + 1]->rows()));
}

long Composition::max_entry_bits() const {
    long b = 0;
    for (auto& f : factors_) b = std::max(b, f->max_entry_bits());
    return b;
}

std::size_t Composition::stored_entries() const {
    std::size_t n = 0;
    for (auto& f : factors_) n += f->stored_entries();
    return n;
}

template <class Arith>
void Composition::apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                             std::span<typename Arith::value_type> y) const {
    using V = typename Arith::value_type;
    std::vector<V> cur(x.begin(), x.end()), next;
    for (std::size_t i = factors_.size(); i-- > 1;) {
        next.assign(factors_[i]->rows(), V{});
        factors_[i]->apply(ar, std::span<const V>(cur), std::span<V>(next));
        cur.swap(next);
    }
    factors_[0]->apply(ar, std::span<const V>(cur), y);
}

template <class Arith>
void Composition::adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                               std::span<typename Arith::value_type> x) const {
    using V = typename Arith::value_type;
    std::vector<V> cur(y.begin(), y.end()), next;
    for (std::size_t i = 0; i + 1 < factors_.size(); ++i) {
        next.assign(factors_[i]->cols(), V{});
        factors_[i]->adjoint(ar, std::span<const V>(cur), std::span<V>(next));
        cur.swap(next);
    }
    factors_.back()->adjoint(ar, std::span<const V>(cur), x);
}

BlockOperator::BlockOperator(std::size_t rows, std::size_t cols, std::vector<Block> blocks)
    : rows_(rows), cols_(cols), blocks_(std::move(blocks)) {
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
        const Block& b = blocks_[k];
        const std::size_t r = b.op ? b.op->rows() : b.identity, c = b.op ? b.op->cols() : b.identity;
        if (b.row0 + r > rows_ || b.col0 + c > cols_ || r == 0)
            throw ShapeError("block operator " + std::to_string(rows_) + "x" + std::to_string(cols_) + ": block " +
                             std::to_string(k) + " (" + (b.op ? b.op->kind() : std::string("identity")) + " " +
                             std::to_string(r) + "x" + std::to_string(c) + " at " + std::to_string(b.row0) + ", " +
                             std::to_string(b.col0) + ") does not fit");
        coeffs_.emplace_back(b.coeff);
    }
}

long BlockOperator::max_entry_bits() const {
    long m = 0;
    for (const Block& b : blocks_) m = std::max({m, b.coeff.bits(), b.op ? b.op->max_entry_bits() : 0L});
    return m;
}

std::size_t BlockOperator::stored_entries() const {
    std::size_t n = 0;
    for (const Block& b : blocks_) n += b.op ? b.op->stored_entries() : 0;
    return n;
}

namespace {

// out[k] += c·t[k], skipping the multiplication when c = 1 (keeps exact values small)
template <class Arith, class V>
void add_scaled(const Arith& ar, std::span<V> out, const std::vector<V>& t, const Constant& c, bool one) {
    V p;
    for (std::size_t k = 0; k < t.size(); ++k) {
        if (one) {
            ar.add(out[k], out[k], t[k]);
        } else {
            ar.mul(p, c.value(ar), t[k]);
            ar.add(out[k], out[k], p);
        }
    }
}

}  // namespace

template <class Arith>
void BlockOperator::apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                               std::span<typename Arith::value_type> y) const {
    using V = typename Arith::value_type;
    for (auto& v : y) ar.zero(v);
    std::vector<V> t;
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
        const Block& b = blocks_[k];
        if (b.op) {
            t.assign(b.op->rows(), V{});
            b.op->apply(ar, x.subspan(b.col0, b.op->cols()), std::span<V>(t));
        } else {
            t.assign(x.begin() + static_cast<long>(b.col0), x.begin() + static_cast<long>(b.col0 + b.identity));
        }
        add_scaled(ar, y.subspan(b.row0, t.size()), t, coeffs_[k], b.coeff == Rational(1));
    }
}

template <class Arith>
void BlockOperator::adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                                 std::span<typename Arith::value_type> x) const {
    using V = typename Arith::value_type;
    for (auto& v : x) ar.zero(v);
    std::vector<V> t;
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
        const Block& b = blocks_[k];
        if (b.op) {
            t.assign(b.op->cols(), V{});
            b.op->adjoint(ar, y.subspan(b.row0, b.op->rows()), std::span<V>(t));
        } else {
            t.assign(y.begin() + static_cast<long>(b.row0), y.begin() + static_cast<long>(b.row0 + b.identity));
        }
        add_scaled(ar, x.subspan(b.col0, t.size()), t, coeffs_[k], b.coeff == Rational(1));
    }
}

RIGORNET_INSTANTIATE_OPERATOR(Composition)
RIGORNET_INSTANTIATE_OPERATOR(BlockOperator)

}  // namespace rigornet
