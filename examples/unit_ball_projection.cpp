// Builds the projection onto the unit ℓ2 ball, P(y) = y / max(1, ‖y‖), as a network
// with a sqrt_θ gate (the projection step of FIRENET), then evaluates it exactly and in
// balls. For y = (3, 4): ‖y‖² = 25, sqrt_θ(25) = 5 exactly, so P(y) = (3/5, 4/5).
#include <iostream>

#include "rigornet/network/evaluate.hpp"

using namespace rigornet;

int main() {
    Network net(2);
    // (y1, y2) ↦ (y1, y2, y1, y2); square the first two; sum them: (‖y‖², y1, y2)
    net.add_affine(std::make_shared<SparseMatrix>(4, 2, std::vector<SparseEntry>{
                       {0, 0, Rational(1)}, {1, 1, Rational(1)}, {2, 0, Rational(1)}, {3, 1, Rational(1)}}),
                   nullptr, std::vector<Rational>(4));
    net.add_elementwise(Scalar::square, std::vector<std::size_t>{0, 1});
    net.add_affine(std::make_shared<SparseMatrix>(3, 4, std::vector<SparseEntry>{
                       {0, 0, Rational(1)}, {0, 1, Rational(1)}, {1, 2, Rational(1)}, {2, 3, Rational(1)}}),
                   nullptr, std::vector<Rational>(3));
    // gate: (u, X) ↦ (0, X / max(1, sqrt_θ(u))), θ = 2^−20
    Expr f = Expr::binary(Expr::Op::div, Expr::constant(Rational(1)),
                          Expr::binary(Expr::Op::max, Expr::constant(Rational(1)),
                                       Expr::sqrt_theta(Expr::variable(), Rational(1, 1 << 20))));
    net.add_gates({Gate{0, {1, 2}, f}});
    net.add_affine(std::make_shared<SparseMatrix>(2, 3, std::vector<SparseEntry>{{0, 1, Rational(1)}, {1, 2, Rational(1)}}),
                   nullptr, std::vector<Rational>(2));

    const std::vector<Rational> y{Rational(3), Rational(4)};
    auto exact = evaluate_rational(net, ExactArith{}, y);
    auto balls = evaluate_rational(net, BallArith{128, false}, y);
    std::cout << "exact: " << exact[0].str() << " " << exact[1].str() << "\n";
    bool enclosed = balls[0].contains(exact[0]) && balls[1].contains(exact[1]);
    std::cout << "ball contains exact: " << (enclosed ? "yes" : "no") << "\n";
    return enclosed ? 0 : 1;
}
