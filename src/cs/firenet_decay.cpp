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

}  // namespace rigornet
