// evaluate_l2 and the operators' double error bounds (issue 9, item 3): the bounds hold
// against exact (or 256-bit ball) transforms on random and adversarial vectors, the
// ℓ2 radius encloses the exact network value, it grows linearly with the number of
// transforms where componentwise balls grow by √N per transform, and the fallback.
#include <bit>
#include <cmath>

#include "../l2_support.hpp"
#include "rigornet/linalg/transforms.hpp"
#include "rigornet/network/evaluate_l2.hpp"

using namespace rigornet;
using rigornet::test::dist2;
using rigornet::test::small_problem;

namespace {

// Whether ‖a − b‖₂ ≤ r for an exact b enclosed by 256-bit balls: an upper bound of
// Σ (a_i − b_i)² (ball arithmetic) is ≤ r² (exact).
bool within(const std::vector<double>& a, const std::vector<Ball>& b, double r) {
    const long prec = 256;
    Ball s(Rational(0), prec), d(Rational(0), prec);
    for (std::size_t i = 0; i < a.size(); ++i) {
        Ball ai(Rational::from_double(a[i]), prec);
        arb_sub(d.get(), ai.get(), b[i].get(), prec);
        arb_addmul(s.get(), d.get(), d.get(), prec);
    }
    arf_t ub;
    arf_init(ub);
    arb_get_ubound_arf(ub, s.get(), prec);
    const Rational rr = Rational::from_double(r);
    Ball r2(rr * rr, prec);
    const bool ok = arf_cmp(ub, arb_midref(r2.get())) <= 0;
    arf_clear(ub);
    return ok;
}

std::vector<std::vector<double>> test_vectors(std::size_t n, std::mt19937_64& g) {
    std::vector<std::vector<double>> v;
    v.push_back(std::vector<double>(n, 1.0));  // all ones: one large coefficient
    std::vector<double> alt(n), huge(n), tiny(n), mixed(n), rnd(n);
    for (std::size_t i = 0; i < n; ++i) {
        alt[i] = i % 2 ? -1.0 : 1.0;
        huge[i] = (i % 3 ? 1.0 : -1.0) * 0x1p960 * (1 + static_cast<double>(i % 7) / 8);
        tiny[i] = (i % 2 ? 3.0 : -5.0) * 0x1p-1070;  // subnormal
        mixed[i] = i % 2 ? 0x1p500 : 0x1p-1000;
    }
    v.push_back(alt);
    v.push_back(huge);
    v.push_back(tiny);
    v.push_back(mixed);
    for (int k = 0; k < rigornet::test::cases(4); ++k) {
        for (auto& x : rnd) x = rigornet::test::random_rational(g).to_double(Round::nearest);
        v.push_back(rnd);
    }
    return v;
}

void check_operator(const LinearOperator& op, std::mt19937_64& g, double rel_max) {
    const DoubleErrorBound b = op.double_error_bound();
    REQUIRE(b.claims());
    CHECK(b.rel <= rel_max);  // tightness: no √N growth
    for (int adj = 0; adj < 2; ++adj)
        for (const auto& x : test_vectors(adj ? op.rows() : op.cols(), g)) {
            std::vector<double> out(adj ? op.cols() : op.rows());
            std::vector<Ball> xb, ob(out.size());
            for (double v : x) xb.emplace_back(Rational::from_double(v), 256);
            const BallArith ar{256, false};
            if (adj) {
                op.adjoint(DoubleArith{}, x, out);
                op.adjoint(ar, std::span<const Ball>(xb), std::span<Ball>(ob));
            } else {
                op.apply(DoubleArith{}, x, out);
                op.apply(ar, std::span<const Ball>(xb), std::span<Ball>(ob));
            }
            const double nx = norm2_upper(x);
            const double bound = b.rel * nx * (1 + 0x1p-50) + b.abs;
            INFO(op.kind() << (adj ? " adjoint" : " apply") << ", |x| = " << nx << ", bound " << bound);
            CHECK(within(out, ob, bound));
        }
}

SolverParams shallow(const std::vector<Rational>& y) {
    SolverParams p;
    p.restarts = 1;
    p.inner = 2;
    p.lambda = Rational(1, 1000);
    Rational ny;
    for (const auto& v : y) ny += v * v;
    p.eps0 = Rational::from_double(std::sqrt(ny.to_double(Round::up)) + 1);
    return p;
}

}  // namespace

TEST_CASE("norm2_upper bounds the exact norm, tightly, at every scale", "[l2ball]") {
    auto g = rigornet::test::rng(71);
    for (std::size_t n : {std::size_t(1), std::size_t(5), std::size_t(1000)})
        for (const auto& x : test_vectors(n, g)) {
            Rational s;
            for (double v : x) s += Rational::from_double(v) * Rational::from_double(v);
            const Rational b = Rational::from_double(norm2_upper(x));
            CHECK(s <= b * b);
            // b ≤ (1 + (n + 8)·2^-52)(√s + √n·η') (η' = 2^-1070 ≥ the underflow unit), squared
            // with 2√s√nη' ≤ 2b√nη': at most (n + 8)u relative above, plus the underflow terms
            const Rational c = Rational::from_double(1 + (static_cast<double>(n) + 8) * 0x1p-52);
            const Rational sn = Rational::from_double(std::sqrt(static_cast<double>(n)) + 1), et = Rational::from_double(0x1p-1070);
            CHECK(b * b <= c * c * (s + Rational(2) * b * sn * et + Rational(static_cast<long>(n)) * et * et));
        }
    CHECK(norm2_upper(std::vector<double>{1.0, std::nan("")}) == DoubleErrorBound::inf);
    CHECK(norm2_upper(std::vector<double>{0.0, -0.0}) == 0.0);
}

TEST_CASE("Walsh and Haar double error bounds hold against 256-bit ball transforms", "[l2ball]") {
    auto g = rigornet::test::rng(71);
    const double u = 0x1p-53;
    // rel ≤ (L + 3)u·(1 + tiny): linear in the number of stages L = log2 N
    check_operator(WalshHadamard(Shape({8, 8}), WalshOrder::sequency), g, 9.01 * u);
    check_operator(WalshHadamard(Shape({2, 4}), WalshOrder::natural), g, 6.01 * u);  // odd L: irrational scaling
    check_operator(WalshHadamard(Shape({4, 4, 2}), WalshOrder::sequency), g, 8.01 * u);
    check_operator(Haar(Shape({8, 8}), 3), g, 3 * 3.01 * u);
    check_operator(Haar(Shape({4, 4, 4}), 2), g, 2 * 6.01 * u);  // odd d
    check_operator(Subsample(16, {3, 0, 9}), g, 0);
}

TEST_CASE("Composed and block operator bounds hold", "[l2ball]") {
    auto g = rigornet::test::rng(72);
    auto p = small_problem(8, Modality::walsh, 5);
    check_operator(*p.setup.problem.A, g, 1e-14);  // P_Ω U W⁻¹
    const OperatorPtr A = p.setup.problem.A;
    const std::size_t N = A->cols(), M = A->rows();
    BlockOperator blk(2 * N + M, N + M,
                      {Block{{0, N}, {{0, Rational(1)}}, nullptr, N},
                       Block{{2 * N}, {{0, Rational(-3, 7)}}, A, 0},
                       Block{{0}, {{N, Rational(5, 3)}}, std::make_shared<AdjointView>(A), 0}});
    check_operator(blk, g, 1e-13);
    check_operator(DenseMatrix(2, 3, {Rational(1, 3), Rational(-2), Rational(0), Rational(7, 5), Rational(1), Rational(1, 10)}),
                   g, 1e-14);
    CHECK_FALSE(FourierSampling(Shape({4, 4}), {0, 5}).double_error_bound().claims());
}

TEST_CASE("evaluate_l2 encloses the exact FIRENET value (8x8 Walsh, Haar)", "[l2ball]") {
    for (unsigned salt : {1u, 2u}) {
        auto p = small_problem(8, Modality::walsh, salt);
        const Network net = build_unrolled(p.setup.problem, shallow(p.y));
        const L2Evaluation r = evaluate_l2(net, p.y);
        INFO("salt " << salt << ": " << r.reason);
        REQUIRE(r.radius < 1e-6);  // finite and useful
        CHECK(r.radii.size() == net.layers().size() + 1);
        // the midpoints are exactly DoubleArith's
        std::vector<double> yd;
        for (const auto& v : p.y) yd.push_back(v.to_double(Round::nearest));
        CHECK(r.mid == evaluate(net, DoubleArith{}, std::span<const double>(yd)));
        const std::vector<Rational> exact = evaluate_rational(net, ExactArith{}, p.y);
        const Rational rr = Rational::from_double(r.radius);
        CHECK(dist2(r.mid, exact) <= rr * rr);
    }
}

TEST_CASE("evaluate_l2 encloses the exact value of random networks", "[l2ball]") {
    auto g = rigornet::test::rng(73);
    int finite = 0;
    for (int k = 0; k < rigornet::test::cases(40); ++k) {
        const std::size_t n = 1 + g() % 4;
        const Network net = rigornet::test::random_network(g, n, 1 + static_cast<int>(g() % 4));
        const std::vector<Rational> y = rigornet::test::random_vector(g, n, 10);
        std::vector<Rational> exact;
        try {
            exact = evaluate_rational(net, ExactArith{}, y);
        } catch (const DomainError&) {
            continue;  // the exact network is undefined there: nothing to enclose
        } catch (const ResourceError&) {
            continue;
        }
        const L2Evaluation r = evaluate_l2(net, y);
        if (!(r.radius < DoubleErrorBound::inf)) {
            CHECK_FALSE(r.reason.empty());
            continue;
        }
        ++finite;
        const Rational rr = Rational::from_double(r.radius);
        INFO("case " << k);
        CHECK(dist2(r.mid, exact) <= rr * rr);
    }
    CHECK(finite >= 5);
}

TEST_CASE("l2 radius grows linearly through Walsh transforms, componentwise balls by sqrt(N) each", "[l2ball]") {
    auto g = rigornet::test::rng(74);
    const Shape shape({8, 8});
    auto U = std::make_shared<WalshHadamard>(shape, WalshOrder::sequency);
    std::vector<Rational> y;
    std::uniform_real_distribution<double> unit(-1.0, 1.0);  // full 53-bit mantissas: sums round
    for (int i = 0; i < 64; ++i) y.push_back(Rational::from_double(unit(g)));
    double ny = 0;
    for (const auto& v : y) ny += v.to_double(Round::nearest) * v.to_double(Round::nearest);
    ny = std::sqrt(ny);
    Network net(64);
    double last = 0;
    for (int depth = 1; depth <= 8; ++depth) {
        net.add_affine(U, nullptr, std::vector<Rational>(64));
        const L2Evaluation r = evaluate_l2(net, y);
        // O(depth): each transform adds at most (L + 3)u‖x‖ plus the additions' 3u‖x‖ (L = 6)
        CHECK(r.radius <= depth * 12.1 * 0x1p-53 * ny * 1.01);
        CHECK(r.radius >= last);
        last = r.radius;
        const std::vector<Rational> exact = evaluate_rational(net, ExactArith{}, y);
        const Rational rr = Rational::from_double(r.radius);
        CHECK(dist2(r.mid, exact) <= rr * rr);
    }
    const std::vector<Ball> balls = evaluate_rational(net, BallArith{53, false}, y);
    const double ball = BallArith{}.summarise(balls).max_radius;
    INFO("ball radius " << ball << ", l2 radius " << last);
    CHECK(ball >= 100 * last);  // componentwise: about √N = 8 times per transform
}

TEST_CASE("evaluate_l2 falls back where no bound is proved, and says where", "[l2ball]") {
    auto p = small_problem(8, Modality::fourier, 3);
    const Network net = build_unrolled(p.setup.problem, shallow(p.y));
    const L2Evaluation r = evaluate_l2(net, p.y);
    CHECK_FALSE(r.radius < DoubleErrorBound::inf);
    CHECK(r.failed_layer >= 1);
    CHECK(r.reason.find("fourier") != std::string::npos);
    CHECK(r.mid.size() == net.output_dim());
    // sqrt_θ at 0 has no local Lipschitz bound
    Network s(1);
    s.add_elementwise(Scalar::sqrt_theta, std::nullopt, Rational(1, 1024));
    const L2Evaluation z = evaluate_l2(s, {Rational(0)});
    CHECK(z.failed_layer == 1);
    CHECK(z.reason.find("sqrt_theta") != std::string::npos);
    CHECK_THROWS_AS(evaluate_l2(s, {Rational(0), Rational(1)}), ShapeError);
}

TEST_CASE("reconstruct --arith ball: the l2 fast path where it certifies 2^-30, else Arb balls", "[l2ball]") {
    const std::string base = "reconstruct --phantom 16 --modality walsh --rate 0.5 --lambda 1/100 --json ";
    const auto fast = rigornet::test::run_json(base + "--solver ista --inner 2 --arith ball");
    CHECK(fast["arith_used"] == "l2");
    const double rho = std::stod(fast["l2_radius"].get<std::string>());
    CHECK(rho > 0);
    CHECK(rho < std::ldexp(1.0, -30));
    // the same network in balls: its enclosure of the relative error overlaps the l2 one
    const auto balls = rigornet::test::run_json(base + "--solver ista --inner 2 --arith ball:256");
    CHECK(balls["arith_used"] == "ball:256");
    CHECK(rigornet::test::enclosures_overlap(fast["relative_error_enclosure"], balls["relative_error_enclosure"]));
    CHECK(fast["l2_method"] == "layers");
    // FFTW's DFT proves no double bound: the l2 path falls back and says why
    const auto fourier = rigornet::test::run_json(
        "reconstruct --phantom 16 --modality fourier --rate 0.5 --restarts 2 --inner 5 --arith ball --json");
    CHECK(fourier["arith_used"] != "l2");
    CHECK(fourier["l2_fallback"].get<std::string>().find("fourier") != std::string::npos);
}
