// The exact Lipschitz constant by region enumeration (lipschitz.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "rigornet/core/error.hpp"
#include "rigornet/linalg/exact_lp.hpp"
#include "rigornet/lipschitz/jacobian_bound.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/verify/sound_bounds.hpp"

namespace rigornet {

namespace {

// One constraint g(x) = a·x + c, to be made strictly positive.
struct AffineForm {
    std::vector<Rational> a;
    Rational c;
};

// True when y (one multiplier per form) proves that no x has every g_k(x) > 0: y ≥ 0,
// y ≠ 0 and Σ y_k g_k ≤ 0 everywhere on the domain — on a box, its exact maximum there
// (each coordinate at the end its coefficient's sign picks) is ≤ 0; on R^n, Σ y_k a_k = 0
// and Σ y_k c_k ≤ 0 — for then such an x would give 0 < Σ y_k g_k(x) ≤ 0. (On a box the
// forms include its sides, so the point would lie in it; Motzkin's transposition theorem
// guarantees that such y exists whenever no such x does.)
bool refutes(const std::vector<AffineForm>& forms, const std::vector<Rational>& y, const Domain& d, std::size_t n) {
    std::vector<Rational> rho(n);
    Rational sum_c;
    bool nonzero = false;
    for (std::size_t k = 0; k < forms.size(); ++k) {
        if (y[k].sign() < 0) return false;
        if (y[k].is_zero()) continue;
        nonzero = true;
        for (std::size_t j = 0; j < n; ++j) rho[j] += y[k] * forms[k].a[j];
        sum_c += y[k] * forms[k].c;
    }
    for (std::size_t j = 0; j < n; ++j) {
        if (rho[j].is_zero()) continue;
        if (!d.is_box()) return false;
        sum_c += rho[j] * (rho[j].sign() > 0 ? d.hi[j] : d.lo[j]);
    }
    return nonzero && sum_c.sign() <= 0;
}

// The dual values y of an LP in either sign convention (all ≥ 0 or all ≤ 0), made ≥ 0.
template <class T>
void fix_dual_sign(std::vector<T>& y) {
    T total{};
    for (const T& v : y) total += v;
    if (total < T{})
        for (T& v : y) v = -v;
}

// The answer of strictly_feasible_point taken from the binary64 solution `guess` of its
// LP, only where an exact check proves it: a point x (the solution's x, read exactly) at
// which every form is > 0, exactly; or "no point" (inner nullopt) when the dual values,
// read exactly with their sign fixed and negatives set to 0, refute the forms (refutes).
// Outer nullopt: neither check passes, the exact LP must decide.
std::optional<std::optional<std::vector<Rational>>> binary64_answer(const std::vector<AffineForm>& forms,
                                                                    LpCandidate guess, const Domain& d,
                                                                    std::size_t n) {
    if (!guess.optimal) return std::nullopt;
    if (guess.value > 0) {
        std::vector<Rational> x;
        for (std::size_t j = 0; j < n; ++j) x.push_back(Rational::from_double(guess.x[j]));
        for (const AffineForm& f : forms) {
            Rational g = f.c;
            for (std::size_t j = 0; j < n; ++j) g += f.a[j] * x[j];
            if (g.sign() <= 0) return std::nullopt;
        }
        return std::optional<std::vector<Rational>>(std::move(x));
    }
    fix_dual_sign(guess.duals);
    std::vector<Rational> y(forms.size());
    for (std::size_t k = 0; k < forms.size(); ++k)
        if (guess.duals[k] > 0 && std::isfinite(guess.duals[k])) y[k] = Rational::from_double(guess.duals[k]);
    if (refutes(forms, y, d, n)) return std::optional<std::vector<Rational>>();
    return std::nullopt;
}

// Maximises t subject to g_k(x) ≥ t for every form, x_i − lo_i ≥ t and hi_i − x_i ≥ t on
// a box, and t ≤ 1 (exact LP). Returns the optimal x when t* > 0 — then every g_k(x) > 0
// and x is interior to the box (the caller re-checks it exactly) — and nullopt when
// t* ≤ 0: no point satisfies all the inequalities strictly. That answer is not taken on
// trust: the LP's dual values (one per form, box sides included) must refute the forms
// (refutes, checked exactly); Error if the check fails. The LP is first solved in
// binary64 and that answer taken when it passes binary64_answer's exact check.
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
    if (auto quick = binary64_answer(forms, lp_maximize_binary64(objective, rows, lo, hi), d, n)) return *quick;
    auto s = lp_maximize(objective, rows, lo, hi);
    if (!s) throw Error("region LP infeasible (impossible: t is unbounded below)");
    if (s->value.sign() > 0) {
        s->x.pop_back();
        return std::move(s->x);
    }
    // Emptiness certificate from the duals, checked exactly.
    fix_dual_sign(s->duals);
    if (!refutes(forms, s->duals, d, n))
        throw Error("exact Lipschitz: the LP's emptiness certificate failed its exact check");
    return std::nullopt;
}

// The piece of a unit on a region (the kinks belong to no region).
enum class Piece { below, inside, above };

bool on_piece(UnitPhase ph, Piece piece) {
    return (ph == UnitPhase::below && piece == Piece::below) || (ph == UnitPhase::inside && piece == Piece::inside) ||
           (ph == UnitPhase::above && piece == Piece::above);
}

// The limits of one run (interrupt, time, regions) and its progress reports, shared by
// the searches of every box of a run.
struct RunLimits {
    const ExactLimits& limits;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), last_report = start;
    // Why the run stops now ("": it goes on) after `regions` regions and `lps` LPs in all;
    // reports progress at most every progress_seconds.
    std::string check(std::size_t regions, std::size_t lps) {
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - start).count();
        if (limits.progress && std::chrono::duration<double>(now - last_report).count() >= limits.progress_seconds) {
            last_report = now;
            limits.progress(regions, lps, seconds);
        }
        if (limits.interrupt && limits.interrupt->load()) return "interrupted";
        if (seconds >= limits.max_seconds) return "timeout";
        if (regions >= limits.max_regions) return "max-regions";
        return {};
    }
};

// Keeps in best the offered region of largest proved ‖J_D‖ (value.lower, with its pattern
// and interior point) and in value.upper the largest upper end of all regions offered
// (they differ only for p = 2, whose norms are enclosures).
void offer(std::optional<ExactLipschitz>& best, const Enclosure& e, std::vector<std::vector<bool>> pattern,
           const std::vector<Rational>& point) {
    if (best && !(e.lower > best->value.lower)) {
        if (e.upper > best->value.upper) best->value.upper = e.upper;
        return;
    }
    const Rational up = best ? std::max(best->value.upper, e.upper) : e.upper;
    best.emplace();
    best->value = {e.lower, up};
    best->pattern = std::move(pattern);
    best->point = point;
}

std::vector<Rational> centre(const Domain& b) {
    std::vector<Rational> x;
    for (std::size_t j = 0; j < b.lo.size(); ++j) x.push_back((b.lo[j] + b.hi[j]) / Rational(2));
    return x;
}

// Whether x is a point of d (every point is, on R^n).
bool contains(const Domain& d, const std::vector<Rational>& x) {
    for (std::size_t j = 0; j < x.size() && d.is_box(); ++j)
        if (x[j] < d.lo[j] || d.hi[j] < x[j]) return false;
    return true;
}

// The binary64 box containing b (ends rounded outward), where the outward bounds apply.
void outward_box(const Domain& b, std::vector<double>& lo, std::vector<double>& hi) {
    lo.clear();
    hi.clear();
    for (std::size_t j = 0; j < b.lo.size(); ++j) {
        lo.push_back(b.lo[j].to_double(Round::down));
        hi.push_back(b.hi[j].to_double(Round::up));
    }
}

// The slope that outward bounds l ≤ z ≤ h of a unit prove (slope_on_range on their exact
// values; an infinite end proves nothing on its side).
UnitSlope slope_of(double l, double h, const Rational* cap) {
    if (std::isfinite(l) && std::isfinite(h)) return slope_on_range(Rational::from_double(l), Rational::from_double(h), cap);
    if (h <= 0) return UnitSlope::zero;
    if (l >= 0 && !cap) return UnitSlope::one;
    return UnitSlope::free;
}

struct Search {
    const ReluChain& c;
    const Domain& d;
    LipNorm p;
    long prec;
    const ExactLimits& limits;
    RunLimits& run_limits;
    JacobianBound jb{c};
    // known.back(): the slopes proved for the undecided units of the current branch —
    // box_slopes at the root, refined after each decided layer (refine); empty on R^n
    std::vector<SlopePattern> known{};
    // On a box: the chain in binary64 intervals and the box rounded outward, for refine.
    std::optional<OutwardChain> outward{};
    std::vector<double> box_lo{}, box_hi{};
    // Branches whose bound is ≤ floor are pruned too (a proved lower bound on L found
    // elsewhere: another box of the domain); no region then needs to be found here.
    Rational floor{};
    // Counts carried over from earlier boxes, so the limits apply to the whole run.
    std::size_t regions_before = 0, lps_before = 0;
    // jb.split of the current branch at each layer entered on its path (the later layers'
    // slopes are known.back(), the earlier ones decided): the layer's branch bounds.
    std::vector<JacobianBound::Split> splits{};
    std::optional<ExactLipschitz> best{};
    std::size_t regions = 0, lps = 0, pruned = 0;
    std::string stopped{};
    // The largest bound of a branch left unexplored because a limit stopped the search.
    double open_upper = 0;

    // Pre-activations of layer r (1-based) on the current region: z = A x + b.
    struct Layer {
        std::vector<AffineForm> z;
    };

    // Whether a limit stops the search now (then `stopped` names it); reports progress.
    bool stop() {
        if (stopped.empty()) stopped = run_limits.check(regions_before + regions, lps_before + lps);
        return !stopped.empty();
    }

    // The slopes of a branch: decided units by their piece, the others by the box.
    SlopePattern slopes(const std::vector<std::vector<Piece>>& pieces, std::size_t r, std::size_t k) const {
        SlopePattern s = known.empty() ? SlopePattern{} : known.back();
        s.resize(c.depth());
        for (std::size_t q = 0; q < r; ++q) {
            const std::size_t decided = q + 1 < r ? pieces[q].size() : k;
            s[q].resize(pieces[q].size(), UnitSlope::free);
            for (std::size_t u = 0; u < decided; ++u)
                s[q][u] = pieces[q][u] == Piece::inside ? UnitSlope::one : UnitSlope::zero;
        }
        return s;
    }

    // An upper bound on ‖J‖ over every region of the branch whose first units (layers
    // before r, and units before k of layer r, 1-based r) have `pieces`.
    // (With the split of layer r, whose factors are the same for every branch of that
    // layer's units, at the cost of one small product.)
    double branch_upper(const std::vector<std::vector<Piece>>& pieces, std::size_t r, std::size_t k) const {
        const SlopePattern s = slopes(pieces, r, k);
        if (!splits.empty() && splits.back().r == r) return jb.upper(splits.back(), s[r - 1], p);
        return jb.upper(s, p);
    }

    // Whether no region of the branch can beat the best region found: its bound is at
    // most the best's proved ‖J‖ (then the maximum is attained elsewhere or already).
    bool dominated(double upper) const {
        if (!std::isfinite(upper)) return false;
        const Rational u = Rational::from_double(upper);
        return (best && u <= best->value.lower) || (floor.sign() > 0 && u <= floor);
    }

    // After hidden layers 1…r are decided: the outward symbolic bounds (back-substituted) over the box
    // with those phases fixed (sound_bounds.hpp; valid at every point of the box where
    // they hold, so on the branch's open regions, whose pieces are strict) prove slopes
    // for the units of the later layers: zero if z ≤ 0 there (or z ≥ cap), one if z ≥ 0
    // (and z ≤ cap). nullopt: a decided unit's bounds contradict its piece (inside needs
    // z > 0, below z < 0), so the branch has no region. Clip units are left unfixed.
    // Units in `fixed` (constant pre-activation, possibly on a kink) are not checked.
    std::optional<SlopePattern> refine(const std::vector<std::vector<Piece>>& pieces,
                                       const std::vector<std::vector<bool>>& fixed, std::size_t r) const {
        PhaseFix fix(r);
        for (std::size_t q = 0; q < r; ++q) {
            fix[q].assign(pieces[q].size(), 0);
            for (std::size_t u = 0; u < pieces[q].size(); ++u)
                if (!c.cap(q, u) && !fixed[q][u]) fix[q][u] = pieces[q][u] == Piece::inside ? 1 : -1;
        }
        const SymbolicBounds<double> b = symbolic_bounds_outward(*outward, box_lo, box_hi, fix, {}, NeuronBounds::back_substituted);
        for (std::size_t q = 0; q < r; ++q)
            for (std::size_t u = 0; u < pieces[q].size(); ++u) {
                if (fixed[q][u]) continue;
                const double lo = b.lower[q][u], hi = b.upper[q][u];
                if (lo > hi || (pieces[q][u] == Piece::inside && hi <= 0) || (pieces[q][u] == Piece::below && lo >= 0))
                    return std::nullopt;
            }
        SlopePattern s = known.back();
        for (std::size_t q = r; q < c.depth(); ++q)
            for (std::size_t u = 0; u < s[q].size(); ++u) {
                if (s[q][u] == UnitSlope::free) s[q][u] = slope_of(b.lower[q][u], b.upper[q][u], c.cap(q, u));
            }
        return s;
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
        const Enclosure e = operator_norm(c.jacobian(pattern), p, prec);
        offer(best, e, std::move(pattern), point);
    }

    void explore(std::size_t r, std::size_t k, const Layer& layer, std::vector<AffineForm>& constraints,
                 std::vector<std::vector<Piece>>& pieces, std::vector<std::vector<bool>>& fixed,
                 const std::vector<Rational>& point) {
        if (stop()) {
            open_upper = std::max(open_upper, branch_upper(pieces, r, k));
            return;
        }
        const std::size_t n = c.input_dim;
        if (k == layer.z.size()) {  // layer r decided
            if (r == c.depth()) return leaf(point, pieces, fixed);
            // Next pre-activations: W_r σ(z) + b_r, still affine in x on the region (σ(z) is
            // z inside, 0 below, the cap above).
            // One exact matrix product W_r·S, S's row q being σ's affine map [a | c] (FLINT
            // clears denominators once instead of per entry).
            const RationalMatrix& w = c.weights[r];
            RationalMatrix sigma(w.cols(), n + 1);
            for (std::size_t q = 0; q < w.cols(); ++q) {
                if (pieces[r - 1][q] == Piece::above) fmpq_set(fmpq_mat_entry(sigma.get(), q, n), c.cap(r - 1, q)->get());
                if (pieces[r - 1][q] != Piece::inside) continue;
                for (std::size_t j = 0; j < n; ++j) fmpq_set(fmpq_mat_entry(sigma.get(), q, j), layer.z[q].a[j].get());
                fmpq_set(fmpq_mat_entry(sigma.get(), q, n), layer.z[q].c.get());
            }
            const RationalMatrix ws = w * sigma;
            Layer next;
            next.z.assign(w.rows(), AffineForm{std::vector<Rational>(n), Rational()});
            for (std::size_t i = 0; i < w.rows(); ++i) {
                AffineForm& f = next.z[i];
                for (std::size_t j = 0; j < n; ++j) fmpq_set(f.a[j].get(), fmpq_mat_entry(ws.get(), i, j));
                fmpq_add(f.c.get(), fmpq_mat_entry(ws.get(), i, n), c.biases[r][i].get());
            }
            if (outward) {
                auto refined = refine(pieces, fixed, r);
                if (!refined) {
                    ++pruned;
                    return;
                }
                known.push_back(std::move(*refined));
            }
            pieces.emplace_back(w.rows());
            fixed.emplace_back(w.rows());
            splits.push_back(jb.split(slopes(pieces, r + 1, 0), r + 1));
            if (limits.prune && dominated(branch_upper(pieces, r + 1, 0))) ++pruned;
            else explore(r + 1, 0, next, constraints, pieces, fixed, point);
            splits.pop_back();
            pieces.pop_back();
            fixed.pop_back();
            if (outward) known.pop_back();
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
        // The piece containing the current point needs no LP; the others do. Pieces the
        // box excludes (box_slopes: z ≤ 0 or z ≥ cap on the whole box excludes inside,
        // 0 ≤ z ≤ cap excludes below and above) are empty open sets and skipped.
        std::vector<Piece> order;
        const UnitSlope on_box = known.empty() ? UnitSlope::free : known.back()[r - 1][k];
        for (Piece q : {Piece::below, Piece::inside, Piece::above}) {
            if (q == Piece::above && !cap) continue;
            if ((q == Piece::inside && on_box == UnitSlope::zero) || (q != Piece::inside && on_box == UnitSlope::one))
                continue;
            order.push_back(q);
        }
        std::stable_partition(order.begin(), order.end(), [&](Piece q) { return on_piece(here, q); });
        for (Piece piece : order) {
            pieces[r - 1][k] = piece;
            if ((limits.prune && (best || floor.sign() > 0)) || stop()) {
                const double upper = branch_upper(pieces, r, k + 1);
                if (stop()) {
                    open_upper = std::max(open_upper, upper);
                    continue;
                }
                if (limits.prune && dominated(upper)) {
                    ++pruned;
                    continue;
                }
            }
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
            if (q) explore(r, k + 1, layer, constraints, pieces, fixed, *q);
            constraints.resize(constraints.size() - added);
        }
    }

    // Sets up the root (the box's slopes, the outward chain) and explores from `hint` (or
    // the box centre).
    void run(const std::vector<Rational>& hint) {
        const std::size_t n = c.input_dim;
        std::vector<Rational> at = d.is_box() ? centre(d) : std::vector<Rational>(n);
        if (d.is_box() && limits.prune) {  // the baseline (no pruning) is the plain enumeration
            known.push_back(box_slopes(c, d.lo, d.hi));
            outward.emplace(c, VnnlibProperty{});
            outward_box(d, box_lo, box_hi);
        }
        if (hint.size() == n && contains(d, hint)) at = hint;
        if (c.depth() == 0) return leaf(at, {}, {});
        Layer first;
        for (std::size_t i = 0; i < c.weights[0].rows(); ++i) {
            AffineForm f{std::vector<Rational>(n), c.biases[0][i]};
            for (std::size_t j = 0; j < n; ++j) f.a[j] = c.weights[0].at(i, j);
            first.z.push_back(std::move(f));
        }
        std::vector<AffineForm> constraints;
        std::vector<std::vector<Piece>> pieces{std::vector<Piece>(first.z.size())};
        std::vector<std::vector<bool>> fixed{std::vector<bool>(first.z.size())};
        splits.push_back(jb.split(slopes(pieces, 1, 0), 1));
        explore(1, 0, first, constraints, pieces, fixed, at);
    }
};

// Totals of a run.
struct Counts {
    std::size_t regions = 0, lps = 0, pruned = 0;
};

// The result from the best region found: complete, every region was visited (value.upper
// bounds it) or lay in a pruned branch (≤ value.lower); stopped, the unexplored branches
// are bounded by open_upper and the value is the best region's ‖J_D‖ (a lower bound).
std::optional<ExactLipschitz> finish(const ReluChain& c, const Domain& d, LipNorm p, long prec,
                                     std::optional<ExactLipschitz> best, Counts n, const std::string& stopped,
                                     double open_upper) {
    if (!best) return std::nullopt;
    ExactLipschitz out = std::move(*best);
    out.regions = n.regions;
    out.lps = n.lps;
    out.pruned = n.pruned;
    out.stopped = stopped;
    out.upper = out.value.upper;
    if (!out.complete()) {
        if (std::isfinite(open_upper)) {
            const Rational open = Rational::from_double(open_upper);
            if (open > out.upper) out.upper = open;
        } else {
            out.upper.reset();
        }
        out.value = operator_norm(c.jacobian(out.pattern), p, prec);
    }
    if (auto w = local_lower_bound(c, d, out.point, p, prec)) out.witness = std::move(*w);
    return out;
}

// Branch and bound over input boxes (LipBaB's scheme, with an exact end): boxes are taken
// largest interval Jacobian bound first (slopes proved by the outward symbolic bounds over
// the box); a box with few undecided units is solved by the region search restricted to
// it, with everything at or below the best ‖J_D‖ found so far pruned; others are halved
// along their relatively longest side. It ends when the largest remaining bound is ≤ the
// best region's ‖J_D‖ — then that is L: the boxes cover the domain (their interiors are
// disjoint and their closures cover it; a region meeting the domain meets some box's
// interior), and every region lies in a box solved exactly or bounded by at most it.
std::optional<ExactLipschitz> box_search(const ReluChain& c, const Domain& d, LipNorm p, long prec,
                                         const ExactLimits& limits) {
    constexpr int max_split = 60;          // halvings after which it is solved regardless
    const std::size_t n = c.input_dim;
    const JacobianBound jb(c);
    const OutwardChain oc(c, VnnlibProperty{});
    struct Node {
        Domain box;
        double upper;
        std::size_t free;
        int depth;
    };
    auto bound = [&](Domain b, int depth) {
        std::vector<double> lo, hi;
        outward_box(b, lo, hi);  // the outward bounds hold over the enclosing binary64 box, hence over b
        const SymbolicBounds<double> sb = symbolic_bounds_outward(oc, lo, hi, {}, {}, NeuronBounds::back_substituted);
        SlopePattern s = box_slopes(c, b.lo, b.hi);
        std::size_t free = 0;
        for (std::size_t q = 0; q < c.depth(); ++q)
            for (std::size_t u = 0; u < s[q].size(); ++u) {
                if (s[q][u] == UnitSlope::free) s[q][u] = slope_of(sb.lower[q][u], sb.upper[q][u], c.cap(q, u));
                free += s[q][u] == UnitSlope::free;
            }
        return Node{std::move(b), jb.upper(s, p), free, depth};
    };
    auto below = [](const Node& a, const Node& b) { return a.upper < b.upper; };
    std::vector<Node> heap;
    heap.push_back(bound(d, 0));
    std::optional<ExactLipschitz> best;
    Counts total;
    std::string stopped;
    double open_upper = 0;
    RunLimits run{limits};
    auto dominated = [&](double u) {
        return best && std::isfinite(u) && Rational::from_double(u) <= best->value.lower;
    };
    // The region containing x (no unit on a kink there; x in the closed domain): an open
    // set meeting the domain's interior, so its ‖J_D‖ is at most L — a candidate for best.
    auto try_point = [&](const std::vector<Rational>& x) {
        const auto zs = c.preactivations(x);
        std::vector<std::vector<bool>> pattern;
        for (std::size_t q = 0; q < zs.size(); ++q) {
            pattern.emplace_back();
            for (std::size_t u = 0; u < zs[q].size(); ++u) {
                const UnitPhase ph = c.phase(q, u, zs[q][u]);
                if (ph == UnitPhase::lower_kink || ph == UnitPhase::upper_kink) return;
                pattern.back().push_back(ph == UnitPhase::inside);
            }
        }
        const Enclosure e = operator_norm(c.jacobian(pattern), p, prec);
        offer(best, e, std::move(pattern), x);
    };
    if (limits.start.size() == n && contains(d, limits.start)) try_point(limits.start);
    try_point(centre(d));
    while (!heap.empty()) {
        if (dominated(heap.front().upper)) break;  // the largest bound left: L is found
        stopped = run.check(total.regions, total.lps);
        if (!stopped.empty()) break;
        std::pop_heap(heap.begin(), heap.end(), below);
        Node node = std::move(heap.back());
        heap.pop_back();
        if (node.free <= limits.box_leaf_units || node.depth >= max_split) {
            Search s{c, node.box, p, prec, limits, run};
            s.regions_before = total.regions;
            s.lps_before = total.lps;
            if (best) s.floor = best->value.lower;
            s.run(best ? std::vector<Rational>{} : limits.start);
            total.regions += s.regions;
            total.lps += s.lps;
            total.pruned += s.pruned;
            if (s.best) {
                const Enclosure e = s.best->value;
                offer(best, e, std::move(s.best->pattern), s.best->point);
            }
            if (!s.stopped.empty()) {
                stopped = s.stopped;
                open_upper = std::max(open_upper, s.open_upper);
                break;
            }
            continue;
        }
        // halve the relatively longest side (exact midpoint)
        std::size_t axis = 0;
        Rational widest(-1);
        for (std::size_t j = 0; j < n; ++j) {
            const Rational rel = (node.box.hi[j] - node.box.lo[j]) / (d.hi[j] - d.lo[j]);
            if (rel > widest) {
                widest = rel;
                axis = j;
            }
        }
        const Rational mid = (node.box.lo[axis] + node.box.hi[axis]) / Rational(2);
        Domain left = node.box, right = node.box;
        left.hi[axis] = mid;
        right.lo[axis] = mid;
        for (Domain* child : {&left, &right}) {
            try_point(centre(*child));
            Node k = bound(std::move(*child), node.depth + 1);
            if (dominated(k.upper)) {
                ++total.pruned;
                continue;
            }
            heap.push_back(std::move(k));
            std::push_heap(heap.begin(), heap.end(), below);
        }
    }
    if (!stopped.empty())
        for (const Node& k : heap) open_upper = std::max(open_upper, k.upper);
    return finish(c, d, p, prec, std::move(best), total, stopped, open_upper);
}

}  // namespace

std::optional<ExactLipschitz> exact_lipschitz(const ReluChain& c, const Domain& d, LipNorm p, long prec,
                                              const ExactLimits& limits) {
    if (d.fixes_inputs()) {
        const InputRestriction r = restrict_inputs(c, d);
        ExactLimits on_free = limits;
        if (limits.start.size() == c.input_dim) on_free.start = r.shrink(limits.start);
        auto ex = exact_lipschitz(r.chain, r.domain, p, prec, on_free);
        if (ex) {
            ex->point = r.expand(ex->point);
            if (!ex->witness.a.empty()) {
                ex->witness.a = r.expand(ex->witness.a);
                ex->witness.b = r.expand(ex->witness.b);
            }
        }
        return ex;
    }
    if (!d.is_box() || c.depth() == 0 || !limits.prune) {
        RunLimits run{limits};
        Search s{c, d, p, prec, limits, run};
        s.run(limits.start);
        return finish(c, d, p, prec, std::move(s.best), {s.regions, s.lps, s.pruned}, s.stopped, s.open_upper);
    }
    return box_search(c, d, p, prec, limits);
}

}  // namespace rigornet
