#include "rigornet/analysis/stability.hpp"
#include "rigornet/number/precision_doubling.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include "rigornet/network/evaluate.hpp"
#include "rigornet/network/gradient.hpp"
#include "rigornet/number/arith.hpp"

namespace rigornet {

namespace {

double norm2(std::span<const double> v) {
    double s = 0.0;
    for (double x : v) s += x * x;
    return std::sqrt(s);
}

void check_options(const Network& phi, const LinearOperator& A, std::size_t y_size, std::size_t x_size,
                   const StabilityOptions& o) {
    auto shape = [](const std::string& what) { return ShapeError("stability search: " + what); };
    if (A.rows() != phi.input_dim())
        throw shape("A has " + std::to_string(A.rows()) + " rows but the network has " +
                    std::to_string(phi.input_dim()) + " inputs");
    if (y_size != A.rows())
        throw shape("y has " + std::to_string(y_size) + " entries, A has " + std::to_string(A.rows()) + " rows");
    if (x_size != phi.output_dim())
        throw shape("x has " + std::to_string(x_size) + " entries, the network has " +
                    std::to_string(phi.output_dim()) + " outputs");
    auto domain = [](bool ok, const std::string& what) {
        if (!ok) throw DomainError("stability search: " + what);
    };
    domain(o.lambda >= 0.0 && std::isfinite(o.lambda), "lambda must be finite and >= 0");
    domain(o.step > 0.0 && std::isfinite(o.step), "step must be finite and > 0");
    domain(o.momentum >= 0.0 && o.momentum < 1.0, "momentum must lie in [0, 1)");
    domain(o.iterations >= 0, "iterations must be >= 0");
    domain(!o.radius || (*o.radius > 0.0 && std::isfinite(*o.radius)), "radius must be finite and > 0");
    domain(o.initial_scale >= 0.0 && std::isfinite(o.initial_scale), "initial_scale must be finite and >= 0");
}

/// r ← ρ·r/‖r‖₂ when ‖r‖₂ > ρ (floating point: may land a few ulps outside).
void project(std::vector<double>& r, const std::optional<double>& radius) {
    if (!radius) return;
    const double n = norm2(r);
    if (n > *radius)
        for (double& v : r) v *= *radius / n;
}

/// Whether ‖r‖₂² ≤ ρ², decided exactly in rationals.
bool inside_exactly(const std::vector<double>& r, double radius) {
    Rational s;
    for (double v : r) {
        const Rational q = Rational::from_double(v);
        fmpq_addmul(s.get(), q.get(), q.get());
    }
    const Rational rho = Rational::from_double(radius);
    return s <= rho * rho;
}

}  // namespace

StabilitySearch stability_search(const Network& phi, const LinearOperator& A, std::span<const double> y,
                                 std::span<const double> x, const StabilityOptions& opt) {
    check_options(phi, A, y.size(), x.size(), opt);
    const DoubleArith ar;
    const std::size_t m = A.rows(), n = A.cols();
    std::mt19937_64 gen(opt.seed);
    std::vector<double> r(n), velocity(n, 0.0), u(m), grad(n);
    for (double& v : r) v = opt.initial_scale * (std::ldexp(static_cast<double>(gen() >> 11), -52) - 1.0);
    project(r, opt.radius);

    // u = y + A r
    auto perturb = [&](const std::vector<double>& rr) {
        A.apply(ar, rr, u);
        for (std::size_t i = 0; i < m; ++i) u[i] += y[i];
    };
    StabilitySearch out;
    std::vector<double> best_value;
    double best_q = -std::numeric_limits<double>::infinity();
    const int every = std::max(1, opt.iterations / 10);
    for (int k = 0;; ++k) {
        perturb(r);
        double misfit = 0.0;
        const Vjp d = vjp(phi, u, [&](std::span<const double> value) {
            std::vector<double> w(value.size());
            for (std::size_t i = 0; i < w.size(); ++i) {
                w[i] = value[i] - x[i];
                misfit += w[i] * w[i];
            }
            return w;
        });
        const double rn = norm2(r), q = 0.5 * misfit - 0.5 * opt.lambda * rn * rn;
        out.objective.push_back(q);
        if (k == 0 || q > best_q) {  // the start is kept even if Q is not finite there
            best_q = q;
            out.r = r;
            out.best_iteration = k;
            best_value = d.value;
        }
        if (opt.verbose && (k % every == 0 || k == opt.iterations))
            std::fprintf(stderr, "stability: iteration %d/%d  Q = %.6g  |r| = %.6g\n", k, opt.iterations, q, rn);
        if (k == opt.iterations || !std::isfinite(q)) break;
        A.adjoint(ar, d.gradient, grad);
        bool finite = true;
        for (std::size_t i = 0; i < n; ++i) {
            const double step = opt.step * (grad[i] - opt.lambda * r[i]);
            velocity[i] = opt.momentum * velocity[i] + step;
            r[i] += opt.nesterov ? opt.momentum * velocity[i] + step : velocity[i];
            finite = finite && std::isfinite(r[i]);
        }
        if (!finite) break;
        project(r, opt.radius);
    }

    if (opt.radius) {
        // shrink until ‖r‖ ≤ ρ holds exactly (rounding in the projection may leave r
        // just outside); re-evaluate only if r moved
        bool shrunk = false;
        for (; !inside_exactly(out.r, *opt.radius); shrunk = true)
            for (double& v : out.r) v *= 1.0 - std::ldexp(1.0, -20);
        if (shrunk) {
            perturb(out.r);
            best_value = evaluate(phi, ar, std::span<const double>(u));
        }
    }
    const std::vector<double> base = evaluate(phi, ar, y);
    double change = 0.0;
    for (std::size_t i = 0; i < base.size(); ++i)
        change += (best_value[i] - base[i]) * (best_value[i] - base[i]);
    out.change = std::sqrt(change);
    out.r_norm = norm2(out.r);
    return out;
}

namespace {

void check_certify_shapes(const Network& phi, const LinearOperator& A, std::span<const Rational> y,
                          std::span<const double> r) {
    if (A.rows() != phi.input_dim() || y.size() != A.rows() || r.size() != A.cols())
        throw ShapeError("certify perturbation: A is " + std::to_string(A.rows()) + "x" + std::to_string(A.cols()) +
                         ", the network has " + std::to_string(phi.input_dim()) + " inputs, y has " +
                         std::to_string(y.size()) + " entries and r " + std::to_string(r.size()));
}

/// φ(y + A r) (moved) or φ(y) in balls: encloses the exact output (evaluate's contract).
std::vector<Ball> ball_output(const Network& phi, const LinearOperator& A, std::span<const Rational> y,
                              std::span<const Rational> r, bool moved, const BallArith& ar) {
    std::vector<Ball> u(A.rows()), yb;
    for (const Rational& v : y) yb.push_back(ar.from_rational(v));
    if (!moved) return evaluate(phi, ar, std::span<const Ball>(yb));
    std::vector<Ball> rb;
    for (const Rational& v : r) rb.push_back(ar.from_rational(v));
    A.apply(ar, rb, u);
    for (std::size_t i = 0; i < y.size(); ++i) ar.add(u[i], u[i], yb[i]);
    return evaluate(phi, ar, std::span<const Ball>(u));
}

/// φ(y + A r) or φ(y) exactly, as exact balls; nullopt when A has no exact rational
/// form (DomainError from ExactArith, e.g. the DFT), the values outgrow ExactArith's
/// limits, or the evaluation runs past `deadline` (checked after every layer).
std::optional<std::vector<Ball>> exact_output(const Network& phi, const LinearOperator& A,
                                              std::span<const Rational> y, std::span<const Rational> r, bool moved,
                                              long prec, std::chrono::steady_clock::time_point deadline) {
    const ExactArith ex;
    std::vector<Rational> u(y.begin(), y.end());
    try {
        if (moved) {
            A.apply(ex, r, u);
            for (std::size_t i = 0; i < y.size(); ++i) u[i] += y[i];
        }
        const std::vector<Rational> out = evaluate(phi, ex, std::span<const Rational>(u), nullptr, [&](std::size_t, std::size_t) {
            if (std::chrono::steady_clock::now() > deadline) throw ResourceError("exact evaluation: over its time budget");
        });
        std::vector<Ball> b;
        for (const Rational& v : out) b.emplace_back(v, prec);  // encloses the exact value
        return b;
    } catch (const DomainError&) {  // no exact form (irrational operator), or undefined exactly
    } catch (const ResourceError&) {
    }
    return std::nullopt;
}

CertifiedPerturbation certified(const std::vector<Rational>& r, const std::vector<Ball>& moved,
                                const std::vector<Ball>& base, long prec, bool exact_moved, bool exact_base) {
    CertifiedPerturbation out;
    out.r = r;
    out.r_norm = l2_norm(out.r, prec);
    out.change = l2_distance(moved, base, prec);
    out.prec = prec;
    out.exact_moved = exact_moved;
    out.exact_base = exact_base;
    return out;
}

// accurate: finite, and relative accuracy ≥ bits or radius ≤ 2^−bits
bool accurate_to(const Ball& b, long bits) {
    const arb_srcptr v = b.get();
    return arb_is_finite(v) && (arb_rel_accuracy_bits(v) >= bits || mag_cmp_2exp_si(arb_radref(v), -bits) <= 0);
}

std::vector<Rational> exact_r(std::span<const double> r) {
    std::vector<Rational> q;
    for (double v : r) q.push_back(Rational::from_double(v));  // DomainError for NaN or ±∞
    return q;
}

}  // namespace

CertifiedPerturbation certify_perturbation(const Network& phi, const LinearOperator& A, std::span<const Rational> y,
                                           std::span<const double> r, const BallArith& ar) {
    check_certify_shapes(phi, A, y, r);
    const std::vector<Rational> rq = exact_r(r);
    return certified(rq, ball_output(phi, A, y, rq, true, ar), ball_output(phi, A, y, rq, false, ar), ar.prec, false,
                     false);
}

std::optional<CertifiedPerturbation> certify_perturbation_l2(const Network& phi, const PrimalDualLayout& layout,
                                                             const LinearOperator& A, std::span<const Rational> y,
                                                             std::span<const double> r, long accuracy_bits) {
    check_certify_shapes(phi, A, y, r);
    const std::vector<Rational> rq = exact_r(r);
    std::vector<Rational> moved(A.rows());
    try {
        A.apply(ExactArith{}, std::span<const Rational>(rq), std::span<Rational>(moved));
    } catch (const DomainError&) {
        return std::nullopt;  // no exact form (e.g. the DFT)
    }
    for (std::size_t i = 0; i < y.size(); ++i) moved[i] += y[i];
    const L2Evaluation base = evaluate_primal_dual_l2(phi, layout, std::vector<Rational>(y.begin(), y.end()));
    const L2Evaluation at = evaluate_primal_dual_l2(phi, layout, moved);
    const double rho = tracked_detail::uadd(base.radius, at.radius);
    if (!(rho < DoubleErrorBound::inf)) return std::nullopt;
    const long prec = 128;
    std::vector<Ball> m, mp;
    for (double v : base.mid) m.emplace_back(Rational::from_double(v), prec);
    for (double v : at.mid) mp.emplace_back(Rational::from_double(v), prec);
    CertifiedPerturbation out = certified(rq, mp, m, prec, false, false);
    mag_t e;
    mag_init(e);
    mag_set_d(e, rho);  // rounds up
    mag_add(arb_radref(out.change.get()), arb_radref(out.change.get()), e);
    mag_clear(e);
    out.l2 = true;
    out.l2_radius = rho;
    if (!accurate_to(out.change, accuracy_bits)) return std::nullopt;
    return out;
}

CertifiedPerturbation certify_perturbation_adaptive(const Network& phi, const LinearOperator& A,
                                                    std::span<const Rational> y, std::span<const double> r,
                                                    BallArith ar, long max_prec, long accuracy_bits,
                                                    double exact_seconds) {
    check_certify_shapes(phi, A, y, r);
    const std::vector<Rational> rq = exact_r(r);
    struct Outputs {
        std::vector<Ball> moved, base;
        CertifiedPerturbation c;
    };
    auto accurate = [&](const Ball& b) { return accurate_to(b, accuracy_bits); };
    Outputs o = precision_doubling(
        ar.prec, max_prec,
        [&](long prec) {
            BallArith at = ar;
            at.prec = prec;
            Outputs t{ball_output(phi, A, y, rq, true, at), ball_output(phi, A, y, rq, false, at), {}};
            t.c = certified(rq, t.moved, t.base, prec, false, false);
            return t;
        },
        [&](const Outputs& t) { return accurate(t.c.change); });
    if (accurate(o.c.change) || exact_seconds <= 0) return std::move(o.c);
    // Balls cannot be accurate when the exact trajectory lies on a step of sqrt_θ (an
    // input whose |u|² is a dyadic square s²/4^k, common for dyadic images under the
    // Walsh and Haar transforms): the ball straddles the step, the output carries the
    // jump 2^−k, and the affine layers amplify it geometrically. More precision cannot
    // help; the exact evaluation can (each point whose outputs are not all accurate is
    // redone exactly).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                                  std::chrono::duration<double>(exact_seconds));
    auto all_accurate = [&](const std::vector<Ball>& v) { return std::all_of(v.begin(), v.end(), accurate); };
    bool exact_moved = false, exact_base = false;
    if (!all_accurate(o.base))
        if (auto b = exact_output(phi, A, y, rq, false, o.c.prec, deadline)) {
            o.base = std::move(*b);
            exact_base = true;
        }
    if (!all_accurate(o.moved))
        if (auto m = exact_output(phi, A, y, rq, true, o.c.prec, deadline)) {
            o.moved = std::move(*m);
            exact_moved = true;
        }
    return certified(rq, o.moved, o.base, o.c.prec, exact_moved, exact_base);
}

StabilityUpper stability_upper(const Network& phi, std::span<const Rational> y, const Rational& measure_norm,
                               const Rational& radius, const Ball& r_norm, const BallArith& ar,
                               std::map<const LinearOperator*, Rational>* norms, const CsProblem& pb,
                               const SolverParams& params) {
    const long prec = ar.prec;
    const Ball a(measure_norm, prec);
    Ball r_min;
    {
        arf_t l;
        arf_init(l);
        arb_get_lbound_arf(l, r_norm.get(), prec);
        if (arf_sgn(l) < 0 || arf_is_nan(l)) arf_zero(l);
        arb_set_arf(r_min.get(), l);
        arf_clear(l);
    }
    auto make = [&](const LocalLipschitz& b, const char* method) {
        StabilityUpper u;
        arb_mul(u.lipschitz.get(), b.lipschitz.get(), a.get(), prec);
        u.jump = b.jump;
        if (arb_is_zero(b.jump.get())) {
            u.bound = u.lipschitz;
        } else if (arb_is_positive(r_min.get())) {
            arb_div(u.bound.get(), b.jump.get(), r_min.get(), prec);
            arb_add(u.bound.get(), u.bound.get(), u.lipschitz.get(), prec);
        } else {
            arb_pos_inf(u.bound.get());
        }
        u.method = method;
        return u;
    };
    StabilityUpper best = make(local_lipschitz_upper(phi, y, radius * measure_norm, ar, norms), "layers");
    Ball layers = best.bound, solver;
    arb_pos_inf(solver.get());
    if (const auto s = unrolled_lipschitz_upper(pb, params, prec)) {
        StabilityUpper other = make(*s, "solver");
        solver = other.bound;
        // keep the one with the smaller proved upper end (a non-finite bound loses)
        if (!best.bound.is_finite() || (other.bound.is_finite() && other.bound.upper() < best.bound.upper()))
            best = std::move(other);
    }
    best.layers_bound = std::move(layers);
    best.solver_bound = std::move(solver);
    return best;
}

}  // namespace rigornet
