// rigornet — a real number known to lie between two exact rationals.
#pragma once
#include "rigornet/number/rational.hpp"

namespace rigornet {

/// A real number known to lie in [lower, upper] (exact rationals); exact when equal.
struct Enclosure {
    Rational lower, upper;
    bool exact() const { return lower == upper; }
};

}  // namespace rigornet
