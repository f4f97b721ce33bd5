#include "rigornet/cs/cs_report.hpp"

#include "rigornet/linalg/double_error.hpp"
#include "rigornet/network/evaluate_l2.hpp"
#include "rigornet/network/midrad_eval.hpp"
#include "rigornet/number/precision_doubling.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <bit>

namespace rigornet {

Rational sigma_sparse_in_levels(std::span<const Rational> c, const std::vector<int>& levels,
                                const std::vector<std::size_t>& s, const std::vector<Rational>& weights) {
    if (levels.size() != c.size() || (!weights.empty() && weights.size() != c.size()))
        throw ShapeError("sigma_sparse_in_levels: sizes differ");
    std::vector<std::vector<Rational>> per(s.size());
    for (std::size_t i = 0; i < c.size(); ++i) {
        const auto l = static_cast<std::size_t>(levels[i] - 1);
        if (l >= s.size()) throw ShapeError("coefficient level beyond the sparsity levels");
        per[l].push_back(weights.empty() ? c[i].abs() : c[i].abs() * weights[i]);
    }
    Rational total;
    for (std::size_t l = 0; l < s.size(); ++l) {
        auto& v = per[l];
        std::sort(v.begin(), v.end(), [](const Rational& a, const Rational& b) { return a > b; });
        for (std::size_t k = s[l]; k < v.size(); ++k) total += v[k];
    }
    return total;
}

TheoremTerms theorem_terms(const CsSetup& setup, const SolverParams& params, std::span<const Rational> x,
                           std::span<const Rational> y, long prec) {
    const std::size_t N = setup.analysis->cols();
    if (x.size() != N) throw DomainError("signal has " + std::to_string(x.size()) + " values, expected " + std::to_string(N));
    TheoremTerms t;
    const BallArith ar{prec, false};
    std::vector<Ball> xb, zb(N), az(setup.problem.A->rows()), ax(setup.measure->rows());
    for (const Rational& v : x) xb.push_back(ar.from_rational(v));
    setup.analysis->apply(ar, xb, zb);
    setup.problem.A->apply(ar, zb, az);
    setup.measure->apply(ar, xb, ax);
    t.measurement = l2_distance(az, y, prec);
    t.operator_effect = l2_distance(az, ax, prec);
    if (params.solver == Solver::firenet) {
        t.iteration = Rational(1);
        for (int i = 0; i < params.restarts; ++i) t.iteration *= params.nu;
    } else {
        t.iteration = setup.problem.norm_A / Rational(params.inner);
    }
    if (setup.problem.complex) return t;  // |c_i| irrational: the sparsity term is not computed
    std::vector<Rational> z(N);
    try {
        setup.haar->apply(ExactArith{}, x, z);
    } catch (const DomainError&) {
        throw DomainError("the sparsity term needs an exact Haar transform (even dimension)");
    }
    std::size_t s_total = 0;
    for (std::size_t v : setup.sparsities) s_total += v;
    Ball denom(Rational(static_cast<long>(s_total * setup.sparsities.size())), prec);
    arb_sqrt(denom.get(), denom.get(), prec);
    t.sparsity = Ball(sigma_sparse_in_levels(z, setup.haar->coefficient_levels(), setup.sparsities, setup.problem.weights), prec);
    arb_div(t.sparsity.get(), t.sparsity.get(), denom.get(), prec);
    t.has_sparsity = true;
    return t;
}

long initial_ball_bits(const Network& net, std::size_t N) {
    return std::max(128L, 64 + static_cast<long>(net.layers().size()) * static_cast<long>(std::bit_width(N)) / 2);
}

AdaptiveBalls evaluate_ball_adaptive(const Network& net, const std::vector<Rational>& y, long start_bits,
                                     long max_bits, long accuracy_bits, const std::function<void(long)>& on_attempt,
                                     const Progress& progress, bool fast_first, const PrimalDualLayout* solver) {
    std::string l2_fallback;
    if (fast_first) {
        L2Evaluation l2 = solver ? evaluate_primal_dual_l2(net, *solver, y, progress) : evaluate_l2(net, y, progress);
        // the acceptance threshold only (the radius is proved whatever it is)
        const double scale = std::max(1.0, norm2_upper(l2.mid));
        if (l2.radius < std::ldexp(scale, -accuracy_bits)) {
            AdaptiveBalls r;
            for (double v : l2.mid) {
                Ball b(Rational::from_double(v), 64);       // a double: exact at 64 bits
                mag_set_d(arb_radref(b.get()), l2.radius);  // rounds up
                r.out.push_back(std::move(b));
            }
            r.accurate = true;
            r.fast = "l2";
            r.l2_radius = l2.radius;
            r.l2_method = solver ? "primal-dual metric" : "layers";
            return r;
        }
        std::ostringstream why;
        if (l2.reason.empty()) why << "l2 radius " << l2.radius << " >= 2^-" << accuracy_bits << " * " << scale;
        else why << l2.reason;
        l2_fallback = why.str();
        if (auto fast = evaluate_midrad_balls(net, y, accuracy_bits)) {
            AdaptiveBalls r;
            r.out = std::move(*fast);
            r.accurate = true;
            r.fast = "midrad";
            r.l2_fallback = l2_fallback;
            return r;
        }
    }
    AdaptiveBalls ab = precision_doubling(
        start_bits, max_bits,
        [&](long bits) {
            if (on_attempt) on_attempt(bits);
            AdaptiveBalls r;
            r.bits = bits;
            r.out = evaluate_rational(net, BallArith{bits, false}, y, nullptr, progress);
            r.accurate = true;
            for (const Ball& b : r.out)
                r.accurate =
                    r.accurate && arb_is_finite(b.get()) && mag_cmp_2exp_si(arb_radref(b.get()), -accuracy_bits) < 0;
            return r;
        },
        [](const AdaptiveBalls& r) { return r.accurate; });
    ab.l2_fallback = std::move(l2_fallback);
    return ab;
}

}  // namespace rigornet
