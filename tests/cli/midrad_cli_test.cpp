// The --arith ball fast path: eval uses midpoint-radius doubles where their radii are
// below 2^-30, falls back to Arb balls otherwise, and says which in arith_used.
#include <fstream>

#include "../support.hpp"
#include "rigornet/io/json_format.hpp"
#include "rigornet/linalg/operator.hpp"
#include "rigornet/network/evaluate.hpp"

using namespace rigornet;
using nlohmann::json;
using rigornet::test::repo_path;
using rigornet::test::run_json;
using rigornet::test::temp_path;

namespace {

Ball parse_ball(const std::string& s) {
    Ball b;
    REQUIRE(arb_set_str(b.get(), s.c_str(), 256) == 0);
    return b;
}

std::string write_net(const Network& net) {
    const std::string path = temp_path(".json");
    std::ofstream out(path);
    write_network_json(net, out);
    return path;
}

}  // namespace

TEST_CASE("cli: eval --arith ball uses midrad where it certifies, Arb balls otherwise", "[cli][midrad]") {
    // ACAS Xu: midrad certifies; every printed ball contains the exact output
    const std::string acas = repo_path("tests/data/nnet/acasxu_test.nnet");
    const std::string in = "1000,0.1,-0.2,300,400";
    json e = run_json("eval " + acas + " --input " + in + " --arith exact --json");
    json b = run_json("eval " + acas + " --input " + in + " --arith ball --json");
    CHECK(b.at("arith_used") == "midrad");
    CHECK_FALSE(b.contains("precision"));
    for (std::size_t i = 0; i < e.at("output").size(); ++i)
        CHECK(parse_ball(b.at("output")[i].get<std::string>()).contains(parse_rational(e.at("output")[i].get<std::string>())));
    // ball:BITS forces Arb
    json f = run_json("eval " + acas + " --input " + in + " --arith ball:128 --json");
    CHECK(f.at("arith_used") == "ball:128");
    CHECK(f.at("precision") == 128);

    // a deep squaring network: x -> x^2 ten times from 3 reaches 3^1024 > 2^1024, beyond
    // binary64, so midrad makes no claim and the Arb fallback answers
    Network deep(1);
    for (int i = 0; i < 10; ++i) {
        deep.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{Rational(1)}), nullptr,
                        std::vector<Rational>{Rational(0)});
        deep.add_elementwise(Scalar::square);
    }
    const std::string net = write_net(deep);
    json d = run_json("eval " + net + " --input 3 --arith ball --json");
    CHECK(d.at("arith_used") == "ball:128");
    Rational exact(3);
    for (int i = 0; i < 10; ++i) exact = exact * exact;
    CHECK(parse_ball(d.at("output")[0].get<std::string>()).contains(exact));
    // from 1.0001 the values stay near 1: midrad certifies, and its ball contains the exact value
    json m = run_json("eval " + net + " --input 1.0001 --arith ball --json");
    CHECK(m.at("arith_used") == "midrad");
    Rational x = parse_rational("1.0001");
    for (int i = 0; i < 10; ++i) x = x * x;
    CHECK(parse_ball(m.at("output")[0].get<std::string>()).contains(x));
}
