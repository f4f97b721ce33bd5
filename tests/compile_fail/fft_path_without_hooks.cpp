// Must not compile: a trait flag is a promise the concept checks — fft_path without
// binary64()/from_binary64() is no Arithmetic. Control (-DRIGORNET_CONTROL): the toy
// arithmetic with fft_path = false, which is one.
// expect: ar.binary64(a)
#ifndef RIGORNET_CONTROL
#define TOY_FFT_WITHOUT_HOOKS
#endif
#include "toy_arithmetic.hpp"

static_assert(rigornet::Arithmetic<ToyArith>);
