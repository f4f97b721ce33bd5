#include <complex>
#include <limits>

#include "../support.hpp"
#include "rigornet/linalg/structured.hpp"
#include "rigornet/linalg/transforms.hpp"

using namespace rigornet;
using rigornet::test::cases;

namespace {

template <class Op>
std::vector<Rational> apply_exact(const Op& op, const std::vector<Rational>& x) {
    std::vector<Rational> y(op.rows());
    op.apply(ExactArith{}, x, y);
    return y;
}
template <class Op>
std::vector<Rational> adjoint_exact(const Op& op, const std::vector<Rational>& y) {
    std::vector<Rational> x(op.cols());
    op.adjoint(ExactArith{}, y, x);
    return x;
}
Rational dot(const std::vector<Rational>& a, const std::vector<Rational>& b) {
    Rational s;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}
std::vector<Rational> unit(std::size_t n, std::size_t i) {
    std::vector<Rational> e(n);
    e[i] = Rational(1);
    return e;
}

}  // namespace

TEST_CASE("Walsh-Hadamard: exact, orthonormal, symmetric; orderings by closed form", "[transforms]") {
    auto g = rigornet::test::rng(60);
    for (auto order : {WalshOrder::natural, WalshOrder::sequency}) {
        WalshHadamard U(Shape({8, 8}), order);
        for (int t = 0; t < cases(10); ++t) {
            auto x = rigornet::test::random_vector(g, 64, 10), y = rigornet::test::random_vector(g, 64, 10);
            CHECK(apply_exact(U, apply_exact(U, x)) == x);                  // U² = I
            CHECK(dot(apply_exact(U, x), y) == dot(x, adjoint_exact(U, y)));  // adjointness
            CHECK(dot(apply_exact(U, x), apply_exact(U, x)) == dot(x, x));    // isometry
        }
    }
    // 1-D, n = 16 (a power of 4, so exact): natural row h is (−1)^popcount(h & j) / 4,
    // and sequency row s changes sign exactly s times.
    WalshHadamard nat(Shape({16}), WalshOrder::natural), seq(Shape({16}), WalshOrder::sequency);
    for (std::size_t j = 0; j < 16; ++j) {
        auto col = apply_exact(nat, unit(16, j));
        for (std::size_t h = 0; h < 16; ++h) CHECK(col[h] == Rational(std::popcount(h & j) % 2 ? -1 : 1, 4));
    }
    std::vector<std::vector<Rational>> rows(16, std::vector<Rational>(16));
    for (std::size_t j = 0; j < 16; ++j) {
        auto col = apply_exact(seq, unit(16, j));
        for (std::size_t s = 0; s < 16; ++s) rows[s][j] = col[s];
    }
    for (std::size_t s = 0; s < 16; ++s) {
        std::size_t changes = 0;
        for (std::size_t j = 0; j + 1 < 16; ++j) changes += rows[s][j].sign() != rows[s][j + 1].sign();
        CHECK(changes == s);
    }
    // N = 8 is not a power of 4: 1/√8 is irrational
    WalshHadamard odd(Shape({8}), WalshOrder::natural);
    CHECK_THROWS_AS(apply_exact(odd, unit(8, 0)), DomainError);
}

TEST_CASE("Haar: exact orthonormal analysis/synthesis, closed form on 2x2, levels", "[transforms]") {
    auto g = rigornet::test::rng(61);
    Haar W(Shape({8, 16}), 3);
    for (int t = 0; t < cases(10); ++t) {
        auto x = rigornet::test::random_vector(g, 128, 10), y = rigornet::test::random_vector(g, 128, 10);
        CHECK(adjoint_exact(W, apply_exact(W, x)) == x);
        CHECK(apply_exact(W, adjoint_exact(W, y)) == y);
        CHECK(dot(apply_exact(W, x), y) == dot(x, adjoint_exact(W, y)));
    }
    Haar W2(Shape({2, 2}), 1);
    Rational a(3), b(-1, 2), c(7, 3), d(5);
    auto h = apply_exact(W2, {a, b, c, d});
    CHECK(h == std::vector<Rational>{(a + b + c + d) / Rational(2), (a - b + c - d) / Rational(2),
                                     (a + b - c - d) / Rational(2), (a - b - c + d) / Rational(2)});
    Haar W3(Shape({8, 8}), 3);
    auto lv = W3.coefficient_levels();
    CHECK(std::count(lv.begin(), lv.end(), 1) == 4);
    CHECK(std::count(lv.begin(), lv.end(), 2) == 12);
    CHECK(std::count(lv.begin(), lv.end(), 3) == 48);
    // a constant image has a single non-zero coefficient (the coarsest scaling one)
    auto flat = apply_exact(W3, std::vector<Rational>(64, Rational(1)));
    CHECK(flat[0] == Rational(8));
    CHECK(std::count_if(flat.begin(), flat.end(), [](const Rational& r) { return !r.is_zero(); }) == 1);
    // odd dimension: factors 1/√2 are irrational; balls still enclose the isometry
    Haar W1(Shape({16}), 2);
    CHECK_THROWS_AS(apply_exact(W1, unit(16, 3)), DomainError);
    std::vector<Ball> xb, yb(16), zb(16);
    auto x = rigornet::test::random_vector(g, 16, 10);
    for (auto& r : x) xb.emplace_back(r, 128);
    W1.apply(BallArith{}, xb, yb);
    W1.adjoint(BallArith{}, yb, zb);
    for (std::size_t i = 0; i < 16; ++i) CHECK(zb[i].contains(x[i]));
    CHECK_THROWS_AS(Haar(Shape({8, 8}), 4), ShapeError);
    CHECK_THROWS_AS(Shape({6, 8}), ShapeError);
    CHECK_THROWS_AS(Shape({1 << 24, 1 << 24, 1 << 24}), ResourceError);  // 2^72 values: refused, not wrapped
}

TEST_CASE("Fourier sampling: balls enclose a direct DFT; Parseval; adjointness", "[transforms]") {
    auto g = rigornet::test::rng(62);
    const Shape shape({4, 8});
    std::vector<std::size_t> all(32), some{0, 3, 9, 17, 31};
    for (std::size_t i = 0; i < 32; ++i) all[i] = i;
    FourierSampling full(shape, all), part(shape, some);
    auto x = rigornet::test::random_vector(g, 32, 8), y = rigornet::test::random_vector(g, 10, 8);
    std::vector<Ball> xb, yb, Ax(64), Aty(32), Px(10);
    for (auto& r : x) xb.emplace_back(r, 128);
    for (auto& r : y) yb.emplace_back(r, 128);
    full.apply(BallArith{}, xb, Ax);
    // an independent O(N²) DFT in 1024-bit balls, twiddles e^{−2πi(w₁t₁/4 + w₂t₂/8)} from
    // arb_sin_cos_pi_fmpq at exact rational angles: its balls are so narrow that each must
    // lie inside ours (both contain the true value; ours is ~2^−120 wide)
    const long hp = 1024;
    for (std::size_t w = 0; w < 32; ++w) {
        Ball re, im, c, sn, t;
        for (std::size_t tt = 0; tt < 32; ++tt) {
            Rational angle = Rational(-2) * (Rational(static_cast<long>(w / 8 * (tt / 8)), 4) +
                                             Rational(static_cast<long>(w % 8 * (tt % 8)), 8));
            arb_sin_cos_pi_fmpq(sn.get(), c.get(), angle.get(), hp);
            Ball xt(x[tt], hp);
            arb_addmul(re.get(), xt.get(), c.get(), hp);
            arb_addmul(im.get(), xt.get(), sn.get(), hp);
        }
        arb_set_ui(t.get(), 32);
        arb_rsqrt(t.get(), t.get(), hp);
        arb_mul(re.get(), re.get(), t.get(), hp);
        arb_mul(im.get(), im.get(), t.get(), hp);
        INFO("w = " << w << ": ours " << Ax[w].str() << ", " << Ax[32 + w].str() << "; naive " << re.str() << ", " << im.str());
        CHECK(arb_contains(Ax[w].get(), re.get()));
        CHECK(arb_contains(Ax[32 + w].get(), im.get()));
        CHECK((arb_contains_zero(Ax[w].get()) || arb_rel_accuracy_bits(Ax[w].get()) > 100));  // and tight
    }
    std::vector<double> xd;
    for (auto& r : x) xd.push_back(r.to_double(Round::nearest));
    double scale = 0;  // double rounding errors are relative to Σ|x_t|
    for (double v : xd) scale += std::abs(v);
    const double tol = 1e-12 * (1 + scale);
    // Parseval with full sampling: ‖Ax‖² = ‖x‖² (enclosed)
    Ball n2, t;
    for (auto& v : Ax) {
        arb_sqr(t.get(), v.get(), 128);
        arb_add(n2.get(), n2.get(), t.get(), 128);
    }
    Rational xx;
    for (auto& r : x) xx += r * r;
    CHECK(n2.contains(xx));
    // ⟨P x, y⟩ = ⟨x, Pᵀ y⟩, both enclosed: the balls must overlap
    part.apply(BallArith{}, xb, Px);
    part.adjoint(BallArith{}, yb, Aty);
    Ball l, r;
    for (std::size_t i = 0; i < 10; ++i) arb_addmul(l.get(), Px[i].get(), yb[i].get(), 128);
    for (std::size_t i = 0; i < 32; ++i) arb_addmul(r.get(), xb[i].get(), Aty[i].get(), 128);
    CHECK(arb_overlaps(l.get(), r.get()));
    CHECK((arb_rel_accuracy_bits(l.get()) > 60 || arb_contains_zero(l.get())));  // and tight
    // double agrees with the balls
    std::vector<double> pd(10);
    part.apply(DoubleArith{}, xd, pd);
    for (std::size_t i = 0; i < 10; ++i) CHECK(std::abs(pd[i] - Px[i].lower().to_double(Round::down)) < tol);
    std::vector<Rational> out(10);
    CHECK_THROWS_AS(part.apply(ExactArith{}, x, out), DomainError);
}

TEST_CASE("Fourier sampling in tracked doubles: the double values, and no error claim", "[transforms]") {
    auto g = rigornet::test::rng(63);
    for (bool complex_input : {false, true}) {
        INFO((complex_input ? "complex input" : "real input"));
        FourierSampling op(Shape({4, 8}), {0, 3, 9, 17, 31}, complex_input);
        auto x = rigornet::test::random_vector(g, op.cols(), 8), y = rigornet::test::random_vector(g, op.rows(), 8);
        std::vector<double> xd, yd, ad(op.rows()), bd(op.cols());
        std::vector<TrackedDouble> xt, yt, at(op.rows()), bt(op.cols());
        for (auto& r : x) {
            xd.push_back(r.to_double(Round::nearest));
            xt.push_back(TrackedDouble{xd.back(), 0.0});
        }
        for (auto& r : y) {
            yd.push_back(r.to_double(Round::nearest));
            yt.push_back(TrackedDouble{yd.back(), 0.0});
        }
        op.apply(DoubleArith{}, xd, ad);
        op.apply(TrackedDoubleArith{}, xt, at);
        op.adjoint(DoubleArith{}, yd, bd);
        op.adjoint(TrackedDoubleArith{}, yt, bt);
        for (std::size_t i = 0; i < ad.size(); ++i) {
            CHECK(at[i].v == ad[i]);  // bit-identical: the same FFTW computation
            CHECK(at[i].err == std::numeric_limits<double>::infinity());
        }
        for (std::size_t i = 0; i < bd.size(); ++i) {
            CHECK(bt[i].v == bd[i]);
            CHECK(bt[i].err == std::numeric_limits<double>::infinity());
        }
    }
}

TEST_CASE("composition and block operators agree with dense products exactly", "[transforms]") {
    auto g = rigornet::test::rng(63);
    for (int t = 0; t < cases(20); ++t) {
        auto a = rigornet::test::random_vector(g, 12, 6), b = rigornet::test::random_vector(g, 8, 6);
        auto A = std::make_shared<DenseMatrix>(3, 4, a);  // 3×4
        auto B = std::make_shared<DenseMatrix>(4, 2, b);  // 4×2
        Composition AB({A, B});
        auto x = rigornet::test::random_vector(g, 2, 8);
        std::vector<Rational> Bx(4), ABx(3);
        B->apply(ExactArith{}, x, Bx);
        A->apply(ExactArith{}, Bx, ABx);
        CHECK(apply_exact(AB, x) == ABx);
        // [[2A, I_3 padded], ...]: out[0:3] = 2·A·in[0:4] + in[4:7]; out[3:7] = −B·in[7:9]
        BlockOperator M(7, 9, {Block{{0}, {{0, Rational(2)}}, A, 0}, Block{{0}, {{4, Rational(1)}}, nullptr, 3},
                               Block{{3}, {{7, Rational(-1)}}, B, 0}});
        auto u = rigornet::test::random_vector(g, 9, 8), v = rigornet::test::random_vector(g, 7, 8);
        auto Mu = apply_exact(M, u);
        std::vector<Rational> Au(3), Bu(4);
        A->apply(ExactArith{}, std::vector<Rational>(u.begin(), u.begin() + 4), Au);
        B->apply(ExactArith{}, std::vector<Rational>(u.begin() + 7, u.end()), Bu);
        for (std::size_t i = 0; i < 3; ++i) CHECK(Mu[i] == Rational(2) * Au[i] + u[4 + i]);
        for (std::size_t i = 0; i < 4; ++i) CHECK(Mu[3 + i] == -Bu[i]);
        CHECK(dot(Mu, v) == dot(u, adjoint_exact(M, v)));
    }
    auto A = std::make_shared<DenseMatrix>(3, 4, rigornet::test::random_vector(g, 12, 6));
    CHECK_THROWS_AS(Composition({A, A}), ShapeError);
    CHECK_THROWS_WITH(BlockOperator(3, 4, {Block{{1}, {{0, Rational(1)}}, A, 0}}), Catch::Contains("does not fit"));
    // a block combining inputs and writing twice: out[0:3] = out[3:6] = A(u[0:4] − 3u[4:8])
    BlockOperator C(6, 8, {Block{{0, 3}, {{0, Rational(1)}, {4, Rational(-3)}}, A, 0}});
    auto u = rigornet::test::random_vector(g, 8, 8), v = rigornet::test::random_vector(g, 6, 8);
    std::vector<Rational> comb(4), Ac(3);
    for (std::size_t i = 0; i < 4; ++i) comb[i] = u[i] - Rational(3) * u[4 + i];
    A->apply(ExactArith{}, comb, Ac);
    auto Cu = apply_exact(C, u);
    for (std::size_t i = 0; i < 3; ++i) CHECK((Cu[i] == Ac[i] && Cu[3 + i] == Ac[i]));
    CHECK(dot(Cu, v) == dot(u, adjoint_exact(C, v)));
}

TEST_CASE("rational Fourier A_n: exact adjoint, and ||A_n - A|| within its proved bound", "[transforms]") {
    auto g = rigornet::test::rng(65);
    const Shape shape({8, 8});
    std::vector<std::size_t> omega{0, 1, 5, 9, 12, 27, 33, 40, 63};
    for (long acc : {4L, 20L}) {
        FourierSamplingRational An(shape, omega, acc);
        FourierSampling A(shape, omega);
        Rational target(1);
        fmpq_div_2exp(target.get(), target.get(), static_cast<ulong>(acc));
        CHECK(An.error_bound() <= target);
        bool differs = false;
        for (int t = 0; t < rigornet::test::cases(10); ++t) {
            auto x = rigornet::test::random_vector(g, 64, 8), y = rigornet::test::random_vector(g, 18, 8);
            auto Anx = apply_exact(An, x);
            CHECK(dot(Anx, y) == dot(x, adjoint_exact(An, y)));  // exact adjointness of the FFT stages
            // ‖(A_n − A) x‖ ≤ bound·‖x‖, with A x enclosed in balls
            std::vector<Ball> xb, Ax(18);
            for (auto& r : x) xb.emplace_back(r, 256);
            A.apply(BallArith{256, false}, xb, Ax);
            Ball d2, t2;
            for (std::size_t i = 0; i < 18; ++i) {
                Ball ai(Anx[i], 256);
                arb_sub(t2.get(), ai.get(), Ax[i].get(), 256);
                arb_sqr(t2.get(), t2.get(), 256);
                arb_add(d2.get(), d2.get(), t2.get(), 256);
            }
            Rational xx = dot(x, x);
            CHECK(d2.upper() <= An.error_bound() * An.error_bound() * xx);
            differs = differs || d2.lower().sign() > 0;
        }
        CHECK(differs);  // A_n really is an approximation (the bound is not about A itself)
    }
    FourierSamplingRational odd(Shape({8}), {0, 1}, 10);
    CHECK_THROWS_AS(apply_exact(odd, std::vector<Rational>(8)), DomainError);  // N = 8: 8^(−1/2) is irrational
}
