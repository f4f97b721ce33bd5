#include "rigornet/network/gradient.hpp"

#include "rigornet/number/dual.hpp"
#include "rigornet/network/evaluate.hpp"

namespace rigornet {

namespace {

/// What the backward pass needs from one nonlinear layer's forward pass.
struct LocalDerivatives {
    std::vector<double> slope;   // elementwise: f'(z_i), one per affected index, in order
    std::vector<Dual> gate;      // gates: (f(u), f'(u)), one per gate, in order
    std::vector<double> target;  // gates: the targets' values before the gate, in order
};

/// The local derivatives of `layer` at its input z, by dual numbers on the maps
/// evaluate applies (kink conventions of vjp): the elementwise map is diagonal, so one
/// pass with every seed 1 gives every f'(z_i); a gate's g is differentiated at u = z_x0.
LocalDerivatives local_derivatives(const Layer& layer, std::span<const double> z) {
    const DualArith ar;
    LocalDerivatives d;
    visit_layer(
        layer, [](const AffineLayer&) {},  // linear: pullback applies Aᵀ and Bᵀ, nothing to tape
        [&](const ElementwiseLayer& e) {
            std::vector<Dual> seeded(z.begin(), z.end());
            for (Dual& x : seeded) x.d = 1.0;
            apply_elementwise(e, ar, std::span<Dual>(seeded));
            if (e.indices)
                e.indices->for_each([&](std::size_t i) { d.slope.push_back(seeded[i].d); });
            else
                for (const Dual& x : seeded) d.slope.push_back(x.d);
        },
        [&](const GateLayer& gates) {
            for (const Gate& g : gates.gates)
                for_each_gate(g, ar, [&](std::size_t k, const Dual* p) {
                    d.gate.push_back(eval_expr(g.f, ar, Dual(z[g.control + k], 1.0), p));
                    g.targets.for_each([&](std::size_t t) { d.target.push_back(z[t + k]); });
                });
        });
    return d;
}

}  // namespace

struct ReverseTape::Tape {
    std::vector<LocalDerivatives> layers;
};

ReverseTape::ReverseTape(const Network& net, std::span<const double> y)
    : net_(&net), y_(y.begin(), y.end()), tape_(std::make_unique<Tape>()) {
    if (y.size() != net.input_dim())
        throw ShapeError("vjp: the network has " + std::to_string(net.input_dim()) + " inputs, got " +
                         std::to_string(y.size()));
    const auto& layers = net.layers();
    tape_->layers.resize(layers.size());
    value_ = evaluate(net, DoubleArith{}, y, nullptr, {},
                      [&](std::size_t j, std::span<const double> input, std::span<const double>) {
                          tape_->layers[j] = local_derivatives(layers[j], input);
                      });
}

ReverseTape::~ReverseTape() = default;
ReverseTape::ReverseTape(ReverseTape&&) noexcept = default;
ReverseTape& ReverseTape::operator=(ReverseTape&&) noexcept = default;

std::vector<double> ReverseTape::pullback(std::span<const double> w) const {
    if (w.size() != value_.size())
        throw ShapeError("vjp: the network has " + std::to_string(value_.size()) + " outputs, got a cotangent of " +
                         std::to_string(w.size()));
    const DoubleArith ar;
    const auto& layers = net_->layers();
    const std::size_t m = y_.size();
    std::vector<double> g(w.begin(), w.end()), next, reinjected, gradient(m, 0.0);
    for (std::size_t j = layers.size(); j-- > 0;) {
        visit_layer(
            layers[j],
            [&](const AffineLayer& a) {
                if (a.B) {
                    reinjected.assign(m, 0.0);
                    a.B->adjoint(ar, g, reinjected);
                    for (std::size_t i = 0; i < m; ++i) gradient[i] += reinjected[i];
                }
                next.assign(a.A->cols(), 0.0);
                a.A->adjoint(ar, g, next);
                g.swap(next);
            },
            [&](const ElementwiseLayer& e) {
                const std::vector<double>& slope = tape_->layers[j].slope;
                if (e.indices) {
                    std::size_t k = 0;
                    e.indices->for_each([&](std::size_t i) { g[i] *= slope[k++]; });
                } else
                    for (std::size_t i = 0; i < g.size(); ++i) g[i] *= slope[i];
            },
            [&](const GateLayer& gates) {
                std::size_t k = 0, q = 0;  // target values and gates taped, in order
                for (const Gate& gate : gates.gates)
                    for (std::size_t s = 0; s < gate.count; ++s) {
                        const Dual f = tape_->layers[j].gate[q++];
                        double inner = 0.0;  // ⟨g_X, z_X⟩ with z_X before the gate
                        gate.targets.for_each([&](std::size_t t) {
                            inner += g[t + s] * tape_->layers[j].target[k++];
                            g[t + s] *= f.v;
                        });
                        g[gate.control + s] = f.d * inner;
                    }
            });
    }
    for (std::size_t i = 0; i < m; ++i) gradient[i] += g[i];
    return gradient;
}

Vjp vjp(const Network& net, std::span<const double> y, std::span<const double> w) {
    return vjp(net, y, [&](std::span<const double>) { return std::vector<double>(w.begin(), w.end()); });
}

Vjp vjp(const Network& net, std::span<const double> y,
        const std::function<std::vector<double>(std::span<const double> value)>& cotangent) {
    const ReverseTape tape(net, y);
    const std::vector<double> w = cotangent(tape.value());
    return {tape.value(), tape.pullback(w)};
}

}  // namespace rigornet
