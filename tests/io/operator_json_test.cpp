// Operators write and read their own JSON (JsonForm<T> in src/io/json_format.cpp): files
// written before that change read back and are written again byte for byte, and they
// exercise every operator type's form.
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "rigornet/io/json_format.hpp"
#include "rigornet/linalg/visit_operator.hpp"

using namespace rigornet;

namespace {

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The kinds of op and of every operator it is built from.
void collect_kinds(const LinearOperator& op, std::set<std::string>& kinds) {
    kinds.insert(op.kind());
    visit_operator(
        op, [&](const AdjointView& a) { collect_kinds(*a.inner(), kinds); },
        [&](const Composition& c) {
            for (const OperatorPtr& f : c.factors()) collect_kinds(*f, kinds);
        },
        [&](const BlockOperator& b) {
            for (const Block& k : b.blocks())
                if (k.op) collect_kinds(*k.op, kinds);
        },
        [](const LinearOperator&) {});  // deliberately: the other types have no parts
}

}  // namespace

TEST_CASE("networks written before operators wrote their own JSON come back byte for byte", "[operator-json]") {
    const char* files[] = {"firenet_walsh8.json",          "firenet_fourier4_complex.json",
                           "fista_fourier_rational4.json", "cpbp_walsh4.json",
                           "pd_dense21x22.json",           "tiny_nnet.json"};
    std::set<std::string> kinds, layer_kinds;
    for (const char* f : files) {
        const std::string path = rigornet::test::repo_path(std::string("tests/data/json/") + f);
        INFO(path);
        const std::string before = file_text(path);
        REQUIRE(!before.empty());
        const Network net = read_network_json(path);
        std::ostringstream after;
        write_network_json(net, after);
        CHECK(after.str() == before);
        for (const Layer& l : net.layers()) {
            layer_kinds.insert(layer_kind(l));
            visit_layer(
                l,
                [&](const AffineLayer& a) {
                    collect_kinds(*a.A, kinds);
                    if (a.B) collect_kinds(*a.B, kinds);
                },
                [](const ElementwiseLayer&) {}, [](const GateLayer&) {});
        }
    }
    // every operator type and layer kind was read and written (listed here, not taken
    // from RIGORNET_FOR_EACH_OPERATOR, so a type added there must be added here too)
    CHECK(kinds == std::set<std::string>{"dense", "sparse", "walsh", "haar", "subsample", "fourier", "fourier-rational",
                                         "adjoint", "composition", "block"});
    CHECK(layer_kinds == std::set<std::string>{"affine", "elementwise", "gate"});
}

TEST_CASE("an unknown operator name is refused, listing the names of the registry", "[operator-json]") {
    const nlohmann::json m = {{"operator", "wavelet"}, {"shape", {4}}};
    CHECK_THROWS_WITH(
        matrix_from_json(m, "m.json", "A"),
        Catch::Contains("m.json: A.operator") &&
            Catch::Contains(
                "expected walsh, haar, subsample, fourier, fourier-rational, adjoint, composition or block"));
}
