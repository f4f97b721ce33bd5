#include "rigornet/number/ball.hpp"

#include <memory>

#include "rigornet/core/error.hpp"

namespace rigornet {

namespace {

// Exact rational value of a bound that Arb computes into an arf (exact precision).
Rational bound(arb_srcptr v, void (*get)(arf_t, const arb_t, slong)) {
    arf_t u;
    arf_init(u);
    get(u, v, ARF_PREC_EXACT);
    Rational r;
    bool finite = arf_is_finite(u);
    if (finite) arf_get_fmpq(r.get(), u);
    arf_clear(u);
    if (!finite) throw DomainError("ball is not finite");
    return r;
}

}  // namespace

Rational Ball::upper() const { return bound(v_, arb_get_ubound_arf); }
Rational Ball::lower() const { return bound(v_, arb_get_lbound_arf); }
Rational Ball::abs_upper() const { return bound(v_, arb_get_abs_ubound_arf); }

Rational Ball::radius() const {
    if (mag_is_inf(arb_radref(v_))) throw DomainError("ball is not finite");
    arf_t r;
    arf_init(r);
    arf_set_mag(r, arb_radref(v_));
    Rational q;
    arf_get_fmpq(q.get(), r);
    arf_clear(r);
    return q;
}

std::string Ball::str(long digits) const {
    std::unique_ptr<char, void (*)(void*)> s(arb_get_str(v_, digits, 0), flint_free);
    return std::string(s.get());
}

namespace {

// sqrt(Σ term(i)²) in balls: containment is kept by every step.
template <class F>
Ball sqrt_of_sum(std::size_t n, long prec, F term) {
    Ball s, t;
    for (std::size_t i = 0; i < n; ++i) {
        term(t, i);
        arb_sqr(t.get(), t.get(), prec);
        arb_add(s.get(), s.get(), t.get(), prec);
    }
    arb_sqrtpos(s.get(), s.get(), prec);
    return s;
}

}  // namespace

Ball l2_distance(std::span<const Ball> a, std::span<const Rational> b, long prec) {
    if (a.size() != b.size()) throw ShapeError("l2_distance of vectors of different sizes");
    return sqrt_of_sum(a.size(), prec, [&](Ball& t, std::size_t i) {
        Ball bi(b[i], prec);
        arb_sub(t.get(), a[i].get(), bi.get(), prec);
    });
}

Ball l2_distance(std::span<const Ball> a, std::span<const Ball> b, long prec) {
    if (a.size() != b.size()) throw ShapeError("l2_distance of vectors of different sizes");
    return sqrt_of_sum(a.size(), prec, [&](Ball& t, std::size_t i) { arb_sub(t.get(), a[i].get(), b[i].get(), prec); });
}

Ball l2_norm(std::span<const Rational> b, long prec) {
    return sqrt_of_sum(b.size(), prec, [&](Ball& t, std::size_t i) { t = Ball(b[i], prec); });
}

}  // namespace rigornet
