// make bench: the cost of soundness in verify's bound propagation. The same symbolic
// pass (sound_bounds.hpp; forward unit bounds, then with back-substituted unit bounds)
// over ACAS Xu-sized boxes, in binary64 with every operation rounded outward (interval
// coefficients, FE_UPWARD guard) vs in plain round-to-nearest binary64 (no guarantee),
// in one run. (The exact rational pass is not
// timed here: on this network its chord slopes u/(u−l) make the rationals grow layer by
// layer, beyond minutes per box.)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rigornet/io/nnet_format.hpp"
#include "rigornet/verify/sound_bounds.hpp"

using namespace rigornet;

int main() {
    const char* root = std::getenv("RIGORNET_ROOT");
    const std::string net = std::string(root ? root : ".") + "/tests/data/nnet/acasxu_test.nnet";
    const ReluChain c = extract_relu_chain(read_nnet(net, NumberReading::decimal));
    // the box of ACAS Xu property 3 in raw coordinates, and "Y_0 ≤ Y_i" constraints
    VnnlibProperty p;
    p.lower = {Rational(1500), Rational(-6, 100), parse_rational("3.1"), Rational(980), Rational(960)};
    p.upper = {Rational(1800), Rational(6, 100), parse_rational("3.14"), Rational(1200), Rational(1200)};
    p.unsafe.emplace_back();
    for (std::size_t i = 1; i < 5; ++i) {
        std::vector<Rational> ay(5);
        ay[0] = Rational(1);
        ay[i] = Rational(-1);
        p.unsafe[0].push_back(LinearConstraint{std::vector<Rational>(5), ay, Rational()});
    }
    const OutwardChain oc(c, p);
    std::vector<double> lo, hi;
    for (std::size_t i = 0; i < 5; ++i) {
        lo.push_back(p.lower[i].to_double(Round::down));
        hi.push_back(p.upper[i].to_double(Round::up));
    }
    const int reps = 2000;
    double sink = 0;
    // sub-boxes: the first input cut into reps slices, so every pass sees a new box
    auto run = [&](auto pass) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int k = 0; k < reps; ++k) {
            std::vector<double> a = lo, b = hi;
            const double w = (hi[0] - lo[0]) / reps;
            a[0] = lo[0] + w * k;
            b[0] = a[0] + w;
            sink += pass(a, b).bound[0][0];
        }
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    std::printf("verify bounds, ACAS Xu 5-50x6-5 (%s), %d boxes:\n", net.c_str(), reps);
    for (NeuronBounds nb : {NeuronBounds::forward, NeuronBounds::back_substituted}) {
        const double t_near = run([&](auto& a, auto& b) { return symbolic_bounds_nearest(oc, a, b, {}, {}, nb); });
        const double t_out = run([&](auto& a, auto& b) { return symbolic_bounds_outward(oc, a, b, {}, {}, nb); });
        // unstable hidden units on the whole box: what the back-substitution buys
        const SymbolicBounds<double> whole = symbolic_bounds_outward(oc, lo, hi, {}, {}, nb);
        int unstable = 0;
        for (std::size_t r = 0; r < whole.lower.size(); ++r)
            for (std::size_t k = 0; k < whole.lower[r].size(); ++k)
                unstable += !c.cap(r, k) && whole.lower[r][k] < 0 && whole.upper[r][k] > 0;
        std::printf("  %s unit bounds (%d unstable units on the whole box):\n",
                    nb == NeuronBounds::forward ? "forward" : "back-substituted", unstable);
        std::printf("    plain binary64 (no guarantee): %.3f ms/box\n", 1e3 * t_near / reps);
        std::printf("    outward-rounded binary64:      %.3f ms/box  ratio %.2f\n", 1e3 * t_out / reps, t_out / t_near);
    }
    std::printf("(checksum %g)\n", sink);
}
