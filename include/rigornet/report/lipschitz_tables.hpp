// rigornet — the Lipschitz tables of the seeds (DESIGN.md §8), as data and as Tables.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/report/table.hpp"

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

/// Seed 001's second example, T(x, y) = xy from the FEM identity T = e_0 + ¼ T∘Λ, as the
/// ReLU network of T_ℓ = Σ_{n=0}^{ℓ−1} 4^−n e_0∘Λ^n (ℓ ≥ 1 hidden layers) on [−1, 1]². Our
/// reconstruction of the seed's mesh (its figure is not in the transcript; the printed
/// formulas Λ_1 = φ_α − φ_β + φ_γ − φ_δ, Λ_2 = φ_D − φ_A + … − φ_I fit it with the nodes
/// A…I the 3×3 grid read row by row and α…δ the centres of its four squares): the
/// criss-cross mesh of [−1,1]², P1 hats φ; Λ_1 = sign(xy) at the centres, 0 on the grid;
/// Λ_2 = −1 at the corners and the origin, +1 at the edge midpoints, 0 at the centres;
/// e_0 = the P1 interpolant of xy. In p = x + y, q = x − y, with G(t) = 1 − |t − 1| (the
/// hat on [0, 2]), P = G(|p|), Q = G(|q|) (on the mesh's lines these are P1 and match the
/// node values):
///   Λ_1 = P − Q,  Λ_2 = P + Q − 1,  e_0 = F(|p|) − F(|q|),  F(t) = t/4 + relu(t − 1)/2,
/// and xy = (p² − q²)/4 = e_0 + ¼ Λ_1 Λ_2, because t²/4 = F(t) + ¼(G(t)² − G(t)) on [0, 2]
/// (t ≤ 1: G = t; t ≥ 1: G = 2 − t, both by expansion). Λ maps [−1,1]² into the diamond
/// |u| + |v| ≤ 1 (P, Q ∈ [0, 1]), where |uv| ≤ ¼, so xy − T_ℓ = 4^−ℓ (uv)(Λ^ℓ(x, y)) gives
///   |xy − T_ℓ(x, y)| ≤ 4^−(ℓ+1) on [−1, 1]²,
/// with equality at x = y = 2^−ℓ/2. Equivalently T_ℓ = I(p²/4) − I(q²/4), I the linear
/// interpolant on the grid 2^{1−ℓ}ℤ (Λ acts as the tent map on p and q separately). Each
/// hidden layer holds the 8 units relu(±p), relu(±p − 1), relu(±q), relu(±q − 1) of its
/// stage (P = u1 + u2 − 2u3 − 2u4 etc.) and, from the second on, relu(s + 2) carrying the
/// partial sum s (s ≥ −1 − 1/16 > −2 on [−1,1]²).
Network xy_multiplier_network(std::size_t l);

/// The bound columns of takagi_table for xy_multiplier_network(ℓ), ℓ = 1…max_l, on
/// [−1, 1]² in the ℓ∞ norm (no seed values: the seed prints none). `failures` (if given)
/// receives a line per claim that does not hold: L ≠ 2 − 2^−ℓ (from T_ℓ = I(p²/4) − I(q²/4):
/// L_∞ = 2 max |I′| and the steepest interpolation slope of t²/4 on [0, 2] is 1 − 2^−ℓ),
/// the witness, the chain L ≤ K ≤ K_4 ≤ min(K_1,K_3) ≤ K_*, K_1's programme, K_4′ = K_4,
/// L ≤ the proved ℓ∞ K_2.
Table xy_multiplier_table(std::size_t max_l, std::vector<std::string>* failures = nullptr);

/// Seed 001's random networks: W_1 ∈ R^{10×8}, W_2 ∈ R^{6×10}, W_3 ∈ R^{3×6} with N(0,1)
/// entries (StandardNormal over std::mt19937_64(seed), random.hpp: the same draws on every
/// platform), each rounded to the nearest multiple of 2^−16 (an exact rational; the bounds
/// are then exact for that network). Rows max/mean/min/std over the draws of K/K_*,
/// K_1/K_*, K_2/K_* three ways (as in takagi_table: the seed's formula Q, not a bound; its
/// proved ℓ∞ form P = ‖U_ℓ‖_∞ Q ‖V_0ᵀ‖_∞, both upper ends of k2_seed_formula's enclosures,
/// p = ∞ only; SeqLip over the ℓ2 product), K_3/K_*, K_4/K_* (exact rationals per draw;
/// mean exact; std the population standard deviation, enclosed in a ball and printed to
/// nearest), the seed's values beside (its K_2 beside Q). A last row counts, per column,
/// the draws where the bound is below the quotient of a witnessed pair (sampled_lower_bound,
/// 64 candidates from std::mt19937_64(~seed); the quotient is exact, so ≤ L): for Q that
/// proves it is not a bound on that network; for the proved bounds it must be 0, else
/// `failures` (if given) receives a line. `progress` (if set) is called after each draw.
Table random_relu_table(int draws, std::uint64_t seed, LipNorm p, const std::function<void(int)>& progress = {},
                        std::vector<std::string>* failures = nullptr);

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
