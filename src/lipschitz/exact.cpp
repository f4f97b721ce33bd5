// The exact Lipschitz constant by region enumeration (lipschitz.hpp).
#include <algorithm>
#include <chrono>
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

// The piece of a unit on a region (the kinks belong to no region).
enum class Piece { below, inside, above };

bool on_piece(UnitPhase ph, Piece piece) {
    return (ph == UnitPhase::below && piece == Piece::below) || (ph == UnitPhase::inside && piece == Piece::inside) ||
           (ph == UnitPhase::above && piece == Piece::above);
}

struct Search {
    const ReluChain& c;
    const Domain& d;
    LipNorm p;
    long prec;
    const ExactLimits& limits;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), last_report = start;
    std::optional<ExactLipschitz> best{};
    std::size_t regions = 0, lps = 0;
    std::string stopped{};

    // Pre-activations of layer r (1-based) on the current region: z = A x + b.
    struct Layer {
        std::vector<AffineForm> z;
    };

    // Whether a limit stops the search now (then `stopped` names it); reports progress.
    bool stop() {
        if (!stopped.empty()) return true;
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - start).count();
        if (limits.progress && std::chrono::duration<double>(now - last_report).count() >= limits.progress_seconds) {
            last_report = now;
            limits.progress(regions, lps, seconds);
        }
        if (limits.interrupt && limits.interrupt->load()) stopped = "interrupted";
        else if (seconds >= limits.max_seconds) stopped = "timeout";
        else if (regions >= limits.max_regions) stopped = "max-regions";
        return !stopped.empty();
    }

    // Confirms exactly that `point` lies in the open region of `pieces`: every unit's
    // pre-activation lies strictly in its piece, or on a kink for a unit fixed because its
    // pre-activation is constant (`fixed`), whose piece is then the one the constant chose.
    bool confirm(const std::vector<Rational>& point, const std::vector<std::vector<Piece>>& pieces,
                 const std::vector<std::vector<bool>>& fixed) const {
        const auto zs = c.preactivations(point);
        if (d.is_box())
            for (std::size_t j = 0; j < point.size(); ++j)
                if (!(d.lo[j] < point[j] && point[j] < d.hi[j])) return false;
        for (std::size_t r = 0; r < zs.size(); ++r)
            for (std::size_t k = 0; k < zs[r].size(); ++k) {
                const UnitPhase ph = c.phase(r, k, zs[r][k]);
                const bool kink_ok = fixed[r][k] && ((ph == UnitPhase::lower_kink && pieces[r][k] == Piece::below) ||
                                                     (ph == UnitPhase::upper_kink && pieces[r][k] == Piece::above));
                if (!on_piece(ph, pieces[r][k]) && !kink_ok) return false;
            }
        return true;
    }

    void leaf(const std::vector<Rational>& point, const std::vector<std::vector<Piece>>& pieces,
              const std::vector<std::vector<bool>>& fixed) {
        ++regions;
        if (!confirm(point, pieces, fixed))
            throw Error("exact Lipschitz: an LP point failed the exact region check (solver inconsistency)");
        std::vector<std::vector<bool>> pattern;
        for (const auto& layer : pieces) {
            pattern.emplace_back();
            for (Piece q : layer) pattern.back().push_back(q == Piece::inside);
        }
        Enclosure e = operator_norm(c.jacobian(pattern), p, prec);
        if (!best) {
            best = ExactLipschitz{e, pattern, point, {}, 0, 0, {}};
            return;
        }
        if (e.upper > best->value.upper) best->value.upper = e.upper;
        if (e.lower > best->value.lower) {
            best->value.lower = e.lower;
            best->pattern = std::move(pattern);
            best->point = point;
        }
    }

    void explore(std::size_t r, std::size_t k, const Layer& layer, std::vector<AffineForm>& constraints,
                 std::vector<std::vector<Piece>>& pieces, std::vector<std::vector<bool>>& fixed,
                 const std::vector<Rational>& point) {
        if (stop()) return;
        const std::size_t n = c.input_dim;
        if (k == layer.z.size()) {  // layer r decided
            if (r == c.depth()) return leaf(point, pieces, fixed);
            // Next pre-activations: W_r σ(z) + b_r, still affine in x on the region (σ(z) is
            // z inside, 0 below, the cap above).
            const RationalMatrix& w = c.weights[r];
            Layer next;
            next.z.assign(w.rows(), AffineForm{std::vector<Rational>(n), Rational()});
            for (std::size_t i = 0; i < w.rows(); ++i) {
                AffineForm& f = next.z[i];
                f.c = c.biases[r][i];
                for (std::size_t q = 0; q < w.cols(); ++q) {
                    const fmpq* wiq = fmpq_mat_entry(w.get(), i, q);
                    if (pieces[r - 1][q] == Piece::below || fmpq_is_zero(wiq)) continue;
                    if (pieces[r - 1][q] == Piece::above) {
                        fmpq_addmul(f.c.get(), wiq, c.cap(r - 1, q)->get());
                        continue;
                    }
                    for (std::size_t j = 0; j < n; ++j) fmpq_addmul(f.a[j].get(), wiq, layer.z[q].a[j].get());
                    fmpq_addmul(f.c.get(), wiq, layer.z[q].c.get());
                }
            }
            pieces.emplace_back(w.rows());
            fixed.emplace_back(w.rows());
            explore(r + 1, 0, next, constraints, pieces, fixed, point);
            pieces.pop_back();
            fixed.pop_back();
            return;
        }
        const AffineForm& z = layer.z[k];
        const Rational* cap = c.cap(r - 1, k);
        bool constant = true;
        for (const Rational& a : z.a) constant = constant && a.is_zero();
        if (constant) {  // no constraint: the unit's piece is fixed on the whole region
            pieces[r - 1][k] = z.c.sign() <= 0 ? Piece::below : cap && z.c >= *cap ? Piece::above : Piece::inside;
            fixed[r - 1][k] = true;
            explore(r, k + 1, layer, constraints, pieces, fixed, point);
            fixed[r - 1][k] = false;
            return;
        }
        Rational v = z.c;
        for (std::size_t j = 0; j < n; ++j) v += z.a[j] * point[j];
        const UnitPhase here = c.phase(r - 1, k, v);
        // The piece containing the current point needs no LP; the others do.
        std::vector<Piece> order{Piece::below, Piece::inside};
        if (cap) order.push_back(Piece::above);
        std::stable_partition(order.begin(), order.end(), [&](Piece q) { return on_piece(here, q); });
        for (Piece piece : order) {
            if (stop()) return;
            // The strict inequalities g > 0 of the piece: −z (below); z and cap − z (inside);
            // z − cap (above).
            std::size_t added = 0;
            auto require = [&](Rational sign, const Rational& shift) {
                AffineForm g = z;
                for (Rational& a : g.a) a *= sign;
                g.c = sign * g.c + shift;
                constraints.push_back(std::move(g));
                ++added;
            };
            if (piece == Piece::below) require(Rational(-1), Rational(0));
            if (piece == Piece::inside) require(Rational(1), Rational(0));
            if (piece == Piece::inside && cap) require(Rational(-1), *cap);
            if (piece == Piece::above) require(Rational(1), -*cap);
            std::optional<std::vector<Rational>> q;
            if (on_piece(here, piece)) {
                q = point;
            } else {
                ++lps;
                q = strictly_feasible_point(constraints, d, n);
            }
            if (q) {
                pieces[r - 1][k] = piece;
                explore(r, k + 1, layer, constraints, pieces, fixed, *q);
            }
            constraints.resize(constraints.size() - added);
        }
    }
};

}  // namespace

std::optional<ExactLipschitz> exact_lipschitz(const ReluChain& c, const Domain& d, LipNorm p, long prec,
                                              const ExactLimits& limits) {
    if (d.fixes_inputs()) {
        const InputRestriction r = restrict_inputs(c, d);
        auto ex = exact_lipschitz(r.chain, r.domain, p, prec, limits);
        if (ex) {
            ex->point = r.expand(ex->point);
            if (!ex->witness.a.empty()) {
                ex->witness.a = r.expand(ex->witness.a);
                ex->witness.b = r.expand(ex->witness.b);
            }
        }
        return ex;
    }
    const std::size_t n = c.input_dim;
    Search s{c, d, p, prec, limits};
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
        std::vector<std::vector<Piece>> pieces{std::vector<Piece>(first.z.size())};
        std::vector<std::vector<bool>> fixed{std::vector<bool>(first.z.size())};
        s.explore(1, 0, first, constraints, pieces, fixed, start);
    }
    if (!s.best) return std::nullopt;
    ExactLipschitz out = std::move(*s.best);
    out.regions = s.regions;
    out.lps = s.lps;
    out.stopped = s.stopped;
    // Stopped: the upper ends seen so far bound nothing; report the best region's ‖J_D‖.
    if (!out.complete()) out.value = operator_norm(c.jacobian(out.pattern), p, prec);
    if (auto w = local_lower_bound(c, d, out.point, p, prec)) out.witness = std::move(*w);
    return out;
}

}  // namespace rigornet
