// rigornet — the constant part c of an affine layer's bias (DESIGN.md §4), stored by runs
// of equal values: c is zero except on runs [begin, end) that each hold one value, and
// the distinct values are kept once, with their conversions into every arithmetic
// (conversions.hpp). An unrolled solver's threshold bias [−t | t | t | 0 …] is a few runs
// per level of weights, and all its layers share one Bias (copies share the storage).
#pragma once
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "rigornet/number/conversions.hpp"
#include "rigornet/core/error.hpp"

namespace rigornet {

/// A run of a bias: c_i = value for begin ≤ i < end.
struct BiasRun {
    std::size_t begin, end;
    Rational value;
};

/// c ∈ Q^n, immutable; copies share the storage. Lossless: at(i) and dense() return the
/// exact entries it was built from.
class Bias {
public:
    /// The zero vector of size n (nothing stored).
    explicit Bias(std::size_t n = 0);
    /// The given entries (runs of equal consecutive values are merged, zeros dropped).
    Bias(const std::vector<Rational>& entries);  // NOLINT: lossless, implicit
    /// c of size n, zero outside the runs. Runs must lie inside [0, n) and must not
    /// overlap (ShapeError naming the run otherwise); zero runs are dropped.
    static Bias from_runs(std::size_t n, std::vector<BiasRun> runs);

    std::size_t size() const { return n_; }
    bool is_zero() const { return !impl_ || impl_->runs.empty(); }
    const Rational& at(std::size_t i) const;
    std::vector<Rational> dense() const;
    /// Largest bit size of an entry (0 for the zero vector).
    long max_bits() const { return impl_ ? impl_->values.max_bits() : 0; }
    /// Stored runs and distinct stored values (the memory it takes, up to constants).
    std::size_t stored_runs() const { return impl_ ? impl_->runs.size() : 0; }
    std::size_t distinct_values() const { return impl_ ? impl_->values.get(ExactArith{}).size() : 0; }
    /// True when both share one storage (the builder's reuse across layers).
    bool shares_storage_with(const Bias& o) const { return impl_ && impl_ == o.impl_; }

    /// z_i ← z_i + c_i in arithmetic ar for every i with c_i ≠ 0 (z_i untouched where
    /// c_i = 0), c_i converted by ar.from_rational (once per distinct value and, for a
    /// per-precision arithmetic, per precision): the same operations, on the same
    /// values, as adding the converted entries one by one, so with ar's guarantees.
    /// z.size() must be size().
    template <class Arith>
    void add_to(const Arith& ar, std::span<typename Arith::value_type> z) const {
        if (is_zero()) return;
        const auto& v = impl_->values.get(ar);
        for (const Run& r : impl_->runs)
            for (std::size_t i = r.begin; i < r.end; ++i) ar.add(z[i], z[i], v[r.value]);
    }

    /// f(begin, end, value) for every stored run, in increasing order (zero elsewhere).
    template <class F>
    void for_each_run(F&& f) const {
        if (is_zero()) return;
        const auto& v = impl_->values.get(ExactArith{});
        for (const Run& r : impl_->runs) f(r.begin, r.end, v[r.value]);
    }

    /// f(begin, end, value) likewise with each value converted by ar.from_rational
    /// (cached: once per distinct value, and per precision where that matters).
    template <class Arith, class F>
    void for_each_run(const Arith& ar, F&& f) const {
        if (is_zero()) return;
        const auto& v = impl_->values.get(ar);
        for (const Run& r : impl_->runs) f(r.begin, r.end, v[r.value]);
    }

private:
    struct Run {
        std::size_t begin, end, value;  // value: index into the distinct values
    };
    struct Impl {
        std::vector<Run> runs;  // sorted, disjoint, non-zero values
        EntryCache values;      // the distinct values with their conversions
    };
    std::size_t n_;
    std::shared_ptr<const Impl> impl_;
};

}  // namespace rigornet
