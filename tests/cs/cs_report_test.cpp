// The theorem's terms (cs_report.hpp) on values computed independently.
#include <bit>

#include "../support.hpp"
#include "rigornet/cs/cs_report.hpp"
#include "rigornet/linalg/transforms.hpp"

using namespace rigornet;

TEST_CASE("sigma_sparse_in_levels equals the brute-force minimum over (s, M)-sparse supports", "[cs]") {
    auto g = rigornet::test::rng(71);
    for (int trial = 0; trial < rigornet::test::cases(60); ++trial) {
        const std::size_t n = 3 + g() % 6;
        const int L = 1 + static_cast<int>(g() % 3);
        std::vector<Rational> c = rigornet::test::random_vector(g, n, 10);
        std::vector<int> levels(n);
        for (auto& l : levels) l = 1 + static_cast<int>(g() % static_cast<unsigned>(L));
        std::vector<std::size_t> s(static_cast<std::size_t>(L));
        for (auto& sj : s) sj = g() % 3;
        std::vector<Rational> level_w(static_cast<std::size_t>(L)), w;  // weights constant on levels
        for (auto& lw : level_w) lw = Rational(1 + static_cast<long>(g() % 5), 1 + static_cast<long>(g() % 3));
        const bool weighted = g() % 2;
        if (weighted)
            for (int l : levels) w.push_back(level_w[static_cast<std::size_t>(l - 1)]);
        // brute force: every support with at most s_j entries in level j
        Rational best;
        bool first = true;
        for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
            std::vector<std::size_t> used(static_cast<std::size_t>(L));
            for (std::size_t i = 0; i < n; ++i)
                if (mask >> i & 1) ++used[static_cast<std::size_t>(levels[i] - 1)];
            bool ok = true;
            for (int j = 0; j < L; ++j) ok = ok && used[static_cast<std::size_t>(j)] <= s[static_cast<std::size_t>(j)];
            if (!ok) continue;
            Rational v;
            for (std::size_t i = 0; i < n; ++i)
                if (!(mask >> i & 1)) v += c[i].abs() * (weighted ? w[i] : Rational(1));
            if (first || v < best) best = v, first = false;
        }
        INFO("trial " << trial);
        CHECK(sigma_sparse_in_levels(c, levels, s, w) == best);
    }
}

TEST_CASE("theorem_terms: zero sparsity and measurement terms where they are exactly zero, exact nu^n", "[cs]") {
    // 8×8 Walsh problem (A rational); x = W⁻¹ z with z exactly s-sparse in levels
    const Shape shape({8, 8});
    const int levels = 3;
    Haar W(shape, levels);
    const auto lv = W.coefficient_levels();
    std::vector<Rational> z(64);
    std::vector<std::size_t> s(levels, 0);
    for (std::size_t i = 0; i < 64; i += 7) {
        z[i] = Rational(static_cast<long>(i % 5) + 1, 4);
        ++s[static_cast<std::size_t>(lv[i] - 1)];
    }
    std::vector<Rational> x(64);
    W.adjoint(ExactArith{}, z, x);
    std::vector<std::size_t> omega;
    for (std::size_t i = 0; i < 64; i += 2) omega.push_back(i);
    const CsSetup st = make_setup(shape, Modality::walsh, levels, omega, s, true, Rational(1, 1 << 20));
    std::vector<Rational> y(st.problem.A->rows());
    st.measure->apply(ExactArith{}, x, y);
    SolverParams p;
    p.restarts = 4;
    const TheoremTerms t = theorem_terms(st, p, x, y, 128);
    REQUIRE(t.has_sparsity);
    CHECK(t.sparsity.contains(Rational(0)));
    CHECK(t.measurement.contains(Rational(0)));
    CHECK(t.operator_effect.contains(Rational(0)));
    CHECK(t.iteration == p.nu * p.nu * p.nu * p.nu);
    // perturb y by e: the measurement term encloses ‖e‖ (checked through its square)
    std::vector<Rational> ye = y;
    ye[0] += Rational(3, 10);
    ye[1] -= Rational(4, 10);
    const TheoremTerms te = theorem_terms(st, p, x, ye, 128);
    Ball sq;
    arb_sqr(sq.get(), te.measurement.get(), 128);
    CHECK(sq.contains(Rational(1, 4)));  // 0.3² + 0.4² = 0.25
    // one coefficient too many in level 3: σ is that coefficient's weighted mass, > 0
    std::vector<std::size_t> fewer = s;
    --fewer[2];
    const CsSetup st2 = make_setup(shape, Modality::walsh, levels, omega, fewer, false, Rational(1, 1 << 20));
    const TheoremTerms t2 = theorem_terms(st2, p, x, y, 128);
    CHECK(!t2.sparsity.contains(Rational(0)));
}
