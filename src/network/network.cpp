#include "rigornet/network/network.hpp"

#include <algorithm>
#include <functional>

namespace rigornet {

// ---------------------------------------------------------------- expressions

Expr Expr::variable() { return Expr{}; }

Expr Expr::parameter() {
    Expr e;
    e.op = Op::param;
    return e;
}

Expr Expr::constant(Rational c) {
    Expr e;
    e.op = Op::constant;
    e.value = Constant(std::move(c));
    return e;
}

Expr Expr::unary(Op op, Expr a) {
    if (op != Op::neg) throw ShapeError("gate expression: not a unary operation");
    Expr e;
    e.op = op;
    e.args.push_back(std::move(a));
    return e;
}

Expr Expr::binary(Op op, Expr a, Expr b) {
    if (op == Op::constant || op == Op::var || op == Op::neg || op == Op::sqrt_theta)
        throw ShapeError("gate expression: not a binary operation");
    Expr e;
    e.op = op;
    e.args.push_back(std::move(a));
    e.args.push_back(std::move(b));
    return e;
}

Expr Expr::sqrt_theta(Expr a, const Rational& theta) {
    Expr e;
    e.op = Op::sqrt_theta;
    e.theta_bits = rigornet::theta_bits(theta);
    e.value = Constant(theta);
    e.args.push_back(std::move(a));
    return e;
}

std::string Expr::str() const {
    auto bin = [&](const char* sym) { return "(" + args[0].str() + " " + sym + " " + args[1].str() + ")"; };
    switch (op) {
        case Op::constant: return value.exact().str();
        case Op::var: return "u";
        case Op::param: return "p";
        case Op::neg: return "-" + args[0].str();
        case Op::add: return bin("+");
        case Op::sub: return bin("-");
        case Op::mul: return bin("*");
        case Op::div: return bin("/");
        case Op::min: return "min(" + args[0].str() + ", " + args[1].str() + ")";
        case Op::max: return "max(" + args[0].str() + ", " + args[1].str() + ")";
        case Op::sqrt_theta: return "sqrt[" + value.exact().str() + "](" + args[0].str() + ")";
    }
    return "?";
}

bool Expr::uses_parameter() const {
    return op == Op::param || std::any_of(args.begin(), args.end(), [](const Expr& a) { return a.uses_parameter(); });
}

long Expr::max_bits() const {
    long b = (op == Op::constant || op == Op::sqrt_theta) ? value.exact().bits() : 0;
    for (const Expr& a : args) b = std::max(b, a.max_bits());
    return b;
}

template <SupportedArithmetic Arith>
typename Arith::value_type eval_expr(const Expr& e, const Arith& ar, const typename Arith::value_type& u,
                                     const typename Arith::value_type* p) {
    using V = typename Arith::value_type;
    using Op = Expr::Op;
    if (e.op == Op::var) return u;
    if (e.op == Op::constant) return e.value.value(ar);
    if (e.op == Op::param) {
        if (!p) throw ShapeError("gate expression uses the parameter p, but the gate has none");
        return *p;
    }
    V a = eval_expr(e.args[0], ar, u, p), r{};
    switch (e.op) {
        case Op::neg: ar.neg(r, a); return r;
        case Op::sqrt_theta: ar.sqrt_theta(r, a, e.theta_bits); return r;
        default: break;
    }
    V b = eval_expr(e.args[1], ar, u, p);
    switch (e.op) {
        case Op::add: ar.add(r, a, b); break;
        case Op::sub: ar.sub(r, a, b); break;
        case Op::mul: ar.mul(r, a, b); break;
        case Op::div: ar.div(r, a, b); break;
        case Op::min: ar.min(r, a, b); break;
        case Op::max: ar.max(r, a, b); break;
        default: break;
    }
    return r;
}

#define RIGORNET_INSTANTIATE_EVAL_EXPR(ARITH) \
    template ARITH::value_type eval_expr(const Expr&, const ARITH&, const ARITH::value_type&, const ARITH::value_type*);
RIGORNET_FOR_EACH_ARITH(RIGORNET_INSTANTIATE_EVAL_EXPR)
#undef RIGORNET_INSTANTIATE_EVAL_EXPR

// ---------------------------------------------------------------- layers

std::string scalar_name(Scalar s) {
    switch (s) {
        case Scalar::relu: return "relu";
        case Scalar::square: return "square";
        case Scalar::sqrt_theta: return "sqrt_theta";
        case Scalar::soft_threshold: return "soft_threshold";
    }
    return "?";
}

std::string layer_kind(const Layer& l) {
    return visit_layer(
        l, [](const AffineLayer&) -> std::string { return "affine"; },
        [](const ElementwiseLayer&) -> std::string { return "elementwise"; },
        [](const GateLayer&) -> std::string { return "gate"; });
}

namespace {

// Checks that the runs lie in [0, width) and that no index is in two of them; `claims`
// are (run, what) pairs, `twice` the message for an index claimed twice. Sorting the
// runs by their start makes this O(R log R) for R runs, whatever their lengths.
void check_disjoint(std::vector<std::pair<IndexRanges::Run, const char*>> claims, std::size_t width,
                    const std::function<ShapeError(const std::string&)>& fail, const std::string& twice) {
    for (const auto& [r, what] : claims)
        if (r.end > width) {
            const std::size_t i = std::max(r.begin, width);
            throw fail(std::string(what) + " index " + std::to_string(i) + " is out of range: the layer input has " +
                       std::to_string(width) + " values (indices 0.." + std::to_string(width - 1) + ")");
        }
    std::sort(claims.begin(), claims.end(), [](const auto& a, const auto& b) { return a.first.begin < b.first.begin; });
    for (std::size_t k = 1; k < claims.size(); ++k)
        if (claims[k].first.begin < claims[k - 1].first.end)
            throw fail("index " + std::to_string(claims[k].first.begin) + twice);
}

}  // namespace

Network::Network(std::size_t input_dim) : input_dim_(input_dim), widths_{input_dim} {
    if (input_dim == 0) throw ShapeError("network input dimension must be at least 1");
}

void Network::add(Layer layer) {
    const std::size_t width = widths_.back();
    const std::string where = "layer " + std::to_string(layers_.size() + 1) + " (" + layer_kind(layer) + "): ";
    auto fail = [&](const std::string& what) { return ShapeError(where + what); };
    std::size_t out = width;
    visit_layer(layer, [&](const AffineLayer& a) {
        if (!a.A) throw fail("matrix A is missing");
        if (a.A->rows() == 0) throw fail("matrix A has no rows");
        if (a.A->cols() != width)
            throw fail("A has " + std::to_string(a.A->cols()) + " columns but the previous layer outputs " +
                       std::to_string(width) + " values");
        if (a.B && a.B->cols() != input_dim_)
            throw fail("B has " + std::to_string(a.B->cols()) + " columns but the network input has " +
                       std::to_string(input_dim_) + " values");
        if (a.B && a.B->rows() != a.A->rows())
            throw fail("B has " + std::to_string(a.B->rows()) + " rows but A has " + std::to_string(a.A->rows()));
        if (a.c.size() != a.A->rows())
            throw fail("bias c has " + std::to_string(a.c.size()) + " entries but A has " +
                       std::to_string(a.A->rows()) + " rows");
        out = a.A->rows();
    }, [&](ElementwiseLayer& e) {
        if (e.indices) {
            std::vector<std::pair<IndexRanges::Run, const char*>> claims;
            for (const auto& r : e.indices->runs()) claims.push_back({r, "elementwise"});
            check_disjoint(std::move(claims), width, fail, " appears twice");
        }
        if (e.fn == Scalar::sqrt_theta) e.theta_bits = theta_bits(e.param);
        if (e.fn == Scalar::soft_threshold && e.param.sign() < 0)
            throw fail("soft threshold t must be non-negative, got " + e.param.str());
    }, [&](const GateLayer& g) {
        if (g.gates.empty()) throw fail("no gates");
        std::vector<std::pair<IndexRanges::Run, const char*>> claims;
        std::size_t claimed = 0;  // indices the gates take: at most the width if they are disjoint
        for (const Gate& gate : g.gates) {
            if (gate.count == 0) throw fail("a gate group of count 0");
            // checked before the claims are listed, which for a group costs one per target
            const std::size_t per_gate = 1 + gate.targets.size();
            if (gate.count > width || per_gate > width || (claimed += gate.count * per_gate) > width)
                throw fail("the gates take more indices than the " + std::to_string(width) +
                           " values of the layer input (gates act on disjoint indices)");
            if (gate.f.uses_parameter() ? gate.params.size() != gate.count : gate.params.size() != 0)
                throw fail("a gate group of " + std::to_string(gate.count) + " gate(s) has " +
                           std::to_string(gate.params.size()) + " parameters (expected " +
                           (gate.f.uses_parameter() ? std::to_string(gate.count) + ": its f uses p"
                                                    : "none: its f does not use p") +
                           ")");
            // gate k takes control + k and t + k: the runs [control, control + count) and,
            // for count > 1, [t, t + count) for each target t of gate 0
            claims.push_back({{gate.control, gate.control + gate.count}, "gate control"});
            if (gate.count == 1)
                for (const auto& r : gate.targets.runs()) claims.push_back({r, "gate target"});
            else
                gate.targets.for_each([&](std::size_t t) { claims.push_back({{t, t + gate.count}, "gate target"}); });
        }
        check_disjoint(std::move(claims), width, fail, " is used by two gates (or twice by one)");
    });
    layers_.push_back(std::move(layer));
    widths_.push_back(out);
}

void Network::add_affine(std::shared_ptr<const LinearOperator> A, std::shared_ptr<const LinearOperator> B,
                         std::vector<Rational> c) {
    add(AffineLayer{std::move(A), std::move(B), Bias(c)});
}

void Network::add_affine(std::shared_ptr<const LinearOperator> A, std::shared_ptr<const LinearOperator> B, Bias c) {
    add(AffineLayer{std::move(A), std::move(B), std::move(c)});
}

void Network::add_elementwise(Scalar fn, std::optional<IndexRanges> indices, Rational param) {
    ElementwiseLayer e;
    e.fn = fn;
    e.param = std::move(param);
    e.indices = std::move(indices);
    add(std::move(e));
}

void Network::add_gates(std::vector<Gate> gates) { add(GateLayer{std::move(gates)}); }

long Network::max_weight_bits() const {
    long b = 0;
    for (std::size_t j = 0; j < layers_.size(); ++j) {
        visit_layer(
            layers_[j],
            [&](const AffineLayer& a) {
                b = std::max({b, a.A->max_entry_bits(), a.c.max_bits()});
                if (a.B) b = std::max(b, a.B->max_entry_bits());
            },
            [&](const ElementwiseLayer& e) { b = std::max(b, e.param.bits()); },
            [&](const GateLayer& g) {
                for (const Gate& x : g.gates) b = std::max({b, x.f.max_bits(), x.params.max_bits()});
            });
    }
    return b;
}

}  // namespace rigornet
