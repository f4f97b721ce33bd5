#include "rigornet/network/midrad_eval.hpp"

#include "rigornet/network/evaluate.hpp"

namespace rigornet {

std::optional<std::vector<Ball>> evaluate_midrad_balls(const Network& net, const std::vector<Rational>& y,
                                                       long accuracy_bits, long prec,
                                                       std::vector<LayerSummary>* summary) {
    const std::vector<MidRad> z = evaluate_rational(net, MidRadArith{}, y, summary);
    std::vector<Ball> out;
    out.reserve(z.size());
    for (const MidRad& v : z) {
        out.push_back(to_ball(v, prec));
        const Ball& b = out.back();
        if (!arb_is_finite(b.get()) || mag_cmp_2exp_si(arb_radref(b.get()), -accuracy_bits) >= 0) return std::nullopt;
    }
    return out;
}

}  // namespace rigornet
