// The exact Lipschitz constant by region enumeration (lipschitz.hpp).
#include <string>

#include "rigornet/exact_lp.hpp"
#include "rigornet/error.hpp"
#include "rigornet/lipschitz.hpp"

namespace rigornet {

namespace {

// One constraint g(x) = a·x + c, to be made strictly positive.
struct AffineForm {
    std::vector<Rational> a;
    Rational c;
};

// Maximises t subject to g_k(x) ≥ t for every form, x_i − lo_i ≥ t and hi_i − x_i ≥ t on
// a box, and t ≤ 1 (exact LP). Returns the optimal x when t* > 0 — then every g_k(x) > 0
// and x is interior to the box (the caller re-checks it exactly) — and nullopt when
// t* ≤ 0: no point satisfies all the inequalities strictly. That answer is not taken on
// trust: the LP's dual values y ≥ 0 (one per form, box sides included) must satisfy
// Σ y_k a_k = 0, Σ y_k c_k ≤ 0 and y ≠ 0, checked exactly — then a point with every
// g_k(x) > 0 would give 0 < Σ y_k g_k(x) = Σ y_k c_k ≤ 0 (Motzkin's transposition
// theorem guarantees such y exists); Error if the check fails.
std::optional<std::vector<Rational>> strictly_feasible_point(std::vector<AffineForm> forms, const Domain& d,
                                                             std::size_t n) {
    if (d.is_box())
        for (std::size_t j = 0; j < n; ++j) {
            std::vector<Rational> e(n);
            e[j] = Rational(1);
            forms.push_back({e, -d.lo[j]});  // x_j − lo_j
            e[j] = Rational(-1);
            forms.push_back({e, d.hi[j]});  // hi_j − x_j
        }
    std::vector<Rational> objective(n + 1);
    objective[n] = Rational(1);
    std::vector<LpRow> rows;
    for (const AffineForm& f : forms) {  // a·x − t ≥ −c
        std::vector<Rational> a = f.a;
        a.push_back(Rational(-1));
        rows.push_back({std::move(a), '>', -f.c});
    }
    std::vector<std::optional<Rational>> lo(n + 1), hi(n + 1);
    hi[n] = Rational(1);
    auto s = lp_maximize(objective, rows, lo, hi);
    if (!s) throw Error("region LP infeasible (impossible: t is unbounded below)");
    if (s->value.sign() > 0) {
        s->x.pop_back();
        return std::move(s->x);
    }
    // Emptiness certificate from the duals (their sign convention: all ≥ 0 or all ≤ 0).
    std::vector<Rational> y = s->duals;
    bool nonpositive = true;
    for (const Rational& v : y) nonpositive = nonpositive && v.sign() <= 0;
    if (nonpositive)
        for (Rational& v : y) v = -v;
    bool ok = true, nonzero = false;
    std::vector<Rational> sum_a(n);
    Rational sum_c;
    for (std::size_t k = 0; k < forms.size(); ++k) {
        ok = ok && y[k].sign() >= 0;
        nonzero = nonzero || y[k].sign() > 0;
        for (std::size_t j = 0; j < n; ++j) sum_a[j] += y[k] * forms[k].a[j];
        sum_c += y[k] * forms[k].c;
    }
    for (const Rational& v : sum_a) ok = ok && v.is_zero();
    if (!(ok && nonzero && sum_c.sign() <= 0))
        throw Error("exact Lipschitz: the LP's emptiness certificate failed its exact check");
    return std::nullopt;
}

struct Search {
    const ReluChain& c;
    const Domain& d;
    LipNorm p;
    long prec;
    std::size_t max_regions;
    const std::function<void(std::size_t)>& progress;
    std::optional<ExactLipschitz> best;
    std::size_t regions = 0, lps = 0;
    bool aborted = false;

    // Pre-activations of layer r (1-based) on the current region: z = A x + b.
    struct Layer {
        std::vector<AffineForm> z;
    };

    // Confirms exactly that `point` lies in the open region of `pattern`: every unit's
    // pre-activation has the pattern's strict sign, or is 0 for a unit fixed because its
    // pre-activation is constant (`fixed`).
    bool confirm(const std::vector<Rational>& point, const std::vector<std::vector<bool>>& pattern,
                 const std::vector<std::vector<bool>>& fixed) const {
        const auto zs = c.preactivations(point);
        if (d.is_box())
            for (std::size_t j = 0; j < point.size(); ++j)
                if (!(d.lo[j] < point[j] && point[j] < d.hi[j])) return false;
        for (std::size_t r = 0; r < zs.size(); ++r)
            for (std::size_t k = 0; k < zs[r].size(); ++k) {
                const int s = zs[r][k].sign();
                if (s == 0 ? !fixed[r][k] || pattern[r][k] : (s > 0) != pattern[r][k]) return false;
            }
        return true;
    }

    void leaf(const std::vector<Rational>& point, const std::vector<std::vector<bool>>& pattern,
              const std::vector<std::vector<bool>>& fixed) {
        if (++regions > max_regions) {
            aborted = true;
            return;
        }
        if (progress && regions % 1000 == 0) progress(regions);
        if (!confirm(point, pattern, fixed))
            throw Error("exact Lipschitz: an LP point failed the exact region check (solver inconsistency)");
        Enclosure e = operator_norm(c.jacobian(pattern), p, prec);
        if (!best) {
            best = ExactLipschitz{e, pattern, point, {}, 0, 0};
            return;
        }
        if (e.upper > best->value.upper) best->value.upper = e.upper;
        if (e.lower > best->value.lower) {
            best->value.lower = e.lower;
            best->pattern = pattern;
            best->point = point;
        }
    }

    void explore(std::size_t r, std::size_t k, const Layer& layer, std::vector<AffineForm>& constraints,
                 std::vector<std::vector<bool>>& pattern, std::vector<std::vector<bool>>& fixed,
                 const std::vector<Rational>& point) {
        if (aborted) return;
        const std::size_t n = c.input_dim;
        if (k == layer.z.size()) {  // layer r decided
            if (r == c.depth()) return leaf(point, pattern, fixed);
            // Next pre-activations: W_r (D_r z) + b_r, still affine in x on the region.
            const RationalMatrix& w = c.weights[r];
            Layer next;
            next.z.assign(w.rows(), AffineForm{std::vector<Rational>(n), Rational()});
            for (std::size_t i = 0; i < w.rows(); ++i) {
                AffineForm& f = next.z[i];
                f.c = c.biases[r][i];
                for (std::size_t q = 0; q < w.cols(); ++q) {
                    if (!pattern[r - 1][q]) continue;
                    const fmpq* wiq = fmpq_mat_entry(w.get(), i, q);
                    if (fmpq_is_zero(wiq)) continue;
                    for (std::size_t j = 0; j < n; ++j) fmpq_addmul(f.a[j].get(), wiq, layer.z[q].a[j].get());
                    fmpq_addmul(f.c.get(), wiq, layer.z[q].c.get());
                }
            }
            pattern.emplace_back(w.rows());
            fixed.emplace_back(w.rows());
            explore(r + 1, 0, next, constraints, pattern, fixed, point);
            pattern.pop_back();
            fixed.pop_back();
            return;
        }
        const AffineForm& z = layer.z[k];
        bool constant = true;
        for (const Rational& a : z.a) constant = constant && a.is_zero();
        if (constant) {  // no constraint: the unit's state is fixed on the whole region
            pattern[r - 1][k] = z.c.sign() > 0;
            fixed[r - 1][k] = true;
            explore(r, k + 1, layer, constraints, pattern, fixed, point);
            fixed[r - 1][k] = false;
            return;
        }
        Rational v = z.c;
        for (std::size_t j = 0; j < n; ++j) v += z.a[j] * point[j];
        // The branch containing the current point needs no LP; the other one does.
        const bool here = v.sign() > 0;
        for (int branch = 0; branch < 2 && !aborted; ++branch) {
            const bool active = branch == 0 ? here : !here;
            AffineForm g = z;
            if (!active) {
                for (Rational& a : g.a) a = -a;
                g.c = -g.c;
            }
            constraints.push_back(g);
            std::optional<std::vector<Rational>> q;
            if (branch == 0 && v.sign() != 0) {
                q = point;
            } else {
                ++lps;
                q = strictly_feasible_point(constraints, d, n);
            }
            if (q) {
                pattern[r - 1][k] = active;
                explore(r, k + 1, layer, constraints, pattern, fixed, *q);
            }
            constraints.pop_back();
        }
    }
};

}  // namespace

std::optional<ExactLipschitz> exact_lipschitz(const ReluChain& c, const Domain& d, LipNorm p, long prec,
                                              std::size_t max_regions,
                                              const std::function<void(std::size_t)>& progress) {
    const std::size_t n = c.input_dim;
    Search s{c, d, p, prec, max_regions, progress, std::nullopt};
    std::vector<Rational> start(n);
    if (d.is_box())
        for (std::size_t j = 0; j < n; ++j) start[j] = (d.lo[j] + d.hi[j]) / Rational(2);
    if (c.depth() == 0) {
        s.leaf(start, {}, {});
    } else {
        Search::Layer first;
        for (std::size_t i = 0; i < c.weights[0].rows(); ++i) {
            AffineForm f{std::vector<Rational>(n), c.biases[0][i]};
            for (std::size_t j = 0; j < n; ++j) f.a[j] = c.weights[0].at(i, j);
            first.z.push_back(std::move(f));
        }
        std::vector<AffineForm> constraints;
        std::vector<std::vector<bool>> pattern{std::vector<bool>(first.z.size())}, fixed = pattern;
        s.explore(1, 0, first, constraints, pattern, fixed, start);
    }
    if (s.aborted || !s.best) return std::nullopt;
    ExactLipschitz out = std::move(*s.best);
    out.regions = s.regions;
    out.lps = s.lps;
    if (auto w = local_lower_bound(c, d, out.point, p, prec)) out.witness = std::move(*w);
    return out;
}

}  // namespace rigornet
