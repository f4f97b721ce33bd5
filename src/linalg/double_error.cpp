#include "rigornet/linalg/double_error.hpp"

#include <algorithm>

namespace rigornet {

using tracked_detail::uadd;
using tracked_detail::umul;
using tracked_detail::up;

double norm2_upper(std::span<const double> x) {
    // Scaled by 2^−e (|x_i|·2^−e < 2) so that the squares cannot overflow; summed in
    // round to nearest in four interleaved accumulators (any order: Higham (3.4) bounds
    // |ŝ − Σâ_i²| by γ_{n+4}Σâ_i² + nη, n squares each rounded once, at most n + 3 additions
    // on any path, and an underflowing square off by ≤ η); â_i = RN(|x_i|·2^−e) is exact
    // unless subnormal, and within η of it then, so ‖a‖ ≤ ‖â‖ + √n·η. The scale is undone
    // exactly.
    double m = 0;
    bool finite = true;
    for (double v : x) {
        const double a = std::fabs(v);
        finite = finite && a <= std::numeric_limits<double>::max();
        m = a > m ? a : m;
    }
    if (!finite) return DoubleErrorBound::inf;
    if (m == 0) return 0.0;
    const int e = std::ilogb(m);
    const bool normal_scale = std::abs(e) <= 1000;  // 2^−e a normal double: the product is ldexp's result
    const double scale = normal_scale ? std::ldexp(1.0, -e) : 0.0;
    double acc[4] = {0, 0, 0, 0};
    const std::size_t n = x.size();
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; ++k) {
            const double a = normal_scale ? x[i + k] * scale : std::ldexp(x[i + k], -e);
            acc[k] += a * a;
        }
    for (; i < n; ++i) {
        const double a = normal_scale ? x[i] * scale : std::ldexp(x[i], -e);
        acc[0] += a * a;
    }
    const double s_hat = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    const double dn = static_cast<double>(n);
    const double gamma = tracked_detail::gamma_upper(dn + 4);
    const double sum = up(uadd(s_hat, umul(dn, tracked_detail::eta)) / tracked_detail::down(1.0 - gamma));
    const double norm = uadd(up(std::sqrt(sum)), umul(up(std::sqrt(dn)), tracked_detail::eta));
    return umul(norm, std::ldexp(1.0, e));  // √ correctly rounded: one ulp up bounds it
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
