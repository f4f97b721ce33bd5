#include "rigornet/linalg/double_error.hpp"

#include <algorithm>

namespace rigornet {

using tracked_detail::uadd;
using tracked_detail::umul;
using tracked_detail::up;

double norm2_upper(std::span<const double> x) {
    // scaled by 2^−e (|x_i|·2^−e ≤ 2, exact unless subnormal, then one ulp up) so that
    // the squares neither overflow nor underflow to zero; the scale is undone exactly
    double m = 0;
    for (double v : x) {
        if (!std::isfinite(v)) return DoubleErrorBound::inf;
        m = std::max(m, std::fabs(v));
    }
    if (m == 0) return 0.0;
    const int e = std::ilogb(m);
    // 2^−e is a normal double for |e| ≤ 1000, and a product by it is ldexp's result
    const double scale = std::abs(e) <= 1000 ? std::ldexp(1.0, -e) : 0.0;
    double s = 0;
    for (double v : x) {
        double a = scale != 0.0 ? std::fabs(v) * scale : std::ldexp(std::fabs(v), -e);
        if (a < std::numeric_limits<double>::min()) a = up(a);
        s = uadd(s, umul(a, a));
    }
    return umul(up(std::sqrt(s)), std::ldexp(1.0, e));  // √ correctly rounded: one ulp up bounds it
}

void ErrorChain::stage(double t, double eps, double eta) {
    const double te = umul(t, eps);
    rel = uadd(umul(t, rel), umul(te, a));
    abs = uadd(uadd(umul(t, abs), umul(te, b)), eta);
    const double g = umul(t, uadd(1.0, eps));
    a = umul(g, a);
    b = uadd(umul(g, b), eta);
    peak = std::max(peak, a);
}

namespace {

DoubleErrorBound compose_one(const DoubleErrorBound& o, const DoubleErrorBound& i) {
    DoubleErrorBound r;
    r.norm = umul(o.norm, i.norm);
    r.rel = uadd(umul(o.rel, uadd(i.norm, i.rel)), umul(o.norm, i.rel));
    r.abs = uadd(uadd(umul(o.rel, i.abs), o.abs), umul(o.norm, i.abs));
    r.growth = std::max(i.growth, umul(o.growth, std::max(uadd(i.norm, i.rel), uadd(1.0, i.abs))));
    return r;
}

}  // namespace

DoubleErrorBound compose_bounds(const DoubleErrorBound& outer, const DoubleErrorBound& inner) {
    if (!outer.claims() || !inner.claims()) return {};
    const DoubleErrorBound a = compose_one(outer, inner), b = compose_one(inner, outer);
    return {a.norm, std::max(a.rel, b.rel), std::max(a.abs, b.abs), std::max(a.growth, b.growth)};
}

}  // namespace rigornet
