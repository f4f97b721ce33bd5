#include "../support.hpp"
#include "rigornet/network/network.hpp"

using namespace rigornet;

namespace {
std::shared_ptr<DenseMatrix> zeros(std::size_t r, std::size_t c) {
    return std::make_shared<DenseMatrix>(r, c, std::vector<Rational>(r * c));
}
}  // namespace

TEST_CASE("shapes are validated when layers are added, naming the layer", "[network]") {
    Network net(3);
    net.add_affine(zeros(4, 3), nullptr, std::vector<Rational>(4));
    CHECK(net.widths() == std::vector<std::size_t>{3, 4});
    CHECK_THROWS_WITH(net.add_affine(zeros(2, 3), nullptr, std::vector<Rational>(2)),
                      Catch::Contains("layer 2 (affine)") && Catch::Contains("3 columns") && Catch::Contains("outputs 4"));
    CHECK_THROWS_WITH(net.add_affine(zeros(2, 4), zeros(2, 2), std::vector<Rational>(2)),
                      Catch::Contains("B has 2 columns"));
    CHECK_THROWS_WITH(net.add_affine(zeros(2, 4), nullptr, std::vector<Rational>(3)), Catch::Contains("bias c has 3"));
    CHECK_THROWS_WITH(net.add_elementwise(Scalar::relu, std::vector<std::size_t>{0, 4}), Catch::Contains("index 4 is out of range"));
    CHECK_THROWS_WITH(net.add_elementwise(Scalar::relu, std::vector<std::size_t>{1, 1}), Catch::Contains("appears twice"));
    CHECK_THROWS_AS(net.add_elementwise(Scalar::sqrt_theta, std::nullopt, Rational(0)), DomainError);
    CHECK_THROWS_WITH(net.add_elementwise(Scalar::soft_threshold, std::nullopt, Rational(-1)), Catch::Contains("non-negative"));
    CHECK_THROWS_WITH(net.add_gates({Gate{0, {1}, Expr::variable()}, Gate{2, {1}, Expr::variable()}}),
                      Catch::Contains("used by two gates"));
    CHECK_THROWS_WITH(net.add_gates({Gate{0, {0}, Expr::variable()}}), Catch::Contains("twice"));
    CHECK_THROWS_AS(net.add_gates({}), ShapeError);
    // failed additions leave the network unchanged
    CHECK(net.layers().size() == 1);
    net.add_gates({Gate{0, {1, 2}, Expr::variable()}, Gate{3, {}, Expr::constant(Rational(2))}});
    CHECK(net.widths() == std::vector<std::size_t>{3, 4, 4});
    CHECK_THROWS_AS(Network(0), ShapeError);
    CHECK_THROWS_AS(DenseMatrix(2, 2, std::vector<Rational>(3)), ShapeError);
    CHECK_THROWS_WITH(SparseMatrix(2, 2, {{0, 2, Rational(1)}}), Catch::Contains("outside the matrix"));
}

TEST_CASE("weight bit sizes are reported", "[network]") {
    Network net(1);
    Rational w = parse_rational("123456789/1024");
    net.add_affine(std::make_shared<DenseMatrix>(1, 1, std::vector<Rational>{w}), nullptr, {Rational(1, 3)});
    CHECK(net.max_weight_bits() == w.bits());
    Expr e = Expr::binary(Expr::Op::mul, Expr::variable(), Expr::constant(parse_rational("1e40")));
    net.add_gates({Gate{0, {}, e}});
    CHECK(net.max_weight_bits() == parse_rational("1e40").bits());
    CHECK(e.str() == "(u * 10000000000000000000000000000000000000000)");
}
