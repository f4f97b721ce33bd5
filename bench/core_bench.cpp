// make bench: evaluation cost of the number systems, as ratios against double measured
// in the same process; sqrt_θ against MPFR's square root at equal bits; and the tracked
// double's and the midpoint–radius double's proved error bounds ÷ the true error on ACAS Xu.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>

#include <mpfr.h>

#include "rigornet/io/nnet_format.hpp"
#include "rigornet/network/evaluate.hpp"

using namespace rigornet;

namespace {

// Seconds per call: repeats f until at least `budget` seconds have passed.
double per_call(const std::function<void()>& f, double budget = 0.3) {
    using clock = std::chrono::steady_clock;
    f();  // warm up (and fill weight caches)
    long n = 0;
    auto start = clock::now();
    double elapsed = 0;
    do {
        f();
        ++n;
        elapsed = std::chrono::duration<double>(clock::now() - start).count();
    } while (elapsed < budget);
    return elapsed / static_cast<double>(n);
}

// Weights k/1000 with k ~ N(0, 1000/√width): "decimal" weights as a file would give them.
Network random_relu(std::mt19937_64& g, std::size_t width, int depth) {
    std::normal_distribution<double> nd(0.0, 1000.0 / std::sqrt(static_cast<double>(width)));
    Network net(width);
    for (int d = 0; d < depth; ++d) {
        std::vector<Rational> w, c;
        for (std::size_t i = 0; i < width * width; ++i) w.push_back(Rational(std::lround(nd(g)), 1000));
        for (std::size_t i = 0; i < width; ++i) c.push_back(Rational(std::lround(nd(g)) / 10, 1000));
        net.add_affine(std::make_shared<DenseMatrix>(width, width, std::move(w)), nullptr, std::move(c));
        if (d + 1 < depth) net.add_elementwise(Scalar::relu);
    }
    return net;
}

}  // namespace

int main() {
    std::mt19937_64 g(2026);
    const std::size_t width = 64;
    const int depth = 8;
    Network net = random_relu(g, width, depth);
    std::vector<Rational> y;
    for (std::size_t i = 0; i < width; ++i) y.push_back(Rational(static_cast<long>(g() % 2001) - 1000, 1000));
    std::vector<double> yd;
    for (auto& r : y) yd.push_back(r.to_double(Round::nearest));

    std::vector<LayerSummary> bits;
    evaluate_rational(net, ExactArith{}, y, &bits);
    const double t_double = per_call([&] { evaluate(net, DoubleArith{}, std::span<const double>(yd)); });
    const double t_tracked = per_call([&] { evaluate_rational(net, TrackedDoubleArith{}, y); });
    const double t_midrad = per_call([&] { evaluate_rational(net, MidRadArith{}, y); });
    const double t_ball = per_call([&] { evaluate_rational(net, BallArith{128, false}, y); });
    const double t_exact = per_call([&] { evaluate_rational(net, ExactArith{}, y); });
    std::printf("ReLU network %d layers x %zu, weights k/1000 (output bits: %ld)\n", depth, width, bits.back().max_bits);
    std::printf("  %-28s %12s %10s\n", "arithmetic", "time/eval", "/ double");
    auto row = [&](const char* name, double t) { std::printf("  %-28s %10.1f us %9.1fx\n", name, t * 1e6, t / t_double); };
    row("double", t_double);
    row("double + proved error bound", t_tracked);
    row("midpoint-radius (midrad)", t_midrad);
    row("ball, 128 bits", t_ball);
    row("exact rationals", t_exact);
    std::printf("  midrad / tracked double: %.2fx\n", t_midrad / t_tracked);

    std::printf("\nsqrt_theta (exact, k bits) vs MPFR sqrt at k bits, x = random 64-bit p/q\n");
    std::printf("  %8s %14s %14s %10s\n", "k", "sqrt_theta", "mpfr_sqrt", "ratio");
    Rational x(static_cast<long>(g() >> 2), static_cast<long>(g() >> 2) | 1);
    for (long k : {64L, 256L, 1024L, 4096L, 16384L}) {
        const double ts = per_call([&] { sqrt_theta_bits(x, k); }, 0.2);
        mpfr_t m, r;
        mpfr_init2(m, k);
        mpfr_init2(r, k);
        mpq_t q;
        mpq_init(q);
        fmpq_get_mpq(q, x.get());
        const double tmp = per_call([&] {
            mpfr_set_q(m, q, MPFR_RNDN);  // same input conversion work as sqrt_theta does
            mpfr_sqrt(r, m, MPFR_RNDN);
        }, 0.2);
        mpq_clear(q);
        mpfr_clear(m);
        mpfr_clear(r);
        std::printf("  %8ld %11.2f us %11.2f us %9.2fx\n", k, ts * 1e6, tmp * 1e6, ts / tmp);
    }

    // Tracked bound ÷ true error: the network read as deployed (binary64 weights), inputs
    // uniform in the file's input box; true error |v − exact| from ExactArith, exactly.
    const char* root = std::getenv("RIGORNET_ROOT");
    const std::string acas = std::string(root ? root : ".") + "/tests/data/nnet/acasxu_test.nnet";
    std::ifstream in(acas);
    const NNetFile file = parse_nnet(std::string(std::istreambuf_iterator<char>(in), {}), acas, NumberReading::binary64);
    const Network an = nnet_to_network(file, acas);
    std::vector<double> ratios, mr_ratios;
    int exact_hits = 0;
    const int points = 20;
    double t_tr = 0, t_ex = 0, t_mr = 0;
    for (int k = 0; k < points; ++k) {
        std::vector<Rational> x;
        for (std::size_t i = 0; i < file.input_min.size(); ++i)
            x.push_back(Rational::from_double(std::uniform_real_distribution<double>(
                file.input_min[i].to_double(Round::up), file.input_max[i].to_double(Round::down))(g)));
        std::vector<TrackedDouble> tv;
        std::vector<MidRad> mv;
        std::vector<Rational> ev;
        t_tr += per_call([&] { tv = evaluate_rational(an, TrackedDoubleArith{}, x); }, 0.01);
        t_ex += per_call([&] { ev = evaluate_rational(an, ExactArith{}, x); }, 0.01);
        t_mr += per_call([&] { mv = evaluate_rational(an, MidRadArith{}, x); }, 0.01);
        for (std::size_t j = 0; j < ev.size(); ++j) {
            const Rational err = (Rational::from_double(tv[j].v) - ev[j]).abs();
            if (err.is_zero()) {
                ++exact_hits;
                continue;
            }
            ratios.push_back((Rational::from_double(tv[j].err) / err).to_double(Round::down));
            // mv[j].mid is the same double (MidRadArith's mid is DoubleArith's value)
            mr_ratios.push_back((Rational::from_double(double_error_bound(mv[j])) / err).to_double(Round::down));
        }
    }
    std::sort(ratios.begin(), ratios.end());
    std::sort(mr_ratios.begin(), mr_ratios.end());
    std::printf("\nACAS Xu 5-50x6-5 (%s, binary64 weights), %d random inputs x 5 outputs:\n", acas.c_str(), points);
    std::printf("  tracked bound / true error |double - exact|: median %.3g, max %.3g, min %.3g (%zu outputs; %d exact)\n",
                ratios.empty() ? 0.0 : ratios[ratios.size() / 2], ratios.empty() ? 0.0 : ratios.back(),
                ratios.empty() ? 0.0 : ratios.front(), ratios.size(), exact_hits);
    std::printf("  midrad bound |lo| + rad / true error:          median %.3g, max %.3g, min %.3g\n",
                mr_ratios.empty() ? 0.0 : mr_ratios[mr_ratios.size() / 2], mr_ratios.empty() ? 0.0 : mr_ratios.back(),
                mr_ratios.empty() ? 0.0 : mr_ratios.front());
    std::printf("  time/eval: tracked %.1f us, midrad %.1f us, exact %.1f us, exact / tracked %.1fx\n",
                1e6 * t_tr / points, 1e6 * t_mr / points, 1e6 * t_ex / points, t_ex / t_tr);
    return 0;
}
