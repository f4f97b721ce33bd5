// The CLI contract, checked by running bin/rigornet (RIGORNET_BIN) as a user would.
#include <fstream>

#include <nlohmann/json.hpp>

#include <sstream>

#include "../io/nnet_direct.hpp"
#include "../support.hpp"
#include "rigornet/number/ball.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/io/json_format.hpp"
#include "rigornet/io/nnet_format.hpp"

using namespace rigornet;
using nlohmann::json;
using rigornet::test::repo_path;
using rigornet::test::run_cli;
using rigornet::test::run_json;
using rigornet::test::temp_path;

namespace {

Ball parse_ball(const std::string& s) {
    Ball b;
    REQUIRE(arb_set_str(b.get(), s.c_str(), 256) == 0);
    return b;
}

}  // namespace

TEST_CASE("cli: sqrt returns sqrt_theta and a proved error bound", "[cli]") {
    for (auto [x, t] : std::vector<std::pair<std::string, std::string>>{
             {"2", "1e-20"}, {"0", "0.5"}, {"1/9", "1/1024"}, {"1e300", "1e-10"}, {"12345678987654321", "0.001"}, {"49", "1e-30"}}) {
        json j = run_json("sqrt " + x + " --theta " + t + " --json");
        INFO(j.dump());
        Rational X = parse_rational(x), theta = parse_rational(t);
        Rational value = parse_rational(j.at("value").get<std::string>());
        CHECK(value == sqrt_theta(X, theta));
        // error_upper is a proved upper bound: check |value − √X| ≤ error_upper ≤ θ with Arb
        Rational upper = parse_rational(j.at("error_upper").get<std::string>());
        CHECK(upper <= theta);
        const long prec = 4 * (X.bits() + value.bits()) + 256;
        Ball d(value, prec), root(X, prec), ub(upper, prec), absd;
        arb_sqrt(root.get(), root.get(), prec);
        arb_sub(d.get(), d.get(), root.get(), prec);
        arb_abs(absd.get(), d.get());
        CHECK(arb_le(absd.get(), ub.get()));
        // the printed error ball and ours both contain value − √X, so they must overlap
        Ball eb = parse_ball(j.at("error_ball").get<std::string>());
        CHECK(arb_contains(eb.get(), d.get()));
    }
    json sq = run_json("sqrt 49 --theta 1e-30 --json");
    CHECK(sq.at("value") == "7");
    CHECK(sq.at("error_upper") == "0");
}

TEST_CASE("cli: eval on an NNet file matches the hand-computed value exactly", "[cli]") {
    const std::string net = repo_path("examples/networks/tiny.nnet");
    json e = run_json("eval " + net + " --input 0.5,6 --arith exact --json");
    CHECK(e.at("output") == json::array({"22/5"}));  // 4.4, computed by hand in nnet_test
    json c = run_json("eval " + net + " --input 5,-3 --arith exact --json");
    CHECK(c.at("output") == json::array({"181/40"}));  // 4.525 (clipped input)
    // the ball contains the exact value; the double is within its proved bound
    json b = run_json("eval " + net + " --input 5,-3 --arith ball:80 --json");
    CHECK(parse_ball(b.at("output")[0].get<std::string>()).contains(Rational(181, 40)));
    json d = run_json("eval " + net + " --input 5,-3 --arith double --json");
    Rational v = parse_rational(d.at("output")[0].get<std::string>());
    Rational bound = parse_rational(d.at("error_bound")[0].get<std::string>());
    CHECK((v - Rational(181, 40)).abs() <= bound);
    // binary64 reading: the network as deployed, against the direct NNet semantics
    json bin = run_json("eval " + net + " --input 5,-3 --arith exact --nnet-reading binary64 --json");
    std::ifstream in(net);
    std::stringstream text;
    text << in.rdbuf();
    NNetFile f = parse_nnet(text.str(), net, NumberReading::binary64);
    CHECK(bin.at("output")[0] == rigornet::test::direct_nnet(f, {Rational(5), Rational(-3)})[0].str());
    CHECK(bin.at("output")[0] != "181/40");
}

TEST_CASE("cli: eval of a JSON network with sqrt_theta gates in all arithmetics", "[cli]") {
    const std::string net = repo_path("examples/networks/unit_ball_projection.json");
    // projection of (3, 4) onto the unit ball: (3/5, 4/5), exact since sqrt_θ(25) = 5
    json e = run_json("eval " + net + " --input 3,4 --arith exact --json");
    CHECK(e.at("output") == json::array({"3/5", "4/5"}));
    // inside the ball: unchanged
    json in = run_json("eval " + net + " --input 1/3,-1/4 --arith exact --json");
    CHECK(in.at("output") == json::array({"1/3", "-1/4"}));
    json b = run_json("eval " + net + " --input 1,1 --arith ball --ideal --json");
    Rational s = sqrt_theta(Rational(2), Rational(1, 1048576));
    CHECK(parse_ball(b.at("output")[0].get<std::string>()).contains(Rational(1) / s));
    // the ideal output encloses 1/√2, and the θ effect is small
    Ball ideal = parse_ball(b.at("ideal_output")[0].get<std::string>());
    Ball half(Rational(1, 2), 256);
    arb_sqrt(half.get(), half.get(), 256);
    CHECK(arb_contains(ideal.get(), half.get()));
    CHECK(parse_ball(b.at("theta_effect")[0].get<std::string>()).abs_upper() <= Rational(1, 1048576));
}

TEST_CASE("cli: info and convert", "[cli]") {
    const std::string net = repo_path("examples/networks/tiny.nnet");
    json i = run_json("info " + net + " --json");
    CHECK(i.at("widths") == json::array({2, 4, 4, 3, 3, 1}));
    CHECK(i.at("layers")[1].at("function") == "relu");
    const std::string out = temp_path(".json");
    std::string stdout_text;
    REQUIRE(run_cli("convert " + net + " -o " + out, stdout_text) == 0);
    json a = run_json("eval " + out + " --input 5,-3 --arith exact --json");
    CHECK(a.at("output") == json::array({"181/40"}));
    std::remove(out.c_str());
}

TEST_CASE("cli: bad input gives a clear message and exit code 3", "[cli]") {
    const std::string net = repo_path("examples/networks/tiny.nnet");
    struct Case {
        std::string args, message;
    };
    std::vector<Case> cases = {
        {"sqrt -2 --theta 0.1", "x ≥ 0"},
        {"sqrt 2 --theta 0", "positive"},
        {"sqrt 2x --theta 0.1", "invalid number"},
        {"sqrt 2 --theta 1e999999999", "exponent"},
        {"eval /nonexistent.nnet --input 1,2", "cannot open"},
        {"eval " + net + " --input 1", "takes 2 inputs"},
        {"eval " + net + " --input 1,abc", "--input value 2"},
        {"eval " + net + " --input 1,2 --arith quad", "expected exact, double, ball"},
        {"eval " + net + " --input 1,2 --arith ball:3", "BITS"},
        {"eval " + net + " --input 1,2 --nnet-reading hex", "hex"},
        {"eval " + repo_path("Makefile") + " --input 1", "not valid JSON"},
        {"frobnicate", ""},
        {"", ""},
    };
    for (auto& c : cases) {
        std::string out, err;
        int code = run_cli(c.args, out, &err);
        INFO("rigornet " << c.args << "\nstderr: " << err);
        CHECK(code == 3);
        CHECK_THAT(err, Catch::Contains(c.message));
    }
}

TEST_CASE("cli: every subcommand explains itself with --help", "[cli]") {
    for (std::string sub : {"", "sqrt", "eval", "info", "convert"}) {
        std::string out;
        INFO("rigornet " << sub << " --help");
        CHECK(run_cli(sub + " --help", out) == 0);
        CHECK_THAT(out, Catch::Contains("Usage"));
    }
}

TEST_CASE("cli: every bound eval prints is a bound when its decimal is read exactly", "[cli]") {
    // The proved values come from the library; the printed decimals must not fall below
    // them (the shortest round-trip decimal of a double can be below the double), and
    // |printed output − exact| ≤ printed bound must hold with both read exactly.
    auto g = rigornet::test::rng(4242);
    std::vector<std::pair<std::string, std::vector<Rational>>> cases = {
        {"examples/networks/unit_ball_projection.json", {Rational(3, 10), Rational(-2)}},
        {"examples/networks/tiny.nnet", {Rational(5), Rational(-3)}}};
    for (int i = 0; i < 6; ++i)
        cases.push_back({"examples/networks/unit_ball_projection.json", rigornet::test::random_vector(g, 2, 12)});
    for (auto& [file, y] : cases) {
        const std::string net = repo_path(file);
        std::string in;
        for (auto& v : y) in += (in.empty() ? "" : ",") + v.str();
        INFO(file << " at " << in);
        Network n = file.ends_with(".nnet") ? read_nnet(net, NumberReading::decimal) : read_network_json(net);
        const auto exact = evaluate_rational(n, ExactArith{}, y);
        // eval --arith double prints MidRadArith's mid (the double) with its bound |lo| + rad
        const auto mr = evaluate_rational(n, MidRadArith{}, y);
        json d = run_json("eval " + net + " --input " + in + " --arith double --json");
        for (std::size_t k = 0; k < exact.size(); ++k) {
            const Rational shown = parse_rational(d.at("output")[k].get<std::string>());
            const Rational bound = parse_rational(d.at("error_bound")[k].get<std::string>());
            CHECK(bound >= Rational::from_double(double_error_bound(mr[k])));
            CHECK((shown - exact[k]).abs() <= bound);
        }
        std::vector<LayerSummary> summary;
        evaluate_rational(n, BallArith{128, false}, y, &summary);
        json b = run_json("eval " + net + " --input " + in + " --arith ball:128 --json");
        REQUIRE(b.at("layer_max_radius").size() == summary.size());
        for (std::size_t l = 0; l < summary.size(); ++l)
            CHECK(parse_rational(b.at("layer_max_radius")[l].get<std::string>()) >= Rational::from_double(summary[l].max_radius));
    }
}

TEST_CASE("cli: the three arithmetics agree on what is an error", "[cli]") {
    std::string out, err;
    const std::string tiny = repo_path("examples/networks/tiny.nnet");
    // an input beyond binary64 is refused by double (exact and ball take it)
    CHECK(run_cli("eval " + tiny + " --input 1e400,2 --arith double", out, &err) == 3);
    CHECK(err.find("binary64 range") != std::string::npos);
    CHECK(run_cli("eval " + tiny + " --input 1e400,2 --arith exact", out, &err) == 0);
    // sqrt_θ of a proved-negative value, and a gate dividing by an exact 0: exit 3 in all three
    const std::string sq = temp_path(".json"), dz = temp_path(".json");
    std::ofstream(sq) << R"({"input_dim": 2, "layers": [{"type": "elementwise", "function": "sqrt_theta", "theta": "1/1024"}]})";
    std::ofstream(dz) << R"({"input_dim": 2, "layers": [{"type": "gate", "gates": [{"control": 0, "targets": [1],
        "f": {"op": "div", "args": ["1", "u"]}}]}]})";
    for (const char* a : {"exact", "ball", "double"}) {
        INFO(a);
        CHECK(run_cli("eval " + sq + " --input -1,2 --arith " + a, out, &err) == 3);
        CHECK(err.find("negative") != std::string::npos);
        CHECK(run_cli("eval " + dz + " --input 0,2 --arith " + a, out, &err) == 3);
        CHECK(err.find("division by zero") != std::string::npos);
        // defined inputs still evaluate
        CHECK(run_cli("eval " + sq + " --input 1,2 --arith " + a, out, &err) == 0);
        CHECK(run_cli("eval " + dz + " --input 4,2 --arith " + a, out, &err) == 0);
    }
    // a divisor 3·(1/3) − 1 = 0 that balls and doubles cannot separate from 0: no claim,
    // so exit 2 (unknown), never 0; exact arithmetic sees the division by zero
    const std::string nz = temp_path(".json");
    std::ofstream(nz) << R"({"input_dim": 2, "layers": [{"type": "affine", "A": {"rows": 2, "cols": 2, "dense": [["3", "0"], ["0", "1"]]},
        "c": ["-1", "0"]}, {"type": "gate", "gates": [{"control": 0, "targets": [1], "f": {"op": "div", "args": ["1", "u"]}}]}]})";
    CHECK(run_cli("eval " + nz + " --input 1/3,2 --arith exact", out, &err) == 3);
    CHECK(run_cli("eval " + nz + " --input 1/3,2 --arith ball:64", out, &err) == 2);
    CHECK(run_cli("eval " + nz + " --input 1/3,2 --arith double", out, &err) == 2);
    for (auto& f : {sq, dz, nz}) std::remove(f.c_str());
}

TEST_CASE("cli: exact bit growth and allocation failure end with exit 3 and a message, never 1 or an abort", "[cli]") {
    const std::string sq = temp_path(".json");
    {
        std::ofstream f(sq);
        f << R"({"input_dim": 1, "layers": [)";
        for (int k = 0; k < 40; ++k) f << (k ? "," : "") << R"({"type": "elementwise", "function": "square"})";
        f << "]}";
    }
    std::string out, err;
    // 3^(2^40) has 1.7e12 bits: refused by the bit-size guard, with the layer named
    CHECK(run_cli("eval " + sq + " --input 3", out, &err) == 3);
    CHECK(err.find("--max-bits") != std::string::npos);
    CHECK(err.find("layer ") != std::string::npos);
    // with the guard lifted and the address space limited, GMP's allocation fails: the
    // handler reports it on stderr with exit 3 (not GMP's abort, nor output on stdout)
    const char* bin = std::getenv("RIGORNET_BIN");
    const std::string errfile = temp_path(".err"), outfile = temp_path(".out");
    const std::string cmd = "bash -c 'ulimit -v 150000; " + std::string(bin ? bin : "bin/rigornet") + " eval " + sq +
                            " --input 1e100000 --max-bits 1000000000000 >" + outfile + " 2>" + errfile + "'";
    const int status = std::system(cmd.c_str());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 3);
    std::ifstream eo(errfile), oo(outfile);
    std::stringstream es, os;
    es << eo.rdbuf();
    os << oo.rdbuf();
    CHECK(es.str().find("out of memory") != std::string::npos);
    CHECK(os.str().empty());
    for (auto& f : {sq, errfile, outfile}) std::remove(f.c_str());
}

// The --arith ball fast path: eval uses midpoint-radius doubles where their radii are
// below 2^-30, falls back to Arb balls otherwise, and says which in arith_used.
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
    json forced = run_json("eval " + acas + " --input " + in + " --arith ball:128 --json");
    CHECK(forced.at("arith_used") == "ball:128");
    CHECK(forced.at("precision") == 128);

    // a deep squaring network: x -> x^2 ten times from 3 reaches 3^1024 > 2^1024, beyond
    // binary64, so midrad makes no claim and the Arb fallback answers
    const std::string net = temp_path(".json");
    {
        std::ofstream f(net);
        f << R"({"input_dim": 1, "layers": [)";
        for (int k = 0; k < 10; ++k) f << (k ? "," : "") << R"({"type": "elementwise", "function": "square"})";
        f << "]}";
    }
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
    std::remove(net.c_str());
}
