// FIRENET's decay table (firenet_decay.hpp): the ball enclosures against the exact
// network output (tiny case) and against an independent double evaluation, the rate ν
// per restart, the table's JSON contract, and the CLI's table and --plot.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/cs/firenet_decay.hpp"
#include "rigornet/report/firenet_decay_table.hpp"

using namespace rigornet;
using nlohmann::json;

namespace {

Network network_for(const DecayProblem& pb, int n) {
    SolverParams p = pb.params;
    p.restarts = n;
    return build_unrolled(pb.setup.problem, p);
}

}  // namespace

TEST_CASE("firenet-decay: each error ball contains the exact error of the network (8x8, exact evaluation)", "[firenet_decay]") {
    DecayOptions o;
    o.side = 8;
    o.inner = 3;
    const DecayProblem pb = firenet_decay_problem(o);
    const auto rows = firenet_decay(pb, 2);
    REQUIRE(rows.size() == 2);
    for (const DecayRow& r : rows) {
        // the oracle: the network evaluated in exact rationals, the squared error exact
        const auto out = evaluate_rational(network_for(pb, r.restarts), ExactArith{}, pb.y);
        REQUIRE(out.size() == pb.x.size());
        Rational e2;
        for (std::size_t i = 0; i < out.size(); ++i) e2 += (out[i] - pb.x[i]) * (out[i] - pb.x[i]);
        Ball sq;
        arb_sqr(sq.get(), r.error.get(), 256);
        INFO("n = " << r.restarts << ", exact squared error " << e2.str() << ", ball " << r.error.str());
        REQUIRE(e2.sign() > 0);
        REQUIRE(sq.contains(e2));
        // and the enclosure is narrow (the precision loop reached 2^-40 on the outputs)
        REQUIRE(r.error.radius() < Rational(1, 1 << 30));
    }
    // the problem is what the table says: y = P_Omega U x exactly, x exactly sparse
    REQUIRE(rows[0].noise.contains(Rational(0)));
    REQUIRE(rows[0].noise.radius().is_zero());
    REQUIRE(rows[0].sparsity.contains(Rational(0)));
    REQUIRE(rows[0].sparsity.radius().is_zero());
}

TEST_CASE("firenet-decay: the balls agree with a double evaluation, and the error falls at the rate nu per restart",
          "[firenet_decay]") {
    const DecayProblem pb = firenet_decay_problem(DecayOptions{});
    const int max_n = 6;
    const auto rows = firenet_decay(pb, max_n);
    REQUIRE(rows.size() == static_cast<std::size_t>(max_n));
    std::vector<double> yd, xd;
    for (const Rational& v : pb.y) yd.push_back(v.to_double(Round::nearest));
    for (const Rational& v : pb.x) xd.push_back(v.to_double(Round::nearest));
    for (const DecayRow& r : rows) {
        // independent path: the same network in plain double, the error in double
        const auto out = evaluate(network_for(pb, r.restarts), DoubleArith{}, std::span<const double>(yd));
        double e2 = 0;
        for (std::size_t i = 0; i < out.size(); ++i) e2 += (out[i] - xd[i]) * (out[i] - xd[i]);
        const double d = std::sqrt(e2);
        const double lo = r.error.lower().to_double(Round::down), hi = r.error.upper().to_double(Round::up);
        INFO("n = " << r.restarts << ": double " << d << ", ball [" << lo << ", " << hi << "]");
        // double rounding over ~10^3 layers: agreement to 10^-8 relative, far below the decay
        REQUIRE(d >= lo - 1e-8 * hi);
        REQUIRE(d <= hi + 1e-8 * hi);
        REQUIRE(r.nu_n == [&] {
            Rational p(1);
            for (int k = 0; k < r.restarts; ++k) p *= pb.params.nu;
            return p;
        }());
        if (r.restarts == 1) {
            REQUIRE_FALSE(r.has_ratio);
            continue;
        }
        // the theorem's rate: each restart gains at least the factor nu (slack 1/1000) ...
        REQUIRE(r.has_ratio);
        REQUIRE(r.ratio.upper() <= pb.params.nu + Rational(1, 1000));
        // ... and the ratio is the quotient of the rows' enclosures
        Ball q;
        arb_div(q.get(), r.error.get(), rows[static_cast<std::size_t>(r.restarts - 2)].error.get(), 128);
        REQUIRE(arb_overlaps(q.get(), r.ratio.get()));
    }
    // once the first restarts have passed, the factor is nu itself (the schedule eps_j = nu(delta + eps_(j-1)) sets it)
    REQUIRE(rows.back().ratio.lower() >= pb.params.nu - Rational(1, 100));
    // the constant the theorem would need stays bounded: C_n = error_n / nu^n does not grow
    REQUIRE(rows.back().constant_needed.upper() <= rows.front().constant_needed.upper());
}

TEST_CASE("firenet-decay: the table's JSON rows (restarts, error enclosure, bound null with a reason) and the plot",
          "[firenet_decay]") {
    DecayOptions o;
    o.side = 8;
    o.inner = 5;
    const DecayProblem pb = firenet_decay_problem(o);
    const auto rows = firenet_decay(pb, 3);
    const json j = json::parse(render(firenet_decay_table(pb, rows, certify_minimiser(pb)), TableFormat::json));
    REQUIRE(j.contains("rigornet_version"));
    REQUIRE(j.at("rows").size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        const json& r = j.at("rows")[k];
        REQUIRE(r.at("restarts") == static_cast<int>(k + 1));
        const Rational lo = parse_rational(r.at("error")[0].get<std::string>()), hi = parse_rational(r.at("error")[1].get<std::string>());
        // outward: the printed interval contains the ball
        REQUIRE(lo <= rows[k].error.lower());
        REQUIRE(hi >= rows[k].error.upper());
        REQUIRE(r.at("bound").is_null());
        REQUIRE(r.at("bound_reason").get<std::string>().find("not explicit") != std::string::npos);
        // the 8x8 problem's minimiser is certified too: the error against it is the error
        REQUIRE(r.at("error_vs_minimiser") == r.at("error"));
        REQUIRE(parse_rational(r.at("nu_n").get<std::string>()) == rows[k].nu_n);
    }
    const Plot p = firenet_decay_plot(rows);
    REQUIRE(p.log_y);
    REQUIRE(p.series.size() == 3);
    REQUIRE(p.series[0].points.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        // the plotted interval encloses the ball (outward conversion to double)
        REQUIRE(Rational::from_double(p.series[0].points[k].lo) <= rows[k].error.lower());
        REQUIRE(Rational::from_double(p.series[0].points[k].hi) >= rows[k].error.upper());
        REQUIRE(Rational::from_double(p.series[1].points[k].lo) <= rows[k].nu_n);
        REQUIRE(Rational::from_double(p.series[1].points[k].hi) >= rows[k].nu_n);
    }
    REQUIRE_THROWS_AS(firenet_decay_problem(DecayOptions{.side = 12}), DomainError);
    REQUIRE_THROWS_AS(firenet_decay(pb, 0), DomainError);
}

TEST_CASE("cli: table firenet-decay --format json --plot writes the rows and the four plot files", "[firenet_decay][cli]") {
    const std::string prefix = test::temp_path("");
    std::string out, err;
    REQUIRE(test::run_cli("table firenet-decay --size 8 --inner 5 --restarts 3 --format json --plot " + prefix, out, &err) == 0);
    const json j = json::parse(out);
    REQUIRE(j.at("rows").size() == 3);
    REQUIRE(j.at("rows")[2].at("restarts") == 3);
    for (const char* ext : {".png", ".pdf", ".tex", ".csv"}) {
        REQUIRE(std::filesystem::file_size(prefix + ext) > 0);
        REQUIRE(err.find(prefix + ext) != std::string::npos);
        std::filesystem::remove(prefix + ext);
    }
    // a time limit stops between rows: the rows so far, exit 2
    REQUIRE(test::run_cli("table firenet-decay --size 8 --inner 5 --restarts 3 --timeout 0.000001 --format json", out, &err) == 2);
    REQUIRE(json::parse(out).at("rows").size() == 1);
    REQUIRE(err.find("--timeout reached") != std::string::npos);
    // the seed tables with a curve plot too (takagi: the bounds against l)
    REQUIRE(test::run_cli("table takagi --max-l 3 --plot " + prefix, out, &err) == 0);
    REQUIRE(std::filesystem::file_size(prefix + ".csv") > 0);
    for (const char* ext : {".png", ".pdf", ".tex", ".csv"}) std::filesystem::remove(prefix + ext);
    // tables without a curve refuse --plot; bad sizes are refused; both exit 3 with a message
    REQUIRE(test::run_cli("table cnn-lp --plot " + prefix, out, &err) == 3);
    REQUIRE(err.find("no curve") != std::string::npos);
    REQUIRE(test::run_cli("table firenet-decay --size 12", out, &err) == 3);
    REQUIRE(err.find("power of two") != std::string::npos);
}

namespace {

// F(z + h) − F(z) ≥ 0 for F(u) = λ‖u‖_{1,w} + ‖Au − y‖ with Az = y, decided exactly:
// with d = λ(‖z + h‖_{1,w} − ‖z‖_{1,w}) and q = ‖Ah‖², F(z + h) − F(z) = d + √q.
bool no_better_than_z(const DecayProblem& pb, const std::vector<Rational>& z, const std::vector<Rational>& h) {
    const CsProblem& P = pb.setup.problem;
    Rational d;
    for (std::size_t i = 0; i < z.size(); ++i) {
        const Rational w = P.weights.empty() ? Rational(1) : P.weights[i];
        d += w * ((z[i] + h[i]).abs() - z[i].abs());
    }
    d *= pb.params.lambda;
    std::vector<Rational> ah(P.A->rows());
    P.A->apply(ExactArith{}, h, ah);
    Rational q;
    for (const Rational& v : ah) q += v * v;
    return d.sign() >= 0 || q >= d * d;
}

}  // namespace

TEST_CASE("firenet-decay: the dual certificate proves z = Wx the minimiser; no perturbation does better", "[firenet_decay]") {
    const DecayProblem pb = firenet_decay_problem(DecayOptions{});
    const MinimiserCertificate c = certify_minimiser(pb);
    INFO(c.reason);
    REQUIRE(c.proved);
    REQUIRE(c.off_support_max < Rational(1));
    REQUIRE(c.dual_norm_sq < Rational(1));
    std::vector<Rational> z(pb.x.size());
    pb.setup.analysis->apply(ExactArith{}, pb.x, z);
    REQUIRE(c.support == static_cast<std::size_t>(std::count_if(z.begin(), z.end(), [](const Rational& v) { return !v.is_zero(); })));
    // independent of the certificate: F(z + h) ≥ F(z) for random h (on the support only,
    // off it only, everywhere; scales 2^-20 … 2), and for h = −z (u = 0)
    auto g = test::rng(41);
    for (int t = 0; t < test::cases(60); ++t) {
        std::vector<Rational> h(z.size());
        const int kind = t % 3;
        const Rational scale(1, 1L << (g() % 22));
        for (std::size_t i = 0; i < z.size(); ++i) {
            const bool on = !z[i].is_zero();
            if ((kind == 0 && !on) || (kind == 1 && on) || (kind != 0 && g() % 8 != 0)) continue;
            h[i] = Rational(static_cast<long>(g() % 2001) - 1000, 1000) * scale;
        }
        INFO("case " << t << ", kind " << kind);
        REQUIRE(no_better_than_z(pb, z, h));
    }
    std::vector<Rational> minus_z(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) minus_z[i] = -z[i];
    REQUIRE(no_better_than_z(pb, z, minus_z));
    // a huge lambda: the certificate must fail, and indeed u = 0 beats z
    DecayOptions o;
    o.lambda = Rational(1000);
    const DecayProblem big = firenet_decay_problem(o);
    const MinimiserCertificate cb = certify_minimiser(big);
    REQUIRE_FALSE(cb.proved);
    REQUIRE_FALSE(cb.reason.empty());
    REQUIRE(big.x == pb.x);  // the same signal (same seed), only lambda differs
    REQUIRE_FALSE(no_better_than_z(big, z, minus_z));
}
