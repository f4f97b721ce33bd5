// make bench: the cost of soundness in verify's bound propagation. The same symbolic
// pass (sound_bounds.hpp; forward unit bounds, then with back-substituted unit bounds)
// over ACAS Xu-sized boxes, in binary64 with every operation rounded outward (interval
// coefficients, FE_UPWARD guard) vs in plain round-to-nearest binary64 (no guarantee),
// in one run; then the same on MNIST 784-256-256-10, where ReLU splitting bounds nodes
// without forward functions (NeuronBounds::backward). (The exact rational pass is not
// timed here: on this network its chord slopes u/(u−l) make the rationals grow layer by
// layer, beyond minutes per box.)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rigornet/io/nnet_format.hpp"
#include "rigornet/io/onnx_format.hpp"
#include "rigornet/verify/sound_bounds.hpp"

using namespace rigornet;

// MNIST 256×2 (tests/data/onnx): boxes of radius 0.03 around pseudo-random images
// (within [0, 1]), unsafe "Y_0 ≤ Y_j" for j = 1…9 (one conjunction each, as mnistfc's
// robustness properties), each neuron mode in both number policies.
void mnist(const std::string& root, double& sink) {
    const ReluChain c = extract_relu_chain(read_onnx(root + "/tests/data/onnx/mnist-net_256x2.onnx"));
    VnnlibProperty p;
    p.lower.assign(c.input_dim, Rational());
    p.upper.assign(c.input_dim, Rational(1));
    for (std::size_t j = 1; j < 10; ++j) {
        std::vector<Rational> ay(10);
        ay[0] = Rational(1);
        ay[j] = Rational(-1);
        p.unsafe.push_back({LinearConstraint{std::vector<Rational>(c.input_dim), ay, Rational()}});
    }
    const OutwardChain oc(c, p);
    std::printf("verify bounds, MNIST 784-256-256-10, boxes of radius 0.03:\n");
    unsigned long state = 12345;
    for (NeuronBounds nb : {NeuronBounds::back_substituted, NeuronBounds::backward}) {
        const int boxes = nb == NeuronBounds::backward ? 40 : 4;
        double t_near = 0, t_out = 0;
        for (int k = 0; k < boxes; ++k) {
            std::vector<double> lo, hi;
            for (std::size_t i = 0; i < c.input_dim; ++i) {
                state = state * 6364136223846793005UL + 1442695040888963407UL;
                const double x = static_cast<double>(state >> 11) / 9007199254740992.0;
                lo.push_back(std::max(0.0, x - 0.03));
                hi.push_back(std::min(1.0, x + 0.03));
            }
            for (bool outward : {false, true}) {
                const auto t0 = std::chrono::steady_clock::now();
                const SymbolicBounds<double> b = outward ? symbolic_bounds_outward(oc, lo, hi, {}, {}, nb)
                                                         : symbolic_bounds_nearest(oc, lo, hi, {}, {}, nb);
                (outward ? t_out : t_near) += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                sink += b.bound[0][0];
            }
        }
        std::printf("  %s:\n", nb == NeuronBounds::backward ? "backward (no forward functions)" : "back-substituted");
        std::printf("    plain binary64 (no guarantee): %.2f ms/box\n", 1e3 * t_near / boxes);
        std::printf("    outward-rounded binary64:      %.2f ms/box  ratio %.2f\n", 1e3 * t_out / boxes, t_out / t_near);
    }
}

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
    mnist(root ? root : ".", sink);
    std::printf("(checksum %g)\n", sink);
}
