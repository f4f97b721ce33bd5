// Reproduces the convergence claim behind "Stable Neural Networks Exist" (seed 003,
// [CAH22]) in certified arithmetic: the restarted FIRENET network's error decays
// geometrically in the number of restarts n (like ν^n, ν ≈ e^−1), while the unrestarted
// primal–dual network with as many iterations lags far behind. The rows come from the
// library (firenet_decay.hpp, the same as `rigornet table firenet-decay`): an exactly
// sparse 16×16 image, exact Walsh measurements at 50 %, p = 20, λ = 1/200, each
// network evaluated in Arb balls. The theorem's constant is not explicit, so the checks
// are on the enclosures: each ratio error_n/error_(n−1) is proved ≤ ν + 1/1000 (the
// theorem's rate per restart, with a small slack), the constant needed C_n = error_n/ν^n stays within a factor 10
// of C_1 (the theorem's rate ν^n is followed), and the unrestarted network's error
// (enclosed) exceeds the restarted one's by > 100× at n = 8. Exits non-zero if a claim
// fails.
#include <cstdio>

#include "rigornet/cs/cs_report.hpp"
#include "rigornet/report/firenet_decay_table.hpp"

using namespace rigornet;

int main() {
    const DecayProblem pb = firenet_decay_problem(DecayOptions{});
    const int max_n = 8;
    const auto rows = firenet_decay(pb, max_n);
    const MinimiserCertificate minimiser = certify_minimiser(pb);
    std::printf("%s", render(firenet_decay_table(pb, rows, minimiser), TableFormat::text).c_str());
    bool ok = rows.size() == static_cast<std::size_t>(max_n);
    if (!minimiser.proved) {
        std::printf("FAILED: the minimiser is not certified: %s\n", minimiser.reason.c_str());
        ok = false;
    }
    const Rational c1 = rows.at(0).constant_needed.upper();
    for (const DecayRow& r : rows) {
        if (r.has_ratio && !(r.ratio.upper() <= pb.params.nu + Rational(1, 1000))) {
            std::printf("FAILED: n = %d: ratio not proved <= nu + 0.001\n", r.restarts);
            ok = false;
        }
        if (!(r.constant_needed.upper() <= Rational(10) * c1 && r.constant_needed.lower() * Rational(10) >= rows[0].constant_needed.lower())) {
            std::printf("FAILED: n = %d: the constant needed left [C_1/10, 10 C_1]\n", r.restarts);
            ok = false;
        }
    }
    // the unrestarted network with p·n iterations, in balls as well
    SolverParams q = pb.params;
    q.solver = Solver::primal_dual;
    q.inner = pb.params.inner * max_n;
    const Network pd = build_unrolled(pb.setup.problem, q);
    const AdaptiveBalls out = evaluate_ball_adaptive(pd, pb.y, initial_ball_bits(pd, pb.x.size()), 65536, 40);
    const Ball e_pd = l2_distance(out.out, pb.x, 128);
    std::printf("unrestarted primal-dual, %d iterations: ||phi(y) - x|| in [%s, %s]\n", q.inner,
                to_decimal(e_pd.lower(), 10, Round::down).c_str(), to_decimal(e_pd.upper(), 10, Round::up).c_str());
    if (!(e_pd.lower() > Rational(100) * rows.back().error.upper())) {
        std::printf("FAILED: the unrestarted network does not lag by > 100x at n = %d\n", max_n);
        ok = false;
    }
    std::printf("%s: every ratio error_n/error_(n-1) proved <= nu + 0.001, C_n within [C_1/10, 10 C_1], unrestarted > 100x worse at n = %d\n",
                ok ? "REPRODUCED (Arb balls)" : "FAILED", max_n);
    return ok ? 0 : 1;
}
