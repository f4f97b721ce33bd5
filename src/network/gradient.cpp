#include "rigornet/gradient.hpp"

#include <cmath>

#include "rigornet/dual.hpp"

namespace rigornet {

namespace {

/// What the backward pass needs from one nonlinear layer's forward pass.
struct LocalDerivatives {
    std::vector<double> slope;   // elementwise: f'(z_i), one per affected index, in order
    std::vector<Dual> gate;      // gates: (f(u), f'(u)), one per gate, in order
    std::vector<double> target;  // gates: the targets' values before the gate, in order
};

/// The layer's scalar function at x and its derivative (kink conventions of vjp).
Dual scalar(const ElementwiseLayer& e, double x, double t) {
    const DualArith ar;
    Dual r;
    switch (e.fn) {
        case Scalar::relu: ar.relu(r, Dual(x, 1.0)); break;
        case Scalar::square: ar.square(r, Dual(x, 1.0)); break;
        case Scalar::sqrt_theta: ar.sqrt_theta(r, Dual(x, 1.0), e.theta_bits); break;
        // S_t(x) = x − sign(x)·t beyond the threshold, 0 within; the same doubles as
        // relu(x − t) − relu(−x − t), since fl(−x − t) = −fl(x + t).
        case Scalar::soft_threshold: r = std::abs(x) > t ? Dual(x - std::copysign(t, x), 1.0) : Dual(0.0, 0.0); break;
    }
    return r;
}

}  // namespace

Vjp vjp(const Network& net, std::span<const double> y, std::span<const double> w) {
    return vjp(net, y, [&](std::span<const double>) { return std::vector<double>(w.begin(), w.end()); });
}

Vjp vjp(const Network& net, std::span<const double> y,
        const std::function<std::vector<double>(std::span<const double> value)>& cotangent) {
    if (y.size() != net.input_dim())
        throw ShapeError("vjp: the network has " + std::to_string(net.input_dim()) + " inputs, got " +
                         std::to_string(y.size()));
    const DoubleArith ar;
    const auto& layers = net.layers();
    std::vector<LocalDerivatives> tape(layers.size());
    std::vector<double> z(y.begin(), y.end()), next, reinjected;

    for (std::size_t j = 0; j < layers.size(); ++j) {
        if (auto* a = std::get_if<AffineLayer>(&layers[j])) {
            // (A z + B y) + c in evaluate's order, so that the values agree bit for bit.
            next.assign(a->A->rows(), 0.0);
            a->A->apply(ar, z, next);
            if (a->B) {
                reinjected.assign(a->B->rows(), 0.0);
                a->B->apply(ar, y, reinjected);
                for (std::size_t i = 0; i < next.size(); ++i) next[i] += reinjected[i];
            }
            const std::vector<double>& c = net.bias(j).get(ar);
            for (std::size_t i = 0; i < next.size(); ++i)
                if (!a->c[i].is_zero()) next[i] += c[i];
            z.swap(next);
        } else if (auto* e = std::get_if<ElementwiseLayer>(&layers[j])) {
            const double t = ar.from_rational(e->param);
            auto step = [&](std::size_t i) {
                const Dual r = scalar(*e, z[i], t);
                z[i] = r.v;
                tape[j].slope.push_back(r.d);
            };
            if (e->indices)
                for (std::size_t i : *e->indices) step(i);
            else
                for (std::size_t i = 0; i < z.size(); ++i) step(i);
        } else {
            for (const Gate& g : std::get<GateLayer>(layers[j]).gates) {
                const Dual f = eval_expr(g.f, DualArith{}, Dual(z[g.control], 1.0));
                tape[j].gate.push_back(f);
                for (std::size_t t : g.targets) {
                    tape[j].target.push_back(z[t]);
                    z[t] = f.v * z[t];
                }
                z[g.control] = 0.0;
            }
        }
    }

    std::vector<double> g = cotangent(z);
    if (g.size() != z.size())
        throw ShapeError("vjp: the network has " + std::to_string(z.size()) + " outputs, got a cotangent of " +
                         std::to_string(g.size()));
    Vjp out{z, std::vector<double>(y.size(), 0.0)};
    for (std::size_t j = layers.size(); j-- > 0;) {
        if (auto* a = std::get_if<AffineLayer>(&layers[j])) {
            if (a->B) {
                reinjected.assign(y.size(), 0.0);
                a->B->adjoint(ar, g, reinjected);
                for (std::size_t i = 0; i < y.size(); ++i) out.gradient[i] += reinjected[i];
            }
            next.assign(a->A->cols(), 0.0);
            a->A->adjoint(ar, g, next);
            g.swap(next);
        } else if (auto* e = std::get_if<ElementwiseLayer>(&layers[j])) {
            const std::vector<double>& slope = tape[j].slope;
            if (e->indices)
                for (std::size_t k = 0; k < slope.size(); ++k) g[(*e->indices)[k]] *= slope[k];
            else
                for (std::size_t i = 0; i < g.size(); ++i) g[i] *= slope[i];
        } else {
            std::size_t k = 0;
            const auto& gates = std::get<GateLayer>(layers[j]).gates;
            for (std::size_t q = 0; q < gates.size(); ++q) {
                const Dual f = tape[j].gate[q];
                double inner = 0.0;  // ⟨g_X, z_X⟩ with z_X before the gate
                for (std::size_t t : gates[q].targets) {
                    inner += g[t] * tape[j].target[k++];
                    g[t] *= f.v;
                }
                g[gates[q].control] = f.d * inner;
            }
        }
    }
    for (std::size_t i = 0; i < y.size(); ++i) out.gradient[i] += g[i];
    return out;
}

}  // namespace rigornet
