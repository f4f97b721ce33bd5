// merge_neurons (neuron_merge.hpp): on random chains with injected scaled copies,
// constants, dead units and permuted layers the merged chain is the same function at
// random exact points and the map's claims hold pointwise; perturbing any one entry of a
// copy (a weight, the bias, the cap) prevents its merge; the bundled TwinStream network
// is decided in one node and its certificate (with the merge map) is accepted by the
// checker, tampered maps are rejected with the place named.
#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>

#include <nlohmann/json.hpp>

#include "../lipschitz/lipschitz_support.hpp"
#include "../support.hpp"
#include "rigornet/check/check.hpp"
#include "rigornet/verify/neuron_merge.hpp"
#include "rigornet/io/nnet_format.hpp"
#include "rigornet/io/sha256.hpp"
#include "rigornet/verify/verify.hpp"

using namespace rigornet;
using nlohmann::json;
using rigornet::test::repo_path;
using rigornet::test::run_cli;

namespace {

// A random chain: 1–3 inputs, 1–3 hidden layers of width 1–4, a third of the units clips.
ReluChain random_chain(std::mt19937_64& g) {
    ReluChain c = extract_relu_chain(rigornet::test::random_relu_network(g, 3, 2));
    c.caps.assign(c.depth(), {});
    for (std::size_t r = 0; r < c.depth(); ++r) {
        c.caps[r].resize(c.weights[r].rows());
        for (auto& cap : c.caps[r])
            if (g() % 3 == 0) cap = Rational(static_cast<long>(g() % 4 + 1), 2);
    }
    return c;
}

Rational positive(std::mt19937_64& g) {
    return Rational(static_cast<long>(g() % 7 + 1), static_cast<long>(g() % 5 + 1));
}

// Appends a unit to hidden layer r: incoming row `row`, bias, cap, outgoing column `col`.
void add_unit(ReluChain& c, std::size_t r, const std::vector<Rational>& row, const Rational& bias,
              const std::optional<Rational>& cap, const std::vector<Rational>& col) {
    const RationalMatrix& in = c.weights[r];
    const RationalMatrix& out = c.weights[r + 1];
    RationalMatrix a(in.rows() + 1, in.cols()), b(out.rows(), out.cols() + 1);
    for (std::size_t i = 0; i < in.rows(); ++i)
        for (std::size_t j = 0; j < in.cols(); ++j) a.set(i, j, in.at(i, j));
    for (std::size_t j = 0; j < in.cols(); ++j) a.set(in.rows(), j, row[j]);
    for (std::size_t i = 0; i < out.rows(); ++i) {
        for (std::size_t j = 0; j < out.cols(); ++j) b.set(i, j, out.at(i, j));
        b.set(i, out.cols(), col[i]);
    }
    c.weights[r] = std::move(a);
    c.weights[r + 1] = std::move(b);
    c.biases[r].push_back(bias);
    c.caps[r].push_back(cap);
}

std::vector<Rational> row_of(const ReluChain& c, std::size_t r, std::size_t k) {
    std::vector<Rational> v;
    for (std::size_t j = 0; j < c.weights[r].cols(); ++j) v.push_back(c.weights[r].at(k, j));
    return v;
}

std::vector<Rational> random_column(std::mt19937_64& g, const ReluChain& c, std::size_t r) {
    std::vector<Rational> v;
    for (std::size_t i = 0; i < c.weights[r + 1].rows(); ++i) v.push_back(rigornet::test::small_rational(g));
    return v;
}

// Appends s × unit k (row, bias and cap scaled by s > 0) with a random outgoing column.
std::size_t add_scaled_copy(ReluChain& c, std::mt19937_64& g, std::size_t r, std::size_t k, const Rational& s) {
    std::vector<Rational> row = row_of(c, r, k);
    for (Rational& x : row) x *= s;
    const std::optional<Rational> cap = c.caps[r][k] ? std::optional<Rational>(*c.caps[r][k] * s) : std::nullopt;
    add_unit(c, r, row, c.biases[r][k] * s, cap, random_column(g, c, r));
    return c.weights[r].rows() - 1;
}

// Permutes the units of hidden layer r (rows of W_r, biases, caps, columns of W_{r+1}).
void permute(ReluChain& c, std::size_t r, const std::vector<std::size_t>& perm) {
    c.caps.resize(c.depth());  // caps may be absent (plain ReLU layers)
    c.caps[r].resize(perm.size());
    const RationalMatrix in = c.weights[r], out = c.weights[r + 1];
    const auto bias = c.biases[r];
    const auto caps = c.caps[r];
    for (std::size_t n = 0; n < perm.size(); ++n) {
        for (std::size_t j = 0; j < in.cols(); ++j) c.weights[r].set(n, j, in.at(perm[n], j));
        for (std::size_t i = 0; i < out.rows(); ++i) c.weights[r + 1].set(i, n, out.at(i, perm[n]));
        c.biases[r][n] = bias[perm[n]];
        c.caps[r][n] = caps[perm[n]];
    }
}

// Random exact points: small rationals (kinks and ties included) and larger ones.
std::vector<Rational> random_point(std::mt19937_64& g, std::size_t n) {
    std::vector<Rational> x;
    for (std::size_t i = 0; i < n; ++i)
        x.push_back(g() % 2 ? rigornet::test::small_rational(g) : rigornet::test::random_rational(g, 10));
    return x;
}

// h_k(x) of every hidden unit, from the original chain (independent of the merge).
std::vector<std::vector<Rational>> hidden_values(const ReluChain& c, const std::vector<Rational>& x) {
    std::vector<std::vector<Rational>> z = c.preactivations(x);
    for (std::size_t r = 0; r < z.size(); ++r)
        for (std::size_t k = 0; k < z[r].size(); ++k) z[r][k] = c.activate(r, k, z[r][k]);
    return z;
}

// The map's claims at x: members equal scale × representative, constants do not move.
void check_map_at(const ReluChain& c, const NeuronMerge& m, const std::vector<Rational>& x,
                  const std::vector<std::vector<Rational>>& h0) {
    const auto h = hidden_values(c, x);
    for (std::size_t r = 0; r < h.size(); ++r)
        for (std::size_t k = 0; k < h[r].size(); ++k) {
            const UnitMap& u = m.map[r][k];
            INFO("layer " << r << " unit " << k);
            if (u.kind == UnitMap::Kind::constant)
                CHECK(h[r][k] == h0[r][k]);
            else
                CHECK(h[r][k] == u.scale * h[r][u.rep]);
        }
}

}  // namespace

TEST_CASE("merge: injected copies, constants and dead units go; the merged chain is the same function", "[merge]") {
    auto g = rigornet::test::rng(71);
    for (int trial = 0; trial < rigornet::test::cases(80); ++trial) {
        ReluChain c = random_chain(g);
        struct Copy {
            std::size_t r, k, copy;
            Rational s;
        };
        std::vector<Copy> copies;
        for (std::size_t r = 0; r < c.depth(); ++r) {
            const std::size_t width = c.weights[r].rows();
            for (int n = 0; n < 1 + trial % 3; ++n) {
                const std::size_t k = g() % width;
                const Rational s = positive(g);
                copies.push_back({r, k, add_scaled_copy(c, g, r, k, s), s});
            }
            if (trial % 4 == 1)  // a constant unit (zero row)
                add_unit(c, r, std::vector<Rational>(c.weights[r].cols()), rigornet::test::small_rational(g),
                         std::nullopt, random_column(g, c, r));
            if (trial % 4 == 2) {  // a dead unit (zero outgoing column)
                std::vector<Rational> row;
                for (std::size_t j = 0; j < c.weights[r].cols(); ++j) row.push_back(rigornet::test::small_rational(g));
                add_unit(c, r, row, Rational(1), std::nullopt, std::vector<Rational>(c.weights[r + 1].rows()));
            }
        }
        // permute every hidden layer (after the copies: representatives are no longer first)
        std::vector<std::vector<std::size_t>> where(c.depth());  // where[r][old] = new index
        for (std::size_t r = 0; r < c.depth(); ++r) {
            std::vector<std::size_t> perm(c.weights[r].rows());
            std::iota(perm.begin(), perm.end(), 0);
            std::shuffle(perm.begin(), perm.end(), g);
            permute(c, r, perm);
            where[r].resize(perm.size());
            for (std::size_t n = 0; n < perm.size(); ++n) where[r][perm[n]] = n;
        }
        const NeuronMerge m = merge_neurons(c);
        INFO("trial " << trial);
        CHECK(m.merged.hidden_units() + m.removed() == c.hidden_units());
        CHECK(m.removed() >= copies.size());
        // every injected copy found: same class as its original, scale s relative to it
        for (const Copy& cp : copies) {
            const UnitMap& a = m.map[cp.r][where[cp.r][cp.k]];
            const UnitMap& b = m.map[cp.r][where[cp.r][cp.copy]];
            // a constant original (class-summed weights 0) has a constant copy: the
            // pointwise check below covers it
            if (a.kind == UnitMap::Kind::constant || b.kind == UnitMap::Kind::constant) continue;
            CHECK(a.rep == b.rep);
            CHECK(b.scale == cp.s * a.scale);
        }
        const auto h0 = hidden_values(c, std::vector<Rational>(c.input_dim));
        for (int n = 0; n < 12; ++n) {
            const std::vector<Rational> x = random_point(g, c.input_dim);
            CHECK(m.merged.evaluate(x) == c.evaluate(x));
            check_map_at(c, m, x, h0);
        }
    }
}

TEST_CASE("merge: no false merges (a copy differing in one weight, the bias or the cap stays)", "[merge]") {
    auto g = rigornet::test::rng(72);
    int unchanged = 0;
    for (int trial = 0; trial < rigornet::test::cases(80); ++trial) {
        ReluChain c = random_chain(g);
        const NeuronMerge before = merge_neurons(c);
        if (before.removed() == 0) {  // nothing to merge: the chain comes back as it was
            ++unchanged;
            CHECK(before.merged.weights == c.weights);
            CHECK(before.merged.biases == c.biases);
        }
        const std::size_t r = g() % c.depth(), k = g() % c.weights[r].rows();
        const std::size_t copy = add_scaled_copy(c, g, r, k, positive(g));
        const std::size_t cols = c.weights[r].cols();
        const Rational tiny(1, 997);  // the small rationals have denominators ≤ 4: no accidental match
        // perturb one entry of the copy. A weight from source j changes the function when
        // j is not constant and the row has a nonzero weight on another class of sources
        // (else s·u + δ·e_j may still be a positive multiple of u: a true merge); the
        // bias and the cap always do (a non-constant unit's scale is fixed by its weights).
        std::map<std::size_t, Rational> by_class;  // the sources' class (representative) → weight
        for (std::size_t j = 0; j < cols; ++j) {
            if (r > 0 && before.map[r - 1][j].kind == UnitMap::Kind::constant) continue;
            const std::size_t cls = r == 0 ? j : before.map[r - 1][j].rep;
            by_class[cls] += c.weights[r].at(copy, j) * (r == 0 ? Rational(1) : before.map[r - 1][j].scale);
        }
        std::vector<std::size_t> live;
        for (std::size_t j = 0; j < cols; ++j) {
            if (r > 0 && before.map[r - 1][j].kind == UnitMap::Kind::constant) continue;
            const std::size_t cls = r == 0 ? j : before.map[r - 1][j].rep;
            bool other = false;
            for (const auto& [k2, w] : by_class) other = other || (k2 != cls && !w.is_zero());
            if (other) live.push_back(j);
        }
        const int what = static_cast<int>(g() % 3);
        if (what == 0 && !live.empty()) {
            const std::size_t j = live[g() % live.size()];
            c.weights[r].set(copy, j, c.weights[r].at(copy, j) + tiny);
        } else if (what == 1 || live.empty()) {
            c.biases[r][copy] += tiny;
        } else {
            c.caps[r][copy] = c.caps[r][copy] ? std::optional<Rational>(*c.caps[r][copy] + tiny)
                                              : std::optional<Rational>(Rational(3));
        }
        const NeuronMerge m = merge_neurons(c);
        INFO("trial " << trial << " layer " << r << " unit " << k << " perturbed " << what);
        const UnitMap& u = m.map[r][copy];
        if (u.kind == UnitMap::Kind::member) CHECK(u.rep == copy);
        const auto h0 = hidden_values(c, std::vector<Rational>(c.input_dim));
        for (int n = 0; n < 6; ++n) {
            const std::vector<Rational> x = random_point(g, c.input_dim);
            CHECK(m.merged.evaluate(x) == c.evaluate(x));
            check_map_at(c, m, x, h0);
        }
    }
    CHECK(unchanged > 20);
}

TEST_CASE("merge: the bundled TwinStream network is decided in one node; check accepts its certificate",
          "[merge][check]") {
    const std::string net = repo_path("tests/data/nnet/twin_ladder-25_inp-4_layers-10_width-1e-2_margin.nnet");
    const std::string prop = repo_path("tests/data/nnet/twin_y0_le_0.vnnlib");
    const Network network = read_nnet(net, NumberReading::decimal);
    const ReluChain c = extract_relu_chain(network);
    const NeuronMerge m = merge_neurons(c);
    // the two streams of 10 units per layer are one: output weights w − w = 0
    CHECK(m.merged.weights.back() == RationalMatrix(1, m.merged.weights.back().cols()));
    CHECK(m.merged_units == 30);
    // the held-out kind of variant: the second stream permuted and its units scaled by
    // positive factors (row and bias × s, outgoing column ÷ s: the same function)
    {
        auto g = rigornet::test::rng(73);
        ReluChain v = c;
        for (std::size_t r = 1; r < v.depth(); ++r) {
            for (std::size_t k = 10; k < 20; ++k) {
                const Rational f = positive(g);
                for (std::size_t j = 0; j < v.weights[r].cols(); ++j) v.weights[r].set(k, j, v.weights[r].at(k, j) * f);
                v.biases[r][k] *= f;
                for (std::size_t i = 0; i < v.weights[r + 1].rows(); ++i)
                    v.weights[r + 1].set(i, k, v.weights[r + 1].at(i, k) / f);
            }
            std::vector<std::size_t> perm(20);
            std::iota(perm.begin(), perm.end(), 0);
            std::shuffle(perm.begin() + 10, perm.end(), g);
            permute(v, r, perm);
        }
        const NeuronMerge mv = merge_neurons(v);
        CHECK(mv.merged.weights.back() == RationalMatrix(1, mv.merged.weights.back().cols()));
        CHECK(mv.merged_units == 30);
        for (int n = 0; n < 4; ++n) {
            const std::vector<Rational> x = random_point(g, v.input_dim);
            CHECK(mv.merged.evaluate(x) == c.evaluate(x));
            CHECK(v.evaluate(x) == c.evaluate(x));
        }
    }
    const VnnlibProperty p = read_vnnlib(prop);
    VerifyOptions o;
    o.timeout_seconds = 10;
    const VerifyResult r = verify(c, p, o);
    CHECK(r.verdict == Verdict::proved);
    CHECK(r.nodes == 1);
    o.merge = false;  // without the merge the two streams' relaxations do not cancel
    o.max_nodes = 200;
    CHECK(verify(c, p, o).verdict == Verdict::unknown);

    const std::string cert = rigornet::test::temp_path(".json");
    std::string out, err;
    REQUIRE(run_cli("verify " + net + " " + prop + " --json --certificate " + cert, out, &err) == 0);
    CHECK(json::parse(out)["merged_neurons"] == m.removed());
    std::string cout;
    CHECK(run_cli("check " + net + " " + prop + " " + cert, cout, &err) == 0);
    const json good = read_certificate(cert);
    std::remove(cert.c_str());
    CHECK(good["version"] == 6);  // a dual_interval leaf (25 inputs: searched by ReLU splitting)
    const CertificateSubject s{network, "nnet-decimal", sha256_file_hex(net), p, sha256_file_hex(prop)};
    REQUIRE(check_certificate(good, s).valid);
    // layer 1 (after the input clip): units 0…9 one stream, 10…19 the other
    REQUIRE(good["merge"][1]["units"][10] == json({{"rep", 0}, {"scale", "1"}}));
    auto rejected = [&](const std::function<void(json&)>& tamper, const std::string& needle) {
        json bad = good;
        tamper(bad);
        const CheckResult cr = check_certificate(bad, s);
        INFO("reason: " << cr.reason);
        CHECK(!cr.valid);
        CHECK(cr.reason.find(needle) != std::string::npos);
    };
    rejected([](json& j) { j["merge"][1]["units"][10]["scale"] = "2"; }, "merge[1].units[10]: ");
    rejected([](json& j) { j["merge"][1]["units"][10]["scale"] = "-1"; },
             "merge[1].units[10].scale: scale -1 is not positive");
    rejected([](json& j) { j["merge"][1]["units"][11] = {{"rep", 0}, {"scale", "1"}}; }, "merge[1].units[11]");
    rejected([](json& j) { j["merge"][1]["units"][0] = "constant"; },
             "merge[1].units[0]: unit 0 of layer 1 is not constant");
    rejected(
        [](json& j) {
            j["merge"][1]["units"][12] = {{"rep", 10}, {"scale", "1"}};
        },
        "merge[1].units[12].rep: unit 10 is not a representative");
    rejected([](json& j) { j["merge"][1]["dead"] = {3}; }, "merge[1].dead[0]: unit 3 of layer 1 is not dead");
    rejected([](json& j) { j["merge"][0]["units"][1] = {{"rep", 0}, {"scale", "1"}}; }, "merge[0].units[1]");
    rejected([](json& j) { j.erase("merge"); }, "tree.slopes[1]");  // the tree is about the merged chain
    rejected([](json& j) { j["version"] = 1; }, "certificate: unknown key \"merge\"");
    rejected([](json& j) { j["version"] = 7; }, "certificate.version");
}
