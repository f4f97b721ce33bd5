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

DoubleErrorBound Composition::double_error_bound() const {
    DoubleErrorBound b = factors_.back()->double_error_bound();
    for (std::size_t i = factors_.size() - 1; i-- > 0;) b = compose_bounds(factors_[i]->double_error_bound(), b);
    return b;
}

namespace {

// Whether the ranges [s, s + w) for s in starts are pairwise disjoint.
bool disjoint(std::vector<std::size_t> starts, std::size_t w) {
    std::sort(starts.begin(), starts.end());
    for (std::size_t i = 1; i < starts.size(); ++i)
        if (starts[i] < starts[i - 1] + w) return false;
    return true;
}

}  // namespace

DoubleErrorBound BlockOperator::double_error_bound() const {
    using tracked_detail::eta;
    using tracked_detail::uadd;
    using tracked_detail::umul;
    double K = 1;
    for (const Block& b : blocks_) K += static_cast<double>(b.in.size() + b.out_rows.size());
    const double gk = uadd(tracked_detail::gamma_upper(K), tracked_detail::u), Keta = umul(K, eta);
    const double A1 = umul(umul(2.0, Keta), uadd(tracked_detail::up(std::sqrt(static_cast<double>(rows_ + cols_))), 1.0));
    DoubleErrorBound out{0.0, 0.0, 0.0, 1.0}, order[2];
    for (int adj = 0; adj < 2; ++adj) {
        DoubleErrorBound& r = order[adj];
        r = {0.0, 0.0, A1, 1.0};
        double post_rel = 0, post_abs = 0;  // Σ_b (γ m₂ + Kη)·‖m̂_b‖ as rel·‖x̂‖ + abs
        for (std::size_t k = 0; k < blocks_.size(); ++k) {
            const Block& b = blocks_[k];
            const DoubleErrorBound M = b.op ? b.op->double_error_bound() : DoubleErrorBound::exact_isometry();
            if (!M.claims()) return {};
            const std::size_t width = b.op ? b.op->cols() : b.identity, height = b.op ? b.op->rows() : b.identity;
            std::vector<std::size_t> cols;
            double C = 0, C2 = 0;
            for (const auto& term : b.in) {  // Σ|c_i| and Σc_i², upward
                const Rational& c = term.second;
                const double a = (c.sign() < 0 ? -c : c).to_double(Round::up);
                C = uadd(C, a);
                C2 = uadd(C2, umul(a, a));
                cols.push_back(term.first);
            }
            // the masses of Pre_b and Post_b: ‖c‖₂ and √|out_rows| when the slices (the
            // placements) are disjoint, Σ|c_i| and |out_rows| otherwise; ≥ the masses of
            // the converted ĉ after the factor 1 + 2u
            const double pre = disjoint(cols, width) ? tracked_detail::up(std::sqrt(C2)) : C;
            const double nout = static_cast<double>(b.out_rows.size());
            const double post = disjoint(b.out_rows, height) ? tracked_detail::up(std::sqrt(nout)) : nout;
            const double m_pre = umul(pre, uadd(1.0, 2 * tracked_detail::u));
            const double m1 = adj ? post : m_pre, m2 = adj ? m_pre : post;
            const double E1 = uadd(umul(gk, m1), Keta);
            const double t_rel = uadd(m1, E1), t_abs = A1;  // ‖t̂‖ ≤ t_rel‖x̂‖ + t_abs
            // ‖m̂ − M t‖ ≤ r_M‖t̂‖ + a_M + n_M‖t̂ − t‖
            const double op_rel = uadd(umul(M.rel, t_rel), umul(M.norm, E1));
            const double op_abs = uadd(uadd(umul(M.rel, t_abs), M.abs), umul(M.norm, A1));
            const double nm = uadd(M.norm, M.rel);  // ‖m̂‖ ≤ nm‖t̂‖ + a_M
            const double mh_rel = umul(nm, t_rel), mh_abs = uadd(umul(nm, t_abs), M.abs);
            r.norm = uadd(r.norm, umul(umul(m1, m2), M.norm));
            r.rel = uadd(r.rel, umul(m2, op_rel));
            r.abs = uadd(r.abs, umul(m2, op_abs));
            const double pc = uadd(umul(gk, m2), Keta);
            post_rel = uadd(post_rel, umul(pc, mh_rel));
            post_abs = uadd(post_abs, umul(pc, mh_abs));
            r.growth = std::max({r.growth, uadd(t_rel, 1.0), umul(M.growth, std::max(t_rel, uadd(1.0, t_abs))),
                                 umul(uadd(1.0, gk), umul(m2, std::max(mh_rel, uadd(mh_abs, 1.0))))});
        }
        r.rel = uadd(r.rel, post_rel);
        r.abs = uadd(r.abs, post_abs);
    }
    out.norm = order[0].norm;
    out.rel = std::max(order[0].rel, order[1].rel);
    out.abs = std::max(order[0].abs, order[1].abs);
    // the output's partial sums: ≤ (1 + γ)·Σ_b m₂‖m̂_b‖, bounded by norm + rel (+1 for abs)
    out.growth = std::max({order[0].growth, order[1].growth, uadd(uadd(out.norm, out.rel), 1.0)});
    return out.claims() ? out : DoubleErrorBound{};
}

RIGORNET_INSTANTIATE_OPERATOR(Composition)
RIGORNET_INSTANTIATE_OPERATOR(BlockOperator)

}  // namespace rigornet
