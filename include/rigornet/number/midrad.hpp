// rigornet — midpoint–radius arithmetic in binary64 (Rump), with a compensated midpoint.
//
// A value {mid, lo, rad} stands for every real x with |x − (mid + lo)| ≤ rad, where
// mid + lo is the exact (unevaluated) sum of two doubles: the midpoint is a double-double.
//   mid  is bit-for-bit what DoubleArith computes for the same expression (the same
//        operations in the same order; the dense kernel sums in DoubleArith's order),
//   lo   is a signed first-order estimate of the exact value minus mid, carried with
//        error-free transformations (TwoSum, Knuth; TwoProduct with std::fma), and
//   rad  bounds everything else: second-order terms and the rounding of lo itself.
// So the double result mid satisfies |mid − x| ≤ |lo| + rad (the printed bound of the
// double value), and the enclosure's own radius rad is about u times smaller.
//
// Error model (IEEE binary64, round to nearest, no contraction: -ffp-contract=off):
// |fl(a∘b) − a∘b| ≤ u·|fl(a∘b)| + η with u = 2^−53, η = 2^−1074 (η only for ·, / and fma;
// sums are exact in the subnormal range); fma(a, b, c) rounds once. TwoSum is error-free
// without overflow, also with underflow (Knuth, TAOCP 4.2.2; Boldo–Graillat–Muller 2017).
// Upper bounds on non-negative quantities round upward by stepping one ulp up after each
// operation (tracked_detail::up, as TrackedDoubleArith does), so no rounding mode is ever
// switched; the dense kernel instead sums in round to nearest and inflates once by an a
// priori factor (Rump 1999 "Fast and parallel interval arithmetic", BIT 39; Rump 2012
// "Fast interval matrix multiplication", Numer. Algorithms 61; Higham, Accuracy and
// Stability, §3.1 and (4.3)). A result whose mid or bound is not finite has rad = +∞:
// no claim, never a wrong finite bound.
// Proofs of each rule: next to each operation here, in full in src/number/midrad.cpp.
#pragma once
#include <cmath>
#include <span>

#include "rigornet/number/arith.hpp"

namespace rigornet {

/// Some real x with |x − (mid + lo)| ≤ rad (mid + lo summed exactly).
struct MidRad {
    double mid = 0.0;
    double lo = 0.0;
    double rad = 0.0;
};

/// A ball containing every x the value stands for: centre mid + lo (rounded at prec,
/// Arb adding the rounding to the radius), radius rad added exactly. +∞ radius when the
/// value makes no claim.
Ball to_ball(const MidRad& a, long prec);

/// An upper bound on |mid − x| for every x the value stands for: |lo| + rad rounded up
/// (+∞ when there is no claim).
double double_error_bound(const MidRad& a);

/// Midpoint–radius arithmetic: every result stands for (encloses) the exact result of
/// the same operation on any reals the operands stand for; `mid` is DoubleArith's value.
/// Division by the exact zero value throws DomainError; a divisor whose enclosure may
/// contain 0 gives rad = +∞. sqrt_θ of a value proved negative throws DomainError.
/// On the FFT path a value's binary64 value is mid and from_binary64(v, err) = {v, 0, err}.
struct MidRadArith {
    using value_type = MidRad;
    static constexpr const char* name = "midrad";
    static constexpr bool certified = true, exact = false, per_precision = false, arb_balls = false, fft_path = true;

    /// mid = RN(x), lo = RN(x − mid), rad ≥ |x − mid − lo| (computed exactly, rounded up).
    MidRad from_rational(const Rational& x) const;
    void zero(MidRad& r) const { r = MidRad{}; }
    /// (s, e) = TwoSum(a.mid, b.mid) is exact; lo = fl(fl(a.lo + b.lo) + e) with two
    /// roundings ≤ u·|t| each: rad = a.rad + b.rad + u(|t₁| + |t₂|), rounded up.
    void add(MidRad& r, const MidRad& a, const MidRad& b) const;
    void sub(MidRad& r, const MidRad& a, const MidRad& b) const { add(r, a, MidRad{-b.mid, -b.lo, b.rad}); }
    /// With â = a.mid + a.lo, x = â + δa, y = b̂ + δb and (p, e) = TwoProduct(a.mid, b.mid):
    /// xy = p + e + a.mid·b.lo + a.lo·b.mid + a.lo·b.lo + â·δb + b̂·δa + δa·δb, so with
    /// lo = fl(fl(fl(a.mid·b.lo) + fl(a.lo·b.mid)) + e): rad = (|a.mid| + |a.lo|)·b.rad +
    /// (|b.mid| + |b.lo|)·a.rad + a.rad·b.rad + |a.lo|·|b.lo| + u·Σ|computed terms| + 3η.
    void mul(MidRad& r, const MidRad& a, const MidRad& b) const;
    /// q = fl(a.mid/b.mid), ρ = fma(−q, b.mid, a.mid) ≈ a.mid − q·b.mid, n = fl(ρ + fl(a.lo − q·b.lo)),
    /// lo = fl(n / b.mid). x/y − q = N/y with N ∈ n ± E, E = a.rad + |q|·b.rad + rounding
    /// of n; and |N/y − n/b.mid| ≤ E/g + |n|(|b.lo| + b.rad)/(g·|b.mid|) where
    /// g = |b.mid| − |b.lo| − b.rad ≤ |y|. rad = +∞ when g ≤ 0 (y may be 0).
    void div(MidRad& r, const MidRad& a, const MidRad& b) const;
    void neg(MidRad& r, const MidRad& a) const { r = {-a.mid, -a.lo, a.rad}; }
    /// acc + w·x as fl(acc + fl(w·x)) (DoubleArith's order): the mul rule, then the add rule.
    void addmul(MidRad& acc, const MidRad& w, const MidRad& x) const {
        MidRad p;
        mul(p, w, x);
        add(acc, acc, p);
    }
    /// ReLU is 1-Lipschitz, so relu(x) ∈ relu(â) ± a.rad; relu(â) is written as
    /// relu(a.mid) + lo exactly (or with one rounding, added to rad). When the enclosure
    /// is proved ≤ 0 the result is exactly 0 (rad 0).
    void relu(MidRad& r, const MidRad& a) const;
    /// min and max are 1-Lipschitz jointly: the result is the operand DoubleArith picks
    /// (by mid), with rad = max(a.rad, b.rad) + an upper bound D ≥ 0 of how far the
    /// picked midpoint may be on the wrong side of the other (0 when the midpoints are
    /// ordered the same way); just the picked rad when the enclosures prove the order.
    void min(MidRad& r, const MidRad& a, const MidRad& b) const;
    void max(MidRad& r, const MidRad& a, const MidRad& b) const;
    void square(MidRad& r, const MidRad& a) const { mul(r, a, a); }
    /// TrackedDoubleArith's rule (arith.hpp) applied to a.mid with error |a.lo| + a.rad:
    /// mid = fl(√max(a.mid, 0)), lo = 0, rad its proved error bound (sqrt_θ rounds to
    /// the 2^−k grid, so a first-order correction would not help).
    void sqrt_theta(MidRad& r, const MidRad& a, long k) const;
    /// Dot product kernel (used by DenseMatrix): r = Σ_j w_j·x_j with mid summed in
    /// DoubleArith's order (fl(acc + fl(w·x)) from 0), lo the compensated first-order
    /// terms summed in round to nearest, and rad = Σ(|ŵ|·x.rad + w.rad·|x̂| + w.rad·x.rad +
    /// |w.lo|·|x.lo|) + γ_{4n}·Σ|lo terms| + 3nη, each sum bounded above a priori from its
    /// round-to-nearest value (proof in midrad.cpp). Sizes must agree (not checked).
    void dot(MidRad& r, std::span<const MidRad> w, std::span<const MidRad> x) const;
    /// y_i = dot(row i of w, x) for every i, w row-major y.size() × x.size() (not
    /// checked): each y_i bit-for-bit what dot gives (the same operations per row, four
    /// rows interleaved; used by DenseMatrix).
    void dot_rows(std::span<MidRad> y, std::span<const MidRad> w, std::span<const MidRad> x) const;
    /// max_radius: the largest enclosure radius rad (+∞ when some value makes no claim; 0 for none).
    LayerSummary summarise(std::span<const MidRad> z) const;
    double binary64(const MidRad& a) const { return a.mid; }
    MidRad from_binary64(double v, double err) const { return {v, 0.0, err}; }
};

static_assert(Arithmetic<MidRadArith>);

}  // namespace rigornet
