#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/io/json_format.hpp"

using namespace rigornet;
using nlohmann::json;
using rigornet::test::cases;

TEST_CASE("JSON round trip is exact on random networks", "[json]") {
    auto g = rigornet::test::rng(40);
    for (int t = 0; t < cases(60); ++t) {
        std::size_t n = 1 + g() % 3;
        Network net = rigornet::test::random_network(g, n, 1 + static_cast<int>(g() % 4));
        json doc = network_to_json(net);
        Network back = network_from_json(json::parse(doc.dump()), "roundtrip");
        INFO(doc.dump());
        CHECK(network_to_json(back) == doc);
        CHECK(back.widths() == net.widths());
        // and the two compute the same exact function
        std::vector<Rational> y = rigornet::test::random_vector(g, n, 10);
        try {
            CHECK(evaluate_rational(back, ExactArith{}, y) == evaluate_rational(net, ExactArith{}, y));
        } catch (const DomainError&) {
        }
    }
}

TEST_CASE("JSON reading is exact and refuses binary64 literals", "[json]") {
    json doc = json::parse(R"({"format": "rigornet-network", "version": 1, "input_dim": 1,
        "layers": [{"type": "affine", "A": {"rows": 1, "cols": 1, "dense": [["0.1"]]}, "c": [3]}]})");
    Network net = network_from_json(doc, "t");
    CHECK(evaluate_rational(net, ExactArith{}, {Rational(10)})[0] == Rational(4));
    doc["layers"][0]["A"]["dense"][0][0] = 0.1;
    CHECK_THROWS_WITH(network_from_json(doc, "t.json"),
                      Catch::Contains("t.json: layers[0].A.dense[0][0]") && Catch::Contains("floating-point"));
}

TEST_CASE("malformed JSON networks give messages with the path", "[json]") {
    auto base = [] {
        return json::parse(R"({"input_dim": 2, "layers": [
          {"type": "affine", "A": {"rows": 2, "cols": 2, "sparse": [[0, 0, "1"], [1, 1, "-1/2"]]}, "c": ["0", "1"]},
          {"type": "elementwise", "function": "sqrt_theta", "theta": "1/64", "indices": [0]},
          {"type": "gate", "gates": [{"control": 1, "targets": [0],
             "f": {"op": "min", "args": ["1", {"op": "div", "args": ["1", {"op": "sqrt_theta", "theta": "1/64", "args": ["u"]}]}]}}]}]})");
    };
    CHECK_NOTHROW(network_from_json(base(), "ok"));
    struct Case {
        std::function<void(json&)> edit;
        const char* expect;
    };
    std::vector<Case> bad = {
        {[](json& d) { d.erase("input_dim"); }, "missing field \"input_dim\""},
        {[](json& d) { d["layers"][0]["A"]["rows"] = 3; }, "layer 1 (affine): bias c has 2"},
        {[](json& d) { d["layers"][0]["A"]["sparse"][0][0] = 5; }, "outside the matrix"},
        {[](json& d) { d["layers"][0]["c"][1] = "x"; }, "layers[0].c[1]"},
        {[](json& d) { d["layers"][1]["theta"] = "0"; }, "layers[1].theta"},
        {[](json& d) { d["layers"][1]["function"] = "tanh"; }, "layers[1].function"},
        {[](json& d) { d["layers"][1]["indices"][0] = 7; }, "layer 2 (elementwise)"},
        {[](json& d) { d["layers"][2]["gates"][0]["f"]["op"] = "pow"; }, "layers[2].gates[0].f.op"},
        {[](json& d) { d["layers"][2]["gates"][0]["targets"][0] = 1; }, "used by two gates"},
        {[](json& d) { d["layers"][0]["type"] = "conv"; }, "layers[0].type"},
        {[](json& d) { d["layers"][0]["A"]["rows"] = 1e12; }, "layers[0].A.rows"},
        {[](json& d) { d["layers"][0]["A"]["rows"] = 1000000000000LL; }, "exceeds the limit"},
        {[](json& d) { d["version"] = 2; }, "version"},
    };
    for (auto& c : bad) {
        json d = base();
        c.edit(d);
        INFO("expect: " << c.expect << "\n" << d.dump());
        CHECK_THROWS_WITH(network_from_json(d, "net.json"), Catch::Contains(c.expect));
    }
    // nesting one beyond the limit is refused, not a stack overflow (json_limits_test
    // has the limit itself)
    json deep = "u";
    for (int i = 0; i <= json_limits::max_depth; ++i) deep = json{{"op", "neg"}, {"args", json::array({deep})}};
    json d = base();
    d["layers"][2]["gates"][0]["f"] = deep;
    CHECK_THROWS_AS(network_from_json(d, "deep"), ResourceError);
    CHECK_THROWS_WITH(read_network_json("/nonexistent/net.json"), Catch::Contains("cannot open"));
}
