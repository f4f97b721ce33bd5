// rigornet — the network model of DESIGN.md §4 (seed 003, "What is a neural network?").
//
// A network maps an input y ∈ Q^n through a state z (initially z = y) by layers:
//   affine       z ↦ A z + B y + c      (the bias is affine in the *input* y; B optional)
//   elementwise  z_i ↦ f(z_i) for i in an index set (all indices when none is given),
//                f ∈ {relu, square, sqrt_theta(θ), soft_threshold(t)}; identity elsewhere
//   gate         for each gate (x0, X): z_X ↦ g(z_x0)·z_X and z_x0 ↦ 0, several gates in
//                parallel on disjoint indices; g an expression in one variable built from
//                rationals, +, −, ·, /, min, max and sqrt_θ. A Gate may stand for `count`
//                gates at consecutive positions sharing one expression, which may use a
//                per-gate parameter p (e.g. the threshold t_i of a complex soft threshold).
// Shapes are validated as layers are added; errors name the layer.
// Storage is O(runs), not O(width): biases are runs of equal values (bias.hpp), index
// sets and gate targets runs of consecutive indices (index_ranges.hpp), and operators,
// biases and their conversions are shared by reference between layers, so an unrolled
// solver of depth L over N unknowns takes O(N + L) memory (docs/design.md, "Scale").
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rigornet/core/overloaded.hpp"
#include "rigornet/network/bias.hpp"
#include "rigornet/network/index_ranges.hpp"
#include "rigornet/linalg/operator.hpp"

namespace rigornet {

/// A scalar expression g(u) in one variable, for gates.
struct Expr {
    enum class Op { constant, var, neg, add, sub, mul, div, min, max, sqrt_theta, param };
    Op op = Op::var;
    Constant value;           // the constant, or θ for sqrt_theta
    long theta_bits = 0;      // k = theta_bits(θ) for sqrt_theta
    std::vector<Expr> args;   // 1 argument (neg, sqrt_theta) or 2 (binary ops)

    static Expr variable();
    /// The gate's parameter p (Gate::params), written "p".
    static Expr parameter();
    static Expr constant(Rational c);
    static Expr unary(Op op, Expr a);
    static Expr binary(Op op, Expr a, Expr b);
    /// sqrt_θ(a); throws DomainError for θ ≤ 0.
    static Expr sqrt_theta(Expr a, const Rational& theta);
    /// Readable form, e.g. "min(1, 1/sqrt[1/1024](u))".
    std::string str() const;
    /// Largest bit size of a constant (or θ) in the expression.
    long max_bits() const;
    /// Whether the parameter p occurs.
    bool uses_parameter() const;
};

/// Evaluates g(u) (with p = *p where the parameter occurs) in arithmetic ar, operation by
/// operation with ar's guarantees (generic; instantiated for every supported
/// arithmetic, arithmetics.hpp). Throws ShapeError if p occurs and p is null.
template <SupportedArithmetic Arith>
typename Arith::value_type eval_expr(const Expr& e, const Arith& ar, const typename Arith::value_type& u,
                                     const typename Arith::value_type* p = nullptr);

enum class Scalar { relu, square, sqrt_theta, soft_threshold };
std::string scalar_name(Scalar s);

struct AffineLayer {
    std::shared_ptr<const LinearOperator> A;  // required
    std::shared_ptr<const LinearOperator> B;  // may be null: no input re-injection
    Bias c;                                   // bias, size A->rows() (shared by copies)
};

struct ElementwiseLayer {
    Scalar fn = Scalar::relu;
    Rational param;                      // θ (sqrt_theta) or the threshold t ≥ 0 (soft_threshold)
    long theta_bits = 0;                 // k = theta_bits(θ) for sqrt_theta
    std::optional<IndexRanges> indices;  // none: every coordinate
};

/// `count` gates sharing the expression f (one when count = 1): gate k (0 ≤ k < count) has
/// control x0 = control + k and targets X = {t + k : t in targets}, and evaluates f with
/// p = params.at(k). params is empty unless f uses p, and then has `count` entries.
struct Gate {
    std::size_t control;                 // x0 of gate 0
    IndexRanges targets;                 // X of gate 0
    Expr f;
    std::size_t count = 1;
    Bias params = Bias();                // p per gate (runs of equal values, shared by copies)
};

/// f(k, p) for each gate k = 0, …, count − 1 of g in order, p the parameter of gate k
/// converted by ar.from_rational (once per distinct value; nullptr when f does not use
/// p): the one loop over gates of evaluate and of the gradient's tape.
template <class Arith, class F>
void for_each_gate(const Gate& g, const Arith& ar, F&& f) {
    using V = typename Arith::value_type;
    if (!g.f.uses_parameter()) {
        for (std::size_t k = 0; k < g.count; ++k) f(k, static_cast<const V*>(nullptr));
        return;
    }
    const V zero = ar.from_rational(Rational());
    std::size_t k = 0;
    g.params.for_each_run(ar, [&](std::size_t begin, std::size_t end, const V& v) {
        for (; k < begin; ++k) f(k, &zero);
        for (; k < end; ++k) f(k, &v);
    });
    for (; k < g.count; ++k) f(k, &zero);
}

struct GateLayer {
    std::vector<Gate> gates;
};

using Layer = std::variant<AffineLayer, ElementwiseLayer, GateLayer>;

/// Calls the case of `cases` (an overload set, see Overloaded) that takes l's kind —
/// AffineLayer, ElementwiseLayer or GateLayer, const or not as l is — and returns its
/// result. Every kind needs a viable case: a new alternative of Layer without one fails
/// to compile (std::visit needs a call for each). Code that acts on some kinds only says
/// so with explicit empty cases for the others.
namespace detail {
template <class Set, class L, class V>
struct HandlesEveryKind;
template <class Set, class L, class... T>
struct HandlesEveryKind<Set, L, std::variant<T...>> {
    static constexpr bool value =
        (std::is_invocable_v<Set&, std::conditional_t<std::is_const_v<std::remove_reference_t<L>>, const T&, T&>> &&
         ...);
};
}  // namespace detail

template <class L, class... F>
decltype(auto) visit_layer(L&& l, F&&... cases) {
    using Set = Overloaded<std::decay_t<F>...>;
    static_assert(detail::HandlesEveryKind<Set, L, std::remove_cvref_t<L>>::value,
                  "visit_layer needs a case for every layer kind of Layer");
    return std::visit(Set{std::forward<F>(cases)...}, std::forward<L>(l));
}

/// A validated network. Immutable once built except by appending layers.
class Network {
public:
    /// A network with no layers is the identity on Q^input_dim (input_dim ≥ 1).
    explicit Network(std::size_t input_dim);

    /// Appends a layer after checking it against the current width; throws ShapeError
    /// naming the layer (1-based) and what was expected.
    void add(Layer layer);
    void add_affine(std::shared_ptr<const LinearOperator> A, std::shared_ptr<const LinearOperator> B,
                    std::vector<Rational> c);
    void add_affine(std::shared_ptr<const LinearOperator> A, std::shared_ptr<const LinearOperator> B, Bias c);
    void add_elementwise(Scalar fn, std::optional<IndexRanges> indices = std::nullopt, Rational param = Rational());
    void add_gates(std::vector<Gate> gates);

    std::size_t input_dim() const { return input_dim_; }
    std::size_t output_dim() const { return widths_.back(); }
    const std::vector<Layer>& layers() const { return layers_; }
    /// widths()[0] = input_dim, widths()[j] = width after layer j.
    const std::vector<std::size_t>& widths() const { return widths_; }
    /// Largest bit size of any weight, bias, θ or gate constant.
    long max_weight_bits() const;

private:
    std::size_t input_dim_;
    std::vector<Layer> layers_;
    std::vector<std::size_t> widths_;
};

/// Name of a layer kind ("affine", "elementwise", "gate").
std::string layer_kind(const Layer& l);

}  // namespace rigornet
