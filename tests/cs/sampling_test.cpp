#include <algorithm>
#include <set>

#include "../support.hpp"
#include "rigornet/cs/sampling.hpp"

using namespace rigornet;

// The sequency-ordered 2-D Walsh grid and its bands, checked against the Haar transform
// rather than against band_1d's own formula: row f = a·n + b of U (a along axis 0, the
// mask's row j; b along axis 1, the mask's column i) changes sign a times down every
// column and b times along every row; and it lies in the span of the Haar functions of
// level max(band(a), band(b)) alone (W Uᵀ is block diagonal in the levels). Both are
// exact rational computations (N = 256 is a power of 4).
TEST_CASE("Walsh bands are the Haar levels: sign changes per axis, W U^T block diagonal", "[sampling]") {
    const std::size_t n = 16, N = n * n;
    const Shape shape({n, n});
    WalshHadamard U(shape, WalshOrder::sequency);
    Haar W(shape, 4);
    const auto level = W.coefficient_levels();
    for (std::size_t f = 0; f < N; ++f) {
        const std::size_t a = f / n, b = f % n;
        std::vector<Rational> e(N), row(N), coeff(N);
        e[f] = Rational(1);
        U.adjoint(ExactArith{}, e, row);  // U symmetric: Uᵀe_f is row f of U
        for (std::size_t t = 0; t < n; ++t) {
            std::size_t down = 0, along = 0;
            for (std::size_t u = 0; u + 1 < n; ++u) {
                down += row[u * n + t].sign() != row[(u + 1) * n + t].sign();
                along += row[t * n + u].sign() != row[t * n + u + 1].sign();
            }
            INFO("f = " << f << ", line " << t);
            CHECK(down == a);
            CHECK(along == b);
        }
        W.apply(ExactArith{}, row, coeff);
        const int k = std::max(band_1d(Modality::walsh, a, n), band_1d(Modality::walsh, b, n));
        for (std::size_t c = 0; c < N; ++c)
            if (!coeff[c].is_zero()) {
                INFO("Walsh index " << f << " (band level " << k << ") has Haar coefficient " << c << " of level "
                                    << level[c]);
                CHECK(level[c] == k);
            }
    }
    // 1-D: the bands are {0, 1}, {2, 3}, {4, …, 7}, … with the sizes of the Haar levels
    const std::size_t m = 64;
    const auto lv1 = Haar(Shape({m}), 6).coefficient_levels();
    for (int k = 1; k <= 6; ++k) {
        std::size_t in_band = 0, in_level = 0;
        for (std::size_t i = 0; i < m; ++i) {
            in_band += band_1d(Modality::walsh, i, m) == k;
            in_level += lv1[i] == k;
        }
        CHECK(in_band == in_level);
    }
}

// Three 1-D bands (weights s_k from band_weight with k = (1), (2), (3)): sizes 100, 100,
// 1000, weights 60, 60, 100, 200 samples. Water filling gives c = 200/220, shares 54.5,
// 54.5, 90.9: both small bands qualify. Promoting the first (the tie goes to the lowest
// index) leaves 100 samples for the others: c = 100/160, shares 37.5 and 62.5, so the
// second no longer qualifies. Promoting both at once would leave the large band nothing.
TEST_CASE("band counts: promotion to full sampling one band at a time", "[sampling]") {
    Bands bands;
    std::size_t next = 0;
    for (std::size_t sz : {100u, 100u, 1000u}) {
        std::vector<std::size_t> mem(sz);
        for (auto& v : mem) v = next++;
        bands.members.push_back(std::move(mem));
    }
    bands.k = {{1}, {2}, {3}};
    bands.levels = 3;
    const std::vector<std::size_t> s{60, 60, 100};
    const auto cnt = band_counts(Modality::walsh, bands, s, 200);
    CHECK(cnt[0] == 100);
    CHECK((cnt[1] == 37 || cnt[1] == 38));
    CHECK((cnt[2] == 62 || cnt[2] == 63));
    CHECK(cnt[0] + cnt[1] + cnt[2] == 200);
    // the pattern drawn has these counts per band, distinct indices, sorted
    const auto omega = multilevel_sample(bands, cnt, 7);
    CHECK(std::is_sorted(omega.begin(), omega.end()));
    CHECK(std::set<std::size_t>(omega.begin(), omega.end()).size() == omega.size());
    std::size_t per[3] = {0, 0, 0};
    for (std::size_t i : omega) ++per[i < 100 ? 0 : i < 200 ? 1 : 2];
    for (std::size_t b = 0; b < 3; ++b) CHECK(per[b] == cnt[b]);
    CHECK_THROWS_AS(band_counts(Modality::walsh, bands, s, 1201), ShapeError);
    CHECK_THROWS_AS(band_counts(Modality::walsh, bands, s, 0), ShapeError);
}
