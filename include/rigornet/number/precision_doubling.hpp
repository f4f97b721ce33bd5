// rigornet — the one adaptive-precision loop: run a ball computation at increasing
// precision until its result is accurate enough (every adaptive evaluation uses it, each
// with its own acceptance test).
#pragma once
#include <utility>

#include "rigornet/core/error.hpp"

namespace rigornet {

/// Calls attempt(p) for p = start, 2·start, 4·start, … and returns the first result that
/// accept(result) takes; after the attempt at the first p ≥ max_prec (so exactly once when
/// start ≥ max_prec) it returns that result whatever accept says. The caller's guarantee
/// (e.g. a ball's containment) holds for every result; only the width depends on the loop.
/// DomainError for start < 2 (the doubling would not grow).
template <class Attempt, class Accept>
auto precision_doubling(long start, long max_prec, Attempt&& attempt, Accept&& accept) -> decltype(attempt(start)) {
    if (start < 2) throw DomainError("adaptive precision: the start precision must be at least 2 bits");
    for (long p = start;; p *= 2) {
        auto r = attempt(p);
        if (p >= max_prec || accept(r)) return r;
    }
}

}  // namespace rigornet
