// Reproduces PNAS 2022 Table 1 (seed 003, "Impossible in general") with proofs and exits
// non-zero if a claim fails: for K = 1, 3, 6 and n = 10, 20, 30 both stated minimisers
// are proved exactly (subgradient certificate in Q(√2)), max(‖A − A_n‖, ‖y − y_n‖) ≤ 2^−n,
// the minimisers are > 2·10^−K apart (so no algorithm reading (A_n, y_n) has K digits on
// both problems), and FIRENET's output on (A_n, y_n), enclosed in balls, is > 10^−K and
// < 10^(1−K) from Ξ(A, y). Default: p = 20 inner iterations and 10 restarts (seconds);
// `--full`: the paper's p = 50 and 30 restarts (about a minute; `make proofs-long`).
#include <cstdio>
#include <cstring>

#include "rigornet/report/inexact_table.hpp"

using namespace rigornet;

int main(int argc, char** argv) {
    const bool full = argc > 1 && std::strcmp(argv[1], "--full") == 0;
    InexactRunOptions o;
    if (!full) {
        o.inner = 20;
        o.restarts = 10;
    }
    std::vector<std::string> failures;
    const Table t = inexact_input_table({1, 3, 6}, {10, 20, 30}, InexactParams{}, o, &failures);
    std::fputs(render(t, TableFormat::text).c_str(), stdout);
    for (const std::string& f : failures) std::printf("CLAIM FAILED: %s\n", f.c_str());
    std::printf("%s\n", failures.empty() ? "all claims proved" : "some claims FAILED");
    return failures.empty() ? 0 : 1;
}
