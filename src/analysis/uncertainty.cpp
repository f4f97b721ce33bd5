// Uncertainty propagation (uncertainty.hpp): linearised std by reverse mode, Monte Carlo,
// the Cramér–Rao floor, and the agreement of two std maps.
#include "rigornet/analysis/uncertainty.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "rigornet/number/arb.hpp"
#include "rigornet/network/gradient.hpp"
#include "rigornet/number/random.hpp"

namespace rigornet {

namespace {

void check_sigma(double sigma) {
    if (!std::isfinite(sigma) || sigma < 0)
        throw DomainError("uncertainty: the noise level sigma must be finite and >= 0");
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", s);
    return buf;
}

// The cost guard shared by the two loops: after `done` of `total` passes, refuses when
// the projected total (elapsed + remaining at the mean time per pass so far) exceeds
// max_seconds.
class Deadline {
public:
    Deadline(double max_seconds, std::string what) : max_(max_seconds), what_(std::move(what)) {}
    void check(std::size_t done, std::size_t total) const {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const double projected = elapsed / static_cast<double>(done) * static_cast<double>(total);
        if (projected > max_)
            throw ResourceError(what_ + ": " + std::to_string(total) + " passes of about " +
                                seconds_text(elapsed / static_cast<double>(done)) + " s each, about " +
                                seconds_text(projected) + " s in all, above the limit of " + seconds_text(max_) +
                                " s (raise --max-seconds, or use a smaller image or network)");
    }

private:
    double max_;
    std::string what_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// A real ball matrix (RAII over arb_mat_t).
struct ArbMatrix {
    arb_mat_t m;
    ArbMatrix(std::size_t r, std::size_t c) { arb_mat_init(m, static_cast<slong>(r), static_cast<slong>(c)); }
    ~ArbMatrix() { arb_mat_clear(m); }
    ArbMatrix(const ArbMatrix&) = delete;
    ArbMatrix& operator=(const ArbMatrix&) = delete;
    arb_ptr at(std::size_t i, std::size_t j) { return arb_mat_entry(m, static_cast<slong>(i), static_cast<slong>(j)); }
};

double mid(arb_srcptr x) { return arf_get_d(arb_midref(x), ARF_RND_NEAR); }

}  // namespace

LinearizedStd linearized_std(const Network& net, std::span<const double> y, double sigma, double max_seconds,
                             const Progress& progress) {
    check_sigma(sigma);
    const Deadline deadline(max_seconds, "reverse mode (one backward pass per output)");
    const ReverseTape tape(net, y);
    const std::size_t n = tape.value().size();
    LinearizedStd out{tape.value(), std::vector<double>(n, 0.0)};
    std::vector<double> w(n, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
        w[k] = 1.0;
        double s2 = 0;
        for (double g : tape.pullback(w)) s2 += g * g;
        w[k] = 0.0;
        out.std[k] = sigma * std::sqrt(s2);
        deadline.check(k + 1, n);
        if (progress) progress(k + 1, n);
    }
    return out;
}

MonteCarloStd monte_carlo_std(const Network& net, std::span<const double> y, double sigma, std::size_t samples,
                              std::uint64_t seed, double max_seconds, const Progress& progress) {
    check_sigma(sigma);
    if (samples < 2) throw DomainError("Monte Carlo: at least 2 samples are needed for a sample variance");
    const Deadline deadline(max_seconds, "Monte Carlo (one forward pass per sample)");
    const DoubleArith ar;
    const std::vector<double> c = evaluate(net, ar, y);
    const std::size_t n = c.size();
    // sums of (x - c)^p, p = 1..4
    std::vector<double> s1(n, 0.0), s2(n, 0.0), s3(n, 0.0), s4(n, 0.0), noisy(y.size());
    std::mt19937_64 rng(seed);
    StandardNormal normal;
    for (std::size_t s = 0; s < samples; ++s) {
        for (std::size_t i = 0; i < y.size(); ++i) noisy[i] = y[i] + sigma * normal(rng);
        const std::vector<double> x = evaluate(net, ar, std::span<const double>(noisy));
        for (std::size_t k = 0; k < n; ++k) {
            const double d = x[k] - c[k], d2 = d * d;
            s1[k] += d;
            s2[k] += d2;
            s3[k] += d2 * d;
            s4[k] += d2 * d2;
        }
        deadline.check(s + 1, samples);
        if (progress) progress(s + 1, samples);
    }
    const double m = static_cast<double>(samples);
    MonteCarloStd out{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n), samples};
    for (std::size_t k = 0; k < n; ++k) {
        const double a = s1[k] / m;  // mean of x - c
        out.mean[k] = c[k] + a;
        // central moments from the moments about c: m2 = E d² − a², m4 = E d⁴ − 4a E d³ + 6a² E d² − 3a⁴
        const double m2 = std::max(0.0, s2[k] / m - a * a);
        const double m4 = std::max(0.0, s4[k] / m - 4 * a * s3[k] / m + 6 * a * a * s2[k] / m - 3 * a * a * a * a);
        const double var = m2 * m / (m - 1);  // unbiased
        out.std[k] = std::sqrt(var);
        const double var_of_var = std::max(0.0, (m4 - var * var * (m - 3) / (m - 1)) / m);
        out.std_error[k] = out.std[k] > 0 ? std::sqrt(var_of_var) / (2 * out.std[k]) : 0.0;
    }
    return out;
}

CramerRao cramer_rao_std(const LinearOperator& F, double sigma, double max_work, double rank_tolerance) {
    check_sigma(sigma);
    const std::size_t M = F.rows(), N = F.cols();
    CramerRao out;
    if (M == 0 || N == 0) {
        out.note = "the measurement map is empty";
        return out;
    }
    const double work = static_cast<double>(std::min(M, N)) * static_cast<double>(M) * static_cast<double>(N);
    if (work > max_work) {
        out.note = "not computed: about " + seconds_text(work) + " operations, above " + seconds_text(max_work);
        return out;
    }
    // F's dense double image, row-major (F applied to the unit vectors)
    std::vector<double> f(M * N);
    {
        std::vector<double> e(N, 0.0), col(M);
        for (std::size_t j = 0; j < N; ++j) {
            e[j] = 1.0;
            F.apply(DoubleArith{}, std::span<const double>(e), std::span<double>(col));
            e[j] = 0.0;
            for (std::size_t i = 0; i < M; ++i) f[i * N + j] = col[i];
        }
    }
    // rows spanning the row space: modified Gram–Schmidt, a row kept when its part
    // orthogonal to the rows kept so far has at least rank_tolerance of its squared norm
    std::vector<std::size_t> keep;
    {
        std::vector<double> basis, v(N);  // orthonormal rows of the kept span
        for (std::size_t i = 0; i < M; ++i) {
            double n0 = 0;
            for (std::size_t j = 0; j < N; ++j) n0 += (v[j] = f[i * N + j]) * f[i * N + j];
            if (n0 == 0) continue;
            for (std::size_t q = 0; q < keep.size(); ++q) {
                const double* b = &basis[q * N];
                double d = 0;
                for (std::size_t j = 0; j < N; ++j) d += b[j] * v[j];
                for (std::size_t j = 0; j < N; ++j) v[j] -= d * b[j];
            }
            double n1 = 0;
            for (double x : v) n1 += x * x;
            if (n1 <= rank_tolerance * n0) continue;
            keep.push_back(i);
            for (double x : v) basis.push_back(x / std::sqrt(n1));
            if (keep.size() == N) break;
        }
    }
    const std::size_t r = keep.size();
    out.rank = r;
    out.full_column_rank = r == N;
    const long prec = 53;
    ArbMatrix fm(M, N), R(r, N), Rt(N, r);
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) arb_set_d(fm.at(i, j), f[i * N + j]);
    for (std::size_t q = 0; q < r; ++q)
        for (std::size_t j = 0; j < N; ++j) arb_set_d(R.at(q, j), f[keep[q] * N + j]);
    arb_mat_transpose(Rt.m, R.m);
    // Y = (RRᵀ)⁻¹R, C = F Yᵀ (F = C R on the kept span), K = CᵀC, Z = K⁻¹Y
    ArbMatrix RRt(r, r), Y(r, N), Yt(N, r), C(M, r), Ct(r, M), K(r, r), Z(r, N);
    arb_mat_mul(RRt.m, R.m, Rt.m, prec);
    if (!arb_mat_approx_solve(Y.m, RRt.m, R.m, prec)) {
        out.note = "the kept rows' Gram matrix is singular in floating point: no Cramér–Rao bound computed";
        return out;
    }
    arb_mat_transpose(Yt.m, Y.m);
    arb_mat_mul(C.m, fm.m, Yt.m, prec);
    arb_mat_transpose(Ct.m, C.m);
    arb_mat_mul(K.m, Ct.m, C.m, prec);
    if (!arb_mat_approx_solve(Z.m, K.m, Y.m, prec)) {
        out.note = "C^T C is singular in floating point: no Cramér–Rao bound computed";
        return out;
    }
    for (std::size_t k = 0; k < N; ++k) {
        double h = 0, p = 0;  // ((FᵀF)⁺)_kk = y_kᵀ K⁻¹ y_k, P_kk = r_kᵀ y_k
        for (std::size_t q = 0; q < r; ++q) {
            const double yq = mid(Y.at(q, k));
            h += yq * mid(Z.at(q, k));
            p += yq * mid(R.at(q, k));
        }
        out.std.push_back(sigma * std::sqrt(std::max(0.0, h)));
        out.identifiable.push_back(std::clamp(p, 0.0, 1.0));
    }
    out.computed = true;
    out.note =
        out.full_column_rank
            ? "F has full column rank: every unbiased estimator's std is at least sigma*sqrt(((F^T F)^-1)_kk) (an "
              "estimate of that bound, in floating point)"
            : "F has rank " + std::to_string(r) + " < N = " + std::to_string(N) +
                  ": x is not identifiable; sigma*sqrt(((F^T F)^+)_kk) bounds unbiased estimators of its row-space "
                  "projection P x (identifiable_k = P_kk; an estimate of that bound, in floating point)";
    return out;
}

StdAgreement compare_std(std::span<const double> a, std::span<const double> b, const std::vector<bool>& mask) {
    if (a.size() != b.size() || (!mask.empty() && mask.size() != a.size()))
        throw ShapeError("compare_std: maps of " + std::to_string(a.size()) + " and " + std::to_string(b.size()) +
                         " pixels" + (mask.empty() ? "" : " with a mask of " + std::to_string(mask.size())));
    StdAgreement r;
    double sa = 0, sb = 0;
    std::vector<double> ratios;
    std::size_t below = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
        if (!mask.empty() && !mask[k]) continue;
        ++r.pixels;
        sa += a[k];
        sb += b[k];
        if (b[k] > 0) ratios.push_back(a[k] / b[k]);
        below += a[k] < b[k];
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (r.pixels == 0) return {nan, nan, nan, 0};
    const double ma = sa / static_cast<double>(r.pixels), mb = sb / static_cast<double>(r.pixels);
    double cab = 0, caa = 0, cbb = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
        if (!mask.empty() && !mask[k]) continue;
        cab += (a[k] - ma) * (b[k] - mb);
        caa += (a[k] - ma) * (a[k] - ma);
        cbb += (b[k] - mb) * (b[k] - mb);
    }
    r.correlation = caa > 0 && cbb > 0 ? cab / std::sqrt(caa * cbb) : nan;
    r.fraction_below = static_cast<double>(below) / static_cast<double>(r.pixels);
    if (ratios.empty()) {
        r.median_ratio = nan;
    } else {
        std::sort(ratios.begin(), ratios.end());
        const std::size_t h = ratios.size() / 2;
        r.median_ratio = ratios.size() % 2 ? ratios[h] : 0.5 * (ratios[h - 1] + ratios[h]);
    }
    return r;
}

namespace {

std::size_t half_of(std::size_t n) {
    if (n % 2) throw ShapeError("complex outputs: " + std::to_string(n) + " real values, expected (Re | Im) pairs");
    return n / 2;
}

// √(a_k² + a_{k+N}²) for k < N = a.size()/2
std::vector<double> moduli(const std::vector<double>& a) {
    const std::size_t N = half_of(a.size());
    std::vector<double> r(N);
    for (std::size_t k = 0; k < N; ++k) r[k] = std::hypot(a[k], a[k + N]);
    return r;
}

}  // namespace

LinearizedStd complex_entries(const LinearizedStd& s) {
    half_of(s.std.size());
    return {moduli(s.value), moduli(s.std)};
}

MonteCarloStd complex_entries(const MonteCarloStd& s) {
    const std::size_t N = half_of(s.std.size());
    MonteCarloStd r;
    r.samples = s.samples;
    r.mean = moduli(s.mean);
    r.std = moduli(s.std);
    r.std_error.assign(N, 0.0);
    for (std::size_t k = 0; k < N; ++k)
        if (r.std[k] > 0) r.std_error[k] = (s.std[k] * s.std_error[k] + s.std[k + N] * s.std_error[k + N]) / r.std[k];
    return r;
}

CramerRao complex_entries(const CramerRao& c) {
    CramerRao r = c;
    if (!c.computed) return r;
    const std::size_t N = half_of(c.std.size());
    r.std = moduli(c.std);  // σ√(h_kk + h_{k+N,k+N}) = √(std_k² + std_{k+N}²)
    r.identifiable.assign(N, 0.0);
    for (std::size_t k = 0; k < N; ++k) r.identifiable[k] = (c.identifiable[k] + c.identifiable[k + N]) / 2;
    return r;
}

}  // namespace rigornet
