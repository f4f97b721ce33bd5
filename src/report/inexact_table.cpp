#include "rigornet/report/inexact_table.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "rigornet/cs/cs_report.hpp"
#include "rigornet/linalg/rational_matrix.hpp"
#include "rigornet/number/sqrt_theta.hpp"
#include "rigornet/cs/user_problem.hpp"
#include "rigornet/linalg/operator_norm.hpp"

namespace rigornet {

namespace {

Rational pow10_neg(long k) {
    Rational r(1);
    for (long i = 0; i < k; ++i) r /= Rational(10);
    return r;
}

std::string down(const Rational& r) { return to_decimal(r, 8, Round::down); }
std::string up(const Rational& r) { return to_decimal(r, 8, Round::up); }
Cell interval(const Ball& b) { return Cell::interval(down(b.lower()), up(b.upper())); }

}  // namespace

InexactRow run_inexact_row(const InexactParams& p, const InexactRunOptions& o) {
    InexactRow row;
    row.inst = make_inexact_instance(p);
    const InexactInstance& in = row.inst;
    row.first = check_minimiser(p, in.first, stated_minimiser(p, in.first));
    row.second = check_minimiser(p, in.second, stated_minimiser(p, in.second));
    const long prec = 128;
    row.separation = minimiser_separation(in, prec);
    std::vector<SparseEntry> e;
    RationalMatrix an(in.rows, in.cols);
    for (std::size_t k = 0; k < in.rows; ++k)
        for (std::size_t l = 0; l < in.cols; ++l) {
            e.push_back({k, l, in.An[k * in.cols + l]});
            an.set(k, l, in.An[k * in.cols + l]);
        }
    row.norm_upper = norm_upper(e, in.rows, in.cols);
    // the published script's steps τ = σ = √(1/‖A_n‖) − 10^−4, and τσ‖A_n‖²
    {
        Ball L = norm_2(an, prec), s, c(Rational(1, 10000), prec);
        arb_rsqrt(s.get(), L.get(), prec);
        arb_sub(s.get(), s.get(), c.get(), prec);
        arb_mul(s.get(), s.get(), L.get(), prec);
        arb_sqr(row.script_step_product.get(), s.get(), prec);
    }
    SolverParams sp;
    sp.solver = Solver::firenet;
    sp.inner = o.inner;
    sp.restarts = o.restarts;
    sp.lambda = p.lambda;
    sp.delta = o.delta;
    Rational y2;
    for (auto& v : in.yn) y2 += v * v;
    const Rational th(1, 1000000);
    sp.eps0 = parse_rational(to_decimal(sqrt_theta(y2, th) + th, 8, Round::up));  // ≥ ‖y_n‖
    sp.tau = sp.sigma = primal_dual_step(row.norm_upper);
    const CsProblem pb = make_user_problem(std::move(e), in.rows, in.cols, false, row.norm_upper);
    const Network net = build_unrolled(pb, sp);
    const long start = o.start_bits ? o.start_bits : std::max(256L, 12L * o.inner * o.restarts);
    AdaptiveBalls ab = evaluate_ball_adaptive(net, in.yn, start, o.max_bits, o.accuracy_bits);
    row.bits = ab.bits;
    std::vector<Ball> x1, x2;
    for (const QSqrt2& v : stated_minimiser(p, in.first)) x1.push_back(v.ball(prec));
    for (const QSqrt2& v : stated_minimiser(p, in.second)) x2.push_back(v.ball(prec));
    row.distance = l2_distance(ab.out, x1, prec);
    row.distance_second = l2_distance(ab.out, x2, prec);
    return row;
}

Table inexact_input_table(const std::vector<int>& Ks, const std::vector<long>& ns, const InexactParams& base,
                          const InexactRunOptions& o, std::vector<std::string>* failures, bool* stopped) {
    Table t;
    t.title = "Inexact input (seed 003, PNAS 2022 Table 1): FIRENET on (A_n, y_n) against the proved minimisers";
    t.keys = {"K", "n", "distance", "distance_second", "separation", "perturbation", "ten_to_minus_K", "minimisers",
              "script_tau_sigma_norm_sq"};
    t.headers = {"K", "n", "d(Phi(A_n,y_n), Xi(A,y))", "d(Phi(A_n,y_n), Xi(A',y'))", "||Xi(A,y) - Xi(A',y')||",
                 "max(||A-A_n||, ||y-y_n||) <=", "10^-K", "minimisers", "script tau*sigma*||A_n||^2"};
    auto fail = [&](const std::string& m) {
        if (failures) failures->push_back(m);
    };
    bool halted = false;
    for (int K : Ks)
        for (long n : ns) {
            if (!halted && o.stop && o.stop()) halted = true;
            if (halted) continue;
            InexactParams p = base;
            p.K = K;
            p.n = n;
            const InexactRow r = run_inexact_row(p, o);
            const std::string tag = "K = " + std::to_string(K) + ", n = " + std::to_string(n) + ": ";
            const Rational tenK = pow10_neg(K);
            if (r.first.verdict != Verdict::proved || r.second.verdict != Verdict::proved)
                fail(tag + "a stated minimiser is not proved (" + r.first.reason + "; " + r.second.reason + ")");
            Rational two_n(1);
            for (long i = 0; i < n; ++i) two_n /= Rational(2);
            if (r.inst.perturbation > two_n) fail(tag + "perturbation bound " + up(r.inst.perturbation) + " > 2^-n");
            if (!(r.separation.lower() > Rational(2) * tenK)) fail(tag + "separation not proved > 2*10^-K");
            if (!r.distance.is_finite() || !(r.distance.lower() > tenK)) fail(tag + "FIRENET's distance not proved > 10^-K");
            if (!r.distance.is_finite() || !(r.distance.upper() < tenK * Rational(10)))
                fail(tag + "FIRENET's distance not proved < 10^(1-K)");
            if (o.progress) o.progress(tag + "done at " + std::to_string(r.bits) + " bits");
            t.add_row({std::to_string(K), std::to_string(n), interval(r.distance), interval(r.distance_second),
                       interval(r.separation), Cell(up(r.inst.perturbation), r.inst.perturbation.str()),
                       Cell("1e-" + std::to_string(K), tenK.str()),
                       verdict_name(r.first.verdict) + ", " + verdict_name(r.second.verdict), interval(r.script_step_product)});
        }
    t.notes = {
        "Family (N1 = " + std::to_string(base.N1) + ", N2 = " + std::to_string(base.N2) + ", delta = " + base.delta.str() +
            ", lambda = " + base.lambda.str() +
            ", the published script's): (A, y) is member j = 1, (A', y') member j = 2, both mixed by the orthonormal DCT; "
            "(A_n, y_n) are the entries of (A', y') rounded to multiples of 2^-(n+8), exact rationals.",
        "Every number is an enclosure [lo, hi] or a proved bound, rounded outward; the minimisers are proved exactly in "
        "Q(sqrt 2) (a subgradient containing 0; unique), so Xi(A, y) and Xi(A', y') are single points.",
        "Theorem (the table's conclusion): the separation exceeds 2*10^-K, so for ANY output x, d(x, Xi(A,y)) + "
        "d(x, Xi(A',y')) > 2*10^-K and one of the two is > 10^-K: no algorithm that reads only (A_n, y_n), within 2^-n "
        "of both problems, has K correct digits on both. FIRENET's distance to Xi(A,y) is proved > 10^-K (not K digits) "
        "and < 10^(1-K) (K - 1 digits).",
        "FIRENET: p = " + std::to_string(o.inner) + ", " + std::to_string(o.restarts) +
            " restarts, delta = " + o.delta.str() +
            ", unit weights, eps_0 >= ||y_n||, tau = sigma = (1 - 10^-4)/U with U >= ||A_n|| proved, so tau*sigma*||A_n||^2 < 1.",
        "Where we differ from the published table: its script reuses the loop variable j (over K) as the data index, so "
        "for K = 1 and 3 its Xi(A, y) point has its non-zero entry on the last N2 coordinates and is not a minimiser "
        "(F there is above F(0) = 1; check_minimiser refutes it), and its steps tau = sigma = sqrt(1/||A_n||) - 10^-4 give "
        "tau*sigma*||A_n||^2 as in the last column (> 1: the primal-dual step condition fails). Only its K = 6 row "
        "compares against a true minimiser. With the theorem's pair and valid steps the conclusion stands: never K "
        "digits, K - 1 at best."};
    if (halted) t.notes.push_back("Stopped on request after " + std::to_string(t.rows.size()) + " rows: the table is partial.");
    if (stopped) *stopped = halted;
    return t;
}

Plot inexact_input_plot(const Table& t) {
    const auto column = [&](const std::string& key) {
        const auto it = std::find(t.keys.begin(), t.keys.end(), key);
        if (it == t.keys.end()) throw ParseError("inexact-input plot: the table has no column '" + key + "'");
        return static_cast<std::size_t>(it - t.keys.begin());
    };
    const std::size_t kc = column("K"), nc = column("n"), dc = column("distance");
    Plot p;
    p.title = "Inexact input: FIRENET's distance to Xi(A, y) against n, beside 10^-K";
    p.xlabel = "n (max(||A - A_n||, ||y - y_n||) <= 2^-n)";
    p.ylabel = "d(Phi(A_n, y_n), Xi(A, y))";
    p.log_y = true;
    std::vector<std::string> order;  // the K values in the table's order
    std::map<std::string, PlotSeries> distance, bound;
    for (const auto& row : t.rows) {
        const std::string& K = row[kc].value;
        if (!distance.count(K)) {
            order.push_back(K);
            distance[K] = {"distance, K = " + K, {}, true, true, true};
            bound[K] = {"10^-" + K, {}, true, true, false};
        }
        const double n = parse_rational(row[nc].value).to_double(Round::nearest);
        const Rational tenK = pow10_neg(std::stol(K));
        bound[K].points.push_back({n, tenK.to_double(Round::down), tenK.to_double(Round::up)});
        const nlohmann::json ends = nlohmann::json::parse(row[dc].json.empty() ? "null" : row[dc].json);
        if (!ends.is_array() || ends.size() != 2) continue;  // no finite enclosure
        const Rational lo = parse_rational(ends[0].get<std::string>()), hi = parse_rational(ends[1].get<std::string>());
        if (lo.sign() > 0) distance[K].points.push_back({n, lo.to_double(Round::down), hi.to_double(Round::up)});
    }
    for (const std::string& K : order) {
        if (!distance[K].points.empty()) p.series.push_back(distance[K]);
        p.series.push_back(bound[K]);
    }
    return p;
}

}  // namespace rigornet
