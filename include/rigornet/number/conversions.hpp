// rigornet — rationals with their conversions into every supported arithmetic cached.
//
// value(ar) / get(ar) is exactly what ar.from_rational returns (elementwise for
// EntryCache): the rational itself under ExactArith, the nearest double, the tracked
// double with its rounding error bounded, a ball at ar.prec enclosing it, …. Each
// conversion is made on first use and kept — once, or once per precision for a
// per_precision arithmetic (arithmetic_concept.hpp) — and is thread-safe; copies share
// the cache (they hold the same value). One overload per arithmetic of the list
// (arithmetics.hpp); the implementation is generic, in src/number/conversions.cpp.
#pragma once
#include <memory>
#include <vector>

#include "rigornet/number/arithmetics.hpp"

namespace rigornet {

/// A rational constant (a gate constant, a block coefficient) with its conversions.
class Constant {
public:
    Constant() : Constant(Rational()) {}
    explicit Constant(Rational x);
    const Rational& exact() const { return exact_; }
#define RIGORNET_CONSTANT_VALUE(A) const A::value_type& value(const A& ar) const;
    RIGORNET_FOR_EACH_ARITH(RIGORNET_CONSTANT_VALUE)
#undef RIGORNET_CONSTANT_VALUE

private:
    struct Cache;  // the converted values (conversions.cpp)
    Rational exact_;
    std::shared_ptr<Cache> cache_;
};

/// The entries of a rational matrix (or a bias vector) with their conversions.
class EntryCache {
public:
    explicit EntryCache(std::vector<Rational> entries);
#define RIGORNET_ENTRY_CACHE_GET(A) const std::vector<A::value_type>& get(const A& ar) const;
    RIGORNET_FOR_EACH_ARITH(RIGORNET_ENTRY_CACHE_GET)
#undef RIGORNET_ENTRY_CACHE_GET
    /// Largest Rational::bits() of an entry (0 for none).
    long max_bits() const { return max_bits_; }

private:
    struct Cache;  // the converted vectors (conversions.cpp)
    std::vector<Rational> exact_;
    long max_bits_ = 0;
    std::shared_ptr<Cache> cache_;
};

}  // namespace rigornet
