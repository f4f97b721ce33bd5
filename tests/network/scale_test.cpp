// Networks of size O(N + depth): biases by runs, index sets and gate targets by ranges,
// shared operators and biases (network.hpp). Each compact form is checked against the
// per-coordinate form it replaces: the same values (exactly), and evaluation with the
// same operations (bit-identical doubles, equal rationals) as a per-coordinate
// evaluator kept here only for testing.
#include <bit>
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "rigornet/cs/cs_problem.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/network/gradient.hpp"
#include "rigornet/io/json_format.hpp"
#include "rigornet/cs/unrolled.hpp"

using namespace rigornet;

namespace {

// A vector with runs of equal values and zeros, as the builders make (and isolated values).
std::vector<Rational> runny_vector(std::mt19937_64& g, std::size_t n) {
    std::vector<Rational> v;
    while (v.size() < n) {
        const Rational x = g() % 3 == 0 ? Rational(0) : test::random_rational(g, 12);
        const std::size_t len = 1 + g() % 6;
        for (std::size_t k = 0; k < len && v.size() < n; ++k) v.push_back(x);
    }
    return v;
}

// The network evaluated coordinate by coordinate from the lossless accessors (each bias
// entry converted on its own, index lists and targets expanded): how evaluate worked
// before biases and index sets were stored by runs.
template <class Arith>
std::vector<typename Arith::value_type> per_coordinate(const Network& net, const Arith& ar,
                                                       const std::vector<typename Arith::value_type>& y) {
    using V = typename Arith::value_type;
    std::vector<V> z = y;
    for (const Layer& layer : net.layers()) {
        if (auto* a = std::get_if<AffineLayer>(&layer)) {
            std::vector<V> next(a->A->rows());
            a->A->apply(ar, std::span<const V>(z), std::span<V>(next));
            if (a->B) {
                std::vector<V> t(a->B->rows());
                a->B->apply(ar, std::span<const V>(y), std::span<V>(t));
                for (std::size_t i = 0; i < next.size(); ++i) ar.add(next[i], next[i], t[i]);
            }
            const std::vector<Rational> c = a->c.dense();
            for (std::size_t i = 0; i < next.size(); ++i)
                if (!c[i].is_zero()) ar.add(next[i], next[i], ar.from_rational(c[i]));
            z.swap(next);
        } else if (auto* e = std::get_if<ElementwiseLayer>(&layer)) {
            std::vector<std::size_t> idx;
            if (e->indices)
                idx = e->indices->list();
            else
                for (std::size_t i = 0; i < z.size(); ++i) idx.push_back(i);
            const V t = ar.from_rational(e->param);
            for (std::size_t i : idx) {
                V& x = z[i];
                switch (e->fn) {
                    case Scalar::relu:
                        ar.relu(x, x);
                        break;
                    case Scalar::square:
                        ar.square(x, x);
                        break;
                    case Scalar::sqrt_theta:
                        ar.sqrt_theta(x, x, e->theta_bits);
                        break;
                    case Scalar::soft_threshold: {
                        V p, n;
                        ar.sub(p, x, t);
                        ar.relu(p, p);
                        ar.neg(n, x);
                        ar.sub(n, n, t);
                        ar.relu(n, n);
                        ar.sub(x, p, n);
                        break;
                    }
                }
            }
        } else {
            for (const Gate& g : std::get<GateLayer>(layer).gates)
                for (std::size_t k = 0; k < g.count; ++k) {
                    V p{};
                    if (g.f.uses_parameter()) p = ar.from_rational(g.params.at(k));
                    V f = eval_expr(g.f, ar, z[g.control + k], g.f.uses_parameter() ? &p : nullptr);
                    for (std::size_t t : g.targets.list()) ar.mul(z[t + k], f, z[t + k]);
                    ar.zero(z[g.control + k]);
                }
        }
    }
    return z;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// The entries of a bias written as a list or by runs.
std::vector<std::string> dense_bias(const nlohmann::json& c) {
    if (c.is_array()) return c.get<std::vector<std::string>>();
    std::vector<std::string> d(c["size"].get<std::size_t>(), "0");
    for (auto& r : c["runs"])
        for (std::size_t i = r[0]; i < r[1].get<std::size_t>(); ++i) d[i] = r[2];
    return d;
}

// f with the parameter "p" replaced by the constant v.
nlohmann::json substitute(const nlohmann::json& f, const std::string& v) {
    if (f.is_string()) return f == "p" ? nlohmann::json(v) : f;
    nlohmann::json g = f;
    if (g.is_object())
        for (auto& a : g["args"]) a = substitute(a, v);
    return g;
}

// Rewrites the compact JSON forms ("runs", "ranges", gate groups with "count" and
// "params") of a network document as the per-coordinate lists and one gate per
// coordinate, each with its own constants, of the original format.
void expand_compact_forms(nlohmann::json& doc) {
    auto expand_indices = [](nlohmann::json& v) {
        if (!v.is_object()) return;
        nlohmann::json list = nlohmann::json::array();
        for (auto& r : v["ranges"])
            for (std::size_t i = r[0]; i < r[1].get<std::size_t>(); ++i) list.push_back(i);
        v = list;
    };
    for (auto& l : doc["layers"]) {
        if (l.contains("c")) l["c"] = dense_bias(l["c"]);
        if (l.contains("indices")) expand_indices(l["indices"]);
        if (!l.contains("gates")) continue;
        nlohmann::json gates = nlohmann::json::array();
        for (auto& g : l["gates"]) {
            expand_indices(g["targets"]);
            const std::size_t count = g.value("count", std::size_t{1});
            const std::vector<std::string> p =
                g.contains("params") ? dense_bias(g["params"]) : std::vector<std::string>{};
            for (std::size_t k = 0; k < count; ++k) {
                nlohmann::json t = nlohmann::json::array();
                for (auto& i : g["targets"]) t.push_back(i.get<std::size_t>() + k);
                gates.push_back({{"control", g["control"].get<std::size_t>() + k},
                                 {"targets", t},
                                 {"f", p.empty() ? g["f"] : substitute(g["f"], p[k])}});
            }
        }
        l["gates"] = gates;
    }
}

struct Built {
    CsSetup setup;
    std::vector<Rational> y;
};

Built problem(std::size_t n, Modality m, bool complex, unsigned salt) {
    auto g = test::rng(salt);
    const Shape shape({n, n});
    const int levels = std::countr_zero(n);
    std::vector<double> x(n * n);
    for (double& v : x) v = static_cast<double>(g() % 9) / 8;
    const auto s = image_sparsities(shape, levels, x);
    CsSetup st =
        make_setup(shape, m, levels, sample_pattern(shape, m, s, 0.4, 5), s, true, Rational(1, 1 << 20), 0, complex);
    std::vector<Rational> y;
    for (std::size_t i = 0; i < st.problem.A->rows(); ++i) y.push_back(Rational(static_cast<long>(g() % 17) - 8, 16));
    return {std::move(st), std::move(y)};
}

}  // namespace

TEST_CASE("biases by runs hold exactly their entries and add them with the per-entry operations", "[scale]") {
    auto g = test::rng(901);
    for (int rep = 0; rep < test::cases(40); ++rep) {
        const std::size_t n = 1 + g() % 60;
        const std::vector<Rational> v = runny_vector(g, n);
        const Bias b(v);
        REQUIRE(b.size() == n);
        CHECK(b.dense() == v);
        for (std::size_t i = 0; i < n; ++i) CHECK(b.at(i) == v[i]);
        // maximal runs of equal non-zero values, and distinct non-zero values, counted directly
        std::size_t runs = 0;
        std::set<Rational> distinct;
        for (std::size_t i = 0; i < n; ++i) {
            if (v[i].is_zero()) continue;
            distinct.insert(v[i]);
            runs += i == 0 || v[i - 1] != v[i];
        }
        CHECK(b.stored_runs() == runs);
        CHECK(b.distinct_values() == distinct.size());
        CHECK(b.is_zero() == distinct.empty());
        // z + c: exactly, and in double with the bits of the per-entry additions (zeros skipped)
        const std::vector<Rational> z = test::random_vector(g, n, 12);
        std::vector<Rational> ze = z;
        b.add_to(ExactArith{}, std::span<Rational>(ze));
        std::vector<double> zd, want;
        for (std::size_t i = 0; i < n; ++i) {
            CHECK(ze[i] == z[i] + v[i]);
            zd.push_back(i % 7 == 0 ? -0.0 : z[i].to_double(Round::nearest));
            want.push_back(v[i].is_zero() ? zd[i] : zd[i] + v[i].to_double(Round::nearest));
        }
        b.add_to(DoubleArith{}, std::span<double>(zd));
        CHECK(same_bits(zd, want));
        // balls: each sum encloses the exact one
        std::vector<Ball> zb;
        for (const Rational& r : z) zb.emplace_back(r, 64);
        b.add_to(BallArith{64, false}, std::span<Ball>(zb));
        for (std::size_t i = 0; i < n; ++i) CHECK(zb[i].contains(z[i] + v[i]));
    }
    // runs given out of order are sorted; overlapping or outside runs are refused
    const Bias r = Bias::from_runs(6, {{4, 6, Rational(2)}, {0, 2, Rational(-1, 3)}, {2, 4, Rational(0)}});
    CHECK(r.dense() ==
          std::vector<Rational>{Rational(-1, 3), Rational(-1, 3), Rational(0), Rational(0), Rational(2), Rational(2)});
    CHECK_THROWS_WITH(Bias::from_runs(6, {{0, 3, Rational(1)}, {2, 4, Rational(1)}}), Catch::Contains("overlaps"));
    CHECK_THROWS_WITH(Bias::from_runs(6, {{5, 7, Rational(1)}}), Catch::Contains("outside the bias of size 6"));
    CHECK_THROWS_AS(Bias::from_runs(6, {{3, 3, Rational(1)}}), ShapeError);
    CHECK(Bias(5).dense() == std::vector<Rational>(5));
}

TEST_CASE("index ranges keep the list they were built from, in maximal runs", "[scale]") {
    auto g = test::rng(902);
    for (int rep = 0; rep < test::cases(50); ++rep) {
        std::vector<std::size_t> list;
        const std::size_t n = g() % 40;
        for (std::size_t k = 0; k < n; ++k) list.push_back(g() % 3 ? (list.empty() ? 0 : list.back() + 1) : g() % 50);
        const IndexRanges s(list);
        CHECK(s.list() == list);
        CHECK(s.size() == list.size());
        std::size_t breaks = 0;
        for (std::size_t k = 1; k < list.size(); ++k) breaks += list[k] != list[k - 1] + 1;
        CHECK(s.runs().size() == (list.empty() ? 0 : breaks + 1));
    }
    IndexRanges r = IndexRanges::range(3, 6);
    r.append(6, 8);
    r.append(1, 1);
    r.append(0, 2);
    CHECK(r.runs().size() == 2);
    CHECK(r.list() == std::vector<std::size_t>{3, 4, 5, 6, 7, 0, 1});
    CHECK(r == IndexRanges({3, 4, 5, 6, 7, 0, 1}));
    // the network refuses overlapping or out-of-range runs, naming the index
    Network net(10);
    CHECK_THROWS_WITH(net.add_elementwise(Scalar::relu, IndexRanges({3, 4, 5, 9, 4})),
                      Catch::Contains("index 4 appears twice"));
    CHECK_THROWS_WITH(net.add_elementwise(Scalar::relu, IndexRanges::range(8, 12)),
                      Catch::Contains("index 10 is out of range"));
    CHECK_THROWS_WITH(net.add_gates({Gate{4, IndexRanges::range(0, 6), Expr::variable()}}),
                      Catch::Contains("index 4 is used by two gates"));
    net.add_elementwise(Scalar::relu, IndexRanges::range(0, 10));
    net.add_gates({Gate{9, IndexRanges::range(0, 9), Expr::variable()}});
    CHECK(net.layers().size() == 2);
    // gate groups: gate k takes control + k and t + k; p needs one parameter per gate
    const Expr pu = Expr::binary(Expr::Op::mul, Expr::parameter(), Expr::variable());
    CHECK_THROWS_WITH(net.add_gates({Gate{0, {3, 4}, Expr::variable(), 2}}),
                      Catch::Contains("index 4 is used by two gates"));
    CHECK_THROWS_WITH(net.add_gates({Gate{0, {3, 6}, pu, 3}}), Catch::Contains("has 0 parameters (expected 3"));
    CHECK_THROWS_WITH(net.add_gates({Gate{0, {3, 6}, Expr::variable(), 3, Bias(3)}}), Catch::Contains("expected none"));
    CHECK_THROWS_WITH(net.add_gates({Gate{0, {3, 8}, pu, 3, Bias(3)}}), Catch::Contains("index 10 is out of range"));
    CHECK_THROWS_AS(eval_expr(pu, DoubleArith{}, 1.0), ShapeError);
    // more indices than the width are refused before any per-index work (a file may
    // write 10^7 gates of 10^7 targets in a few bytes)
    CHECK_THROWS_WITH(net.add_gates({Gate{0, IndexRanges::range(1, 5), Expr::variable(), 3}}),
                      Catch::Contains("take more indices than the 10 values"));
    nlohmann::json huge = {{"input_dim", 4},
                           {"layers",
                            {{{"type", "gate"},
                              {"gates",
                               {{{"control", 0},
                                 {"targets", {{"ranges", {{1, 10000000}, {1, 10000000}}}}},
                                 {"count", 10000000},
                                 {"f", "u"}}}}}}}};
    CHECK_THROWS_WITH(network_from_json(huge, "huge.json"), Catch::Contains("take more indices"));
    // three gates (0; 3, 6), (1; 4, 7), (2; 5, 8) with p = 1/2, 1/2, 3: z_t ← p·z_c·z_t
    const Bias p(std::vector<Rational>{Rational(1, 2), Rational(1, 2), Rational(3)});
    net.add_gates({Gate{0, {3, 6}, pu, 3, p}});
    std::vector<Rational> z;
    for (long i = 0; i < 10; ++i) z.push_back(Rational(i + 1));
    const auto out = evaluate(net, ExactArith{}, std::span<const Rational>(z));
    // after the ReLU and the first gate (control 9 = 10, targets 0..8 scaled by 10)
    std::vector<Rational> want(10);
    for (long i = 0; i < 9; ++i) want[i] = Rational(10 * (i + 1));
    for (std::size_t k = 0; k < 3; ++k) {
        const Rational pk = k < 2 ? Rational(1, 2) : Rational(3), u = want[k];
        want[3 + k] *= pk * u;
        want[6 + k] *= pk * u;
        want[k] = Rational(0);
    }
    CHECK(out == want);
}

TEST_CASE("unrolled networks: compact layers evaluate as the per-coordinate network (exact, bit-identical double)",
          "[scale]") {
    struct Case {
        Modality m;
        bool complex;
        Solver s;
        Rational lambda{1, 50};
    };
    for (Case c :
         {Case{Modality::walsh, false, Solver::firenet}, Case{Modality::walsh, false, Solver::nesta},
          Case{Modality::walsh, false, Solver::fista}, Case{Modality::fourier, false, Solver::firenet},
          Case{Modality::fourier, true, Solver::firenet}, Case{Modality::walsh, false, Solver::cp_bp},
          Case{Modality::walsh, true, Solver::firenet}, Case{Modality::walsh, true, Solver::ista, Rational(0)}}) {
        Built b = problem(8, c.m, c.complex, 903);
        SolverParams pr;
        pr.solver = c.s;
        pr.restarts = 2;
        pr.inner = 2;
        pr.lambda = c.lambda;
        pr.theta = Rational(1, 1 << 16);
        if (c.s == Solver::cp_bp) pr.tau = pr.sigma = Rational(1, 2);
        const Network net = build_unrolled(b.setup.problem, pr);
        INFO("solver " << solver_name(c.s) << (c.m == Modality::walsh ? " walsh" : " fourier")
                       << (c.complex ? " complex" : ""));
        std::vector<double> yd;
        for (const Rational& v : b.y) yd.push_back(v.to_double(Round::nearest));
        const std::vector<double> fast = evaluate(net, DoubleArith{}, std::span<const double>(yd));
        CHECK(same_bits(fast, per_coordinate(net, DoubleArith{}, yd)));
        // the same network read back from the per-coordinate JSON lists of the original format
        nlohmann::json doc = network_to_json(net);
        expand_compact_forms(doc);
        const Network old_form = network_from_json(doc, "expanded");
        CHECK(same_bits(evaluate(old_form, DoubleArith{}, std::span<const double>(yd)), fast));
        // reverse mode through the compact layers: the old form's gradient, bit for bit
        std::vector<double> w(fast.size());
        for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<double>(i % 5) - 2;
        CHECK(same_bits(vjp(net, yd, w).gradient, vjp(old_form, yd, w).gradient));
        if (c.m == Modality::walsh) {  // rational A: exactly
            const auto exact = evaluate_rational(net, ExactArith{}, b.y);
            CHECK(exact == per_coordinate(net, ExactArith{}, b.y));
            CHECK(evaluate_rational(old_form, ExactArith{}, b.y) == exact);
        }
    }
}

TEST_CASE("FIRENET storage is O(N + depth): per-layer storage independent of N, shared biases and operators",
          "[scale]") {
    {  // complex thresholds: one group of Nc gates per layer, the thresholds shared
        Built b = problem(16, Modality::fourier, true, 905);
        SolverParams pr;
        pr.restarts = 2;
        pr.inner = 2;
        const Network net = build_unrolled(b.setup.problem, pr);
        const Bias* first = nullptr;
        std::size_t groups = 0;
        for (const Layer& l : net.layers())
            if (auto* g = std::get_if<GateLayer>(&l))
                for (const Gate& gate : g->gates) {
                    if (gate.count == 1) continue;  // the projection onto the unit ball
                    ++groups;
                    CHECK(gate.count == 16 * 16);
                    if (!first) first = &gate.params;
                    CHECK(gate.params.shares_storage_with(*first));
                    CHECK(gate.params.stored_runs() <= 2 * 16);
                }
        CHECK(groups == 4);
    }
    for (std::size_t n : {16, 64}) {
        Built b = problem(n, Modality::fourier, false, 904);
        SolverParams pr;
        pr.restarts = 3;
        pr.inner = 2;
        const Network net = build_unrolled(b.setup.problem, pr);
        const std::size_t N = n * n;
        std::size_t runs = 0;
        const Bias* first_soft = nullptr;
        std::set<const LinearOperator*> ones;
        for (const Layer& l : net.layers()) {
            if (auto* a = std::get_if<AffineLayer>(&l)) {
                runs += a->c.stored_runs();
                if (a->c.stored_runs() > 0) {  // the soft-threshold biases: one storage for all
                    if (!first_soft) first_soft = &a->c;
                    CHECK(a->c.shares_storage_with(*first_soft));
                }
                for (const Block& k : dynamic_cast<const BlockOperator&>(*a->A).blocks())
                    if (k.op && k.op->kind() == "dense") ones.insert(k.op.get());
            } else if (auto* e = std::get_if<ElementwiseLayer>(&l)) {
                CHECK(e->indices->runs().size() == 1);
            } else {
                for (const Gate& g : std::get<GateLayer>(l).gates) CHECK(g.targets.runs().size() == 1);
            }
        }
        REQUIRE(first_soft);
        CHECK(ones.size() == 1);  // the row of ones of ‖v‖², one for the whole network
        // the weights are constant on the Haar levels' blocks: about 2√N runs per third of
        // the threshold bias, far fewer than its N entries per third
        CHECK(first_soft->stored_runs() <= 3 * 2 * n);
        // ±t per Haar level (one weight per level)
        CHECK(first_soft->distinct_values() <= 2 * static_cast<std::size_t>(std::countr_zero(n)));
        CHECK(runs == first_soft->stored_runs() * 3 * 2);  // one threshold layer per step
        CHECK(first_soft->size() > 3 * N);
    }
}
