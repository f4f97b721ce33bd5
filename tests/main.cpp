// Catch2 entry point. The random seed is fixed by default; replay another with
// --rng-seed N (printed on failure by the helpers). Scale the number of random
// cases with RIGORNET_TEST_MULTIPLIER.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
