// FIRENET's decay in the number of restarts, in balls (firenet_decay.hpp).
#include "rigornet/cs/firenet_decay.hpp"

#include <bit>
#include <random>

#include "rigornet/cs/cs_report.hpp"
#include "rigornet/number/random.hpp"
#include "rigornet/linalg/rational_matrix.hpp"
#include "rigornet/number/sqrt_theta.hpp"

namespace rigornet {

DecayProblem firenet_decay_problem(const DecayOptions& o) {
    if (o.side < 4 || o.side > 256 || !std::has_single_bit(o.side))
        throw DomainError("firenet-decay: the side must be a power of two from 4 to 256, got " + std::to_string(o.side));
    if (!(o.rate > 0 && o.rate <= 1)) throw DomainError("firenet-decay: the sampling rate must be in (0, 1]");
    const Shape shape({o.side, o.side});
    const int levels = std::countr_zero(o.side);
    const Haar W(shape, levels);
    const auto lv = W.coefficient_levels();
    std::mt19937_64 rng(o.seed);
    std::vector<Rational> z(shape.size());
    std::vector<double> zd(shape.size(), 0.0);
    for (std::size_t i = 0; i < z.size(); ++i)
        if (lv[i] <= 1 || uniform_below(rng, 1000) < 20) {
            const long k = uniform_int(rng, -8, 8);
            z[i] = Rational(k, 8);
            zd[i] = static_cast<double>(k) / 8;  // exact: a multiple of 1/8
        }
    std::vector<Rational> x(z.size());
    W.adjoint(ExactArith{}, z, x);  // W orthonormal: W⁻¹ = Wᵀ, dyadic in 2-D
    // s_j = the number of nonzero z_i on level j (at least 1): z is (s, M)-sparse
    const auto s = local_sparsities(zd, lv, levels, 0.0);
    SolverParams params;
    params.solver = Solver::firenet;
    params.inner = o.inner;
    params.lambda = o.lambda;
    params.nu = o.nu;
    DecayProblem pb{make_setup(shape, Modality::walsh, levels, sample_pattern(shape, Modality::walsh, s, o.rate, o.seed), s,
                               true, params.theta),
                    params, std::move(x), {}};
    pb.y.resize(pb.setup.measure->rows());
    pb.setup.measure->apply(ExactArith{}, pb.x, pb.y);
    // ε_0 ≥ ‖y‖₂: sqrt_θ(q) > √q − θ, so sqrt_θ(q) + θ ≥ √q
    Rational q;
    for (const Rational& v : pb.y) q += v * v;
    const Rational theta(1, 1 << 20);
    pb.params.eps0 = sqrt_theta(q, theta) + theta;
    return pb;
}

std::vector<DecayRow> firenet_decay(const DecayProblem& pb, int max_restarts,
                                    const std::function<bool(const DecayRow&)>& on_row) {
    if (max_restarts < 1) throw DomainError("firenet-decay: at least one restart");
    const long prec = 128;
    const Ball xnorm = l2_norm(pb.x, prec);
    std::vector<DecayRow> rows;
    for (int n = 1; n <= max_restarts; ++n) {
        SolverParams p = pb.params;
        p.restarts = n;
        const Network net = build_unrolled(pb.setup.problem, p);
        const AdaptiveBalls out = evaluate_ball_adaptive(net, pb.y, initial_ball_bits(net, pb.x.size()), 65536, 40);
        DecayRow r;
        r.restarts = n;
        r.layers = net.layers().size();
        r.bits = out.bits;
        r.error = l2_distance(out.out, pb.x, prec);
        arb_div(r.relative_error.get(), r.error.get(), xnorm.get(), prec);
        if (!rows.empty()) {
            r.has_ratio = true;
            arb_div(r.ratio.get(), r.error.get(), rows.back().error.get(), prec);
        }
        const TheoremTerms t = theorem_terms(pb.setup, p, pb.x, pb.y, prec);
        r.nu_n = t.iteration;
        r.sparsity = t.sparsity;
        // r^{1/4}‖Ax − y‖ with r the number of levels
        Ball root(Rational(static_cast<long>(pb.setup.sparsities.size())), prec);
        arb_root_ui(root.get(), root.get(), 4, prec);
        arb_mul(r.noise.get(), root.get(), t.measurement.get(), prec);
        Ball rhs(r.nu_n, prec);
        arb_add(rhs.get(), rhs.get(), r.sparsity.get(), prec);
        arb_add(rhs.get(), rhs.get(), r.noise.get(), prec);
        arb_div(r.constant_needed.get(), r.error.get(), rhs.get(), prec);
        rows.push_back(r);
        if (on_row && !on_row(rows.back())) break;
    }
    return rows;
}

MinimiserCertificate certify_minimiser(const DecayProblem& pb) {
    const CsProblem& P = pb.setup.problem;
    const std::size_t N = P.A->cols(), M = P.A->rows();
    const ExactArith ex;
    std::vector<Rational> z(N), az(M);
    pb.setup.analysis->apply(ex, pb.x, z);
    P.A->apply(ex, z, az);
    MinimiserCertificate c;
    if (az != pb.y) {
        c.reason = "Az != y: the measurements carry noise";
        return c;
    }
    const auto w = [&](std::size_t i) { return P.weights.empty() ? Rational(1) : P.weights[i]; };
    std::vector<std::size_t> S;
    for (std::size_t i = 0; i < N; ++i)
        if (!z[i].is_zero()) S.push_back(i);
    c.support = S.size();
    const auto k = static_cast<long>(S.size());
    // the columns A e_i, i ∈ S
    std::vector<std::vector<Rational>> col;
    for (std::size_t i : S) {
        std::vector<Rational> e(N), a(M);
        e[i] = Rational(1);
        P.A->apply(ex, e, a);
        col.push_back(std::move(a));
    }
    RationalMatrix G(k, k), g(k, 1), sol(k, 1);
    for (long a = 0; a < k; ++a) {
        for (long b = 0; b < k; ++b) {
            Rational d;
            for (std::size_t m = 0; m < M; ++m) d += col[a][m] * col[b][m];
            fmpq_set(fmpq_mat_entry(G.get(), a, b), d.get());
        }
        const Rational ga = z[S[a]].sign() > 0 ? w(S[a]) : -w(S[a]);
        fmpq_set(fmpq_mat_entry(g.get(), a, 0), ga.get());
    }
    if (k > 0 && !fmpq_mat_solve_fraction_free(sol.get(), G.get(), g.get())) {
        c.reason = "A restricted to the support is not injective";
        return c;
    }
    std::vector<Rational> v(M), xi(N);
    for (long a = 0; a < k; ++a) {
        Rational ca;
        fmpq_set(ca.get(), fmpq_mat_entry(sol.get(), a, 0));
        for (std::size_t m = 0; m < M; ++m) v[m] += ca * col[a][m];
    }
    P.A->adjoint(ex, v, xi);
    Rational vv;
    for (const Rational& t : v) vv += t * t;
    c.dual_norm_sq = pb.params.lambda * pb.params.lambda * vv;
    std::size_t next = 0;
    for (std::size_t i = 0; i < N; ++i) {
        if (next < S.size() && S[next] == i) {
            ++next;
            continue;
        }
        const Rational r = xi[i].abs() / w(i);
        if (r > c.off_support_max) c.off_support_max = r;
    }
    if (!(c.off_support_max < Rational(1)))
        c.reason = "no dual certificate: max |(A^T v)_i|/w_i off the support = " + to_decimal(c.off_support_max, 6, Round::down) +
                   " >= 1";
    else if (!(c.dual_norm_sq < Rational(1)))
        c.reason = "no dual certificate: lambda ||v|| >= 1";
    else
        c.proved = true;
    return c;
}

namespace {

std::string down(const Ball& b) { return to_decimal(b.lower(), 10, Round::down); }
std::string up(const Ball& b) { return to_decimal(b.upper(), 10, Round::up); }

// An enclosure: text "[lo, hi]", CSV the same, JSON the array ["lo", "hi"] (decimal
// strings, outward); an infinite ball (no claim) is "unknown" / null.
Cell enclosure_cell(const Ball& b) {
    if (!b.is_finite()) return Cell("unknown", "", "null");
    const std::string lo = down(b), hi = up(b);
    return Cell::interval(lo, hi);
}

const char* bound_reason =
    "the theorem holds up to a constant C from the rNSP-in-levels constants (rho, gamma) of A, which hold with "
    "probability >= 1 - eps_P under the sampling condition; they are not explicit (and not computable for a given A "
    "in general), so no numeric bound is claimed; constant_needed encloses the smallest C for which this row's inequality "
    "holds";

}  // namespace

Table firenet_decay_table(const DecayProblem& pb, const std::vector<DecayRow>& rows, const MinimiserCertificate& minimiser) {
    Table t;
    const std::size_t side = pb.setup.shape.dims[0];
    t.title = "FIRENET error against restarts n (seed 003, [CAH22]), " + std::to_string(side) + "x" + std::to_string(side) +
              " Walsh, balls";
    t.keys = {"restarts", "layers",   "bits",  "error",      "relative_error",  "error_vs_minimiser", "ratio", "nu_n",
              "sparsity_term", "noise_term", "bound", "bound_reason", "constant_needed"};
    t.headers = {"n", "layers", "bits", "||phi_n(y) - x||", "relative", "vs minimiser", "ratio to n-1", "nu^n",
                 "sigma/(sqrt s sqrt r)", "r^(1/4)||Ax - y||", "bound", "why no bound", "C needed"};
    for (const DecayRow& r : rows) {
        const auto integer = [](auto v) { return Cell(std::to_string(v), std::to_string(v), std::to_string(v)); };
        t.add_row({integer(r.restarts), integer(r.layers), integer(r.bits), enclosure_cell(r.error),
                   enclosure_cell(r.relative_error), minimiser.proved ? enclosure_cell(r.error) : Cell("-", "", "null"),
                   r.has_ratio ? enclosure_cell(r.ratio) : Cell("-", "", "null"),
                   Cell(to_decimal(r.nu_n, 10, Round::up), r.nu_n.str()), enclosure_cell(r.sparsity),
                   enclosure_cell(r.noise), Cell("none", "", "null"), Cell("see notes", bound_reason),
                   enclosure_cell(r.constant_needed)});
    }
    std::size_t s = 0;
    for (auto v : pb.setup.sparsities) s += v;
    t.notes = {
        "signal: x = W^-1 z, z exactly sparse in Haar levels (s = sum s_j = " + std::to_string(s) +
            ", s_j the nonzeros on level j, at least 1), " +
            std::to_string(pb.setup.omega.size()) + " exact Walsh samples (so ||Ax - y|| = 0 and sigma = 0 exactly)",
        "network: FIRENET, p = " + std::to_string(pb.params.inner) + " steps per restart, lambda = " + pb.params.lambda.str() +
            ", nu = " + pb.params.nu.str() + ", eps_0 = " + to_decimal(pb.params.eps0, 10, Round::up) +
            " >= ||y||; evaluated in Arb balls on the exact y (bits: the precision used)",
        "error: the absolute l2 error over the pixels, enclosed; relative = error/||x||; ratio = error_n/error_(n-1)",
        "theorem: ||phi_n(y) - x|| <= C (sigma_{s,M}(Wx)_{l1w}/(sqrt s sqrt r) + nu^n + r^(1/4)||Ax - y||)",
        std::string("bound: null because ") + bound_reason + " (error/(sum of the terms), enclosed)",
        minimiser.proved
            ? "minimiser: z = Wx is proved the unique minimiser of lambda||z||_{1,w} + ||Az - y|| (exact dual certificate on |S| = " +
                  std::to_string(minimiser.support) + ": max off-support |xi_i|/w_i = " +
                  to_decimal(minimiser.off_support_max, 6, Round::up) + " < 1, lambda^2||v||^2 = " +
                  to_decimal(minimiser.dual_norm_sq, 6, Round::up) + " < 1), so the error against x is the error against the minimiser"
            : "minimiser: not certified (" + minimiser.reason + "): error_vs_minimiser is null, the error is against x only"};
    return t;
}

Plot firenet_decay_plot(const std::vector<DecayRow>& rows) {
    Plot p;
    p.title = "FIRENET: error against restarts (enclosures)";
    p.xlabel = "restarts n";
    p.ylabel = "||phi_n(y) - x||_2";
    p.log_y = true;
    PlotSeries err{"measured error (ball enclosure)", {}, true, true, true};
    PlotSeries nu{"nu^n (theorem's iteration term)", {}, true, false, false};
    PlotSeries ref{"C_1 nu^n (through n = 1; not a bound)", {}, true, false, false};
    const bool have_c1 = !rows.empty() && rows[0].constant_needed.is_finite();
    const Rational c1 = have_c1 ? rows[0].constant_needed.upper() : Rational(0);
    for (const DecayRow& r : rows) {
        const auto x = static_cast<double>(r.restarts);
        // an enclosure reaching 0 (or infinite) cannot be drawn on a log axis: left out
        if (r.error.is_finite() && r.error.lower().sign() > 0)
            err.points.push_back({x, r.error.lower().to_double(Round::down), r.error.upper().to_double(Round::up)});
        nu.points.push_back({x, r.nu_n.to_double(Round::down), r.nu_n.to_double(Round::up)});
        if (have_c1) ref.points.push_back({x, (c1 * r.nu_n).to_double(Round::down), (c1 * r.nu_n).to_double(Round::up)});
    }
    p.series = {err, nu};
    if (have_c1) p.series.push_back(ref);
    return p;
}

}  // namespace rigornet
