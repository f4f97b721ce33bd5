// A toy arithmetic on doubles for the compile-fail tests: every member the concept
// Arithmetic asks for, declared only (these files are compiled with -fsyntax-only and
// never linked). A test defines, before including this header,
//   TOY_WITHOUT_RELU        to leave out relu, or
//   TOY_FFT_WITHOUT_HOOKS   to claim fft_path without the binary64 hooks.
#pragma once
#include <span>

#include "rigornet/number/arithmetic_concept.hpp"

struct ToyArith {
    using value_type = double;
    static constexpr const char* name = "toy";
    static constexpr bool certified = false, exact = false, per_precision = false, arb_balls = false;
#ifdef TOY_FFT_WITHOUT_HOOKS
    static constexpr bool fft_path = true;
#else
    static constexpr bool fft_path = false;
#endif
    double from_rational(const rigornet::Rational& x) const;
    void zero(double& r) const;
    void add(double& r, double a, double b) const;
    void sub(double& r, double a, double b) const;
    void mul(double& r, double a, double b) const;
    void div(double& r, double a, double b) const;
    void neg(double& r, double a) const;
    void addmul(double& acc, double w, double x) const;
#ifndef TOY_WITHOUT_RELU
    void relu(double& r, double a) const;
#endif
    void min(double& r, double a, double b) const;
    void max(double& r, double a, double b) const;
    void square(double& r, double a) const;
    void sqrt_theta(double& r, double a, long k) const;
    rigornet::LayerSummary summarise(std::span<const double> z) const;
};
