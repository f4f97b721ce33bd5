#include <limits>

#include "../support.hpp"
#include "rigornet/number/arith.hpp"

using namespace rigornet;
using rigornet::test::cases;

namespace {

// The tracked bound must hold: |v − exact| ≤ err, decided exactly in rationals.
bool within(const TrackedDouble& t, const Rational& exact) {
    if (!std::isfinite(t.err)) return true;  // no claim
    if (!std::isfinite(t.v)) return false;
    return (Rational::from_double(t.v) - exact).abs() <= Rational::from_double(t.err);
}

enum class Op { add, sub, mul, div, relu, min, max, square, sqrt_theta, addmul };

struct Values {
    Rational exact;
    Ball ball;
    TrackedDouble tracked;
    double dbl;
};

}  // namespace

TEST_CASE("ball and tracked-double operations enclose the exact result", "[arith]") {
    auto g = rigornet::test::rng(20);
    const ExactArith ex;
    const BallArith ba{64, false};
    const TrackedDoubleArith tr;
    const DoubleArith db;
    const long k = 30;
    for (int trial = 0; trial < cases(300); ++trial) {
        // a chain of random operations over a small pool, biased toward cancellation
        std::vector<Values> pool;
        for (int i = 0; i < 4; ++i) {
            Rational r = rigornet::test::random_rational(g, 30);
            pool.push_back({r, ba.from_rational(r), tr.from_rational(r), db.from_rational(r)});
        }
        for (int step = 0; step < 12; ++step) {
            const Values& a = pool[g() % pool.size()];
            const Values& b = pool[g() % pool.size()];
            Op op = static_cast<Op>(g() % 10);
            Values r;
            if (op == Op::div && b.exact.is_zero()) op = Op::sub;
            if (op == Op::sqrt_theta && a.exact.sign() < 0) op = Op::square;
            switch (op) {
                case Op::add: ex.add(r.exact, a.exact, b.exact); ba.add(r.ball, a.ball, b.ball); tr.add(r.tracked, a.tracked, b.tracked); db.add(r.dbl, a.dbl, b.dbl); break;
                case Op::sub: ex.sub(r.exact, a.exact, b.exact); ba.sub(r.ball, a.ball, b.ball); tr.sub(r.tracked, a.tracked, b.tracked); db.sub(r.dbl, a.dbl, b.dbl); break;
                case Op::mul: ex.mul(r.exact, a.exact, b.exact); ba.mul(r.ball, a.ball, b.ball); tr.mul(r.tracked, a.tracked, b.tracked); db.mul(r.dbl, a.dbl, b.dbl); break;
                case Op::div: ex.div(r.exact, a.exact, b.exact); ba.div(r.ball, a.ball, b.ball); tr.div(r.tracked, a.tracked, b.tracked); db.div(r.dbl, a.dbl, b.dbl); break;
                case Op::relu: ex.relu(r.exact, a.exact); ba.relu(r.ball, a.ball); tr.relu(r.tracked, a.tracked); db.relu(r.dbl, a.dbl); break;
                case Op::min: ex.min(r.exact, a.exact, b.exact); ba.min(r.ball, a.ball, b.ball); tr.min(r.tracked, a.tracked, b.tracked); db.min(r.dbl, a.dbl, b.dbl); break;
                case Op::max: ex.max(r.exact, a.exact, b.exact); ba.max(r.ball, a.ball, b.ball); tr.max(r.tracked, a.tracked, b.tracked); db.max(r.dbl, a.dbl, b.dbl); break;
                case Op::square: ex.square(r.exact, a.exact); ba.square(r.ball, a.ball); tr.square(r.tracked, a.tracked); db.square(r.dbl, a.dbl); break;
                case Op::sqrt_theta: ex.sqrt_theta(r.exact, a.exact, k); ba.sqrt_theta(r.ball, a.ball, k); tr.sqrt_theta(r.tracked, a.tracked, k); db.sqrt_theta(r.dbl, a.dbl, k); break;
                case Op::addmul:
                    r = a;
                    ex.addmul(r.exact, a.exact, b.exact); ba.addmul(r.ball, a.ball, b.ball); tr.addmul(r.tracked, a.tracked, b.tracked); db.addmul(r.dbl, a.dbl, b.dbl);
                    break;
            }
            INFO("trial " << trial << " step " << step << " op " << static_cast<int>(op) << ": a = " << a.exact.str()
                          << ", b = " << b.exact.str() << ", exact = " << r.exact.str() << ", ball = " << r.ball.str()
                          << ", double = " << r.tracked.v << " +/- " << r.tracked.err);
            CHECK(r.ball.contains(r.exact));
            CHECK(within(r.tracked, r.exact));
            // the tracked value is bit-for-bit the plain double computation
            CHECK((r.tracked.v == r.dbl || (std::isnan(r.tracked.v) && std::isnan(r.dbl))));
            if (r.exact.bits() > 3000) break;  // keep the chain cheap
            pool.push_back(std::move(r));
        }
    }
}

TEST_CASE("tracked bounds are not vacuous on benign input", "[arith]") {
    // Σ_{i<100} 1/10 in double: the bound must be small yet cover the true error.
    const TrackedDoubleArith tr;
    TrackedDouble acc, tenth = tr.from_rational(Rational(1, 10));
    Rational exact;
    for (int i = 0; i < 100; ++i) {
        tr.add(acc, acc, tenth);
        exact += Rational(1, 10);
    }
    CHECK(within(acc, exact));
    CHECK(acc.err < 1e-13);
    CHECK(acc.err > 0.0);
    // division by a value whose error may reach zero gives no claim (∞), never a false one
    TrackedDouble r, tiny{1e-300, 1e-299};
    tr.div(r, tenth, tiny);
    CHECK(std::isinf(r.err));
}

TEST_CASE("ideal ball square root encloses the true root, sqrt_theta ball the rational one", "[arith]") {
    const long k = 20;
    for (long n : {0L, 1L, 2L, 3L, 1000L, 123456789L}) {
        Rational x(n, 7);
        BallArith ideal{128, true}, theta{128, false};
        Ball bi, bt, root(x, 256);
        ideal.sqrt_theta(bi, ideal.from_rational(x), k);
        theta.sqrt_theta(bt, theta.from_rational(x), k);
        arb_sqrt(root.get(), root.get(), 256);
        INFO("x = " << x.str() << " ideal " << bi.str() << " theta " << bt.str());
        CHECK(arb_contains(bi.get(), root.get()));  // the 256-bit √x lies in the 128-bit ball
        CHECK(bt.contains(sqrt_theta_bits(x, k)));
    }
    // beyond 2^100000 the ball falls back to √a − [0, 2^−k]; it must still enclose
    Rational huge(3);
    fmpq_mul_2exp(huge.get(), huge.get(), 200001);
    Ball hb;
    BallArith{64, false}.sqrt_theta(hb, Ball(huge, 64), 10);
    CHECK(hb.contains(sqrt_theta_bits(huge, 10)));
    // and a wide ball straddling zero encloses sqrt_θ of each of its points
    Ball wide(Rational(1), 64);
    mag_set_ui(arb_radref(wide.get()), 3);
    BallArith{64, false}.sqrt_theta(hb, wide, 10);
    for (long n = 0; n <= 40; ++n) CHECK(hb.contains(sqrt_theta_bits(Rational(n, 10), 10)));
    Ball neg(Rational(-1), 64);
    Ball r;
    CHECK_THROWS_AS(BallArith{}.sqrt_theta(r, neg, 10), DomainError);
}

TEST_CASE("ball operations contain the exact result at random points of random wide balls, aliased too", "[arith]") {
    // As Arb's t-*.c tests: draw balls x = [m ± r] with wide radii, exact points p ∈ x,
    // and check the ball result contains op(p, q); then again with the output aliasing an
    // input (r = a, r = a = b), which must not change the guarantee.
    auto g = rigornet::test::rng(21);
    const ExactArith ex;
    const long k = 20;
    for (int trial = 0; trial < cases(400); ++trial) {
        const BallArith ba{static_cast<long>(16 + g() % 200), false};
        auto draw_ball = [&](Rational& point) {
            const Rational m = rigornet::test::random_rational(g, 24);
            Rational r = rigornet::test::random_rational(g, 24).abs();
            if (g() % 4 == 0) r = r * Rational(1000);  // very wide: the ball may straddle 0
            Ball b = ba.from_rational(m), err(r, ba.prec);
            arb_add_error(b.get(), err.get());
            // p = m + t·r with t ∈ [−1, 1] rational, including the ends
            const long den = 1 + static_cast<long>(g() % 1000);
            const long num = static_cast<long>(g() % (2 * static_cast<unsigned long>(den) + 1)) - den;
            point = m + r * Rational(num, den);
            return b;
        };
        Rational p, q;
        const Ball a = draw_ball(p), b = draw_ball(q);
        const int op = static_cast<int>(g() % 9);
        Ball out;
        Rational exact;
        bool defined = true;
        switch (op) {
            case 0: ba.add(out, a, b); ex.add(exact, p, q); break;
            case 1: ba.sub(out, a, b); ex.sub(exact, p, q); break;
            case 2: ba.mul(out, a, b); ex.mul(exact, p, q); break;
            case 3:
                if (q.is_zero() || arb_is_zero(b.get())) { defined = false; break; }
                ba.div(out, a, b); ex.div(exact, p, q); break;
            case 4: ba.relu(out, a); ex.relu(exact, p); break;
            case 5: ba.min(out, a, b); ex.min(exact, p, q); break;
            case 6: ba.max(out, a, b); ex.max(exact, p, q); break;
            case 7: ba.square(out, a); ex.square(exact, p); break;
            case 8:
                // the guarantee covers the points t ≥ 0 of the ball (sqrt_θ is defined there)
                if (p.sign() < 0 || arb_is_negative(a.get())) { defined = false; break; }
                ba.sqrt_theta(out, a, k); ex.sqrt_theta(exact, p, k); break;
        }
        if (!defined) continue;
        INFO("trial " << trial << " op " << op << " prec " << ba.prec << ": a = " << a.str() << " ∋ " << p.str()
                      << ", b = " << b.str() << " ∋ " << q.str() << ", exact " << exact.str() << ", ball " << out.str());
        REQUIRE(a.contains(p));
        REQUIRE(b.contains(q));
        CHECK(out.contains(exact));
        // aliasing: r = a (in place) and r = a = b
        Ball x = a;
        switch (op) {
            case 0: ba.add(x, x, b); break;
            case 1: ba.sub(x, x, b); break;
            case 2: ba.mul(x, x, b); break;
            case 3: ba.div(x, x, b); break;
            case 4: ba.relu(x, x); break;
            case 5: ba.min(x, x, b); break;
            case 6: ba.max(x, x, b); break;
            case 7: ba.square(x, x); break;
            case 8: ba.sqrt_theta(x, x, k); break;
        }
        CHECK(x.contains(exact));
        Ball y = a;
        Rational same;
        ba.mul(y, y, y);
        ex.mul(same, p, p);
        CHECK(y.contains(same));
        Ball z = a;
        ba.addmul(z, z, z);  // z = a + a·a
        CHECK(z.contains(p + p * p));
    }
}
