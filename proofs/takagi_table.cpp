// Reproduces seed 001's table for f_ℓ(x) = x − Σ_{r≤ℓ} g_r(x)/4^r (ℓ = 1…6, ℓ∞ norm) and
// the seed 000 CNN and AlexNet numbers; exits non-zero if a claim fails:
//   L = 2 − 2^−ℓ exactly (region enumeration) and attained by a witness pair;
//   L ≤ K ≤ K_4 ≤ min(K_1, K_3) ≤ max(K_1, K_3) ≤ K_*;  K_1 (DP) = K_1 (subset sum);
//   the xy multiplier (ℓ = 1…4): L = 2 − 2^−ℓ and the same chain of bounds;
//   Theorem 1's product = 8/e, Γ = 6e^{−1/3} − 2, both printing as the seed's values.
#include <cstdio>

#include "rigornet/report/lipschitz_tables.hpp"

using namespace rigornet;

int main() {
    std::vector<std::string> failures;
    std::fputs(render(takagi_table(6, &failures), TableFormat::text).c_str(), stdout);
    std::fputs("\n", stdout);
    std::fputs(render(xy_multiplier_table(4, &failures), TableFormat::text).c_str(), stdout);
    std::fputs("\n", stdout);
    std::fputs(render(cnn_lp_table(&failures), TableFormat::text).c_str(), stdout);
    std::fputs("\n", stdout);
    std::fputs(render(alexnet_table(), TableFormat::text).c_str(), stdout);
    for (const std::string& f : failures) std::printf("CLAIM FAILED: %s\n", f.c_str());
    std::printf("%s\n", failures.empty() ? "all claims proved" : "some claims FAILED");
    return failures.empty() ? 0 : 1;
}
