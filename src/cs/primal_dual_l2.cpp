#include "rigornet/cs/primal_dual_l2.hpp"

#include <algorithm>
#include <cmath>

#include "rigornet/linalg/structured.hpp"
#include "rigornet/linalg/visit_operator.hpp"
#include "rigornet/number/midrad.hpp"

namespace rigornet {

namespace {

using tracked_detail::down;
using tracked_detail::uadd;
using tracked_detail::umul;
using tracked_detail::up;
constexpr double inf = DoubleErrorBound::inf;

// The role of each layer of a primal–dual network (see PrimalDualLayout).
enum class Role { init, restart, step, output };

struct Slot {
    Role role;
    int pos = 0;   // 0…5 within a step
    int step = 0;  // the step's index within its block
};

constexpr int step_layers = 6;

std::vector<Slot> roles(const PrimalDualLayout& lay) {
    std::vector<Slot> r{{Role::init}};
    for (int j = 0; j < lay.blocks; ++j) {
        if (j > 0) r.push_back({Role::restart});
        for (int k = 0; k < lay.steps; ++k)
            for (int i = 0; i < step_layers; ++i) r.push_back({Role::step, i, k});
    }
    r.push_back({Role::output});
    return r;
}

// Whether layer l has the kind a step's position (or a restart/init/output) needs.
bool kind_matches(const Layer& l, const Slot& s) {
    if (s.role != Role::step) return std::holds_alternative<AffineLayer>(l);
    // affine, ReLU, affine, square, affine, gates
    return visit_layer(
        l, [&](const AffineLayer&) { return s.pos % 2 == 0; },
        [&](const ElementwiseLayer& e) {
            return (e.fn == Scalar::relu && s.pos == 1) || (e.fn == Scalar::square && s.pos == 3);
        },
        [&](const GateLayer&) { return s.pos == 5; });
}

// Whether an affine layer reads only the columns [from, from + n) and not the input y.
bool reads_only(const AffineLayer& a, std::size_t from, std::size_t n) {
    if (a.B) return false;
    return visit_operator<bool>(
        *a.A,
        [&](const BlockOperator& b) {
            for (const Block& k : b.blocks()) {
                const std::size_t w = k.op ? k.op->cols() : k.identity;
                for (const auto& [col, c] : k.in)
                    if (col < from || col + w > from + n) return false;
            }
            return true;
        },
        [](const LinearOperator&) { return false; });
}

double sqrt_up(double x) { return x <= 0 ? 0.0 : up(std::sqrt(x)); }
// An upper bound on |q̂ − Σ v_i²| (exact sum of the doubles' squares): the sum in
// midpoint–radius arithmetic from the exact points v_i encloses it, |Q − (mid + lo)| ≤ rad.
double square_sum_error(double q_hat, std::span<const double> v) {
    const MidRadArith ar;
    MidRad acc, x;
    for (double vi : v) {
        x = {vi, 0.0, 0.0};
        ar.addmul(acc, x, x);
    }
    const double d = std::fabs(q_hat - acc.mid);
    return uadd(uadd(d > 0 ? up(d) : 0.0, std::fabs(acc.lo)), acc.rad);
}

double inv_sqrt_up(const Rational& r) { return up(1.0 / down(std::sqrt(r.to_double(Round::down)))); }

}  // namespace

std::optional<PrimalDualLayout> primal_dual_layout(const CsProblem& problem, const SolverParams& params) {
    if (problem.complex || (params.solver != Solver::firenet && params.solver != Solver::primal_dual)) return std::nullopt;
    PrimalDualLayout l;
    l.N = problem.A->cols();
    l.M = problem.A->rows();
    l.blocks = params.solver == Solver::firenet ? params.restarts : 1;
    l.steps = params.inner;
    l.tau = params.tau;
    l.sigma = params.sigma;
    l.theta = params.theta;
    return l;
}

L2Evaluation evaluate_primal_dual_l2(const Network& net, const PrimalDualLayout& lay, const std::vector<Rational>& y,
                                     const Progress& progress) {
    if (y.size() != net.input_dim())
        throw ShapeError("network input has " + std::to_string(net.input_dim()) + " values, got " +
                         std::to_string(y.size()));
    const std::vector<Slot> role = roles(lay);
    const std::size_t width = 1 + 2 * lay.N + lay.M, S_at = 1 + lay.N + lay.M;
    if (role.size() != net.layers().size() || net.input_dim() != lay.M || lay.tau.sign() <= 0 || lay.sigma.sign() <= 0)
        throw DomainError("evaluate_primal_dual_l2: the network does not have the primal-dual layout given");
    for (std::size_t j = 0; j < role.size(); ++j) {
        const Layer& l = net.layers()[j];
        bool ok = kind_matches(l, role[j]);
        const bool boundary = role[j].role != Role::output && (role[j].role != Role::step || role[j].pos == 5);
        if (boundary) ok = ok && net.widths()[j + 1] == width;
        if (role[j].role == Role::restart || role[j].role == Role::output)
            ok = ok && reads_only(std::get<AffineLayer>(l), S_at, lay.N);
        if (role[j].role == Role::init) ok = ok && reads_only(std::get<AffineLayer>(l), 0, 0);  // a constant
        if (!ok)
            throw DomainError("evaluate_primal_dual_l2: layer " + std::to_string(j + 1) + " (" + layer_kind(l) +
                              ") does not match the primal-dual layout");
    }
    const double itau = inv_sqrt_up(lay.tau), isig = inv_sqrt_up(lay.sigma);
    const double stau = sqrt_up(lay.tau.to_double(Round::up)), theta = lay.theta.to_double(Round::up);
    const double both = uadd(itau, isig);

    L2Evaluation r;
    const L2Input input = l2_input(y);
    const L2LayerBound bound(net, input);
    // E ≥ ‖û − u‖_M, S ≥ ‖ŝ − s‖; ρ the current step's own rounding up to its v layer, and
    // that layer's output [v | v | x⁺ | s + x⁺] (the gate's input must hold its copies)
    double E = 0, S = 0, rho = 0;
    std::vector<double> v_state;
    bool failed = !(input.norm < inf);
    if (failed) r.reason = "the input is not finite in double";
    auto fail = [&](std::size_t j, const std::string& why) {
        failed = true;
        r.failed_layer = j + 1;
        r.reason = "layer " + std::to_string(j + 1) + " (" + layer_kind(net.layers()[j]) +
                   "): " + (why.empty() ? std::string("the bound overflowed") : why);
    };
    const std::size_t N = lay.N, M = lay.M;
    LayerObserver<double> observe = [&](std::size_t j, std::span<const double> in, std::span<const double> out) {
        if (failed) return;
        const Slot& s = role[j];
        // ‖A_j‖₂ for the layers that read s only (restart, output): ‖A_j Δ‖ ≤ ‖A_j‖·‖Δ_s‖
        auto reads = [&] { return std::get<AffineLayer>(net.layers()[j]).A->double_error_bound().norm; };
        std::string why;
        if (s.role == Role::step && (s.pos == 3 || s.pos == 4)) return;  // bounded with the gate
        if (s.role == Role::step && s.pos == 5) {
            // the gate's input [q̂ | x̂⁺ | v̂ | ŝ⁺]: x̂⁺, v̂, ŝ⁺ are the v layer's, copied exactly
            const bool copies = std::equal(in.begin() + 1, in.begin() + 1 + N, v_state.begin() + 2 * M) &&
                                std::equal(in.begin() + 1 + N, in.begin() + 1 + N + M, v_state.begin()) &&
                                std::equal(in.begin() + 1 + N + M, in.end(), v_state.begin() + 2 * M + N);
            if (!copies) return fail(j, "the gate's input is not the v layer's copy");
            // ‖d̂⁺ − P(v̂)‖ ≤ gate + θ: the gate at the exact q = ‖v̂‖² (within r_q of q̂),
            // and v/max(1, sqrt_θ(‖v‖²)) within θ of P(v)
            const double r_q = square_sum_error(in[0], in.subspan(1 + N, M));
            const double gate = bound.step(j, in, out, r_q, why);
            if (!(gate < inf)) return fail(j, why);
            const double E_before = E;
            E = uadd(uadd(uadd(E, umul(rho, both)), umul(uadd(gate, theta), isig)), umul(theta, isig));
            // s⁺ = (k s + x⁺)/(k + 1): the averaging coefficients, upward
            const double k = s.step, keep = up(k / (k + 1)), add = up(1 / (k + 1));
            S = uadd(uadd(umul(keep, S), umul(add, umul(stau, E_before))), rho);
            r.radii.push_back(S);
        } else {
            const double beta = bound.step(j, in, out, s.role == Role::step && s.pos > 0 ? rho : 0.0, why);
            if (!(beta < inf)) return fail(j, why);
            switch (s.role) {
                case Role::init:
                    E = umul(beta, both);
                    S = beta;
                    break;
                case Role::step:
                    rho = beta;
                    if (s.pos == 2) v_state.assign(out.begin(), out.end());
                    break;
                case Role::restart:
                    E = uadd(umul(uadd(umul(reads(), S), beta), itau), umul(beta, isig));
                    S = beta;
                    break;
                case Role::output:
                    r.radius = uadd(umul(reads(), S), beta);
                    break;
            }
        }
        if (!(E < inf && S < inf)) fail(j, "");
    };
    r.mid = evaluate(net, DoubleArith{}, std::span<const double>(input.y), nullptr, progress, observe);
    if (failed) r.radius = inf;
    return r;
}

}  // namespace rigornet
