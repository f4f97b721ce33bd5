// The certificate checker: certificates built here (uniform bisection and relu splits,
// the test's own construction, independent of the search) are accepted exactly when
// they should be, tampered ones are rejected, and the leaf bound is sound by containment.
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../lipschitz/lipschitz_support.hpp"
#include "../support.hpp"
#include "rigornet/check/check.hpp"
#include "rigornet/check/dual_bound.hpp"
#include "rigornet/core/error.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/io/json_format.hpp"
#include "rigornet/io/nnet_format.hpp"
#include "rigornet/io/sha256.hpp"

using namespace rigornet;
using nlohmann::json;
using rigornet::test::repo_path;
using rigornet::test::run_cli;

namespace {

std::string vnnlib_data(const std::string& f) { return repo_path("tests/data/vnnlib/" + f); }
std::string check_data(const std::string& f) { return repo_path("tests/data/check/" + f); }

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// Σ ax·x + Σ ay·y ≤ rhs with a single non-zero output coefficient ay[j] = s.
LinearConstraint output_constraint(std::size_t n, std::size_t m, std::size_t j, long s, const Rational& rhs) {
    LinearConstraint k{std::vector<Rational>(n), std::vector<Rational>(m), rhs};
    k.ay[j] = Rational(s);
    return k;
}

json strings(const std::vector<Rational>& v) {
    json a = json::array();
    for (const Rational& r : v) a.push_back(r.str());
    return a;
}

// The test's own certificate construction: at each node either bisect the input dim
// level mod n at the midpoint, or (with probability relu_percent) split a random plain
// ReLU unit not yet fixed on the path. At a leaf, slopes are 0 (or random in [0, 1]),
// and each conjunction is refuted by the first constraint that the bound refutes (the
// first constraint when none does: the checker must then reject the certificate).
struct TreeBuilder {
    const ReluChain& c;
    const VnnlibProperty& p;
    std::mt19937_64& g;
    bool random_slopes = false;
    int relu_percent = 0;

    json build(int depth) {
        std::vector<std::vector<UnitFix>> fixed;
        for (std::size_t r = 0; r < c.depth(); ++r) fixed.emplace_back(c.weights[r].rows(), UnitFix::free);
        std::vector<Rational> lo = p.lower, hi = p.upper;
        return node(lo, hi, fixed, depth, 0);
    }

    json node(std::vector<Rational>& lo, std::vector<Rational>& hi, std::vector<std::vector<UnitFix>>& fixed, int depth,
              int level) {
        if (depth == 0) return leaf(lo, hi, fixed);
        if (relu_percent > 0 && static_cast<int>(g() % 100) < relu_percent) {
            std::vector<std::pair<std::size_t, std::size_t>> free;
            for (std::size_t r = 0; r < fixed.size(); ++r)
                for (std::size_t k = 0; k < fixed[r].size(); ++k)
                    if (fixed[r][k] == UnitFix::free && !c.cap(r, k)) free.push_back({r, k});
            if (!free.empty()) {
                const auto [r, k] = free[g() % free.size()];
                json s{{"split", "relu"}, {"layer", r}, {"unit", k}};
                fixed[r][k] = UnitFix::inactive;
                s["inactive"] = node(lo, hi, fixed, depth - 1, level + 1);
                fixed[r][k] = UnitFix::active;
                s["active"] = node(lo, hi, fixed, depth - 1, level + 1);
                fixed[r][k] = UnitFix::free;
                return s;
            }
        }
        const std::size_t i = static_cast<std::size_t>(level) % c.input_dim;
        const Rational mid = (lo[i] + hi[i]) / Rational(2), old_lo = lo[i], old_hi = hi[i];
        json s{{"split", "input"}, {"dim", i}, {"at", mid.str()}};
        hi[i] = mid;
        s["below"] = node(lo, hi, fixed, depth - 1, level + 1);
        hi[i] = old_hi;
        lo[i] = mid;
        s["above"] = node(lo, hi, fixed, depth - 1, level + 1);
        lo[i] = old_lo;
        return s;
    }

    json leaf(const std::vector<Rational>& lo, const std::vector<Rational>& hi,
              const std::vector<std::vector<UnitFix>>& fixed) {
        static const Rational choices[] = {Rational(0), Rational(1), Rational(1, 2), Rational(1, 3)};
        std::vector<std::vector<Rational>> slopes;
        for (const auto& layer : fixed) {
            slopes.emplace_back();
            for (std::size_t k = 0; k < layer.size(); ++k)
                slopes.back().push_back(random_slopes ? choices[g() % 4] : Rational(0));
        }
        const LeafBounds b = symbolic_bounds(c, lo, hi, fixed, slopes);
        json refutes = json::array();
        for (const auto& conj : p.unsafe) {
            std::size_t pick = 0;
            for (std::size_t m = 0; m < conj.size(); ++m)
                if (constraint_lower_bound(conj[m], b, lo, hi) > conj[m].rhs) {
                    pick = m;
                    break;
                }
            refutes.push_back(pick);
        }
        json s = json::array();
        for (const auto& layer : slopes) s.push_back(strings(layer));
        return {{"leaf", "bound"}, {"slopes", s}, {"refutes", refutes}};
    }
};

json certificate(const CertificateSubject& s, const std::string& result) {
    return {{"format", "rigornet-verify-certificate"},
            {"version", 1},
            {"rigornet_version", "test"},
            {"network", {{"file", "net.json"}, {"sha256", s.net_sha256}, {"semantics", s.semantics}}},
            {"property", {{"file", "prop.vnnlib"}, {"sha256", s.prop_sha256}}},
            {"result", result}};
}

// A naive interval bound of every output over the box, in exact rationals: the test's
// independent sound bound (interval arithmetic through each affine map and ReLU/clip).
std::vector<std::pair<Rational, Rational>> interval_outputs(const ReluChain& c, const std::vector<Rational>& lo,
                                                            const std::vector<Rational>& hi) {
    std::vector<Rational> l = lo, u = hi;
    for (std::size_t r = 0; r <= c.depth(); ++r) {
        std::vector<Rational> nl, nu;
        for (std::size_t i = 0; i < c.weights[r].rows(); ++i) {
            Rational a = c.biases[r][i], b = c.biases[r][i];
            for (std::size_t j = 0; j < l.size(); ++j) {
                const Rational w = c.weights[r].at(i, j);
                a += w * (w.sign() > 0 ? l[j] : u[j]);
                b += w * (w.sign() > 0 ? u[j] : l[j]);
            }
            if (r < c.depth()) {
                a = c.activate(r, i, a);
                b = c.activate(r, i, b);
            }
            nl.push_back(a);
            nu.push_back(b);
        }
        l = std::move(nl);
        u = std::move(nu);
    }
    std::vector<std::pair<Rational, Rational>> out;
    for (std::size_t j = 0; j < l.size(); ++j) out.push_back({l[j], u[j]});
    return out;
}

// A random chain of random_relu_network with some hidden units turned into clips.
ReluChain random_chain(std::mt19937_64& g, bool with_caps) {
    ReluChain c = extract_relu_chain(rigornet::test::random_relu_network(g, 3, 2));
    if (with_caps) {
        c.caps.assign(c.depth(), {});
        for (std::size_t r = 0; r < c.depth(); ++r)
            for (std::size_t k = 0; k < c.weights[r].rows(); ++k)
                c.caps[r].push_back(g() % 3 == 0 ? std::optional<Rational>(Rational(static_cast<long>(g() % 5), 2))
                                                 : std::nullopt);
    }
    return c;
}

Rational random_between(std::mt19937_64& g, const Rational& a, const Rational& b) {
    const long d = 1 + static_cast<long>(g() % 16);
    return a + (b - a) * Rational(static_cast<long>(g() % (d + 1)), d);
}

Rational at(const LinearFunction& f, const std::vector<Rational>& x) {
    Rational v = f.constant;
    for (std::size_t i = 0; i < x.size(); ++i) v += f.coef[i] * x[i];
    return v;
}

// A random box of c, an exact point x of it with its pre-activations z, relu fixes
// consistent with x (the unit's true phase there, a third of the plain ReLUs), and
// slopes (t − shift)/4 for a random t < count.
struct RandomRegion {
    std::vector<Rational> lo, hi, x;
    std::vector<std::vector<Rational>> z;
    std::vector<std::vector<UnitFix>> fixed;
    std::vector<std::vector<Rational>> slopes;
    RandomRegion(std::mt19937_64& g, const ReluChain& c, long count, long shift) {
        for (std::size_t i = 0; i < c.input_dim; ++i) {
            lo.push_back(rigornet::test::small_rational(g));
            hi.push_back(lo.back() + Rational(1 + static_cast<long>(g() % 4), 1 + static_cast<long>(g() % 3)));
            x.push_back(random_between(g, lo[i], hi[i]));
        }
        z = c.preactivations(x);
        for (std::size_t r = 0; r < c.depth(); ++r) {
            fixed.emplace_back();
            slopes.emplace_back();
            for (std::size_t k = 0; k < z[r].size(); ++k) {
                UnitFix fix = UnitFix::free;
                if (!c.cap(r, k) && g() % 3 == 0) fix = z[r][k].sign() > 0 ? UnitFix::active : UnitFix::inactive;
                fixed.back().push_back(fix);
                slopes.back().push_back(Rational(static_cast<long>(g() % static_cast<unsigned long>(count)) - shift, 4));
            }
        }
    }
};

// `good` changed by `tamper` is rejected, with `needle` in the reason.
void expect_rejected(const json& good, const std::function<void(json&)>& tamper, const std::string& needle,
                     const CertificateSubject& subject) {
    json bad = good;
    tamper(bad);
    const CheckResult r = check_certificate(bad, subject);
    INFO(bad.dump() << "\nreason: " << r.reason);
    CHECK(!r.valid);
    CHECK(r.reason.find(needle) != std::string::npos);
}

// A network written as a rigornet JSON file, to check it through the network reader.
std::string write_network(const Network& net) {
    const std::string path = rigornet::test::temp_path(".json");
    std::ofstream out(path);
    write_network_json(net, out);
    return path;
}

}  // namespace

TEST_CASE("check: SHA-256 agrees with the FIPS 180-2 examples", "[check]") {
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // a file hashed in chunks gives the digest of its bytes (here over two 64 KiB chunks)
    const std::string path = rigornet::test::temp_path(".bin");
    std::string big(200000, 'a');
    for (std::size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>(i % 251);
    write_file(path, big);
    CHECK(sha256_file_hex(path) == sha256_hex(big));
    std::remove(path.c_str());
    CHECK_THROWS_AS(sha256_file_hex(path), ParseError);
}

TEST_CASE("check: min_over_box is the minimum over the box's corners", "[check]") {
    auto g = rigornet::test::rng(701);
    for (int t = 0; t < rigornet::test::cases(50); ++t) {
        const std::size_t n = 1 + g() % 4;
        LinearFunction f{rigornet::test::random_vector(g, n, 6), rigornet::test::random_rational(g, 6)};
        std::vector<Rational> lo, hi;
        for (std::size_t i = 0; i < n; ++i) {
            const Rational a = rigornet::test::small_rational(g), b = rigornet::test::small_rational(g);
            lo.push_back(a < b ? a : b);
            hi.push_back(a < b ? b : a);
        }
        // a linear function's extremes over a box are at corners: enumerate all 2^n
        Rational mn, mx;
        for (std::size_t mask = 0; mask < (std::size_t{1} << n); ++mask) {
            std::vector<Rational> x;
            for (std::size_t i = 0; i < n; ++i) x.push_back(mask >> i & 1 ? hi[i] : lo[i]);
            const Rational v = at(f, x);
            if (mask == 0 || v < mn) mn = v;
            if (mask == 0 || v > mx) mx = v;
        }
        CHECK(min_over_box(f, lo, hi) == mn);
        CHECK(max_over_box(f, lo, hi) == mx);
    }
}

TEST_CASE("check: the leaf bound contains the exact f(x) on its region (random chains with clips)", "[check]") {
    // For random chains, boxes, points x of the box and relu fixes consistent with x (the
    // unit's true phase at x), the symbolic bounds at x and their concretisations over the
    // box contain f(x) (ReluChain::evaluate). A leaf that contained a counterexample
    // could therefore never refute it.
    auto g = rigornet::test::rng(702);
    for (int t = 0; t < rigornet::test::cases(60); ++t) {
        const ReluChain c = random_chain(g, t % 2 == 1);
        const RandomRegion reg(g, c, 5, 0);
        const auto& [lo, hi, x, z, fixed, slopes] = reg;
        const LeafBounds b = symbolic_bounds(c, lo, hi, fixed, slopes);
        const std::vector<Rational> y = c.evaluate(x);
        for (std::size_t j = 0; j < y.size(); ++j) {
            INFO("trial " << t << " output " << j << " y = " << y[j].str());
            CHECK(at(b.lower[j], x) <= y[j]);
            CHECK(y[j] <= at(b.upper[j], x));
            CHECK(min_over_box(b.lower[j], lo, hi) <= y[j]);
            CHECK(y[j] <= max_over_box(b.upper[j], lo, hi));
        }
    }
}

TEST_CASE("check: the rounded chord is outward and tight at the ends of [l, u]", "[check]") {
    // f(x) = relu(x) on [l, u] with l, u and the chord slope u/(u − l) not dyadic: the
    // chord meets relu at both ends, so rounding λ down or l up would put the upper bound
    // below f at one end; rounding to bound_precision bits keeps it within 2^−60 of f there.
    for (const auto& [l, u] : std::vector<std::pair<Rational, Rational>>{
             {Rational(-1, 3), Rational(2)}, {Rational(-5, 7), Rational(3, 11)}, {Rational(-1), Rational(1, 3)}}) {
        Network net(1);
        net.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1)}), nullptr, {Rational(0)});
        net.add_elementwise(Scalar::relu);
        net.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1)}), nullptr, {Rational(0)});
        ReluChain c = extract_relu_chain(net);
        const std::vector<Rational> lo{l}, hi{u};
        const LeafBounds b = symbolic_bounds(c, lo, hi, {{UnitFix::free}}, {{Rational(1, 3)}});
        const Rational tiny = Rational(1) / rigornet::pow2(60);
        INFO("[" << l.str() << ", " << u.str() << "]");
        CHECK(at(b.upper[0], lo) >= Rational(0));
        CHECK(at(b.upper[0], lo) <= tiny);
        CHECK(at(b.upper[0], hi) >= u);
        CHECK(at(b.upper[0], hi) - u <= tiny);
        CHECK(at(b.lower[0], hi) <= u / Rational(3));  // α rounded down, never up
        CHECK(u / Rational(3) - at(b.lower[0], hi) <= tiny);
        // a clip unit cut inside [l, u]: the constant bounds σ(l′) ≤ 0 and σ(u′) ≥ its cap
        c.caps = {{u / Rational(2)}};
        const LeafBounds k = symbolic_bounds(c, lo, hi, {{UnitFix::free}}, {{Rational(0)}});
        CHECK(at(k.lower[0], lo) == Rational(0));
        CHECK(at(k.upper[0], hi) == u / Rational(2));
    }
}

TEST_CASE("check: the leaf bound of ACAS Xu (6 x 50) contains the network's exact values", "[check]") {
    // The NNet test network as read (input clip and normalisation included), evaluated by
    // the network's own exact evaluator, against the bound of its chain on a small box.
    const Network net = read_nnet(repo_path("tests/data/nnet/acasxu_test.nnet"), NumberReading::decimal);
    const ReluChain c = extract_relu_chain(net);
    const std::vector<Rational> mid{Rational(30000), Rational(1, 3), Rational(-1, 2), Rational(650), Rational(600)},
        half{Rational(300), Rational(1, 100), Rational(1, 100), Rational(5), Rational(5)};
    std::vector<Rational> lo, hi;
    for (std::size_t i = 0; i < 5; ++i) {
        lo.push_back(mid[i] - half[i]);
        hi.push_back(mid[i] + half[i]);
    }
    std::vector<std::vector<UnitFix>> fixed;
    std::vector<std::vector<Rational>> slopes;
    for (std::size_t r = 0; r < c.depth(); ++r) {
        fixed.emplace_back(c.weights[r].rows(), UnitFix::free);
        slopes.emplace_back(c.weights[r].rows(), Rational(1, 2));
    }
    const LeafBounds b = symbolic_bounds(c, lo, hi, fixed, slopes);
    auto g = rigornet::test::rng(705);
    for (int t = 0; t < 4; ++t) {
        std::vector<Rational> x;
        for (std::size_t i = 0; i < 5; ++i) x.push_back(random_between(g, lo[i], hi[i]));
        const std::vector<Rational> y = evaluate(net, ExactArith{}, std::span<const Rational>(x));
        for (std::size_t j = 0; j < y.size(); ++j) {
            CHECK(min_over_box(b.lower[j], lo, hi) <= y[j]);
            CHECK(at(b.lower[j], x) <= y[j]);
            CHECK(y[j] <= at(b.upper[j], x));
            CHECK(y[j] <= max_over_box(b.upper[j], lo, hi));
        }
    }
}

TEST_CASE("check: the hand-written certificates of relu(x0 - x1) are accepted", "[check]") {
    const Network net = read_network_json(vnnlib_data("relu_diff.json"));
    for (const std::string which : {"holds", "violated"}) {
        const VnnlibProperty prop = read_vnnlib(vnnlib_data("relu_diff_" + which + ".vnnlib"));
        const CertificateSubject s{net, "json-exact", sha256_file_hex(vnnlib_data("relu_diff.json")), prop,
                                   sha256_file_hex(vnnlib_data("relu_diff_" + which + ".vnnlib"))};
        const CheckResult r = check_certificate(read_certificate(check_data("relu_diff_" + which + ".cert.json")), s);
        INFO(r.reason);
        CHECK(r.valid);
        CHECK(r.result == which);
        CHECK(r.leaves == (which == "holds" ? 3u : 0u));
    }
}

TEST_CASE("check: bisection trees of properties that hold are accepted; of false ones never", "[check]") {
    auto g = rigornet::test::rng(703);
    int accepted = 0;
    for (int t = 0; t < rigornet::test::cases(20); ++t) {
        const Network net = rigornet::test::random_relu_network(g, 2, 2);
        const ReluChain c = extract_relu_chain(net);
        const std::size_t n = c.input_dim, m = c.output_dim();
        VnnlibProperty p;
        for (std::size_t i = 0; i < n; ++i) {
            p.lower.push_back(Rational(-1));
            p.upper.push_back(Rational(1));
        }
        // true: y_0 ≥ M + 1 or y_last ≤ m − 1 with [m, M] from naive interval arithmetic
        // (the concretised symbolic bound with α = 0 is inside the naive interval, up to the
        // outward rounding of the chords by a relative 2^-63, which the margin 1 absorbs)
        const auto iv = interval_outputs(c, p.lower, p.upper);
        p.unsafe = {{output_constraint(n, m, 0, -1, -(iv[0].second + Rational(1)))},
                    {output_constraint(n, m, m - 1, 1, iv[m - 1].first - Rational(1)),
                     output_constraint(n, m, 0, 1, Rational(1000))}};
        const CertificateSubject s{net, "json-exact", "n", p, "p"};
        for (int depth = 0; depth <= 3; ++depth) {
            json cert = certificate(s, "holds");
            cert["tree"] = TreeBuilder{c, p, g, false, 0}.build(depth);
            const CheckResult r = check_certificate(cert, s);
            INFO("trial " << t << " depth " << depth << ": " << r.reason);
            CHECK(r.valid);
            accepted += r.valid;
        }
        // false: unsafe y_0 ≥ f_0(x0) for a point x0 of the box (x0 itself is unsafe)
        std::vector<Rational> x0;
        for (std::size_t i = 0; i < n; ++i) x0.push_back(random_between(g, p.lower[i], p.upper[i]));
        const std::vector<Rational> y0 = evaluate(net, ExactArith{}, std::span<const Rational>(x0));
        VnnlibProperty f = p;
        f.unsafe = {{output_constraint(n, m, 0, -1, -y0[0])}};
        const CertificateSubject fs{net, "json-exact", "n", f, "p"};
        for (int depth = 0; depth <= 4; ++depth) {
            json cert = certificate(fs, "holds");
            cert["tree"] = TreeBuilder{c, f, g, true, 30}.build(depth);
            const CheckResult r = check_certificate(cert, fs);
            INFO("x0 = " << strings(x0).dump());
            CHECK(!r.valid);
            CHECK(r.reason.find("does not refute") != std::string::npos);
        }
    }
    CHECK(accepted > 0);
}

TEST_CASE("check: tampered certificates are rejected with the place named", "[check]") {
    const Network net = read_network_json(vnnlib_data("relu_diff.json"));
    VnnlibProperty prop = read_vnnlib(vnnlib_data("relu_diff_holds.vnnlib"));
    const CertificateSubject s{net, "json-exact", sha256_file_hex(vnnlib_data("relu_diff.json")), prop,
                               sha256_file_hex(vnnlib_data("relu_diff_holds.vnnlib"))};
    const json good = read_certificate(check_data("relu_diff_holds.cert.json"));
    REQUIRE(check_certificate(good, s).valid);
    auto rejected = [&](const std::function<void(json&)>& tamper, const std::string& needle,
                        const CertificateSubject& subject) { expect_rejected(good, tamper, needle, subject); };
    auto tampered = [&](const std::function<void(json&)>& tamper, const std::string& needle) {
        rejected(tamper, needle, s);
    };
    tampered([](json& c) { c["tree"]["at"] = "0"; }, "tree.at: split value 0 is not strictly inside [0, 1]");
    tampered([](json& c) { c["tree"]["at"] = "3/2"; }, "not strictly inside");
    tampered([](json& c) { c["tree"]["at"] = "half"; }, "tree.at");
    tampered([](json& c) { c["tree"]["at"] = 0.5; }, "expected an exact rational");
    tampered([](json& c) { c["tree"]["above"]["active"]["slopes"][0][0] = "3/2"; },
             "tree.above.active.slopes[0][0]: slope 3/2 outside [0, 1]");
    tampered([](json& c) { c["tree"]["below"]["slopes"][0][0] = "-1/5"; }, "outside [0, 1]");
    tampered([](json& c) { c["tree"]["below"]["slopes"] = json::array(); }, "tree.below.slopes");
    tampered([](json& c) { c["tree"]["below"]["slopes"][0].push_back("0"); }, "tree.below.slopes[0]");
    tampered([](json& c) { c["tree"].erase("above"); }, "tree: missing \"above\"");
    tampered([](json& c) { c["tree"]["above"].erase("inactive"); }, "tree.above: missing \"inactive\"");
    tampered([](json& c) { c["tree"]["below"]["refutes"] = {1}; }, "tree.below.refutes[0]");
    tampered([](json& c) { c["tree"]["below"]["refutes"] = json::array(); }, "tree.below.refutes");
    tampered([](json& c) { c["tree"]["below"]["extra"] = 1; }, "tree.below: unknown key \"extra\"");
    tampered([](json& c) { c["tree"]["split"] = "output"; }, "tree.split");
    tampered([](json& c) { c["tree"]["dim"] = 2; }, "tree.dim");
    tampered([](json& c) { c["tree"]["above"]["layer"] = 1; }, "tree.above.layer");
    tampered([](json& c) { c["tree"]["above"]["active"] = c["tree"]["above"]; }, "split twice");
    tampered([](json& c) { c["network"]["sha256"] = std::string(64, '0'); }, "certificate is for another network");
    tampered([](json& c) { c["property"]["sha256"] = std::string(64, 'f'); }, "certificate is for another property");
    tampered([](json& c) { c["network"]["semantics"] = "nnet-binary64"; }, "network.semantics");
    tampered([](json& c) { c["format"] = "something-else"; }, "certificate.format");
    tampered([](json& c) { c["version"] = 7; }, "certificate.version");
    tampered([](json& c) { c["tree"]["below"]["leaf"] = "dual"; }, "tree.below.leaf: expected \"bound\" (\"dual\" needs version 3)");
    tampered([](json& c) { c.erase("rigornet_version"); }, "missing \"rigornet_version\"");
    tampered([](json& c) { c["result"] = "unknown"; }, "certificate.result");
    tampered([](json& c) { c["result"] = "violated"; }, "a violated certificate has no tree");
    tampered([](json& c) { c["counterexample"] = json::object(); }, "a holds certificate has no counterexample");
    tampered([](json& c) { c["tree"] = json::array(); }, "tree: expected a tree node");
    tampered([](json& c) { c["tree"]["below"]["leaf"] = "lp"; }, "tree.below.leaf");
    // the same tree for a network of the same shape but another function: its sha256
    // differs, and with the sha256 matched the leaves no longer refute (2·relu reaches 2)
    Network other(2);
    other.add_affine(std::make_shared<DenseMatrix>(1, 2, std::vector<Rational>{Rational(2), Rational(-2)}), nullptr,
                     {Rational(0)});
    other.add_elementwise(Scalar::relu);
    other.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1)}), nullptr, {Rational(0)});
    const std::string other_path = write_network(other);
    const CertificateSubject os{other, "json-exact", sha256_file_hex(other_path), prop, s.prop_sha256};
    std::remove(other_path.c_str());
    rejected([](json&) {}, "certificate is for another network", os);
    rejected([&](json& c) { c["network"]["sha256"] = os.net_sha256; }, "does not refute", os);
    // a wrong refuting constraint: conjunction {Y_0 ≥ 3/2, X_0 ≤ 2}, the second never refuted
    VnnlibProperty two = prop;
    two.unsafe[0].push_back({{Rational(1), Rational(0)}, {Rational(0)}, Rational(2)});
    const CertificateSubject ts{net, "json-exact", s.net_sha256, two, s.prop_sha256};
    CHECK(check_certificate(good, ts).valid);
    rejected([](json& c) { c["tree"]["below"]["refutes"] = {1}; },
             "tree.below: leaf does not refute conjunction 0 (lower bound 0 ≤ 2 of constraint 1)", ts);
}

TEST_CASE("check: damaged files and hostile nesting are refused without a crash", "[check]") {
    const std::string text = read_file(check_data("relu_diff_holds.cert.json"));
    REQUIRE(!text.empty());
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, text.size() / 2, text.size() - 3})
        CHECK_THROWS_AS(parse_certificate(text.substr(0, cut), "c.json"), ParseError);
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += "{\"a\":";
    CHECK_THROWS_AS(parse_certificate(deep, "deep.json"), ResourceError);
    // a tree deeper than the limit: input splits at d/(d+1), d = 1, 2, …, nested through
    // "above" (all strictly inside their boxes; the walk is iterative: only the limit stops it)
    Network line(1);
    line.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1)}), nullptr, {Rational(0)});
    line.add_elementwise(Scalar::relu);
    line.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1)}), nullptr, {Rational(0)});
    VnnlibProperty p;
    p.lower = {Rational(0)};
    p.upper = {Rational(1)};
    p.unsafe = {{output_constraint(1, 1, 0, -1, Rational(-2))}};
    const CertificateSubject s{line, "json-exact", "n", p, "p"};
    const std::string leaf = "{\"leaf\":\"bound\",\"slopes\":[[\"0\"]],\"refutes\":[0]}";
    std::string prefix, suffix;
    for (std::size_t d = 1; d <= certificate_limits::max_depth + 1; ++d) {
        prefix += "{\"split\":\"input\",\"dim\":0,\"at\":\"" + std::to_string(d) + "/" + std::to_string(d + 1) +
                  "\",\"below\":" + leaf + ",\"above\":";
        suffix += "}";
    }
    std::string doc = certificate(s, "holds").dump();
    doc.pop_back();
    doc += ",\"tree\":" + prefix + leaf + suffix + "}";
    const CheckResult r = check_certificate(parse_certificate(doc, "deep.json"), s);
    INFO(r.reason);
    CHECK(!r.valid);
    CHECK(r.reason.find("tree deeper than 10000") != std::string::npos);
    CHECK(r.leaves == certificate_limits::max_depth - 1);  // every "below" leaf on the way was refuted
}

TEST_CASE("check: counterexamples are re-evaluated exactly", "[check]") {
    const Network net = read_network_json(vnnlib_data("relu_diff.json"));
    const VnnlibProperty prop = read_vnnlib(vnnlib_data("relu_diff_violated.vnnlib"));
    const CertificateSubject s{net, "json-exact", sha256_file_hex(vnnlib_data("relu_diff.json")), prop,
                               sha256_file_hex(vnnlib_data("relu_diff_violated.vnnlib"))};
    const json good = read_certificate(check_data("relu_diff_violated.cert.json"));
    REQUIRE(check_certificate(good, s).valid);
    auto rejected = [&](const std::function<void(json&)>& tamper, const std::string& needle) {
        expect_rejected(good, tamper, needle, s);
    };
    rejected([](json& c) { c["counterexample"]["output"][0] = "999999/1000000"; },
             "counterexample.output[0]: 999999/1000000, but the network gives 1");
    rejected([](json& c) { c["counterexample"]["input"][0] = "1000001/1000000"; },
             "counterexample.input[0]: 1000001/1000000 is outside the box [0, 1]");
    // in the box and evaluated right, but f(1/2, 1/2) = 0 is safe
    rejected([](json& c) { c["counterexample"] = {{"input", {"1/2", "1/2"}}, {"output", {"0"}}}; },
             "satisfies no conjunction");
    rejected([](json& c) { c["counterexample"]["input"].push_back("0"); }, "counterexample.input");
    rejected([](json& c) { c.erase("counterexample"); }, "missing \"counterexample\"");
    rejected([](json& c) { c["counterexample"]["note"] = "x"; }, "unknown key \"note\"");
    // random points: a counterexample is accepted exactly when the point is unsafe
    auto g = rigornet::test::rng(704);
    for (int t = 0; t < rigornet::test::cases(30); ++t) {
        const std::vector<Rational> x{random_between(g, Rational(0), Rational(1)),
                                      random_between(g, Rational(0), Rational(1))};
        const Rational d = x[0] - x[1], y = d.sign() > 0 ? d : Rational(0);  // by hand: relu(x0 − x1)
        json c = good;
        c["counterexample"] = {{"input", strings(x)}, {"output", {y.str()}}};
        const CheckResult r = check_certificate(c, s);
        INFO(c.dump() << " " << r.reason);
        CHECK(r.valid == (y >= Rational(3, 4)));  // the other disjunct y + 2·x1 ≤ −1 is unreachable
    }
}

TEST_CASE("cli: check exit codes, reasons and JSON", "[check][cli]") {
    const std::string net = vnnlib_data("relu_diff.json"), holds = vnnlib_data("relu_diff_holds.vnnlib"),
                      violated = vnnlib_data("relu_diff_violated.vnnlib"),
                      hcert = check_data("relu_diff_holds.cert.json"),
                      vcert = check_data("relu_diff_violated.cert.json");
    std::string out, err;
    CHECK(run_cli("check " + net + " " + holds + " " + hcert, out, &err) == 0);
    CHECK(out.find("valid certificate: holds") != std::string::npos);
    CHECK(run_cli("check " + net + " " + violated + " " + vcert, out, &err) == 1);
    REQUIRE(run_cli("check " + net + " " + holds + " " + hcert + " --json", out, &err) == 0);
    const json j = json::parse(out);
    CHECK(j.at("valid") == true);
    CHECK(j.at("result") == "holds");
    CHECK(j.at("leaves") == 3);
    CHECK(j.contains("rigornet_version"));
    CHECK(j.contains("seconds"));
    // a certificate for another property
    CHECK(run_cli("check " + net + " " + violated + " " + hcert, out, &err) == 3);
    CHECK(out.find("certificate is for another property") != std::string::npos);
    // another network file: the same network with its weight written as 2/2
    const std::string copy = rigornet::test::temp_path(".json");
    std::string text = read_file(net);
    const std::size_t w = text.find("\"1\", \"-1\"");
    REQUIRE(w != std::string::npos);
    text.replace(w, 3, "\"2/2\"");
    write_file(copy, text);
    CHECK(run_cli("check " + copy + " " + holds + " " + hcert, out, &err) == 3);
    CHECK(out.find("certificate is for another network") != std::string::npos);
    std::remove(copy.c_str());
    // a truncated certificate
    const std::string cut = rigornet::test::temp_path(".json");
    const std::string cert = read_file(hcert);
    write_file(cut, cert.substr(0, cert.size() / 2));
    CHECK(run_cli("check " + net + " " + holds + " " + cut + " --json", out, &err) == 3);
    const json jc = json::parse(out);
    CHECK(jc.at("valid") == false);
    CHECK(jc.at("result").is_null());
    CHECK(jc.at("reason").get<std::string>().find("truncated") != std::string::npos);
    std::remove(cut.c_str());
    // a missing certificate file, and a missing network file: exit 3 naming the file
    CHECK(run_cli("check " + net + " " + holds + " /nonexistent/c.json", out, &err) == 3);
    CHECK(out.find("/nonexistent/c.json") != std::string::npos);
    CHECK(run_cli("check /nonexistent/n.json " + holds + " " + hcert, out, &err) == 3);
    CHECK(err.find("/nonexistent/n.json") != std::string::npos);
}

// ------------------------------------------------------------------ dual leaves (version 3)

TEST_CASE("check: dual ranges and bounds contain the exact values on the region, for any slopes", "[check][cert3]") {
    // Random chains with clips, boxes, a random exact point x of the box and relu fixes
    // consistent with x: every derived range contains z_rk(x) and the constraint bound is
    // ≤ a·x + c·f(x) (ReluChain::evaluate, independent of the bound). Slopes are random in
    // [−1, 2]: the Lagrangian bound must hold whatever the multipliers are.
    auto g = rigornet::test::rng(711);
    for (int t = 0; t < rigornet::test::cases(60); ++t) {
        const ReluChain c = random_chain(g, t % 2 == 1);
        const DualChain d(c);
        const std::size_t n = c.input_dim;
        const RandomRegion reg(g, c, 13, 4);  // slopes in [−1, 2]
        const auto& [lo, hi, x, z, fixed, slopes] = reg;
        std::vector<std::vector<Rational>> lower, upper;
        REQUIRE(dual_ranges(d, lo, hi, fixed, slopes, lower, upper));  // x is in the region
        for (std::size_t r = 0; r < c.depth(); ++r)
            for (std::size_t k = 0; k < z[r].size(); ++k) {
                INFO("trial " << t << " unit " << r << "," << k << ": " << lower[r][k].str() << " <= "
                              << z[r][k].str() << " <= " << upper[r][k].str());
                if (upper[r][k].sign() > 0) CHECK(lower[r][k] <= z[r][k]);  // else σ = 0, no lower end
                CHECK(z[r][k] <= upper[r][k]);
            }
        // the ranges of "dual_interval" leaves (version 6): inside the dual ones, containing z
        std::vector<std::vector<Rational>> il, iu;
        REQUIRE(dual_interval_ranges(d, lo, hi, fixed, slopes, il, iu));
        for (std::size_t r = 0; r < c.depth(); ++r)
            for (std::size_t k = 0; k < z[r].size(); ++k) {
                INFO("trial " << t << " unit " << r << "," << k << ": " << il[r][k].str() << " <= " << z[r][k].str()
                              << " <= " << iu[r][k].str());
                CHECK(iu[r][k] <= upper[r][k]);
                CHECK(z[r][k] <= iu[r][k]);
                if (iu[r][k].sign() > 0 || fixed[r][k] == UnitFix::inactive) CHECK(il[r][k] <= z[r][k]);
            }
        // refinements: random α in [−1, 2] and β of either sign on the fixed units
        DualRefinement refine;
        for (std::size_t r = 0; r < c.depth(); ++r) {
            refine.alpha.emplace_back();
            refine.beta.emplace_back();
            for (std::size_t k = 0; k < z[r].size(); ++k) {
                refine.alpha[r].push_back(Rational(static_cast<long>(g() % 13) - 4, 4));
                refine.beta[r].push_back(fixed[r][k] != UnitFix::free ? rigornet::test::small_rational(g) : Rational(0));
            }
        }
        const std::vector<Rational> y = c.evaluate(x);
        for (std::size_t j = 0; j < y.size(); ++j) {
            const LinearConstraint k = output_constraint(n, y.size(), j, g() % 2 ? 1 : -1, Rational(0));
            const Rational value = k.ay[j] * y[j];
            const Rational bound = dual_constraint_lower_bound(d, k, lo, hi, lower, upper, slopes);
            INFO("trial " << t << " output " << j << ": bound " << bound.str() << ", value " << value.str());
            CHECK(bound <= value);
            const Rational refined = dual_constraint_lower_bound(d, k, lo, hi, il, iu, slopes, &refine);
            const Rational beta_only =
                d.lower_bounds(c.depth(), {k.ay}, {k.ax}, lo, hi, il, iu, refine.alpha, &refine.beta)[0];
            INFO("refined " << refined.str() << ", with beta alone " << beta_only.str());
            CHECK(refined <= value);
            CHECK(beta_only <= refined);
        }
    }
}

TEST_CASE("check: the dual bound equals the exact minimum where the network is affine on the box", "[check][cert3]") {
    // y = relu(x0 − x1) + relu(x0 + x1) on [1, 2] × [−1/2, 1/2]: both units active on the
    // box, so y = 2·x0 and its minimum 2 is attained; the Lagrangian bound with ν = μ on
    // identity units is then exact (a theorem's value, not this code's output).
    Network net(2);
    net.add_affine(std::make_shared<DenseMatrix>(
                       2, 2, std::vector<Rational>{Rational(1), Rational(-1), Rational(1), Rational(1)}),
                   nullptr, {Rational(0), Rational(0)});
    net.add_elementwise(Scalar::relu);
    net.add_affine(std::make_shared<DenseMatrix>(1, 2, std::vector<Rational>{Rational(1), Rational(1)}), nullptr,
                   {Rational(0)});
    const ReluChain c = extract_relu_chain(net);
    const DualChain d(c);
    const std::vector<Rational> lo{Rational(1), Rational(-1, 2)}, hi{Rational(2), Rational(1, 2)};
    const std::vector<std::vector<UnitFix>> fixed{{UnitFix::free, UnitFix::free}};
    const std::vector<std::vector<Rational>> slopes{{Rational(0), Rational(0)}};
    std::vector<std::vector<Rational>> lower, upper;
    REQUIRE(dual_ranges(d, lo, hi, fixed, slopes, lower, upper));
    CHECK(lower[0][0] == Rational(1, 2));  // x0 − x1 ∈ [1/2, 5/2]
    CHECK(upper[0][0] == Rational(5, 2));
    CHECK(dual_constraint_lower_bound(d, output_constraint(2, 1, 0, 1, Rational(0)), lo, hi, lower, upper, slopes) ==
          Rational(2));
    // a fixed phase that contradicts the box: the region is empty
    std::vector<std::vector<UnitFix>> contra{{UnitFix::inactive, UnitFix::free}};
    CHECK_FALSE(dual_ranges(d, lo, hi, contra, slopes, lower, upper));
}

namespace {

// ⌊x⌋ for a rational x.
Rational floor_of(const Rational& x) {
    Rational r;
    fmpz_fdiv_q(fmpq_numref(r.get()), fmpq_numref(x.get()), fmpq_denref(x.get()));
    return r;
}

// The dual bound of dual_bound.hpp evaluated plainly in rationals, one objective at a
// time, from the rule as docs/certificates.md states it: ν by the CROWN rule, each row
// floored to the grid 2^−e, e = max(0, bits − 1 − ⌊log2 max |μ_j|⌋) over the units with
// u > 0 or β ≠ 0, and each unit's minimum of μσ(z) − νz over [l, u] taken among its values at l,
// u, 0 and the cap where these lie inside; with β (version 6) ν is the rule's plus β_j
// before the flooring, also where u ≤ 0.
Rational reference_dual_bound(const ReluChain& c, std::size_t layer, std::vector<Rational> nu,
                              const std::vector<Rational>& a, const std::vector<Rational>& lo,
                              const std::vector<Rational>& hi, const std::vector<std::vector<Rational>>& lower,
                              const std::vector<std::vector<Rational>>& upper,
                              const std::vector<std::vector<Rational>>& slopes,
                              const std::vector<std::vector<Rational>>& beta = {}) {
    Rational value;
    for (std::size_t q = layer + 1; q-- > 0;) {
        const RationalMatrix& w = c.weights[q];
        std::vector<Rational> mu(w.cols());
        for (std::size_t j = 0; j < w.rows(); ++j) {
            value += nu[j] * c.biases[q][j];
            for (std::size_t k = 0; k < w.cols(); ++k) {
                Rational e;
                fmpq_set(e.get(), fmpq_mat_entry(w.get(), j, k));
                mu[k] += nu[j] * e;
            }
        }
        if (q == 0) {
            for (std::size_t k = 0; k < mu.size(); ++k) {
                const Rational m = a.empty() ? mu[k] : mu[k] + a[k];
                value += m * (m.sign() > 0 ? lo[k] : hi[k]);
            }
            return value;
        }
        const std::size_t p = q - 1;
        auto beta_of = [&](std::size_t k) { return p < beta.size() ? beta[p][k] : Rational(0); };
        Rational top;
        for (std::size_t k = 0; k < mu.size(); ++k)
            if ((upper[p][k].sign() > 0 || !beta_of(k).is_zero()) && mu[k].abs() > top) top = mu[k].abs();
        long e = dual_multiplier_bits;
        if (top.sign() > 0) {
            long f = 0;  // ⌊log2 top⌋
            while (pow2(f) > top) --f;
            while (pow2(f + 1) <= top) ++f;
            e = std::max(0L, dual_multiplier_bits - 1 - f);
        }
        nu.assign(mu.size(), Rational(0));
        for (std::size_t k = 0; k < mu.size(); ++k) {
            const Rational &l = lower[p][k], &u = upper[p][k];
            if ((u.sign() <= 0 || mu[k].is_zero()) && beta_of(k).is_zero()) continue;
            const Rational* cap = c.cap(p, k);
            Rational s(0);
            if (u.sign() <= 0) s = Rational(0);
            else if (!cap || u <= *cap) s = l.sign() >= 0 ? Rational(1) : mu[k].sign() > 0 ? slopes[p][k] : u / (u - l);
            else if (l.sign() >= 0 && l < *cap && u - *cap <= *cap - l) s = Rational(1);
            nu[k] = floor_of((mu[k] * s + beta_of(k)) * pow2(e)) / pow2(e);
            std::vector<Rational> zs{l, u};
            if (l.sign() < 0 && u.sign() > 0) zs.emplace_back(0);
            if (cap && l < *cap && *cap < u) zs.push_back(*cap);
            Rational least = mu[k] * c.activate(p, k, l) - nu[k] * l;
            for (const Rational& z : zs) least = std::min(least, mu[k] * c.activate(p, k, z) - nu[k] * z);
            value += least;
        }
    }
    return value;
}

}  // namespace

TEST_CASE("check: the integer dual bound equals a plain rational evaluation of its rule", "[check][cert3]") {
    // Random chains (half with clips; every other pair with weights, biases and objectives
    // rounded to dyadics, as float networks have, so that the denominators of μ are powers
    // of two and the linear units take the shift path), ranges from dual_ranges widened by
    // random rationals with odd denominators (so the layer's common denominator is not a
    // power of two), random objective rows with an x-part: DualChain::lower_bounds
    // (integers over common denominators) must equal reference_dual_bound (rationals) exactly.
    auto g = rigornet::test::rng(733);
    for (int t = 0; t < rigornet::test::cases(40); ++t) {
        const bool dyadic = t % 4 >= 2;
        auto maybe_dyadic = [&](const Rational& v) { return dyadic ? round_dyadic(v, 6, Round::down) : v; };
        ReluChain c = random_chain(g, t % 2 == 1);
        for (std::size_t q = 0; q < c.weights.size(); ++q) {
            for (std::size_t i = 0; i < c.weights[q].rows(); ++i)
                for (std::size_t j = 0; j < c.weights[q].cols(); ++j)
                    c.weights[q].set(i, j, maybe_dyadic(c.weights[q].at(i, j)));
            for (Rational& v : c.biases[q]) v = maybe_dyadic(v);
        }
        const DualChain d(c);
        const RandomRegion reg(g, c, 13, 4);
        const auto& [lo, hi, x, z, fixed, slopes] = reg;
        std::vector<std::vector<Rational>> lower, upper;
        REQUIRE(dual_ranges(d, lo, hi, fixed, slopes, lower, upper));
        for (std::size_t r = 0; r < c.depth(); ++r)
            for (std::size_t k = 0; k < lower[r].size(); ++k) {
                if (g() % 2) lower[r][k] -= Rational(static_cast<long>(g() % 4), 3 + 2 * static_cast<long>(g() % 4));
                if (g() % 2) upper[r][k] += Rational(static_cast<long>(g() % 4), 3 + 2 * static_cast<long>(g() % 4));
            }
        const std::size_t layer = g() % (c.depth() + 1);
        std::vector<std::vector<Rational>> coef(3, std::vector<Rational>(c.weights[layer].rows())), a(3);
        for (std::size_t i = 0; i < coef.size(); ++i) {
            for (Rational& v : coef[i]) v = maybe_dyadic(rigornet::test::small_rational(g));
            if (i > 0)
                for (std::size_t j = 0; j < c.input_dim; ++j) a[i].push_back(rigornet::test::small_rational(g));
        }
        // β (version 6) on about half the fixed units, of either sign
        std::vector<std::vector<Rational>> beta;
        for (std::size_t r = 0; r < c.depth(); ++r) {
            beta.emplace_back(fixed[r].size());
            for (std::size_t k = 0; k < fixed[r].size(); ++k)
                if (fixed[r][k] != UnitFix::free && g() % 2) beta[r][k] = maybe_dyadic(rigornet::test::small_rational(g));
        }
        const std::vector<Rational> got = d.lower_bounds(layer, coef, a, lo, hi, lower, upper, slopes);
        const std::vector<Rational> got_beta = d.lower_bounds(layer, coef, a, lo, hi, lower, upper, slopes, &beta);
        for (std::size_t i = 0; i < coef.size(); ++i) {
            const Rational want = reference_dual_bound(c, layer, coef[i], a[i], lo, hi, lower, upper, slopes);
            INFO("trial " << t << " layer " << layer << " row " << i << ": " << got[i].str() << " vs " << want.str());
            CHECK(got[i] == want);
            const Rational want_beta = reference_dual_bound(c, layer, coef[i], a[i], lo, hi, lower, upper, slopes, beta);
            INFO("with beta: " << got_beta[i].str() << " vs " << want_beta.str());
            CHECK(got_beta[i] == want_beta);
        }
    }
}

namespace {

// A property file: the box [−1, 1]^n and the unsafe set y_0 ≤ rhs.
std::string write_property(std::size_t n, std::size_t m, const Rational& rhs) {
    const std::string path = rigornet::test::temp_path(".vnnlib");
    std::ofstream p(path);
    for (std::size_t i = 0; i < n; ++i) p << "(declare-const X_" << i << " Real)\n";
    for (std::size_t j = 0; j < m; ++j) p << "(declare-const Y_" << j << " Real)\n";
    for (std::size_t i = 0; i < n; ++i) p << "(assert (>= X_" << i << " -1))\n(assert (<= X_" << i << " 1))\n";
    p << "(assert (<= Y_0 " << to_decimal(rhs, 30, Round::down) << "))\n";
    return path;
}

// The JSON paths of the leaves of a tree, and pointers to them.
void leaves(json& node, const std::string& path, std::vector<std::pair<std::string, json*>>& out) {
    if (node.contains("leaf")) {
        out.push_back({path, &node});
        return;
    }
    for (const char* child : {"below", "above", "inactive", "active"})
        if (node.contains(child)) leaves(node[child], path + "." + child, out);
}

}  // namespace

TEST_CASE("check: random networks: the search's version-3 certificates are accepted, tampered ones refused",
          "[check][cert3]") {
    // A property that holds by a margin (y_0 ≤ the naive interval minimum − 1/10, over
    // [−1, 1]^n): verify --certificate writes a version-3 tree of dual leaves, which check
    // accepts. The same certificate against a false property (y_0 ≤ f_0(x0) for a point x0
    // of the box, sha256 matched) is refused, and so is every random damage of a leaf.
    auto g = rigornet::test::rng(712);
    int dual_certificates = 0;
    for (int t = 0; t < rigornet::test::cases(6); ++t) {
        const Network net = rigornet::test::random_relu_network(g, 3, 2);
        const ReluChain c = extract_relu_chain(net);
        const std::size_t n = c.input_dim, m = c.output_dim();
        const std::vector<Rational> lo(n, Rational(-1)), hi(n, Rational(1));
        const Rational rhs = interval_outputs(c, lo, hi)[0].first - Rational(1, 10);
        const std::string net_path = write_network(net), prop_path = write_property(n, m, rhs);
        const std::string cert_path = rigornet::test::temp_path(".json");
        std::string out, err;
        REQUIRE(run_cli("verify " + net_path + " " + prop_path + " --certificate " + cert_path, out, &err) == 0);
        INFO("trial " << t << ": " << out << err);
        CHECK(run_cli("check " + net_path + " " + prop_path + " " + cert_path, out, &err) == 0);
        const json good = read_certificate(cert_path);
        const VnnlibProperty prop = read_vnnlib(prop_path);
        const CertificateSubject s{net, "json-exact", sha256_file_hex(net_path), prop, sha256_file_hex(prop_path)};
        REQUIRE(check_certificate(good, s).valid);
        for (const char* f : {net_path.c_str(), prop_path.c_str(), cert_path.c_str()}) std::remove(f);
        if (good["version"] != 3) continue;  // no dual leaf (every leaf closed otherwise)
        ++dual_certificates;
        // false: x0 itself is unsafe
        std::vector<Rational> x0;
        for (std::size_t i = 0; i < n; ++i) x0.push_back(random_between(g, lo[i], hi[i]));
        VnnlibProperty f = prop;
        f.unsafe[0][0].rhs = c.evaluate(x0)[0];
        const CertificateSubject fs{net, "json-exact", s.net_sha256, f, s.prop_sha256};
        const CheckResult fr = check_certificate(good, fs);
        CHECK(!fr.valid);
        CHECK(fr.reason.find("does not refute") != std::string::npos);
        // random damage of a random leaf, each refused with the leaf's path named
        json bad = good;
        std::vector<std::pair<std::string, json*>> ls;
        leaves(bad["tree"], "tree", ls);
        const auto& [where, leaf] = ls[g() % ls.size()];
        const std::size_t layer = g() % c.depth();
        std::string needle = where;
        switch (g() % 5) {
            case 0: (*leaf)["slopes"][layer].push_back("0"); needle += ".slopes[" + std::to_string(layer) + "]"; break;
            case 1: (*leaf)["slopes"][layer][0] = "2"; needle += ".slopes[" + std::to_string(layer) + "][0]"; break;
            case 2: (*leaf)["slopes"].erase(layer); needle += ".slopes"; break;
            case 3: (*leaf)["refutes"][0] = 5; needle += ".refutes[0]"; break;
            default: (*leaf)["lower"] = json::array(); needle += ": unknown key \"lower\""; break;
        }
        const CheckResult br = check_certificate(bad, s);
        INFO(needle << ": " << br.reason);
        CHECK(!br.valid);
        CHECK(br.reason.find(needle) != std::string::npos);
        // a dual leaf in a version-2 certificate
        json v2 = good;
        v2["version"] = 2;
        const CheckResult vr = check_certificate(v2, s);
        CHECK(!vr.valid);
        CHECK(vr.reason.find("\"dual\" needs version 3") != std::string::npos);
        // every leaf as "dual_forward": refused in version 3; in version 4 refused against
        // the false property (x0 is unsafe, so no bound of a sound kind can refute it)
        json v4 = good;
        std::vector<std::pair<std::string, json*>> all;
        leaves(v4["tree"], "tree", all);
        for (auto& [at, l] : all) (*l)["leaf"] = "dual_forward";
        const CheckResult r3 = check_certificate(v4, s);
        CHECK(!r3.valid);
        CHECK(r3.reason.find("\"dual_forward\" needs version 4") != std::string::npos);
        v4["version"] = 4;
        const CheckResult r4 = check_certificate(v4, fs);
        INFO(r4.reason);
        CHECK(!r4.valid);
        CHECK(r4.reason.find("does not refute") != std::string::npos);
    }
    CHECK(dual_certificates > 0);
}

// ------------------------------------------------------------------ dual_interval leaves (version 6)

namespace {

// The (layer, unit) of the relu splits on the path from `node` (at JSON path `at`) to the
// node at JSON path `target` (as `leaves` names them).
std::set<std::pair<std::size_t, std::size_t>> relu_splits_above(const json& node, const std::string& at,
                                                                const std::string& target) {
    for (const char* side : {"inactive", "active"}) {
        const std::string child = at + "." + side;
        if (node.contains(side) && target.compare(0, child.size(), child) == 0 &&
            (target.size() == child.size() || target[child.size()] == '.')) {
            auto below = relu_splits_above(node[side], child, target);
            below.insert({node["layer"].get<std::size_t>(), node["unit"].get<std::size_t>()});
            return below;
        }
    }
    for (const char* side : {"below", "above"}) {
        const std::string child = at + "." + side;
        if (node.contains(side) && target.compare(0, child.size(), child) == 0 &&
            (target.size() == child.size() || target[child.size()] == '.'))
            return relu_splits_above(node[side], child, target);
    }
    return {};
}

}  // namespace

TEST_CASE("check: wide random networks: version-6 certificates with alpha-beta multipliers are accepted, damaged ones "
          "refused",
          "[check][cert6]") {
    // Networks searched by ReLU splitting with the unsafe set y_0 ≤ t, t halfway between the
    // naive interval bound of y_0 and the least output at 400 random points: when verify proves
    // it, its certificate (version 6, "dual_interval" leaves with the α-β ascent's
    // multipliers) is accepted by check. A leaf that needs its "refine" (refused without
    // it) is refused with its β scaled by 1000, and so is a β moved to a unit no split on
    // the path fixes, an α outside [0, 1], and the leaf kind in a version-5 certificate.
    auto g = rigornet::test::rng(761);
    int proved = 0, needed = 0;
    for (int t = 0; t < rigornet::test::cases(12); ++t) {
        // 18 inputs: more than verify's 16, so searched by ReLU splitting
        const Network net = rigornet::test::wide_relu_network(g, 18, {6, 6});
        const ReluChain c = extract_relu_chain(net);
        const std::size_t n = c.input_dim;
        Rational least;
        for (int s = 0; s < 400; ++s) {
            std::vector<Rational> x;
            for (std::size_t i = 0; i < n; ++i) x.push_back(random_between(g, Rational(-1), Rational(1)));
            const Rational y = c.evaluate(x)[0];
            if (s == 0 || y < least) least = y;
        }
        const std::vector<Rational> lo(n, Rational(-1)), hi(n, Rational(1));
        const Rational naive = interval_outputs(c, lo, hi)[0].first;
        const Rational rhs = naive + (least - naive) * Rational(1, 2);
        const std::string net_path = write_network(net), prop_path = write_property(n, 1, rhs);
        const std::string cert_path = rigornet::test::temp_path(".json");
        std::string out, err;
        // every other trial branches by the split score alone (filtered smart branching
        // finds trees whose leaves seldom need β)
        const std::string branching = t % 2 == 1 ? " --relu-branch-candidates 1" : "";
        const int code = run_cli("verify " + net_path + " " + prop_path + " --timeout 20 --certificate " + cert_path + branching,
                                 out, &err);
        INFO("trial " << t << ": " << out << err);
        if (code != 0) {
            for (const char* f : {net_path.c_str(), prop_path.c_str(), cert_path.c_str()}) std::remove(f);
            continue;
        }
        ++proved;
        CHECK(run_cli("check " + net_path + " " + prop_path + " " + cert_path, out, &err) == 0);
        const json good = read_certificate(cert_path);
        const CertificateSubject s{net, "json-exact", sha256_file_hex(net_path), read_vnnlib(prop_path),
                                   sha256_file_hex(prop_path)};
        for (const char* f : {net_path.c_str(), prop_path.c_str(), cert_path.c_str()}) std::remove(f);
        REQUIRE(check_certificate(good, s).valid);
        CHECK(good["version"] == 6);
        json bad = good;
        std::vector<std::pair<std::string, json*>> ls;
        leaves(bad["tree"], "tree", ls);
        for (auto& [where, leaf] : ls) {
            CHECK((*leaf)["leaf"] == "dual_interval");
            if (!leaf->contains("refine") || (*leaf)["refine"][0].is_null()) continue;
            const json refine = (*leaf)["refine"];
            leaf->erase("refine");
            const CheckResult without = check_certificate(bad, s);
            (*leaf)["refine"] = refine;
            if (without.valid) continue;
            CHECK(without.reason.find(where) != std::string::npos);
            json& beta = (*leaf)["refine"][0]["beta"];
            if (beta.empty()) continue;
            ++needed;
            for (json& e : beta) e[2] = (parse_rational(e[2].get<std::string>()) * Rational(1000)).str();
            const CheckResult scaled = check_certificate(bad, s);
            INFO(where << ": " << scaled.reason);
            CHECK(!scaled.valid);
            CHECK(scaled.reason.find("does not refute") != std::string::npos);
            (*leaf)["refine"] = refine;
            // β on a unit the path does not fix: the first unit of layer 0 no split above names
            const std::set<std::pair<std::size_t, std::size_t>> split = relu_splits_above(good["tree"], "tree", where);
            std::size_t free_unit = 0;
            while (split.count({0, free_unit})) ++free_unit;
            (*leaf)["refine"][0]["beta"].push_back({0, free_unit, "1"});
            expect_rejected(bad, [](json&) {}, "which no relu split on this path fixes", s);
            (*leaf)["refine"] = refine;
            json& alpha = (*leaf)["refine"][0]["alpha"];
            if (!alpha.empty()) {
                alpha[0][2] = "3/2";
                expect_rejected(bad, [](json&) {}, "outside [0, 1]", s);
                (*leaf)["refine"] = refine;
            }
        }
        json v5 = good;
        v5["version"] = 5;
        expect_rejected(v5, [](json&) {}, "\"dual_interval\" needs version 6", s);
    }
    CHECK(proved > 0);
    CHECK(needed > 0);  // some leaf is closed only by the ascent's multipliers, with β
}

TEST_CASE("check: dual_forward ranges lie inside the dual ones and contain the exact values", "[check][cert3]") {
    // As the dual containment test above: every range of dual_forward_ranges (both ends
    // are bounds there) contains z_rk(x) at an exact point x of the region, its constraint
    // bound is ≤ the exact value a·x + c·f(x), and on the first hidden layer (derived from
    // the box alone) its upper ends are at most dual_ranges' (an intersection with them).
    auto g = rigornet::test::rng(751);
    for (int t = 0; t < rigornet::test::cases(40); ++t) {
        const ReluChain c = random_chain(g, t % 2 == 1);
        const DualChain d(c);
        const std::size_t n = c.input_dim;
        const RandomRegion reg(g, c, 13, 4);
        const auto& [lo, hi, x, z, fixed, slopes] = reg;
        std::vector<std::vector<Rational>> lower, upper, dl, du;
        LeafBounds out;
        REQUIRE(dual_forward_ranges(d, lo, hi, fixed, slopes, lower, upper, out));  // x is in the region
        REQUIRE(dual_ranges(d, lo, hi, fixed, slopes, dl, du));
        for (std::size_t k = 0; k < du[0].size(); ++k) CHECK(upper[0][k] <= du[0][k]);
        for (std::size_t r = 0; r < c.depth(); ++r)
            for (std::size_t k = 0; k < z[r].size(); ++k) {
                INFO("trial " << t << " unit " << r << "," << k << ": " << lower[r][k].str() << " <= "
                              << z[r][k].str() << " <= " << upper[r][k].str());
                CHECK(lower[r][k] <= z[r][k]);  // every lower end is a bound here
                CHECK(z[r][k] <= upper[r][k]);
            }
        const std::vector<Rational> y = c.evaluate(x);
        for (std::size_t j = 0; j < y.size(); ++j) {
            const LinearConstraint k = output_constraint(n, y.size(), j, g() % 2 ? 1 : -1, Rational(0));
            const Rational value = k.ay[j] * y[j];
            const Rational bound = dual_forward_constraint_lower_bound(d, k, lo, hi, lower, upper, slopes, out);
            INFO("trial " << t << " output " << j << ": bound " << bound.str() << ", value " << value.str());
            CHECK(bound <= value);
        }
    }
}

TEST_CASE("check: a dual leaf whose slopes no longer give the bound is refused", "[check][cert3]") {
    // x ∈ [−1, 1], a = relu(x), b = relu(−x), c = relu(a − b + 3/2), y = c. Since a − b = x,
    // y = x + 3/2 ≥ 1/2 on the box, so the unsafe set y ≤ 1/4 is empty. The dual bound of
    // z_c with slope α_a = 0 is −1 + 3/2 = 1/2 (exact: ν_a = 0, ν_b = −1/2, terms 0 and
    // −1/2, the x-term −1/2), so c is the identity and the leaf refutes; with α_a = 1 it is
    // −2 + 3/2 = −1/2 (the x-term becomes −3/2), c is unstable and y's bound is at most 0
    // (with either slope of c), so the same leaf with that one slope changed is refused.
    Network net(1);
    net.add_affine(std::make_shared<DenseMatrix>(2, 1, std::vector<Rational>{Rational(1), Rational(-1)}), nullptr,
                   {Rational(0), Rational(0)});
    net.add_elementwise(Scalar::relu);
    net.add_affine(std::make_shared<DenseMatrix>(1, 2, std::vector<Rational>{Rational(1), Rational(-1)}), nullptr,
                   {Rational(3, 2)});
    net.add_elementwise(Scalar::relu);
    net.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1)}), nullptr, {Rational(0)});
    VnnlibProperty p;
    p.lower = {Rational(-1)};
    p.upper = {Rational(1)};
    p.unsafe = {{output_constraint(1, 1, 0, 1, Rational(1, 4))}};
    const CertificateSubject s{net, "json-exact", "n", p, "p"};
    json good = certificate(s, "holds");
    good["version"] = 3;
    good["tree"] = {{"leaf", "dual"}, {"slopes", {{"0", "0"}, {"1"}}}, {"refutes", {0}}};
    const CheckResult r = check_certificate(good, s);
    INFO(r.reason);
    CHECK(r.valid);
    expect_rejected(good, [](json& c) { c["tree"]["slopes"][0][0] = "1"; }, "tree: leaf does not refute conjunction 0",
                    s);
    // the exact values behind it
    const ReluChain c = extract_relu_chain(net);
    const DualChain d(c);
    std::vector<std::vector<Rational>> lower, upper;
    const std::vector<std::vector<UnitFix>> free{{UnitFix::free, UnitFix::free}, {UnitFix::free}};
    REQUIRE(dual_ranges(d, p.lower, p.upper, free, {{Rational(0), Rational(0)}, {Rational(1)}}, lower, upper));
    CHECK(lower[1][0] == Rational(1, 2));
    REQUIRE(dual_ranges(d, p.lower, p.upper, free, {{Rational(1), Rational(0)}, {Rational(1)}}, lower, upper));
    CHECK(lower[1][0] == Rational(-1, 2));
}

TEST_CASE("verify and check: a combination of constraints refutes a conjunction no single one does (version 5)",
          "[check][cert3]") {
    // x ∈ [−1, 1], y_0 = relu(x) − relu(−x) = x, y_1 = −y_0; unsafe: y_0 ≥ 1/2 and
    // y_1 ≥ 1/2. Each constraint alone is met somewhere (x = ±1), so no bound of one
    // constraint can refute the conjunction; their sum −y_0 − y_1 ≤ −1 reads 0 ≤ −1. verify
    // closes the root with the combination, writes it into a version-5 certificate, and
    // check accepts it; damaged multipliers and the same tree for a violated property are
    // refused.
    Network net(1);
    net.add_affine(std::make_shared<DenseMatrix>(2, 1, std::vector<Rational>{Rational(1), Rational(-1)}), nullptr,
                   {Rational(0), Rational(0)});
    net.add_elementwise(Scalar::relu);
    net.add_affine(std::make_shared<DenseMatrix>(2, 2, std::vector<Rational>{Rational(1), Rational(-1), Rational(-1),
                                                                             Rational(1)}),
                   nullptr, {Rational(0), Rational(0)});
    const std::string net_path = write_network(net), prop_path = rigornet::test::temp_path(".vnnlib"),
                      one_path = rigornet::test::temp_path(".vnnlib"), cert_path = rigornet::test::temp_path(".json");
    const std::string head =
        "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n"
        "(assert (>= X_0 -1))\n(assert (<= X_0 1))\n(assert (>= Y_0 0.5))\n";
    write_file(prop_path, head + "(assert (>= Y_1 0.5))\n");
    write_file(one_path, head);
    std::string out, err;
    CHECK(run_cli("verify " + net_path + " " + one_path, out, &err) == 1);  // one constraint alone: violated
    REQUIRE(run_cli("verify " + net_path + " " + prop_path + " --json --certificate " + cert_path, out, &err) == 0);
    INFO(out << err);
    CHECK(json::parse(out)["nodes"] == 1);  // closed at the root
    CHECK(run_cli("check " + net_path + " " + prop_path + " " + cert_path, out, &err) == 0);
    const json good = read_certificate(cert_path);
    CHECK(good["version"] == 5);
    REQUIRE(good["tree"]["refutes"][0].is_array());
    const VnnlibProperty prop = read_vnnlib(prop_path);
    const CertificateSubject s{net, "json-exact", sha256_file_hex(net_path), prop, sha256_file_hex(prop_path)};
    REQUIRE(check_certificate(good, s).valid);
    for (const std::string& f : {net_path, prop_path, one_path, cert_path}) std::remove(f.c_str());
    auto refs = [](json& c) -> json& { return c["tree"]["refutes"][0]; };
    expect_rejected(good, [&](json& c) { refs(c) = {"-1", "2"}; }, "tree.refutes[0]: combine: multiplier 0 is negative", s);
    expect_rejected(good, [&](json& c) { refs(c) = {"0", "0"}; }, "every multiplier is zero", s);
    expect_rejected(good, [&](json& c) { refs(c) = {"1/2"}; }, "tree.refutes[0]: expected an array of 2 rationals", s);
    expect_rejected(good, [&](json& c) { refs(c) = {"1", "0"}; },
                    "tree: leaf does not refute conjunction 0 (lower bound -1 ≤ -1/2 of the combination of its constraints)", s);
    expect_rejected(good, [&](json& c) { refs(c) = {"1", 0.5}; }, "expected an exact rational", s);
    expect_rejected(good, [](json& c) { c["version"] = 4; }, "a combination of constraints needs version 5", s);
    // violated: y_0 ≥ 1/2 and y_1 ≥ −1 (x = 3/4), same hashes: no combination refutes it
    VnnlibProperty f = prop;
    f.unsafe[0][1].rhs = Rational(1);
    const CertificateSubject fs{net, "json-exact", s.net_sha256, f, s.prop_sha256};
    expect_rejected(good, [](json&) {}, "does not refute", fs);
}
