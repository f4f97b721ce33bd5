// rigornet CLI, compressed sensing: build, reconstruct, stability (DESIGN.md §5–6).
#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "rigornet/linalg/operator_norm.hpp"
#include "rigornet/cs/cs_report.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/core/resources.hpp"
#include "rigornet/imaging/image.hpp"
#include "rigornet/io/json_format.hpp"
#include "rigornet/report/plot.hpp"
#include "rigornet/cs/measurement_noise.hpp"
#include "rigornet/analysis/local_lipschitz.hpp"
#include "rigornet/analysis/stability.hpp"
#include "rigornet/analysis/uncertainty.hpp"
#include "rigornet/cs/user_problem.hpp"

using nlohmann::json;

namespace rigornet::cli {

namespace {

// Options shared by the compressed-sensing subcommands.
struct CsOptions {
    std::string image, modality = "fourier", mask, solver = "firenet";
    std::size_t phantom = 0;
    double rate = 0.2;
    std::uint64_t seed = 1;
    int levels = 0, restarts = 5, inner = 20;
    long fourier_accuracy = 0;
    std::string lambda, tau, sigma, nu = "0.3678794412", delta = "1e-9", eps0, theta = "1e-12",
                mu = "1e-3", noise = "1e-9";
    bool unweighted = false, as_json = false, complex = false;
    // per subcommand
    std::string output, measurements, arith = "double", solvers = "firenet,fista,cp-bp", plot;
    std::string matrix, x0, reference;  // a user problem given as files
    std::string history;                // CSV file of the per-restart / per-iteration history
    std::string noise_level = "0";      // relative l2 level of seeded measurement noise
    std::uint64_t noise_seed = 1;
    bool error_terms = false, verbose = false, nesterov = false;
    std::string objective = "truth";    // stability: ascent against x (truth) or φ(y) (reconstruction)
    double radius = 0.0, step = 0.5;
    int iterations = 60;
    std::size_t size = 32;
    // uncertainty
    double noise_sigma = 0, max_seconds = 600;
    std::size_t samples = 100;
    std::uint64_t mc_seed = 0;
};

// Limits on the counts, checked before any work: beyond them the network (3 layers per
// primal-dual iteration, each holding its blocks) or the phantom would not fit in memory
// or time, and CLI11's own reading of integers (strtoull/strtoll: a sign wraps unsigned
// values, overflow saturates) would let wrapped values through.
constexpr std::uint64_t max_side = 4096, max_restarts = 10000, max_inner = 100000, max_iterations = 100000,
                        max_total_iterations = 100000, max_fourier_accuracy = 10000;

// The value must be a decimal integer in [lo, hi] (read by std::from_chars: no sign, no
// hexadecimal or octal, no wrap-around); CLI11 reports a refusal as "--flag: message"
// and exits with code 3.
CLI::Validator decimal_in(std::uint64_t lo, std::uint64_t hi) {
    return CLI::Validator(
        [lo, hi](std::string& v) -> std::string {
            std::uint64_t x = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
            if (ec != std::errc() || p != v.data() + v.size() || x < lo || x > hi)
                return "expected a decimal integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " + v;
            return {};
        },
        "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

// The value must be a finite real number in (0, hi] (nan, inf, zero and negative values
// are refused with exit code 3).
CLI::Validator positive_finite(double hi = std::numeric_limits<double>::infinity()) {
    const std::string range = std::isinf(hi) ? "a finite positive number" : "a finite number in (0, " + shortest(hi) + "]";
    return CLI::Validator(
        [hi, range](std::string& v) -> std::string {
            double x = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
            if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(x) || !(x > 0) || x > hi)
                return "expected " + range + ", got " + v;
            return {};
        },
        "FLOAT");
}

void add_problem_options(CLI::App* sub, CsOptions& o, bool image_required, bool measurements_input = true) {
    auto* img = sub->add_option("--image", o.image, "Image file (PGM or PNG), square with a power-of-two side");
    auto* ph = sub->add_option("--phantom", o.phantom, "Use the built-in Shepp-Logan phantom of side N (a power of two)")
                   ->check(decimal_in(2, max_side));
    img->excludes(ph);
    auto* mat = sub->add_option("--matrix", o.matrix,
                                "A user problem y = Az: the matrix A as Matrix Market (.mtx) or exact JSON (docs/formats.md, "
                                "'Problem files'); real or complex. ||A||_2 is bounded by proof (norm_upper), no sparsifying "
                                "transform (the unknowns are z), unit weights; needs --measurements");
    mat->excludes(img)->excludes(ph);
    if (measurements_input)
        sub->add_option("--measurements", o.measurements,
                        "With --matrix: the measurement vector y (.mtx, JSON array or {\"re\", \"im\"}, or text with "
                        "commas/whitespace), exact rationals");
    sub->add_option("--x0", o.x0, "With --matrix: warm start z_0 of firenet/pd (a vector file like --measurements)");
    sub->add_option("--noise-level", o.noise_level,
                    "Add seeded Gaussian noise e to the measurements with ||e|| = LEVEL*||y|| (exact rational, e.g. 0.01)")
        ->capture_default_str();
    sub->add_option("--noise-seed", o.noise_seed, "Seed of the measurement noise (64 bits)")
        ->check(decimal_in(0, UINT64_MAX))
        ->capture_default_str();
    if (image_required) sub->callback([img, ph, mat] {
        if (img->count() + ph->count() + mat->count() == 0)
            throw CLI::ValidationError("--image, --phantom or --matrix", "one of them is required");
    });
    auto* modality = sub->add_option("--modality", o.modality, "fourier (subsampled DFT) or walsh (sequency-ordered Walsh-Hadamard)")
        ->check(CLI::IsMember({"fourier", "walsh"}))
        ->capture_default_str();
    auto* rate = sub->add_option("--rate", o.rate, "Sampling rate in (0, 1]: multilevel random sampling in dyadic bands")
                     ->check(positive_finite(1))
                     ->capture_default_str();
    sub->add_option("--seed", o.seed, "Seed of the random sampling pattern (64 bits)")
        ->check(decimal_in(0, UINT64_MAX))
        ->capture_default_str();
    auto* mask = sub->add_option("--mask", o.mask,
                                 "Sampling pattern as a PGM/PNG image: pixel (column i, row j) nonzero samples index j*n+i of the "
                                 "DFT (unshifted) or sequency-ordered Walsh grid")
                     ->excludes(rate);
    auto* levels = sub->add_option("--levels", o.levels, "Haar wavelet levels (default: log2 of the side)")->check(decimal_in(1, 24));
    auto* accuracy = sub->add_option("--fourier-accuracy", o.fourier_accuracy,
                                     "Fourier: use the rational A_n with a proved ||A_n - A|| <= 2^-n (needed for --arith exact)")
                         ->check(decimal_in(0, max_fourier_accuracy));
    auto* unweighted = sub->add_flag("--unweighted", o.unweighted, "Plain l1 norm instead of the level weights sqrt(s/s_j)");
    auto* complex = sub->add_flag("--complex", o.complex,
                                  "Complex unknowns (Re | Im; complex soft thresholds by sqrt_theta gates); outputs 2N values, PNG shows |x|");
    // the image problem's options say nothing about a user's matrix (complex-ness comes from its file)
    for (auto* opt : {modality, rate, mask, levels, accuracy, unweighted, complex}) mat->excludes(opt);
}

// steps = false leaves out --tau and --sigma (the steps follow L_A): uncertainty's
// --sigma is the noise level.
void add_solver_options(CLI::App* sub, CsOptions& o, bool steps = true) {
    sub->add_option("--restarts", o.restarts, "FIRENET restarts n (depth is linear in n)")
        ->check(decimal_in(1, max_restarts))
        ->capture_default_str();
    sub->add_option("--inner", o.inner, "Iterations per restart p (FIRENET), or iterations of the other solvers")
        ->check(decimal_in(1, max_inner))
        ->capture_default_str();
    sub->add_option("--lambda", o.lambda,
                    "Regularisation lambda (exact rational); default 0.00025 for fourier (the reference FIRENET value) and "
                    "1/250 for walsh (with 0.00025 FIRENET stalls on Walsh problems: 0.46 against 0.33 relative error on the "
                    "64x64 phantom at 30 %)");
    if (steps) {
        sub->add_option("--tau", o.tau,
                        "Primal step tau (default: 1/L_A, or 1/L_A^2 for ista/fista; L_A the proved bound on ||A||)");
        sub->add_option("--sigma", o.sigma, "Dual step sigma, tau*sigma*L_A^2 <= 1 (default: 1/L_A)");
    }
    sub->add_option("--nu", o.nu, "FIRENET contraction nu in (0,1) (default ~ e^-1)")->capture_default_str();
    sub->add_option("--delta", o.delta, "FIRENET delta")->capture_default_str();
    sub->add_option("--eps0", o.eps0, "FIRENET eps_0, an upper bound on ||y|| (default: ||y|| of the measured image)");
    sub->add_option("--theta", o.theta, "Accuracy of sqrt_theta in the projection gates and level weights")
        ->capture_default_str();
    sub->add_option("--mu", o.mu, "NESTA smoothing mu")->capture_default_str();
    sub->add_option("--noise", o.noise, "NESTA constraint ||Az - y|| <= noise (> 0)")->capture_default_str();
}

std::size_t side_of(const Image& im, const std::string& what) {
    if (im.width != im.height || im.width < 2 || (im.width & (im.width - 1)) != 0)
        throw ShapeError(what + " is " + std::to_string(im.width) + "x" + std::to_string(im.height) +
                         ": a square image with a power-of-two side is needed");
    return im.width;
}

struct Problem {
    Image truth;
    CsSetup setup;
    SolverParams params;
};

// The solver parameters given on the command line (steps aside: they follow L_A), with
// lambda_default when --lambda is absent.
SolverParams solver_params(const CsOptions& o, const std::string& lambda_default) {
    // restarts × inner primal-dual iterations (FIRENET; stability runs the other
    // solvers for as many), 3 layers each: refused before any work
    if (static_cast<std::uint64_t>(o.restarts) * static_cast<std::uint64_t>(o.inner) > max_total_iterations)
        throw DomainError("--restarts " + std::to_string(o.restarts) + " x --inner " + std::to_string(o.inner) +
                          " iterations: at most " + std::to_string(max_total_iterations) + " in all");
    SolverParams p;
    p.solver = parse_solver(o.solver);
    p.restarts = o.restarts;
    p.inner = o.inner;
    p.lambda = parse_rational(!o.lambda.empty() ? o.lambda : lambda_default);
    p.nu = parse_rational(o.nu);
    p.delta = parse_rational(o.delta);
    p.theta = parse_rational(o.theta);
    if (p.theta.sign() <= 0) throw DomainError("--theta must be positive");
    p.mu = parse_rational(o.mu);
    p.noise = parse_rational(o.noise);
    return p;
}

// Steps not given follow the proved L >= ||A|| (> 1 for A_n or a user's matrix):
// τ = σ = 1/L for image problems, (1 - 10^-4)/L for user problems (primal_dual_step),
// τ = 1/L² for ISTA/FISTA; steps given are used as written, and for a user problem
// refused unless τσL² <= 1 (so τσ||A||² <= 1 by the proof of L).
void set_steps(SolverParams& p, const CsOptions& o, const Rational& L, bool user_problem) {
    const bool gradient = p.solver == Solver::ista || p.solver == Solver::fista;
    const Rational pd = user_problem ? primal_dual_step(L) : Rational(1) / L;
    p.tau = !o.tau.empty() ? parse_rational(o.tau) : gradient ? Rational(1) / (L * L) : pd;
    p.sigma = !o.sigma.empty() ? parse_rational(o.sigma) : pd;
    if (user_problem && !gradient && p.tau * p.sigma * L * L > Rational(1))
        throw DomainError("--tau " + p.tau.str() + " --sigma " + p.sigma.str() + ": tau*sigma*U^2 = " +
                          to_decimal(p.tau * p.sigma * L * L, 6, Round::down) + " > 1 with the proved bound U = " +
                          to_decimal(L, 10, Round::up) + " >= ||A||_2 (" + o.matrix +
                          "); the primal-dual steps need tau*sigma*||A||^2 <= 1");
}

Problem make_problem(const CsOptions& o, std::size_t default_side = 0) {
    if (!o.x0.empty()) throw DomainError("--x0 is for --matrix problems");
    Image truth;
    const bool phantom_truth = o.image.empty();
    if (!o.image.empty())
        truth = read_image(o.image);
    else if (o.phantom || default_side)
        truth = shepp_logan(o.phantom ? o.phantom : default_side);
    else
        throw ParseError("--image or --phantom is required");
    const std::size_t n = side_of(truth, o.image.empty() ? "the phantom" : o.image);
    const Shape shape({n, n});
    const int levels = o.levels ? o.levels : std::countr_zero(n);
    const Modality m = o.modality == "walsh" ? Modality::walsh : Modality::fourier;
    // sparsity in levels is estimated on the phantom, never on the image reconstructed
    const auto s = image_sparsities(shape, levels, phantom_truth ? truth.pixels : shepp_logan(n).pixels);
    std::vector<std::size_t> omega;
    if (!o.mask.empty()) {
        Image mk = read_image(o.mask);
        if (mk.width != n || mk.height != n)
            throw ShapeError(o.mask + ": the mask must be " + std::to_string(n) + "x" + std::to_string(n));
        for (std::size_t i = 0; i < n * n; ++i)
            if (mk.pixels[i] != 0.0) omega.push_back(i);
        if (omega.empty()) throw ShapeError(o.mask + ": the mask samples nothing");
    } else {
        omega = sample_pattern(shape, m, s, o.rate, o.seed);
    }
    SolverParams p = solver_params(o, o.modality == "walsh" ? "1/250" : "0.00025");
    if (o.fourier_accuracy && m != Modality::fourier) throw DomainError("--fourier-accuracy applies to --modality fourier");
    CsSetup setup = make_setup(shape, m, levels, std::move(omega), s, !o.unweighted, p.theta, o.fourier_accuracy, o.complex);
    set_steps(p, o, setup.problem.norm_A, false);
    return {std::move(truth), std::move(setup), p};
}

// The true signal, exactly: the pixels, followed by zero imaginary parts when complex.
std::vector<Rational> exact_signal(const Problem& pb) {
    std::vector<Rational> x;
    for (double v : pb.truth.pixels) x.push_back(Rational::from_double(v));
    if (pb.setup.problem.complex) x.resize(2 * x.size());
    return x;
}

// Measurements y = P_Ω U x of the exact image: exact for Walsh, otherwise the midpoints
// of a 256-bit enclosure (the rounding is part of the measurement error ‖Ax − y‖), or,
// when only a double evaluation follows, the double transform read exactly.
std::vector<Rational> measure(const CsSetup& st, const std::vector<Rational>& x, bool in_double = false) {
    std::vector<Rational> y(st.measure->rows());
    if (in_double) {
        std::vector<double> xd, yd(y.size());
        for (auto& v : x) xd.push_back(v.to_double(Round::nearest));
        st.measure->apply(DoubleArith{}, xd, yd);
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = Rational::from_double(yd[i]);
        return y;
    }
    try {
        st.measure->apply(ExactArith{}, x, y);
        return y;
    } catch (const DomainError&) {
    }
    const BallArith ar{256, false};
    std::vector<Ball> xb, yb(st.measure->rows());
    for (auto& v : x) xb.push_back(ar.from_rational(v));
    st.measure->apply(ar, xb, yb);
    for (std::size_t i = 0; i < y.size(); ++i) arf_get_fmpq(y[i].get(), arb_midref(yb[i].get()));
    return y;
}

void default_eps0(SolverParams& p, const CsOptions& o, const std::vector<Rational>& y) {
    if (!o.eps0.empty()) {
        p.eps0 = parse_rational(o.eps0);
        return;
    }
    Rational n2;
    for (auto& v : y) n2 += v * v;
    p.eps0 = parse_rational(to_decimal(sqrt_theta(n2, Rational(1, 1000000)) + Rational(1, 1000000), 6, Round::up));
}

// y + e for --noise-level (unchanged at 0); records the level and the enclosed ||e|| in j.
std::vector<Rational> with_noise(const CsOptions& o, std::vector<Rational> y, json* j) {
    const Rational level = parse_rational(o.noise_level);
    if (level.is_zero()) return y;
    NoisyMeasurements n = add_measurement_noise(y, level, o.noise_seed);
    if (j) {
        (*j)["noise_level"] = level.str();
        (*j)["noise_seed"] = o.noise_seed;
        (*j)["noise_norm"] = json::array({to_decimal(n.noise_norm.lower(), 8, Round::down), to_decimal(n.noise_norm.upper(), 8, Round::up)});
    }
    return std::move(n.y);
}

Progress progress_printer(const std::string& what, bool enabled) {
    if (!enabled) return {};
    auto last = std::make_shared<std::size_t>(0);
    return [what, last](std::size_t done, std::size_t total) {
        const std::size_t pct = 100 * done / total;
        if (pct >= *last + 10 || done == total) {
            *last = pct;
            std::cerr << "  " << what << ": layer " << done << "/" << total << " (" << pct << "%)\n";
        }
    };
}

json network_stats(const Network& net) {
    std::size_t affine = 0, widest = 0;
    for (auto& l : net.layers())
        visit_layer(
            l, [&](const AffineLayer&) { ++affine; }, [](const ElementwiseLayer&) {}, [](const GateLayer&) {});
    for (auto w : net.widths()) widest = std::max(widest, w);
    return {{"layers", net.layers().size()}, {"affine_layers", affine}, {"max_width", widest},
            {"max_weight_bits", net.max_weight_bits()}};
}

std::string dec(const Rational& r, Round rd = Round::nearest) { return to_decimal(r, 8, rd); }

json enclosure(const Ball& b) { return json::array({dec(b.lower(), Round::down), dec(b.upper(), Round::up)}); }

// The network's output at y in the arithmetic of --arith: doubles (no claim), exact
// rationals (also as 256-bit balls), or balls (plain ball: midpoint-radius doubles when
// every radius is below 2^-30, else adaptive from initial_ball_bits, doubling until every
// radius is below 2^-30; ball:BITS: Arb at that fixed precision).
struct NetOutput {
    std::vector<double> values;
    std::vector<Ball> balls;        // empty for double
    std::vector<Rational> exact;    // exact only
    long bits = 0;                  // ball precision used (0: l2, midrad or no balls)
    std::string arith_used;         // "l2", "midrad", "ball:BITS", or the arithmetic asked for
    double l2_radius = 0;           // the proved ℓ2 radius when arith_used is "l2"
    std::string l2_method;          // how it was proved: "primal-dual metric" or "layers"
    std::string l2_fallback;        // why plain --arith ball did not use the l2 fast path
};

// The accuracy plain --arith ball certifies: every output within 2^-30 (the adaptive
// loop's target; the ℓ2 radius bounds every coordinate's distance).
constexpr int ball_accuracy_bits = 30;

// arith_used (and the ℓ2 radius, or why the fast path fell back) into the JSON and text.
void report_arith_used(const NetOutput& run, json& j, std::ostream& t) {
    j["arith_used"] = run.arith_used;
    if (run.arith_used == "l2") {
        j["l2_radius"] = to_decimal(Rational::from_double(run.l2_radius), 3, Round::up);
        j["l2_method"] = run.l2_method;
        t << "double with a proved l2 radius " << to_decimal(Rational::from_double(run.l2_radius), 3, Round::up)
          << " on the whole output (" << run.l2_method << ")\n";
    } else if (!run.l2_fallback.empty()) {
        j["l2_fallback"] = run.l2_fallback;
        t << "l2 fast path not used (" << run.l2_fallback << "): Arb balls\n";
    }
}

// layout: net's primal-dual layout when it has one (the ℓ2 path then runs through the
// primal-dual metric: primal_dual_l2.hpp).
NetOutput run_network(const Network& net, const std::vector<Rational>& y, const std::string& arith, std::size_t N,
                      bool verbose, const std::optional<PrimalDualLayout>& layout) {
    const ArithSpec spec = parse_arith(arith);
    const bool ball_adaptive = spec.kind == ArithSpec::Kind::ball && spec.bits == 0;
    const long fixed_bits = spec.bits;
    const Progress progress = progress_printer("evaluating", verbose);
    NetOutput r;
    if (spec.kind == ArithSpec::Kind::binary64) {
        std::vector<double> yd;
        for (auto& v : y) yd.push_back(v.to_double(Round::nearest));
        r.values = evaluate(net, DoubleArith{}, std::span<const double>(yd), nullptr, progress);
        r.arith_used = "double";
    } else if (spec.kind == ArithSpec::Kind::exact) {
        r.exact = evaluate_rational(net, ExactArith{}, y, nullptr, progress);
        for (auto& v : r.exact) {
            r.values.push_back(v.to_double(Round::nearest));
            r.balls.emplace_back(v, 256);
        }
        r.arith_used = "exact";
    } else {
        const long start = ball_adaptive ? initial_ball_bits(net, N) : fixed_bits;
        AdaptiveBalls ab = evaluate_ball_adaptive(
            net, y, start, ball_adaptive ? 65536 : start, ball_accuracy_bits,
            [&](long b) {
                if (verbose) std::cerr << "  ball arithmetic at " << b << " bits\n";
            },
            progress, ball_adaptive, layout ? &*layout : nullptr);
        r.balls = std::move(ab.out);
        r.bits = ab.bits;
        r.arith_used = ab.arith_used();
        r.l2_radius = ab.l2_radius;
        r.l2_method = ab.l2_method;
        r.l2_fallback = ab.l2_fallback;
        if (verbose && !r.l2_fallback.empty())
            std::cerr << "  l2 evaluation did not certify 2^-" << ball_accuracy_bits << " (" << r.l2_fallback << ")\n";
        for (auto& b : r.balls) r.values.push_back(arf_get_d(arb_midref(b.get()), ARF_RND_NEAR));
    }
    if (r.arith_used.empty()) r.arith_used = arith;
    return r;
}

// ------------------------------------------------------------------ user problems (--matrix)

struct MatrixProblem {
    CsProblem problem;
    SolverParams params;
    std::vector<Rational> y;
    std::size_t rows = 0, cols = 0;  // of the matrix as given (complex: complex entries)
    json noise = json::object();     // noise_level, noise_seed, noise_norm when noise was added
};

MatrixProblem make_matrix_problem(const CsOptions& o) {
    if (o.measurements.empty()) throw ParseError("--matrix needs --measurements FILE (the measurement vector y)");
    const MatrixEntries m = read_problem_matrix(o.matrix);
    std::size_t rows = 0, cols = 0;
    auto a = real_form(m, rows, cols);
    const Rational L = norm_upper(a, rows, cols);
    MatrixProblem mp{make_user_problem(std::move(a), rows, cols, m.complex, L), solver_params(o, "1/100"),
                     read_problem_vector(o.measurements, m.rows, m.complex), m.rows, m.cols};
    mp.y = with_noise(o, std::move(mp.y), &mp.noise);
    SolverParams& p = mp.params;
    set_steps(p, o, L, true);
    if (!o.x0.empty()) p.x0 = read_problem_vector(o.x0, m.cols, m.complex);
    default_eps0(p, o, mp.y);
    return mp;
}

json vector_json(const std::vector<Rational>& v) {
    json a = json::array();
    for (auto& x : v) a.push_back(x.str());
    return a;
}

std::vector<Rational> ref_or_empty(const CsOptions& o, const MatrixProblem& mp) {
    return o.reference.empty() ? std::vector<Rational>{} : read_problem_vector(o.reference, mp.cols, mp.problem.complex);
}

// --history: the outputs of the prefix networks (FIRENET with 1, 2, ... restarts, which
// compute the first restarts of the full network exactly; the other solvers with 1, 2, ...
// iterations), each evaluated like the full one; at each output z (the exact point the
// double evaluation returned, or every point of the balls) the objective F(z) and the
// distance to the reference are enclosed. Written as CSV to o.history and returned as JSON.
json matrix_history(const CsOptions& o, const MatrixProblem& mp, const std::vector<Rational>& ref) {
    const bool restarted = mp.params.solver == Solver::firenet;
    const int steps = restarted ? mp.params.restarts : mp.params.inner;
    const std::uint64_t per = restarted ? static_cast<std::uint64_t>(mp.params.inner) : 1;
    const std::uint64_t work = per * static_cast<std::uint64_t>(steps) * static_cast<std::uint64_t>(steps + 1) / 2;
    if (work > max_total_iterations)
        throw DomainError("--history evaluates every prefix network: " + std::to_string(work) + " iterations in all, at most " +
                          std::to_string(max_total_iterations));
    std::ofstream csv(o.history);
    if (!csv) throw ParseError(o.history + ": cannot write");
    csv << "step,iterations,objective_lower,objective_upper" << (ref.empty() ? "" : ",distance_lower,distance_upper") << "\n";
    const long prec = 128;
    json rows = json::array();
    for (int k = 1; k <= steps; ++k) {
        SolverParams q = mp.params;
        (restarted ? q.restarts : q.inner) = k;
        NetOutput out = run_network(build_unrolled(mp.problem, q), mp.y, o.arith, mp.problem.A->cols(), false,
                                    primal_dual_layout(mp.problem, q));
        if (out.balls.empty())
            for (double v : out.values) out.balls.emplace_back(Rational::from_double(v), prec);
        const Ball f = sr_lasso_objective(mp.problem, mp.params.lambda, mp.y, out.balls, prec);
        json r = {{"step", k}, {"iterations", per * static_cast<std::uint64_t>(k)}, {"objective", enclosure(f)}};
        csv << k << "," << per * static_cast<std::uint64_t>(k) << "," << dec(f.lower(), Round::down) << "," << dec(f.upper(), Round::up);
        if (!ref.empty()) {
            const Ball d = l2_distance(out.balls, ref, prec);
            r["distance_to_reference"] = enclosure(d);
            csv << "," << dec(d.lower(), Round::down) << "," << dec(d.upper(), Round::up);
        }
        csv << "\n";
        rows.push_back(r);
    }
    return rows;
}

// reconstruct --matrix --plot: the unknowns against their index (real unknowns: the
// (Re | Im) parts of complex ones), the solution as its enclosure (exact values and balls
// converted outward; a double output drawn as points, no claim), beside the reference
// and the difference solution − reference when --reference is given: the vector
// counterpart of the image panel truth | reconstruction | error.
Plot matrix_solution_plot(const CsOptions& o, const MatrixProblem& mp, const NetOutput& out) {
    const long prec = 128;
    const std::vector<Rational> ref = ref_or_empty(o, mp);
    Plot p;
    p.title = o.solver + " on " + o.matrix + ": the unknowns z_i" + (ref.empty() ? "" : " beside the reference");
    p.xlabel = std::string("i (unknown") + (mp.problem.complex ? "; Re parts, then Im parts)" : ")");
    p.ylabel = "z_i";
    const bool certified = !out.balls.empty();
    PlotSeries sol{std::string("solution (") + (certified ? "enclosure" : "double, no claim") + ")", {}, true, true, certified},
        r{"reference", {}, true, true, false}, diff{"solution - reference" + std::string(certified ? " (enclosure)" : ""), {}, true, true, certified};
    for (std::size_t i = 0; i < out.values.size(); ++i) {
        const auto x = static_cast<double>(i + 1);
        if (certified) {
            const Ball& b = out.balls[i];
            if (!b.is_finite()) throw DomainError("--plot: the enclosure of z_" + std::to_string(i + 1) + " is not finite");
            sol.points.push_back({x, b.lower().to_double(Round::down), b.upper().to_double(Round::up)});
        } else {
            sol.points.push_back({x, out.values[i], out.values[i]});
        }
        if (ref.empty()) continue;
        r.points.push_back({x, ref[i].to_double(Round::down), ref[i].to_double(Round::up)});
        Ball d = certified ? out.balls[i] : Ball(Rational::from_double(out.values[i]), prec);
        const Ball rb(ref[i], prec);
        arb_sub(d.get(), d.get(), rb.get(), prec);
        diff.points.push_back({x, d.lower().to_double(Round::down), d.upper().to_double(Round::up)});
    }
    p.series = {sol};
    if (!ref.empty()) p.series.insert(p.series.end(), {r, diff});
    return p;
}

// reconstruct --matrix: the network's output z with its proved enclosure (or exact
// value), the objective F(z) = lambda ||z||_1 + ||Az - y|| enclosed, and the distance to
// --reference when given.
int cmd_reconstruct_matrix(const CsOptions& o) {
    parse_arith(o.arith);  // checked before any work
    const auto start = std::chrono::steady_clock::now();
    MatrixProblem mp = make_matrix_problem(o);
    Network net = build_unrolled(mp.problem, mp.params);
    const NetOutput out =
        run_network(net, mp.y, o.arith, mp.problem.A->cols(), o.verbose, primal_dual_layout(mp.problem, mp.params));
    json j = network_stats(net);
    j.update(mp.noise);
    j["solver"] = o.solver;
    j["arith"] = o.arith;
    j["matrix"] = o.matrix;
    j["rows"] = mp.rows;
    j["cols"] = mp.cols;
    j["complex"] = mp.problem.complex;
    j["norm_upper"] = to_decimal(mp.problem.norm_A, 10, Round::up);
    j["tau"] = mp.params.tau.str();
    j["sigma"] = mp.params.sigma.str();
    j["lambda"] = mp.params.lambda.str();
    std::ostringstream t;
    t << o.solver << " on " << o.matrix << " (" << mp.rows << "x" << mp.cols << (mp.problem.complex ? ", complex" : "") << "), "
      << net.layers().size() << " layers, arithmetic " << o.arith << "\n"
      << "proved ||A||_2 <= " << to_decimal(mp.problem.norm_A, 10, Round::up) << " (norm_upper); tau = sigma = "
      << to_decimal(mp.params.tau, 8, Round::nearest) << "\n";
    report_arith_used(out, j, t);
    json sol = json::array();
    if (!out.exact.empty()) {
        sol = vector_json(out.exact);
    } else if (!out.balls.empty()) {
        for (auto& b : out.balls) {
            if (!b.is_finite()) throw DomainError("the ball enclosure is not finite at " + std::to_string(out.bits) + " bits: use more bits (--arith ball:BITS)");
            sol.push_back(json::array({to_decimal(b.lower(), 17, Round::down), to_decimal(b.upper(), 17, Round::up)}));
        }
    } else {
        for (double v : out.values) sol.push_back(shortest(v));
    }
    j["solution"] = sol;
    j["solution_kind"] = !out.exact.empty() ? "exact" : !out.balls.empty() ? "enclosure" : "double (estimate, no claim)";
    if (out.bits) j["precision"] = out.bits;
    j["arith_used"] = out.arith_used;
    t << "solution (" << j["solution_kind"].get<std::string>() << "):";
    for (std::size_t i = 0; i < sol.size() && i < 8; ++i) t << " " << sol[i].dump();
    t << (sol.size() > 8 ? " ... (--json for all)" : "") << "\n";
    if (!out.balls.empty()) {
        const long prec = 128;
        Ball f = sr_lasso_objective(mp.problem, mp.params.lambda, mp.y, out.balls, prec);
        j["objective"] = enclosure(f);
        t << "objective lambda||z||_1 + ||Az - y||_2 at the solution (proved): [" << dec(f.lower(), Round::down) << ", "
          << dec(f.upper(), Round::up) << "]\n";
        if (!o.reference.empty()) {
            const auto ref = ref_or_empty(o, mp);
            std::vector<Ball> rb;
            for (auto& v : ref) rb.emplace_back(v, prec);
            Ball d = l2_distance(out.balls, ref, prec), fr = sr_lasso_objective(mp.problem, mp.params.lambda, mp.y, rb, prec);
            j["distance_to_reference"] = enclosure(d);
            j["objective_at_reference"] = enclosure(fr);
            t << "||z - reference||_2 (proved): [" << dec(d.lower(), Round::down) << ", " << dec(d.upper(), Round::up)
              << "]; objective at the reference: [" << dec(fr.lower(), Round::down) << ", " << dec(fr.upper(), Round::up) << "]\n";
        }
    }
    if (!o.history.empty()) {
        j["history"] = matrix_history(o, mp, ref_or_empty(o, mp));
        t << "history (" << j["history"].size() << " steps) written to " << o.history << "\n";
    }
    if (!o.plot.empty()) write_plot_files(matrix_solution_plot(o, mp, out), o.plot);
    j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    print(j, o.as_json, t.str());
    return exit_ok;
}

// ------------------------------------------------------------------ build

// build --matrix: the network for the user's problem, with the proved norm bound its
// steps were checked against.
int cmd_build_matrix(const CsOptions& o) {
    MatrixProblem mp = make_matrix_problem(o);
    Network net = build_unrolled(mp.problem, mp.params);
    std::ofstream out(o.output);
    if (!out) throw ParseError(o.output + ": cannot write");
    write_network_json(net, out);
    json j = network_stats(net);
    j["network"] = o.output;
    j["solver"] = o.solver;
    j["inputs"] = net.input_dim();
    j["outputs"] = net.output_dim();
    j["norm_upper"] = to_decimal(mp.problem.norm_A, 10, Round::up);
    j["tau"] = mp.params.tau.str();
    j["sigma"] = mp.params.sigma.str();
    j["eps0"] = mp.params.eps0.str();
    std::ostringstream t;
    t << "wrote " << o.output << ": " << o.solver << " network for " << o.matrix << ", " << net.layers().size()
      << " layers, input " << net.input_dim() << " measurements, output " << net.output_dim() << " unknowns\n"
      << "proved ||A||_2 <= " << j["norm_upper"].get<std::string>() << "; steps tau = " << mp.params.tau.str()
      << ", sigma = " << mp.params.sigma.str() << "\n";
    print(j, o.as_json, t.str());
    return exit_ok;
}

int cmd_build(const CsOptions& o) {
    if (!o.matrix.empty()) return cmd_build_matrix(o);
    const std::string &output = o.output, &measurements = o.measurements;
    Problem pb = make_problem(o, o.size);
    const auto x = exact_signal(pb);
    json noise = json::object();
    const auto y = with_noise(o, measure(pb.setup, x), &noise);
    default_eps0(pb.params, o, y);
    Network net = build_unrolled(pb.setup.problem, pb.params);
    std::ofstream out(output);
    if (!out) throw ParseError(output + ": cannot write");
    write_network_json(net, out);
    if (!measurements.empty()) {
        std::ofstream m(measurements);
        if (!m) throw ParseError(measurements + ": cannot write");
        for (std::size_t i = 0; i < y.size(); ++i) m << y[i].str() << (i + 1 < y.size() ? "," : "\n");
    }
    json j = network_stats(net);
    j.update(noise);
    j["network"] = output;
    j["solver"] = o.solver;
    j["inputs"] = net.input_dim();
    j["outputs"] = net.output_dim();
    j["samples"] = pb.setup.omega.size();
    std::ostringstream t;
    t << "wrote " << output << ": " << o.solver << " network, " << net.layers().size() << " layers, input "
      << net.input_dim() << " measurements, output " << net.output_dim() << " pixels\n";
    if (!measurements.empty()) t << "wrote the measurements of the image to " << measurements << " (use --input @" << measurements << ")\n";
    print(j, o.as_json, t.str());
    return exit_ok;
}

// ------------------------------------------------------------------ reconstruct

int cmd_reconstruct(const CsOptions& o) {
    if (!o.matrix.empty()) return cmd_reconstruct_matrix(o);
    const std::string &arith = o.arith, &out_png = o.output;
    const bool error_terms = o.error_terms, verbose = o.verbose;
    auto start = std::chrono::steady_clock::now();
    parse_arith(arith);  // before any work
    if (!o.reference.empty() || !o.history.empty())
        throw DomainError("--reference and --history are for --matrix problems (an image problem's reference is the image)");
    Problem pb = make_problem(o);
    const auto x = exact_signal(pb);
    // the relative error ‖φ(y) − x‖/‖x‖ is what reconstruct reports
    if (std::all_of(x.begin(), x.end(), [](const Rational& v) { return v.is_zero(); }))
        throw DomainError("the image is zero: relative error undefined");
    json noise = json::object();
    const auto y = with_noise(o, measure(pb.setup, x, arith == "double"), &noise);
    default_eps0(pb.params, o, y);
    const auto build_start = std::chrono::steady_clock::now();
    Network net = build_unrolled(pb.setup.problem, pb.params);
    const auto eval_start = std::chrono::steady_clock::now();
    const std::size_t N = x.size();
    Image rec(pb.truth.width, pb.truth.height);
    json j = network_stats(net);
    j.update(noise);
    j["solver"] = o.solver;
    j["modality"] = o.modality;
    j["arith"] = arith;
    j["samples"] = pb.setup.omega.size();
    const double pixels = static_cast<double>(pb.truth.pixels.size());
    j["sampling_rate"] = shortest(static_cast<double>(pb.setup.omega.size()) / pixels);
    const std::size_t real_meas = real_measurements(pb.setup.modality, pb.setup.shape, pb.setup.omega, o.complex);
    j["real_measurements"] = real_meas;
    j["size"] = pb.truth.width;
    std::ostringstream t;
    t << o.solver << " on a " << pb.truth.width << "x" << pb.truth.height << " " << o.modality << " problem, "
      << pb.setup.omega.size() << " samples (" << shortest(100.0 * pb.setup.omega.size() / pixels) << " %; "
      << real_meas << " independent real measurements), "
      << net.layers().size() << " layers, arithmetic " << arith << "\n";
    NetOutput run = run_network(net, y, arith, N, verbose, primal_dual_layout(pb.setup.problem, pb.params));
    std::vector<Ball> out_balls = std::move(run.balls);
    const std::vector<double> outd = std::move(run.values);
    j["arith_used"] = run.arith_used;
    if (run.bits) {
        j["precision"] = run.bits;
        t << "ball arithmetic at " << run.bits << " bits\n";
    } else if (run.arith_used == "midrad") {
        t << "midpoint-radius doubles (certified, every radius below 2^-30; Arb balls not needed)\n";
    }
    report_arith_used(run, j, t);
    const auto eval_end = std::chrono::steady_clock::now();
    j["seconds_build"] = std::chrono::duration<double>(eval_start - build_start).count();
    j["seconds_eval"] = std::chrono::duration<double>(eval_end - eval_start).count();
    // the image shown: the values, or |re + i im| for complex unknowns
    const std::size_t P = rec.pixels.size();
    for (std::size_t i = 0; i < P; ++i) rec.pixels[i] = x.size() == P ? outd[i] : std::hypot(outd[i], outd[P + i]);
    double e2 = 0, x2 = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double xi = x[i].to_double(Round::nearest);
        e2 += (outd[i] - xi) * (outd[i] - xi);
        x2 += xi * xi;
    }
    const double rel = std::sqrt(e2 / x2), ps = psnr(pb.truth, rec);
    j["relative_error"] = shortest(rel);
    j["psnr"] = shortest(ps);
    t << "relative l2 error " << shortest(rel) << ", PSNR " << shortest(ps) << " dB\n";
    if (!out_balls.empty()) {
        const long prec = 128;
        Ball err = l2_distance(out_balls, x, prec), xn = l2_norm(x, prec), relb;
        arb_div(relb.get(), err.get(), xn.get(), prec);
        if (!relb.is_finite())
            throw DomainError("the ball enclosure is not finite at " + std::to_string(j.value("precision", 0L)) +
                              " bits: use more bits (--arith ball:BITS) or plain --arith ball (adaptive)");
        j["relative_error_enclosure"] = enclosure(relb);
        t << "relative error enclosure (proved): [" << dec(relb.lower(), Round::down) << ", " << dec(relb.upper(), Round::up)
          << "]\n";
        if (error_terms) {
            TheoremTerms th = theorem_terms(pb.setup, pb.params, x, y, prec);
            const long ideal_bits = j.value("precision", 0L) > 0 ? j.value("precision", 0L) : 128 + static_cast<long>(net.layers().size()) * 8;
            auto ideal = evaluate_rational(net, BallArith{ideal_bits, true}, y, nullptr,
                                           progress_printer("ideal network", verbose));
            Ball theta_effect = l2_distance(out_balls, ideal, prec);
            j["error_terms"] = {
                {"measured_error", enclosure(err)},
                {"theta_effect", enclosure(theta_effect)},
                {"A_n_effect", enclosure(th.operator_effect)},
                {"A_n_note", o.fourier_accuracy ? "||(A_n - A) W x||, with ||A_n - A|| <= 2^-" + std::to_string(o.fourier_accuracy) + " proved"
                             : o.modality == "walsh" ? "A is rational: used exactly" : "A is enclosed in balls, not approximated"},
                {"sparsity_term", th.has_sparsity ? enclosure(th.sparsity) : json(nullptr)},
                {"iteration_term", dec(th.iteration, Round::up)},
                {"measurement_error", enclosure(th.measurement)}};
            t << "error terms (each enclosed):\n"
              << "  measured ||phi(y) - x||          [" << dec(err.lower(), Round::down) << ", " << dec(err.upper(), Round::up) << "]\n"
              << "  theta: ||phi_theta - phi_ideal||  [" << dec(theta_effect.lower(), Round::down) << ", "
              << dec(theta_effect.upper(), Round::up) << "]\n"
              << "  A_n != A                         [" << dec(th.operator_effect.lower(), Round::down) << ", "
              << dec(th.operator_effect.upper(), Round::up) << "] (" << j["error_terms"]["A_n_note"].get<std::string>() << ")\n"
              << "  sigma_{s,M}(Wx)_l1w/(sqrt s sqrt r) "
              << (th.has_sparsity ? "[" + dec(th.sparsity.lower(), Round::down) + ", " + dec(th.sparsity.upper(), Round::up) + "]"
                                  : std::string("not computed for complex coefficients"))
              << "\n"
              << "  " << (pb.params.solver == Solver::firenet ? "nu^n" : "||A||/n") << "                          "
              << dec(th.iteration, Round::up) << "\n"
              << "  ||Ax - y||                       [" << dec(th.measurement.lower(), Round::down) << ", "
              << dec(th.measurement.upper(), Round::up) << "]\n";
        }
    }
    if (!o.plot.empty()) {
        // truth | reconstruction | error image (a picture; the certified error is above)
        double max_err = 0;
        const Image err_img = error_image(rec, pb.truth, &max_err);
        for (const std::string& f : write_image_panel({{"truth", pb.truth},
                                                       {"reconstruction (" + o.solver + ")", rec},
                                                       {"|error| (white = " + to_decimal(Rational::from_double(max_err), 3, Round::up) + ")", err_img}},
                                                      o.plot))
            std::cerr << "rigornet: wrote " << f << '\n';
    }
    if (!out_png.empty()) {
        write_png(rec, out_png);
        j["out"] = out_png;
        t << "wrote " << out_png << "\n";
    }
    j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    j["peak_memory_mib"] = peak_memory_mib();
    print(j, o.as_json, t.str());
    return exit_ok;
}

// ------------------------------------------------------------------ stability

int cmd_stability(const CsOptions& o) {
    const std::string& solvers = o.solvers;
    const double radius = o.radius, step = o.step;
    const int iterations = o.iterations;
    const bool verbose = o.verbose;
    // the problem, the map of signals to measurements, the true signal x and y
    CsProblem problem;
    SolverParams params;
    OperatorPtr measure_op;
    std::vector<Rational> x, y;
    json info;
    if (!o.matrix.empty()) {
        if (o.reference.empty())
            throw ParseError("stability --matrix needs --reference FILE: the true z that the ascent moves the output away from");
        MatrixProblem mp = make_matrix_problem(o);
        x = read_problem_vector(o.reference, mp.cols, mp.problem.complex);
        y = std::move(mp.y);
        measure_op = mp.problem.A;  // no sparsifying transform: the signal is z
        info = mp.noise;
        info["matrix"] = o.matrix;
        info["norm_upper"] = to_decimal(mp.problem.norm_A, 10, Round::up);
        problem = std::move(mp.problem);
        params = std::move(mp.params);
    } else {
        Problem pb = make_problem(o);
        x = exact_signal(pb);
        info = {{"samples", pb.setup.omega.size()}, {"size", pb.truth.width}};
        y = with_noise(o, measure(pb.setup, x), &info);
        default_eps0(pb.params, o, y);
        problem = pb.setup.problem;
        params = pb.params;
        measure_op = pb.setup.measure;
    }
    std::vector<double> yd, xd;
    for (auto& v : x) xd.push_back(v.to_double(Round::nearest));
    for (auto& v : y) yd.push_back(v.to_double(Round::nearest));
    double xnorm = 0;
    for (double v : xd) xnorm += v * v;
    xnorm = std::sqrt(xnorm);
    const double rho = radius > 0 ? radius : 0.05 * xnorm;
    json rows = json::array();
    std::ostringstream t;
    t << "stability test: perturbations r of the " << (o.matrix.empty() ? "image" : "signal") << " with ||r|| <= " << shortest(rho) << " (" << shortest(100 * rho / xnorm)
      << " % of ||x||), " << (o.nesterov ? "Nesterov" : "heavy-ball") << " ascent on 1/2||phi(y + Ar) - "
      << (o.objective == "truth" ? "x" : "phi(y)") << "||^2, re-evaluated in balls\n";
    t << "  solver    ||r||                      ||phi(y+Ar) - phi(y)|| (proved)   lower: ratio at r found (proved)   upper (proved)   bits\n";
    Plot plot;
    plot.title = "stability: lower (ratio at the r found) <= worst-case ratio <= upper (proved)";
    plot.xlabel = "solver";
    plot.ylabel = "||phi(y+Ar) - phi(y)|| / ||r||";
    plot.log_y = true;
    plot.series = {{"lower: ratio at the r found (proved enclosure)", {}, false, true, true},
                   {"upper: proved bound", {}, false, true, false}};
    // ‖Ar‖ ≤ ‖A‖‖r‖: perturbations of norm ≤ ρ move y by at most ‖A‖ρ
    const Rational measure_norm = operator_norm_upper(*measure_op), rho_exact = Rational::from_double(rho);
    // the exact fallback of certify_perturbation_adaptive: at most this long per solver
    constexpr double exact_seconds = 60;
    bool any_unknown = false;
    std::stringstream list(solvers);
    std::string name;
    while (std::getline(list, name, ',')) {
        SolverParams p = params;
        p.solver = parse_solver(name);
        if (p.solver != Solver::firenet) p.inner = o.inner * o.restarts;  // equal iteration counts
        set_steps(p, o, problem.norm_A, !o.matrix.empty());              // steps for this solver
        Network net = build_unrolled(problem, p);
        StabilityOptions so;
        so.radius = rho;
        so.iterations = iterations;
        so.step = step;
        so.initial_scale = rho / std::sqrt(static_cast<double>(xd.size()));
        so.seed = o.seed;
        so.verbose = verbose;
        so.nesterov = o.nesterov;
        if (verbose) std::cerr << "solver " << name << ":\n";
        // the point the ascent moves the output away from: x, or this solver's φ(y)
        const std::vector<double> target =
            o.objective == "truth" ? xd : evaluate(net, DoubleArith{}, std::span<const double>(yd));
        StabilitySearch found = stability_search(net, *measure_op, yd, target, so);
        // the fast path first (doubles with ℓ2 radii through the primal-dual metric), then balls
        const std::optional<PrimalDualLayout> layout = primal_dual_layout(problem, p);
        std::optional<CertifiedPerturbation> fast;
        if (layout) fast = certify_perturbation_l2(net, *layout, *measure_op, y, found.r, 30);
        CertifiedPerturbation cert =
            fast ? std::move(*fast)
                 : certify_perturbation_adaptive(net, *measure_op, y, found.r,
                                                 BallArith{initial_ball_bits(net, xd.size()), false}, 65536, 30, exact_seconds);
        Ball ratio;
        arb_div(ratio.get(), cert.change.get(), cert.r_norm.get(), 128);
        // the other direction: ‖φ(y + Ar) − φ(y)‖ ≤ L‖A‖‖r‖ + J for every ‖r‖ ≤ ρ, so the
        // ratio is ≤ L‖A‖ + J/‖r‖ ≤ upper for every r with ‖r_found‖ ≤ ‖r‖ ≤ ρ
        std::map<const LinearOperator*, Rational> norms;  // keyed by address: only while net lives
        const StabilityUpper up = stability_upper(net, y, measure_norm, rho_exact, cert.r_norm,
                                                  BallArith{cert.prec, false}, &norms, problem, p);
        plot.x_categories.push_back(name);
        const double k = static_cast<double>(plot.x_categories.size());
        if (ratio.is_finite() && ratio.lower().sign() > 0)
            plot.series[0].points.push_back({k, ratio.lower().to_double(Round::down), ratio.upper().to_double(Round::up)});
        const json upper = up.bound.is_finite() ? json(dec(up.bound.upper(), Round::up)) : json("inf");
        if (up.bound.is_finite()) {
            const double u = up.bound.upper().to_double(Round::up);
            if (std::isfinite(u) && u > 0) plot.series[1].points.push_back({k, u, u});
        }
        auto bound = [](const Ball& b) { return b.is_finite() ? json(dec(b.upper(), Round::up)) : json("inf"); };
        // no finite enclosure (balls straddling sqrt_θ steps, no exact fallback in time):
        // no lower bound is claimed, the row says so
        auto encl = [](const Ball& b) { return b.is_finite() ? enclosure(b) : json(nullptr); };
        auto encl_text = [](const Ball& b) {
            return b.is_finite() ? "[" + dec(b.lower(), Round::down) + ", " + dec(b.upper(), Round::up) + "]"
                                 : std::string("not finite");
        };
        const std::string arith_used = cert.l2                                   ? "l2"
                                       : cert.exact_base || cert.exact_moved ? "exact"
                                                                             : "ball:" + std::to_string(cert.prec);
        const std::string evaluation = cert.l2 ? "double with proved l2 radii (sum " + shortest(cert.l2_radius) + ")"
                                       : cert.exact_base || cert.exact_moved
                                           ? std::string("exact ") + (cert.exact_base ? "phi(y)" : "") +
                                                 (cert.exact_base && cert.exact_moved ? ", " : "") +
                                                 (cert.exact_moved ? "phi(y+Ar)" : "") + ", balls otherwise"
                                           : "balls";
        if (!ratio.is_finite()) any_unknown = true;
        rows.push_back({{"solver", name},
                        {"layers", net.layers().size()},
                        {"precision", cert.prec},
                        {"evaluation", evaluation},
                        {"arith_used", arith_used},
                        {"r_norm", enclosure(cert.r_norm)},
                        {"change", encl(cert.change)},
                        {"lower", encl(ratio)},
                        {"upper", upper},
                        {"upper_terms", {{"method", up.method}, {"lipschitz", bound(up.lipschitz)}, {"theta_term", bound(up.jump)},
                                         {"layers", bound(up.layers_bound)}, {"solver", bound(up.solver_bound)}}},
                        {"double_change", shortest(found.change)}});
        t << "  " << name << std::string(10 - std::min<std::size_t>(9, name.size()), ' ') << encl_text(cert.r_norm) << "   "
          << encl_text(cert.change) << "   " << encl_text(ratio) << "   " << upper.get<std::string>() << " (" << up.method
          << ")   " << cert.prec << (evaluation == "balls" ? "" : " (" + evaluation + ")") << "\n";
    }
    if (any_unknown)
        t << "not finite: the balls straddle steps of sqrt_theta on the exact trajectory (docs/stability.md), and the\n"
             "exact evaluation was not possible (no exact operator) or ran past its budget: no lower bound is claimed\n";
    t << "lower: ||phi(y+Ar) - phi(y)||/||r|| at the one perturbation found by gradient ascent, enclosed (witnessed: the\n"
         "worst case over ||r|| <= rho is at least this); upper: proved bound on that ratio for every r with\n"
         "||r found|| <= ||r|| <= rho (Lipschitz bound L*||A|| plus the sqrt_theta term J/||r||, see docs/stability.md)\n";
    json j = info;
    j["radius"] = shortest(rho);
    j["objective"] = o.objective;
    j["momentum"] = o.nesterov ? "nesterov" : "heavy-ball";
    j["results"] = rows;
    print(j, o.as_json, t.str());
    if (!o.plot.empty()) write_plot_files(plot, o.plot);
    return exit_ok;
}

// ------------------------------------------------------------------ uncertainty

// Progress of a long loop on stderr, by time: a line every 5 s (none for short runs).
Progress timed_progress(const std::string& what) {
    struct State {
        std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), last = start;
    };
    auto st = std::make_shared<State>();
    return [what, st](std::size_t done, std::size_t total) {
        const auto now = std::chrono::steady_clock::now();
        if (now - st->last < std::chrono::seconds(5)) return;
        st->last = now;
        std::cerr << "  " << what << ": " << done << "/" << total << " after "
                  << static_cast<long>(std::chrono::duration<double>(now - st->start).count()) << " s\n";
    };
}

// Agreement of two std maps as JSON (NaN, e.g. no pixel, as null).
json agreement_json(const StdAgreement& a) {
    auto num = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    return {{"pixels", a.pixels}, {"correlation", num(a.correlation)}, {"median_ratio", num(a.median_ratio)},
            {"fraction_below", num(a.fraction_below)}};
}

// uncertainty: the per-pixel std of the network's output under white noise of level
// --sigma on its input, linearised (reverse mode) and by Monte Carlo, with the Cramér–Rao
// floor of the measurement map; maps as PNG, the data as CSV. Estimates throughout.
int cmd_uncertainty(const CsOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<Rational> y;
    Network net(1);
    OperatorPtr F;  // signal (the network's output) -> measurements
    json j = json::object();
    std::size_t width = 0, height = 0;
    bool complex = false;  // outputs (Re | Im): maps per complex entry (uncertainty.hpp, complex_entries)
    if (!o.matrix.empty()) {
        MatrixProblem mp = make_matrix_problem(o);
        complex = mp.problem.complex;
        net = build_unrolled(mp.problem, mp.params);
        F = mp.problem.A;  // no sparsifying transform: the output is z itself
        y = std::move(mp.y);
        j = mp.noise;
        j["matrix"] = o.matrix;
        // the unknowns shown as a square when their number is one, else as one row
        const auto side = static_cast<std::size_t>(std::llround(std::sqrt(static_cast<double>(mp.cols))));
        width = side * side == mp.cols ? side : mp.cols;
        height = side * side == mp.cols ? side : 1;
    } else {
        complex = o.complex;
        Problem pb = make_problem(o);
        y = with_noise(o, measure(pb.setup, exact_signal(pb), true), &j);
        default_eps0(pb.params, o, y);
        net = build_unrolled(pb.setup.problem, pb.params);
        F = pb.setup.measure;
        width = pb.truth.width;
        height = pb.truth.height;
        j["modality"] = o.modality;
        j["size"] = width;
        j["samples_of_the_pattern"] = pb.setup.omega.size();
    }
    Image map_ad(width, height), map_mc(width, height);  // refuses a layout no PNG can hold, before any work
    std::vector<double> yd;
    for (auto& v : y) yd.push_back(v.to_double(Round::nearest));
    auto left = [&] { return o.max_seconds - std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    const auto t0 = std::chrono::steady_clock::now();
    LinearizedStd ad = linearized_std(net, yd, o.noise_sigma, left(), timed_progress("reverse mode, outputs"));
    const auto t1 = std::chrono::steady_clock::now();
    MonteCarloStd mc = monte_carlo_std(net, yd, o.noise_sigma, o.samples, o.mc_seed, left(), timed_progress("Monte Carlo, samples"));
    const auto t2 = std::chrono::steady_clock::now();
    CramerRao cr = cramer_rao_std(*F, o.noise_sigma);
    if (complex) {
        ad = complex_entries(ad);
        mc = complex_entries(mc);
        cr = complex_entries(cr);
        j["complex"] = {{"noise", "circular complex Gaussian: sigma per real component (Re and Im each N(0, sigma^2))"},
                        {"per_pixel", "std of the complex value, sqrt(Var Re + Var Im); value and mean are moduli"}};
    }
    const std::size_t N = ad.std.size();

    // agreement: all pixels, and the low-signal ones (|phi(y)| below 10 % of its maximum) apart
    double peak = 0;
    for (double v : ad.value) peak = std::max(peak, std::abs(v));
    std::vector<bool> low(N), rest(N);
    for (std::size_t k = 0; k < N; ++k) rest[k] = !(low[k] = std::abs(ad.value[k]) < 0.1 * peak);
    const StdAgreement all = compare_std(ad.std, mc.std), lo = compare_std(ad.std, mc.std, low),
                       hi = compare_std(ad.std, mc.std, rest);
    double white = 0;
    for (std::size_t k = 0; k < N; ++k) white = std::max({white, ad.std[k], mc.std[k]});
    const double scale = white > 0 ? white : 1.0;
    for (std::size_t k = 0; k < N; ++k) {
        map_ad.pixels[k] = ad.std[k] / scale;
        map_mc.pixels[k] = mc.std[k] / scale;
    }
    const std::string png_ad = o.output + "_autodiff.png", png_mc = o.output + "_montecarlo.png", csv_path = o.output + ".csv";
    write_png(map_ad, png_ad);
    write_png(map_mc, png_mc);
    {
        std::ofstream csv(csv_path);
        if (!csv) throw ParseError(csv_path + ": cannot write");
        csv << "k,i,j,value,autodiff_std,montecarlo_std,montecarlo_std_error,montecarlo_mean,crlb_std,identifiable\n";
        for (std::size_t k = 0; k < N; ++k)
            csv << k << "," << k % width << "," << k / width << "," << shortest(ad.value[k]) << "," << shortest(ad.std[k]) << ","
                << shortest(mc.std[k]) << "," << shortest(mc.std_error[k]) << "," << shortest(mc.mean[k]) << ","
                << (cr.computed ? shortest(cr.std[k]) : "") << "," << (cr.computed ? shortest(cr.identifiable[k]) : "") << "\n";
    }
    json crj = {{"computed", cr.computed}, {"note", cr.note}};
    if (cr.computed) {
        crj["full_column_rank"] = cr.full_column_rank;
        const StdAgreement c = compare_std(ad.std, cr.std);
        // the floor is often constant (orthonormal rows): only the ratio means something
        json r = agreement_json(c);
        r.erase("correlation");
        crj["autodiff_over_crlb"] = r;
        double id = 0;
        for (double v : cr.identifiable) id += v;
        crj["mean_identifiable"] = id / static_cast<double>(N);
    }
    std::vector<double> se(mc.std_error);
    std::sort(se.begin(), se.end());
    const json aj = agreement_json(all);
    j["correlation"] = aj["correlation"];
    j["median_ratio"] = aj["median_ratio"];
    j["fraction_autodiff_below_montecarlo"] = aj["fraction_below"];
    j["outputs"] = N;
    j["low_signal"] = agreement_json(lo);
    j["other_pixels"] = agreement_json(hi);
    j["cramer_rao"] = crj;
    j["sigma"] = o.noise_sigma;
    j["samples"] = o.samples;
    j["mc_seed"] = o.mc_seed;
    j["solver"] = o.solver;
    j["layers"] = net.layers().size();
    j["montecarlo_std_error_median"] = se[N / 2];
    j["png_white"] = white;
    j["files"] = {png_ad, png_mc, csv_path};
    j["kind"] = "estimate: floating-point statistics of the network's double model; nothing here is certified";
    j["seconds_autodiff"] = std::chrono::duration<double>(t1 - t0).count();
    j["seconds_montecarlo"] = std::chrono::duration<double>(t2 - t1).count();
    j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!o.plot.empty()) {
        // std per pixel, the pixels sorted by the Monte Carlo std
        std::vector<std::size_t> order(N);
        for (std::size_t k = 0; k < N; ++k) order[k] = k;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return mc.std[a] < mc.std[b]; });
        Plot p;
        p.title = "per-pixel std under noise sigma = " + shortest(o.noise_sigma) + " (estimates)";
        p.xlabel = "pixel, sorted by the Monte Carlo std";
        p.ylabel = "standard deviation";
        p.series = {{"Monte Carlo std +- 2 SE (" + std::to_string(o.samples) + " samples)", {}, false, true, true},
                    {"autodiff std (linearised)", {}, true, false, false}};
        if (cr.computed) p.series.push_back({"Cramer-Rao floor", {}, true, false, false});
        for (std::size_t r = 0; r < N; ++r) {
            const std::size_t k = order[r];
            const double x = static_cast<double>(r + 1);
            p.series[0].points.push_back({x, mc.std[k] - 2 * mc.std_error[k], mc.std[k] + 2 * mc.std_error[k]});
            p.series[1].points.push_back({x, ad.std[k], ad.std[k]});
            if (cr.computed) p.series[2].points.push_back({x, cr.std[k], cr.std[k]});
        }
        write_plot_files(p, o.plot);
    }
    auto num = [](double v) { return std::isfinite(v) ? shortest(v) : std::string("undefined"); };
    std::ostringstream t;
    t << "uncertainty of " << o.solver << " (" << net.layers().size() << " layers, " << N << " outputs) under white noise sigma = "
      << shortest(o.noise_sigma) << " on its " << yd.size() << " inputs (estimates, not certified)\n"
      << "  autodiff (sigma ||row of J||, reverse mode) vs Monte Carlo (" << o.samples << " draws, seed " << o.mc_seed
      << "): correlation " << num(all.correlation) << ", median ratio " << num(all.median_ratio) << ", autodiff below MC at "
      << num(100 * all.fraction_below) << " % of the pixels\n"
      << "  low-signal pixels (" << lo.pixels << "): correlation " << num(lo.correlation) << ", median ratio "
      << num(lo.median_ratio) << "; others (" << hi.pixels << "): correlation " << num(hi.correlation) << ", median ratio "
      << num(hi.median_ratio) << "\n"
      << "  Monte Carlo standard error of the std: median " << shortest(se[N / 2]) << "\n"
      << "  Cramer-Rao: " << cr.note << "\n"
      << "wrote " << png_ad << ", " << png_mc << " (white = " << shortest(white) << ") and " << csv_path << "\n";
    print(j, o.as_json, t.str());
    return exit_ok;
}

}  // namespace

void register_cs_commands(CLI::App& app, std::vector<Command>& commands) {
    auto o = std::make_shared<CsOptions>();

    auto* b = app.add_subcommand("build", "Build the network of an unrolled solver and write it in rigornet's exact JSON format");
    b->add_option("SOLVER", o->solver, "firenet | pd (unrestarted primal-dual) | ista | fista | cp-bp | nesta (walsh)")
        ->required()
        ->check(CLI::IsMember({"firenet", "pd", "ista", "fista", "cp-bp", "nesta"}));
    add_problem_options(b, *o, false, false);
    b->add_option("--size", o->size, "Side of the image when neither --image nor --phantom is given (phantom of this side)")
        ->check(decimal_in(2, max_side))
        ->capture_default_str();
    add_solver_options(b, *o);
    b->add_option("-o,--output", o->output, "Network JSON file to write")->required();
    b->add_option("--measurements", o->measurements,
                  "With --matrix: the measurement vector y to read (input; sets the default eps0 = ||y||). Otherwise: also "
                  "write the measurements y of the image here (for eval --input @FILE)");
    b->add_flag("--json", o->as_json, "Print a JSON summary");
    commands.push_back({b, [o] { return cmd_build(*o); }});

    auto* r = app.add_subcommand("reconstruct", "Reconstruct an image from subsampled Fourier or Walsh measurements with an unrolled network");
    add_problem_options(r, *o, true);
    r->add_option("--solver", o->solver, "firenet | pd | ista | fista | cp-bp | nesta (walsh)")
        ->check(CLI::IsMember({"firenet", "pd", "ista", "fista", "cp-bp", "nesta"}))
        ->capture_default_str();
    add_solver_options(r, *o);
    r->add_option("--arith", o->arith, "double | ball[:BITS] (certified enclosure of the error) | exact (walsh only)")
        ->capture_default_str();
    r->add_option("--out", o->output, "Write the reconstruction as PNG");
    r->add_option("--plot", o->plot,
                  "Also write the panel truth | reconstruction | error image: PREFIX.png, PREFIX.pdf and PREFIX.csv (the pixels); "
                  "with --matrix the plot of the unknowns (solution, --reference, their difference): PREFIX.png, .pdf, .tex (PGFPlots) and .csv");
    r->add_option("--reference", o->reference,
                  "With --matrix: a reference vector (e.g. the true z or a known minimiser); reports ||z - reference|| and the "
                  "objective there, enclosed");
    r->add_option("--history", o->history,
                  "With --matrix: write the history as CSV (and add \"history\" to --json): per restart for firenet, per "
                  "iteration otherwise, the objective F and the distance to --reference, enclosed");
    r->add_flag("--error-terms", o->error_terms, "With ball/exact: also enclose the theorem's error terms and the effect of theta");
    r->add_flag("--progress", o->verbose, "Progress lines on stderr");
    r->add_flag("--json", o->as_json, "Print JSON (relative_error, psnr, layers, samples, relative_error_enclosure, ...)");
    commands.push_back({r, [o] { return cmd_reconstruct(*o); }});

    auto* s = app.add_subcommand("stability", "Seed 003's stability test: adversarial perturbations found by gradient ascent, certified in balls");
    add_problem_options(s, *o, true);
    add_solver_options(s, *o);
    s->add_option("--reference", o->reference, "With --matrix: the true z (required there): the ascent perturbs its measurements");
    s->add_option("--solvers", o->solvers,
                  "Comma-separated solvers to compare; each runs restarts*inner iterations (FIRENET: restarts x inner)")
        ->capture_default_str();
    s->add_option("--radius", o->radius, "||r|| bound, equal for all solvers (default 5 % of ||x||)")
        ->check(positive_finite());
    s->add_option("--iterations", o->iterations, "Ascent iterations")
        ->check(decimal_in(0, max_iterations))
        ->capture_default_str();
    s->add_option("--step", o->step, "Ascent step size")
        ->check(positive_finite())
        ->capture_default_str();
    s->add_flag("--nesterov", o->nesterov, "Nesterov momentum in the ascent (the reference test's) instead of the heavy ball");
    s->add_option("--objective", o->objective,
                  "truth: ascent on 1/2||phi(y + Ar) - x||^2; reconstruction: on 1/2||phi(y + Ar) - phi(y)||^2 (the reference "
                  "test's phi(Ax) for noiseless y = Ax)")
        ->check(CLI::IsMember({"truth", "reconstruction"}))
        ->capture_default_str();
    add_plot_option(s, o->plot, "lower (ratio enclosure) and upper (proved bound) per solver");
    s->add_flag("--progress", o->verbose, "Progress lines on stderr");
    s->add_flag("--json", o->as_json, "Print JSON: per solver ||r||, ||phi(y+Ar) - phi(y)|| (enclosed), lower (the witnessed ratio at the r found, "
                  "enclosed) and upper (a proved bound on the ratio), with upper_terms");
    commands.push_back({s, [o] { return cmd_stability(*o); }});

    auto* u = app.add_subcommand("uncertainty", "Seed 000's uncertainty propagation: per-pixel std of a reconstruction under Gaussian "
                                                "measurement noise, linearised (reverse mode) against Monte Carlo, with the Cramer-Rao floor");
    add_problem_options(u, *o, true);
    u->add_option("--solver", o->solver, "firenet | pd | ista | fista | cp-bp | nesta (walsh)")
        ->check(CLI::IsMember({"firenet", "pd", "ista", "fista", "cp-bp", "nesta"}))
        ->capture_default_str();
    add_solver_options(u, *o, false);
    u->add_option("--sigma", o->noise_sigma,
                  "Noise level: white Gaussian noise N(0, sigma^2) on each real measurement the network reads (the steps "
                  "tau, sigma of the solver follow L_A here)")
        ->required()
        ->check(positive_finite());
    u->add_option("--samples", o->samples, "Monte Carlo draws")->check(decimal_in(2, 1000000))->capture_default_str();
    u->add_option("--mc-seed", o->mc_seed, "Seed of the Monte Carlo noise draws (64 bits; --seed is the sampling pattern's)")
        ->check(decimal_in(0, UINT64_MAX))
        ->capture_default_str();
    u->add_option("--max-seconds", o->max_seconds,
                  "Refuse (exit 3) when the reverse passes (one per pixel) and the draws are projected to take longer")
        ->check(positive_finite())
        ->capture_default_str();
    u->add_option("--out", o->output, "Write PREFIX_autodiff.png, PREFIX_montecarlo.png (std maps, one scale) and PREFIX.csv")->required();
    add_plot_option(u, o->plot, "the std per pixel (sorted by the Monte Carlo std): Monte Carlo +- 2 SE, autodiff, Cramer-Rao");
    u->add_flag("--json", o->as_json,
                "Print JSON: correlation and median_ratio (autodiff / Monte Carlo) of the std maps, low_signal, cramer_rao, ...");
    commands.push_back({u, [o] { return cmd_uncertainty(*o); }});
}

}  // namespace rigornet::cli
