// The proved direction of the stability test: operator-norm bounds against the norm of
// the materialised matrix, and Lipschitz bounds of networks against exact evaluation at
// random exact perturbations and against the witnessed ratio of the ascent.
#include "../support.hpp"
#include "rigornet/cs/cs_problem.hpp"
#include "rigornet/imaging/image.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/analysis/local_lipschitz.hpp"
#include "rigornet/linalg/rational_matrix.hpp"
#include "rigornet/analysis/stability.hpp"
#include "rigornet/linalg/transforms.hpp"

using namespace rigornet;
using rigornet::test::cases;

namespace {

/// The matrix of op, column by column, exactly.
RationalMatrix materialise(const LinearOperator& op) {
    RationalMatrix m(op.rows(), op.cols());
    std::vector<Rational> e(op.cols()), col(op.rows());
    for (std::size_t j = 0; j < op.cols(); ++j) {
        e.assign(op.cols(), Rational());
        e[j] = Rational(1);
        op.apply(ExactArith{}, e, col);
        for (std::size_t i = 0; i < op.rows(); ++i) m.set(i, j, col[i]);
    }
    return m;
}

std::shared_ptr<DenseMatrix> random_dense(std::mt19937_64& g, std::size_t r, std::size_t c) {
    return std::make_shared<DenseMatrix>(r, c, rigornet::test::random_vector(g, r * c, 6));
}

Rational small_rational(std::mt19937_64& g) { return Rational(static_cast<long>(g() % 17) - 8, 1 + static_cast<long>(g() % 7)); }

/// A block operator of random dense and identity blocks at random places (overlaps allowed).
std::shared_ptr<BlockOperator> random_blocks(std::mt19937_64& g) {
    const std::size_t rows = 3 + g() % 6, cols = 3 + g() % 6;
    std::vector<Block> blocks;
    for (int b = 0; b < 1 + static_cast<int>(g() % 4); ++b) {
        const std::size_t nr = 1 + g() % 3, nc = 1 + g() % 3;
        const bool identity = g() % 3 == 0;
        const std::size_t br = identity ? nc : nr;
        Block blk;
        for (int k = 0; k < 1 + static_cast<int>(g() % 2); ++k) blk.out_rows.push_back(g() % (rows - br + 1));
        for (int k = 0; k < 1 + static_cast<int>(g() % 3); ++k) blk.in.push_back({g() % (cols - nc + 1), small_rational(g)});
        if (identity)
            blk.identity = nc;
        else
            blk.op = random_dense(g, nr, nc);
        blocks.push_back(std::move(blk));
    }
    return std::make_shared<BlockOperator>(rows, cols, std::move(blocks));
}

/// Whether ‖a − b‖ ≤ L‖h‖ + J is consistent (not refuted) for exact vectors, at 256 bits:
/// false only if the left side is proved larger.
bool within(const std::vector<Rational>& a, const std::vector<Rational>& b, const std::vector<Rational>& h,
            const LocalLipschitz& bound) {
    const long prec = 256;
    std::vector<Ball> ab;
    for (const Rational& v : a) ab.push_back(Ball(v, prec));
    const Ball lhs = l2_distance(ab, b, prec), hn = l2_norm(h, prec);
    Ball rhs;
    arb_mul(rhs.get(), bound.lipschitz.get(), hn.get(), prec);
    arb_add(rhs.get(), rhs.get(), bound.jump.get(), prec);
    return lhs.lower() <= rhs.upper();
}

/// y = P_Ω U x exactly, and y and x as doubles (for the ascent).
struct Measured {
    std::vector<Rational> y;
    std::vector<double> yd, xd;
};
Measured measure_exactly(const CsSetup& st, const std::vector<Rational>& x) {
    Measured m;
    m.y.resize(st.measure->rows());
    st.measure->apply(ExactArith{}, x, m.y);
    for (auto& v : m.y) m.yd.push_back(v.to_double(Round::nearest));
    for (auto& v : x) m.xd.push_back(v.to_double(Round::nearest));
    return m;
}

/// The stability ascent within ‖r‖ ≤ ρ (step 1/2, a start of scale 1/20).
StabilitySearch ascend(const Network& net, const LinearOperator& A, const std::vector<double>& yd,
                       const std::vector<double>& xd, const Rational& rho, int iterations) {
    StabilityOptions so;
    so.radius = rho.to_double(Round::down);
    so.iterations = iterations;
    so.step = 0.5;
    so.initial_scale = 0.05;
    return stability_search(net, A, yd, xd, so);
}

/// A random exact h with ‖h‖₂ ≤ ρ (entries in [−ρ/√n, ρ/√n], √n rounded up).
std::vector<Rational> random_perturbation(std::mt19937_64& g, std::size_t n, const Rational& rho) {
    long s = 1;
    while (static_cast<std::size_t>(s * s) < n) ++s;
    std::vector<Rational> h;
    for (std::size_t i = 0; i < n; ++i) h.push_back(rho * Rational(static_cast<long>(g() % 2001) - 1000, 1000 * s));
    return h;
}

}  // namespace

TEST_CASE("operator_norm_upper: at least the norm of the materialised operator", "[stability-upper]") {
    auto g = rigornet::test::rng(801);
    for (int t = 0; t < cases(30); ++t) {
        std::vector<OperatorPtr> ops;
        const auto d = random_dense(g, 1 + g() % 5, 1 + g() % 5);
        ops.push_back(d);
        const auto b = random_blocks(g);
        ops.push_back(b);
        ops.push_back(std::make_shared<AdjointView>(b));
        ops.push_back(std::make_shared<Composition>(std::vector<OperatorPtr>{random_dense(g, 2, b->rows()), b}));
        for (const OperatorPtr& op : ops) {
            const Rational u = operator_norm_upper(*op);
            const Ball exact = norm_2(materialise(*op), 128);
            INFO(op->kind() << " " << op->rows() << "x" << op->cols() << ": bound " << u.str() << ", norm "
                            << exact.str());
            CHECK(exact.lower() <= u);
        }
        // dense: the exact route, tight to norm_upper's 10 rounded-up digits
        const Ball nd = norm_2(materialise(*d), 128);
        CHECK(operator_norm_upper(*d) <= nd.upper() * Rational(1000000001, 1000000000) + Rational(1, 1000000000));
    }
    // structured operators of a 4×4 Walsh/Haar problem (exact: 16 is a power of 4)
    const Shape shape({4, 4});
    const auto walsh = std::make_shared<WalshHadamard>(shape, WalshOrder::sequency);
    const auto haar = std::make_shared<Haar>(shape, 2);
    const auto sub = std::make_shared<Subsample>(16, std::vector<std::size_t>{0, 3, 5, 9, 12});
    const auto A = std::make_shared<Composition>(std::vector<OperatorPtr>{sub, walsh, std::make_shared<AdjointView>(haar)});
    for (const OperatorPtr& op : std::vector<OperatorPtr>{walsh, haar, sub, A}) {
        const Ball exact = norm_2(materialise(*op), 128);
        CHECK(exact.lower() <= operator_norm_upper(*op));
        CHECK(exact.contains(Rational(1)));  // orthonormal, or orthonormal rows: the bound 1 is attained
        CHECK(operator_norm_upper(*op) == Rational(1));
    }
}

TEST_CASE("local_lipschitz_upper: one linear layer gives its operator norm", "[stability-upper]") {
    auto g = rigornet::test::rng(802);
    for (int t = 0; t < cases(20); ++t) {
        const std::size_t r = 1 + g() % 6, c = 1 + g() % 6;
        const auto A = random_dense(g, r, c);
        Network net(c);
        net.add_affine(A, nullptr, rigornet::test::random_vector(g, r, 6));
        const LocalLipschitz b = local_lipschitz_upper(net, rigornet::test::random_vector(g, c, 6), Rational(1, 3), BallArith{128});
        const Ball exact = norm_2(materialise(*A), 128);
        INFO("A " << r << "x" << c << ": bound " << b.lipschitz.str() << ", norm " << exact.str());
        CHECK(b.jump.contains(Rational(0)));
        CHECK(exact.lower() <= b.lipschitz.upper());
        CHECK(b.lipschitz.upper() <= exact.upper() * Rational(1000000001, 1000000000) + Rational(1, 1000000000));
    }
}

TEST_CASE("local_lipschitz_upper holds at random exact points of the ball (random networks)", "[stability-upper]") {
    auto g = rigornet::test::rng(803);
    int finite = 0, checked = 0;
    const std::vector<Rational> radii{Rational(1, 1000), Rational(1, 10), Rational(2)};
    for (int t = 0; t < cases(40); ++t) {
        const std::size_t n = 1 + g() % 4;
        const Network net = rigornet::test::random_network(g, n, 1 + static_cast<int>(g() % 3));
        std::vector<Rational> y;
        for (std::size_t i = 0; i < n; ++i) y.push_back(small_rational(g));
        const Rational rho = radii[g() % radii.size()];
        const LocalLipschitz b = local_lipschitz_upper(net, y, rho, BallArith{128});
        if (!b.lipschitz.is_finite() || !b.jump.is_finite()) continue;
        ++finite;
        std::vector<Rational> fy;
        try {
            fy = evaluate(net, ExactArith{}, std::span<const Rational>(y));
        } catch (const DomainError&) {
            continue;  // undefined at y: no claim
        }
        for (int k = 0; k < 8; ++k) {
            std::vector<Rational> h = random_perturbation(g, n, rho), y2 = y;
            if (k == 0) {  // a corner: all the radius along one axis
                h.assign(n, Rational());
                h[g() % n] = (g() % 2 ? rho : -rho);
            }
            for (std::size_t i = 0; i < n; ++i) y2[i] += h[i];
            std::vector<Rational> f2;
            try {
                f2 = evaluate(net, ExactArith{}, std::span<const Rational>(y2));
            } catch (const DomainError&) {
                continue;
            }
            ++checked;
            INFO("case " << t << ", rho " << rho.str() << ", L " << b.lipschitz.str() << ", J " << b.jump.str());
            CHECK(within(f2, fy, h, b));
        }
    }
    CHECK(finite >= cases(40) / 4);  // the property was exercised
    CHECK(checked >= finite);
}

TEST_CASE("stability upper bounds on 8x8 Walsh problems: above the witnessed and the exact ratios", "[stability-upper]") {
    const Shape shape({8, 8});
    const int levels = 3;
    std::vector<std::size_t> omega;
    for (std::size_t i = 0; i < 64; i += 2) omega.push_back(i);
    const CsSetup st = make_setup(shape, Modality::walsh, levels, omega, {4, 6, 10}, true, Rational(1, 1L << 30));
    auto g = rigornet::test::rng(804);
    std::vector<Rational> x;
    for (int i = 0; i < 64; ++i) x.push_back(Rational(static_cast<long>(g() % 9), 8));
    const auto [y, yd, xd] = measure_exactly(st, x);
    const Rational rho(1, 4), mnorm = operator_norm_upper(*st.measure);
    // steps 1 (τσ‖A‖² = 1: the triangle recursion) and 1/2 (the metric of M for the
    // primal–dual solvers, linear in the iterations)
    const std::vector<std::pair<Solver, Rational>> runs{
        {Solver::ista, Rational(1)},        {Solver::fista, Rational(1)},   {Solver::cp_bp, Rational(1)},
        {Solver::primal_dual, Rational(1)}, {Solver::firenet, Rational(1)}, {Solver::nesta, Rational(1)},
        {Solver::cp_bp, Rational(1, 2)},    {Solver::primal_dual, Rational(1, 2)}, {Solver::firenet, Rational(1, 2)}};
    for (const auto& [s, step] : runs) {
        SolverParams p;
        p.solver = s;
        p.tau = p.sigma = step;
        p.lambda = Rational(1, 100);
        // NESTA has no solver bound; its layer-by-layer one squares its magnitude at every
        // square layer, so it stays finite only for a couple of iterations
        p.inner = s == Solver::firenet || s == Solver::nesta ? 2 : 4;
        p.restarts = 2;
        p.eps0 = Rational(8);
        const Network net = build_unrolled(st.problem, p);
        INFO("solver " << solver_name(s) << ", tau = sigma = " << step.str());
        // the witnessed lower bound of the ascent
        const StabilitySearch found = ascend(net, *st.measure, yd, xd, rho, 10);
        const CertifiedPerturbation c = certify_perturbation(net, *st.measure, y, found.r, BallArith{256});
        Ball ratio;
        arb_div(ratio.get(), c.change.get(), c.r_norm.get(), 256);
        std::map<const LinearOperator*, Rational> norms;
        const StabilityUpper u = stability_upper(net, y, mnorm, rho, c.r_norm, BallArith{256}, &norms, st.problem, p);
        INFO("lower " << ratio.str() << ", upper " << u.bound.str() << " (" << u.method << "; layers "
                      << u.layers_bound.str() << ", solver " << u.solver_bound.str() << ")");
        REQUIRE(u.bound.is_finite());
        CHECK(ratio.lower() <= u.bound.upper());
        if (u.layers_bound.is_finite()) CHECK(ratio.lower() <= u.layers_bound.upper());
        if (u.solver_bound.is_finite()) CHECK(ratio.lower() <= u.solver_bound.upper());

        // random exact perturbations r of the image with ‖r‖ ≤ ρ, evaluated exactly
        const std::vector<Rational> fy = evaluate(net, ExactArith{}, std::span<const Rational>(y));
        for (int k = 0; k < 3; ++k) {
            const std::vector<Rational> r = random_perturbation(g, 64, rho);
            std::vector<Rational> ar(y.size()), y2 = y;
            st.measure->apply(ExactArith{}, r, ar);
            for (std::size_t i = 0; i < y.size(); ++i) y2[i] += ar[i];
            const std::vector<Rational> f2 = evaluate(net, ExactArith{}, std::span<const Rational>(y2));
            CHECK(within(f2, fy, r, LocalLipschitz{u.lipschitz, u.jump}));
        }
        // the solver-structure bound is global: it also holds far outside the ball
        if (const auto sb = unrolled_lipschitz_upper(st.problem, p, 128)) {
            std::vector<Rational> h = random_perturbation(g, y.size(), Rational(50)), y3 = y;
            for (std::size_t i = 0; i < y.size(); ++i) y3[i] += h[i];
            CHECK(within(evaluate(net, ExactArith{}, std::span<const Rational>(y3)), fy, h, *sb));
        }
    }
}

// Complex unknowns on a Walsh problem with a dyadic image: the exact trajectory at y puts
// |u|² on steps of sqrt_θ (dyadic squares), where no ball precision gives a finite
// enclosure; certify_perturbation_adaptive then evaluates that point exactly.
TEST_CASE("stability on the complex 16x16 Walsh phantom problem: exact fallback, lower <= upper, upper above exact ratios",
          "[stability-upper][stability-complex]") {
    // the CLI's --phantom 16 --complex --modality walsh --rate 0.5 problem
    const Shape shape({16, 16});
    const Image truth = shepp_logan(16);
    const auto sp = image_sparsities(shape, 4, truth.pixels);
    const CsSetup st = make_setup(shape, Modality::walsh, 4, sample_pattern(shape, Modality::walsh, sp, 0.5, 1), sp, true,
                                  Rational(1, 1L << 40), 0, true);
    auto g = rigornet::test::rng(806);
    std::vector<Rational> x;  // the phantom, imaginary part 0
    for (double v : truth.pixels) x.push_back(Rational::from_double(v));
    x.resize(2 * x.size());
    const auto [y, yd, xd] = measure_exactly(st, x);
    const Rational rho(1, 4), mnorm = operator_norm_upper(*st.measure);
    int fallbacks = 0;
    for (const Solver s : {Solver::ista}) {
        SolverParams p;
        p.solver = s;
        p.lambda = Rational(1, 100);
        p.inner = 4;  // the jump 2^−40 at the second iteration, amplified to ~1e−6 in balls
        p.eps0 = Rational(8);
        const Network net = build_unrolled(st.problem, p);
        INFO("solver " << solver_name(s));
        const StabilitySearch found = ascend(net, *st.measure, yd, xd, rho, 5);
        // at most 128 bits in balls, then the exact fallback
        const CertifiedPerturbation c =
            certify_perturbation_adaptive(net, *st.measure, y, found.r, BallArith{64, false}, 256, 30, 30.0);
        // the balls alone cannot be accurate here, at any precision
        const CertifiedPerturbation balls = certify_perturbation(net, *st.measure, y, found.r, BallArith{4096, false});
        CHECK(arb_rel_accuracy_bits(balls.change.get()) < 30);
        fallbacks += c.exact_base || c.exact_moved;
        REQUIRE(c.change.is_finite());
        // the enclosure contains the exact change (an independent exact evaluation)
        const std::vector<Rational> fy = evaluate(net, ExactArith{}, std::span<const Rational>(y));
        std::vector<Rational> ar(y.size()), y2 = y;
        st.measure->apply(ExactArith{}, c.r, ar);
        for (std::size_t i = 0; i < y.size(); ++i) y2[i] += ar[i];
        const std::vector<Rational> f2 = evaluate(net, ExactArith{}, std::span<const Rational>(y2));
        Rational d2;
        for (std::size_t i = 0; i < fy.size(); ++i) d2 += (f2[i] - fy[i]) * (f2[i] - fy[i]);
        Ball sq;
        arb_sqr(sq.get(), c.change.get(), 256);
        CHECK(arb_contains_fmpq(sq.get(), d2.get()));
        // lower ≤ upper, and the upper bound's inequality at random exact perturbations
        Ball ratio;
        arb_div(ratio.get(), c.change.get(), c.r_norm.get(), 256);
        std::map<const LinearOperator*, Rational> norms;
        const StabilityUpper u = stability_upper(net, y, mnorm, rho, c.r_norm, BallArith{256}, &norms, st.problem, p);
        INFO("lower " << ratio.str() << ", upper " << u.bound.str() << " (" << u.method << ")");
        if (u.bound.is_finite()) CHECK(ratio.lower() <= u.bound.upper());
        for (int k = 0; k < 1 && u.bound.is_finite(); ++k) {
            const std::vector<Rational> r = random_perturbation(g, x.size(), rho);
            std::vector<Rational> a2(y.size()), y3 = y;
            st.measure->apply(ExactArith{}, r, a2);
            for (std::size_t i = 0; i < y.size(); ++i) y3[i] += a2[i];
            CHECK(within(evaluate(net, ExactArith{}, std::span<const Rational>(y3)), fy, r, LocalLipschitz{u.lipschitz, u.jump}));
        }
    }
    CHECK(fallbacks > 0);  // the step case was exercised
}

TEST_CASE("solver bounds for complex coefficients: the gate threshold's 2^-k per coordinate in J, checked exactly",
          "[stability-upper][stability-complex]") {
    const Shape shape({8, 8});
    std::vector<std::size_t> omega;
    for (std::size_t i = 0; i < 64; i += 2) omega.push_back(i);
    // θ = 2^−6: a coarse sqrt_θ, so that J (of the order of √N·2^−k) is exercised
    const CsSetup st = make_setup(shape, Modality::walsh, 3, omega, {4, 6, 10}, true, Rational(1, 64), 0, true);
    auto g = rigornet::test::rng(809);
    std::vector<Rational> x;
    for (int i = 0; i < 128; ++i) x.push_back(Rational(static_cast<long>(g() % 9) - 4, 8));
    const std::vector<Rational> y = measure_exactly(st, x).y;
    for (const auto& [s, step] : std::vector<std::pair<Solver, Rational>>{{Solver::ista, Rational(1)},
                                                                         {Solver::fista, Rational(1)},
                                                                         {Solver::cp_bp, Rational(1)},
                                                                         {Solver::cp_bp, Rational(1, 2)},
                                                                         {Solver::primal_dual, Rational(1, 2)},
                                                                         {Solver::firenet, Rational(1, 2)}}) {
        SolverParams p;
        p.solver = s;
        p.tau = p.sigma = step;
        p.lambda = Rational(1, 10);
        p.theta = Rational(1, 64);
        p.inner = s == Solver::firenet ? 2 : 3;
        p.restarts = 2;
        p.eps0 = Rational(8);
        const Network net = build_unrolled(st.problem, p);
        INFO("solver " << solver_name(s) << ", tau = sigma = " << step.str());
        const auto b = unrolled_lipschitz_upper(st.problem, p, 128);
        REQUIRE(b);
        REQUIRE(b->lipschitz.is_finite());
        REQUIRE(b->jump.is_finite());
        CHECK(arb_is_positive(b->jump.get()));  // the complex thresholds' deviation is counted
        const std::vector<Rational> fy = evaluate(net, ExactArith{}, std::span<const Rational>(y));
        // global: near y (where J matters) and far from it
        for (const Rational& rho : {Rational(1, 100), Rational(1), Rational(50)}) {
            std::vector<Rational> h = random_perturbation(g, y.size(), rho), y2 = y;
            for (std::size_t i = 0; i < y.size(); ++i) y2[i] += h[i];
            INFO("rho " << rho.str() << ", L " << b->lipschitz.str() << ", J " << b->jump.str());
            CHECK(within(evaluate(net, ExactArith{}, std::span<const Rational>(y2)), fy, h, *b));
        }
    }
}

TEST_CASE("local_lipschitz_upper: gates on negative controls, with and without sqrt_theta", "[stability-upper]") {
    // φ(u, X) = (0, g(u)·X), ρ = 1: at y = (−1/2, 1) u ranges over [−3/2, 1/2], at
    // y = (3/2, 1) over [1/2, 5/2] and at y = (1/4, 1) over [−3/4, 5/4]
    auto g = rigornet::test::rng(805);
    const Expr u = Expr::variable();
    const Expr no_sqrt = Expr::binary(Expr::Op::min, u, Expr::constant(Rational(2)));  // defined for u < 0
    const Expr sq = Expr::sqrt_theta(u, Rational(1, 1 << 10));  // defined for u ≥ 0 only
    Network undefined_at_y(2);
    undefined_at_y.add_gates({Gate{0, {1}, sq}});
    CHECK_THROWS_AS(local_lipschitz_upper(undefined_at_y, std::vector<Rational>{Rational(-1, 2), Rational(1)},
                                          Rational(1), BallArith{128}),
                    DomainError);  // φ(y) itself is undefined
    const std::vector<std::pair<Expr, std::vector<Rational>>> cases_{
        {no_sqrt, {Rational(-1, 2), Rational(1)}}, {sq, {Rational(3, 2), Rational(1)}}, {sq, {Rational(1, 4), Rational(1)}}};
    for (const auto& [f, y] : cases_) {
        Network net(2);
        net.add_gates({Gate{0, {1}, f}});
        const LocalLipschitz b = local_lipschitz_upper(net, y, Rational(1), BallArith{128});
        INFO("g = " << f.str() << ": L " << b.lipschitz.str() << ", J " << b.jump.str());
        if (f.op == Expr::Op::min) {
            // for u < 2 the Jacobian of (u, X) ↦ min(u, 2)·X is (X, u), of norm ‖(u, X)‖; at
            // the point of the ball farthest from 0 it is 1 + ‖y‖ = 1 + √5/2 > 2.118, so a
            // valid bound (here J = 0) is at least that: one that missed u < 0 is not
            REQUIRE(b.lipschitz.is_finite());
            CHECK(b.jump.contains(Rational(0)));
            CHECK(b.lipschitz.upper() >= Rational(2118, 1000));
        }
        if (y[0] == Rational(3, 2)) REQUIRE(b.lipschitz.is_finite());  // √ away from 0
        if (!b.lipschitz.is_finite() || !b.jump.is_finite()) continue;
        const auto fy = [&] {
            try {
                return evaluate(net, ExactArith{}, std::span<const Rational>(y));
            } catch (const DomainError&) {
                return std::vector<Rational>{};
            }
        }();
        for (int k = 0; k < 50; ++k) {
            std::vector<Rational> h = random_perturbation(g, 2, Rational(1)), y2 = y;
            for (std::size_t i = 0; i < 2; ++i) y2[i] += h[i];
            try {
                const auto f2 = evaluate(net, ExactArith{}, std::span<const Rational>(y2));
                // compare two defined points y2 and y3 of the ball (φ(y) may be undefined)
                std::vector<Rational> h3 = random_perturbation(g, 2, Rational(1)), y3 = y, d(2);
                for (std::size_t i = 0; i < 2; ++i) {
                    y3[i] += h3[i];
                    d[i] = y3[i] - y2[i];
                }
                const auto f3 = evaluate(net, ExactArith{}, std::span<const Rational>(y3));
                CHECK(within(f3, f2, d, b));
                if (!fy.empty()) CHECK(within(f2, fy, h, b));
            } catch (const DomainError&) {
            }
        }
    }
}

TEST_CASE("primal-dual solver bound in the metric of M: linear in the iterations", "[stability-upper]") {
    // ‖A‖ = 1 (orthonormal Walsh rows and Haar). Per unit ‖Δy‖ the metric distance grows
    // by √σ per step (b = y moves d⁺ by σΔy), and x_{k+1} moves by ≤ √τ·k√σ, so the average
    // of x_1 … x_p moves by ≤ √(τσ)(p − 1)/2: 19/4 for τ = σ = 1/2 and 19/2 for τ = σ = 1,
    // where M is only semidefinite (the triangle recursion grows geometrically)
    const Shape shape({4, 4});
    std::vector<std::size_t> omega{0, 1, 2, 3, 5, 8, 10, 13};
    const CsSetup st = make_setup(shape, Modality::walsh, 2, omega, {2, 3}, true, Rational(1, 1L << 30));
    for (const Rational& step : {Rational(1, 2), Rational(1)}) {
        SolverParams p;
        p.solver = Solver::primal_dual;
        p.tau = p.sigma = step;
        p.inner = 20;
        p.lambda = Rational(1, 100);
        const auto b = unrolled_lipschitz_upper(st.problem, p, 128);
        REQUIRE(b);
        const Rational expect = Rational(19, 4) * step * Rational(2);
        CHECK(b->lipschitz.upper() >= expect);
        CHECK(b->lipschitz.upper() <= expect + Rational(1, 1000000000));
        CHECK(b->jump.upper() <= Rational(1, 1000000));  // 2·2^−30 per step, summed
        // and it holds at random exact points (far apart: the bound is global)
        const Network net = build_unrolled(st.problem, p);
        auto g = rigornet::test::rng(806);
        for (int k = 0; k < 3; ++k) {
            std::vector<Rational> y = random_perturbation(g, omega.size(), Rational(4)),
                                  h = random_perturbation(g, omega.size(), Rational(1)), y2 = y;
            for (std::size_t i = 0; i < y.size(); ++i) y2[i] += h[i];
            CHECK(within(evaluate(net, ExactArith{}, std::span<const Rational>(y2)),
                         evaluate(net, ExactArith{}, std::span<const Rational>(y)), h, *b));
        }
    }
}
