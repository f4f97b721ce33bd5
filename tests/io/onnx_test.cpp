// ONNX input: the VNN-COMP 2021 files against an independent float64 forward pass done
// directly on the protobuf, the ACAS Xu ONNX file against its NNet twin, a hand-made
// model against hand-computed exact values, and crafted bad models.
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "../support.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/io/nnet_format.hpp"
#include "rigornet/io/onnx_format.hpp"

using namespace rigornet;
using rigornet::test::cases;
using rigornet::test::repo_path;

namespace {

const std::string acas = "tests/data/onnx/ACASXU_run2a_1_1_batch_2000.onnx";

std::string file_bytes(const std::string& rel) {
    std::ifstream in(repo_path(rel), std::ios::binary);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

onnx::ModelProto model_of(const std::string& rel) {
    onnx::ModelProto m;
    REQUIRE(m.ParseFromString(file_bytes(rel)));
    return m;
}

std::string bytes_of(const onnx::ModelProto& m) {
    std::string s;
    REQUIRE(m.SerializeToString(&s));
    return s;
}

// ---- the independent reference: a float64 forward pass on the protobuf itself, for the
// operators these files use (no folding, no rationals, no code shared with read_onnx).
struct Tensor {
    std::vector<std::int64_t> dims;
    std::vector<double> v;
};

Tensor tensor_of(const onnx::TensorProto& t) {
    Tensor r{{t.dims().begin(), t.dims().end()}, {}};
    REQUIRE(t.data_type() == onnx::TensorProto::FLOAT);
    if (!t.raw_data().empty()) {
        for (std::size_t i = 0; i < t.raw_data().size() / 4; ++i) {
            float f;
            std::memcpy(&f, t.raw_data().data() + 4 * i, 4);  // the test host is little-endian (x86)
            r.v.push_back(f);
        }
    } else {
        for (float f : t.float_data()) r.v.push_back(f);
    }
    return r;
}

std::vector<double> reference_forward(const onnx::ModelProto& m, std::vector<double> x) {
    std::map<std::string, Tensor> c;
    for (const auto& t : m.graph().initializer()) c[t.name()] = tensor_of(t);
    for (const auto& n : m.graph().node()) {
        const std::string& op = n.op_type();
        auto other = [&](int i) -> const Tensor& { return c.at(n.input(i)); };
        if (op == "Relu") {
            for (double& z : x) z = std::max(z, 0.0);
        } else if (op == "Sub" || op == "Add") {  // constant second, broadcast along the last axis
            const Tensor& b = other(1);
            for (std::size_t i = 0; i < x.size(); ++i) x[i] += (op == "Sub" ? -1 : 1) * b.v[i % b.v.size()];
        } else if (op == "MatMul" && c.count(n.input(1))) {  // x · W
            const Tensor& w = other(1);
            std::vector<double> y(static_cast<std::size_t>(w.dims[1]), 0.0);
            for (std::size_t i = 0; i < x.size(); ++i)
                for (std::size_t j = 0; j < y.size(); ++j) y[j] += x[i] * w.v[i * y.size() + j];
            x = y;
        } else if (op == "MatMul") {  // W · x
            const Tensor& w = other(0);
            std::vector<double> y(static_cast<std::size_t>(w.dims[0]), 0.0);
            for (std::size_t i = 0; i < y.size(); ++i)
                for (std::size_t j = 0; j < x.size(); ++j) y[i] += w.v[i * x.size() + j] * x[j];
            x = y;
        } else if (op == "Gemm") {  // x · Bᵀ + C (the transB = 1, alpha = beta = 1 of mnistfc)
            const Tensor& w = other(1);
            const Tensor& b = other(2);
            std::vector<double> y = b.v;
            for (std::size_t j = 0; j < y.size(); ++j)
                for (std::size_t i = 0; i < x.size(); ++i) y[j] += w.v[j * x.size() + i] * x[i];
            x = y;
        } else {
            REQUIRE(op == "Flatten");  // the row-major order is unchanged
        }
    }
    return x;
}

Rational exact_of_float(float f) { return Rational::from_double(static_cast<double>(f)); }

onnx::TensorProto float_tensor(const std::string& name, std::vector<std::int64_t> dims, const std::vector<float>& v,
                               bool raw) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t.add_dims(d);
    if (raw)
        t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), 4 * v.size()));
    else
        for (float f : v) t.add_float_data(f);
    return t;
}

onnx::NodeProto* add_node(onnx::GraphProto& g, const std::string& name, const std::string& op,
                          std::vector<std::string> in, const std::string& out) {
    onnx::NodeProto* n = g.add_node();
    n->set_name(name);
    n->set_op_type(op);
    for (auto& s : in) n->add_input(s);
    n->add_output(out);
    return n;
}

void set_io(onnx::ValueInfoProto* v, const std::string& name, std::vector<std::int64_t> dims) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

// A hand-made model using every folded operator (see the expected value below).
onnx::ModelProto hand_model() {
    onnx::ModelProto m;
    m.set_ir_version(7);
    m.add_opset_import()->set_version(14);
    onnx::GraphProto& g = *m.mutable_graph();
    set_io(g.add_input(), "x", {1, 2});
    set_io(g.add_output(), "out", {2});
    *g.add_initializer() = float_tensor("c0", {1, 2}, {0.5f, -1.0f}, true);
    *g.add_initializer() = float_tensor("d", {2}, {2.0f, 0.25f}, false);
    *g.add_initializer() = float_tensor("B", {3, 2}, {1, 2, 0, -1, 3, 0.5f}, true);
    *g.add_initializer() = float_tensor("C", {3}, {1, -2, 0.125f}, true);
    *g.add_initializer() = float_tensor("W", {2, 3}, {1, -1, 2, 0.5f, 0, -3}, false);
    *g.add_initializer() = float_tensor("m", {}, {-3}, true);
    *g.add_initializer() = float_tensor("k", {2}, {1, 0.75f}, true);
    add_node(g, "sub", "Sub", {"x", "c0"}, "t1");
    add_node(g, "div", "Div", {"t1", "d"}, "t2");
    onnx::NodeProto* gemm = add_node(g, "gemm", "Gemm", {"t2", "B", "C"}, "t3");
    auto* a = gemm->add_attribute();
    a->set_name("transB"), a->set_type(onnx::AttributeProto::INT), a->set_i(1);
    a = gemm->add_attribute();
    a->set_name("alpha"), a->set_type(onnx::AttributeProto::FLOAT), a->set_f(0.5f);
    a = gemm->add_attribute();
    a->set_name("beta"), a->set_type(onnx::AttributeProto::FLOAT), a->set_f(2.0f);
    add_node(g, "relu", "Relu", {"t3"}, "t4");
    onnx::NodeProto* shape = add_node(g, "shape", "Constant", {}, "s");
    a = shape->add_attribute();
    a->set_name("value"), a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::INT64);
    a->mutable_t()->add_dims(1);
    a->mutable_t()->add_int64_data(-1);
    add_node(g, "reshape", "Reshape", {"t4", "s"}, "t5");
    add_node(g, "matmul", "MatMul", {"W", "t5"}, "t6");
    add_node(g, "mul", "Mul", {"t6", "m"}, "t7");
    add_node(g, "ksub", "Sub", {"k", "t7"}, "out");
    return m;
}

// The hand model's function, written out from the ONNX operator definitions.
std::vector<Rational> hand_expected(const std::vector<Rational>& x) {
    const Rational u0 = (x[0] - Rational(1, 2)) / Rational(2), u1 = (x[1] + Rational(1)) / Rational(1, 4);
    const Rational B[3][2] = {{Rational(1), Rational(2)}, {Rational(0), Rational(-1)}, {Rational(3), Rational(1, 2)}};
    const Rational C[3] = {Rational(1), Rational(-2), Rational(1, 8)};
    Rational h[3];
    for (int i = 0; i < 3; ++i) {
        h[i] = Rational(1, 2) * (B[i][0] * u0 + B[i][1] * u1) + Rational(2) * C[i];
        if (h[i].sign() < 0) h[i] = Rational(0);
    }
    const Rational v0 = h[0] - h[1] + Rational(2) * h[2], v1 = Rational(1, 2) * h[0] - Rational(3) * h[2];
    return {Rational(1) - Rational(-3) * v0, Rational(3, 4) - Rational(-3) * v1};
}

void require_parse_error(const onnx::ModelProto& m, const std::vector<std::string>& words) {
    try {
        parse_onnx(bytes_of(m), "crafted.onnx");
        FAIL("accepted a bad model");
    } catch (const ParseError& e) {
        const std::string msg = e.what();
        INFO(msg);
        CHECK(msg.rfind("crafted.onnx: ", 0) == 0);
        for (const auto& w : words) CHECK(msg.find(w) != std::string::npos);
    }
}

}  // namespace

TEST_CASE("ONNX: the VNN-COMP files equal a float64 forward pass on their protobuf", "[onnx]") {
    auto g = rigornet::test::rng(700);
    for (const std::string name : {"test_nano", "test_tiny", "test_small", "test_sat", "test_unsat",
                                   "ACASXU_run2a_1_1_batch_2000", "mnist-net_256x2"}) {
        const std::string rel = "tests/data/onnx/" + name + ".onnx";
        INFO(rel);
        const onnx::ModelProto m = model_of(rel);
        const Network net = read_onnx(repo_path(rel));
        for (int t = 0; t < cases(name[0] == 'm' ? 2 : 10); ++t) {
            std::vector<Rational> x;
            std::vector<double> xd;
            for (std::size_t i = 0; i < net.input_dim(); ++i) {
                // dyadic inputs in [−1, 1]: exact in double, so both passes see the same point
                x.push_back(Rational(static_cast<long>(g() % 2049) - 1024, 1024));
                xd.push_back(x.back().to_double(Round::nearest));
            }
            const auto exact = evaluate_rational(net, ExactArith{}, x);
            const auto ref = reference_forward(m, xd);
            REQUIRE(exact.size() == ref.size());
            for (std::size_t i = 0; i < ref.size(); ++i) {
                // The exact network has the float32 parameters exactly; the float64 pass
                // rounds each of its ~10^3 operations per output by 2^-53 relative, so the
                // two agree to ~1e-13 of the magnitudes involved; 1e-9 leaves room.
                INFO("output " << i << " exact " << exact[i].str() << " reference " << ref[i]);
                CHECK(std::abs(exact[i].to_double(Round::nearest) - ref[i]) <= 1e-9 * (1 + std::abs(ref[i])));
            }
        }
    }
}

TEST_CASE("ONNX: ACAS Xu in ONNX is its NNet twin in normalised coordinates, to ~1e-7", "[onnx]") {
    // The ONNX file takes the *normalised* input x̃ = (x − mean)/range (its Sub node
    // subtracts zeros) and returns the raw network output; the NNet file takes x and
    // returns z·range_out + mean_out. Inside the input box (no clipping) the twins agree
    // up to the difference of the stored parameters (float32 values vs 6-digit decimals).
    const std::string nnet_rel = "tests/data/onnx/ACASXU_run2a_1_1_batch_2000.nnet";
    const NNetFile f = parse_nnet(file_bytes(nnet_rel), nnet_rel, NumberReading::decimal);
    const Network twin = nnet_to_network(f, nnet_rel);
    const Network net = read_onnx(repo_path(acas));
    auto g = rigornet::test::rng(701);
    double worst = 0;
    for (int t = 0; t < cases(10); ++t) {
        std::vector<Rational> x, xn;
        for (std::size_t i = 0; i < 5; ++i) {
            x.push_back(f.input_min[i] + (f.input_max[i] - f.input_min[i]) * Rational(static_cast<long>(g() % 1001), 1000));
            xn.push_back((x[i] - f.mean[i]) / f.range[i]);
        }
        const auto a = evaluate_rational(twin, ExactArith{}, x);
        const auto b = evaluate_rational(net, ExactArith{}, xn);
        for (std::size_t i = 0; i < 5; ++i) {
            // in the ONNX output's units (outputs of order 0.01–0.3): measured at most 1.5e-7
            const Rational unscaled = (a[i] - f.mean[5]) / f.range[5];
            const double d = (unscaled - b[i]).abs().to_double(Round::up);
            worst = std::max(worst, d);
            INFO("nnet " << unscaled.to_double(Round::nearest) << " onnx " << b[i].to_double(Round::nearest));
            CHECK(d < 1e-6);
            CHECK(d > 0);  // three readings, three different exact networks: never equal here
        }
    }
    CHECK(worst > 1e-9);  // the difference is the parameters' (~1e-7), not rounding noise
}

TEST_CASE("ONNX: a hand-made model with every folded operator gives the exact values", "[onnx]") {
    const Network net = parse_onnx(bytes_of(hand_model()), "hand.onnx");
    CHECK(net.input_dim() == 2);
    CHECK(net.output_dim() == 2);
    CHECK(net.layers().size() == 3);  // affine, relu, affine: the chain folded
    auto g = rigornet::test::rng(702);
    for (int t = 0; t < cases(30); ++t) {
        std::vector<Rational> x = rigornet::test::random_vector(g, 2, 12);
        INFO("x = " << x[0].str() << ", " << x[1].str());
        CHECK(evaluate_rational(net, ExactArith{}, x) == hand_expected(x));
    }
}

TEST_CASE("ONNX: Gemm with the tensor as B, transA, and float64 constants", "[onnx]") {
    // y = alpha·Aᵀ·x + beta·C for x of shape [2,1], A of shape [2,3], C float64 (double_data)
    onnx::ModelProto m;
    onnx::GraphProto& g = *m.mutable_graph();
    set_io(g.add_input(), "x", {2, 1});
    set_io(g.add_output(), "y", {3, 1});
    *g.add_initializer() = float_tensor("A", {2, 3}, {1, 2, 3, -4, 0.5f, 0.375f}, true);
    onnx::TensorProto& c = *g.add_initializer();
    c.set_name("C"), c.set_data_type(onnx::TensorProto::DOUBLE), c.add_dims(3), c.add_dims(1);
    for (double v : {0.1, -1.0, 1e-3}) c.add_double_data(v);
    onnx::NodeProto* gemm = add_node(g, "gemm", "Gemm", {"A", "x", "C"}, "y");
    for (auto [name, value] : {std::pair<const char*, float>{"alpha", -2.0f}, {"beta", 0.25f}}) {
        auto* a = gemm->add_attribute();
        a->set_name(name), a->set_type(onnx::AttributeProto::FLOAT), a->set_f(value);
    }
    auto* a = gemm->add_attribute();
    a->set_name("transA"), a->set_type(onnx::AttributeProto::INT), a->set_i(1);
    const Network net = parse_onnx(bytes_of(m), "gemm.onnx");
    REQUIRE(net.input_dim() == 2);
    REQUIRE(net.output_dim() == 3);
    const Rational A[2][3] = {{Rational(1), Rational(2), Rational(3)}, {Rational(-4), Rational(1, 2), Rational(3, 8)}};
    const Rational C[3] = {Rational::from_double(0.1), Rational(-1), Rational::from_double(1e-3)};
    auto rg = rigornet::test::rng(705);
    for (int t = 0; t < cases(20); ++t) {
        const auto x = rigornet::test::random_vector(rg, 2, 12);
        const auto y = evaluate_rational(net, ExactArith{}, x);
        for (int i = 0; i < 3; ++i)
            CHECK(y[static_cast<std::size_t>(i)] == Rational(-2) * (A[0][i] * x[0] + A[1][i] * x[1]) + Rational(1, 4) * C[i]);
    }
    // the tensor must be a column here: a row [1,2] is a batch of 2 for B
    g.mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(1);
    g.mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_value(2);
    try {
        parse_onnx(bytes_of(m), "gemm.onnx");
        FAIL("accepted B of shape [1,2]");
    } catch (const ParseError& e) {
        CHECK(std::string(e.what()).find("node 0 'gemm' (Gemm): B has shape [1,2]") != std::string::npos);
    }
}

TEST_CASE("ONNX: float_data and raw_data give the same exact network", "[onnx]") {
    onnx::ModelProto m = model_of(acas);
    for (auto& t : *m.mutable_graph()->mutable_initializer()) {
        const std::string raw = t.raw_data();
        t.clear_raw_data();
        for (std::size_t i = 0; i < raw.size() / 4; ++i) {
            float f;
            std::memcpy(&f, raw.data() + 4 * i, 4);
            t.add_float_data(f);
        }
    }
    const Network a = read_onnx(repo_path(acas)), b = parse_onnx(bytes_of(m), "float_data.onnx");
    auto g = rigornet::test::rng(703);
    for (int t = 0; t < cases(5); ++t) {
        auto x = rigornet::test::random_vector(g, 5, 10);
        CHECK(evaluate_rational(a, ExactArith{}, x) == evaluate_rational(b, ExactArith{}, x));
    }
    // the exact rational of a stored float32: 0.1f is 13421773/2^27, not 1/10
    onnx::ModelProto h = hand_model();
    *h.mutable_graph()->mutable_initializer(6) = float_tensor("k", {2}, {0.1f, 0.75f}, true);
    const Network n = parse_onnx(bytes_of(h), "hand.onnx");
    std::vector<Rational> x{Rational(1, 2), Rational(-1)};  // u = 0, h = 2C⁺ = (2, 0, 1/4)
    CHECK(evaluate_rational(n, ExactArith{}, x)[0] - exact_of_float(0.1f) == hand_expected(x)[0] - Rational(1));
    CHECK(exact_of_float(0.1f) == Rational(13421773, 1 << 27));
}

TEST_CASE("ONNX: bad models are refused with a message naming the node or tensor", "[onnx]") {
    const onnx::ModelProto base = model_of(acas);
    {  // an unsupported operator
        onnx::ModelProto m = base;
        m.mutable_graph()->mutable_node(4)->set_op_type("Conv");
        require_parse_error(m, {"node 4 'relu_1' (Conv)", "not supported"});
    }
    {  // a skip connection: the second MatMul reads the first Add, not the Relu
        onnx::ModelProto m = base;
        m.mutable_graph()->mutable_node(5)->set_input(0, "Operation_1_Add");
        require_parse_error(m, {"'Operation_2_MatMul' (MatMul)", "Operation_1_Add", "chain"});
    }
    {  // a node that does not continue the chain
        onnx::ModelProto m = base;
        m.mutable_graph()->mutable_node(5)->set_input(0, "Operation_1_MatMul_W");
        require_parse_error(m, {"'Operation_2_MatMul'", "does not read the current tensor 'relu_1'"});
    }
    {  // the output is not the end of the chain
        onnx::ModelProto m = base;
        m.mutable_graph()->mutable_output(0)->set_name("relu_6");
        require_parse_error(m, {"graph output 'relu_6'", "linear_7_Add"});
    }
    {  // shapes that do not match: the second matrix reshaped to 25 × 100
        onnx::ModelProto m = base;
        for (auto& t : *m.mutable_graph()->mutable_initializer())
            if (t.name() == "Operation_2_MatMul_W") t.set_dims(0, 25), t.set_dims(1, 100);
        require_parse_error(m, {"'Operation_2_MatMul' (MatMul)", "[1,50]", "[25,100]"});
    }
    {  // a batch of 2
        onnx::ModelProto m = base;
        m.mutable_graph()->mutable_input(15)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(2);
        require_parse_error(m, {"'Operation_1_MatMul'", "batch of 1"});
    }
    {  // a symbolic batch dimension
        onnx::ModelProto m = base;
        m.mutable_graph()->mutable_input(15)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param("N");
        require_parse_error(m, {"input 'input'", "symbolic", "'N'"});
    }
    {  // external data, a non-float type, a NaN, a truncated raw_data
        onnx::ModelProto m = base;
        m.mutable_graph()->mutable_initializer(1)->set_data_location(onnx::TensorProto::EXTERNAL);
        require_parse_error(m, {"initializer 'Operation_1_MatMul_W'", "external data"});
        m = base;
        m.mutable_graph()->mutable_initializer(2)->set_data_type(onnx::TensorProto::INT32);
        require_parse_error(m, {"initializer 'Operation_1_Add_B'", "INT32"});
        m = base;
        std::string raw = m.graph().initializer(2).raw_data();
        const float nan = std::nanf("");
        std::memcpy(raw.data() + 12, &nan, 4);
        m.mutable_graph()->mutable_initializer(2)->set_raw_data(raw);
        require_parse_error(m, {"initializer 'Operation_1_Add_B'", "value 3", "NaN"});
        m = base;
        m.mutable_graph()->mutable_initializer(2)->set_raw_data(raw.substr(0, 196));
        require_parse_error(m, {"initializer 'Operation_1_Add_B'", "raw_data holds 49 values", "needs 50"});
    }
    {  // division by zero and a constant over the tensor
        onnx::ModelProto m = hand_model();
        *m.mutable_graph()->mutable_initializer(1) = float_tensor("d", {2}, {2.0f, 0.0f}, true);
        require_parse_error(m, {"node 1 'div' (Div)", "division by zero"});
        m = hand_model();
        m.mutable_graph()->mutable_node(1)->set_input(0, "d"), m.mutable_graph()->mutable_node(1)->set_input(1, "t1");
        require_parse_error(m, {"'div' (Div)", "not affine"});
    }
    // absurd sizes are refused before allocation
    onnx::ModelProto m = base;
    m.mutable_graph()->mutable_initializer(1)->set_dims(0, 1000000), m.mutable_graph()->mutable_initializer(1)->set_dims(1, 1000000);
    CHECK_THROWS_AS(parse_onnx(bytes_of(m), "huge.onnx"), ResourceError);
    // a truncated file, garbage and an empty file
    const std::string bytes = file_bytes(acas);
    for (std::size_t cut : {bytes.size() / 2, bytes.size() - 1, std::size_t{3}})
        CHECK_THROWS_AS(parse_onnx(bytes.substr(0, cut), "cut.onnx"), ParseError);
    auto g = rigornet::test::rng(704);
    for (int t = 0; t < cases(20); ++t) {
        std::string junk(static_cast<std::size_t>(g() % 4096), '\0');
        for (char& ch : junk) ch = static_cast<char>(g());
        CHECK_THROWS_AS(parse_onnx(junk, "junk.onnx"), Error);  // ParseError, or ResourceError for absurd sizes
    }
    CHECK_THROWS_WITH(parse_onnx("", "empty.onnx"), Catch::Contains("empty.onnx: the model has no graph"));
    CHECK_THROWS_WITH(read_onnx(repo_path("tests/data/onnx")), Catch::Contains("is a directory"));
}
