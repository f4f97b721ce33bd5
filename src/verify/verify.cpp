// rigornet — branch and bound verification over input boxes (verify.hpp).
#include "rigornet/verify.hpp"

#include <chrono>

#include "rigornet/error.hpp"
#include "rigornet/random.hpp"

namespace rigornet {

namespace {

using Box = std::pair<std::vector<Rational>, std::vector<Rational>>;

// The same in double, for candidate search only (never a bound).
double activate_double(const ReluChain& c, std::size_t r, std::size_t k, double z) {
    if (z <= 0) return 0;
    const Rational* cap = c.cap(r, k);
    return cap && z > cap->to_double(Round::nearest) ? cap->to_double(Round::nearest) : z;
}

// min over lo ≤ h ≤ hi of a·h, exact.
Rational min_dot(const std::vector<Rational>& a, const std::vector<Rational>& lo, const std::vector<Rational>& hi) {
    Rational s;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].sign() != 0) s += a[i] * (a[i].sign() > 0 ? lo[i] : hi[i]);
    return s;
}

// The chain's weights rounded to double: candidate search only.
struct DoubleChain {
    std::vector<std::vector<std::vector<double>>> w;
    std::vector<std::vector<double>> b;
    explicit DoubleChain(const ReluChain& c) {
        for (std::size_t r = 0; r < c.weights.size(); ++r) {
            const RationalMatrix& m = c.weights[r];
            w.emplace_back(m.rows(), std::vector<double>(m.cols()));
            b.emplace_back();
            for (std::size_t i = 0; i < m.rows(); ++i) {
                for (std::size_t j = 0; j < m.cols(); ++j) w[r][i][j] = m.at(i, j).to_double(Round::nearest);
                b[r].push_back(c.biases[r][i].to_double(Round::nearest));
            }
        }
    }
    std::vector<double> evaluate(const ReluChain& c, std::vector<double> h) const {
        for (std::size_t r = 0; r < w.size(); ++r) {
            std::vector<double> z(b[r]);
            for (std::size_t i = 0; i < z.size(); ++i)
                for (std::size_t j = 0; j < h.size(); ++j) z[i] += w[r][i][j] * h[j];
            if (r + 1 < w.size())
                for (std::size_t k = 0; k < z.size(); ++k) z[k] = activate_double(c, r, k, z[k]);
            h = std::move(z);
        }
        return h;
    }
};

// A conjunction's constraints rounded to double once (candidate screening only, never a
// proof): margin() is the largest violation max (a·x + c·y − d); ≤ 0 means inside.
struct DoubleConjunction {
    std::vector<std::vector<double>> ax, ay;
    std::vector<double> rhs;
    explicit DoubleConjunction(const std::vector<LinearConstraint>& conj) {
        auto to_d = [](const std::vector<Rational>& v) {
            std::vector<double> d;
            for (const Rational& r : v) d.push_back(r.to_double(Round::nearest));
            return d;
        };
        for (const LinearConstraint& c : conj) {
            ax.push_back(to_d(c.ax));
            ay.push_back(to_d(c.ay));
            rhs.push_back(c.rhs.to_double(Round::nearest));
        }
    }
    double margin(const std::vector<double>& x, const std::vector<double>& y) const {
        double worst = -1e300;
        for (std::size_t c = 0; c < rhs.size(); ++c) {
            double s = -rhs[c];
            for (std::size_t i = 0; i < x.size(); ++i) s += ax[c][i] * x[i];
            for (std::size_t j = 0; j < y.size(); ++j) s += ay[c][j] * y[j];
            worst = std::max(worst, s);
        }
        return worst;
    }
};

}  // namespace

std::vector<std::pair<std::vector<Rational>, std::vector<Rational>>> interval_bounds(const ReluChain& c,
                                                                                     const std::vector<Rational>& lo,
                                                                                     const std::vector<Rational>& hi) {
    std::vector<std::pair<std::vector<Rational>, std::vector<Rational>>> out;
    std::vector<Rational> l = lo, u = hi;
    for (std::size_t r = 0; r < c.weights.size(); ++r) {
        const RationalMatrix& w = c.weights[r];
        std::vector<Rational> nl(w.rows()), nu(w.rows());
        for (std::size_t i = 0; i < w.rows(); ++i) {
            nl[i] = c.biases[r][i];
            nu[i] = c.biases[r][i];
            for (std::size_t j = 0; j < w.cols(); ++j) {
                const Rational a = w.at(i, j);
                if (a.sign() > 0) { nl[i] += a * l[j]; nu[i] += a * u[j]; }
                else if (a.sign() < 0) { nl[i] += a * u[j]; nu[i] += a * l[j]; }
            }
            if (r + 1 < c.weights.size()) {  // σ is monotone: [σ(l), σ(u)]
                nl[i] = c.activate(r, i, nl[i]);
                nu[i] = c.activate(r, i, nu[i]);
            }
        }
        l = std::move(nl);
        u = std::move(nu);
        out.emplace_back(l, u);
    }
    return out;
}

VerifyResult verify(const ReluChain& c, const VnnlibProperty& p, const VerifyOptions& o) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - start).count(); };
    if (p.lower.size() != c.input_dim)
        throw ShapeError("verify: the property has " + std::to_string(p.lower.size()) + " inputs, the network " +
                         std::to_string(c.input_dim));
    for (const auto& conj : p.unsafe)
        for (const LinearConstraint& k : conj)
            if (k.ay.size() != c.output_dim())
                throw ShapeError("verify: the property has " + std::to_string(k.ay.size()) + " outputs, the network " +
                                 std::to_string(c.output_dim()));
    // Each output constraint c·y pulled back through the last affine layer: (cᵀW_ℓ, cᵀb_ℓ).
    const std::size_t last = c.weights.size() - 1;
    const RationalMatrix& wl = c.weights[last];
    std::vector<std::vector<std::pair<std::vector<Rational>, Rational>>> pulled;
    for (const auto& conj : p.unsafe) {
        pulled.emplace_back();
        for (const LinearConstraint& k : conj) {
            std::vector<Rational> g(wl.cols());
            Rational off;
            for (std::size_t i = 0; i < wl.rows(); ++i) {
                if (k.ay[i].is_zero()) continue;
                for (std::size_t j = 0; j < wl.cols(); ++j) g[j] += k.ay[i] * wl.at(i, j);
                off += k.ay[i] * c.biases[last][i];
            }
            pulled.back().emplace_back(std::move(g), std::move(off));
        }
    }
    const DoubleChain dc(c);
    std::vector<DoubleConjunction> unsafe_d;
    for (const auto& conj : p.unsafe) unsafe_d.emplace_back(conj);
    std::mt19937_64 rng(o.seed);  // portable draws (random.hpp): the same candidates everywhere
    VerifyResult res;
    std::vector<Box> stack{{p.lower, p.upper}};
    double next_progress = 2;
    auto finish = [&](Verdict v, std::string reason) {
        res.verdict = v;
        res.reason = std::move(reason);
        res.seconds = elapsed();
        return res;
    };
    while (!stack.empty()) {
        if (o.interrupt && o.interrupt->load()) return finish(Verdict::unknown, "interrupted");
        if (elapsed() >= o.timeout_seconds) return finish(Verdict::unknown, "timeout");
        if (res.nodes >= o.max_nodes) return finish(Verdict::unknown, "node limit");
        if (o.progress && elapsed() >= next_progress) {
            o.progress(res.nodes, stack.size(), elapsed());
            next_progress = elapsed() + 2;
        }
        Box box = std::move(stack.back());
        stack.pop_back();
        ++res.nodes;
        const auto& [lo, hi] = box;
        // bounds of the last hidden layer (or the input when there is none)
        std::vector<Rational> hl = lo, hu = hi;
        if (last > 0) {
            auto b = interval_bounds(c, lo, hi);
            hl = std::move(b[last - 1].first);
            hu = std::move(b[last - 1].second);
        }
        std::vector<std::size_t> open;  // conjunctions not refuted on this box
        for (std::size_t k = 0; k < p.unsafe.size(); ++k) {
            bool refuted = false;
            for (std::size_t m = 0; m < p.unsafe[k].size() && !refuted; ++m) {
                const LinearConstraint& con = p.unsafe[k][m];
                refuted = min_dot(con.ax, lo, hi) + min_dot(pulled[k][m].first, hl, hu) + pulled[k][m].second > con.rhs;
            }
            if (!refuted) open.push_back(k);
        }
        if (open.empty()) continue;
        // candidates: the centre, then uniform samples; each re-checked exactly
        for (std::size_t s = 0; s <= o.samples_per_node; ++s) {
            std::vector<double> xd(lo.size());
            std::vector<Rational> x(lo.size());
            for (std::size_t i = 0; i < lo.size(); ++i) {
                double a = lo[i].to_double(Round::nearest), b = hi[i].to_double(Round::nearest);
                xd[i] = s == 0 ? a + (b - a) / 2 : a + (b - a) * uniform_unit(rng);
                x[i] = std::clamp(Rational::from_double(xd[i]), lo[i], hi[i]);
            }
            const std::vector<double> yd = dc.evaluate(c, xd);
            for (std::size_t k : open) {
                if (unsafe_d[k].margin(xd, yd) > 1e-9) continue;
                std::vector<Rational> y = c.evaluate(x);
                if (satisfies(p.unsafe[k], x, y)) {
                    res.input = std::move(x);
                    res.output = std::move(y);
                    return finish(Verdict::refuted, "");
                }
            }
        }
        std::size_t d = 0;
        for (std::size_t i = 1; i < lo.size(); ++i)
            if (hi[i] - lo[i] > hi[d] - lo[d]) d = i;
        Rational mid = lo[d] + hi[d];
        fmpq_div_2exp(mid.get(), mid.get(), 1);
        Box left = box, right = box;
        left.second[d] = mid;
        right.first[d] = mid;
        stack.push_back(std::move(right));
        stack.push_back(std::move(left));
    }
    return finish(Verdict::proved, "");
}

}  // namespace rigornet
