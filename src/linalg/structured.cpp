#include "rigornet/linalg/structured.hpp"

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
        auto fail = [&](const std::string& what) {
            return ShapeError("block operator " + std::to_string(rows_) + "x" + std::to_string(cols_) + ": block " +
                              std::to_string(k) + " (" + (b.op ? b.op->kind() : std::string("identity")) + " " +
                              std::to_string(r) + "x" + std::to_string(c) + ") " + what);
        };
        if (r == 0 || c == 0) throw fail("is empty");
        if (b.in.empty() || b.out_rows.empty()) throw fail("has no input or no output position");
        for (std::size_t r0 : b.out_rows)
            if (r0 + r > rows_) throw fail("does not fit at output row " + std::to_string(r0));
        std::vector<Constant> cs;
        for (auto& [c0, coeff] : b.in) {
            if (c0 + c > cols_) throw fail("does not fit at input column " + std::to_string(c0));
            cs.emplace_back(coeff);
        }
        coeffs_.push_back(std::move(cs));
    }
}

long BlockOperator::max_entry_bits() const {
    long m = 0;
    for (const Block& b : blocks_) {
        if (b.op) m = std::max(m, b.op->max_entry_bits());
        for (auto& t : b.in) m = std::max(m, t.second.bits());
    }
    return m;
}

std::size_t BlockOperator::stored_entries() const {
    std::size_t n = 0;
    for (const Block& b : blocks_) n += b.op ? b.op->stored_entries() : 0;
    return n;
}

namespace {

// out[k] += t[k] over k
template <class Arith, class V, class Src>
void add_into(const Arith& ar, V* out, const Src& t, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) ar.add(out[k], out[k], t[k]);
}

// out[k] += c·t[k] over k (c = 1 is added directly: keeps exact values small)
template <class Arith, class V, class Src>
void add_scaled(const Arith& ar, V* out, const Src& t, std::size_t n, const Constant& c) {
    if (fmpq_is_one(c.exact().get())) return add_into(ar, out, t, n);
    V p;
    const auto& cv = c.value(ar);  // once: for balls this encloses the rational anew
    for (std::size_t k = 0; k < n; ++k) {
        ar.mul(p, cv, t[k]);
        ar.add(out[k], out[k], p);
    }
}

}  // namespace

template <class Arith>
void BlockOperator::apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                               std::span<typename Arith::value_type> y) const {
    using V = typename Arith::value_type;
    for (auto& v : y) ar.zero(v);
    std::vector<V> t, mt;
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
        const Block& b = blocks_[k];
        const std::size_t c = b.op ? b.op->cols() : b.identity;
        t.assign(c, V{});  // V{} is zero for every arithmetic
        for (std::size_t i = 0; i < b.in.size(); ++i) add_scaled(ar, t.data(), x.data() + b.in[i].first, c, coeffs_[k][i]);
        if (b.op) {
            mt.assign(b.op->rows(), V{});
            b.op->apply(ar, std::span<const V>(t), std::span<V>(mt));
            t.swap(mt);
        }
        for (std::size_t r0 : b.out_rows) add_into(ar, y.data() + r0, t, t.size());
    }
}

template <class Arith>
void BlockOperator::adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                                 std::span<typename Arith::value_type> x) const {
    using V = typename Arith::value_type;
    for (auto& v : x) ar.zero(v);
    std::vector<V> t, mt;
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
        const Block& b = blocks_[k];
        const std::size_t r = b.op ? b.op->rows() : b.identity;
        t.assign(r, V{});  // V{} is zero for every arithmetic
        for (std::size_t r0 : b.out_rows) add_into(ar, t.data(), y.data() + r0, r);
        if (b.op) {
            mt.assign(b.op->cols(), V{});
            b.op->adjoint(ar, std::span<const V>(t), std::span<V>(mt));
            t.swap(mt);
        }
        for (std::size_t i = 0; i < b.in.size(); ++i) add_scaled(ar, x.data() + b.in[i].first, t, t.size(), coeffs_[k][i]);
    }
}

RIGORNET_INSTANTIATE_OPERATOR(Composition)
RIGORNET_INSTANTIATE_OPERATOR(BlockOperator)

}  // namespace rigornet
