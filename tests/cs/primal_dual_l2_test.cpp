// evaluate_primal_dual_l2 (cs/primal_dual_l2.hpp): the radius encloses the exact network
// value (exact rationals) for FIRENET and pd networks, with τσL² = 1 as well as < 1; it
// grows linearly in the steps where the layer-by-layer evaluate_l2 grows geometrically;
// layouts that do not describe the network are refused; the CLI's l2 path uses it.
#include <bit>
#include <cmath>

#include "../l2_support.hpp"
#include "rigornet/cs/primal_dual_l2.hpp"

using namespace rigornet;
using rigornet::test::dist2;
using rigornet::test::small_problem;

namespace {

SolverParams params(const std::vector<Rational>& y, Solver solver, int restarts, int inner) {
    SolverParams p;
    p.solver = solver;
    p.restarts = restarts;
    p.inner = inner;
    p.lambda = Rational(1, 100);
    Rational ny;
    for (const auto& v : y) ny += v * v;
    p.eps0 = Rational::from_double(std::sqrt(ny.to_double(Round::up)) + 1);
    return p;
}

}  // namespace

TEST_CASE("primal-dual l2 radius encloses the exact network value", "[pdl2]") {
    struct Case {
        Solver solver;
        int restarts, inner;
        Rational tau, sigma, theta;
        bool thirds, warm;
    };
    const std::vector<Case> cases = {
        {Solver::firenet, 2, 3, Rational(1), Rational(1), Rational(1, 1L << 40), false, false},  // τσL² = 1
        {Solver::firenet, 3, 2, Rational(2), Rational(1, 2), Rational(1, 1L << 20), true, false},  // τ ≠ σ, coarse θ
        {Solver::firenet, 1, 4, Rational(1, 2), Rational(1, 3), Rational(1, 1L << 30), true, true},
        {Solver::primal_dual, 1, 5, Rational(1), Rational(1), Rational(1, 1L << 40), false, true},
    };
    int k = 0;
    for (const Case& c : cases) {
        auto p = small_problem(8, Modality::walsh, 11 + k, c.thirds);
        SolverParams sp = params(p.y, c.solver, c.restarts, c.inner);
        sp.tau = c.tau;
        sp.sigma = c.sigma;
        sp.theta = c.theta;
        if (c.warm)
            for (std::size_t i = 0; i < p.setup.problem.A->cols(); ++i) sp.x0.emplace_back(static_cast<long>(i % 5) - 2, 7);
        const Network net = build_unrolled(p.setup.problem, sp);
        const auto layout = primal_dual_layout(p.setup.problem, sp);
        REQUIRE(layout);
        const L2Evaluation r = evaluate_primal_dual_l2(net, *layout, p.y);
        INFO("case " << k << ": " << r.reason);
        REQUIRE(r.radius < 1e-3);  // finite and useful (θ = 2^-20 gives about 1e-5)
        CHECK(r.radius > 0);
        CHECK(r.radii.size() == static_cast<std::size_t>(layout->blocks * layout->steps));
        std::vector<double> yd;
        for (const auto& v : p.y) yd.push_back(v.to_double(Round::nearest));
        CHECK(r.mid == evaluate(net, DoubleArith{}, std::span<const double>(yd)));  // DoubleArith's, bit for bit
        const std::vector<Rational> exact = evaluate_rational(net, ExactArith{}, p.y);
        const Rational rr = Rational::from_double(r.radius);
        CHECK(dist2(r.mid, exact) <= rr * rr);
        ++k;
    }
}

TEST_CASE("primal-dual l2 radius grows linearly in the steps, the layer product geometrically", "[pdl2]") {
    auto p = small_problem(16, Modality::walsh, 5);
    std::vector<double> pd;
    for (int inner : {20, 40, 80}) {
        // the unrestarted network (α = 1; FIRENET's α ∝ 1/p adds a factor p), θ negligible
        SolverParams sp = params(p.y, Solver::primal_dual, 1, inner);
        sp.theta = Rational::from_double(0x1p-80);
        const Network net = build_unrolled(p.setup.problem, sp);
        const L2Evaluation r = evaluate_primal_dual_l2(net, *primal_dual_layout(p.setup.problem, sp), p.y);
        REQUIRE(r.radius < 1e-8);
        pd.push_back(r.radius);
        if (inner == 40) {
            const L2Evaluation layers = evaluate_l2(net, p.y);
            INFO("layers " << layers.radius << " (" << layers.reason << "), primal-dual " << r.radius);
            CHECK(!(layers.radius < 1e6 * r.radius));  // +∞ or far larger
        }
    }
    INFO("radii " << pd[0] << " " << pd[1] << " " << pd[2]);
    // linear once the iterates have reached their size (from x = 0): doubling the steps
    // at most triples the radius (a quadratic growth would quadruple it)
    CHECK(pd[1] <= 3 * pd[0]);
    CHECK(pd[2] <= 3 * pd[1]);
}

TEST_CASE("primal-dual l2: layouts that do not describe the network are refused", "[pdl2]") {
    auto p = small_problem(8, Modality::walsh, 2);
    const SolverParams sp = params(p.y, Solver::firenet, 2, 2);
    const Network net = build_unrolled(p.setup.problem, sp);
    PrimalDualLayout lay = *primal_dual_layout(p.setup.problem, sp);
    PrimalDualLayout more = lay;
    more.steps = 3;
    CHECK_THROWS_AS(evaluate_primal_dual_l2(net, more, p.y), DomainError);
    const SolverParams sp1 = params(p.y, Solver::firenet, 1, 4);
    CHECK_THROWS_AS(evaluate_primal_dual_l2(build_unrolled(p.setup.problem, sp1), lay, p.y), DomainError);
    CHECK_THROWS_AS(evaluate_primal_dual_l2(net, lay, std::vector<Rational>(3)), ShapeError);
    // an ISTA network of the same problem has no primal-dual layout
    CHECK_FALSE(primal_dual_layout(p.setup.problem, params(p.y, Solver::ista, 1, 3)));
    // the FFTW path of the Fourier problem proves nothing, and says where
    auto f = small_problem(8, Modality::fourier, 3);
    const SolverParams fp = params(f.y, Solver::firenet, 1, 2);
    const L2Evaluation r = evaluate_primal_dual_l2(build_unrolled(f.setup.problem, fp),
                                                   *primal_dual_layout(f.setup.problem, fp), f.y);
    CHECK_FALSE(r.radius < DoubleErrorBound::inf);
    CHECK(r.failed_layer >= 1);
    CHECK(r.reason.find("fourier") != std::string::npos);
}

TEST_CASE("reconstruct --arith ball certifies a deep FIRENET through the primal-dual metric", "[pdl2]") {
    const std::string base = "reconstruct --phantom 16 --modality walsh --rate 0.5 --restarts 3 --inner 5 --json ";
    const auto fast = rigornet::test::run_json(base + "--arith ball");
    CHECK(fast["arith_used"] == "l2");
    CHECK(fast["l2_method"] == "primal-dual metric");
    const double rho = std::stod(fast["l2_radius"].get<std::string>());
    CHECK(rho > 0);
    CHECK(rho < std::ldexp(1.0, -30));
    // the same network in Arb balls: the two enclosures of the relative error overlap
    const auto balls = rigornet::test::run_json(base + "--arith ball:512");
    CHECK(balls["arith_used"] == "ball:512");
    CHECK(rigornet::test::enclosures_overlap(fast["relative_error_enclosure"], balls["relative_error_enclosure"]));
}
