// The JSON reader at its trust boundary: strict keys, and the limits that keep crafted
// files (tests/data/fuzz, see its README) from crashing, hanging or exhausting memory.
#include <chrono>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../../src/io/text_file.hpp"
#include "../support.hpp"
#include "rigornet/io/json_format.hpp"
#include "rigornet/linalg/structured.hpp"
#include "rigornet/linalg/transforms.hpp"

using namespace rigornet;
using nlohmann::json;
using rigornet::test::repo_path;
using rigornet::test::run_cli;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The message of the E that f throws (the test fails if f throws nothing).
template <class E, class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    FAIL("no error was thrown");
    return {};
}

json read_json_file(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in);
    return json::parse(in);
}

// One network using every kind of JSON object the reader knows.
json every_object() {
    return json::parse(R"({"format": "rigornet-network", "version": 1, "input_dim": 4,
      "operators": {"op0": {"operator": "walsh", "shape": [4], "order": "natural"}},
      "layers": [
        {"type": "affine", "A": {"rows": 4, "cols": 4, "dense": [["1","0","0","0"],["0","1","0","0"],["0","0","1","0"],["0","0","0","1"]]},
         "B": {"rows": 4, "cols": 4, "sparse": [[0, 1, "1/2"]]}, "c": ["0", "1", "2", "3"]},
        {"type": "affine", "A": {"ref": "op0"}},
        {"type": "affine", "A": {"operator": "haar", "shape": [4], "levels": 1}},
        {"type": "affine", "A": {"operator": "composition", "factors": [
            {"operator": "adjoint", "of": {"operator": "subsample", "n": 4, "omega": [0, 1, 2, 3]}},
            {"operator": "adjoint", "of": {"operator": "fourier", "shape": [4], "omega": [0, 1], "complex": false}}]}},
        {"type": "affine", "A": {"operator": "adjoint", "of": {"operator": "fourier-rational", "shape": [4], "omega": [0, 1], "accuracy": 8}}},
        {"type": "affine", "A": {"operator": "block", "rows": 4, "cols": 4, "blocks": [
            {"out": [0], "in": [[0, "1"]], "op": {"ref": "op0"}}, {"out": [0], "in": [[0, "2"]], "identity": 4}]}},
        {"type": "elementwise", "function": "relu", "indices": [0, 1]},
        {"type": "elementwise", "function": "soft_threshold", "t": "1/10"},
        {"type": "elementwise", "function": "square"},
        {"type": "elementwise", "function": "sqrt_theta", "theta": "1/64"},
        {"type": "gate", "gates": [{"control": 0, "targets": [1],
           "f": {"op": "min", "args": ["1", {"op": "sqrt_theta", "theta": "1/64", "args": ["u"]}]}}]}]})");
}

// A chain of `depth` operators "adjoint" around a 4-point Walsh transform, as layer A.
json nested_adjoints(int depth) {
    json op = {{"operator", "walsh"}, {"shape", {4}}};
    for (int i = 0; i < depth; ++i) op = {{"operator", "adjoint"}, {"of", op}};
    return {{"input_dim", 4}, {"layers", json::array({{{"type", "affine"}, {"A", op}}})}};
}

// A gate whose expression nests `depth` negations around u.
json nested_negations(int depth) {
    json f = "u";
    for (int i = 0; i < depth; ++i) f = {{"op", "neg"}, {"args", json::array({f})}};
    json gate = {{"control", 0}, {"targets", {1}}, {"f", f}};
    return {{"input_dim", 2}, {"layers", json::array({{{"type", "gate"}, {"gates", json::array({gate})}}})}};
}

}  // namespace

TEST_CASE("every JSON object refuses unknown keys, naming the path and the closest valid key", "[json]") {
    REQUIRE_NOTHROW(network_from_json(every_object(), "ok.json"));
    struct Case {
        json::json_pointer where;  // the object given the extra key
        std::string key, path, suggestion;
    };
    const std::vector<Case> cases = {
        {json::json_pointer(""), "inputdim", "inputdim", "input_dim"},
        {json::json_pointer("/layers/0"), "bias", "layers[0].bias", "c"},
        {json::json_pointer("/layers/0/A"), "col", "layers[0].A.col", "cols"},
        {json::json_pointer("/layers/0/B"), "Rows", "layers[0].B.Rows", "rows"},
        {json::json_pointer("/layers/1/A"), "refs", "layers[1].A.refs", "ref"},
        {json::json_pointer("/operators/op0"), "orders", "operators.op0.orders", "order"},
        {json::json_pointer("/layers/2/A"), "level", "layers[2].A.level", "levels"},
        {json::json_pointer("/layers/3/A"), "factor", "layers[3].A.factor", "factors"},
        {json::json_pointer("/layers/3/A/factors/0"), "off", "layers[3].A.factors[0].off", "of"},
        {json::json_pointer("/layers/3/A/factors/0/of"), "N", "layers[3].A.factors[0].of.N", "n"},
        {json::json_pointer("/layers/3/A/factors/1/of"), "complx", "layers[3].A.factors[1].of.complx", "complex"},
        {json::json_pointer("/layers/4/A/of"), "acuracy", "layers[4].A.of.acuracy", "accuracy"},
        {json::json_pointer("/layers/5/A"), "block", "layers[5].A.block", "blocks"},
        {json::json_pointer("/layers/5/A/blocks/1"), "identiy", "layers[5].A.blocks[1].identiy", "identity"},
        {json::json_pointer("/layers/6"), "indicies", "layers[6].indicies", "indices"},
        {json::json_pointer("/layers/7"), "th", "layers[7].th", "t"},
        {json::json_pointer("/layers/8"), "functions", "layers[8].functions", "function"},
        {json::json_pointer("/layers/9"), "thetta", "layers[9].thetta", "theta"},
        {json::json_pointer("/layers/10"), "gate", "layers[10].gate", "gates"},
        {json::json_pointer("/layers/10/gates/0"), "target", "layers[10].gates[0].target", "targets"},
        {json::json_pointer("/layers/10/gates/0/f"), "arg", "layers[10].gates[0].f.arg", "args"},
        {json::json_pointer("/layers/10/gates/0/f/args/1"), "theta_", "layers[10].gates[0].f.args[1].theta_", "theta"},
    };
    for (const Case& c : cases) {
        json d = every_object();
        d[c.where][c.key] = "0";
        INFO("unknown key " << c.key << " at " << c.path);
        CHECK_THAT(error_of<ParseError>([&] { network_from_json(d, "net.json"); }),
                   Catch::StartsWith("net.json: " + c.path + ": unknown key") &&
                       Catch::Contains("did you mean \"" + c.suggestion + "\"?"));
    }
    // θ belongs to sqrt_theta only
    json theta = every_object();
    theta["layers"][7]["theta"] = "1";
    CHECK_THROWS_WITH(network_from_json(theta, "net.json"), Catch::Contains("layers[7].theta: unknown key"));
    // a matrix has dense or sparse entries, not both; a block has op or identity, not both
    json both = every_object();
    both["layers"][0]["A"]["sparse"] = json::array();
    CHECK_THROWS_WITH(network_from_json(both, "net.json"), Catch::Contains("layers[0].A: expected \"dense\" or \"sparse\""));
    json block = every_object();
    block["layers"][5]["A"]["blocks"][1]["op"] = {{"ref", "op0"}};
    CHECK_THROWS_WITH(network_from_json(block, "net.json"), Catch::Contains("layers[5].A.blocks[1]: expected exactly one"));
}

TEST_CASE("nesting is refused beyond json_limits::max_depth, and accepted up to it", "[json]") {
    const int limit = json_limits::max_depth;
    CHECK_NOTHROW(network_from_json(nested_adjoints(limit), "deep.json"));
    CHECK_THAT(error_of<ResourceError>([&] { network_from_json(nested_adjoints(limit + 1), "deep.json"); }),
               Catch::StartsWith("deep.json: layers[0].A.of.of") && Catch::Contains("nested deeper than"));
    CHECK_NOTHROW(network_from_json(nested_negations(limit), "deep.json"));
    CHECK_THAT(error_of<ResourceError>([&] { network_from_json(nested_negations(limit + 1), "deep.json"); }),
               Catch::StartsWith("deep.json: layers[0].gates[0].f.args[0].args[0]"));
}

TEST_CASE("the weight-bit budget grows with the literals' length and refuses amplification", "[json]") {
    // n literals "1e100000" in one dense row: each is 10^100000, of Rational::bits() b
    const auto b = static_cast<std::uint64_t>(parse_rational("1e100000").bits());
    const std::uint64_t per_literal = b - json_limits::bits_per_literal_char * 8;  // net cost of one
    auto row_of = [](std::uint64_t n) {
        json row = json::array();
        for (std::uint64_t i = 0; i < n; ++i) row.push_back("1e100000");
        return json{{"input_dim", n}, {"layers", json::array({{{"type", "affine"}, {"c", {"0"}},
                                                              {"A", {{"rows", 1}, {"cols", n}, {"dense", {row}}}}}})}};
    };
    const std::uint64_t fits = json_limits::base_weight_bits / per_literal;  // the budget holds these
    CHECK_NOTHROW(network_from_json(row_of(fits), "big.json"));
    CHECK_THAT(error_of<ResourceError>([&] { network_from_json(row_of(fits + 1), "big.json"); }),
               Catch::StartsWith("big.json: layers[0].A.dense[0][" + std::to_string(fits) + "]: ") &&
                          Catch::Contains("budget"));
    // long literals pay for themselves: a megabyte of digits is within the budget
    json long_digits = row_of(1);
    long_digits["layers"][0]["A"]["dense"][0][0] = std::string(900000, '7');
    CHECK_NOTHROW(network_from_json(long_digits, "digits.json"));
}

TEST_CASE("declared sizes without data are bounded before allocation", "[json]") {
    const std::uint64_t limit = json_limits::max_unbacked_values;
    auto sparse = [](std::uint64_t rows) {
        return json{{"input_dim", 1}, {"layers", json::array({{{"type", "affine"}, {"c", json::array()},
                                                              {"A", {{"rows", rows}, {"cols", 1}, {"sparse", json::array()}}}}})}};
    };
    // the row table (rows + 1 values) of a sparse matrix without entries; the bias c is
    // given (empty, so the layer is then refused for its shape, after the allocation)
    CHECK_THROWS_AS(network_from_json(sparse(limit - 1), "s.json"), ShapeError);
    CHECK_THAT(error_of<ResourceError>([&] { network_from_json(sparse(limit), "s.json"); }),
               Catch::StartsWith("s.json: layers[0].A.rows: "));
    // a default zero bias for the 2^31 rows of the adjoint of a Fourier sampling map
    json f = json::parse(R"({"input_dim": 2, "layers": [{"type": "affine", "A": {"operator": "adjoint",
        "of": {"operator": "fourier", "shape": [16777216, 128], "omega": [0]}}}]})");
    CHECK_THROWS_WITH(network_from_json(f, "f.json"), Catch::StartsWith("f.json: layers[0]: default zero bias"));
}

TEST_CASE("each fuzzing reproducer ends in its specific error naming the file and JSON path, quickly", "[json]") {
    struct Repro {
        const char* file;
        int kind;  // 0 ParseError, 1 ShapeError, 2 DomainError, 3 ResourceError
        const char* path;
    };
    const std::vector<Repro> repros = {
        {"stack_overflow_adjoint.json", 3, "layers[0].A.of.of.of"},
        {"fuzz_asan_00525_stack_overflow.json", 3, "operators.op2.of.of.of"},
        {"dag_composition_hang.json", 3, "operators.op22: expands to"},
        {"dense_reserve_1e12.json", 0, "layers[0].A.dense[0]: expected a row of 10000000"},
        {"wide_sparse_memory.json", 3, "layers[0].A.rows: the row table"},
        {"fourier_adjoint_2g_rows.json", 3, "layers[0]: default zero bias"},
        {"fuzz_norm_02383_out_of_memory.json", 3, "layers[2]: default zero bias"},
        {"literal_amplification_224KB.json", 3, "layers[0].A.dense["},
        {"fourier_rational_slow_read.json", 3, "layers[0].A.of.accuracy: 100000 exceeds the limit"},
        {"complex_string_unlocated.json", 0, "layers[0].A.complex: expected true or false"},
        {"exponent_refusal_unlocated.json", 3, "layers[0].A.dense[0][0]: "},
        {"fourier_rational_acc0_unlocated.json", 0, "layers[0].A.accuracy: expected 1 to 4096 bits"},
        {"input_dim0_unlocated.json", 1, "input_dim: "},
        {"json_number_overflow_unlocated.json", 0, "layers[0].A.dense[0][0]: not valid JSON"},
        {"order_null_unlocated.json", 0, "layers[0].A.order: expected a string"},
    };
    for (const Repro& r : repros) {
        const std::string path = repo_path(std::string("tests/data/fuzz/") + r.file);
        INFO(path);
        const auto t0 = std::chrono::steady_clock::now();
        std::string message;
        int kind = -1;
        try {
            read_network_json(path);
        } catch (const ParseError& e) {
            kind = 0, message = e.what();
        } catch (const ShapeError& e) {
            kind = 1, message = e.what();
        } catch (const DomainError& e) {
            kind = 2, message = e.what();
        } catch (const ResourceError& e) {
            kind = 3, message = e.what();
        }
        INFO(message.substr(0, 400));
        CHECK(kind == r.kind);
        CHECK_THAT(message, Catch::StartsWith(path + ": " + r.path));
        CHECK(seconds_since(t0) < 5);
    }
}

TEST_CASE("a DAG of shared blocks is read shared and written once per operator", "[json]") {
    // 20 levels, op_k a block using op_{k-1} twice: 2^21 operators expanded, 21 distinct
    const std::string path = repo_path("tests/data/fuzz/dag_block_convert_blowup.json");
    const json doc = read_json_file(path);
    const auto t0 = std::chrono::steady_clock::now();
    Network net = read_network_json(path);
    const auto& top = std::get<AffineLayer>(net.layers().at(0)).A;
    const auto* b = dynamic_cast<const BlockOperator*>(top.get());
    REQUIRE(b != nullptr);
    CHECK(b->blocks().at(0).op == b->blocks().at(1).op);  // one object, shared
    json out = network_to_json(net);
    // op0 … op19 are each used twice; op20, used once (by the layer), is written in place
    CHECK(out.at("operators").size() == doc.at("operators").size() - 1);
    CHECK(out["layers"][0]["A"].at("operator") == "block");
    CHECK(out.dump().size() < 2 * doc.dump().size());
    CHECK(network_to_json(network_from_json(out, "again")) == out);
    CHECK(seconds_since(t0) < 5);
}

TEST_CASE("the writer defines exactly the operators used more than once", "[json]") {
    auto w = std::make_shared<WalshHadamard>(Shape({4}), WalshOrder::natural);
    auto twice = std::make_shared<Composition>(std::vector<OperatorPtr>{w, w});  // w used twice here
    auto once = std::make_shared<Haar>(Shape({4}), 1);
    Network net(4);
    net.add_affine(twice, nullptr, std::vector<Rational>(4));
    net.add_affine(twice, once, std::vector<Rational>(4));
    json doc = network_to_json(net);
    INFO(doc.dump());
    REQUIRE(doc.contains("operators"));
    CHECK(doc["operators"].size() == 2);  // w and twice; once is written in place
    CHECK(doc["layers"][0]["A"] == doc["layers"][1]["A"]);
    CHECK(doc["layers"][0]["A"].contains("ref"));
    CHECK(doc["layers"][1]["B"].at("operator") == "haar");
    Network back = network_from_json(doc, "back");
    const auto& a0 = std::get<AffineLayer>(back.layers()[0]).A;
    CHECK(a0 == std::get<AffineLayer>(back.layers()[1]).A);
    const auto* c = dynamic_cast<const Composition*>(a0.get());
    REQUIRE(c != nullptr);
    CHECK(c->factors()[0] == c->factors()[1]);
    // the text: the same document, one line per definition and per layer
    std::ostringstream text;
    write_network_json(net, text);
    CHECK(json::parse(text.str()) == doc);
    std::istringstream lines(text.str());
    int layer_lines = 0, definition_lines = 0;
    for (std::string line; std::getline(lines, line);) {
        layer_lines += line.find("{\"A\":") != std::string::npos;
        definition_lines += line.rfind("    \"op", 0) == 0;
    }
    CHECK(layer_lines == 2);
    CHECK(definition_lines == 2);
}

TEST_CASE("files that are not regular are read only up to the size limit", "[json]") {
    // a device has no size to check beforehand: reading stops once the limit is passed
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_THAT(error_of<ResourceError>([] { detail::read_text_file("/dev/zero", 1 << 20); }),
               Catch::StartsWith("/dev/zero: file of more than 1048576 bytes refused"));
    CHECK(seconds_since(t0) < 1);
    CHECK(detail::read_text_file("/dev/null", 1 << 20).empty());
    // a regular file at the limit is read, one byte more is refused by its size
    const std::string path = rigornet::test::temp_path(".txt");
    std::ofstream(path) << std::string(1000, 'x');
    CHECK(detail::read_text_file(path, 1000).size() == 1000);
    CHECK_THAT(error_of<ResourceError>([&] { detail::read_text_file(path, 999); }),
               Catch::StartsWith(path + ": file of 1000 bytes refused (limit 999)"));
    std::remove(path.c_str());
}

TEST_CASE("cli: crafted files exit with code 3 and a message naming file and path, quickly", "[cli]") {
    struct Run {
        std::string args, expect;
        double seconds = 10;  // the former failures took 20 s to forever, or GBs of memory
    };
    const std::string d = repo_path("tests/data/fuzz/");
    const std::vector<Run> runs = {
        {"info " + d + "stack_overflow_adjoint.json", "stack_overflow_adjoint.json: layers[0].A.of"},
        {"eval " + d + "dag_composition_hang.json --input 1,2 --arith double", "dag_composition_hang.json: operators.op22"},
        {"info " + d + "wide_sparse_memory.json", "wide_sparse_memory.json: layers[0].A.rows"},
        {"info " + d + "literal_amplification_224KB.json", "literal_amplification_224KB.json: layers[0].A.dense["},
        {"info " + d + "fourier_rational_slow_read.json", "fourier_rational_slow_read.json: layers[0].A.of.accuracy"},
        {"info " + d + "json_number_overflow_unlocated.json", "json_number_overflow_unlocated.json: layers[0].A.dense[0][0]"},
        // a device is read up to the limit (2^28 bytes for networks, 2^26 for inputs):
        // bounded memory, and time for reading that much on a busy machine
        {"info /dev/zero", "/dev/zero: file of more than 268435456 bytes", 30},
        {"eval " + repo_path("examples/networks/tiny.nnet") + " --input @/dev/zero", "/dev/zero: file of more than 67108864 bytes", 20},
    };
    for (const Run& r : runs) {
        std::string out, err;
        const auto t0 = std::chrono::steady_clock::now();
        const int code = run_cli(r.args, out, &err);
        INFO("rigornet " << r.args << "\nstderr: " << err.substr(0, 400));
        CHECK(code == 3);
        CHECK_THAT(err, Catch::Contains(r.expect));
        CHECK(seconds_since(t0) < r.seconds);
    }
}
