// rigornet — interval Jacobian bounds (jacobian_bound.hpp). Compiled with -frounding-math
// (Makefile): the products and sums below are rounded by the mode UpwardRounding sets.
#include "rigornet/lipschitz/jacobian_bound.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rigornet/core/error.hpp"
#include "rigornet/number/upward_rounding.hpp"

namespace rigornet {

namespace {

struct Iv {
    double lo, hi;
};

// Under FE_UPWARD: x·y rounded up is x*y, rounded down is −((−x)·y). When b does not
// straddle 0 the ends come from one product each (b ≥ 0: max a·b = a.hi·(a.hi ≥ 0 ? b.hi : b.lo),
// min a·b = a.lo·(a.lo ≥ 0 ? b.lo : b.hi); b ≤ 0 mirrored), otherwise from all four.
Iv mul(const Iv& a, const Iv& b) {
    const double inf = std::numeric_limits<double>::infinity();
    Iv r{inf, -inf};
    if (b.lo >= 0) {
        r = {-((-a.lo) * (a.lo >= 0 ? b.lo : b.hi)), a.hi * (a.hi >= 0 ? b.hi : b.lo)};
    } else if (b.hi <= 0) {
        r = {-((-a.hi) * (a.hi >= 0 ? b.lo : b.hi)), a.lo * (a.lo <= 0 ? b.lo : b.hi)};
    } else {
        const double p[4][2] = {{a.lo, b.lo}, {a.lo, b.hi}, {a.hi, b.lo}, {a.hi, b.hi}};
        for (const auto& q : p) {
            const double h = q[0] * q[1], l = -((-q[0]) * q[1]);
            if (std::isnan(h) || std::isnan(l)) return {-inf, inf};
            r.hi = std::max(r.hi, h);
            r.lo = std::min(r.lo, l);
        }
    }
    if (std::isnan(r.lo) || std::isnan(r.hi)) return {-inf, inf};  // 0·∞ after an overflow: no information
    return r;
}

}  // namespace

JacobianBound::JacobianBound(const ReluChain& c) : input_dim_(c.input_dim) {
    for (const RationalMatrix& w : c.weights) {
        Layer l;
        l.rows = w.rows();
        l.cols = w.cols();
        l.lo.resize(l.rows * l.cols);
        l.hi.resize(l.rows * l.cols);
        for (std::size_t i = 0; i < l.rows; ++i)
            for (std::size_t j = 0; j < l.cols; ++j) {
                const Rational v = w.at(i, j);
                l.lo[i * l.cols + j] = v.to_double(Round::down);
                l.hi[i * l.cols + j] = v.to_double(Round::up);
            }
        layers_.push_back(std::move(l));
    }
}

namespace {

using IvMatrix = JacobianBound::Layer;

// M D: the columns of M scaled by the slopes (a missing slope is free). Under FE_UPWARD.
void scale_columns(IvMatrix& m, const std::vector<UnitSlope>* slopes) {
    for (std::size_t k = 0; k < m.cols; ++k) {
        const UnitSlope d = slopes && k < slopes->size() ? (*slopes)[k] : UnitSlope::free;
        if (d == UnitSlope::one) continue;
        for (std::size_t i = 0; i < m.rows; ++i) {
            double& lo = m.lo[i * m.cols + k];
            double& hi = m.hi[i * m.cols + k];
            if (d == UnitSlope::zero) lo = hi = 0;
            else {
                lo = std::min(lo, 0.0);
                hi = std::max(hi, 0.0);
            }
        }
    }
}

// The interval product M W, ends rounded outward. Under FE_UPWARD.
IvMatrix times(const IvMatrix& m, const IvMatrix& w) {
    IvMatrix out{m.rows, w.cols, std::vector<double>(m.rows * w.cols, 0.0), std::vector<double>(m.rows * w.cols, 0.0)};
    for (std::size_t i = 0; i < m.rows; ++i)
        for (std::size_t k = 0; k < m.cols; ++k) {
            const Iv a{m.lo[i * m.cols + k], m.hi[i * m.cols + k]};
            if (a.lo == 0 && a.hi == 0) continue;
            for (std::size_t j = 0; j < w.cols; ++j) {
                const Iv t = mul(a, {w.lo[k * w.cols + j], w.hi[k * w.cols + j]});
                double& hi = out.hi[i * w.cols + j];
                double& lo = out.lo[i * w.cols + j];
                hi = hi + t.hi;
                lo = -((-lo) - t.lo);
            }
        }
    return out;
}

// The p-norm bound of upper() from the entry bounds A_ij = max(|lo_ij|, |hi_ij|).
double norm_bound(const IvMatrix& m, LipNorm p) {
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> row(m.rows, 0.0), col(m.cols, 0.0);
    double frob = 0;
    for (std::size_t i = 0; i < m.rows; ++i)
        for (std::size_t j = 0; j < m.cols; ++j) {
            const double a = std::max(std::fabs(m.lo[i * m.cols + j]), std::fabs(m.hi[i * m.cols + j]));
            if (std::isnan(a)) return inf;
            row[i] = row[i] + a;
            col[j] = col[j] + a;
            frob = frob + a * a;
        }
    const double ninf = m.rows ? *std::max_element(row.begin(), row.end()) : 0.0;
    const double n1 = m.cols ? *std::max_element(col.begin(), col.end()) : 0.0;
    double out = 0;
    switch (p) {
        case LipNorm::linf: out = ninf; break;
        case LipNorm::l1: out = n1; break;
        case LipNorm::l2: out = std::min(std::sqrt(n1 * ninf), std::sqrt(frob)); break;
    }
    return std::isnan(out) ? inf : out;
}

const std::vector<UnitSlope>* layer_slopes(const SlopePattern& s, std::size_t q) { return q < s.size() ? &s[q] : nullptr; }

}  // namespace

double JacobianBound::upper(const SlopePattern& s, LipNorm p) const {
    UpwardRounding up;
    // M = W_ℓ, then M ← (M D_r) W_{r−1} for r = ℓ … 1.
    IvMatrix m = layers_.back();
    for (std::size_t r = layers_.size() - 1; r-- > 0;) {
        scale_columns(m, layer_slopes(s, r));  // D_{r+1}: hidden layer r+1 (slopes index r)
        m = times(m, layers_[r]);
    }
    return norm_bound(m, p);
}

JacobianBound::Split JacobianBound::split(const SlopePattern& s, std::size_t r) const {
    if (r == 0 || r >= layers_.size()) throw DomainError("JacobianBound::split: no hidden layer " + std::to_string(r));
    UpwardRounding up;
    Split f;
    f.r = r;
    f.s = layers_.back();
    for (std::size_t q = layers_.size() - 1; q-- > r;) {
        scale_columns(f.s, layer_slopes(s, q));
        f.s = times(f.s, layers_[q]);
    }
    f.p = layers_[r - 1];
    for (std::size_t q = r - 1; q-- > 0;) {
        scale_columns(f.p, layer_slopes(s, q));
        f.p = times(f.p, layers_[q]);
    }
    return f;
}

double JacobianBound::upper(const Split& f, const std::vector<UnitSlope>& layer, LipNorm p) const {
    UpwardRounding up;
    IvMatrix m = f.s;
    scale_columns(m, &layer);
    return norm_bound(times(m, f.p), p);
}

namespace {

// Exact interval enclosures [zl, zh] of every hidden pre-activation over the box.
struct BoxRanges {
    std::vector<std::vector<Rational>> zl, zh;
};

BoxRanges box_ranges(const ReluChain& c, const std::vector<Rational>& lo, const std::vector<Rational>& hi) {
    if (lo.size() != c.input_dim || hi.size() != c.input_dim)
        throw DomainError("the box has " + std::to_string(lo.size()) + " and " + std::to_string(hi.size()) + " ends for " +
                          std::to_string(c.input_dim) + " inputs");
    std::vector<Rational> xl = lo, xh = hi;
    BoxRanges out;
    for (std::size_t r = 0; r < c.depth(); ++r) {
        const RationalMatrix& w = c.weights[r];
        std::vector<Rational> zl(w.rows()), zh(w.rows());
        for (std::size_t i = 0; i < w.rows(); ++i) {
            zl[i] = zh[i] = c.biases[r][i];
            for (std::size_t j = 0; j < w.cols(); ++j) {
                const Rational a = w.at(i, j);
                if (a.is_zero()) continue;
                zl[i] += a * (a.sign() > 0 ? xl[j] : xh[j]);
                zh[i] += a * (a.sign() > 0 ? xh[j] : xl[j]);
            }
        }
        out.zl.push_back(zl);
        out.zh.push_back(zh);
        // σ is monotone, so σ(z) ∈ [σ(zl), σ(zh)]: the next layer's input box
        for (std::size_t k = 0; k < w.rows(); ++k) {
            zl[k] = c.activate(r, k, zl[k]);
            zh[k] = c.activate(r, k, zh[k]);
        }
        xl = std::move(zl);
        xh = std::move(zh);
    }
    return out;
}

}  // namespace

UnitSlope slope_on_range(const Rational& zl, const Rational& zh, const Rational* cap) {
    if (zh.sign() <= 0 || (cap && zl >= *cap)) return UnitSlope::zero;
    if (zl.sign() >= 0 && (!cap || zh <= *cap)) return UnitSlope::one;
    return UnitSlope::free;
}

SlopePattern box_slopes(const ReluChain& c, const std::vector<Rational>& lo, const std::vector<Rational>& hi) {
    const BoxRanges b = box_ranges(c, lo, hi);
    SlopePattern out;
    for (std::size_t r = 0; r < c.depth(); ++r) {
        out.emplace_back(b.zl[r].size());
        for (std::size_t k = 0; k < b.zl[r].size(); ++k) out[r][k] = slope_on_range(b.zl[r][k], b.zh[r][k], c.cap(r, k));
    }
    return out;
}

ReluChain restrict_to_box(const ReluChain& c, const std::vector<Rational>& lo, const std::vector<Rational>& hi) {
    const BoxRanges b = box_ranges(c, lo, hi);
    ReluChain g;
    g.input_dim = c.input_dim;
    // rows of weights[r] to keep (units of hidden layer r+1), and the constant σ of the others
    constexpr std::size_t placeholder = static_cast<std::size_t>(-1);  // a unit with no source column
    std::vector<Rational> shift;  // the constant σ of the dropped units, added through the next W
    std::vector<std::size_t> keep_prev;  // kept units of the previous hidden layer (all inputs first)
    for (std::size_t j = 0; j < c.input_dim; ++j) keep_prev.push_back(j);
    for (std::size_t r = 0; r <= c.depth(); ++r) {
        const RationalMatrix& w = c.weights[r];
        std::vector<std::size_t> keep;
        std::vector<Rational> constant(w.rows());
        if (r < c.depth()) {
            for (std::size_t k = 0; k < w.rows(); ++k) {
                if (slope_on_range(b.zl[r][k], b.zh[r][k], c.cap(r, k)) == UnitSlope::zero)
                    constant[k] = c.activate(r, k, b.zl[r][k]);  // σ is constant on the box
                else
                    keep.push_back(k);
            }
            // a layer left empty keeps one unit computing relu(0) = 0 (weights zero)
        } else {
            for (std::size_t k = 0; k < w.rows(); ++k) keep.push_back(k);
        }
        const bool empty = keep.empty();
        RationalMatrix m(empty ? 1 : keep.size(), keep_prev.size());
        std::vector<Rational> bias(empty ? 1 : keep.size());
        std::vector<std::optional<Rational>> caps(empty ? 1 : keep.size());
        for (std::size_t i = 0; i < keep.size(); ++i) {
            const std::size_t k = keep[i];
            for (std::size_t j = 0; j < keep_prev.size(); ++j)
                if (keep_prev[j] != placeholder) m.set(i, j, w.at(k, keep_prev[j]));
            bias[i] = c.biases[r][k];
            for (std::size_t q = 0; q < shift.size(); ++q)
                if (!shift[q].is_zero()) bias[i] += w.at(k, q) * shift[q];
            if (r < c.depth())
                if (const Rational* cap = c.cap(r, k)) caps[i] = *cap;
        }
        g.weights.push_back(std::move(m));
        g.biases.push_back(std::move(bias));
        if (r < c.depth()) g.caps.push_back(std::move(caps));
        shift = std::move(constant);
        keep_prev = empty ? std::vector<std::size_t>{placeholder} : keep;
    }
    return g;
}

}  // namespace rigornet
