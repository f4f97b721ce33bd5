// Witnessed lower bounds on the Lipschitz constant (lipschitz.hpp).
#include <cmath>

#include "rigornet/core/error.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/number/random.hpp"
#include "power_iteration.hpp"

namespace rigornet {

Rational pair_quotient_lower(const ReluChain& c, const std::vector<Rational>& a, const std::vector<Rational>& b,
                             LipNorm p, long prec) {
    const auto fa = c.evaluate(a), fb = c.evaluate(b);
    std::vector<Rational> df(fa.size()), dx(a.size());
    for (std::size_t i = 0; i < fa.size(); ++i) df[i] = (fa[i] - fb[i]).abs();
    for (std::size_t j = 0; j < a.size(); ++j) dx[j] = (a[j] - b[j]).abs();
    auto combine = [p](const std::vector<Rational>& v) {
        Rational r;
        for (const Rational& t : v) {
            if (p == LipNorm::linf) {
                if (t > r) r = t;
            } else {
                r += p == LipNorm::l1 ? t : t * t;
            }
        }
        return r;
    };
    Rational num = combine(df), den = combine(dx);
    if (den.is_zero()) throw DomainError("a pair witness needs two different points");
    Rational q = num / den;
    if (p != LipNorm::l2) return q;
    Ball root(q, prec);  // quotient of squares; its square root is the ℓ2 quotient
    arb_sqrt(root.get(), root.get(), prec);
    return root.lower();
}

namespace {

std::vector<double> to_doubles(const RationalMatrix& j) {
    std::vector<double> a;
    for (std::size_t i = 0; i < j.rows(); ++i)
        for (std::size_t k = 0; k < j.cols(); ++k) a.push_back(j.at(i, k).to_double(Round::nearest));
    return a;
}

// The phase of every hidden unit at x (layer by layer): f is affine with gradient J_D
// on a segment along which this vector is constant.
std::vector<UnitPhase> phases(const ReluChain& c, const std::vector<Rational>& x) {
    std::vector<UnitPhase> s;
    const auto zs = c.preactivations(x);
    for (std::size_t r = 0; r < zs.size(); ++r)
        for (std::size_t k = 0; k < zs[r].size(); ++k) s.push_back(c.phase(r, k, zs[r][k]));
    return s;
}

// The witness of a pair for the chain restricted to the free inputs, as inputs of f.
PairWitness expand(const InputRestriction& r, PairWitness w) {
    return {r.expand(w.a), r.expand(w.b), std::move(w.value)};
}

}  // namespace

std::optional<PairWitness> local_lower_bound(const ReluChain& c, const Domain& dom, const std::vector<Rational>& x,
                                             LipNorm p, long prec) {
    if (dom.fixes_inputs()) {
        const InputRestriction r = restrict_inputs(c, dom);
        auto w = local_lower_bound(r.chain, r.domain, r.shrink(x), p, prec);
        if (w) return expand(r, std::move(*w));
        return std::nullopt;
    }
    const auto s = phases(c, x);
    std::vector<std::vector<bool>> pattern;
    std::size_t k = 0;
    for (std::size_t r = 0; r < c.depth(); ++r) {
        pattern.emplace_back(c.weights[r].rows());
        for (std::size_t i = 0; i < pattern.back().size(); ++i) pattern.back()[i] = s[k++] == UnitPhase::inside;
    }
    const RationalMatrix j = c.jacobian(pattern);
    const std::size_t n = c.input_dim;
    std::vector<Rational> d(n);
    if (p == LipNorm::linf) {
        std::size_t best = 0;
        Rational best_sum(-1);
        for (std::size_t i = 0; i < j.rows(); ++i) {
            Rational sum;
            for (std::size_t q = 0; q < n; ++q) sum += j.at(i, q).abs();
            if (sum > best_sum) best_sum = sum, best = i;
        }
        for (std::size_t q = 0; q < n; ++q) d[q] = Rational(j.at(best, q).sign() < 0 ? -1 : 1);
    } else if (p == LipNorm::l1) {
        const RationalMatrix jt = j.transpose();
        std::size_t best = 0;
        Rational best_sum(-1);
        for (std::size_t q = 0; q < n; ++q) {
            Rational sum;
            for (std::size_t i = 0; i < jt.cols(); ++i) sum += jt.at(q, i).abs();
            if (sum > best_sum) best_sum = sum, best = q;
        }
        d[best] = Rational(1);
    } else {
        const auto v = detail::top_singular_pair(to_doubles(j), j.rows(), j.cols()).v;
        bool nonzero = false;
        for (std::size_t q = 0; q < n; ++q) {
            d[q] = Rational::from_double(std::ldexp(std::round(std::ldexp(v[q], 30)), -30));
            nonzero = nonzero || !d[q].is_zero();
        }
        if (!nonzero) d[0] = Rational(1);
    }
    Rational eps(1);
    for (int it = 0; it <= 200; ++it, eps /= Rational(2)) {
        std::vector<Rational> b(n);
        bool inside = true;
        for (std::size_t q = 0; q < n; ++q) {
            b[q] = x[q] + eps * d[q];
            if (dom.is_box()) inside = inside && dom.lo[q] <= b[q] && b[q] <= dom.hi[q];
        }
        if (inside && phases(c, b) == s) return PairWitness{x, b, pair_quotient_lower(c, x, b, p, prec)};
    }
    return std::nullopt;
}

std::vector<std::vector<Rational>> sample_points(const ReluChain& c, const Domain& d, int n, std::mt19937_64& rng) {
    const std::size_t dim = c.input_dim;
    std::vector<Rational> lo(dim), hi(dim);
    if (d.is_box()) {
        lo = d.lo;
        hi = d.hi;
    } else {
        // On R^n: a box that contains the first layer's kinks near the origin,
        // [−s, s]^n with s = 1 + max_k |b_k| / max_j |W_kj| (a heuristic for sampling only).
        Rational s(0);
        for (std::size_t k = 0; k < c.weights[0].rows(); ++k) {
            Rational m;
            for (std::size_t j = 0; j < dim; ++j)
                if (c.weights[0].at(k, j).abs() > m) m = c.weights[0].at(k, j).abs();
            if (!m.is_zero() && c.biases[0][k].abs() / m > s) s = c.biases[0][k].abs() / m;
        }
        s += Rational(1);
        for (std::size_t j = 0; j < dim; ++j) lo[j] = -s, hi[j] = s;
    }
    std::vector<std::vector<Rational>> points;
    for (int i = 0; i < n; ++i) {
        std::vector<Rational> x(dim);
        for (std::size_t j = 0; j < dim; ++j) x[j] = lo[j] + (hi[j] - lo[j]) * Rational(uniform_int(rng, 0, 1L << 20), 1L << 20);
        points.push_back(std::move(x));
    }
    return points;
}

RationalMatrix effective_jacobian(const ReluChain& c, const std::vector<std::vector<Rational>>& points) {
    if (points.empty()) throw DomainError("effective_jacobian: no sample points");
    std::vector<std::vector<long>> active;
    for (std::size_t r = 0; r < c.depth(); ++r) active.emplace_back(c.weights[r].rows(), 0);
    for (const auto& x : points) {
        const auto zs = c.preactivations(x);
        for (std::size_t r = 0; r < zs.size(); ++r)
            for (std::size_t k = 0; k < zs[r].size(); ++k) active[r][k] += c.phase(r, k, zs[r][k]) == UnitPhase::inside;
    }
    const Rational n(static_cast<long>(points.size()));
    RationalMatrix j = c.weights[0];
    for (std::size_t r = 1; r <= c.depth(); ++r) {
        for (std::size_t k = 0; k < j.rows(); ++k) {
            const Rational p = Rational(active[r - 1][k]) / n;
            for (std::size_t q = 0; q < j.cols(); ++q) j.set(k, q, j.at(k, q) * p);
        }
        j = c.weights[r] * j;
    }
    return j;
}

PairWitness sampled_lower_bound(const ReluChain& c, const Domain& d, LipNorm p, long prec, int samples,
                                std::mt19937_64& rng) {
    if (d.fixes_inputs()) {
        const InputRestriction r = restrict_inputs(c, d);
        return expand(r, sampled_lower_bound(r.chain, r.domain, p, prec, samples, rng));
    }
    const auto points = sample_points(c, d, 2 * std::max(1, samples), rng);
    std::optional<PairWitness> best;
    auto consider = [&](PairWitness w) {
        if (!best || w.value > best->value) best = std::move(w);
    };
    for (std::size_t i = 0; i + 1 < points.size(); i += 2) {
        const auto& a = points[i];
        if (auto w = local_lower_bound(c, d, a, p, prec)) consider(std::move(*w));
        if (points[i + 1] != a) consider(PairWitness{a, points[i + 1], pair_quotient_lower(c, a, points[i + 1], p, prec)});
    }
    if (!best) throw DomainError("sampled_lower_bound: every sample was degenerate");
    return std::move(*best);
}

}  // namespace rigornet
