// CLI tests of rigornet verify: --certificate (docs/certificates.md) and --threads.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support.hpp"

using rigornet::test::repo_path;
using rigornet::test::run_cli;

namespace {

// sha256sum's answer for the file (an independent implementation).
std::string sha256sum(const std::string& path) {
    FILE* p = popen(("sha256sum '" + path + "'").c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[65] = {};
    const std::size_t n = fread(buf, 1, 64, p);
    pclose(p);
    return std::string(buf, n);
}

}  // namespace

TEST_CASE("verify --certificate: holds writes the tree, violated the exact counterexample", "[verify]") {
    const std::string net = repo_path("tests/data/vnnlib/relu_diff.json");
    for (const char* prop : {"relu_diff_holds.vnnlib", "relu_diff_violated.vnnlib"}) {
        const std::string pf = repo_path(std::string("tests/data/vnnlib/") + prop);
        const std::string cert = rigornet::test::temp_path(".json");
        std::string out, err;
        const int code = run_cli("verify " + net + " " + pf + " --threads 2 --json --certificate " + cert, out, &err);
        INFO(prop << ": " << err);
        const nlohmann::json j = nlohmann::json::parse(out);
        std::ifstream in(cert);
        REQUIRE(in);
        const nlohmann::json c = nlohmann::json::parse(in);
        CHECK(c["format"] == "rigornet-verify-certificate");
        CHECK(c["version"] == (code == 0 ? 3 : 2));  // holds: dual leaves (version 3)
        CHECK(c["rigornet_version"] == j["rigornet_version"]);
        CHECK(c["network"]["file"] == "relu_diff.json");
        CHECK(c["network"]["sha256"] == sha256sum(net));
        CHECK(c["network"]["semantics"] == "json-exact");
        CHECK(c["property"]["sha256"] == sha256sum(pf));
        CHECK(c["result"] == j["result"]);
        if (code == 0) {
            CHECK(c["result"] == "holds");
            CHECK(c.contains("tree"));
            CHECK(!c.contains("counterexample"));
        } else {
            REQUIRE(code == 1);
            CHECK(c["counterexample"] == j["counterexample"]);
            CHECK(!c.contains("tree"));
        }
        std::remove(cert.c_str());
    }
}

// What verify writes, check accepts: the same verdict (exit 0 holds, 1 violated) from the
// independent checker, on a JSON network, an ONNX network and an NNet network whose
// input clip is crossed by the box (the clip relaxations of both implementations).
TEST_CASE("verify --certificate: rigornet check accepts every certificate verify writes", "[verify][check]") {
    const std::string acas_prop = rigornet::test::temp_path(".vnnlib");
    {
        std::ofstream p(acas_prop);
        for (int i = 0; i < 5; ++i) p << "(declare-const X_" << i << " Real)\n";
        for (int j = 0; j < 5; ++j) p << "(declare-const Y_" << j << " Real)\n";
        const char* box[5][2] = {{"1000", "1010"}, {"0", "0.01"}, {"0", "0.01"}, {"1150", "1250"}, {"500", "505"}};
        for (int i = 0; i < 5; ++i)
            p << "(assert (>= X_" << i << " " << box[i][0] << "))\n(assert (<= X_" << i << " " << box[i][1] << "))\n";
        p << "(assert (>= Y_0 1000000))\n";
    }
    const std::vector<std::pair<std::string, std::string>> cases = {
        {repo_path("tests/data/vnnlib/relu_diff.json"), repo_path("tests/data/vnnlib/relu_diff_holds.vnnlib")},
        {repo_path("tests/data/vnnlib/relu_diff.json"), repo_path("tests/data/vnnlib/relu_diff_violated.vnnlib")},
        {repo_path("tests/data/onnx/test_nano.onnx"), repo_path("tests/data/onnx/test_nano.vnnlib")},
        {repo_path("tests/data/onnx/test_tiny.onnx"), repo_path("tests/data/onnx/test_tiny.vnnlib")},
        {repo_path("tests/data/nnet/acasxu_test.nnet"), acas_prop}};
    for (const auto& [net, prop] : cases) {
        const std::string cert = rigornet::test::temp_path(".json");
        std::string out, err;
        const int code = run_cli("verify " + net + " " + prop + " --certificate " + cert, out, &err);
        INFO(net << " " << prop << ": " << out << err);
        REQUIRE((code == 0 || code == 1));
        std::string cout, cerr;
        CHECK(run_cli("check " + net + " " + prop + " " + cert, cout, &cerr) == code);
        std::remove(cert.c_str());
    }
    std::remove(acas_prop.c_str());
}

// VNN-COMP 2021's test_tiny states its box inside the disjunction: it holds (the unsafe
// set is y ≥ 100; eval gives y ≤ 1 at x = −1, −1/2, 0, 1/2, 1, checked here at 1); a truly
// unbounded input is unknown (exit 2) with the reason, not an error.
TEST_CASE("verify: test_tiny's box from its disjunct; an unbounded input is unknown", "[verify][vnnlib]") {
    const std::string net = repo_path("tests/data/onnx/test_tiny.onnx");
    std::string out, err;
    CHECK(run_cli("eval " + net + " --input 1 --json", out, &err) == 0);
    CHECK(nlohmann::json::parse(out)["output"][0] == "1");
    CHECK(run_cli("verify " + net + " " + repo_path("tests/data/onnx/test_tiny.vnnlib") + " --json", out, &err) == 0);
    CHECK(nlohmann::json::parse(out)["result"] == "holds");
    const std::string prop = rigornet::test::temp_path(".vnnlib");
    std::ofstream(prop) << "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (<= X_0 1))\n(assert (>= Y_0 100))\n";
    CHECK(run_cli("verify " + net + " " + prop + " --json", out, &err) == 2);
    const nlohmann::json j = nlohmann::json::parse(out);
    CHECK(j["result"] == "unknown");
    CHECK(j["reason"].get<std::string>().find("unbounded input region") != std::string::npos);
    CHECK(j["reason"].get<std::string>().find("X_0 has no lower bound") != std::string::npos);
    std::remove(prop.c_str());
}

TEST_CASE("verify --alpha-steps: same verdict as without; refused with --certificate, whose default search takes none",
          "[verify][hard]") {
    const std::string net = repo_path("tests/data/vnnlib/relu_diff.json");
    std::string out, err;
    for (const char* prop : {"relu_diff_holds.vnnlib", "relu_diff_violated.vnnlib"})
        for (const char* opts : {"", " --alpha-steps 0", " --alpha-steps 20", " --alpha-steps 20 --no-parent-bounds"}) {
            INFO(prop << opts);
            const int want = std::string(prop) == "relu_diff_holds.vnnlib" ? 0 : 1;
            CHECK(run_cli("verify " + net + " " + repo_path(std::string("tests/data/vnnlib/") + prop) + opts + " --json",
                          out, &err) == want);
        }
    CHECK(run_cli("verify " + net + " " + repo_path("tests/data/vnnlib/relu_diff_holds.vnnlib") +
                      " --alpha-steps 5 --certificate /tmp/rigornet-alpha-cert.json",
                  out, &err) == 3);
    CHECK(err.find("--alpha-steps does not go with --certificate") != std::string::npos);
    // without the option, the default steps are simply not taken, and check accepts the proof
    const std::string holds = repo_path("tests/data/vnnlib/relu_diff_holds.vnnlib");
    const std::string cert = rigornet::test::temp_path(".json");
    CHECK(run_cli("verify " + net + " " + holds + " --certificate " + cert, out, &err) == 0);
    CHECK(run_cli("check " + net + " " + holds + " " + cert, out, &err) == 0);
    std::remove(cert.c_str());
}

TEST_CASE("verify --conjunctions: split, joint and auto agree on a union of conjunctions; split is refused with "
          "--certificate", "[verify]") {
    const std::string net = repo_path("tests/data/vnnlib/relu_diff.json");
    // relu_diff_holds.vnnlib's unsafe set Y_0 >= 1.5 is empty on the box, so is this union
    // of two conjunctions inside it (holds); relu_diff_violated.vnnlib has two, one reached
    const std::string holds = rigornet::test::temp_path(".vnnlib");
    {
        std::ofstream f(holds);
        f << "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n"
             "(assert (<= X_0 1)) (assert (>= X_0 0))\n(assert (<= X_1 1)) (assert (>= X_1 0))\n"
             "(assert (or (and (>= Y_0 1.5) (<= X_0 0.5)) (and (>= Y_0 2))))\n";
    }
    const std::string violated = repo_path("tests/data/vnnlib/relu_diff_violated.vnnlib");
    std::string out, err;
    for (const char* mode : {"auto", "split", "joint"}) {
        INFO(mode);
        CHECK(run_cli("verify " + net + " " + holds + " --conjunctions " + mode, out, &err) == 0);
        CHECK(run_cli("verify " + net + " " + violated + " --conjunctions " + mode, out, &err) == 1);
    }
    const std::string cert = rigornet::test::temp_path(".json");
    CHECK(run_cli("verify " + net + " " + holds + " --conjunctions split --certificate " + cert, out, &err) == 3);
    CHECK(err.find("--conjunctions split does not go with --certificate") != std::string::npos);
    CHECK(run_cli("verify " + net + " " + holds + " --conjunctions both", out, &err) == 3);
    // the default (auto) with --certificate: a joint proof tree that check accepts
    CHECK(run_cli("verify " + net + " " + holds + " --certificate " + cert, out, &err) == 0);
    CHECK(run_cli("check " + net + " " + holds + " " + cert, out, &err) == 0);
    std::remove(cert.c_str());
    std::remove(holds.c_str());
}

// The self-check of the leaves (threads re-check the search's dual leaves, the failing
// ones are split afterwards in tree order) writes the same certificate with 1 and 2
// threads, and check accepts it. ACAS Xu 4_2 property 3: one of its search leaves fails
// the plain dual check and closes as a "dual_forward" leaf (version 4).
TEST_CASE("verify --certificate: the same file with 1 and 2 threads, dual_forward leaves included", "[verify][cert3]") {
    const std::string net = repo_path("tests/data/acasxu/ACASXU_run2a_4_2_batch_2000.onnx");
    const std::string prop = repo_path("tests/data/acasxu/prop_3.vnnlib");
    std::vector<std::string> text;
    for (const char* threads : {"1", "2"}) {
        const std::string cert = rigornet::test::temp_path(".json");
        std::string out, err;
        REQUIRE(run_cli("verify " + net + " " + prop + " --json --threads " + threads + " --certificate " + cert, out,
                        &err) == 0);
        std::ifstream in(cert);
        REQUIRE(in);
        text.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        const nlohmann::json c = nlohmann::json::parse(text.back());
        CHECK(c["version"] == 4);
        CHECK(text.back().find("\"dual_forward\"") != std::string::npos);
        std::string cout, cerr;
        CHECK(run_cli("check " + net + " " + prop + " " + cert, cout, &cerr) == 0);
        std::remove(cert.c_str());
    }
    CHECK(text[0] == text[1]);
}

// ACAS Xu 5_3 property 3 (COC is not minimal: a conjunction of four constraints): some
// leaves refute the conjunction only by a nonnegative combination of its constraints, so
// the certificate is version 5 with multipliers in `refutes`, and check accepts it.
TEST_CASE("verify --certificate: ACAS Xu leaves refuted by combinations of constraints (version 5)", "[verify][cert3]") {
    const std::string net = repo_path("tests/data/acasxu/ACASXU_run2a_5_3_batch_2000.onnx");
    const std::string prop = repo_path("tests/data/acasxu/prop_3.vnnlib");
    const std::string cert = rigornet::test::temp_path(".json");
    std::string out, err;
    REQUIRE(run_cli("verify " + net + " " + prop + " --certificate " + cert, out, &err) == 0);
    std::ifstream in(cert);
    const nlohmann::json c = nlohmann::json::parse(in);
    CHECK(c["version"] == 5);
    std::size_t combined = 0;
    std::vector<const nlohmann::json*> stack{&c["tree"]};
    while (!stack.empty()) {
        const nlohmann::json& n = *stack.back();
        stack.pop_back();
        if (n.contains("leaf")) {
            for (const auto& r : n["refutes"]) combined += r.is_array();
            continue;
        }
        for (const char* child : {"below", "above", "inactive", "active"})
            if (n.contains(child)) stack.push_back(&n[child]);
    }
    CHECK(combined > 0);
    CHECK(run_cli("check " + net + " " + prop + " " + cert, out, &err) == 0);
    std::remove(cert.c_str());
}
