#include <atomic>
#include <chrono>
#include <thread>

#include "../lipschitz/lipschitz_support.hpp"
#include "../support.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/core/error.hpp"
#include "rigornet/io/json_format.hpp"
#include "rigornet/io/nnet_format.hpp"
#include "rigornet/linalg/exact_lp.hpp"
#include "rigornet/verify/verify.hpp"

using namespace rigornet;

namespace {
std::string data(const std::string& f) {
    const char* root = std::getenv("RIGORNET_ROOT");
    return std::string(root ? root : ".") + "/tests/data/vnnlib/" + f;
}

// The exact maximum of y_0 over the box [lo, hi] by brute force: for every activation
// pattern of the hidden ReLU units (a closed polyhedral piece; together they cover the
// box), the network is affine there and an exact LP (QSopt_ex) maximises y_0 over the
// piece ∩ box; the largest optimum over the feasible pieces is the maximum. Independent
// of the bounding engine. Only for chains without caps and few hidden units.
Rational brute_force_max(const ReluChain& c, const std::vector<Rational>& lo, const std::vector<Rational>& hi) {
    const std::size_t n = c.input_dim;
    std::size_t hidden = 0;
    for (std::size_t r = 0; r + 1 < c.weights.size(); ++r) hidden += c.weights[r].rows();
    std::optional<Rational> best;
    for (std::size_t pattern = 0; pattern < (std::size_t(1) << hidden); ++pattern) {
        std::vector<std::vector<Rational>> h(n, std::vector<Rational>(n + 1));  // affine in x: n coefficients, constant
        for (std::size_t i = 0; i < n; ++i) h[i][i] = Rational(1);
        std::vector<LpRow> rows;
        std::size_t bit = 0;
        for (std::size_t r = 0; r < c.weights.size(); ++r) {
            std::vector<std::vector<Rational>> z(c.weights[r].rows(), std::vector<Rational>(n + 1));
            for (std::size_t i = 0; i < z.size(); ++i) {
                z[i][n] = c.biases[r][i];
                for (std::size_t j = 0; j < h.size(); ++j)
                    for (std::size_t t = 0; t <= n; ++t) z[i][t] += c.weights[r].at(i, j) * h[j][t];
            }
            if (r + 1 < c.weights.size())
                for (auto& f : z) {
                    const bool active = pattern >> bit++ & 1;
                    rows.push_back({std::vector<Rational>(f.begin(), f.end() - 1), active ? '>' : '<', -f[n]});
                    if (!active) std::fill(f.begin(), f.end(), Rational());
                }
            h = std::move(z);
        }
        const std::vector<Rational> obj(h[0].begin(), h[0].end() - 1);
        const auto sol = lp_maximize(obj, rows, {lo.begin(), lo.end()}, {hi.begin(), hi.end()});
        if (sol && (!best || sol->value + h[0][n] > *best)) best = sol->value + h[0][n];
    }
    return *best;
}

// y = v0·relu(x0 + b) + v1·relu(x1 + b) on [0, 1]²: two units, one per input.
ReluChain two_unit_chain(const Rational& b, const Rational& v0, const Rational& v1) {
    ReluChain c;
    c.input_dim = 2;
    c.weights.emplace_back(2, 2);
    c.weights[0].set(0, 0, Rational(1));
    c.weights[0].set(1, 1, Rational(1));
    c.biases.push_back({b, b});
    c.weights.emplace_back(1, 2);
    c.weights[1].set(0, 0, v0);
    c.weights[1].set(0, 1, v1);
    c.biases.push_back({Rational()});
    return c;
}

}  // namespace

TEST_CASE("VNN-LIB: comments, exponents, nested and/or", "[vnnlib]") {
    VnnlibProperty p = parse_vnnlib(
        "; c\n(declare-const X_0 Real)(declare-const Y_0 Real)(declare-const Y_1 Real)\n"
        "(assert (and (<= X_0 25e-1) (>= X_0 -1.5E+0))) ; tail\n"
        "(assert (or (and (<= Y_0 Y_1) (>= (* 2 Y_0) 1)) (<= (- Y_1 X_0) 0.1)))\n",
        "t");
    CHECK(p.lower[0] == parse_rational("-3/2"));
    CHECK(p.upper[0] == parse_rational("5/2"));
    REQUIRE(p.unsafe.size() == 2);
    CHECK(p.unsafe[0].size() == 2);
    CHECK(p.unsafe[1][0].rhs == parse_rational("1/10"));
    CHECK(p.unsafe[1][0].ax[0] == Rational(-1));
}

TEST_CASE("VNN-LIB: errors name the line and token", "[vnnlib]") {
    auto bad = [](const std::string& t, const std::string& needle) {
        try {
            parse_vnnlib(t, "f.vnnlib");
            FAIL("accepted: " << t);
        } catch (const ParseError& e) {
            CHECK(std::string(e.what()).find(needle) != std::string::npos);
        }
    };
    bad("(declare-const X_0 Real)\n(assert (<= X_0 1))\n", "no lower bound");
    bad("(declare-const X_0 Real)\n(assert (<= X_0 1x))\n", "f.vnnlib:2");
    bad("(declare-const X_0 Real)(declare-const X_1 Real)\n(assert (<= (+ X_0 X_1) 1))", "non-box");
    bad("(declare-const X_0 Real)\n(assert (<= X_0 1)", "unclosed");
}

TEST_CASE("VNN-LIB: an input bounded only inside every disjunct gets the hull; else unbounded", "[vnnlib]") {
    // X_0 ∈ [−1, 1] in the first disjunct, [0, 3] (as 2·X_0 ≤ 6) in the second: the box is
    // [−1, 3], and every disjunct keeps its own bounds as constraints
    const VnnlibProperty p = parse_vnnlib(
        "(declare-const X_0 Real)(declare-const X_1 Real)(declare-const Y_0 Real)\n"
        "(assert (<= X_1 1))(assert (>= X_1 0))\n"
        "(assert (or (and (>= X_0 -1) (<= X_0 1) (>= Y_0 100))\n"
        "            (and (>= X_0 0) (<= (* 2 X_0) 6) (<= X_0 5) (<= Y_0 -5))))\n",
        "t");
    CHECK(p.lower[0] == Rational(-1));
    CHECK(p.upper[0] == Rational(3));
    CHECK(p.lower[1] == Rational(0));
    REQUIRE(p.unsafe.size() == 2);
    CHECK(p.unsafe[0].size() == 3);
    CHECK(p.unsafe[1].size() == 4);
    // a point outside the first disjunct's own box does not satisfy it
    CHECK(!satisfies(p.unsafe[0], {Rational(2), Rational(0)}, {Rational(200)}));
    CHECK(satisfies(p.unsafe[0], {Rational(1), Rational(0)}, {Rational(200)}));
    // one disjunct without a lower bound on X_0: unbounded (a ParseError of its own kind)
    CHECK_THROWS_AS(parse_vnnlib("(declare-const X_0 Real)(declare-const Y_0 Real)\n"
                                 "(assert (or (and (>= X_0 -1) (<= X_0 1) (>= Y_0 1)) (and (<= X_0 1) (<= Y_0 0))))",
                                 "t"),
                    UnboundedInputError);
    // the bound of a constraint that also mentions an output is no box bound
    CHECK_THROWS_AS(parse_vnnlib("(declare-const X_0 Real)(declare-const Y_0 Real)\n"
                                 "(assert (<= X_0 1))(assert (>= (+ X_0 Y_0) 0))",
                                 "t"),
                    UnboundedInputError);
}

TEST_CASE("verify: relu(x0 - x1) holds and violated with an exact counterexample", "[verify]") {
    const ReluChain c = extract_relu_chain(read_network_json(data("relu_diff.json")));
    VerifyOptions o;
    o.timeout_seconds = 5;
    CHECK(verify(c, read_vnnlib(data("relu_diff_holds.vnnlib")), o).verdict == Verdict::proved);
    const VnnlibProperty p = read_vnnlib(data("relu_diff_violated.vnnlib"));
    const VerifyResult r = verify(c, p, o);
    REQUIRE(r.verdict == Verdict::refuted);
    // checked by hand, not with the library: x in [0, 1]², y = relu(x0 − x1) ≥ 3/4 (the
    // other disjunct, y + 2·x1 ≤ −1, is unreachable)
    REQUIRE(r.input.size() == 2);
    for (const Rational& x : r.input) CHECK((x.sign() >= 0 && x <= Rational(1)));
    const Rational d = r.input[0] - r.input[1];
    const Rational y = d.sign() > 0 ? d : Rational(0);
    REQUIRE(r.output.size() == 1);
    CHECK(r.output[0] == y);
    CHECK(y >= Rational(3, 4));
    o.max_nodes = 1;
    VnnlibProperty tight = p;
    tight.unsafe = {{tight.unsafe[0][0]}};
    tight.unsafe[0][0].rhs = parse_rational("-9999/10000");  // −Y_0 ≤ −0.9999: only near (1, 0)
    CHECK(verify(c, tight, o).verdict != Verdict::proved);
}

TEST_CASE("verify is sound on random networks: holds is never contradicted by exact grid points", "[verify]") {
    // Thresholds t on "unsafe: y_0 ≥ t" over [−1, 1]^n, some reachable (a grid value) and
    // some not. The verdict is checked through the network's own exact evaluator
    // (evaluate, ExactArith), independent of ReluChain and of satisfies().
    // Each property twice: input splitting, and ReLU splitting (input_split_max_dim = 0:
    // the bounds without forward functions, β-CROWN multipliers for the splits).
    auto g = rigornet::test::rng(97);
    int holds = 0, violated = 0, relu_holds = 0;
    for (int trial = 0; trial < rigornet::test::cases(25); ++trial) {
        const Network net = rigornet::test::random_relu_network(g, 2, 1);
        const ReluChain c = extract_relu_chain(net);
        const std::size_t n = net.input_dim();
        std::vector<std::vector<Rational>> grid(1);
        for (std::size_t i = 0; i < n; ++i) {  // 9 points per side, ends included
            std::vector<std::vector<Rational>> next;
            for (auto& pt : grid)
                for (long k = -4; k <= 4; ++k) {
                    auto q = pt;
                    q.push_back(Rational(k, 4));
                    next.push_back(q);
                }
            grid = std::move(next);
        }
        Rational grid_max;
        bool first = true;
        for (auto& pt : grid) {
            const Rational y = evaluate_rational(net, ExactArith{}, pt)[0];
            if (first || y > grid_max) grid_max = y, first = false;
        }
        for (const Rational& t : {grid_max, grid_max + Rational(1, 3), grid_max + Rational(20)}) {
            VnnlibProperty p;
            p.lower.assign(n, Rational(-1));
            p.upper.assign(n, Rational(1));
            p.unsafe = {{LinearConstraint{std::vector<Rational>(n), {Rational(-1)}, -t}}};  // −y ≤ −t
            for (std::size_t split_dim : {16, 0}) {
                VerifyOptions o;
                o.timeout_seconds = 2;
                o.max_nodes = 2000;
                o.input_split_max_dim = split_dim;
                const VerifyResult r = verify(c, p, o);
                INFO("trial " << trial << " t = " << t.str() << " split dim " << split_dim << " verdict "
                              << verdict_name(r.verdict) << " " << r.reason << " closed " << r.closed_share);
                // the closed leaves' 2^−depth sum to 1 exactly when the whole tree is closed
                if (r.verdict != Verdict::refuted) CHECK((r.closed_share == 1) == (r.verdict == Verdict::proved));
                if (r.verdict == Verdict::proved) {
                    ++holds;
                    relu_holds += split_dim == 0;
                    CHECK(t > grid_max);  // grid_max is attained, so y ≥ grid_max is reachable
                } else if (r.verdict == Verdict::refuted) {
                    ++violated;
                    for (std::size_t i = 0; i < n; ++i) CHECK((r.input[i] >= Rational(-1) && r.input[i] <= Rational(1)));
                    CHECK(evaluate_rational(net, ExactArith{}, r.input)[0] >= t);
                }
            }
        }
    }
    CHECK(holds > 0);  // the test exercises both answers
    CHECK(violated > 0);
    CHECK(relu_holds > 0);  // and the ReLU-splitting search proves some
}

TEST_CASE("verify: the root attack finds a counterexample that only the box corner reaches", "[verify][crown]") {
    // y = relu(x0 − 99/100) + relu(x1 − 99/100) on [0, 1]²; unsafe y ≥ 3/200 needs both
    // inputs above 0.99 (max y = 1/50 at the corner (1, 1)). From the centre the gradient
    // is 0 and a random start lands there with probability 10^−4, so with one node only
    // the corners of the root attack (and the start from the bound's minimising corner)
    // find it; the counterexample is checked exactly.
    const ReluChain c = two_unit_chain(Rational(-99, 100), Rational(1), Rational(1));
    VnnlibProperty p;
    p.lower.assign(2, Rational(0));
    p.upper.assign(2, Rational(1));
    p.unsafe = {{LinearConstraint{std::vector<Rational>(2), {Rational(-1)}, Rational(-3, 200)}}};
    VerifyOptions o;
    o.max_nodes = 1;
    const VerifyResult r = verify(c, p, o);
    REQUIRE(r.verdict == Verdict::refuted);
    CHECK(satisfies(p.unsafe[0], r.input, c.evaluate(r.input)));
    CHECK(r.output[0] >= Rational(3, 200));
    // with the root's search cut to the centre and one corner, (0, 0), the start from the
    // corner that minimises the bound's lower function, (1, 1), still finds it
    o.root_restarts = 0;
    o.root_attack_work = 0;
    const VerifyResult q = verify(c, p, o);
    REQUIRE(q.verdict == Verdict::refuted);
    CHECK(q.input[0] > Rational(99, 100));
    CHECK(q.input[1] > Rational(99, 100));
}

TEST_CASE("verify: the root's region LPs find a counterexample in a band too thin for gradient steps", "[verify][crown]") {
    // y = relu(x0) − relu(x1) on [0, 1]²; unsafe 1/3 ≤ y ≤ 1/3 + 2^−100: no pair of
    // doubles has x0 − x1 in that band (a dyadic that close to 1/3 needs > 100 bits),
    // but an exact LP over the region of a point with both units active finds a
    // rational one (max slack 2^−101 ≥ 0); checked exactly.
    const ReluChain c = two_unit_chain(Rational(), Rational(1), Rational(-1));
    VnnlibProperty p;
    p.lower.assign(2, Rational(0));
    p.upper.assign(2, Rational(1));
    Rational eps(1);
    fmpq_div_2exp(eps.get(), eps.get(), 100);
    const Rational top = Rational(1, 3) + eps;
    p.unsafe = {{LinearConstraint{std::vector<Rational>(2), {Rational(-1)}, Rational(-1, 3)},
                 LinearConstraint{std::vector<Rational>(2), {Rational(1)}, top}}};
    VerifyOptions o;
    o.max_nodes = 1;
    const VerifyResult r = verify(c, p, o);
    REQUIRE(r.verdict == Verdict::refuted);
    CHECK(satisfies(p.unsafe[0], r.input, c.evaluate(r.input)));
    CHECK((Rational(1, 3) <= r.output[0] && r.output[0] <= top));
    o.root_lp_starts = 0;  // double candidates only: not in any number of nodes
    o.max_nodes = 50;
    CHECK(verify(c, p, o).verdict == Verdict::unknown);
}

namespace {

// A random ReLU chain small enough for brute_force_max: at most 8 hidden units.
ReluChain small_chain(std::mt19937_64& g) {
    for (;;) {
        ReluChain c = extract_relu_chain(rigornet::test::random_relu_network(g, 2, 1));
        std::size_t hidden = 0;
        for (std::size_t r = 0; r + 1 < c.weights.size(); ++r) hidden += c.weights[r].rows();
        if (hidden <= 8) return c;
    }
}

}  // namespace

TEST_CASE("verify agrees with brute-force region enumeration, with every bounding option", "[verify][hard]") {
    // Unsafe "y_0 ≥ t" over [−1, 1]^n for t = M (violated: M is attained), M ± 1/64, M is
    // the exact maximum by brute_force_max. Each option set may leave unknown, never a
    // wrong verdict; the counterexample is re-evaluated exactly. Variants 3 to 5 search by
    // ReLU splitting, 4 without α or β steps: a node left without unstable units is then
    // decided by the exact LP of its activation pattern, so every run decides. Variant 5
    // branches by the split score alone (no filtered smart branching).
    auto g = rigornet::test::rng(211);
    int decided = 0, runs = 0, relu_decided = 0, relu_runs = 0;
    for (int trial = 0; trial < rigornet::test::cases(12); ++trial) {
        const ReluChain c = small_chain(g);
        const std::size_t n = c.input_dim;
        const std::vector<Rational> lo(n, Rational(-1)), hi(n, Rational(1));
        const Rational m = brute_force_max(c, lo, hi);
        for (const Rational& t : {m, m + Rational(1, 64), m - Rational(1, 64)}) {
            VnnlibProperty p;
            p.lower = lo;
            p.upper = hi;
            p.unsafe = {{LinearConstraint{std::vector<Rational>(n), {Rational(-1)}, -t}}};  // −y ≤ −t
            for (int variant = 0; variant < 6; ++variant) {
                VerifyOptions o;
                o.timeout_seconds = 2;
                o.max_nodes = 3000;
                o.alpha_steps = variant == 1 ? 10 : 0;
                o.reuse_parent_bounds = variant != 2;
                o.threads = variant == 2 ? 2 : 1;
                if (variant >= 3) o.input_split_max_dim = 0;
                if (variant == 4) {
                    o.relu_alpha_steps = 0;
                    o.beta = false;
                }
                if (variant == 5) o.relu_branch_candidates = 1;
                const VerifyResult r = verify(c, p, o);
                INFO("trial " << trial << " t = " << t.str() << " max " << m.str() << " variant " << variant);
                ++runs;
                if (r.verdict == Verdict::proved) CHECK(t > m);
                if (r.verdict == Verdict::refuted) {
                    CHECK(t <= m);
                    CHECK(c.evaluate(r.input)[0] >= t);
                }
                decided += r.verdict != Verdict::unknown;
                if (variant >= 3) {
                    ++relu_runs;
                    relu_decided += r.verdict != Verdict::unknown;
                }
            }
        }
    }
    CHECK(decided * 10 >= runs * 9);  // and they do decide (t is 1/64 away from M, or M itself)
    CHECK(relu_decided == relu_runs);
}

TEST_CASE("verify: constraints on the inputs alone that the box implies do not draw the splits", "[verify][hard]") {
    // Unsafe "y_0 ≥ t" over a box with x_0 ∈ [0, 1/1000], searched as one tree (with a
    // proof, so no case split drops anything), with and without the box's own bounds
    // 0 ≤ x_0 ≤ 1/1000 repeated in the conjunction. They hold on every node, so they
    // must not change the verdict, and may cost at most a few nodes (before, the bound
    // x_0 ≥ 0, at gap −1/1000 the open constraint nearest to refutation, was bisected).
    auto g = rigornet::test::rng(227);
    std::size_t plain_nodes = 0, repeated_nodes = 0;
    int decided = 0;
    for (int trial = 0; trial < rigornet::test::cases(12); ++trial) {
        const ReluChain c = small_chain(g);
        const std::size_t n = c.input_dim;
        std::vector<Rational> lo(n, Rational(-1)), hi(n, Rational(1));
        lo[0] = Rational(0);
        hi[0] = Rational(1, 1000);
        const Rational m = brute_force_max(c, lo, hi);
        for (const Rational& t : {m + Rational(1, 64), m - Rational(1, 64)}) {
            VnnlibProperty p;
            p.lower = lo;
            p.upper = hi;
            const LinearConstraint output{std::vector<Rational>(n), {Rational(-1)}, -t};  // −y ≤ −t
            std::vector<Rational> e0(n);
            e0[0] = Rational(1);
            const LinearConstraint above{e0, {Rational(0)}, hi[0]};              // x_0 ≤ 1/1000
            const LinearConstraint below{std::vector<Rational>(n), {Rational(0)}, Rational(0)};
            std::vector<LinearConstraint> repeated{above, below, output};
            repeated[1].ax[0] = Rational(-1);                                   // −x_0 ≤ 0
            std::vector<VerifyResult> r;
            for (const auto& conj : {std::vector<LinearConstraint>{output}, repeated}) {
                p.unsafe = {conj};
                VerifyOptions o;
                o.timeout_seconds = 5;
                o.threads = 1;
                o.want_proof = true;
                r.push_back(verify(c, p, o));
                INFO("trial " << trial << " t = " << t.str() << " constraints " << conj.size());
                if (r.back().verdict == Verdict::proved) CHECK(t > m);
                if (r.back().verdict == Verdict::refuted) CHECK(t <= m);
            }
            CHECK(r[0].verdict == r[1].verdict);
            if (r[0].verdict == Verdict::unknown || r[1].verdict == Verdict::unknown) continue;
            ++decided;
            plain_nodes += r[0].nodes;
            repeated_nodes += r[1].nodes;
        }
    }
    INFO("nodes: plain " << plain_nodes << ", with the box's bounds repeated " << repeated_nodes);
    CHECK(decided * 10 >= rigornet::test::cases(12) * 2 * 9);
    CHECK(repeated_nodes * 10 <= plain_nodes * 11 + 10);
}

TEST_CASE("verify: filtered smart branching decides wide random networks in fewer nodes than the split score alone",
          "[verify][hard]") {
    // 18 inputs (ReLU splitting), hidden widths 10 and 10; unsafe "y_0 ≤ t" over [−1, 1]^18
    // with t = 2 and 8 below the least output at 200 random corners of the box (both verdicts
    // occur, and trees of up to hundreds of nodes). Both branchings must
    // agree (a counterexample re-evaluated exactly), and where both decide, filtered smart
    // branching (the default) must need fewer nodes in all.
    auto g = rigornet::test::rng(223);
    std::size_t fsb_nodes = 0, score_nodes = 0;
    int both = 0;
    const int trials = rigornet::test::cases(10);
    for (int trial = 0; trial < trials; ++trial) {
        const ReluChain c = extract_relu_chain(rigornet::test::wide_relu_network(g, 18, {10, 10}));
        const std::size_t n = c.input_dim;
        Rational least;
        for (int s = 0; s < 200; ++s) {
            std::vector<Rational> x;
            for (std::size_t i = 0; i < n; ++i) x.push_back(Rational(g() & 1 ? 1 : -1));
            const Rational y = c.evaluate(x)[0];
            if (s == 0 || y < least) least = y;
        }
        for (const Rational& t : {least - Rational(2), least - Rational(8)}) {
            VnnlibProperty p;
            p.lower.assign(n, Rational(-1));
            p.upper.assign(n, Rational(1));
            p.unsafe = {{LinearConstraint{std::vector<Rational>(n), {Rational(1)}, t}}};  // y ≤ t
            std::vector<VerifyResult> r;
            for (std::size_t candidates : {VerifyOptions{}.relu_branch_candidates, std::size_t(1)}) {
                VerifyOptions o;
                o.timeout_seconds = 5;
                o.threads = 1;
                o.relu_branch_candidates = candidates;
                r.push_back(verify(c, p, o));
                INFO("trial " << trial << " t = " << t.str() << " candidates " << candidates);
                if (r.back().verdict == Verdict::refuted) CHECK(c.evaluate(r.back().input)[0] <= t);
            }
            if (r[0].verdict == Verdict::unknown || r[1].verdict == Verdict::unknown) continue;
            CHECK(r[0].verdict == r[1].verdict);
            ++both;
            fsb_nodes += r[0].nodes;
            score_nodes += r[1].nodes;
        }
    }
    INFO("nodes: filtered smart branching " << fsb_nodes << ", split score alone " << score_nodes);
    CHECK(both >= trials);
    CHECK(fsb_nodes < score_nodes);
}

TEST_CASE("VNN-LIB: ACAS Xu property 6's two input boxes are two cases of four conjunctions", "[vnnlib]") {
    const VnnlibProperty p = read_vnnlib(rigornet::test::repo_path("tests/data/acasxu/prop_6.vnnlib"));
    REQUIRE(p.unsafe.size() == 8);  // 2 boxes × 4 output disjuncts
    const std::vector<VnnlibProperty> cases = input_box_cases(p);
    REQUIRE(cases.size() == 2);
    const Rational gap = parse_rational("0.11140846");
    CHECK(p.lower[1] == -parse_rational("0.499999896"));  // the reader's box is the hull
    CHECK(p.upper[1] == parse_rational("0.499999896"));
    for (const VnnlibProperty& q : cases) {
        CHECK(q.unsafe.size() == 4);
        // the box's own bounds hold throughout it and are dropped: Y_j ≤ Y_0 alone is left
        for (const auto& conj : q.unsafe) {
            REQUIRE(conj.size() == 1);
            CHECK(conj[0].ay[0] == Rational(-1));
        }
        CHECK((q.lower[1] == gap || q.upper[1] == -gap));  // one side of the gap each
        for (std::size_t i = 0; i < p.lower.size(); ++i) CHECK((p.lower[i] <= q.lower[i] && q.upper[i] <= p.upper[i]));
    }
    CHECK(cases[0].lower[1] != cases[1].lower[1]);
    // a conjunction whose own bounds leave no point is dropped
    VnnlibProperty e = p;
    e.unsafe[0].push_back(LinearConstraint{{Rational(), Rational(1), Rational(), Rational(), Rational()},
                                           std::vector<Rational>(5), Rational(-1)});  // X_1 ≤ −1
    const std::vector<VnnlibProperty> fewer = input_box_cases(e);
    REQUIRE(fewer.size() == 2);
    CHECK(fewer[0].unsafe.size() + fewer[1].unsafe.size() == 7);
}

TEST_CASE("verify: a disjunction of input boxes agrees with the exact maximum over each box", "[verify][hard]") {
    // Unsafe: (x_0 ≤ −1/4 ∧ y_0 ≥ t) ∨ (x_0 ≥ 1/4 ∧ y_0 ≥ t) over the hull [−1, 1]^n, for
    // t just above, at and between the two boxes' exact maxima (brute_force_max, per box):
    // holds iff t exceeds both, and a counterexample lies in a box whose maximum reaches t.
    auto g = rigornet::test::rng(307);
    int decided = 0, runs = 0, holds = 0, violated = 0;
    for (int trial = 0; trial < rigornet::test::cases(8); ++trial) {
        const ReluChain c = small_chain(g);
        const std::size_t n = c.input_dim;
        std::vector<Rational> lo(n, Rational(-1)), hi(n, Rational(1));
        std::vector<Rational> hi_a = hi, lo_b = lo;
        hi_a[0] = Rational(-1, 4);
        lo_b[0] = Rational(1, 4);
        const Rational ma = brute_force_max(c, lo, hi_a), mb = brute_force_max(c, lo_b, hi);
        const Rational top = ma > mb ? ma : mb;
        for (const Rational& t : {top + Rational(1, 64), top, (ma + mb) / Rational(2)}) {
            std::vector<Rational> e0(n), me0(n);
            e0[0] = Rational(1);
            me0[0] = Rational(-1);
            const LinearConstraint ya{std::vector<Rational>(n), {Rational(-1)}, -t};  // −y ≤ −t
            VnnlibProperty p;
            p.lower = lo;
            p.upper = hi;
            p.unsafe = {{LinearConstraint{e0, {Rational()}, Rational(-1, 4)}, ya},  // x_0 ≤ −1/4
                        {LinearConstraint{me0, {Rational()}, Rational(-1, 4)}, ya}};  // −x_0 ≤ −1/4
            REQUIRE(input_box_cases(p).size() == 2);
            VerifyOptions o;
            o.timeout_seconds = 2;
            o.max_nodes = 3000;
            const VerifyResult r = verify(c, p, o);
            INFO("trial " << trial << " t = " << t.str() << " max " << ma.str() << ", " << mb.str());
            ++runs;
            if (r.verdict == Verdict::proved) {
                ++holds;
                CHECK((t > ma && t > mb));
            }
            if (r.verdict == Verdict::refuted) {
                ++violated;
                const bool in_a = r.input[0] <= Rational(-1, 4), in_b = r.input[0] >= Rational(1, 4);
                CHECK((in_a || in_b));
                CHECK(((in_a && t <= ma) || (in_b && t <= mb)));
                CHECK(c.evaluate(r.input)[0] >= t);
            }
            decided += r.verdict != Verdict::unknown;
        }
    }
    CHECK(decided * 10 >= runs * 9);
    CHECK(holds > 0);
    CHECK(violated > 0);
}

namespace {

// The chain c with its outputs replaced by y_j − y_0, j = 1, …, m − 1 (exact: the last
// layer's rows and biases subtracted), for brute_force_max of one difference.
ReluChain output_difference(const ReluChain& c, std::size_t j) {
    ReluChain d = c;
    const RationalMatrix& last = c.weights.back();
    RationalMatrix row(1, last.cols());
    for (std::size_t i = 0; i < last.cols(); ++i) row.set(0, i, last.at(j, i) - last.at(0, i));
    d.weights.back() = row;
    d.biases.back() = {c.biases.back()[j] - c.biases.back()[0]};
    return d;
}

// Unsafe: ∨_{j ≥ 1} y_j − y_0 ≥ t_j (some class beats class 0 by t_j) over the box.
VnnlibProperty beats_class_0(const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                             const std::vector<Rational>& t) {
    VnnlibProperty p;
    p.lower = lo;
    p.upper = hi;
    for (std::size_t j = 1; j < t.size(); ++j) {
        std::vector<Rational> ay(t.size());
        ay[0] = Rational(1);
        ay[j] = Rational(-1);
        p.unsafe.push_back({LinearConstraint{std::vector<Rational>(lo.size()), ay, -t[j]}});  // y_0 − y_j ≤ −t_j
    }
    return p;
}

}  // namespace

TEST_CASE("verify: one search per conjunction agrees with the joint tree and brute force", "[verify][hard]") {
    // Small random chains with three outputs, unsafe ∨_{j = 1, 2} y_j − y_0 ≥ t_j over
    // [−1, 1]^n, t_j = M_j + δ_j with M_j the exact maximum of y_j − y_0 (brute_force_max)
    // and δ_j ∈ {1/64, 0, −1/64}: holds iff both δ are 1/64. Searched per conjunction (the
    // default) and as one tree, by input and by ReLU splitting: never a wrong verdict, the
    // counterexample beats class 0 exactly, and they decide.
    auto g = rigornet::test::rng(331);
    int decided = 0, runs = 0, holds = 0, violated = 0;
    for (int trial = 0; trial < rigornet::test::cases(8); ++trial) {
        ReluChain c;
        for (;;) {
            c = extract_relu_chain(rigornet::test::random_relu_network(g, 2, 3));
            std::size_t hidden = 0;
            for (std::size_t r = 0; r + 1 < c.weights.size(); ++r) hidden += c.weights[r].rows();
            if (hidden <= 8 && c.output_dim() == 3) break;
        }
        const std::size_t n = c.input_dim;
        const std::vector<Rational> lo(n, Rational(-1)), hi(n, Rational(1));
        const Rational m1 = brute_force_max(output_difference(c, 1), lo, hi);
        const Rational m2 = brute_force_max(output_difference(c, 2), lo, hi);
        const std::vector<Rational> deltas{Rational(1, 64), Rational(0), Rational(-1, 64)};
        for (const Rational& d1 : deltas)
            for (const Rational& d2 : deltas) {
                const VnnlibProperty p = beats_class_0(lo, hi, {Rational(), m1 + d1, m2 + d2});
                const bool truth = d1.sign() > 0 && d2.sign() > 0;
                for (int variant = 0; variant < 4; ++variant) {
                    VerifyOptions o;
                    o.timeout_seconds = 2;
                    o.max_nodes = 3000;
                    o.threads = 1;
                    o.conjunctions = variant % 2 == 0 ? ConjunctionSearch::split : ConjunctionSearch::joint;
                    if (variant >= 2) o.input_split_max_dim = 0;
                    const VerifyResult r = verify(c, p, o);
                    INFO("trial " << trial << " deltas " << d1.str() << ", " << d2.str() << " variant " << variant);
                    ++runs;
                    if (r.verdict == Verdict::proved) {
                        ++holds;
                        CHECK(truth);
                    }
                    if (r.verdict == Verdict::refuted) {
                        ++violated;
                        CHECK(!truth);
                        const std::vector<Rational> y = c.evaluate(r.input);
                        CHECK((y[1] - y[0] >= m1 + d1 || y[2] - y[0] >= m2 + d2));
                    }
                    decided += r.verdict != Verdict::unknown;
                }
            }
    }
    CHECK(decided * 10 >= runs * 9);
    CHECK(holds > 0);
    CHECK(violated > 0);
}

TEST_CASE("verify: one search per conjunction needs fewer nodes than the joint tree when the conjunctions are unrelated",
          "[verify][hard]") {
    // Two random 9-input networks (hidden widths 10 and 10) side by side: y_1 is the first
    // on x_0..x_8, y_2 the second on x_9..x_17, y_0 = 0 (18 inputs: ReLU splitting).
    // Unsafe y_1 ≥ t_1 ∨ y_2 ≥ t_2 over [−1, 1]^18, t_k δ above y_k's largest value at 200
    // random corners. Refuting y_1 ≥ t_1 takes splits of the first network's units only, and
    // y_2 ≥ t_2 of the second's: a joint node closes only when both are refuted, so the
    // joint tree is about the product of the two trees, the two searches their sum (MNIST's
    // classes are the case in point, docs/verify.md). Where both decide they must agree
    // (a counterexample exactly in U), and the two searches must need fewer nodes in all.
    auto g = rigornet::test::rng(337);
    std::size_t split_nodes = 0, joint_nodes = 0;
    int both = 0;
    const int trials = rigornet::test::cases(6);
    for (int trial = 0; trial < trials; ++trial) {
        const ReluChain a = extract_relu_chain(rigornet::test::wide_relu_network(g, 9, {10, 10}));
        const ReluChain b = extract_relu_chain(rigornet::test::wide_relu_network(g, 9, {10, 10}));
        ReluChain c;
        c.input_dim = 18;
        for (std::size_t r = 0; r < a.weights.size(); ++r) {
            const bool last = r + 1 == a.weights.size();
            const RationalMatrix &wa = a.weights[r], &wb = b.weights[r];
            const std::size_t skip = last ? 1 : 0;  // the output layer starts with y_0 = 0
            RationalMatrix w(skip + wa.rows() + wb.rows(), wa.cols() + wb.cols());
            std::vector<Rational> bias(skip);
            for (std::size_t i = 0; i < wa.rows(); ++i) {
                for (std::size_t k = 0; k < wa.cols(); ++k) w.set(skip + i, k, wa.at(i, k));
                bias.push_back(a.biases[r][i]);
            }
            for (std::size_t i = 0; i < wb.rows(); ++i) {
                for (std::size_t k = 0; k < wb.cols(); ++k) w.set(skip + wa.rows() + i, wa.cols() + k, wb.at(i, k));
                bias.push_back(b.biases[r][i]);
            }
            c.weights.push_back(std::move(w));
            c.biases.push_back(std::move(bias));
        }
        std::vector<Rational> top(3);
        for (int s = 0; s < 200; ++s) {
            std::vector<Rational> x;
            for (std::size_t i = 0; i < 18; ++i) x.push_back(Rational(g() & 1 ? 1 : -1));
            const std::vector<Rational> y = c.evaluate(x);
            REQUIRE(y[0].is_zero());
            for (std::size_t k = 1; k < 3; ++k)
                if (s == 0 || y[k] > top[k]) top[k] = y[k];
        }
        for (const Rational& delta : {Rational(1), Rational(3)}) {
            const std::vector<Rational> t{Rational(), top[1] + delta, top[2] + delta};
            const VnnlibProperty p =
                beats_class_0(std::vector<Rational>(18, Rational(-1)), std::vector<Rational>(18, Rational(1)), t);
            std::vector<VerifyResult> r;
            for (bool split : {true, false}) {
                VerifyOptions o;
                o.timeout_seconds = 5;
                o.threads = 1;
                o.conjunctions = split ? ConjunctionSearch::split : ConjunctionSearch::joint;
                r.push_back(verify(c, p, o));
                INFO("trial " << trial << " delta " << delta.str() << " split " << split);
                if (r.back().verdict == Verdict::refuted) {
                    const std::vector<Rational> y = c.evaluate(r.back().input);
                    CHECK((y[1] >= t[1] || y[2] >= t[2]));
                }
            }
            if (r[0].verdict == Verdict::unknown || r[1].verdict == Verdict::unknown) continue;
            CHECK(r[0].verdict == r[1].verdict);
            ++both;
            split_nodes += r[0].nodes;
            joint_nodes += r[1].nodes;
        }
    }
    INFO("nodes: per conjunction " << split_nodes << ", joint " << joint_nodes);
    CHECK(both >= trials);
    CHECK(split_nodes < joint_nodes);
}

TEST_CASE("verify: a tiny time limit ends the root's counterexample search with a clean unknown", "[verify][hard]") {
    // ACAS Xu property 3's box (raw coordinates) on the bundled network, unsafe "COC
    // minimal": the root's bounds do not decide it, and with 10^6 restarts the root attack
    // alone would run for minutes. The deadline is checked inside it.
    const ReluChain c =
        extract_relu_chain(read_nnet(rigornet::test::repo_path("tests/data/nnet/acasxu_test.nnet"), NumberReading::decimal));
    VnnlibProperty p;
    p.lower = {Rational(1500), Rational(-6, 100), Rational(31, 10), Rational(980), Rational(960)};
    p.upper = {Rational(1800), Rational(6, 100), Rational(314, 100), Rational(1200), Rational(1200)};
    p.unsafe.emplace_back();
    for (std::size_t j = 1; j < 5; ++j) {  // y_0 − y_j ≤ 0
        std::vector<Rational> ay(5);
        ay[0] = Rational(1);
        ay[j] = Rational(-1);
        p.unsafe[0].push_back({std::vector<Rational>(5), ay, Rational()});
    }
    VerifyOptions o;
    o.root_restarts = 1000000;
    o.root_attack_work = std::size_t(1) << 60;
    o.timeout_seconds = 0.05;
    const VerifyResult r = verify(c, p, o);
    CHECK(r.verdict == Verdict::unknown);
    CHECK(r.reason == "timeout");
    CHECK(r.nodes == 1);  // it ended inside the root node
    CHECK(r.seconds < 2);
    std::atomic<bool> stop{false};
    o.timeout_seconds = 60;
    o.interrupt = &stop;
    std::thread ctrl_c([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        stop = true;
    });
    const VerifyResult s = verify(c, p, o);
    ctrl_c.join();
    CHECK(s.verdict == Verdict::unknown);
    CHECK(s.reason == "interrupted");
    CHECK(s.seconds < 2);
}

TEST_CASE("VNN-LIB: combine adds the constraints scaled by nonnegative multipliers, and refuses the rest", "[vnnlib]") {
    // At random exact points, Σλ_m (a_m·x + c_m·y − d_m) equals the combination's
    // a·x + c·y − d (computed here term by term), so a point of the conjunction (every
    // term ≤ 0) satisfies the combination.
    auto g = rigornet::test::rng(51);
    auto small = [&] { return Rational(static_cast<long>(g() % 9) - 4, static_cast<long>(1 + g() % 3)); };
    int inside = 0;
    for (int t = 0; t < rigornet::test::cases(40); ++t) {
        std::vector<LinearConstraint> conj(1 + g() % 3);
        for (LinearConstraint& k : conj) {
            k.ax = {small(), small()};
            k.ay = {small()};
            k.rhs = small();
        }
        std::vector<Rational> lambda;
        for (std::size_t m = 0; m < conj.size(); ++m) lambda.push_back(Rational(static_cast<long>(g() % 4), 3));
        lambda[g() % lambda.size()] = Rational(1);  // not all zero
        const LinearConstraint comb = combine(conj, lambda);
        for (int s = 0; s < 10; ++s) {
            const std::vector<Rational> x{small(), small()}, y{small()};
            Rational terms, value = -comb.rhs;
            for (std::size_t m = 0; m < conj.size(); ++m)
                terms += lambda[m] * (conj[m].ax[0] * x[0] + conj[m].ax[1] * x[1] + conj[m].ay[0] * y[0] - conj[m].rhs);
            value += comb.ax[0] * x[0] + comb.ax[1] * x[1] + comb.ay[0] * y[0];
            CHECK(value == terms);
            if (satisfies(conj, x, y)) {
                ++inside;
                CHECK(satisfies({comb}, x, y));
            }
        }
    }
    CHECK(inside > 0);
    const std::vector<LinearConstraint> two{{{Rational(1)}, {Rational(1)}, Rational(0)},
                                            {{Rational(-1)}, {Rational(2)}, Rational(1)}};
    CHECK_THROWS_AS(combine(two, {Rational(1), Rational(-1, 2)}), DomainError);  // would reverse a constraint
    CHECK_THROWS_AS(combine(two, {Rational(0), Rational(0)}), DomainError);
    CHECK_THROWS_AS(combine(two, {Rational(1)}), DomainError);
}
