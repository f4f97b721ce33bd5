#include "rigornet/ball.hpp"

#include <memory>

#include "rigornet/error.hpp"

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

}  // namespace rigornet
