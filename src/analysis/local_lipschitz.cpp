#include "rigornet/analysis/local_lipschitz.hpp"

#include <algorithm>
#include <functional>

#include "rigornet/network/evaluate.hpp"

namespace rigornet {

namespace {

// Non-negative upper bounds are kept as point balls at their (rounded-up) upper end, so
// that radii do not pile up over hundreds of layers; every operation below is monotone
// in its non-negative arguments, so upper ends of the inputs give upper ends out.
struct Up {
    long prec;
    Ball point(const Ball& x) const {
        Ball r;
        arf_t u;
        arf_init(u);
        arb_get_ubound_arf(u, x.get(), prec);
        if (arf_is_nan(u)) arf_pos_inf(u);
        arb_set_arf(r.get(), u);
        arf_clear(u);
        return r;
    }
    Ball of(const Rational& q) const { return point(Ball(q, prec)); }
    Ball abs(const Ball& x) const {  // ≥ sup |x|
        Ball r;
        arb_abs(r.get(), x.get());
        return point(r);
    }
    Ball add(const Ball& a, const Ball& b) const {
        Ball r;
        arb_add(r.get(), a.get(), b.get(), prec);
        return point(r);
    }
    Ball mul(const Ball& a, const Ball& b) const {
        if (arb_is_zero(a.get()) || arb_is_zero(b.get())) return Ball();  // 0·anything, even ∞
        Ball r;
        arb_mul(r.get(), a.get(), b.get(), prec);
        return point(r);
    }
    Ball max(const Ball& a, const Ball& b) const {
        Ball r;
        arb_max(r.get(), a.get(), b.get(), prec);
        return point(r);
    }
    Ball hypot(const Ball& a, const Ball& b) const {  // √(a² + b²)
        Ball r;
        arb_hypot(r.get(), a.get(), b.get(), prec);
        return point(r);
    }
    Ball sqrt(const Ball& a) const {
        Ball r;
        arb_sqrtpos(r.get(), a.get(), prec);
        return point(r);
    }
    Ball inf() const {
        Ball r;
        arb_pos_inf(r.get());
        return r;
    }
    /// ≤ inf |x| (0 if x contains 0), rounded down; as a ball for division.
    Ball abs_lower(const Ball& x) const {
        Ball r;
        arf_t l;
        arf_init(l);
        arb_get_abs_lbound_arf(l, x.get(), prec);
        arb_set_arf(r.get(), l);
        arf_clear(l);
        return r;
    }
    /// ≥ 1/x for a point ball x > 0 (+∞ when x is 0).
    Ball inverse(const Ball& x) const {
        if (!arb_is_positive(x.get())) return inf();
        Ball r;
        arb_inv(r.get(), x.get(), prec);
        return point(r);
    }
};

/// Over an interval of u: enclosures of g_ideal and of g as the network computes it,
/// ℓ ≥ Lipschitz constant of g_ideal, D ≥ sup |g − g_ideal| (upper point balls).
struct ExprBound {
    Ball ideal, value, lip, dev;
};

/// u encloses the interval [u_lo, …]; u_lo is kept apart because a ball's radius is
/// rounded up to 30 bits, so a wide ball's lower end may fall below u_lo (even below 0).
ExprBound expr_bound(const Expr& e, const Ball& u, arf_srcptr u_lo, const Up& up, bool ideal_sqrt, const Rational& p) {
    const BallArith real{up.prec, false};
    ExprBound r;
    switch (e.op) {
        case Expr::Op::constant:
            r.ideal = r.value = Ball(e.value.exact(), up.prec);
            return r;
        case Expr::Op::param:  // the gate's parameter: a constant of this gate
            r.ideal = r.value = Ball(p, up.prec);
            return r;
        case Expr::Op::var:
            r.ideal = r.value = u;
            r.lip = up.of(Rational(1));
            return r;
        default: break;
    }
    const ExprBound a = expr_bound(e.args[0], u, u_lo, up, ideal_sqrt, p);
    if (e.op == Expr::Op::neg) {
        arb_neg(r.ideal.get(), a.ideal.get());
        arb_neg(r.value.get(), a.value.get());
        r.lip = a.lip;
        r.dev = a.dev;
        return r;
    }
    if (e.op == Expr::Op::sqrt_theta) {
        arb_sqrtpos(r.ideal.get(), a.ideal.get(), up.prec);
        if (ideal_sqrt) {
            arb_sqrtpos(r.value.get(), a.value.get(), up.prec);
        } else {
            // only arguments ≥ 0 matter (φ is undefined elsewhere): enclose over those
            Ball nonneg;
            arb_nonnegative_part(nonneg.get(), a.value.get());
            real.sqrt_theta(r.value, nonneg, e.theta_bits);
        }
        // |√a − √b| ≤ |a − b|/(2√m) for a, b ≥ m > 0 (m = u_lo when the argument is u)
        Ball m = up.abs_lower(a.ideal);
        const bool var = e.args[0].op == Expr::Op::var;
        if (var && arf_sgn(u_lo) > 0) arb_set_arf(m.get(), u_lo);
        if (arb_is_zero(a.lip.get())) {
            r.lip = Ball();
        } else if (var ? arf_sgn(u_lo) > 0 : arb_is_positive(a.ideal.get())) {
            Ball s;
            arb_sqrt(s.get(), m.get(), up.prec);
            arb_mul_2exp_si(s.get(), s.get(), 1);
            arb_div(s.get(), a.lip.get(), s.get(), up.prec);
            r.lip = up.point(s);
        } else {
            r.lip = up.inf();
        }
        // |sqrt_θ(ã) − √a| ≤ |sqrt_θ(ã) − √ã| + |√ã − √a| ≤ 2^−k + √|ã − a|
        if (!ideal_sqrt) {
            Ball t;
            arb_one(t.get());
            arb_mul_2exp_si(t.get(), t.get(), -e.theta_bits);
            r.dev = up.add(t, up.sqrt(a.dev));
        }
        return r;
    }
    const ExprBound b = expr_bound(e.args[1], u, u_lo, up, ideal_sqrt, p);
    const Ball sa = up.abs(a.ideal), sb = up.abs(b.ideal), sat = up.abs(a.value);
    switch (e.op) {
        case Expr::Op::add:
        case Expr::Op::sub:
            if (e.op == Expr::Op::add) {
                arb_add(r.ideal.get(), a.ideal.get(), b.ideal.get(), up.prec);
                arb_add(r.value.get(), a.value.get(), b.value.get(), up.prec);
            } else {
                arb_sub(r.ideal.get(), a.ideal.get(), b.ideal.get(), up.prec);
                arb_sub(r.value.get(), a.value.get(), b.value.get(), up.prec);
            }
            r.lip = up.add(a.lip, b.lip);
            r.dev = up.add(a.dev, b.dev);
            return r;
        case Expr::Op::mul:
            arb_mul(r.ideal.get(), a.ideal.get(), b.ideal.get(), up.prec);
            arb_mul(r.value.get(), a.value.get(), b.value.get(), up.prec);
            // ab − a′b′ = a(b − b′) + b′(a − a′); ãb̃ − ab = ã(b̃ − b) + b(ã − a)
            r.lip = up.add(up.mul(sa, b.lip), up.mul(sb, a.lip));
            r.dev = up.add(up.mul(sat, b.dev), up.mul(sb, a.dev));
            return r;
        case Expr::Op::div: {
            arb_div(r.ideal.get(), a.ideal.get(), b.ideal.get(), up.prec);
            arb_div(r.value.get(), a.value.get(), b.value.get(), up.prec);
            // a/b − a′/b′ = (a − a′)/b + a′(b′ − b)/(bb′); with m ≤ |b|, |b′|:
            // ≤ (ℓ_a/m + sup|a|·ℓ_b/m²)|u − u′|, and likewise for ã/b̃ − a/b
            const Ball mi = up.inverse(up.abs_lower(b.ideal)), mt = up.inverse(up.abs_lower(b.value));
            r.lip = up.mul(mi, up.add(a.lip, up.mul(up.mul(sa, mi), b.lip)));
            if (!ideal_sqrt) r.dev = up.add(up.mul(mt, a.dev), up.mul(up.mul(sa, up.mul(mi, mt)), b.dev));
            return r;
        }
        case Expr::Op::min:
        case Expr::Op::max: {
            const bool is_max = e.op == Expr::Op::max;
            auto pick = [&](Ball& out, const Ball& x, const Ball& y) {
                if (is_max) arb_max(out.get(), x.get(), y.get(), up.prec);
                else arb_min(out.get(), x.get(), y.get(), up.prec);
            };
            pick(r.ideal, a.ideal, b.ideal);
            pick(r.value, a.value, b.value);
            // which branch is proved to be the result everywhere on the interval (0: neither)
            auto dominant = [&](const Ball& x, const Ball& y) {
                if (arb_lt(x.get(), y.get())) return is_max ? 2 : 1;
                if (arb_gt(x.get(), y.get())) return is_max ? 1 : 2;
                return 0;
            };
            const int di = dominant(a.ideal, b.ideal), dv = dominant(a.value, b.value);
            // min and max are 1-Lipschitz in the ∞-norm of their two arguments
            r.lip = di == 1 ? a.lip : di == 2 ? b.lip : up.max(a.lip, b.lip);
            r.dev = (di != 0 && di == dv) ? (di == 1 ? a.dev : b.dev) : up.max(a.dev, b.dev);
            return r;
        }
        default: break;
    }
    throw DomainError("local Lipschitz bound: unknown gate expression");
}

/// Whether every sqrt_θ in e takes the variable itself (vacuously true without sqrt_θ).
bool sqrt_of_variable_only(const Expr& e) {
    if (e.op == Expr::Op::sqrt_theta && e.args[0].op != Expr::Op::var) return false;
    return std::all_of(e.args.begin(), e.args.end(), sqrt_of_variable_only);
}

bool has_sqrt(const Expr& e) {
    return e.op == Expr::Op::sqrt_theta || std::any_of(e.args.begin(), e.args.end(), has_sqrt);
}

/// Whether g is undefined for every u < 0: it takes sqrt_θ(u) (and sqrt_θ of nothing else).
bool needs_nonnegative(const Expr& e) { return has_sqrt(e) && sqrt_of_variable_only(e); }

struct GateBound {
    Ball sup_abs, lip, dev;  // ≥ sup|g|, ℓ, D over the interval
};

/// expr_bound over [lo, hi] split into pieces of ratio 2 (see below), each split again
/// while its ℓ is not finite (at most 64 times: in halves, or [0, b] at min(1, b)/2^64): sup|g| and D are maxima over the pieces, and
/// so is ℓ since g_ideal is continuous on the interval when every piece's ℓ is finite.
GateBound gate_bound(const Expr& f, arf_srcptr lo, arf_srcptr hi, const Up& up, bool ideal_sqrt, const Rational& p) {
    GateBound out;
    std::function<void(arf_srcptr, arf_srcptr, int)> piece = [&](arf_srcptr a, arf_srcptr b, int depth) {
        Ball u;
        arb_set_interval_arf(u.get(), a, b, up.prec);
        const ExprBound e = expr_bound(f, u, a, up, ideal_sqrt, p);
        if (!arb_is_finite(e.lip.get()) && depth < 64 && arf_cmp(a, b) < 0) {
            // a piece starting at 0 is split geometrically (√ and division by small values
            // are only unbounded near 0), others in halves
            arf_t m;
            arf_init(m);
            if (arf_sgn(a) == 0 && arf_sgn(b) > 0) {
                if (arf_cmpabs_2exp_si(b, 0) > 0)
                    arf_set_si_2exp_si(m, 1, -64);  // b > 1: [0, 2^−64] first
                else
                    arf_mul_2exp_si(m, b, -64);
            } else {
                arf_add(m, a, b, ARF_PREC_EXACT, ARF_RND_DOWN);
                arf_mul_2exp_si(m, m, -1);
            }
            piece(a, m, depth + 1);
            piece(m, b, depth + 1);
            arf_clear(m);
            return;
        }
        out.sup_abs = up.max(out.sup_abs, up.abs(e.value));
        out.lip = up.max(out.lip, e.lip);
        out.dev = up.max(out.dev, e.dev);
    };
    // [l, h] with 0 ≤ l < h in pieces [h/2^(j+1), h/2^j] (j < 64 + log2 h, at most 256),
    // then [l, last]: a ball holds an interval of ratio 2 with a positive lower end,
    // which one wide ball cannot do (its radius is rounded up to 30 bits)
    auto positive = [&](arf_srcptr l, arf_srcptr h, auto&& emit) {
        const slong e = arf_abs_bound_lt_2exp_si(h);
        const slong count = std::max<slong>(1, std::min<slong>(256, e + 64));
        arf_t cur, next;
        arf_init(cur);
        arf_init(next);
        arf_set(cur, h);
        bool done = false;
        for (slong j = 0; j < count && !done; ++j) {
            arf_mul_2exp_si(next, cur, -1);
            if (arf_cmp(next, l) <= 0) {
                emit(l, cur);
                done = true;
            } else {
                emit(next, cur);
                arf_set(cur, next);
            }
        }
        if (!done) emit(l, cur);
        arf_clear(cur);
        arf_clear(next);
    };
    auto direct = [&](arf_srcptr a, arf_srcptr b) { piece(a, b, 0); };
    auto mirrored = [&](arf_srcptr a, arf_srcptr b) {  // the piece [−b, −a]
        arf_t na, nb;
        arf_init(na);
        arf_init(nb);
        arf_neg(na, b);
        arf_neg(nb, a);
        piece(na, nb, 0);
        arf_clear(na);
        arf_clear(nb);
    };
    arf_t zero, nlo, nhi;
    arf_init(zero);
    arf_init(nlo);
    arf_init(nhi);
    if (arf_cmp(lo, hi) == 0) {
        piece(lo, hi, 0);
    } else if (arf_sgn(lo) >= 0) {
        positive(lo, hi, direct);
    } else {
        // the negative part [lo, min(hi, 0)] as the mirror of [max(−hi, 0), −lo]
        arf_neg(nlo, lo);
        if (arf_sgn(hi) < 0) arf_neg(nhi, hi);
        positive(nhi, nlo, mirrored);
        if (arf_sgn(hi) > 0) positive(zero, hi, direct);
    }
    arf_clear(zero);
    arf_clear(nlo);
    arf_clear(nhi);
    return out;
}

/// Bounds of the interval {z + h : z ∈ c, |h| ≤ R} (R a finite point ball); false if
/// they are not finite.
bool reach(arf_t lo, arf_t hi, const Ball& c, const Ball& R, long prec) {
    Ball t;
    arb_add_error(t.get(), R.get());  // [0 ± R]
    arb_add(t.get(), t.get(), c.get(), prec);
    arb_get_lbound_arf(lo, t.get(), prec);
    arb_get_ubound_arf(hi, t.get(), prec);
    return arb_is_finite(t.get());
}

}  // namespace

LocalLipschitz local_lipschitz_upper(const Network& phi, std::span<const Rational> y, const Rational& radius,
                                     const BallArith& ar, std::map<const LinearOperator*, Rational>* norms) {
    if (y.size() != phi.input_dim())
        throw ShapeError("local Lipschitz bound: y has " + std::to_string(y.size()) + " entries, the network " +
                         std::to_string(phi.input_dim()) + " inputs");
    if (radius.sign() < 0) throw DomainError("local Lipschitz bound: the radius must be >= 0");
    const Up up{ar.prec};
    std::map<const LinearOperator*, Rational> local;
    if (!norms) norms = &local;
    auto norm = [&](const std::shared_ptr<const LinearOperator>& op) {
        if (!op) return Ball();
        auto it = norms->find(op.get());
        if (it == norms->end()) it = norms->emplace(op.get(), operator_norm_upper(*op)).first;
        return up.of(it->second);
    };
    const Ball rho = up.of(radius);
    Ball L = up.of(Rational(1)), J;
    auto reach_radius = [&] { return up.add(up.mul(L, rho), J); };

    auto observe = [&](std::size_t j, std::span<const Ball> in, std::span<const Ball>) {
        if (!arb_is_finite(L.get()) || !arb_is_finite(J.get())) return;  // no finite bound any more
        // R: the radius of the reachable set before a nonlinear layer; false (and no
        // finite bound any more) when nothing is known about that set
        auto reachable = [&](Ball& R) {
            R = reach_radius();
            if (arb_is_finite(R.get())) return true;
            L = J = up.inf();
            return false;
        };
        visit_layer(
            phi.layers()[j],
            [&](const AffineLayer& a) {
                const Ball na = norm(a.A), nb = norm(a.B);
                L = up.add(up.mul(na, L), nb);
                J = up.mul(na, J);
            },
            [&](const ElementwiseLayer& e) {
                Ball R;
                if (!reachable(R)) return;
                const std::size_t count = e.indices ? e.indices->size() : in.size();
                Ball lip = count < in.size() ? up.of(Rational(1)) : Ball(), jump;
                auto each = [&](auto&& f) {
                    if (e.indices)
                        e.indices->for_each(f);
                    else
                        for (std::size_t i = 0; i < in.size(); ++i) f(i);
                };
                switch (e.fn) {
                    case Scalar::relu:
                    case Scalar::soft_threshold:
                        lip = up.of(Rational(1));
                        break;
                    case Scalar::square:
                        each([&](std::size_t i) {
                            Ball s = up.add(up.abs(in[i]), R);
                            arb_mul_2exp_si(s.get(), s.get(), 1);
                            lip = up.max(lip, s);
                        });
                        break;
                    case Scalar::sqrt_theta: {
                        each([&](std::size_t i) {
                            arf_t lo, hi;
                            arf_init(lo);
                            arf_init(hi);
                            const bool finite = reach(lo, hi, in[i], R, ar.prec);
                            Ball m;
                            arb_set_arf(m.get(), lo);
                            if (finite && arf_sgn(lo) > 0) {
                                arb_sqrt(m.get(), m.get(), ar.prec);
                                arb_mul_2exp_si(m.get(), m.get(), 1);
                                lip = up.max(lip, up.inverse(m));
                            } else {
                                lip = up.inf();
                            }
                            arf_clear(lo);
                            arf_clear(hi);
                        });
                        if (!ar.ideal_sqrt) {  // 2^−k per coordinate, ℓ2 over the coordinates
                            Ball t;
                            arb_set_ui(t.get(), count);
                            arb_sqrt(t.get(), t.get(), ar.prec);
                            arb_mul_2exp_si(t.get(), t.get(), -e.theta_bits);
                            jump = up.point(t);
                        }
                        break;
                    }
                }
                L = up.mul(lip, L);
                J = up.add(up.mul(lip, J), jump);
            },
            [&](const GateLayer& g) {
                Ball R;
                if (!reachable(R)) return;
                // gates with the same function share one analysis over the hull of their intervals
                struct Group {
                    const Expr* f;
                    Rational p;  // the gates' parameter (0 when f does not use it)
                    arf_t lo, hi;
                    Ball xmax;
                    std::size_t count = 0;
                };
                std::map<std::string, Group> groups;
                std::size_t touched = 0;
                bool undefined = false;  // no finite bound: an unbounded or empty interval
                // gate s of a group (Gate::count): control + s, targets + s, parameter params.at(s)
                for (const Gate& gate : g.gates)
                    for (std::size_t s = 0; s < gate.count; ++s) {
                        touched += 1 + gate.targets.size();
                        arf_t lo, hi;
                        arf_init(lo);
                        arf_init(hi);
                        if (!reach(lo, hi, in[gate.control + s], R, ar.prec)) undefined = true;
                        if (needs_nonnegative(gate.f) && arf_sgn(lo) < 0) arf_zero(lo);  // g undefined below 0
                        Ball xn;                                                         // ≥ ‖X‖ at y
                        gate.targets.for_each([&](std::size_t t) { xn = up.hypot(xn, up.abs(in[t + s])); });
                        xn = up.add(xn, R);
                        const bool param = gate.f.uses_parameter();
                        const Rational pv = param ? gate.params.at(s) : Rational();
                        auto [it, fresh] =
                            groups.try_emplace(gate.f.str() + (param ? " | p = " + pv.str() : std::string()));
                        Group& grp = it->second;
                        if (fresh) {
                            grp.f = &gate.f;
                            grp.p = pv;
                            arf_init(grp.lo);
                            arf_init(grp.hi);
                            arf_set(grp.lo, lo);
                            arf_set(grp.hi, hi);
                        } else {
                            arf_min(grp.lo, grp.lo, lo);
                            arf_max(grp.hi, grp.hi, hi);
                        }
                        grp.xmax = up.max(grp.xmax, xn);
                        ++grp.count;
                        arf_clear(lo);
                        arf_clear(hi);
                    }
                Ball lip = touched < in.size() ? up.of(Rational(1)) : Ball(), jump2;
                for (auto& [key, grp] : groups) {
                    if (arf_cmp(grp.lo, grp.hi) > 0) {
                        undefined = true;  // g is defined nowhere on the reachable interval
                    } else if (!undefined) {
                        const GateBound b = gate_bound(*grp.f, grp.lo, grp.hi, up, ar.ideal_sqrt, grp.p);
                        lip = up.max(lip, up.hypot(b.sup_abs, up.mul(grp.xmax, b.lip)));
                        if (!ar.ideal_sqrt) {
                            Ball jg = up.mul(grp.xmax, b.dev);
                            arb_mul_2exp_si(jg.get(), jg.get(), 1);
                            Ball c;
                            arb_set_ui(c.get(), grp.count);
                            jump2 = up.add(jump2, up.mul(c, up.mul(jg, jg)));
                        }
                    }
                    arf_clear(grp.lo);
                    arf_clear(grp.hi);
                }
                if (undefined) {
                    L = J = up.inf();
                    return;
                }
                L = up.mul(lip, L);
                J = up.add(up.mul(lip, J), up.sqrt(jump2));
            });
    };
    std::vector<Ball> yb;
    for (const Rational& v : y) yb.push_back(ar.from_rational(v));
    evaluate(phi, ar, std::span<const Ball>(yb), nullptr, {}, LayerObserver<Ball>(observe));
    return {L, J};
}

}  // namespace rigornet

namespace rigornet {

std::optional<LocalLipschitz> unrolled_lipschitz_upper(const CsProblem& pb, const SolverParams& pr, long prec) {
    if (pr.solver == Solver::nesta) return std::nullopt;
    const Up up{prec};
    const Ball one = up.of(Rational(1)), U = up.of(operator_norm_upper(*pb.A)),
               S = up.of(operator_norm_upper(*pb.synthesis)), tau = up.of(pr.tau), sigma = up.of(pr.sigma);
    const Ball tauU = up.mul(tau, U), sigmaU = up.mul(sigma, U);
    // Complex coefficients: the gate threshold u_i ↦ u_i·max(0, s − t)/max(s, t),
    // s = sqrt_θ(|u_i|²) ∈ (|u_i| − 2^−k, |u_i|], is within 2^−k of the exact complex prox
    // u_i·max(0, 1 − t/|u_i|) (1-Lipschitz: the prox of t|·|) in every coordinate (both
    // point along u_i; s ≤ t: |exact| = max(0, |u| − t) ≤ |u| − s < 2^−k; s > t: the moduli
    // differ by t(|u| − s)/s < 2^−k), so by ≤ √N_c·2^−k as a vector; two runs: jc, added to
    // J after every threshold. 0 for real coefficients (the exact prox).
    Ball jc;
    if (pb.complex) {
        arb_set_ui(jc.get(), pb.A->cols() / 2);
        arb_sqrt(jc.get(), jc.get(), prec);
        arb_mul_2exp_si(jc.get(), jc.get(), 1 - theta_bits(pr.theta));
        jc = up.point(jc);
    }
    auto scale = [&](const Rational& q, const Ball& b) { return up.mul(up.of(q.abs()), b); };
    auto twice = [&](const Ball& b) { return up.add(b, b); };
    // the bound with the smaller L (both are valid; J is of the order of θ)
    auto smaller = [](LocalLipschitz a, std::optional<LocalLipschitz> b) {
        if (b && arb_is_finite(b->lipschitz.get()) &&
            (!arb_is_finite(a.lipschitz.get()) || arb_lt(b->lipschitz.get(), a.lipschitz.get())))
            return *b;
        return a;
    };
    // Primal–dual methods in the seminorm of M = [[I/τ, −Aᵀ], [−A, I/σ]], positive
    // semidefinite as τσ‖A‖² ≤ τσL_A² ≤ 1 (docs/primal_dual_l2.md): the exact step T_b
    // is the resolvent step of a monotone operator independent of b, so ‖T_b(u) −
    // T_b(u′)‖_M ≤ ‖u − u′‖_M; b enters only d⁺ = P(w − σb) (cp-bp: w − σb), P
    // 1-Lipschitz, so ‖T_b(u) − T_b′(u)‖_M ≤ σ‖Δb‖/√σ = √σ‖Δb‖; the primal part obeys
    // ‖Δx⁺‖ ≤ ‖Δx − τAᵀΔd‖ ≤ √τ‖Δu‖_M (S_t 1-Lipschitz, τ‖AᵀΔd‖² ≤ ‖Δd‖²/σ); the sqrt_θ
    // projection moves d⁺ by ≤ 2^−k, i.e. ‖(0, e)‖_M ≤ 2^−k/√σ; a restart (x_0 = f·s,
    // d_0 = 0) starts at ‖Δu‖_M = fΔs/√τ. No τσU² < 1 is needed.
    auto metric = [&]() -> std::optional<LocalLipschitz> {
        if (pr.tau * pr.sigma * pb.norm_A * pb.norm_A > Rational(1)) return std::nullopt;  // the builder refuses it too
        Ball rs, rt, st, ss;  // ≥ 1/√σ, 1/√τ, √τ, √σ
        arb_rsqrt(rs.get(), sigma.get(), prec);
        arb_rsqrt(rt.get(), tau.get(), prec);
        arb_sqrt(st.get(), tau.get(), prec);
        arb_sqrt(ss.get(), sigma.get(), prec);
        rs = up.point(rs);
        rt = up.point(rt);
        st = up.point(st);
        ss = up.point(ss);
        // complex thresholds: at the same input the deployed step differs from the exact
        // one by (e, e_d), ‖e‖ ≤ jc/2 per run, ‖e_d‖ ≤ 2σU‖e‖ (d⁺ reads A(2x⁺ − x); the
        // projection is 1-Lipschitz), and ‖(a, b)‖_M ≤ ‖a‖/√τ + ‖b‖/√σ (the seminorm's
        // triangle inequality): per step and two runs jc(1/√τ + 2σU/√σ) in the metric, jc in x⁺
        const Ball jcm = up.mul(jc, up.add(rt, up.mul(twice(sigmaU), rs)));
        if (pr.solver == Solver::cp_bp) {  // b = y, p steps from u = 0; the output is x_p
            Ball m, jm, Lx, Jx;
            for (int k = 0; k < pr.inner; ++k) {
                Lx = up.mul(st, m);
                Jx = up.add(up.mul(st, jm), jc);
                m = up.add(m, ss);
                jm = up.add(jm, jcm);
            }
            return LocalLipschitz{up.mul(S, Lx), up.mul(S, Jx)};
        }
        const bool restarted = pr.solver == Solver::firenet;
        const int n = restarted ? pr.restarts : 1, p = pr.inner;
        Ball theta2;
        arb_one(theta2.get());
        arb_mul_2exp_si(theta2.get(), theta2.get(), 1 - theta_bits(pr.theta));
        const Ball jstep = up.add(up.mul(theta2, rs), jcm);
        Ball m, jm, Ls, Js;  // the metric distance and the ergodic sum's, per unit Δy
        Rational eps = pr.eps0, alpha_prev;
        for (int j = 1; j <= n; ++j) {
            Rational alpha(1);
            if (restarted) {
                eps = pr.nu * (pr.delta + eps);
                alpha = Rational(2) * pb.norm_A / (eps * Rational(p));
            }
            if (j == 1) {
                m = jm = Ball();
            } else {
                const Rational f = alpha / (alpha_prev * Rational(p));
                m = up.mul(rt, scale(f, Ls));
                jm = up.mul(rt, scale(f, Js));
            }
            Ls = Js = Ball();
            const Ball step = up.mul(up.of(alpha), ss);  // b = αy
            for (int k = 0; k < p; ++k) {
                Ls = up.add(Ls, up.mul(st, m));  // Δx⁺ ≤ √τ·(the distance before the step)
                Js = up.add(Js, up.add(up.mul(st, jm), jc));
                m = up.add(m, step);
                jm = up.add(jm, jstep);
            }
            alpha_prev = alpha;
        }
        const Rational out = Rational(1) / (alpha_prev * Rational(p));
        return LocalLipschitz{up.mul(S, scale(out, Ls)), up.mul(S, scale(out, Js))};
    };
    switch (pr.solver) {
        case Solver::ista:
        case Solver::fista: {
            // c ≥ ‖I − τAᵀA‖₂ = max over the spectrum λ ∈ [0, ‖A‖²] of |1 − τλ|
            Ball c;
            arb_mul(c.get(), tauU.get(), U.get(), prec);
            arb_sub(c.get(), c.get(), one.get(), prec);
            c = up.max(one, up.point(c));
            Ball prev, z = tauU;  // Δz_0 = 0, Δz_1 ≤ τUΔy (per unit Δy)
            Ball jprev, jz = jc;  // the same recursion for the complex thresholds' jumps
            for (int k = 1; k < pr.inner; ++k) {
                const Rational beta = pr.solver == Solver::fista ? Rational(k - 1, k + 2) : Rational(0);
                const Ball w = up.add(scale(Rational(1) + beta, z), scale(beta, prev)),
                           jw = up.add(scale(Rational(1) + beta, jz), scale(beta, jprev));
                prev = z;
                jprev = jz;
                z = up.add(up.mul(c, w), tauU);
                jz = up.add(up.mul(c, jw), jc);
            }
            return LocalLipschitz{up.mul(S, z), up.mul(S, jz)};
        }
        case Solver::cp_bp: {
            Ball x, d, jx, jd;
            for (int k = 0; k < pr.inner; ++k) {
                const Ball x1 = up.add(x, up.mul(tauU, d)), jx1 = up.add(up.add(jx, up.mul(tauU, jd)), jc);
                d = up.add(up.add(d, up.mul(sigmaU, up.add(twice(x1), x))), sigma);
                jd = up.add(jd, up.mul(sigmaU, up.add(twice(jx1), jx)));
                x = x1;
                jx = jx1;
            }
            return smaller(LocalLipschitz{up.mul(S, x), up.mul(S, jx)}, metric());
        }
        case Solver::firenet:
        case Solver::primal_dual: {
            const bool restarted = pr.solver == Solver::firenet;
            const int n = restarted ? pr.restarts : 1, p = pr.inner;
            Ball theta2;  // 2·2^−k, the projection's jump between two runs
            arb_one(theta2.get());
            arb_mul_2exp_si(theta2.get(), theta2.get(), 1 - theta_bits(pr.theta));
            // Lipschitz parts (L*) and jumps (J*) of x, d and the ergodic sum s, per unit Δy
            Ball Lx, Ld, Ls, Jx, Jd, Js;
            Rational eps = pr.eps0, alpha_prev;
            for (int j = 1; j <= n; ++j) {
                Rational alpha(1);
                if (restarted) {
                    eps = pr.nu * (pr.delta + eps);
                    alpha = Rational(2) * pb.norm_A / (eps * Rational(p));
                }
                if (j == 1) {  // x_0 = α_1 ψ_0 is a constant
                    Lx = Ld = Ls = Jx = Jd = Js = Ball();
                } else {  // x_0 = α_j s/(α_{j−1} p), d = s = 0
                    const Rational f = alpha / (alpha_prev * Rational(p));
                    Lx = scale(f, Ls);
                    Jx = scale(f, Js);
                    Ld = Ls = Jd = Js = Ball();
                }
                const Ball sa = scale(alpha, sigma);
                for (int k = 0; k < p; ++k) {
                    const Ball Lx1 = up.add(Lx, up.mul(tauU, Ld)), Jx1 = up.add(up.add(Jx, up.mul(tauU, Jd)), jc);
                    Ld = up.add(up.add(Ld, up.mul(sigmaU, up.add(twice(Lx1), Lx))), sa);
                    Jd = up.add(up.add(Jd, up.mul(sigmaU, up.add(twice(Jx1), Jx))), theta2);
                    Lx = Lx1;
                    Jx = Jx1;
                    Ls = up.add(Ls, Lx);
                    Js = up.add(Js, Jx);
                }
                alpha_prev = alpha;
            }
            const Rational out = Rational(1) / (alpha_prev * Rational(p));
            return smaller(LocalLipschitz{up.mul(S, scale(out, Ls)), up.mul(S, scale(out, Js))}, metric());
        }
        default: break;
    }
    return std::nullopt;
}

}  // namespace rigornet
