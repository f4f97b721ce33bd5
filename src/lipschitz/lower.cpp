// Witnessed lower bounds on the Lipschitz constant (lipschitz.hpp).
#include <cmath>

#include "rigornet/error.hpp"
#include "rigornet/lipschitz.hpp"

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

std::vector<int> signs(const ReluChain& c, const std::vector<Rational>& x) {
    std::vector<int> s;
    for (const auto& layer : c.preactivations(x))
        for (const Rational& z : layer) s.push_back(z.sign());
    return s;
}

// A floating-point top right singular vector of J (power iteration on JᵀJ): a
// candidate direction only; the certified value comes from the exact pair.
std::vector<double> top_singular_direction(const RationalMatrix& j) {
    const std::size_t m = j.rows(), n = j.cols();
    std::vector<double> a(m * n), v(n, 1.0), w(m);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t k = 0; k < n; ++k) a[i * n + k] = j.at(i, k).to_double(Round::nearest);
    for (int it = 0; it < 200; ++it) {
        for (std::size_t i = 0; i < m; ++i) {
            w[i] = 0;
            for (std::size_t k = 0; k < n; ++k) w[i] += a[i * n + k] * v[k];
        }
        double norm = 0;
        for (std::size_t k = 0; k < n; ++k) {
            v[k] = 0;
            for (std::size_t i = 0; i < m; ++i) v[k] += a[i * n + k] * w[i];
            norm += v[k] * v[k];
        }
        if (!(norm > 0) || !std::isfinite(norm)) return std::vector<double>(n, 1.0);
        for (double& t : v) t /= std::sqrt(norm);
    }
    return v;
}

}  // namespace

std::optional<PairWitness> local_lower_bound(const ReluChain& c, const Domain& dom, const std::vector<Rational>& x,
                                             LipNorm p, long prec) {
    const auto s = signs(c, x);
    std::vector<std::vector<bool>> pattern;
    std::size_t k = 0;
    for (std::size_t r = 0; r < c.depth(); ++r) {
        pattern.emplace_back(c.weights[r].rows());
        for (std::size_t i = 0; i < pattern.back().size(); ++i) pattern.back()[i] = s[k++] > 0;
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
        const auto v = top_singular_direction(j);
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
        if (inside && signs(c, b) == s) return PairWitness{x, b, pair_quotient_lower(c, x, b, p, prec)};
    }
    return std::nullopt;
}

PairWitness sampled_lower_bound(const ReluChain& c, const Domain& d, LipNorm p, long prec, int samples,
                                std::mt19937_64& rng) {
    const std::size_t n = c.input_dim;
    std::vector<Rational> lo(n), hi(n);
    if (d.is_box()) {
        lo = d.lo;
        hi = d.hi;
    } else {
        // On R^n: a box that contains the first layer's kinks near the origin,
        // [−s, s]^n with s = 1 + max_k |b_k| / max_j |W_kj| (a heuristic for sampling only).
        Rational s(0);
        for (std::size_t k = 0; k < c.weights[0].rows(); ++k) {
            Rational m;
            for (std::size_t j = 0; j < n; ++j)
                if (c.weights[0].at(k, j).abs() > m) m = c.weights[0].at(k, j).abs();
            if (!m.is_zero() && c.biases[0][k].abs() / m > s) s = c.biases[0][k].abs() / m;
        }
        s += Rational(1);
        for (std::size_t j = 0; j < n; ++j) lo[j] = -s, hi[j] = s;
    }
    std::uniform_int_distribution<long> unit(0, 1L << 20);
    auto random_point = [&] {
        std::vector<Rational> x(n);
        for (std::size_t j = 0; j < n; ++j) x[j] = lo[j] + (hi[j] - lo[j]) * Rational(unit(rng), 1L << 20);
        return x;
    };
    std::optional<PairWitness> best;
    auto consider = [&](PairWitness w) {
        if (!best || w.value > best->value) best = std::move(w);
    };
    for (int i = 0; i < std::max(1, samples); ++i) {
        const auto a = random_point();
        if (auto w = local_lower_bound(c, d, a, p, prec)) consider(std::move(*w));
        auto b = random_point();
        if (b == a) b[0] = a[0] == hi[0] ? lo[0] : hi[0];
        consider(PairWitness{a, b, pair_quotient_lower(c, a, b, p, prec)});
    }
    return std::move(*best);
}

}  // namespace rigornet
