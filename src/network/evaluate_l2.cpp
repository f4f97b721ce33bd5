#include "rigornet/network/evaluate_l2.hpp"

#include <algorithm>
#include <cmath>

#include "rigornet/linalg/double_error.hpp"
#include "rigornet/linalg/structured.hpp"
#include "rigornet/linalg/visit_operator.hpp"

namespace rigornet {

namespace {

using tracked_detail::eta;
using tracked_detail::u;
using tracked_detail::uadd;
using tracked_detail::umul;
using tracked_detail::up;
constexpr double inf = DoubleErrorBound::inf;

double sqrt_upper(double s) { return s <= 0 ? 0.0 : up(std::sqrt(s)); }

// Upward bound on the ℓ2 norm of z over the index set (all when none).
double norm_on(std::span<const double> z, const std::optional<IndexRanges>& idx) {
    if (!idx) return norm2_upper(z);
    double s = 0;
    idx->for_each([&](std::size_t i) { s = std::isfinite(z[i]) ? uadd(s, umul(z[i], z[i])) : inf; });
    return sqrt_upper(s);
}

// rounding bound of a rational converted to the nearest double: |x̂ − x| ≤ u|x̂| + η
double conversion(double v) { return uadd(umul(u, std::fabs(v)), eta); }

// The kind of the first operator inside op (through compositions, adjoints and
// blocks) that makes no claim: the one a user must change.
std::string unbounded_kind(const LinearOperator& op) {
    auto first_unbounded = [](const auto& parts) -> std::string {
        for (const auto& f : parts)
            if (f && !f->double_error_bound().claims()) return unbounded_kind(*f);
        return {};
    };
    std::string inner = visit_operator<std::string>(
        op, [&](const Composition& c) { return first_unbounded(c.factors()); },
        [](const AdjointView& a) { return unbounded_kind(*a.inner()); },
        [&](const BlockOperator& b) {
            std::vector<std::shared_ptr<const LinearOperator>> ops;
            for (const Block& k : b.blocks()) ops.push_back(k.op);
            return first_unbounded(ops);
        },
        [](const LinearOperator&) { return std::string(); });  // a leaf: its own kind
    return inner.empty() ? op.kind() : inner;
}

bool operator_ok(const DoubleErrorBound& b, double norm_in, const LinearOperator& op, std::string& why) {
    if (!b.claims()) {
        why = unbounded_kind(op) + " operator has no proved double error bound";
        return false;
    }
    if (!(umul(b.growth, uadd(norm_in, 1.0)) <= double_error_guard)) {
        why = "values too large to exclude overflow";
        return false;
    }
    return true;
}

}  // namespace

double L2LayerBound::step(std::size_t j, std::span<const double> in, std::span<const double> out, double rho,
                          std::string& why) const {
    const double nout = norm2_upper(out);
    if (!(nout < inf)) {
        why = "a value is not finite";
        return inf;
    }
    const Layer& layer = net_.layers()[j];
    return visit_layer(
        layer,
        [&](const AffineLayer& affine) -> double {
            const AffineLayer* a = &affine;
            const double nin = norm2_upper(in);
            const DoubleErrorBound bA = a->A->double_error_bound();
            if (!operator_ok(bA, nin, *a->A, why)) return inf;
            double e = uadd(umul(bA.rel, nin), bA.abs);
            if (a->B) {
                const DoubleErrorBound bB = a->B->double_error_bound();
                if (!operator_ok(bB, norm_y_, *a->B, why)) return inf;
                e = uadd(e, uadd(uadd(umul(bB.norm, rho_y_), umul(bB.rel, norm_y_)), bB.abs));
            }
            double c2 = 0, cerr2 = 0;  // ‖ĉ‖² and ‖ĉ − c‖² (upward)
            a->c.for_each_run(DoubleArith{}, [&](std::size_t b, std::size_t end, const double& v) {
                const double n = static_cast<double>(end - b);
                c2 = uadd(c2, umul(n, umul(v, v)));
                const double ce = conversion(v);
                cerr2 = uadd(cerr2, umul(n, umul(ce, ce)));
            });
            const double nc = sqrt_upper(c2);
            if (!(nc < inf)) {
                why = "a bias is not finite in double";
                return inf;
            }
            e = uadd(e, sqrt_upper(cerr2));
            e = uadd(e, uadd(umul(3 * u, nout), umul(u, nc)));  // the two additions
            return uadd(umul(bA.norm, rho), e);
        },
        [&](const ElementwiseLayer& elementwise) -> double {
            const ElementwiseLayer* el = &elementwise;
            const double count = static_cast<double>(el->indices ? el->indices->size() : in.size());
            const double nout_i = norm_on(out, el->indices);
            double L = 1, e = 0;
            switch (el->fn) {
                case Scalar::relu:
                    break;
                case Scalar::soft_threshold: {
                    const double t = el->param.to_double(Round::nearest);
                    e = uadd(umul(u, nout_i), umul(sqrt_upper(count), conversion(t)));
                    break;
                }
                case Scalar::square: {
                    double m = 0;
                    auto see = [&](std::size_t i) { m = std::max(m, std::fabs(in[i])); };
                    if (el->indices)
                        el->indices->for_each(see);
                    else
                        for (std::size_t i = 0; i < in.size(); ++i) see(i);
                    L = uadd(umul(2.0, m), rho);
                    e = uadd(umul(u, nout_i), umul(sqrt_upper(count), eta));
                    break;
                }
                case Scalar::sqrt_theta: {
                    double m = inf;
                    auto see = [&](std::size_t i) { m = std::min(m, in[i]); };
                    if (el->indices)
                        el->indices->for_each(see);
                    else
                        for (std::size_t i = 0; i < in.size(); ++i) see(i);
                    if (count == 0) break;
                    if (!(m > rho)) {
                        why = "sqrt_theta input not proved away from 0";
                        return inf;
                    }
                    L = up(1.0 / tracked_detail::down(std::sqrt(m)));
                    e = uadd(
                        umul(u, nout_i),
                        umul(sqrt_upper(count), std::ldexp(1.0, -static_cast<int>(std::min(el->theta_bits, 1000L)))));
                    break;
                }
            }
            return uadd(umul(std::max(1.0, L), rho), e);
        },
        [&](const GateLayer& gates) -> double {
            const TrackedDoubleArith tar;
            double Lmax = 1, add2 = 0;
            for (const Gate& g : gates.gates) {
                for_each_gate(g, tar, [&](std::size_t k, const TrackedDouble* p) {
                    if (why.size()) return;
                    TrackedDouble f;
                    try {
                        f = eval_expr(g.f, tar, TrackedDouble{in[g.control + k], rho}, p);
                    } catch (const DomainError&) {
                        f.err = inf;
                    }
                    if (!(f.err < inf)) {
                        why = "a gate's factor is not bounded";
                        return;
                    }
                    double si = 0, so = 0, nx = 0;
                    g.targets.for_each([&](std::size_t t) {
                        si = uadd(si, umul(in[t + k], in[t + k]));
                        so = uadd(so, umul(out[t + k], out[t + k]));
                        nx += 1;
                    });
                    Lmax = std::max(Lmax, uadd(std::fabs(f.v), f.err));
                    const double v =
                        uadd(uadd(umul(f.err, sqrt_upper(si)), umul(u, sqrt_upper(so))), umul(sqrt_upper(nx), eta));
                    add2 = uadd(add2, umul(v, v));
                });
                if (why.size()) return inf;
            }
            return uadd(umul(Lmax, rho), sqrt_upper(add2));
        });
}

L2Input l2_input(const std::vector<Rational>& y) {
    L2Input in;
    in.y.resize(y.size());
    double e2 = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const TrackedDouble t = TrackedDoubleArith{}.from_rational(y[i]);
        in.y[i] = t.v;
        e2 = uadd(e2, umul(t.err, t.err));
    }
    in.rho = sqrt_upper(e2);
    in.norm = norm2_upper(in.y);
    return in;
}

L2Evaluation evaluate_l2(const Network& net, const std::vector<Rational>& y, const Progress& progress) {
    if (y.size() != net.input_dim())
        throw ShapeError("network input has " + std::to_string(net.input_dim()) + " values, got " +
                         std::to_string(y.size()));
    L2Evaluation r;
    const L2Input input = l2_input(y);
    r.radii.push_back(input.norm < inf ? input.rho : inf);
    if (!(input.norm < inf)) {
        r.reason = "the input is not finite in double";
        r.failed_layer = 0;
    }
    const L2LayerBound st(net, input);
    LayerObserver<double> observe = [&](std::size_t j, std::span<const double> in, std::span<const double> out) {
        const double rho = r.radii.back();
        if (!(rho < inf)) {
            r.radii.push_back(inf);
            return;
        }
        std::string why;
        const double next = st.step(j, in, out, rho, why);
        r.radii.push_back(next < inf ? next : inf);
        if (!(next < inf)) {
            r.failed_layer = j + 1;
            r.reason = "layer " + std::to_string(j + 1) + " (" + layer_kind(net.layers()[j]) +
                       "): " + (why.empty() ? std::string("the bound overflowed") : why);
        }
    };
    r.mid = evaluate(net, DoubleArith{}, std::span<const double>(input.y), nullptr, progress, observe);
    r.radius = r.radii.back();
    return r;
}

}  // namespace rigornet
