// make bench: compressed-sensing networks. Double reconstruction cost and its N log N
// scaling; build ÷ evaluation time and evaluation ÷ the time of its transforms alone (the
// FFT-count floor); ball ÷ double for FIRENET; exact evaluation with bit growth.
// All ratios are measured in this process against a double baseline.
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "rigornet/cs/cs_problem.hpp"
#include "rigornet/cs/cs_report.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/cs/primal_dual_l2.hpp"
#include "rigornet/network/evaluate_l2.hpp"
#include "rigornet/number/midrad.hpp"
#include "rigornet/imaging/image.hpp"
#include "rigornet/linalg/operator.hpp"

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

// Bench-only instrumentation: forwards to op and counts applications and adjoints, so
// the structured transforms one evaluation applies are counted, not estimated. A
// transparent wrapper, not a new operator type: it derives from LinearOperator (op checks
// the sizes) and is visited as op (accept forwards), so it needs no entry in
// RIGORNET_FOR_EACH_OPERATOR.
class Counted final : public LinearOperator {
public:
    explicit Counted(OperatorPtr op) : op_(std::move(op)) {}
    std::size_t rows() const override { return op_->rows(); }
    std::size_t cols() const override { return op_->cols(); }
    std::string kind() const override { return op_->kind(); }
    long max_entry_bits() const override { return op_->max_entry_bits(); }
    std::size_t stored_entries() const override { return op_->stored_entries(); }
#define RIGORNET_COUNTED(ARITH)                                                                   \
    void apply(const ARITH& ar, std::span<const ARITH::value_type> x, std::span<ARITH::value_type> y) \
        const override {                                                                          \
        ++applies;                                                                                \
        op_->apply(ar, x, y);                                                                     \
    }                                                                                             \
    void adjoint(const ARITH& ar, std::span<const ARITH::value_type> y, std::span<ARITH::value_type> x) \
        const override {                                                                          \
        ++adjoints;                                                                               \
        op_->adjoint(ar, y, x);                                                                   \
    }
    RIGORNET_FOR_EACH_ARITH(RIGORNET_COUNTED)
#undef RIGORNET_COUNTED
    void accept(OperatorVisitor& v) const override { op_->accept(v); }
    mutable std::atomic<long> applies{0}, adjoints{0};

private:
    OperatorPtr op_;
};

// Build ÷ evaluation and evaluation ÷ FFT floor for FIRENET (restarts × inner) at side n.
// The floor: the same numbers of sampled-DFT and Haar applications and adjoints, timed
// alone on the library's operators (FFTW for the DFT), as counted in one evaluation.
void build_and_floor(std::size_t n, int restarts, int inner) {
    Case c = make_case(n, Modality::fourier, 0.25);
    SolverParams p = params(restarts, inner, c.y);
    p.lambda = SolverParams{}.lambda;  // reconstruct's Fourier default, 0.00025
    const auto t0 = std::chrono::steady_clock::now();
    const Network net = build_unrolled(c.setup.problem, p);
    const double tbuild = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    evaluate(net, DoubleArith{}, std::span<const double>(c.y));  // warm-up (FFTW plans)
    const double teval = seconds([&] { evaluate(net, DoubleArith{}, std::span<const double>(c.y)); });

    // A = P_Ω F ∘ W⁻¹ (cs_problem.hpp): count each factor; the synthesis is W⁻¹ itself
    const auto& f = dynamic_cast<const Composition&>(*c.setup.problem.A).factors();
    auto dft = std::make_shared<Counted>(f[0]);
    auto haar = std::make_shared<Counted>(c.setup.haar);
    CsProblem counted = c.setup.problem;
    auto synthesis = std::make_shared<AdjointView>(haar);
    counted.A = std::make_shared<Composition>(std::vector<OperatorPtr>{dft, synthesis});
    counted.synthesis = synthesis;
    evaluate(build_unrolled(counted, p), DoubleArith{}, std::span<const double>(c.y));

    const OperatorPtr& F = f[0];
    std::vector<double> sig(F->cols(), 0.5), meas(F->rows(), 0.5), coef(c.setup.haar->rows(), 0.5);
    const double tfloor = seconds([&] {
        for (long k = 0; k < dft->applies; ++k) F->apply(DoubleArith{}, sig, meas);
        for (long k = 0; k < dft->adjoints; ++k) F->adjoint(DoubleArith{}, meas, sig);
        for (long k = 0; k < haar->applies; ++k) c.setup.haar->apply(DoubleArith{}, sig, coef);
        for (long k = 0; k < haar->adjoints; ++k) c.setup.haar->adjoint(DoubleArith{}, coef, sig);
    });
    std::printf("%4zu^2 %6zu %9.4f s %9.3f s %8.3fx   %4ld+%-4ld %4ld+%-4ld %9.3f s %8.2fx\n", n, net.layers().size(),
                tbuild, teval, tbuild / teval, dft->applies.load(), dft->adjoints.load(), haar->applies.load(),
                haar->adjoints.load(), tfloor, teval / tfloor);
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

    std::printf("\nFIRENET, Fourier 25 %%, 16 restarts x 5 steps: build / double evaluation (one run each, after a\n"
                "warm-up evaluation), and evaluation / FFT floor (the counted DFT F, F^T and Haar W, W^T\n"
                "applications of one evaluation, timed alone):\n");
    std::printf("%6s %6s %11s %11s %9s   %-9s %-9s %11s %9s\n", "N", "layers", "build", "eval", "b/e", "F+F^T",
                "W+W^T", "floor", "e/floor");
    for (std::size_t n : {128, 256, 512}) build_and_floor(n, 16, 5);

    std::printf("\nBall (Arb) / double, FIRENET Fourier 25 %%, n = 5, p = 20 (606 layers); adaptive: reconstruct's\n"
                "precision loop (initial_ball_bits, doubling until every output radius < 2^-30), all attempts timed:\n");
    std::printf("%6s %10s %10s %10s %9s %12s\n", "N", "double", "bits", "ball", "/ double", "max radius");
    for (std::size_t n : {64, 256}) {
        Case c = make_case(n, Modality::fourier, 0.25);
        SolverParams p = params(5, 20, c.y);
        p.lambda = SolverParams{}.lambda;
        const Network net = build_unrolled(c.setup.problem, p);
        evaluate(net, DoubleArith{}, std::span<const double>(c.y));  // warm-up (FFTW plans)
        const double td = seconds([&] { evaluate(net, DoubleArith{}, std::span<const double>(c.y)); });
        std::vector<Ball> out;
        const double tb = seconds([&] { out = evaluate_rational(net, BallArith{128, false}, c.yq); });
        std::printf("%4zu^2 %8.4f s %10d %8.3f s %8.0fx %12.3g\n", n, td, 128, tb, tb / td,
                    BallArith{}.summarise(out).max_radius);
        if (n > 64) continue;  // the adaptive loop at 256^2 would exceed the bench's time budget
        AdaptiveBalls ab;
        const double ta = seconds([&] { ab = evaluate_ball_adaptive(net, c.yq, initial_ball_bits(net, n * n), 65536, 30); });
        std::printf("%4zu^2 %8.4f s %10ld %8.3f s %8.0fx %12.3g  (adaptive, started at %ld bits)\n", n, td, ab.bits, ta,
                    ta / td, BallArith{}.summarise(ab.out).max_radius, initial_ball_bits(net, n * n));
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

    std::printf("\nCertified double evaluation / double, FIRENET Walsh 25 %%, n = 5, p = 20 (606 layers), one run\n"
                "each after a warm-up: the l2 radius through the primal-dual metric (evaluate_primal_dual_l2,\n"
                "reconstruct's --arith ball) and layer by layer (evaluate_l2, with the layer where it first\n"
                "exceeds 2^-30), and midpoint-radius doubles (componentwise; the largest radius):\n");
    std::printf("%6s %9s %9s %8s %10s %10s %9s %8s %10s %9s %8s %10s\n", "N", "double", "pd-l2", "/double", "radius",
                "|output|", "layers", "/double", ">2^-30 at", "midrad", "/double", "radius");
    for (std::size_t n : {64, 256}) {
        Case c = make_case(n, Modality::walsh, 0.25);
        const SolverParams sp = params(5, 20, c.y);
        const Network net = build_unrolled(c.setup.problem, sp);
        const PrimalDualLayout layout = *primal_dual_layout(c.setup.problem, sp);
        evaluate(net, DoubleArith{}, std::span<const double>(c.y));  // warm-up
        const double td = seconds([&] { evaluate(net, DoubleArith{}, std::span<const double>(c.y)); });
        L2Evaluation pd, r;
        const double tp = seconds([&] { pd = evaluate_primal_dual_l2(net, layout, c.yq); });
        const double tl = seconds([&] { r = evaluate_l2(net, c.yq); });
        std::vector<MidRad> mr;
        const double tm = seconds([&] { mr = evaluate_rational(net, MidRadArith{}, c.yq); });
        double mr_max = 0;
        for (const MidRad& v : mr) mr_max = std::max(mr_max, double_error_bound(v));
        std::size_t first = 0;
        for (std::size_t k = 0; k < r.radii.size() && !first; ++k)
            if (!(r.radii[k] < 0x1p-30)) first = k;
        std::printf("%4zu^2 %7.4f s %7.4f s %7.2fx %10.3g %10.4g %7.4f s %7.2fx %10zu %7.4f s %7.2fx %10.3g\n", n, td,
                    tp, tp / td, pd.radius, norm2_upper(pd.mid), tl, tl / td, first, tm, tm / td, mr_max);
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
