// The CLI on ONNX files: info, eval, convert, lipschitz, verify and verify --instances,
// checked by running bin/rigornet (RIGORNET_BIN) as a user would.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/io/onnx_format.hpp"

using namespace rigornet;
using namespace rigornet::test;
using nlohmann::json;

namespace {
const std::string acas = "tests/data/onnx/ACASXU_run2a_1_1_batch_2000.onnx";
}

TEST_CASE("cli: info and eval read ONNX and say which exact network they are about", "[onnx][cli]") {
    json i = run_json("info " + repo_path(acas) + " --json");
    CHECK(i.at("semantics") == "onnx-float32");
    CHECK(i.at("widths") == json::array({5, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 5}));
    CHECK(i.contains("rigornet_version"));
    // eval's exact output is the library's exact evaluation of read_onnx's network
    const std::string x = "-0.3,0.009,0.5,0.4,-1/3";
    json e = run_json("eval " + repo_path(acas) + " --input " + x + " --json");
    CHECK(e.at("semantics") == "onnx-float32");
    const Network net = read_onnx(repo_path(acas));
    const auto want = evaluate_rational(net, ExactArith{}, {parse_rational("-0.3"), parse_rational("0.009"), parse_rational("0.5"),
                                                              parse_rational("0.4"), Rational(-1, 3)});
    REQUIRE(e.at("output").size() == 5);
    for (std::size_t k = 0; k < 5; ++k) CHECK(e.at("output")[k] == want[k].str());
    // the double evaluation lies within its proved distance of the exact value
    json d = run_json("eval " + repo_path(acas) + " --input " + x + " --arith double --json");
    for (std::size_t k = 0; k < 5; ++k)
        CHECK((parse_rational(d.at("output")[k].get<std::string>()) - want[k]).abs() <=
              parse_rational(d.at("error_bound")[k].get<std::string>()));
}

TEST_CASE("cli: convert writes an ONNX network as exact JSON that evaluates identically", "[onnx][cli]") {
    const std::string out = temp_path(".json");
    std::string o, err;
    REQUIRE(run_cli("convert " + repo_path("tests/data/onnx/mnist-net_256x2.onnx") + " -o " + out, o, &err) == 0);
    std::string input;
    for (int k = 0; k < 784; ++k) input += (k ? "," : "") + std::to_string((k * 37) % 101) + "/100";
    json a = run_json("eval " + repo_path("tests/data/onnx/mnist-net_256x2.onnx") + " --input " + input + " --json");
    json b = run_json("eval " + out + " --input " + input + " --json");
    std::remove(out.c_str());
    CHECK(a.at("output") == b.at("output"));
    CHECK(a.at("semantics") == "onnx-float32");
    CHECK(b.at("semantics") == "json-exact");
}

TEST_CASE("cli: bad ONNX input exits 3 with a message naming the file", "[onnx][cli]") {
    const std::string junk = temp_path(".onnx");
    {
        std::ofstream f(junk, std::ios::binary);
        f << "this is not a protobuf \x01\x02\xff\xfe";
    }
    std::string out, err;
    CHECK(run_cli("info " + junk, out, &err) == 3);
    CHECK(err.find(junk) != std::string::npos);
    std::remove(junk.c_str());
    // a reading is a property of .nnet decimals: refused for ONNX rather than ignored
    CHECK(run_cli("info " + repo_path(acas) + " --nnet-reading binary64", out, &err) == 3);
    CHECK(err.find("applies to .nnet files only") != std::string::npos);
}

TEST_CASE("cli: lipschitz and verify accept ONNX; verify --instances matches the VNN-COMP consensus", "[onnx][cli]") {
    // test_nano is y = relu(w x) with one float32 weight w: its Lipschitz constant is |w|
    json l = run_json("lipschitz " + repo_path("tests/data/onnx/test_nano.onnx") + " --norm inf --json");
    CHECK(l.at("semantics") == "onnx-float32");
    const Network nano = read_onnx(repo_path("tests/data/onnx/test_nano.onnx"));
    const auto w = evaluate_rational(nano, ExactArith{}, {Rational(1)})[0] -
                   evaluate_rational(nano, ExactArith{}, {Rational(0)})[0];
    CHECK(parse_rational(l.at("lower").at("value").get<std::string>()) <= w.abs());
    for (const auto& u : l.at("upper")) CHECK(parse_rational(u.at("value").get<std::string>()) >= w.abs());
    // the consensus of the VNN-COMP 2021 participants (stanleybak/vnncomp2021_results):
    // test_nano holds, test_sat is violated
    const std::string results = temp_path(".csv");
    std::string out, err;
    REQUIRE(run_cli("verify --instances " + repo_path("tests/data/onnx/instances.csv") + " --results " + results, out, &err) == 0);
    std::ifstream in(results);
    std::stringstream ss;
    ss << in.rdbuf();
    std::remove(results.c_str());
    std::vector<std::string> lines;
    for (std::string line; std::getline(ss, line);) lines.push_back(line);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "onnx,vnnlib,result,vnncomp_result,seconds,semantics");
    CHECK(lines[1].rfind("test_nano.onnx,test_nano.vnnlib,holds,unsat,", 0) == 0);
    CHECK(lines[2].rfind("test_sat.onnx,test_prop.vnnlib,violated,sat,", 0) == 0);
    for (std::size_t k = 1; k < 3; ++k) CHECK(lines[k].substr(lines[k].size() - 13) == ",onnx-float32");
    // a single verify states the semantics; a counterexample is exact and re-checked
    json v = [&] {
        std::string o2, e2;
        CHECK(run_cli("verify " + repo_path("tests/data/onnx/test_sat.onnx") + " " + repo_path("tests/data/onnx/test_prop.vnnlib") + " --json", o2, &e2) == 1);
        return json::parse(o2);
    }();
    CHECK(v.at("semantics") == "onnx-float32");
    REQUIRE(v.at("result") == "violated");
    std::vector<Rational> x;
    for (const auto& s : v.at("counterexample").at("input")) x.push_back(parse_rational(s.get<std::string>()));
    const auto y = evaluate_rational(read_onnx(repo_path("tests/data/onnx/test_sat.onnx")), ExactArith{}, x);
    for (std::size_t k = 0; k < y.size(); ++k) CHECK(v.at("counterexample").at("output")[k] == y[k].str());
}
