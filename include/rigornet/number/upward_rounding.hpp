// rigornet — a scoped switch to upward floating-point rounding, for the translation
// units that compute outward-rounded binary64 bounds. Such a unit must be compiled with
// -frounding-math (Makefile), so that GCC neither constant-folds nor moves floating-point
// operations across the mode change.
#pragma once
#include <cfenv>

namespace rigornet {

/// Sets FE_UPWARD for its lifetime and restores the caller's mode on destruction (also
/// when an exception leaves the scope). The mode is per thread, so concurrent users do
/// not interfere. Under it, x + y, x·y and √x round up, and −((−x) − y), −((−x)·y) are
/// the sum and product rounded down (IEEE 754 correctly rounded operations).
class UpwardRounding {
  public:
    UpwardRounding() : saved_(std::fegetround()) { std::fesetround(FE_UPWARD); }
    ~UpwardRounding() { std::fesetround(saved_); }
    UpwardRounding(const UpwardRounding&) = delete;
    UpwardRounding& operator=(const UpwardRounding&) = delete;

  private:
    int saved_;
};

}  // namespace rigornet
