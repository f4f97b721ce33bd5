// Stability test: the ascent on linear networks (where Q is a known quadratic), the
// radius constraint checked exactly, and certified re-evaluation against exact rationals.
#include <cmath>
#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

#include "../support.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/analysis/stability.hpp"
#include "rigornet/cs/cs_problem.hpp"
#include "rigornet/imaging/image.hpp"

using namespace rigornet;
using rigornet::test::cases;

namespace {

std::vector<double> random_doubles(std::mt19937_64& g, std::size_t n) {
    std::uniform_real_distribution<double> u(-1, 1);
    std::vector<double> v(n);
    for (double& x : v) x = u(g);
    return v;
}

std::vector<Rational> exact(std::span<const double> v) {
    std::vector<Rational> q;
    for (double x : v) q.push_back(Rational::from_double(x));
    return q;
}

Rational sum_of_squares(const std::vector<Rational>& v) {
    Rational s;
    for (const Rational& x : v) s += x * x;
    return s;
}

/// Whether the ball b is proved to contain √s (s ≥ 0): its bounds bracket √s, checked by
/// squaring exact rationals.
bool encloses_sqrt(const Ball& b, const Rational& s) {
    if (!b.is_finite()) return false;
    const Rational lo = b.lower(), hi = b.upper();
    return hi.sign() >= 0 && hi * hi >= s && (lo.sign() <= 0 || lo * lo <= s);
}

StabilityOptions ascent(double lambda, double step, double momentum, int iterations) {
    StabilityOptions o;
    o.lambda = lambda;
    o.step = step;
    o.momentum = momentum;
    o.iterations = iterations;
    return o;
}

/// φ(y) = 2y on R^m and A = [I_N; 0] (m × N): Q(r) = ½‖2y + 2Ar − x‖² − (λ/2)‖r‖², whose
/// Hessian is (4 − λ)·I because AᵀA = I.
struct LinearProblem {
    std::size_t m = 5, n = 3;
    Network phi{5};
    std::shared_ptr<SparseMatrix> A;
    std::vector<double> y, x;
    explicit LinearProblem(std::mt19937_64& g) {
        std::vector<SparseEntry> twice, select;
        for (std::size_t i = 0; i < m; ++i) twice.push_back({i, i, Rational(2)});
        for (std::size_t i = 0; i < n; ++i) select.push_back({i, i, Rational(1)});
        phi.add_affine(std::make_shared<SparseMatrix>(m, m, twice), nullptr, std::vector<Rational>(m));
        A = std::make_shared<SparseMatrix>(m, n, select);
        y = random_doubles(g, m);
        x = random_doubles(g, m);
    }
};

}  // namespace

// For convex Q (λ ≤ 4 here) heavy-ball ascent never decreases Q, for any step: with
// v_{k+1} = r_{k+1} − r_k, convexity gives Q(r_{k+1}) − Q(r_k) ≥ ⟨∇Q(r_k), v_{k+1}⟩, and
// ⟨∇Q(r_k), v_{k+1}⟩ = μ⟨∇Q(r_k), v_k⟩ + s‖∇Q(r_k)‖² ≥ μ⟨∇Q(r_{k−1}), v_k⟩ ≥ … ≥ 0, using
// the monotonicity ⟨∇Q(r_k) − ∇Q(r_{k−1}), v_k⟩ ≥ 0 of a convex function's gradient.
TEST_CASE("ascent on a convex Q increases it monotonically; certified change contains 2‖r‖", "[stability]") {
    auto g = test::rng(90);
    for (int trial = 0; trial < cases(4); ++trial) {
        LinearProblem p(g);
        StabilityOptions opt = ascent(trial % 2 ? 1.0 : 0.0, 0.01, 0.9, 60);
        opt.seed = static_cast<std::uint64_t>(trial);
        const StabilitySearch s = stability_search(p.phi, *p.A, p.y, p.x, opt);
        REQUIRE(s.objective.size() == 61);
        for (std::size_t k = 0; k + 1 < s.objective.size(); ++k) {
            INFO("trial " << trial << " iteration " << k);
            CHECK(s.objective[k + 1] > s.objective[k]);
        }
        CHECK(s.best_iteration == 60);
        CHECK(s.change == Approx(2 * s.r_norm).epsilon(1e-12));

        const CertifiedPerturbation c = certify_perturbation(p.phi, *p.A, exact(p.y), s.r, BallArith{128, false});
        const Rational rr = sum_of_squares(c.r);
        CHECK(c.r == exact(s.r));
        // φ(y + Ar) − φ(y) = 2Ar exactly, so the certified change must contain 2‖r‖.
        CHECK(encloses_sqrt(c.r_norm, rr));
        CHECK(encloses_sqrt(c.change, Rational(4) * rr));
        CHECK(c.change.radius() < Rational(1, 1L << 50) * Rational(1, 1L << 50));
        const double mid = arf_get_d(arb_midref(c.change.get()), ARF_RND_NEAR);
        CHECK(s.change == Approx(mid).epsilon(1e-12));  // the double search agrees with the ball
    }
}

TEST_CASE("ascent on a concave Q converges to its known maximiser", "[stability]") {
    // λ = 8: ∇Q(r) = 2Aᵀ(2y − x) − 4r vanishes at r* = Aᵀ(2y − x)/2. Heavy ball with step
    // 0.05 and μ = ½ contracts like the roots of z² − 1.3z + ½ (modulus √½) per step.
    auto g = test::rng(91);
    LinearProblem p(g);
    const StabilityOptions opt = ascent(8.0, 0.05, 0.5, 200);
    const StabilitySearch s = stability_search(p.phi, *p.A, p.y, p.x, opt);
    double q_star = 0.0;
    for (std::size_t i = 0; i < p.m; ++i) {
        const double r_star = i < p.n ? (2 * p.y[i] - p.x[i]) / 2 : 0.0;
        const double res = 2 * (p.y[i] + r_star) - p.x[i];
        q_star += 0.5 * res * res - 4.0 * r_star * r_star;
        if (i < p.n) CHECK(s.r[i] == Approx(r_star).margin(1e-6));
    }
    CHECK(s.objective.back() == Approx(q_star).epsilon(1e-12));
    for (double q : s.objective) CHECK(q <= q_star + 1e-12 * std::abs(q_star));
}

TEST_CASE("with a radius the returned perturbation lies in the ball, proved exactly", "[stability]") {
    auto g = test::rng(92);
    for (int trial = 0; trial < cases(4); ++trial) {
        LinearProblem p(g);
        StabilityOptions opt = ascent(0.0, 0.05, 0.9, 80);
        opt.radius = trial % 2 ? 0.25 : 1e-3;
        opt.initial_scale = 1.0;  // the start is projected too
        opt.seed = 7 + static_cast<std::uint64_t>(trial);
        const StabilitySearch s = stability_search(p.phi, *p.A, p.y, p.x, opt);
        const CertifiedPerturbation c = certify_perturbation(p.phi, *p.A, exact(p.y), s.r, BallArith{128, false});
        const Rational rho = Rational::from_double(*opt.radius);
        INFO("trial " << trial << " radius " << *opt.radius);
        CHECK(sum_of_squares(c.r) <= rho * rho);
        CHECK(c.r_norm.lower() <= rho);
        // Q is convex here, so the ascent ends on the sphere (tightness).
        CHECK(s.r_norm >= 0.999 * *opt.radius);
    }
}

TEST_CASE("certified re-evaluation contains the exact value on ReLU and random networks", "[stability]") {
    auto g = test::rng(93);
    const BallArith ar{128, false};
    int checked = 0;
    for (int trial = 0; trial < cases(30); ++trial) {
        Network phi(3);
        if (trial == 0) {  // a tiny ReLU network with input re-injection
            phi.add_affine(std::make_shared<DenseMatrix>(4, 3, test::random_vector(g, 12, 6)), nullptr,
                           test::random_vector(g, 4, 6));
            phi.add_elementwise(Scalar::relu);
            phi.add_affine(std::make_shared<DenseMatrix>(2, 4, test::random_vector(g, 8, 6)),
                           std::make_shared<DenseMatrix>(2, 3, test::random_vector(g, 6, 6)), test::random_vector(g, 2, 6));
        } else {
            phi = test::random_network(g, 1 + g() % 3, 1 + static_cast<int>(g() % 3));
        }
        const std::size_t m = phi.input_dim(), n = 1 + g() % 4;
        std::vector<Rational> entries;
        for (std::size_t k = 0; k < m * n; ++k) entries.push_back(Rational::from_double(random_doubles(g, 1)[0]));
        const DenseMatrix A(m, n, entries);
        const std::vector<double> y = random_doubles(g, m), x = random_doubles(g, phi.output_dim());
        const StabilityOptions opt = ascent(0.1, 1e-3, 0.9, trial == 0 ? 30 : 5);
        const StabilitySearch s = stability_search(phi, A, y, x, opt);
        const std::vector<Rational> yq = exact(y);
        const CertifiedPerturbation c = certify_perturbation(phi, A, yq, s.r, ar);

        std::vector<Rational> u(m);
        A.apply(ExactArith{}, c.r, u);
        for (std::size_t i = 0; i < m; ++i) u[i] += yq[i];
        std::vector<Rational> moved, base;
        try {
            moved = evaluate(phi, ExactArith{}, std::span<const Rational>(u));
            base = evaluate(phi, ExactArith{}, std::span<const Rational>(yq));
        } catch (const DomainError&) {
            continue;  // undefined exactly (a gate dividing by 0): nothing to enclose
        }
        Rational s2;
        for (std::size_t i = 0; i < moved.size(); ++i) s2 += (moved[i] - base[i]) * (moved[i] - base[i]);
        INFO("trial " << trial << ": |phi(y+Ar) - phi(y)|^2 = " << s2.str() << ", ball " << c.change.str());
        CHECK(encloses_sqrt(c.change, s2));
        CHECK(encloses_sqrt(c.r_norm, sum_of_squares(c.r)));
        ++checked;
    }
    CHECK(checked >= cases(30) / 2);
}

TEST_CASE("stability search: reproducible, validated, progress every tenth", "[stability]") {
    auto g = test::rng(94);
    LinearProblem p(g);
    StabilityOptions opt = ascent(0.0, 0.01, 0.9, 50);
    opt.seed = 3;
    const StabilitySearch a = stability_search(p.phi, *p.A, p.y, p.x, opt), b = stability_search(p.phi, *p.A, p.y, p.x, opt);
    CHECK(a.r == b.r);
    opt.seed = 4;
    CHECK(stability_search(p.phi, *p.A, p.y, p.x, opt).r != a.r);

    // Progress: iterations 0, 5, …, 50 → 11 lines on standard error.
    opt.verbose = true;
    char name[] = "/tmp/rigornet-stability-XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    std::fflush(stderr);
    const int saved = dup(2);
    dup2(fd, 2);
    stability_search(p.phi, *p.A, p.y, p.x, opt);
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    std::string log;
    if (FILE* f = std::fopen(name, "r")) {
        char buf[4096];
        std::size_t k;
        while ((k = std::fread(buf, 1, sizeof buf, f)) > 0) log.append(buf, k);
        std::fclose(f);
    }
    std::remove(name);
    std::size_t lines = 0;
    for (std::size_t pos = 0; (pos = log.find("stability: iteration", pos)) != std::string::npos; ++pos) ++lines;
    CHECK(lines == 11);
    CHECK(log.find("iteration 50/50") != std::string::npos);

    opt.verbose = false;
    auto bad = [&](auto change) {
        StabilityOptions o = opt;
        change(o);
        return o;
    };
    CHECK_THROWS_AS(stability_search(p.phi, *p.A, p.y, p.x, bad([](auto& o) { o.lambda = -1; })), DomainError);
    CHECK_THROWS_AS(stability_search(p.phi, *p.A, p.y, p.x, bad([](auto& o) { o.momentum = 1; })), DomainError);
    CHECK_THROWS_AS(stability_search(p.phi, *p.A, p.y, p.x, bad([](auto& o) { o.step = 0; })), DomainError);
    CHECK_THROWS_AS(stability_search(p.phi, *p.A, p.y, p.x, bad([](auto& o) { o.radius = -2; })), DomainError);
    CHECK_THROWS_AS(stability_search(p.phi, *p.A, p.y, std::vector<double>(4), opt), ShapeError);
    CHECK_THROWS_AS(stability_search(p.phi, *p.A, std::vector<double>(4), p.x, opt), ShapeError);
    const SparseMatrix wrong(4, 3, std::vector<SparseEntry>{});
    CHECK_THROWS_AS(stability_search(p.phi, wrong, p.x, p.x, opt), ShapeError);
    CHECK_THROWS_AS(certify_perturbation(p.phi, *p.A, exact(p.y), std::vector<double>{1, NAN, 0}, BallArith{}), DomainError);
    CHECK_THROWS_AS(certify_perturbation(p.phi, *p.A, exact(p.y), std::vector<double>{1, 0}, BallArith{}), ShapeError);
}

TEST_CASE("adaptive certification raises the precision until the enclosure is accurate", "[stability]") {
    // 60 rotations–reflections M = [[3/5, 4/5], [4/5, −3/5]] (MᵀM = I, so φ is an isometry
    // and ‖φ(y + r) − φ(y)‖ = ‖r‖ exactly). Ball radii grow by ‖|M|‖₂ = 7/5 per layer,
    // 2^29 in all (and the difference cancels a few more bits), so 53 bits leave fewer
    // than 40 correct bits of the change and 106 bits more.
    Network phi(2);
    const auto M = std::make_shared<DenseMatrix>(2, 2, std::vector<Rational>{Rational(3, 5), Rational(4, 5), Rational(4, 5), Rational(-3, 5)});
    for (int k = 0; k < 60; ++k) phi.add_affine(M, nullptr, {Rational(0), Rational(0)});
    const SparseMatrix I(2, 2, {{0, 0, Rational(1)}, {1, 1, Rational(1)}});
    const std::vector<Rational> y{Rational(1, 3), Rational(-2, 7)};
    const std::vector<double> r{0.125, -0.0625};
    const Rational rr = Rational(5, 256);  // ‖r‖² = 1/64 + 1/256

    const CertifiedPerturbation fixed = certify_perturbation(phi, I, y, r, BallArith{53, false});
    CHECK(arb_rel_accuracy_bits(fixed.change.get()) < 40);
    const CertifiedPerturbation c = certify_perturbation_adaptive(phi, I, y, r, BallArith{53, false}, 1024, 40);
    CHECK(c.prec == 106);
    CHECK(arb_rel_accuracy_bits(c.change.get()) >= 40);
    CHECK(encloses_sqrt(c.change, rr));
    CHECK(encloses_sqrt(fixed.change, rr));
    // Capped below what is needed (the loop stops after the first precision ≥ the cap):
    // the best attempt is returned, still an enclosure.
    const CertifiedPerturbation capped = certify_perturbation_adaptive(phi, I, y, r, BallArith{53, false}, 53, 40);
    CHECK(capped.prec == 53);
    CHECK(encloses_sqrt(capped.change, rr));
}

TEST_CASE("Nesterov ascent: the look-ahead points of the textbook recursion", "[stability]") {
    // On the linear problem ∇Q(r) = 2Aᵀ(2(y + Ar) − x) − λr in closed form; the textbook
    // Nesterov recursion v ← μv + s∇Q(θ + μv), θ ← θ + v is run here independently, and
    // the search's k-th iterate must be its look-ahead point θ_k + μv_k (Q there matches).
    auto g = test::rng(93);
    LinearProblem p(g);
    StabilityOptions opt = ascent(1.0, 0.02, 0.8, 25);
    opt.nesterov = true;
    opt.initial_scale = 0.1;
    const StabilitySearch s = stability_search(p.phi, *p.A, p.y, p.x, opt);
    StabilityOptions zero = opt;
    zero.iterations = 0;
    std::vector<double> theta = stability_search(p.phi, *p.A, p.y, p.x, zero).r, v(p.n, 0.0);  // r_0
    auto q = [&](const std::vector<double>& r) {
        double misfit = 0.0, rr = 0.0;
        for (std::size_t i = 0; i < p.m; ++i) {
            const double d = 2 * (p.y[i] + (i < p.n ? r[i] : 0.0)) - p.x[i];
            misfit += d * d;
        }
        for (double t : r) rr += t * t;
        return 0.5 * misfit - 0.5 * opt.lambda * rr;
    };
    for (int k = 0; k <= opt.iterations; ++k) {
        std::vector<double> look(p.n);
        for (std::size_t i = 0; i < p.n; ++i) look[i] = theta[i] + opt.momentum * v[i];
        INFO("iteration " << k);
        CHECK(s.objective[static_cast<std::size_t>(k)] == Approx(q(look)).epsilon(1e-10));
        for (std::size_t i = 0; i < p.n; ++i) {
            const double grad = 2 * (2 * (p.y[i] + look[i]) - p.x[i]) - opt.lambda * look[i];
            v[i] = opt.momentum * v[i] + opt.step * grad;
            theta[i] += v[i];
        }
    }
    // and it is not the heavy ball's sequence
    StabilityOptions heavy = opt;
    heavy.nesterov = false;
    CHECK(stability_search(p.phi, *p.A, p.y, p.x, heavy).objective.back() != Approx(s.objective.back()).epsilon(1e-6));
}

TEST_CASE("certify_perturbation_l2 encloses the exact change of a FIRENET, and falls back without an exact A",
          "[stability]") {
    for (Modality m : {Modality::walsh, Modality::fourier}) {
        const Shape shape({8, 8});
        const auto s = image_sparsities(shape, 3, shepp_logan(8).pixels);
        const CsSetup st = make_setup(shape, m, 3, sample_pattern(shape, m, s, 0.5, 2), s, true, Rational(1, 1 << 20));
        const std::vector<double> x = shepp_logan(8).pixels;
        std::vector<double> yd(st.measure->rows());
        st.measure->apply(DoubleArith{}, x, yd);
        const std::vector<Rational> y = exact(yd);
        SolverParams sp;
        sp.restarts = 2;
        sp.inner = 3;
        sp.lambda = Rational(1, 100);
        sp.eps0 = Rational(20);
        const Network net = build_unrolled(st.problem, sp);
        auto g = rigornet::test::rng(91);
        std::vector<double> r = random_doubles(g, x.size());
        for (double& v : r) v /= 16;
        const auto c = certify_perturbation_l2(net, *primal_dual_layout(st.problem, sp), *st.measure, y, r, 30);
        if (m == Modality::fourier) {
            CHECK_FALSE(c);  // the DFT has no exact form (and no proved double bound)
            continue;
        }
        REQUIRE(c);
        CHECK(c->l2);
        CHECK(c->l2_radius > 0);
        // the exact change: both outputs of the exact network, the exact squared distance
        std::vector<Rational> moved(y.size());
        st.measure->apply(ExactArith{}, std::span<const Rational>(exact(r)), std::span<Rational>(moved));
        for (std::size_t i = 0; i < y.size(); ++i) moved[i] += y[i];
        const auto a = evaluate_rational(net, ExactArith{}, moved), b = evaluate_rational(net, ExactArith{}, y);
        Rational d2;
        for (std::size_t i = 0; i < a.size(); ++i) d2 += (a[i] - b[i]) * (a[i] - b[i]);
        CHECK(encloses_sqrt(c->change, d2));
        CHECK(arb_rel_accuracy_bits(c->change.get()) >= 30);
        CHECK(encloses_sqrt(c->r_norm, sum_of_squares(exact(r))));
    }
}
