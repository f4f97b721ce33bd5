// The lipschitz and table subcommands, run as a user would (RIGORNET_BIN).
#include "rigornet/core/version.hpp"
#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/io/nnet_format.hpp"

using namespace rigornet;
using nlohmann::json;
using rigornet::test::repo_path;
using rigornet::test::run_cli;
using rigornet::test::run_json;

namespace {

std::vector<Rational> rationals(const json& a) {
    std::vector<Rational> v;
    for (const auto& x : a) v.push_back(parse_rational(x.get<std::string>()));
    return v;
}

}  // namespace

TEST_CASE("cli: lipschitz --json sandwiches L between a re-checkable witness and proved bounds", "[lipschitz][cli]") {
    const std::string net = repo_path("examples/networks/tiny.nnet");
    const ReluChain c = extract_relu_chain(read_nnet(net, NumberReading::decimal));
    for (const std::string norm : {"1", "inf"}) {
        const json j = run_json("lipschitz " + net + " --norm " + norm + " --exact --json");
        INFO(j.dump(2));
        const LipNorm p = parse_lip_norm(norm);
        const Rational lower = parse_rational(j.at("lower").at("value").get<std::string>());
        // The witness pair alone reproduces the lower bound in exact arithmetic.
        CHECK(pair_quotient_lower(c, rationals(j["lower"]["witness"]["a"]), rationals(j["lower"]["witness"]["b"]), p, 64) ==
              lower);
        const Rational exact = parse_rational(j.at("exact").at("value").get<std::string>());
        CHECK(lower == exact);  // the exact constant is attained by its witness
        std::set<std::string> methods;
        for (const auto& u : j.at("upper")) {
            methods.insert(u.at("method").get<std::string>());
            // exact rationals for p = 1, ∞; the interval Jacobian is outward-rounded binary64
            CHECK(u.at("arith") == (u.at("method") == "interval" ? "binary64, outward rounding" : "exact"));
            CHECK(exact <= parse_rational(u.at("value").get<std::string>()));
        }
        CHECK(methods == std::set<std::string>{"product", "K1", "K3", "K4", "K", "interval", "exact"});
    }
    // p = 2: decimal upper ends (ball arithmetic), each above the exact constant's enclosure.
    const json j2 = run_json("lipschitz " + net + " --norm 2 --methods product,K1,K2,K --exact --json");
    INFO(j2.dump(2));
    CHECK(j2.at("upper").size() == 5);
    const Rational l2 = parse_rational(j2.at("exact").at("upper").get<std::string>());
    for (const auto& u : j2.at("upper")) {
        CHECK(u.at("arith") == "ball:128");
        CHECK(l2 <= parse_rational(u.at("value").get<std::string>()));
    }
    // K2 is an ℓ2 bound: reported as skipped, with the reason, for p = ∞.
    const json ji = run_json("lipschitz " + net + " --norm inf --methods K2 --json");
    CHECK(ji.at("upper").empty());
    CHECK(ji.at("skipped").at(0).at("method") == "K2");
}

TEST_CASE("cli: lipschitz on a box, errors and help", "[lipschitz][cli]") {
    const std::string net = repo_path("examples/networks/tiny.nnet");
    const json j = run_json("lipschitz " + net + " --domain 0:1,-1:1/2 --exact --json");
    INFO(j.dump(2));
    for (const auto& x : j["lower"]["witness"]["a"]) CHECK(x.is_string());
    // The witness pair lies in the box [0,1] × [−1,1/2], and lower ≤ exact.
    const std::vector<Rational> lo{Rational(0), Rational(-1)}, hi{Rational(1), Rational(1, 2)};
    for (const char* w : {"a", "b"}) {
        const std::vector<Rational> x = rationals(j.at("lower").at("witness").at(w));
        REQUIRE(x.size() == lo.size());
        for (std::size_t k = 0; k < x.size(); ++k) CHECK((lo[k] <= x[k] && x[k] <= hi[k]));
    }
    CHECK(parse_rational(j.at("lower").at("value").get<std::string>()) <=
          parse_rational(j.at("exact").at("value").get<std::string>()));
    std::string out, err;
    // A network with a sqrt gate is not a ReLU chain: a clear error, exit code 3.
    CHECK(run_cli("lipschitz " + repo_path("examples/networks/unit_ball_projection.json"), out, &err) == 3);
    CHECK(err.find("ReLU") != std::string::npos);
    CHECK(run_cli("lipschitz " + net + " --norm 3", out, &err) == 3);
    CHECK(run_cli("lipschitz " + net + " --domain 1:0", out, &err) == 3);
    CHECK(run_cli("lipschitz " + net + " --methods K9", out, &err) == 3);
    CHECK(run_cli("lipschitz --help", out, &err) == 0);
    for (const char* opt : {"--norm", "--methods", "--exact", "--domain", "--json", "--samples", "--max-regions"})
        CHECK(out.find(opt) != std::string::npos);
    CHECK(out.find("above depth 20") != std::string::npos);  // the CLI's K4 limit is documented
}

TEST_CASE("cli: tables print in every format; JSON rows carry exact rationals", "[lipschitz][cli]") {
    const json doc = run_json("table takagi --format json");
    CHECK(doc.at("rigornet_version") == rigornet::version);
    const json& rows = doc.at("rows");
    REQUIRE(rows.size() == 6);
    CHECK(rows[3].at("L") == "31/16");  // 2 − 2^−4, where the seed prints 1.93875
    // The seed's value is shown beside ours because it differs from our exact L.
    CHECK(parse_rational(rows[3].at("L_seed").get<std::string>()) != Rational(31, 16));
    CHECK(rows[5].at("K_star") == "2049");
    for (const std::string name : {"takagi", "xy-multiplier --max-l 2", "cnn-lp", "alexnet", "random-relu --draws 3"})
        for (const std::string fmt : {"text", "md", "latex", "csv", "json"}) {
            std::string out, err;
            INFO(name << " " << fmt << "\n" << err);
            CHECK(run_cli("table " + name + " --format " + fmt, out, &err) == 0);
            CHECK(!out.empty());
            if (fmt == "latex") {
                CHECK(out.find("\\toprule") != std::string::npos);
                // Outside the '% ' note comments no ^ ~ \ may appear bare: the tables are text mode.
                std::istringstream lines(out);
                for (std::string line; std::getline(lines, line);) {
                    if (line.rfind("%", 0) == 0) continue;
                    INFO(line);
                    CHECK(line.find_first_of("^~") == std::string::npos);
                    // pdflatex without Unicode support: only ASCII, and < > | only in math mode
                    CHECK(std::all_of(line.begin(), line.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
                    for (std::size_t i = 0; i < line.size(); ++i)
                        if (line[i] == '<' || line[i] == '>' || line[i] == '|') CHECK((i > 0 && line[i - 1] == '$'));
                }
            }
            if (fmt == "csv") {  // column names unique: one value per named cell
                const std::string header = out.substr(0, out.find('\n'));
                std::vector<std::string> names;
                std::stringstream cells(header);
                for (std::string c; std::getline(cells, c, ',');) names.push_back(c);
                std::sort(names.begin(), names.end());
                CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
            }
        }
    {
        // Titles and cells with ^ (4^r, Lip^2, 6e^(-1/3)) come out as \textasciicircum{}.
        std::string out;
        REQUIRE(run_cli("table takagi --format latex", out) == 0);
        CHECK(out.find("4\\textasciicircum{}r") != std::string::npos);
        REQUIRE(run_cli("table cnn-lp --format latex", out) == 0);
        CHECK(out.find("Lip\\textasciicircum{}2") != std::string::npos);
        CHECK(out.find("6e\\textasciicircum{}(-1/3)") != std::string::npos);
    }
    std::string out;
    CHECK(run_cli("table takagi --format csv", out) == 0);
    CHECK(std::count(out.begin(), out.end(), '\n') == 7);  // header + 6 rows
}

TEST_CASE("cli: lipschitz --exact stopped early, fixed inputs, refused sizes", "[lipschitz][cli]") {
    const std::string net = repo_path("examples/networks/tiny.nnet");
    const ReluChain c = extract_relu_chain(read_nnet(net, NumberReading::decimal));
    std::string out, err;
    // Stopped by --max-regions: exit 2, the best region found as a witnessed lower bound.
    REQUIRE(run_cli("lipschitz " + net + " --exact --max-regions 1 --json", out, &err) == 2);
    const json j = json::parse(out);
    INFO(j.dump(2));
    CHECK(j.at("exact").at("complete") == false);
    CHECK(j.at("exact").at("stopped") == "max-regions");
    CHECK(j.at("exact").at("kind") == "lower bound");
    const Rational lower = parse_rational(j.at("lower").at("value").get<std::string>());
    CHECK(pair_quotient_lower(c, rationals(j["lower"]["witness"]["a"]), rationals(j["lower"]["witness"]["b"]),
                              LipNorm::linf, 64) == lower);
    CHECK(parse_rational(j.at("exact").at("lower").get<std::string>()) <= lower);
    for (const auto& u : j.at("upper")) CHECK(u.at("method") != "exact");
    // and a proved upper bound: at least L of the unpruned enumeration
    ExactLimits all;
    all.prune = false;
    const auto full = exact_lipschitz(c, Domain{}, LipNorm::linf, 64, all);
    REQUIRE(full);
    REQUIRE(j.at("exact").at("upper").is_string());
    CHECK(parse_rational(j.at("exact").at("upper").get<std::string>()) >= full->value.upper);
    // lo = hi fixes an input: the witness keeps it.
    const json f = run_json("lipschitz " + net + " --domain 0:1,1/2:1/2 --exact --json");
    for (const char* w : {"a", "b"}) CHECK(rationals(f.at("lower").at("witness").at(w)).at(1) == Rational(1, 2));
    CHECK(f.at("exact").at("complete") == true);
    // Billions of samples or draws are refused before any work.
    CHECK(run_cli("lipschitz " + net + " --samples 3000000000", out, &err) == 3);
    CHECK(err.find("--samples") != std::string::npos);
    CHECK(run_cli("table random-relu --draws 5000000000", out, &err) == 3);
    CHECK(err.find("--draws") != std::string::npos);
    REQUIRE(run_cli("lipschitz --help", out, &err) == 0);
    CHECK(out.find("--timeout") != std::string::npos);
}

TEST_CASE("cli: lipschitz --exact reports progress by time and ends cleanly on SIGINT", "[lipschitz][cli]") {
    // A network with far too many regions: 4 inputs, three hidden layers of 16.
    auto g = rigornet::test::rng(430);
    std::uniform_int_distribution<int> v(-9, 9);
    const std::vector<std::size_t> sizes{4, 16, 16, 16, 1};
    std::string s = "4,4,1,16,\n4,16,16,16,1,\n0,\n-5,-5,-5,-5,\n5,5,5,5,\n0,0,0,0,0,\n1,1,1,1,1,\n";
    for (std::size_t k = 0; k + 1 < sizes.size(); ++k) {
        for (std::size_t i = 0; i < sizes[k + 1]; ++i) {
            for (std::size_t q = 0; q < sizes[k]; ++q) s += std::to_string(v(g)) + "/4,";
            s += "\n";
        }
        for (std::size_t i = 0; i < sizes[k + 1]; ++i) s += std::to_string(v(g)) + ",\n";
    }
    const std::string path = rigornet::test::temp_path(".nnet");
    {
        std::ofstream o(path);
        o << s;
    }
    const std::string err_path = rigornet::test::temp_path(".err");
    std::string out, err;
    // The shell starts rigornet, interrupts it after 2.5 s, and returns its exit status.
    const int code = run_cli("lipschitz " + path + " --methods product --samples 1 --exact --json 2>" + err_path +
                                 " & p=$!; sleep 2.5; kill -INT $p; wait $p",
                             out);
    {
        std::ifstream e(err_path);
        std::stringstream ss;
        ss << e.rdbuf();
        err = ss.str();
    }
    std::remove(path.c_str());
    std::remove(err_path.c_str());
    INFO(out << "\nstderr: " << err);
    CHECK(code == 2);
    CHECK(err.find("rigornet: lipschitz --exact:") != std::string::npos);  // a report at 2 s
    const json j = json::parse(out);
    CHECK(j.at("exact").at("stopped") == "interrupted");
    CHECK(j.at("exact").at("complete") == false);
}

TEST_CASE("cli: euler decides the step condition exactly and certifies margins", "[lipschitz][cli]") {
    std::string out, err;
    CHECK(run_cli("euler --tau 2", out, &err) == 0);
    CHECK(run_cli("euler --tau 2.0001", out, &err) == 1);
    // W = I, b = 0, τ = 1: φ(x) = x − relu(x) = min(x, 0); at x = (−3, −1) the output is x itself,
    // margin of class 1 = −1 − (−3) = 2 > √2·1·ε for ε = 1 (2 > 1.414…) but not for ε = 3/2 (2 < 2.12…)
    json j = run_json("euler --weights '1,0;0,1' --tau 1 --input -3,-1 --label 1 --eps 1 --json");
    CHECK(j.at("output") == json::array({"-3", "-1"}));
    CHECK(j.at("margin") == "2");
    CHECK(j.at("robust") == "proved");
    CHECK(run_cli("euler --weights '1,0;0,1' --tau 1 --input -3,-1 --label 1 --eps 3/2", out, &err) == 2);
    CHECK(run_cli("euler --weights '1,0;0' --tau 1", out, &err) == 3);  // ragged rows
}
