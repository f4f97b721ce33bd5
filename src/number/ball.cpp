#include "rigornet/ball.hpp"

#include <memory>

#include "rigornet/error.hpp"

namespace rigornet {

namespace {

Rational arf_to_rational(const arf_t a) {
    if (!arf_is_finite(a)) throw DomainError("ball is not finite");
    Rational r;
    arf_get_fmpq(r.get(), a);
    return r;
}

}  // namespace

Rational Ball::upper() const {
    arf_t u;
    arf_init(u);
    arb_get_ubound_arf(u, v_, ARF_PREC_EXACT);
    Rational r = arf_to_rational(u);
    arf_clear(u);
    return r;
}

Rational Ball::lower() const {
    arf_t l;
    arf_init(l);
    arb_get_lbound_arf(l, v_, ARF_PREC_EXACT);
    Rational r = arf_to_rational(l);
    arf_clear(l);
    return r;
}

Rational Ball::abs_upper() const {
    arf_t u;
    arf_init(u);
    arb_get_abs_ubound_arf(u, v_, ARF_PREC_EXACT);
    Rational r = arf_to_rational(u);
    arf_clear(u);
    return r;
}

Rational Ball::radius() const {
    if (mag_is_inf(arb_radref(v_))) throw DomainError("ball is not finite");
    arf_t r;
    arf_init(r);
    arf_set_mag(r, arb_radref(v_));
    Rational q = arf_to_rational(r);
    arf_clear(r);
    return q;
}

std::string Ball::str(long digits) const {
    std::unique_ptr<char, void (*)(void*)> s(arb_get_str(v_, digits, 0), flint_free);
    return std::string(s.get());
}

}  // namespace rigornet
