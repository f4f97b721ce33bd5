// rigornet — the Lipschitz tables of the seeds (DESIGN.md §8), as data and as Tables.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "rigornet/lipschitz.hpp"
#include "rigornet/table.hpp"

namespace rigornet {

/// The ReLU network of f_ℓ(x) = x − Σ_{r=1}^{ℓ} g_r(x)/4^r (seed 001), g the hat function
/// on [0,1] and g_r its r-fold composition, ℓ ≥ 1 hidden layers of width 3. Hidden layer r
/// holds (relu(2y−1), relu(1−2y), relu(s)) with y = g_{r−1}(x) and s = f_{r−1}(x)
/// (y_0 = s_0 = x), because on [0,1]
///   g(y) = 1 − |2y − 1| = 1 − relu(2y−1) − relu(1−2y),  and s ≥ 0 (f_r ≥ x² ≥ 0),
/// so the next layer's pre-activations are 2g(y)−1, 1−2g(y) and s − g(y)/4^r, and the
/// output is s − g(y)/4^ℓ. This is the width-3 representation for which the seed's
/// columns K_*, K_1, K_3, K_4 are reproduced: ‖W_0‖_∞ = 2, ‖W_r‖_∞ = 4 (0 < r < ℓ),
/// ‖W_ℓ‖_∞ = 1 + 2/4^ℓ, so K_* = 2·4^{ℓ−1} + 1; every path of hat units has absolute
/// weight 4 per layer, so K_3 = ℓ + 1.
Network takagi_network(std::size_t l);

/// Seed 001's table for ℓ = 1…max_l in the ℓ∞ norm: L (exact, on the domain [0,1]),
/// K_*, K_1, K_2, K_3, K_4 as exact rationals and decimals (upper bounds rounded up),
/// the seed's printed value beside ours where it differs (the seed truncates decimals:
/// a printed s with d decimals agrees with ours v iff s ≤ v < s + 10^−d). K_2 three ways:
/// the seed's formula (k2_seed_formula's quantity, enclosed; not a bound in general), its
/// proved ℓ∞ form (times ‖U_ℓ‖_∞‖V_0ᵀ‖_∞) and the ℓ2 SeqLip (bound_k2). `failures`
/// (if given) receives a line per claim that does not hold: the seed's K_2 is not our
/// enclosure truncated (or, at ℓ = 5, rounded), L ≠ 2 − 2^−ℓ, the chain
/// L ≤ K ≤ K_4 ≤ min(K_1,K_3) ≤ K_*, or K_1's dynamic programme ≠ its subset sum.
Table takagi_table(std::size_t max_l, std::vector<std::string>* failures = nullptr);

/// Seed 001's random networks: W_1 ∈ R^{10×8}, W_2 ∈ R^{6×10}, W_3 ∈ R^{3×6} with N(0,1)
/// entries (StandardNormal over std::mt19937_64(seed), random.hpp: the same draws on every
/// platform), each rounded to the
/// nearest multiple of 2^−16 (an exact rational; the bounds are then exact for that
/// network). Rows max/mean/min/std over the draws of K/K_*, K_1/K_*, K_3/K_*, K_4/K_*,
/// and K_2/K_*(ℓ2) (SeqLip is an ℓ2 bound; over the draws where bound_k2 certifies)
/// (exact rationals per draw; mean exact; std the population standard deviation,
/// enclosed in a ball and printed to nearest), the seed's values beside. `progress`
/// (if set) is called after each draw.
Table random_relu_table(int draws, std::uint64_t seed, LipNorm p,
                        const std::function<void(int)>& progress = {});

/// Seed 000's CNN bounds in the ℓ2 norm (Lip², Zou–Balan–Singh): example 2 (M = 3 layers,
/// B^(1) = 2e^{−1/3} enclosed by Arb, B^(2) = B^(3) = 1) and the scattering network
/// (M = 4, all bounds 1): the chain-rule value (not derivable from the Bessel bounds: the
/// seed's 5 is shown as printed), Theorem 1's product ∏ max(1, B^(1)) and the LP Γ,
/// both objectives of cnn_gamma, with the closed forms 8/e and 6e^{−1/3} − 2 checked by
/// ball overlap (a failure is appended to `failures`).
Table cnn_lp_table(std::vector<std::string>* failures = nullptr);

/// Seed 000's AlexNet chain-rule bound: the product of the per-layer singular values
/// 20·10·7·7.3·11·3.12·4·4 as an exact rational (28060032/5 = 5612006.4; the seed prints
/// 5,612,006), row by row with the running product.
Table alexnet_table();

/// The cell of an exact rational v: value "p/q"; text "p/q ≈ d" with the decimal d to
/// `digits` significant digits rounded up (outward for an upper bound), or just "p"
/// for an integer.
Cell exact_with_decimal(const Rational& v, int digits = 8);

}  // namespace rigornet
