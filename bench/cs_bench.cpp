// make bench: compressed-sensing networks. Double reconstruction cost and its N log N
// scaling, ball ÷ double for the same FIRENET, exact evaluation with bit growth.
// All ratios are measured in this process against a double baseline.
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "rigornet/cs/cs_problem.hpp"
#include "rigornet/cs/cs_report.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/imaging/image.hpp"

using namespace rigornet;

namespace {

double seconds(const std::function<void()>& f) {
    auto t = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

struct Case {
    CsSetup setup;
    std::vector<double> x, y;
    std::vector<Rational> yq;
};

Case make_case(std::size_t n, Modality m, double rate) {
    const Shape shape({n, n});
    const int levels = std::countr_zero(n);
    Image ph = shepp_logan(n);
    const auto s = image_sparsities(shape, levels, ph.pixels);
    CsSetup st = make_setup(shape, m, levels, sample_pattern(shape, m, s, rate, 1), s, true, Rational(1, 1 << 20));
    std::vector<double> y(st.measure->rows());
    st.measure->apply(DoubleArith{}, ph.pixels, y);
    std::vector<Rational> yq;
    for (double v : y) yq.push_back(Rational::from_double(v));
    return {std::move(st), ph.pixels, y, yq};
}

SolverParams params(int restarts, int inner, const std::vector<double>& y) {
    SolverParams p;
    p.restarts = restarts;
    p.inner = inner;
    p.lambda = Rational(1, 1000);
    double ny = 0;
    for (double v : y) ny += v * v;
    p.eps0 = Rational::from_double(std::sqrt(ny));
    return p;
}

double rel_error(const std::vector<double>& a, const std::vector<double>& x) {
    double e = 0, nx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        e += (a[i] - x[i]) * (a[i] - x[i]);
        nx += x[i] * x[i];
    }
    return std::sqrt(e / nx);
}

}  // namespace

int main() {
    double base = 0;
    for (std::size_t n : {64, 128, 256, 512}) {
        Case c = make_case(n, Modality::fourier, 0.2);
        Network net = build_unrolled(c.setup.problem, params(1, 5, c.y));
        if (base == 0) {
            std::printf("Double FIRENET on the phantom, Fourier 20 %%, one restart of 5 steps (%zu layers):\n",
                        net.layers().size());
            std::printf("%6s %12s %14s %22s\n", "N", "time/eval", "time/layer", "per layer / (N log2 N)");
        }
        evaluate(net, DoubleArith{}, std::span<const double>(c.y));  // warm-up (FFTW plans)
        const double t = seconds([&] { evaluate(net, DoubleArith{}, std::span<const double>(c.y)); });
        const double N = static_cast<double>(n * n), per = t / static_cast<double>(net.layers().size()) / (N * std::log2(N));
        if (base == 0) base = per;
        std::printf("%6zu %10.3f s %12.3f ms %20.2fx (vs N=64)\n", n * n, t, 1e3 * t / net.layers().size(), per / base);
    }
    {
        Case c = make_case(256, Modality::fourier, 0.2);
        Network net = build_unrolled(c.setup.problem, params(5, 20, c.y));
        std::vector<double> out;
        const double t = seconds([&] { out = evaluate(net, DoubleArith{}, std::span<const double>(c.y)); });
        std::printf("full FIRENET (n = 5, p = 20, %zu layers) on 256x256: %.2f s, %.3f ms/layer, relative error %.4f\n",
                    net.layers().size(), t, 1e3 * t / net.layers().size(), rel_error(out, c.x));
    }

    std::printf("\nBall / double for the same FIRENET (32x32 Walsh, 50 %%):\n");
    std::printf("%-34s %10s %12s %10s\n", "network", "bits", "ball time", "/ double");
    for (auto [restarts, inner] : {std::pair{1, 2}, std::pair{5, 20}}) {
        Case c = make_case(32, Modality::walsh, 0.5);
        Network net = build_unrolled(c.setup.problem, params(restarts, inner, c.y));
        const double td = seconds([&] { evaluate(net, DoubleArith{}, std::span<const double>(c.y)); });
        // the smallest precision (doubling from 64) at which every output radius is < 2^−30,
        // then one evaluation at that precision timed
        const long bits = evaluate_ball_adaptive(net, c.yq, 64, 65536, 30).bits;
        const double tb = seconds([&] { evaluate_rational(net, BallArith{bits, false}, c.yq); });
        char name[64];
        std::snprintf(name, sizeof name, "n=%d p=%d (%zu layers)", restarts, inner, net.layers().size());
        std::printf("%-34s %10ld %10.3f s %9.1fx\n", name, bits, tb, tb / td);
        const double t128 = seconds([&] { evaluate_rational(net, BallArith{128, false}, c.yq); });
        std::printf("%-34s %10d %10.3f s %9.1fx   (per-operation overhead only; radii may be infinite)\n", "  same at fixed precision", 128,
                    t128, t128 / td);
    }

    std::printf("\nExact evaluation (Walsh 50 %%, FIRENET n = 2, p = 5), bits of the state after every 3rd affine layer:\n");
    for (std::size_t n : {32, 64}) {
        Case c = make_case(n, Modality::walsh, 0.5);
        Network net = build_unrolled(c.setup.problem, params(2, 5, c.y));
        const double td = seconds([&] { evaluate(net, DoubleArith{}, std::span<const double>(c.y)); });
        std::vector<LayerSummary> s;
        const double te = seconds([&] { evaluate_rational(net, ExactArith{}, c.yq, &s); });
        std::printf("  %zux%zu: %zu layers, exact %.2f s = %.0fx double; max bits:", n, n, net.layers().size(), te, te / td);
        for (std::size_t l = 6; l < s.size(); l += 18) std::printf(" %ld", s[l].max_bits);
        std::printf(" (final %ld)\n", s.back().max_bits);
    }
    return 0;
}
