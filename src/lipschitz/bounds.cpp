// Upper bounds K_*, K_1, K_3, K_4, K on the Lipschitz constant (lipschitz.hpp).
#include <cmath>
#include <functional>
#include <string>

#include "rigornet/core/error.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"

namespace rigornet {

namespace {

Rational norm_upper(const RationalMatrix& a, LipNorm p, long prec) { return operator_norm(a, p, prec).upper; }

// 2^−ℓ · x, exact.
Rational halve(const Rational& x, std::size_t l) { return x * pow2(-static_cast<long>(l)); }

void require_subset_depth(const ReluChain& c) {
    if (c.depth() > max_subset_depth)
        throw DomainError("a subset sum over 2^" + std::to_string(c.depth()) + " cut sets is refused (depth > " +
                          std::to_string(max_subset_depth) + "); use the dynamic programme");
}

// The cut points (ascending, starting with 0 and ending with ℓ+1) of the subset `mask`
// of {1…ℓ} (bit r−1 set ⇔ r is a cut).
std::vector<std::size_t> cut_points(unsigned long mask, std::size_t l) {
    std::vector<std::size_t> cuts{0};
    for (std::size_t r = 1; r <= l; ++r)
        if (mask >> (r - 1) & 1UL) cuts.push_back(r);
    cuts.push_back(l + 1);
    return cuts;
}

// All segment products W_(t,s), 0 ≤ s < t ≤ ℓ+1, built incrementally (O(ℓ²) products):
// seg[t][s].
std::vector<std::vector<RationalMatrix>> segments(const ReluChain& c) {
    const std::size_t n = c.weights.size();
    std::vector<std::vector<RationalMatrix>> seg(n + 1);
    for (std::size_t s = 0; s < n; ++s) {
        RationalMatrix m = c.weights[s];
        for (std::size_t t = s + 1; t <= n; ++t) {
            seg[t].push_back(m);
            if (t < n) m = c.weights[t] * m;
        }
    }
    return seg;
}

std::vector<std::vector<Rational>> segment_norms(const ReluChain& c, LipNorm p, long prec) {
    auto seg = segments(c);
    std::vector<std::vector<Rational>> nu(seg.size());
    for (std::size_t t = 1; t < seg.size(); ++t)
        for (std::size_t s = 0; s < t; ++s) nu[t].push_back(norm_upper(seg[t][s], p, prec));
    return nu;
}

std::vector<std::vector<RationalMatrix>> abs_segments(const ReluChain& c) {
    auto seg = segments(c);
    for (auto& row : seg)
        for (auto& m : row) m = m.abs();
    return seg;
}

}  // namespace

Rational bound_product(const ReluChain& c, LipNorm p, long prec) {
    Rational k(1);
    for (const RationalMatrix& w : c.weights) k *= norm_upper(w, p, prec);
    return k;
}

Rational bound_k1_subsets(const ReluChain& c, LipNorm p, long prec) {
    require_subset_depth(c);
    const std::size_t l = c.depth();
    const auto nu = segment_norms(c, p, prec);
    Rational sum;
    for (unsigned long mask = 0; mask < (1UL << l); ++mask) {
        const auto cuts = cut_points(mask, l);
        Rational term(1);
        for (std::size_t k = 0; k + 1 < cuts.size(); ++k) term *= nu[cuts[k + 1]][cuts[k]];
        sum += term;
    }
    return halve(sum, l);
}

Rational bound_k1_dp(const ReluChain& c, LipNorm p, long prec) {
    const std::size_t l = c.depth();
    const auto nu = segment_norms(c, p, prec);
    std::vector<Rational> f(l + 2);
    f[0] = Rational(1);
    for (std::size_t t = 1; t <= l + 1; ++t)
        for (std::size_t s = 0; s < t; ++s) f[t] += nu[t][s] * f[s];
    return halve(f[l + 1], l);
}

Rational bound_k3(const ReluChain& c, LipNorm p, long prec) {
    RationalMatrix m = c.weights[0].abs();
    for (std::size_t r = 1; r < c.weights.size(); ++r) m = c.weights[r].abs() * m;
    return norm_upper(m, p, prec);
}

Rational bound_k4_subsets(const ReluChain& c, LipNorm p, long prec) {
    require_subset_depth(c);
    const std::size_t l = c.depth();
    const auto seg = abs_segments(c);
    Rational sum;
    for (unsigned long mask = 0; mask < (1UL << l); ++mask) {
        const auto cuts = cut_points(mask, l);
        RationalMatrix prod = seg[cuts[1]][0];
        for (std::size_t k = 1; k + 1 < cuts.size(); ++k) prod = seg[cuts[k + 1]][cuts[k]] * prod;
        sum += norm_upper(prod, p, prec);
    }
    return halve(sum, l);
}

Rational bound_k4_dp(const ReluChain& c, LipNorm p, long prec) {
    const std::size_t l = c.depth();
    const auto seg = abs_segments(c);
    // M(t) = Σ over chains 0 < r_1 < … < r_n < t of |W_(t,r_n)| ⋯ |W_(r_1,0)| (as for K_1).
    std::vector<RationalMatrix> m;
    m.push_back(RationalMatrix::identity(c.input_dim));
    for (std::size_t t = 1; t <= l + 1; ++t) {
        RationalMatrix acc = seg[t][0];
        for (std::size_t s = 1; s < t; ++s) acc = acc + seg[t][s] * m[s];
        m.push_back(std::move(acc));
    }
    return halve(norm_upper(m[l + 1], p, prec), l);
}

namespace {

// The transposed chain: f̃ = W_0ᵀ S W_1ᵀ ⋯ S W_ℓᵀ has Jacobians (W_ℓ D_ℓ ⋯ D_1 W_0)ᵀ with
// the same patterns reversed; used for ‖M‖_1 = ‖Mᵀ‖_∞. Biases are irrelevant to K.
ReluChain transposed(const ReluChain& c) {
    ReluChain t;
    t.input_dim = c.output_dim();
    for (std::size_t r = c.weights.size(); r-- > 0;) {
        t.weights.push_back(c.weights[r].transpose());
        t.biases.emplace_back(c.weights[r].cols());
    }
    return t;
}

// Every 0/1 mask of length n (n ≤ 62).
template <class F>
void for_each_mask(std::size_t n, F&& f) {
    std::vector<bool> d(n);
    for (unsigned long mask = 0; mask < (1UL << n); ++mask) {
        for (std::size_t k = 0; k < n; ++k) d[k] = mask >> k & 1UL;
        f(d);
    }
}

std::optional<Rational> szegedy_inf(const ReluChain& c, double max_combinations) {
    const std::size_t l = c.depth();
    if (l == 0) return norm_inf(c.weights[0]);
    std::size_t m = 1;  // the widest hidden layer, maximised in closed form
    for (std::size_t r = 2; r <= l; ++r)
        if (c.weights[r - 1].rows() > c.weights[m - 1].rows()) m = r;
    double nv = std::ldexp(1.0, static_cast<int>(c.input_dim)), nu = static_cast<double>(c.output_dim());
    for (std::size_t r = 1; r < m; ++r) nv *= std::ldexp(1.0, static_cast<int>(c.weights[r - 1].rows()));
    for (std::size_t r = m + 1; r <= l; ++r) nu *= std::ldexp(1.0, static_cast<int>(c.weights[r - 1].rows()));
    const double am = static_cast<double>(c.weights[m - 1].rows());
    if (nv > 1 << 18 || nv * nu * am > max_combinations) return std::nullopt;

    // V: W_{m−1} D_{m−1} ⋯ D_1 W_0 s over s ∈ {±1}^n and the patterns of layers 1…m−1.
    std::vector<std::vector<Rational>> vs;
    for_each_mask(c.input_dim, [&](const std::vector<bool>& sign) {
        std::vector<Rational> s(c.input_dim);
        for (std::size_t j = 0; j < s.size(); ++j) s[j] = Rational(sign[j] ? 1 : -1);
        vs.push_back(c.weights[0].apply(s));
    });
    for (std::size_t r = 1; r < m; ++r) {
        std::vector<std::vector<Rational>> next;
        for (const auto& v : vs)
            for_each_mask(v.size(), [&](const std::vector<bool>& d) { next.push_back(c.weights[r].apply(v, d)); });
        vs = std::move(next);
    }
    // U: rows e_iᵀ W_ℓ D_ℓ ⋯ D_{m+1} W_m, streamed depth-first; each meets every v.
    const RationalMatrix wt = c.weights[l].transpose();
    Rational best, sum, t;
    std::function<void(std::size_t, const std::vector<Rational>&)> down = [&](std::size_t r,
                                                                              const std::vector<Rational>& u) {
        if (r == m) {
            for (const auto& v : vs) {
                fmpq_zero(sum.get());
                for (std::size_t k = 0; k < u.size(); ++k) {
                    fmpq_mul(t.get(), u[k].get(), v[k].get());
                    if (t.sign() > 0) sum += t;
                }
                if (sum > best) best = sum;
            }
            return;
        }
        const RationalMatrix wr = c.weights[r - 1].transpose();  // u ↦ (u ∘ D_r) W_{r−1}
        for_each_mask(u.size(), [&](const std::vector<bool>& d) { down(r - 1, wr.apply(u, d)); });
    };
    for (std::size_t i = 0; i < c.output_dim(); ++i) {
        std::vector<Rational> row(wt.rows());
        for (std::size_t j = 0; j < wt.rows(); ++j) row[j] = c.weights[l].at(i, j);
        down(l, row);
    }
    return best;
}

}  // namespace

std::optional<Enclosure> szegedy_k(const ReluChain& c, LipNorm p, long prec, double max_combinations) {
    if (p != LipNorm::l2) {
        auto k = szegedy_inf(p == LipNorm::linf ? c : transposed(c), max_combinations);
        if (!k) return std::nullopt;
        return Enclosure{*k, *k};
    }
    const std::size_t units = c.hidden_units();
    if (units > 20 || std::ldexp(1.0, static_cast<int>(units)) > max_combinations / 100) return std::nullopt;
    std::optional<Enclosure> best;
    std::vector<std::vector<bool>> pattern;
    for (std::size_t r = 0; r < c.depth(); ++r) pattern.emplace_back(c.weights[r].rows());
    for_each_mask(units, [&](const std::vector<bool>& d) {
        std::size_t k = 0;
        for (auto& layer : pattern)
            for (std::size_t i = 0; i < layer.size(); ++i) layer[i] = d[k++];
        Enclosure e = operator_norm(c.jacobian(pattern), p, prec);
        if (!best) {
            best = e;
        } else {
            if (e.lower > best->lower) best->lower = e.lower;
            if (e.upper > best->upper) best->upper = e.upper;
        }
    });
    return best;
}

}  // namespace rigornet
