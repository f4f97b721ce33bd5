// The Lipschitz engine: the ordering of the bounds, the dynamic programmes against the
// subset sums, exact constants against closed forms, witnesses against exact
// re-evaluation, spectral-norm enclosures against an independent estimate.
#include <algorithm>

#include "lipschitz_support.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/report/lipschitz_tables.hpp"
#include "rigornet/io/nnet_format.hpp"

using namespace rigornet;
using rigornet::test::cases;
using rigornet::test::random_relu_network;
using rigornet::test::rng;
using rigornet::test::small_rational;

namespace {

std::string describe(const ReluChain& c) {
    std::string s;
    for (std::size_t r = 0; r < c.weights.size(); ++r) {
        s += "W_" + std::to_string(r) + " = [";
        for (std::size_t i = 0; i < c.weights[r].rows(); ++i) {
            for (std::size_t j = 0; j < c.weights[r].cols(); ++j) s += c.weights[r].at(i, j).str() + " ";
            s += ";";
        }
        s += "] b = [";
        for (const Rational& b : c.biases[r]) s += b.str() + " ";
        s += "]\n";
    }
    return s;
}

const std::vector<LipNorm> exact_norms = {LipNorm::l1, LipNorm::linf};

}  // namespace

TEST_CASE("lipschitz: L <= K <= K_4 <= min(K_1, K_3) <= max(K_1, K_3) <= K_* on random networks", "[lipschitz]") {
    auto g = rng(401);
    for (int i = 0; i < cases(25); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        for (LipNorm p : exact_norms) {
            INFO(describe(c) << "p = " << lip_norm_name(p));
            const auto ex = exact_lipschitz(c, Domain{}, p, 64);
            REQUIRE(ex);
            REQUIRE(ex->value.exact());
            const Rational L = ex->value.upper, kstar = bound_product(c, p, 64), k1 = bound_k1_dp(c, p, 64),
                           k3 = bound_k3(c, p, 64), k4 = bound_k4_subsets(c, p, 64);
            const auto k = szegedy_k(c, p, 64);
            REQUIRE(k);
            CAPTURE(L.str(), k->upper.str(), k4.str(), k1.str(), k3.str(), kstar.str());
            CHECK(L <= k->upper);
            CHECK(k->upper <= k4);
            CHECK(k4 <= std::min(k1, k3));
            CHECK(std::max(k1, k3) <= kstar);
            // K_4′ (the dynamic programme) lies between K and K_4, and equals K_4 when the
            // norm is a sum over the single output row (p = ∞) or input column (p = 1).
            const Rational k4dp = bound_k4_dp(c, p, 64);
            CHECK(k->upper <= k4dp);
            CHECK(k4dp <= k4);
            if ((p == LipNorm::linf && c.output_dim() == 1) || (p == LipNorm::l1 && c.input_dim == 1)) CHECK(k4dp == k4);
        }
    }
}

TEST_CASE("lipschitz: K_1 by dynamic programme equals the subset sum exactly", "[lipschitz]") {
    auto g = rng(402);
    for (int i = 0; i < cases(20); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        for (LipNorm p : {LipNorm::l1, LipNorm::l2, LipNorm::linf}) {
            INFO(describe(c) << "p = " << lip_norm_name(p));
            CHECK(bound_k1_dp(c, p, 64) == bound_k1_subsets(c, p, 64));
        }
    }
    // A deep narrow chain (ℓ = 12, 4096 subsets) with exact rationals.
    Network net(1);
    for (int r = 0; r < 12; ++r) {
        std::vector<Rational> w(2 * net.widths().back());
        for (Rational& x : w) x = small_rational(g);  // each entry drawn (not a rank-one matrix)
        net.add_affine(std::make_shared<DenseMatrix>(2, net.widths().back(), std::move(w)), nullptr,
                       std::vector<Rational>(2));
        net.add_elementwise(Scalar::relu);
    }
    net.add_affine(std::make_shared<DenseMatrix>(1, 2, std::vector<Rational>{Rational(1), Rational(-3, 2)}), nullptr,
                   {Rational(0)});
    const ReluChain deep = extract_relu_chain(net);
    CHECK(bound_k1_dp(deep, LipNorm::linf, 64) == bound_k1_subsets(deep, LipNorm::linf, 64));
}

TEST_CASE("lipschitz: K_2 (SeqLip, certified) is at least K in l2, and equal to it for one hidden layer", "[lipschitz]") {
    auto g = rng(409);
    int certified = 0;
    for (int i = 0; i < cases(12); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        const auto k2 = bound_k2(c, 128);
        if (!k2) continue;  // a repeated singular value: not certified, never a wrong bound
        ++certified;
        const auto k = szegedy_k(c, LipNorm::l2, 128);
        REQUIRE(k);
        INFO(describe(c) << "K in [" << k->lower.str() << ", " << k->upper.str() << "], K_2 <= " << k2->str());
        CHECK(k->lower <= *k2);
        // One hidden layer, scalar input and output: max_D ||W_1 D W_0|| is K itself.
        if (c.depth() == 1 && c.input_dim == 1 && c.output_dim() == 1)
            CHECK(*k2 - k->upper < Rational(1, 1L << 30) * (Rational(1) + k->upper));
    }
    CHECK(certified > 0);
}

TEST_CASE("lipschitz: K_2 without a hidden layer is ||W_0||_2, even with a repeated singular value", "[lipschitz]") {
    // diag(1, 1, 2): its Gram matrix has the repeated eigenvalue 1 (SVD factors not
    // certified), but no factor is needed when there is no hidden layer.
    Network net(3);
    std::vector<Rational> w(9);
    w[0] = w[4] = Rational(1);
    w[8] = Rational(2);
    net.add_affine(std::make_shared<DenseMatrix>(3, 3, w), nullptr, std::vector<Rational>(3));
    const ReluChain c = extract_relu_chain(net);
    REQUIRE(c.depth() == 0);
    const auto k2 = bound_k2(c, 128);
    REQUIRE(k2);
    CHECK(Rational(2) <= *k2);
    CHECK(*k2 - Rational(2) < Rational(1, 1L << 30));
}

TEST_CASE("lipschitz: the meet-in-the-middle K equals brute force over all patterns", "[lipschitz]") {
    auto g = rng(403);
    for (int i = 0; i < cases(20); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        for (LipNorm p : exact_norms) {
            INFO(describe(c) << "p = " << lip_norm_name(p));
            Rational brute;
            const std::size_t units = c.hidden_units();
            for (unsigned long mask = 0; mask < (1UL << units); ++mask) {
                std::vector<std::vector<bool>> pattern;
                std::size_t k = 0;
                for (std::size_t r = 0; r < c.depth(); ++r) {
                    pattern.emplace_back(c.weights[r].rows());
                    for (std::size_t u = 0; u < pattern.back().size(); ++u) pattern.back()[u] = mask >> k++ & 1UL;
                }
                brute = std::max(brute, operator_norm(c.jacobian(pattern), p, 64).upper);
            }
            CHECK(szegedy_k(c, p, 64)->upper == brute);
        }
    }
}

TEST_CASE("lipschitz: exact L of the Takagi networks is 2 - 2^-l, attained by the witness pair", "[lipschitz]") {
    const Domain unit{{Rational(0)}, {Rational(1)}};
    Rational step(1);
    for (std::size_t l = 1; l <= 6; ++l) {
        step /= Rational(2);
        const ReluChain c = extract_relu_chain(takagi_network(l));
        const auto ex = exact_lipschitz(c, unit, LipNorm::linf, 64);
        REQUIRE(ex);
        INFO("l = " << l << ", L = " << ex->value.upper.str());
        CHECK(ex->value.lower == Rational(2) - step);
        CHECK(ex->value.upper == Rational(2) - step);
        // The witness: two points of [0,1] whose exact difference quotient is L.
        CHECK(pair_quotient_lower(c, ex->witness.a, ex->witness.b, LipNorm::linf, 64) == Rational(2) - step);
        for (const auto* x : {&ex->witness.a, &ex->witness.b}) CHECK((Rational(0) <= (*x)[0] && (*x)[0] <= Rational(1)));
        // The network computes x - Σ g_r(x)/4^r: at dyadic points of the grid 2^-l it is x².
        for (long k = 0; k <= (1L << l); ++k) {
            const Rational x = Rational(k) * step;
            CHECK(c.evaluate({x})[0] == x * x);
        }
        // Closed forms of the representation (takagi_network): K_* = 2·4^(l−1) + 1, K_3 = l + 1.
        Rational four_pow(1);
        for (std::size_t r = 1; r < l; ++r) four_pow *= Rational(4);
        CHECK(bound_product(c, LipNorm::linf, 64) == Rational(2) * four_pow + Rational(1));
        CHECK(bound_k3(c, LipNorm::linf, 64) == Rational(static_cast<long>(l) + 1));
        CHECK(bound_k4_subsets(c, LipNorm::linf, 64) == Rational(2) - step);  // K_4 is exact here (seed 001)
    }
    std::vector<std::string> failures;
    takagi_table(6, &failures);
    for (const auto& f : failures) FAIL_CHECK(f);
}

TEST_CASE("lipschitz: lower bounds are attained by their witnesses and never exceed L", "[lipschitz]") {
    auto g = rng(404);
    for (int i = 0; i < cases(15); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        for (LipNorm p : {LipNorm::l1, LipNorm::l2, LipNorm::linf}) {
            INFO(describe(c) << "p = " << lip_norm_name(p));
            auto sg = rng(405 + i);
            const PairWitness w = sampled_lower_bound(c, Domain{}, p, 64, 10, sg);
            CHECK(pair_quotient_lower(c, w.a, w.b, p, 64) == w.value);
            const auto ex = exact_lipschitz(c, Domain{}, p, 64);
            REQUIRE(ex);
            CHECK(w.value <= ex->value.upper);
            if (p != LipNorm::l2) {
                // The exact constant's witness attains it.
                REQUIRE(!ex->witness.a.empty());
                CHECK(pair_quotient_lower(c, ex->witness.a, ex->witness.b, p, 64) == ex->value.upper);
            } else {
                CHECK(ex->value.lower <= ex->value.upper);
                CHECK(ex->witness.value <= ex->value.upper);
            }
        }
    }
}

TEST_CASE("lipschitz: on a box, L is at most L on R^n and the witness stays in the box", "[lipschitz]") {
    auto g = rng(406);
    for (int i = 0; i < cases(10); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        Domain box;
        for (std::size_t j = 0; j < c.input_dim; ++j) {
            box.lo.push_back(Rational(-1, 2));
            box.hi.push_back(Rational(1, 3));
        }
        const auto on_box = exact_lipschitz(c, box, LipNorm::linf, 64), on_r = exact_lipschitz(c, Domain{}, LipNorm::linf, 64);
        REQUIRE(on_box);
        REQUIRE(on_r);
        INFO(describe(c));
        CHECK(on_box->value.upper <= on_r->value.upper);
        REQUIRE(!on_box->witness.a.empty());
        REQUIRE(on_box->witness.a.size() == c.input_dim);
        REQUIRE(on_box->witness.b.size() == c.input_dim);
        for (const auto* x : {&on_box->witness.a, &on_box->witness.b})
            for (std::size_t j = 0; j < x->size(); ++j) CHECK((box.lo[j] <= (*x)[j] && (*x)[j] <= box.hi[j]));
    }
}

TEST_CASE("lipschitz: spectral norm enclosures contain an independent estimate and are tight", "[lipschitz]") {
    auto g = rng(407);
    const long prec = 128;
    for (int i = 0; i < cases(20); ++i) {
        std::uniform_int_distribution<std::size_t> dim(1, 5);
        RationalMatrix a(dim(g), dim(g));
        for (std::size_t r = 0; r < a.rows(); ++r)
            for (std::size_t s = 0; s < a.cols(); ++s) a.set(r, s, small_rational(g));
        const Ball n2 = norm_2(a, prec);
        INFO("rows " << a.rows() << " cols " << a.cols() << " enclosure " << n2.str());
        // Independent estimate: 300 power iterations on AᵀA in 256-bit balls; the Rayleigh
        // quotient vᵀAᵀAv / vᵀv ≤ λ_max for every v, so its lower end must be ≤ the square
        // of the enclosure's upper end, and (tightness) close to it.
        const std::size_t n = a.cols();
        std::vector<Ball> v(n, Ball(Rational(1), 256)), w(a.rows()), u(n);
        BallArith ar{256};
        Ball num, den, t;
        for (int it = 0; it < 300; ++it) {
            for (std::size_t r = 0; r < a.rows(); ++r) {
                ar.zero(w[r]);
                for (std::size_t s = 0; s < n; ++s) ar.addmul(w[r], Ball(a.at(r, s), 256), v[s]);
            }
            for (std::size_t s = 0; s < n; ++s) {
                ar.zero(u[s]);
                for (std::size_t r = 0; r < a.rows(); ++r) ar.addmul(u[s], Ball(a.at(r, s), 256), w[r]);
            }
            ar.zero(num);
            ar.zero(den);
            for (std::size_t s = 0; s < n; ++s) {
                ar.addmul(num, v[s], u[s]);
                ar.addmul(den, v[s], v[s]);
            }
            Ball scale;
            ar.zero(scale);
            for (std::size_t s = 0; s < n; ++s) ar.addmul(scale, u[s], u[s]);
            arb_sqrt(scale.get(), scale.get(), 256);
            if (arb_is_zero(scale.get())) break;
            // Any v gives a valid Rayleigh quotient: keep exact midpoints (no radius growth).
            for (std::size_t s = 0; s < n; ++s) {
                ar.div(v[s], u[s], scale);
                arb_get_mid_arb(v[s].get(), v[s].get());
            }
        }
        if (arb_is_zero(den.get())) continue;  // A = 0 direction
        Ball rayleigh;
        ar.div(rayleigh, num, den);
        const Rational hi = n2.upper(), lo = n2.lower();
        CHECK(rayleigh.lower() <= hi * hi);
        // σ_max² ≤ ‖A‖_F² ≤ rank(A)·σ_max², with ‖A‖_F² = Σ a_rs² exact.
        Rational frob2;
        for (std::size_t r = 0; r < a.rows(); ++r)
            for (std::size_t s = 0; s < a.cols(); ++s) frob2 += a.at(r, s) * a.at(r, s);
        CHECK(lo * lo <= frob2);
        CHECK(frob2 <= Rational(static_cast<long>(std::min(a.rows(), a.cols()))) * hi * hi);
        CHECK(hi * hi - rayleigh.upper() < Rational(1, 1L << 30) * (Rational(1) + hi * hi));
        CHECK(n2.radius() < Rational(1, 1L << 40) * (Rational(1) + hi));  // tight enclosure
    }
    // Known values: ‖diag(3, −5, 1/2)‖₂ = 5 exactly; ‖[1 1; 0 1]‖₂ = golden ratio.
    RationalMatrix d(3, 3);
    d.set(0, 0, Rational(3));
    d.set(1, 1, Rational(-5));
    d.set(2, 2, Rational(1, 2));
    CHECK(norm_2(d, prec).contains(Rational(5)));
    RationalMatrix j(2, 2);
    j.set(0, 0, Rational(1));
    j.set(0, 1, Rational(1));
    j.set(1, 1, Rational(1));
    Ball phi(Rational(5), prec);
    arb_sqrt(phi.get(), phi.get(), prec);
    arb_add_ui(phi.get(), phi.get(), 1, prec);
    arb_mul_2exp_si(phi.get(), phi.get(), -1);
    CHECK(arb_overlaps(phi.get(), norm_2(j, prec).get()));
    CHECK(norm_2(RationalMatrix(2, 3), prec).contains(Rational(0)));
}

TEST_CASE("lipschitz: chain extraction is exact and refuses what it cannot analyse", "[lipschitz]") {
    auto g = rng(408);
    for (int i = 0; i < cases(10); ++i) {
        const Network net = random_relu_network(g);
        const ReluChain c = extract_relu_chain(net);
        for (int k = 0; k < 5; ++k) {
            std::vector<Rational> x;
            for (std::size_t j = 0; j < net.input_dim(); ++j) x.push_back(small_rational(g));
            CHECK(c.evaluate(x) == evaluate_rational(net, ExactArith{}, x));
        }
    }
    const Network tiny = read_nnet(rigornet::test::repo_path("examples/networks/tiny.nnet"), NumberReading::decimal);
    const ReluChain tc = extract_relu_chain(tiny);
    CHECK(tc.evaluate({Rational(5), Rational(-3)}) == evaluate_rational(tiny, ExactArith{}, {Rational(5), Rational(-3)}));

    Network sq(2);
    sq.add_elementwise(Scalar::square);
    CHECK_THROWS_AS(extract_relu_chain(sq), DomainError);
    Network subset(2);
    subset.add_elementwise(Scalar::relu, std::vector<std::size_t>{0});
    CHECK_THROWS_AS(extract_relu_chain(subset), DomainError);
    Network inject(1);
    auto one = std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1)});
    inject.add_affine(one, one, {Rational(0)});
    CHECK_THROWS_AS(extract_relu_chain(inject), DomainError);
}

TEST_CASE("lipschitz: the effective Jacobian averages activation patterns", "[lipschitz]") {
    auto g = rng(410);
    for (int i = 0; i < cases(10); ++i) {
        ReluChain c = extract_relu_chain(random_relu_network(g));
        Domain box{std::vector<Rational>(c.input_dim, Rational(-1)), std::vector<Rational>(c.input_dim, Rational(1))};
        auto sg = rng(411 + i);
        const auto points = sample_points(c, box, 20, sg);
        for (const auto& x : points)
            for (std::size_t j = 0; j < x.size(); ++j) CHECK((Rational(-1) <= x[j] && x[j] <= Rational(1)));
        // With one point, J_eff is the Jacobian of that point's pattern (0 at a kink).
        std::vector<std::vector<bool>> pattern;
        for (const auto& z : c.preactivations(points[0])) {
            pattern.emplace_back();
            for (const Rational& t : z) pattern.back().push_back(t.sign() > 0);
        }
        CHECK(effective_jacobian(c, {points[0]}) == c.jacobian(pattern));
        // Non-negative weights and hidden biases ≥ 10^6 make every unit active on the box
        // (by induction every pre-activation is ≥ 10^6 − ‖W_0‖_∞): J_eff = W_ℓ ⋯ W_0.
        for (std::size_t r = 0; r < c.weights.size(); ++r) {
            c.weights[r] = c.weights[r].abs();
            for (Rational& b : c.biases[r]) b = b.abs() + Rational(1000000);
        }
        CHECK(effective_jacobian(c, points) == c.segment(c.weights.size(), 0));
    }
}

TEST_CASE("lipschitz tables: LaTeX escapes ^ ~ \\, keys must match the headers", "[lipschitz][table]") {
    Table t;
    t.title = "Lip^2 ~ a\\b";
    t.keys = {"bound", "value"};
    t.headers = {"bound on Lip^2", "value_1"};
    t.add_row({"6e^(-1/3) - 2", "~1 & 50%"});
    const std::string tex = render(t, TableFormat::latex);
    INFO(tex);
    CHECK(tex.find("\\caption{Lip\\textasciicircum{}2 \\textasciitilde{} a\\textbackslash{}b}") != std::string::npos);
    CHECK(tex.find("bound on Lip\\textasciicircum{}2 & value\\_1") != std::string::npos);
    CHECK(tex.find("6e\\textasciicircum{}(-1/3) - 2 & \\textasciitilde{}1 \\& 50\\%") != std::string::npos);
    CHECK(tex.find_first_of("^~") == std::string::npos);
    Table bad;
    bad.keys = {"only_one"};
    bad.headers = {"a", "b"};
    CHECK_THROWS_AS(bad.add_row({"1", "2"}), ShapeError);
}

TEST_CASE("lipschitz: a domain that fixes an input is the box of the others", "[lipschitz]") {
    // Independent: the network with the fixed input substituted into its first layer, built
    // here, on the box of the free input.
    auto g = rng(412);
    int checked = 0;
    for (int i = 0; i < cases(20) && checked < cases(8); ++i) {
        const Network net = random_relu_network(g);
        const ReluChain c = extract_relu_chain(net);
        if (c.input_dim != 2) continue;
        ++checked;
        const Rational fixed(1, 3);
        const Domain d{{Rational(-1), fixed}, {Rational(1, 2), fixed}};
        ReluChain sub = c;
        RationalMatrix w0(c.weights[0].rows(), 1);
        for (std::size_t k = 0; k < w0.rows(); ++k) {
            w0.set(k, 0, c.weights[0].at(k, 0));
            sub.biases[0][k] += c.weights[0].at(k, 1) * fixed;
        }
        sub.weights[0] = w0;
        sub.input_dim = 1;
        INFO(describe(c));
        for (LipNorm p : exact_norms) {
            const auto ex = exact_lipschitz(c, d, p, 64), ref = exact_lipschitz(sub, Domain{{Rational(-1)}, {Rational(1, 2)}}, p, 64);
            REQUIRE((ex && ref));
            CHECK(ex->value.upper == ref->value.upper);
            REQUIRE(ex->witness.a.size() == 2);
            CHECK(ex->witness.a[1] == fixed);
            CHECK(ex->witness.b[1] == fixed);
            CHECK(pair_quotient_lower(c, ex->witness.a, ex->witness.b, p, 64) == ex->value.upper);
            auto sg = rng(413 + i);
            const PairWitness w = sampled_lower_bound(c, d, p, 64, 10, sg);
            CHECK(w.a[1] == fixed);
            CHECK(w.value <= ex->value.upper);
        }
    }
    CHECK(checked > 0);
    CHECK(parse_domain("0:0,1:2", 2).fixes_inputs());
    CHECK_THROWS_AS(parse_domain("1:1", 2), DomainError);  // a single point
    CHECK_THROWS_AS(parse_domain("1:0", 1), DomainError);
}

TEST_CASE("lipschitz: an exact enumeration stopped early reports a witnessed lower bound", "[lipschitz]") {
    auto g = rng(414);
    for (int i = 0; i < cases(10); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        const auto full = exact_lipschitz(c, Domain{}, LipNorm::linf, 64);
        REQUIRE(full);
        REQUIRE(full->complete());
        INFO(describe(c));
        ExactLimits one;
        one.max_regions = 1;
        std::size_t reports = 0;
        one.progress_seconds = 0;
        one.progress = [&](std::size_t, std::size_t, double) { ++reports; };
        const auto part = exact_lipschitz(c, Domain{}, LipNorm::linf, 64, one);
        REQUIRE(part);
        CHECK(reports > 0);
        if (full->regions > 1) {
            CHECK(part->stopped == "max-regions");
            CHECK(part->regions == 1);
        }
        // The best region found is non-empty: its norm is ≤ L and attained by its pair.
        CHECK(part->value.lower <= full->value.upper);
        CHECK(pair_quotient_lower(c, part->witness.a, part->witness.b, LipNorm::linf, 64) == part->value.lower);
        ExactLimits now;
        now.max_seconds = 0;
        const auto timed_out = exact_lipschitz(c, Domain{}, LipNorm::linf, 64, now);
        CHECK((!timed_out || timed_out->stopped == "timeout"));
        std::atomic<bool> stop{true};
        ExactLimits interrupted;
        interrupted.interrupt = &stop;
        const auto stopped = exact_lipschitz(c, Domain{}, LipNorm::linf, 64, interrupted);
        CHECK((!stopped || stopped->stopped == "interrupted"));
    }
}

TEST_CASE("lipschitz: the seed's K_2 formula is not an l-inf bound; times the outer factors it is", "[lipschitz]") {
    // relu(x_1 + x_2): L_inf = 2 (x = (t, t)), but the formula gives sqrt(2) (by hand:
    // W_0 = 1·sqrt(2)·(1, 1)/sqrt(2), W_1 = 1, and ||V_0^T||_inf = sqrt(2) is dropped).
    Network net(2);
    net.add_affine(std::make_shared<DenseMatrix>(1, 2, std::vector<Rational>{Rational(1), Rational(1)}), nullptr,
                   {Rational(0)});
    net.add_elementwise(Scalar::relu);
    net.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1)}), nullptr, {Rational(0)});
    const ReluChain c = extract_relu_chain(net);
    const auto q = k2_seed_formula(c, 128);
    REQUIRE(q);
    CHECK(q->quantity.lower * q->quantity.lower <= Rational(2));
    CHECK(Rational(2) <= q->quantity.upper * q->quantity.upper);
    CHECK(q->quantity.upper - q->quantity.lower < Rational(1, 1L << 30));
    const Domain box{{Rational(-1), Rational(-1)}, {Rational(1), Rational(1)}};
    const auto ex = exact_lipschitz(c, box, LipNorm::linf, 128);
    REQUIRE(ex);
    CHECK(ex->value.lower == Rational(2));
    CHECK(q->quantity.upper < ex->value.lower);
    CHECK(ex->value.upper <= q->proved.upper);
}

TEST_CASE("lipschitz: the seed's K_2 formula falls below L on a random network, the proved one never", "[lipschitz]") {
    auto g = rng(811);
    int below = 0, certified = 0;
    for (int i = 0; i < 40; ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        const auto q = k2_seed_formula(c, 128);
        if (!q) continue;
        ++certified;
        std::vector<Rational> lo(c.input_dim, Rational(-4)), hi(c.input_dim, Rational(4));
        const auto ex = exact_lipschitz(c, Domain{lo, hi}, LipNorm::linf, 128);
        REQUIRE(ex);
        REQUIRE(ex->complete());
        INFO(describe(c) << "L = " << ex->value.upper.str() << ", proved <= " << q->proved.upper.str());
        CHECK(ex->value.upper <= q->proved.upper);
        if (q->quantity.upper < ex->value.lower) ++below;
    }
    CHECK(certified > 0);
    CHECK(below > 0);
}

TEST_CASE("lipschitz: the seed's K_2 formula refuses wide layers, no hidden layer, repeated singular values",
          "[lipschitz]") {
    Network flat(2);
    flat.add_affine(std::make_shared<DenseMatrix>(1, 2, std::vector<Rational>{Rational(1), Rational(2)}), nullptr,
                    {Rational(0)});
    CHECK_THROWS_AS(k2_seed_formula(extract_relu_chain(flat), 128), DomainError);
    Network wide(1);
    wide.add_affine(std::make_shared<DenseMatrix>(13, 1, std::vector<Rational>(13, Rational(1))), nullptr,
                    std::vector<Rational>(13));
    wide.add_elementwise(Scalar::relu);
    wide.add_affine(std::make_shared<DenseMatrix>(1, 13, std::vector<Rational>(13, Rational(1))), nullptr,
                    {Rational(0)});
    CHECK_THROWS_AS(k2_seed_formula(extract_relu_chain(wide), 128), ResourceError);
    // Hidden weights I_2: singular value 1 twice, so the formula depends on the basis.
    Network rep(2);
    rep.add_affine(std::make_shared<DenseMatrix>(2, 2, std::vector<Rational>{Rational(1), Rational(0), Rational(0),
                                                                               Rational(1)}),
                   nullptr, std::vector<Rational>(2));
    rep.add_elementwise(Scalar::relu);
    rep.add_affine(std::make_shared<DenseMatrix>(1, 2, std::vector<Rational>{Rational(1), Rational(3)}), nullptr,
                   {Rational(0)});
    CHECK_FALSE(k2_seed_formula(extract_relu_chain(rep), 128));
}
