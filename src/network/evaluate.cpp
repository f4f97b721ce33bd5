#include "rigornet/network/evaluate.hpp"

namespace rigornet {

namespace {

template <class Arith>
void apply_scalar(const ElementwiseLayer& e, const Arith& ar, typename Arith::value_type& x,
                  const typename Arith::value_type& t) {
    switch (e.fn) {
        case Scalar::relu: ar.relu(x, x); break;
        case Scalar::square: ar.square(x, x); break;
        case Scalar::sqrt_theta: ar.sqrt_theta(x, x, e.theta_bits); break;
        case Scalar::soft_threshold: {  // S_t(x) = relu(x − t) − relu(−x − t)
            typename Arith::value_type p, n;
            ar.sub(p, x, t);
            ar.relu(p, p);
            ar.neg(n, x);
            ar.sub(n, n, t);
            ar.relu(n, n);
            ar.sub(x, p, n);
            break;
        }
    }
}

// Exact values after a layer: additions and the structured operators' exact kernels grow
// bit sizes without passing through ExactArith::mul, so the layer's values are checked
// here too, one by one (max_bits) and together (max_bytes).
template <class Arith>
void check_exact_layer(const Arith& ar, const std::vector<Rational>& z) {
    double bytes = 0;
    for (const Rational& v : z) {
        const long b = v.bits();
        if (b > ar.max_bits) throw ResourceError(ar.bits_message(b));
        bytes += static_cast<double>(b) / 8 + 32;
    }
    require_memory(bytes, ar.max_bytes, "the exact values of this layer");
}

}  // namespace

double ball_evaluation_bytes(const Network& net, long prec) {
    double values = 3.0 * static_cast<double>(*std::max_element(net.widths().begin(), net.widths().end()));
    for (const Layer& l : net.layers())  // only affine layers store values
        visit_layer(
            l,
            [&](const AffineLayer& a) {
                values += static_cast<double>(a.c.distinct_values() + a.A->stored_entries() +
                                              (a.B ? a.B->stored_entries() : 0));
            },
            [](const ElementwiseLayer&) {}, [](const GateLayer&) {});
    return values * (static_cast<double>(prec) / 8 + 48);
}

template <SupportedArithmetic Arith>
void apply_elementwise(const ElementwiseLayer& e, const Arith& ar, std::span<typename Arith::value_type> z) {
    using V = typename Arith::value_type;
    V t{};  // the threshold, the only parameter used here
    if (e.fn == Scalar::soft_threshold) t = ar.from_rational(e.param);
    if (e.indices)
        e.indices->for_each([&](std::size_t i) { apply_scalar(e, ar, z[i], t); });
    else
        for (V& x : z) apply_scalar(e, ar, x, t);
}

template <SupportedArithmetic Arith>
std::vector<typename Arith::value_type> evaluate(const Network& net, const Arith& ar,
                                                 std::span<const typename Arith::value_type> y,
                                                 std::vector<LayerSummary>* summary, const Progress& progress,
                                                 const LayerObserver<typename Arith::value_type>& observe) {
    using V = typename Arith::value_type;
    if (y.size() != net.input_dim())
        throw ShapeError("network input has " + std::to_string(net.input_dim()) + " values, got " +
                         std::to_string(y.size()));
    if constexpr (Arith::arb_balls)
        require_memory(ball_evaluation_bytes(net, ar.prec), ar.max_bytes,
                       "ball evaluation at " + std::to_string(ar.prec) + " bits");
    std::vector<V> z(y.begin(), y.end()), next, tmp, input;
    if (summary) summary->assign(1, ar.summarise(z));
    std::size_t index = 0;
    for (const Layer& layer : net.layers()) {
        ++index;
        if (observe) input = z;
        try {
            visit_layer(
                layer,
                [&](const AffineLayer& a) {
                    next.assign(a.A->rows(), V{});
                    a.A->apply(ar, std::span<const V>(z), std::span<V>(next));
                    if (a.B) {
                        tmp.assign(a.B->rows(), V{});
                        a.B->apply(ar, y, std::span<V>(tmp));
                        for (std::size_t i = 0; i < next.size(); ++i) ar.add(next[i], next[i], tmp[i]);
                    }
                    a.c.add_to(ar, std::span<V>(next));
                    z.swap(next);
                },
                [&](const ElementwiseLayer& e) { apply_elementwise(e, ar, std::span<V>(z)); },
                [&](const GateLayer& gates) {
                    for (const Gate& g : gates.gates)
                        for_each_gate(g, ar, [&](std::size_t k, const V* p) {
                            V f = eval_expr(g.f, ar, z[g.control + k], p);
                            g.targets.for_each([&](std::size_t t) { ar.mul(z[t + k], f, z[t + k]); });
                            ar.zero(z[g.control + k]);
                        });
                });
            if constexpr (Arith::exact) check_exact_layer(ar, z);
        } catch (const DomainError& err) {
            throw DomainError("layer " + std::to_string(index) + " (" + layer_kind(layer) + "): " + err.what());
        } catch (const ResourceError& err) {
            throw ResourceError("layer " + std::to_string(index) + " (" + layer_kind(layer) + "): " + err.what());
        }
        if (summary) summary->push_back(ar.summarise(z));
        if (progress) progress(index, net.layers().size());
        if (observe) observe(index - 1, std::span<const V>(input), std::span<const V>(z));
    }
    return z;
}

template <SupportedArithmetic Arith>
std::vector<typename Arith::value_type> evaluate_rational(const Network& net, const Arith& ar,
                                                          const std::vector<Rational>& y,
                                                          std::vector<LayerSummary>* summary, const Progress& progress) {
    std::vector<typename Arith::value_type> v;
    v.reserve(y.size());
    for (const Rational& r : y) v.push_back(ar.from_rational(r));
    return evaluate(net, ar, std::span<const typename Arith::value_type>(v), summary, progress);
}

#define RIGORNET_INSTANTIATE_EVALUATE(ARITH)                                                                  \
    template std::vector<ARITH::value_type> evaluate(const Network&, const ARITH&,                           \
                                                     std::span<const ARITH::value_type>,                     \
                                                     std::vector<LayerSummary>*, const Progress&,            \
                                                     const LayerObserver<ARITH::value_type>&);               \
    template std::vector<ARITH::value_type> evaluate_rational(const Network&, const ARITH&,                  \
                                                              const std::vector<Rational>&,                   \
                                                              std::vector<LayerSummary>*, const Progress&);   \
    template void apply_elementwise(const ElementwiseLayer&, const ARITH&, std::span<ARITH::value_type>);
RIGORNET_FOR_EACH_ARITH(RIGORNET_INSTANTIATE_EVALUATE)
#undef RIGORNET_INSTANTIATE_EVALUATE

}  // namespace rigornet
