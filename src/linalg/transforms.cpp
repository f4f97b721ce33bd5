#include "rigornet/linalg/transforms.hpp"

#include <acb_dft.h>
#include <fftw3.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>

namespace rigornet {

Shape::Shape(std::vector<std::size_t> d) : dims(std::move(d)) {
    if (dims.empty()) throw ShapeError("shape with no dimensions");
    std::size_t total = 1;
    for (std::size_t n : dims) {
        if (n < 2 || (n & (n - 1)) != 0 || n > (std::size_t{1} << 24))
            throw ShapeError("every side must be a power of two between 2 and 2^24, got " + std::to_string(n));
        total *= n;  // no overflow: checked against 2^31 after each factor ≤ 2^24
        if (total > (std::size_t{1} << 31))
            throw ResourceError("arrays of more than 2^31 values refused (the shape's product is larger)");
    }
}

std::size_t Shape::size() const {
    std::size_t s = 1;
    for (std::size_t n : dims) s *= n;
    return s;
}

namespace {

int log2_exact(std::size_t n) { return std::countr_zero(n); }

// Calls f(base, stride) for each line along `axis` of the box [0, ext_b) (every axis b)
// of a row-major array with sides `dims`.
template <class F>
void for_each_line(const std::vector<std::size_t>& dims, const std::vector<std::size_t>& ext, std::size_t axis, F f) {
    const std::size_t D = dims.size();
    std::vector<std::size_t> stride(D, 1), idx(D, 0);
    for (std::size_t b = D - 1; b > 0; --b) stride[b - 1] = stride[b] * dims[b];
    for (;;) {
        std::size_t base = 0;
        for (std::size_t b = 0; b < D; ++b) base += idx[b] * stride[b];
        f(base, stride[axis]);
        // odometer over the axes other than `axis`, last axis fastest
        std::size_t b = D;
        bool advanced = false;
        while (b-- > 0) {
            if (b == axis) continue;
            if (++idx[b] < ext[b]) {
                advanced = true;
                break;
            }
            idx[b] = 0;
        }
        if (!advanced) return;
    }
}

// 2^(−e/2) in arithmetic ar. Rational for even e; for odd e irrational, so only balls
// (enclosing it) and the FFT path's binary64 values (the nearest double, with its error
// bound for a certified arithmetic) represent it; the other arithmetics refuse.
template <class Arith>
typename Arith::value_type inv_sqrt_pow2(const Arith& ar, int e, const char* what) {
    Rational half(1);
    fmpq_div_2exp(half.get(), half.get(), static_cast<ulong>(e / 2));
    if (e % 2 == 0) return ar.from_rational(half);
    if constexpr (Arith::arb_balls) {
        Ball r(Rational(1, 2), ar.prec);
        arb_sqrt(r.get(), r.get(), ar.prec);
        arb_mul_2exp_si(r.get(), r.get(), -(e / 2));
        return r;
    } else if constexpr (Arith::fft_path) {
        // sqrt(0.5) is correctly rounded: |v − 2^(−1/2)| ≤ 2^−53·v; scaling by 2^−k is exact.
        double v = std::ldexp(std::sqrt(0.5), -(e / 2));
        return ar.from_binary64(v, std::nextafter(std::ldexp(v, -53), 1.0) + std::numeric_limits<double>::denorm_min());
    } else {
        throw DomainError(std::string(what) + ": the orthonormal scaling 2^(-" + std::to_string(e) +
                          "/2) is irrational; use ball or double arithmetic");
    }
}

template <class Arith, class V>
void scale_all(const Arith& ar, std::span<V> v, const V& s) {
    for (auto& x : v) ar.mul(x, s, x);
}

// Multiplies the box [0, ext) by s.
template <class Arith, class V>
void scale_box(const Arith& ar, const std::vector<std::size_t>& dims, const std::vector<std::size_t>& ext, std::span<V> v,
               const V& s) {
    for_each_line(dims, ext, dims.size() - 1, [&](std::size_t base, std::size_t stride) {
        for (std::size_t k = 0; k < ext.back(); ++k) ar.mul(v[base + k * stride], s, v[base + k * stride]);
    });
}

std::size_t bit_reverse(std::size_t v, int bits) {
    std::size_t r = 0;
    for (int b = 0; b < bits; ++b) r |= ((v >> b) & 1) << (bits - 1 - b);
    return r;
}

}  // namespace

// ------------------------------------------------------------------ Walsh–Hadamard

WalshHadamard::WalshHadamard(Shape shape, WalshOrder order) : shape_(std::move(shape)), order_(order) {
    for (std::size_t n : shape_.dims) {
        // Sylvester (natural) row h has sequency s where h = bitreverse(gray(s)).
        std::vector<std::size_t> p(n);
        const int bits = log2_exact(n);
        for (std::size_t s = 0; s < n; ++s) p[s] = order_ == WalshOrder::natural ? s : bit_reverse(s ^ (s >> 1), bits);
        perm_.push_back(std::move(p));
    }
}

template <class Arith>
void WalshHadamard::apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                               std::span<typename Arith::value_type> y) const {
    using V = typename Arith::value_type;
    std::copy(x.begin(), x.end(), y.begin());
    std::vector<V> buf;
    V s, d;
    for (std::size_t a = 0; a < shape_.rank(); ++a) {
        const std::size_t n = shape_.dims[a];
        buf.resize(n);
        for_each_line(shape_.dims, shape_.dims, a, [&](std::size_t base, std::size_t stride) {
            for (std::size_t k = 0; k < n; ++k) buf[k] = y[base + k * stride];
            for (std::size_t h = 1; h < n; h *= 2)  // unnormalised Sylvester butterflies
                for (std::size_t i = 0; i < n; i += 2 * h)
                    for (std::size_t j = i; j < i + h; ++j) {
                        ar.add(s, buf[j], buf[j + h]);
                        ar.sub(d, buf[j], buf[j + h]);
                        std::swap(buf[j], s);
                        std::swap(buf[j + h], d);
                    }
            for (std::size_t k = 0; k < n; ++k) y[base + k * stride] = buf[perm_[a][k]];
        });
    }
    scale_all(ar, y, inv_sqrt_pow2(ar, log2_exact(shape_.size()), "Walsh-Hadamard transform"));
}

namespace {

// An upper bound on √2 and one on 2^(−e/2) (the transforms' scaling), and the relative
// error of that scaling as computed by inv_sqrt_pow2 and one rounded product: 0 for even
// e (a power of two), 2u + u² for odd e (fl(√½) within u, then the product's rounding).
constexpr double sqrt2_upper = 0x1.6a09e667f3bcdp+0;  // fl(√2) = 0x1.6a09e667f3bccp+0 < √2
double scale_upper(int e) { return e % 2 == 0 ? std::ldexp(1.0, -(e / 2)) : std::ldexp(0x1.6a09e667f3bcdp-1, -(e / 2)); }
double scale_eps(int e) { return e % 2 == 0 ? 0.0 : tracked_detail::uadd(2 * tracked_detail::u, 0x1p-106); }

// One rounded butterfly stage per axis of a box of `stages` stages, then the scaling by
// 2^(−e/2) on `entries` values (η each for underflow); scale_first for the inverse order.
void butterfly_chain(ErrorChain& c, int stages, int e, double entries, bool scale_first) {
    const double eta_scale = tracked_detail::umul(std::sqrt(entries) + 1, tracked_detail::eta);
    if (scale_first) c.stage(scale_upper(e), scale_eps(e), eta_scale);
    for (int k = 0; k < stages; ++k) c.stage(sqrt2_upper, tracked_detail::u, 0.0);
    if (!scale_first) c.stage(scale_upper(e), scale_eps(e), eta_scale);
}

DoubleErrorBound from_chain(const ErrorChain& c) {
    using tracked_detail::uadd;
    DoubleErrorBound b{1.0, c.rel, c.abs, uadd(c.peak, c.b)};
    return b.claims() ? b : DoubleErrorBound{};
}

}  // namespace

DoubleErrorBound WalshHadamard::double_error_bound() const {
    ErrorChain c;
    const int L = log2_exact(shape_.size());
    butterfly_chain(c, L, L, static_cast<double>(shape_.size()), false);
    return from_chain(c);
}

// ------------------------------------------------------------------ Haar

Haar::Haar(Shape shape, int levels) : shape_(std::move(shape)), levels_(levels) {
    const std::size_t smallest = *std::min_element(shape_.dims.begin(), shape_.dims.end());
    if (levels < 1 || levels > log2_exact(smallest))
        throw ShapeError("Haar levels must be between 1 and log2(smallest side) = " + std::to_string(log2_exact(smallest)) +
                         ", got " + std::to_string(levels));
}

std::vector<int> Haar::coefficient_levels() const {
    const std::size_t D = shape_.rank(), N = shape_.size();
    std::vector<int> out(N);
    for (std::size_t flat = 0; flat < N; ++flat) {
        std::size_t rest = flat;
        int level = 1;
        for (std::size_t b = D; b-- > 0;) {
            std::size_t i = rest % shape_.dims[b];
            rest /= shape_.dims[b];
            std::size_t c = shape_.dims[b] >> levels_;
            int l = i < 2 * c ? 1 : static_cast<int>(std::bit_width(i / c));
            level = std::max(level, l);
        }
        out[flat] = level;
    }
    return out;
}

DoubleErrorBound Haar::double_error_bound() const {
    const int d = static_cast<int>(shape_.rank());
    const double N = static_cast<double>(shape_.size());
    ErrorChain levels[2];
    double peak = 1;
    for (int order = 0; order < 2; ++order)
        for (int level = 0; level < levels_; ++level) {
            ErrorChain box;  // relative to the level's input norm (≥ the box's)
            butterfly_chain(box, d, d, N, order == 1);
            peak = std::max(peak, tracked_detail::umul(box.peak, levels[order].a));
            levels[order].stage(1.0, box.rel, box.abs);
        }
    DoubleErrorBound b = from_chain(levels[0]), a = from_chain(levels[1]);
    if (!b.claims() || !a.claims()) return {};
    return {1.0, std::max(a.rel, b.rel), std::max(a.abs, b.abs),
            tracked_detail::uadd(std::max({peak, a.growth, b.growth}), std::max(levels[0].b, levels[1].b))};
}

template <class Arith>
void Haar::apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                      std::span<typename Arith::value_type> y) const {
    using V = typename Arith::value_type;
    std::copy(x.begin(), x.end(), y.begin());
    const V s = inv_sqrt_pow2(ar, static_cast<int>(shape_.rank()), "Haar transform");
    std::vector<std::size_t> ext = shape_.dims;
    std::vector<V> buf;
    for (int level = 0; level < levels_; ++level) {
        for (std::size_t a = 0; a < shape_.rank(); ++a) {
            const std::size_t m = ext[a];
            buf.resize(m);
            for_each_line(shape_.dims, ext, a, [&](std::size_t base, std::size_t stride) {
                for (std::size_t k = 0; k < m / 2; ++k) {
                    ar.add(buf[k], y[base + 2 * k * stride], y[base + (2 * k + 1) * stride]);
                    ar.sub(buf[m / 2 + k], y[base + 2 * k * stride], y[base + (2 * k + 1) * stride]);
                }
                for (std::size_t k = 0; k < m; ++k) std::swap(y[base + k * stride], buf[k]);
            });
        }
        scale_box(ar, shape_.dims, ext, y, s);
        for (auto& e : ext) e /= 2;
    }
}

template <class Arith>
void Haar::adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                        std::span<typename Arith::value_type> x) const {
    using V = typename Arith::value_type;
    std::copy(y.begin(), y.end(), x.begin());
    const V s = inv_sqrt_pow2(ar, static_cast<int>(shape_.rank()), "Haar transform");
    std::vector<V> buf;
    for (int level = levels_ - 1; level >= 0; --level) {
        std::vector<std::size_t> ext = shape_.dims;
        for (auto& e : ext) e >>= level;
        scale_box(ar, shape_.dims, ext, x, s);
        for (std::size_t a = 0; a < shape_.rank(); ++a) {
            const std::size_t m = ext[a];
            buf.resize(m);
            for_each_line(shape_.dims, ext, a, [&](std::size_t base, std::size_t stride) {
                for (std::size_t k = 0; k < m / 2; ++k) {
                    ar.add(buf[2 * k], x[base + k * stride], x[base + (m / 2 + k) * stride]);
                    ar.sub(buf[2 * k + 1], x[base + k * stride], x[base + (m / 2 + k) * stride]);
                }
                for (std::size_t k = 0; k < m; ++k) std::swap(x[base + k * stride], buf[k]);
            });
        }
    }
}

// ------------------------------------------------------------------ subsampling

Subsample::Subsample(std::size_t n, std::vector<std::size_t> omega) : n_(n), omega_(std::move(omega)) {
    // sorted copy, not an n-entry table: memory O(|Ω|) however large n is declared
    std::vector<std::size_t> sorted = omega_;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        const std::size_t k = sorted[i];
        if (k >= n) throw ShapeError("sampling index " + std::to_string(k) + " outside 0.." + std::to_string(n - 1));
        if (i > 0 && sorted[i - 1] == k) throw ShapeError("sampling index " + std::to_string(k) + " appears twice");
    }
    if (omega_.empty()) throw ShapeError("empty sampling pattern");
}

template <class Arith>
void Subsample::apply_impl(const Arith&, std::span<const typename Arith::value_type> x,
                           std::span<typename Arith::value_type> y) const {
    for (std::size_t k = 0; k < omega_.size(); ++k) y[k] = x[omega_[k]];
}

template <class Arith>
void Subsample::adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                             std::span<typename Arith::value_type> x) const {
    for (auto& v : x) ar.zero(v);
    for (std::size_t k = 0; k < omega_.size(); ++k) x[omega_[k]] = y[k];
}

// ------------------------------------------------------------------ Fourier

namespace {

struct DftPreDeleter {
    void operator()(acb_dft_pre_struct* p) const {
        acb_dft_precomp_clear(p);
        delete p;
    }
};
using DftPre = std::unique_ptr<acb_dft_pre_struct, DftPreDeleter>;

}  // namespace

// FFTW plans (made on first use) and Arb's DFT precomputations, one per axis for each
// precision used (made on first use at that precision, then only read: shared by
// concurrent applications). `mutex` guards the creation of both.
struct FourierSampling::Plans {
    fftw_plan forward = nullptr, backward = nullptr;
    std::map<long, std::shared_ptr<const std::vector<DftPre>>> dft;
    std::mutex mutex;

    std::shared_ptr<const std::vector<DftPre>> dft_precomp(const Shape& shape, long prec) {
        std::lock_guard<std::mutex> lock(mutex);
        auto& slot = dft[prec];
        if (!slot) {
            auto axes = std::make_shared<std::vector<DftPre>>();
            for (std::size_t n : shape.dims) {
                DftPre pre(new acb_dft_pre_struct);
                acb_dft_precomp_init(pre.get(), static_cast<slong>(n), prec);
                axes->push_back(std::move(pre));
            }
            slot = std::move(axes);
        }
        return slot;
    }
};

FourierSampling::FourierSampling(Shape shape, std::vector<std::size_t> omega, bool complex_input)
    : shape_(std::move(shape)), omega_(std::move(omega)), complex_(complex_input), plans_(std::make_unique<Plans>()) {
    Subsample(shape_.size(), omega_);  // validates Ω
}

FourierSampling::~FourierSampling() {
    if (plans_->forward) fftw_destroy_plan(plans_->forward);
    if (plans_->backward) fftw_destroy_plan(plans_->backward);
}

namespace {

// In-place orthonormal DFT (sign −1) or its inverse (sign +1) of a d-dimensional complex
// array in balls: Arb's acb_dft along each axis (the inverse through conjugation).
// `pre` holds one precomputation per axis, made at precision prec.
void acb_dft_nd(acb_ptr v, const Shape& shape, const std::vector<DftPre>& pre_axes, bool inverse, long prec) {
    const std::size_t N = shape.size();
    if (inverse)
        for (std::size_t i = 0; i < N; ++i) acb_conj(v + i, v + i);
    for (std::size_t a = 0; a < shape.rank(); ++a) {
        const std::size_t n = shape.dims[a];
        const acb_dft_pre_struct* pre = pre_axes[a].get();
        acb_ptr in = _acb_vec_init(static_cast<slong>(n)), out = _acb_vec_init(static_cast<slong>(n));
        for_each_line(shape.dims, shape.dims, a, [&](std::size_t base, std::size_t stride) {
            for (std::size_t k = 0; k < n; ++k) acb_swap(in + k, v + base + k * stride);
            acb_dft_precomp(out, in, pre, prec);
            for (std::size_t k = 0; k < n; ++k) acb_swap(v + base + k * stride, out + k);
        });
        _acb_vec_clear(in, static_cast<slong>(n));
        _acb_vec_clear(out, static_cast<slong>(n));
    }
    arb_t s;
    arb_init(s);
    arb_set_ui(s, N);
    arb_rsqrt(s, s, prec);
    for (std::size_t i = 0; i < N; ++i) {
        if (inverse) acb_conj(v + i, v + i);
        acb_mul_arb(v + i, v + i, s, prec);
    }
    arb_clear(s);
}

// The double FFT path serves every fft_path arithmetic alike: the binary64 values go
// through the same code (so they are bit-identical to DoubleArith's), and the results
// claim nothing (from_binary64 with error +∞: the FFT's rounding is not tracked).
constexpr double unclaimed = std::numeric_limits<double>::infinity();

// FFTW on a d-dimensional complex array, unnormalised; the plan is made on first use.
void fftw_nd(fftw_plan& plan, std::mutex& mutex, const Shape& shape, int sign, fftw_complex* in, fftw_complex* out) {
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (!plan) {
            std::vector<int> n(shape.dims.begin(), shape.dims.end());
            plan = fftw_plan_dft(static_cast<int>(n.size()), n.data(), in, out, sign, FFTW_ESTIMATE);
        }
    }
    fftw_execute_dft(plan, in, out);
}

}  // namespace

template <class Arith>
void FourierSampling::apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                                 std::span<typename Arith::value_type> y) const {
    const std::size_t N = shape_.size(), m = omega_.size();
    if constexpr (Arith::fft_path) {
        fftw_complex* in = fftw_alloc_complex(N);
        fftw_complex* out = fftw_alloc_complex(N);
        for (std::size_t t = 0; t < N; ++t) {
            in[t][0] = ar.binary64(x[t]);
            in[t][1] = complex_ ? ar.binary64(x[N + t]) : 0.0;
        }
        fftw_nd(plans_->forward, plans_->mutex, shape_, FFTW_FORWARD, in, out);
        const double s = 1.0 / std::sqrt(static_cast<double>(N));
        for (std::size_t k = 0; k < m; ++k) {
            y[k] = ar.from_binary64(out[omega_[k]][0] * s, unclaimed);
            y[m + k] = ar.from_binary64(out[omega_[k]][1] * s, unclaimed);
        }
        fftw_free(in);
        fftw_free(out);
    } else if constexpr (Arith::arb_balls) {
        acb_ptr v = _acb_vec_init(static_cast<slong>(N));
        for (std::size_t t = 0; t < N; ++t) {
            arb_set(acb_realref(v + t), x[t].get());
            if (complex_) arb_set(acb_imagref(v + t), x[N + t].get());
        }
        acb_dft_nd(v, shape_, *plans_->dft_precomp(shape_, ar.prec), false, ar.prec);
        for (std::size_t k = 0; k < m; ++k) {
            arb_set(y[k].get(), acb_realref(v + omega_[k]));
            arb_set(y[m + k].get(), acb_imagref(v + omega_[k]));
        }
        _acb_vec_clear(v, static_cast<slong>(N));
    } else {
        (void)ar;
        throw DomainError(std::string("the DFT has irrational entries: ") + Arith::name +
                          " arithmetic cannot apply it; use ball (certified) or double");
    }
}

template <class Arith>
void FourierSampling::adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                                   std::span<typename Arith::value_type> x) const {
    const std::size_t N = shape_.size(), m = omega_.size();
    if constexpr (Arith::fft_path) {
        fftw_complex* in = fftw_alloc_complex(N);
        fftw_complex* out = fftw_alloc_complex(N);
        for (std::size_t t = 0; t < N; ++t) in[t][0] = in[t][1] = 0.0;
        for (std::size_t k = 0; k < m; ++k) {
            in[omega_[k]][0] = ar.binary64(y[k]);
            in[omega_[k]][1] = ar.binary64(y[m + k]);
        }
        fftw_nd(plans_->backward, plans_->mutex, shape_, FFTW_BACKWARD, in, out);
        const double s = 1.0 / std::sqrt(static_cast<double>(N));
        for (std::size_t t = 0; t < N; ++t) {
            x[t] = ar.from_binary64(out[t][0] * s, unclaimed);
            if (complex_) x[N + t] = ar.from_binary64(out[t][1] * s, unclaimed);
        }
        fftw_free(in);
        fftw_free(out);
    } else if constexpr (Arith::arb_balls) {
        acb_ptr v = _acb_vec_init(static_cast<slong>(N));
        for (std::size_t k = 0; k < m; ++k) {
            arb_set(acb_realref(v + omega_[k]), y[k].get());
            arb_set(acb_imagref(v + omega_[k]), y[m + k].get());
        }
        acb_dft_nd(v, shape_, *plans_->dft_precomp(shape_, ar.prec), true, ar.prec);
        for (std::size_t t = 0; t < N; ++t) {
            arb_set(x[t].get(), acb_realref(v + t));
            if (complex_) arb_set(x[N + t].get(), acb_imagref(v + t));
        }
        _acb_vec_clear(v, static_cast<slong>(N));
    } else {
        (void)ar;
        throw DomainError(std::string("the DFT has irrational entries: ") + Arith::name +
                          " arithmetic cannot apply it; use ball (certified) or double");
    }
}

// ------------------------------------------------------------------ rational Fourier A_n

FourierSamplingRational::FourierSamplingRational(Shape shape, std::vector<std::size_t> omega, long accuracy,
                                                 bool complex_input)
    : shape_(std::move(shape)), omega_(std::move(omega)), accuracy_(accuracy), complex_(complex_input) {
    Subsample(shape_.size(), omega_);  // validates Ω
    if (accuracy < 1 || accuracy > 100000) throw DomainError("Fourier accuracy must be between 1 and 100000 bits");
    Rational target(1);
    fmpq_div_2exp(target.get(), target.get(), static_cast<ulong>(accuracy));
    // the least b with Π_a (1 + L_a ε (1+ε)^(L_a − 1)) − 1 ≤ 2^−accuracy, ε = √2·2^−b;
    // √2 is bounded above by 1.5 (so the bound stays rational and is still proved)
    for (bits_ = accuracy + 2;; ++bits_) {
        Rational eps(3, 2);
        fmpq_div_2exp(eps.get(), eps.get(), static_cast<ulong>(bits_));
        Rational prod(1);
        for (std::size_t n : shape_.dims) {
            const long L = std::countr_zero(n);
            Rational g(1);
            for (long i = 1; i < L; ++i) g *= Rational(1) + eps;
            prod *= Rational(1) + Rational(L) * eps * g;
        }
        bound_ = prod - Rational(1);
        if (bound_ <= target) break;
    }
    // twiddles e^(−2πij/n) = cos(2πj/n) − i sin(2πj/n), each part rounded to 2^−b
    // (Arb encloses them at b + 64 bits; the midpoint is rounded to the nearest
    // multiple of 2^−b, within 2^−b of the true value since the radius is tiny)
    const long prec = bits_ + 64;
    for (std::size_t n : shape_.dims) {
        std::vector<Rational> cs(n);
        arb_t sn, cn;
        arb_init(sn);
        arb_init(cn);
        fmpz_t m;
        fmpz_init(m);
        for (std::size_t j = 0; j < n / 2; ++j) {
            Rational q(static_cast<long>(2 * j), static_cast<long>(n));
            arb_sin_cos_pi_fmpq(sn, cn, q.get(), prec);
            arb_neg(sn, sn);
            arb_mul_2exp_si(sn, sn, bits_);
            arb_mul_2exp_si(cn, cn, bits_);
            for (int part = 0; part < 2; ++part) {
                arf_get_fmpz(m, arb_midref(part ? sn : cn), ARF_RND_NEAR);
                Rational& r = cs[part ? n / 2 + j : j];
                fmpz_set(fmpq_numref(r.get()), m);
                fmpz_one(fmpq_denref(r.get()));
                fmpq_div_2exp(r.get(), r.get(), static_cast<ulong>(bits_));
            }
        }
        fmpz_clear(m);
        arb_clear(sn);
        arb_clear(cn);
        twiddles_.push_back(std::make_shared<const EntryCache>(std::move(cs)));
    }
}

std::size_t FourierSamplingRational::stored_entries() const {
    std::size_t n = 0;
    for (std::size_t d : shape_.dims) n += d;
    return n;
}

// In-place unnormalised radix-2 DIT FFT along every axis with the rounded twiddles
// (F̃ = S_L ⋯ S_1 P per axis), or its exact adjoint (Pᵀ S_1ᴴ ⋯ S_Lᴴ).
template <class Arith>
void FourierSamplingRational::transform(const Arith& ar, std::vector<typename Arith::value_type>& re,
                                        std::vector<typename Arith::value_type>& im, bool adjoint) const {
    using V = typename Arith::value_type;
    std::vector<V> lr, li;
    V tr, ti, t;
    for (std::size_t a = 0; a < shape_.rank(); ++a) {
        const std::size_t n = shape_.dims[a];
        const int L = std::countr_zero(n);
        const auto& tw = twiddles_[a]->get(ar);  // [cos…, −sin…]
        lr.resize(n);
        li.resize(n);
        // w·(xr + i xi) with w = c + i s (or its conjugate for the adjoint)
        auto twiddle = [&](V& outr, V& outi, const V& xr, const V& xi, std::size_t j) {
            const V& c = tw[j];
            const V& sgn = tw[n / 2 + j];
            ar.mul(outr, c, xr);
            ar.mul(t, sgn, xi);
            adjoint ? ar.add(outr, outr, t) : ar.sub(outr, outr, t);
            ar.mul(outi, c, xi);
            ar.mul(t, sgn, xr);
            adjoint ? ar.sub(outi, outi, t) : ar.add(outi, outi, t);
        };
        auto permute = [&] {
            for (std::size_t k = 0; k < n; ++k) {
                std::size_t r = bit_reverse(k, L);
                if (r > k) {
                    std::swap(lr[k], lr[r]);
                    std::swap(li[k], li[r]);
                }
            }
        };
        for_each_line(shape_.dims, shape_.dims, a, [&](std::size_t base, std::size_t stride) {
            for (std::size_t k = 0; k < n; ++k) {
                lr[k] = re[base + k * stride];
                li[k] = im[base + k * stride];
            }
            if (!adjoint) {
                permute();
                for (std::size_t len = 2; len <= n; len *= 2)
                    for (std::size_t i = 0; i < n; i += len)
                        for (std::size_t k = 0; k < len / 2; ++k) {  // (u, v) ↦ (u + w v, u − w v)
                            V& ur = lr[i + k];
                            V& ui = li[i + k];
                            twiddle(tr, ti, lr[i + k + len / 2], li[i + k + len / 2], k * (n / len));
                            ar.sub(lr[i + k + len / 2], ur, tr);
                            ar.sub(li[i + k + len / 2], ui, ti);
                            ar.add(ur, ur, tr);
                            ar.add(ui, ui, ti);
                        }
            } else {
                for (std::size_t len = n; len >= 2; len /= 2)
                    for (std::size_t i = 0; i < n; i += len)
                        for (std::size_t k = 0; k < len / 2; ++k) {  // adjoint: (u, v) ↦ (u + v, w̄ (u − v))
                            V& ur = lr[i + k];
                            V& ui = li[i + k];
                            V& vr = lr[i + k + len / 2];
                            V& vi = li[i + k + len / 2];
                            V dr, di;
                            ar.sub(dr, ur, vr);
                            ar.sub(di, ui, vi);
                            ar.add(ur, ur, vr);
                            ar.add(ui, ui, vi);
                            twiddle(vr, vi, dr, di, k * (n / len));
                        }
                permute();
            }
            for (std::size_t k = 0; k < n; ++k) {
                re[base + k * stride] = lr[k];
                im[base + k * stride] = li[k];
            }
        });
    }
}

template <class Arith>
void FourierSamplingRational::apply_impl(const Arith& ar, std::span<const typename Arith::value_type> x,
                                         std::span<typename Arith::value_type> y) const {
    using V = typename Arith::value_type;
    const std::size_t N = shape_.size(), m = omega_.size();
    std::vector<V> re(x.begin(), x.begin() + static_cast<long>(N)), im(N);
    for (std::size_t t = 0; t < N; ++t)
        if (complex_)
            im[t] = x[N + t];
        else
            ar.zero(im[t]);
    transform(ar, re, im, false);
    const V s = inv_sqrt_pow2(ar, std::countr_zero(N), "rational Fourier transform");
    for (std::size_t k = 0; k < m; ++k) {
        ar.mul(y[k], s, re[omega_[k]]);
        ar.mul(y[m + k], s, im[omega_[k]]);
    }
}

template <class Arith>
void FourierSamplingRational::adjoint_impl(const Arith& ar, std::span<const typename Arith::value_type> y,
                                           std::span<typename Arith::value_type> x) const {
    using V = typename Arith::value_type;
    const std::size_t N = shape_.size(), m = omega_.size();
    std::vector<V> re(N), im(N);
    for (auto& v : re) ar.zero(v);
    for (auto& v : im) ar.zero(v);
    for (std::size_t k = 0; k < m; ++k) {
        re[omega_[k]] = y[k];
        im[omega_[k]] = y[m + k];
    }
    transform(ar, re, im, true);
    const V s = inv_sqrt_pow2(ar, std::countr_zero(N), "rational Fourier transform");
    for (std::size_t t = 0; t < N; ++t) {
        ar.mul(x[t], s, re[t]);
        if (complex_) ar.mul(x[N + t], s, im[t]);
    }
}

RIGORNET_INSTANTIATE_OPERATOR(FourierSamplingRational)
RIGORNET_INSTANTIATE_OPERATOR(WalshHadamard)
RIGORNET_INSTANTIATE_OPERATOR(Haar)
RIGORNET_INSTANTIATE_OPERATOR(Subsample)
RIGORNET_INSTANTIATE_OPERATOR(FourierSampling)

}  // namespace rigornet
