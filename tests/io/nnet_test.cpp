#include <fstream>
#include <sstream>

#include "../support.hpp"
#include "rigornet/network/evaluate.hpp"
#include "nnet_direct.hpp"
#include "rigornet/io/nnet_format.hpp"

using namespace rigornet;
using rigornet::test::cases;

namespace {

const char* tiny = R"(// a hand-made network
// second comment line
2,2,1,3,
2,3,1,
0,
-1.0,0.0,
1.0,10.0,
0.5,2.0,3.0,
2.0,4.0,0.5,
1.0,-1.0,
0.5,0.25,
0.1,0.2,
0.0,
1.0,
-1.0,
1.0,2.0,3.0,
0.3,
)";

}  // namespace

TEST_CASE("NNet reading matches a hand-computed network", "[nnet]") {
    Network net = nnet_to_network(parse_nnet(tiny, "tiny", NumberReading::decimal), "tiny");
    // x = (0.5, 6): inside the box. x̃ = ((0.5−0.5)/2, (6−2)/4) = (0, 1).
    // h = relu(W1 x̃ + b1) = relu(-1, 0.25+1, 0.2−1) = (0, 5/4, 0)
    // z = 1·0 + 2·5/4 + 3·0 + 0.3 = 2.8; output = 2.8·0.5 + 3 = 4.4
    CHECK(evaluate_rational(net, ExactArith{}, {Rational(1, 2), Rational(6)})[0] == parse_rational("4.4"));
    // x = (5, −3) is clipped to (1, 0): x̃ = (0.25, −0.5)
    // h = relu(0.25 + 0.5, 0.125 − 0.125 + 1, 0.025 − 0.1 − 1) = (0.75, 1, 0)
    // z = 0.75 + 2 + 0.3 = 3.05; output = 3.05·0.5 + 3 = 4.525
    CHECK(evaluate_rational(net, ExactArith{}, {Rational(5), Rational(-3)})[0] == parse_rational("4.525"));
}

TEST_CASE("decimal and binary64 readings differ exactly as the literals do", "[nnet]") {
    NNetFile d = parse_nnet(tiny, "tiny", NumberReading::decimal);
    NNetFile b = parse_nnet(tiny, "tiny", NumberReading::binary64);
    CHECK(d.weights[0][4] == Rational(1, 10));
    CHECK(b.weights[0][4] == Rational::from_double(0.1));
    CHECK(b.weights[1][2] == Rational(3));  // exactly representable: both readings agree
    CHECK(d.weights[1][2] == Rational(3));
}

TEST_CASE("the network equals the NNet semantics at random inputs (ACAS Xu file)", "[nnet]") {
    std::string path = rigornet::test::repo_path("tests/data/nnet/acasxu_test.nnet");
    std::ifstream in(path);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    auto g = rigornet::test::rng(50);
    for (NumberReading reading : {NumberReading::decimal, NumberReading::binary64}) {
        NNetFile f = parse_nnet(ss.str(), path, reading);
        Network net = nnet_to_network(f, path);
        CHECK(net.input_dim() == 5);
        CHECK(net.output_dim() == 5);
        for (int t = 0; t < cases(4); ++t) {
            std::vector<Rational> x;
            for (std::size_t i = 0; i < 5; ++i) {  // inside, below and above the box
                Rational span = f.input_max[i] - f.input_min[i];
                x.push_back(f.input_min[i] + span * Rational(static_cast<long>(g() % 1400) - 200, 1000));
            }
            auto got = evaluate_rational(net, ExactArith{}, x);
            CHECK(got == rigornet::test::direct_nnet(f, x));
            auto balls = evaluate_rational(net, BallArith{}, x);
            for (std::size_t i = 0; i < got.size(); ++i) CHECK(balls[i].contains(got[i]));
        }
    }
}

TEST_CASE("malformed NNet files name the line and what was expected", "[nnet]") {
    auto err = [](const std::string& text) {
        try {
            parse_nnet(text, "bad.nnet", NumberReading::decimal);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    std::string t = tiny;
    auto replace = [&](const std::string& from, const std::string& to) {
        std::string s = t;
        s.replace(s.find(from), from.size(), to);
        return s;
    };
    CHECK_THAT(err(""), Catch::Contains("bad.nnet:1: unexpected end of file"));
    CHECK_THAT(err(t.substr(0, t.size() - 6)), Catch::Contains("unexpected end of file"));
    CHECK_THAT(err(replace("2,3,1,\n", "2,3,\n")), Catch::Contains("bad.nnet:4: expected 3 layer sizes"));
    CHECK_THAT(err(replace("1.0,2.0,3.0,", "1.0,2.0,")), Catch::Contains("bad.nnet:16: expected 3 weights"));
    CHECK_THAT(err(replace("0.1,0.2,", "0.1,abc,")), Catch::Contains("bad.nnet:12") && Catch::Contains("abc"));
    CHECK_THAT(err(replace("0.1,0.2,", "0.1,1e999999999,")), Catch::Contains("bad.nnet:12") && Catch::Contains("exponent"));
    CHECK_THAT(err(replace("2,2,1,3,", "2,2,1,x,")), Catch::Contains("maxLayerSize"));
    CHECK_THAT(err(replace("2,2,1,3,", "2,2,2,3,")), Catch::Contains("differs from outputSize"));
    {
        // An understated maxLayerSize is read (sizes line authoritative) with a warning.
        const NNetFile w = parse_nnet(replace("2,2,1,3,", "2,2,1,2,"), "bad.nnet", NumberReading::decimal);
        REQUIRE(w.warnings.size() == 1);
        CHECK_THAT(w.warnings[0], Catch::Contains("bad.nnet:4") && Catch::Contains("layer size 3 exceeds maxLayerSize 2"));
        CHECK(parse_nnet(t, "ok.nnet", NumberReading::decimal).warnings.empty());
    }
    CHECK_THAT(err("2,2,1,3000000,\n2,3000000,1,\n"), Catch::Contains("exceeds the limit"));
    CHECK_THAT(err("3,2,1,900000,\n2,900000,900000,1,\n"), Catch::Contains("weights refused"));
    CHECK_THAT(err(t + "1.0\n"), Catch::Contains("unexpected data after the last layer"));
    // semantic checks happen when building the network
    NNetFile f = parse_nnet(replace("-1.0,0.0,", "2.0,0.0,"), "bad.nnet", NumberReading::decimal);
    CHECK_THROWS_WITH(nnet_to_network(f, "bad.nnet"), Catch::Contains("above its maximum"));
    NNetFile z = parse_nnet(replace("2.0,4.0,0.5,", "2.0,0,0.5,"), "bad.nnet", NumberReading::decimal);
    CHECK_THROWS_WITH(nnet_to_network(z, "bad.nnet"), Catch::Contains("range 1 is zero"));
    CHECK_THROWS_WITH(read_nnet("/nonexistent.nnet", NumberReading::decimal), Catch::Contains("cannot open"));
}

TEST_CASE("a TwinStream file with an understated maxLayerSize is read, with a warning", "[nnet]") {
    // tests/data/nnet/SOURCE.md: header "4,25,1,20," but the input layer has 25 units.
    const std::string path = rigornet::test::repo_path("tests/data/nnet/twin_ladder-25_inp-4_layers-10_width-1e-2_margin.nnet");
    std::ifstream in(path);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    const NNetFile f = parse_nnet(ss.str(), path, NumberReading::decimal);
    REQUIRE(f.warnings.size() == 1);
    CHECK_THAT(f.warnings[0], Catch::Contains("layer size 25 exceeds maxLayerSize 20"));
    CHECK(f.sizes == std::vector<std::size_t>{25, 20, 20, 20, 1});
    const Network net = nnet_to_network(f, path);
    auto g = rigornet::test::rng(51);
    for (int t = 0; t < cases(3); ++t) {
        std::vector<Rational> x;
        for (std::size_t i = 0; i < 25; ++i) x.push_back(Rational(static_cast<long>(g() % 41) - 20, 2));
        CHECK(evaluate_rational(net, ExactArith{}, x) == rigornet::test::direct_nnet(f, x));
    }
}
