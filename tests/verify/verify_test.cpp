#include "../support.hpp"
#include "rigornet/error.hpp"
#include "rigornet/json_format.hpp"
#include "rigornet/verify.hpp"

using namespace rigornet;

namespace {
std::string data(const std::string& f) {
    const char* root = std::getenv("RIGORNET_ROOT");
    return std::string(root ? root : ".") + "/tests/data/vnnlib/" + f;
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

TEST_CASE("verify: relu(x0 - x1) holds and violated with an exact counterexample", "[verify]") {
    const ReluChain c = extract_relu_chain(read_network_json(data("relu_diff.json")));
    VerifyOptions o;
    o.timeout_seconds = 5;
    CHECK(verify(c, read_vnnlib(data("relu_diff_holds.vnnlib")), o).verdict == Verdict::proved);
    const VnnlibProperty p = read_vnnlib(data("relu_diff_violated.vnnlib"));
    const VerifyResult r = verify(c, p, o);
    REQUIRE(r.verdict == Verdict::refuted);
    CHECK(r.output == c.evaluate(r.input));
    bool in_u = false;
    for (const auto& conj : p.unsafe) in_u = in_u || satisfies(conj, r.input, r.output);
    CHECK(in_u);
    o.max_nodes = 1;
    VnnlibProperty tight = p;
    tight.unsafe = {{tight.unsafe[0][0]}};
    tight.unsafe[0][0].rhs = parse_rational("-9999/10000");  // −Y_0 ≤ −0.9999: only near (1, 0)
    CHECK(verify(c, tight, o).verdict != Verdict::proved);
}
