// MidRadArith: containment of the exact result at random rational points of random
// midpoint–radius values (every operation, aliased too, corner magnitudes), the dense
// kernel against ExactArith, bit-for-bit agreement of mid with DoubleArith, tightness,
// and the ACAS Xu bound ÷ true error.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>

#include "../support.hpp"
#include "rigornet/io/nnet_format.hpp"
#include "rigornet/linalg/operator.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/number/midrad.hpp"
#include "rigornet/number/random.hpp"

using namespace rigornet;
using rigornet::test::cases;

namespace {

// Whether the claim of r covers the exact value: |exact − (mid + lo)| ≤ rad, decided in rationals.
bool encloses(const MidRad& r, const Rational& exact) {
    if (!std::isfinite(r.rad)) return true;  // no claim
    if (!std::isfinite(r.mid) || !std::isfinite(r.lo)) return false;
    return (exact - Rational::from_double(r.mid) - Rational::from_double(r.lo)).abs() <= Rational::from_double(r.rad);
}

std::string show(const MidRad& a) {  // hexadecimal: exact, and defined for ±∞ and NaN
    char buf[128];
    std::snprintf(buf, sizeof buf, "{%a, %a, %a}", a.mid, a.lo, a.rad);
    return buf;
}

// A random double of random sign: zero, small integers, moderate, huge (near overflow),
// tiny (near and below the normal range).
double random_double(std::mt19937_64& g) {
    const double f = 2.0 * uniform_unit(g) - 1.0;
    switch (g() % 8) {
        case 0: return 0.0;
        case 1: return static_cast<double>(static_cast<long>(g() % 17) - 8);
        case 2: return std::ldexp(f, 1000 + static_cast<int>(g() % 24));   // near overflow
        case 3: return std::ldexp(f, -1000 - static_cast<int>(g() % 74));  // tiny and subnormal
        case 4: return std::ldexp(f, static_cast<int>(g() % 200) - 100);
        default: return 10.0 * f;
    }
}

// A random value with a random rational point inside it.
MidRad random_value(std::mt19937_64& g, Rational& point) {
    MidRad a;
    a.mid = random_double(g);
    switch (g() % 4) {
        case 0: a.lo = 0.0; break;
        case 1: a.lo = a.mid * 0x1p-54 * (2.0 * uniform_unit(g) - 1.0); break;  // a double-double tail
        default: a.lo = std::ldexp(random_double(g), -60); break;
    }
    switch (g() % 5) {
        case 0: a.rad = 0.0; break;
        case 1: a.rad = std::fabs(a.mid) * 0x1p-50 * uniform_unit(g); break;                // narrow
        case 2: a.rad = std::fabs(a.mid) * 3.0 * uniform_unit(g) + uniform_unit(g); break;  // wide, straddles 0
        case 3: a.rad = std::ldexp(uniform_unit(g), -1074 + static_cast<int>(g() % 40)); break;  // tiny
        default: a.rad = std::fabs(random_double(g)); break;
    }
    if (!std::isfinite(a.rad)) a.rad = 0.0;
    // point = mid + lo + t·rad with t ∈ [−1, 1] rational, ends included
    const long den = 1 + static_cast<long>(g() % 1000);
    const long num = static_cast<long>(g() % (2 * static_cast<unsigned long>(den) + 1)) - den;
    point = Rational::from_double(a.mid) + Rational::from_double(a.lo) + Rational::from_double(a.rad) * Rational(num, den);
    return a;
}

}  // namespace

TEST_CASE("midrad operations enclose the exact result at random points of random values, aliased too", "[midrad]") {
    auto g = rigornet::test::rng(90);
    const MidRadArith mr;
    const ExactArith ex;
    const long k = 20;
    int claims = 0;
    for (int trial = 0; trial < cases(3000); ++trial) {
        Rational p, q;
        const MidRad a = random_value(g, p), b = random_value(g, q);
        const int op = static_cast<int>(g() % 11);
        MidRad out, x = a;
        Rational exact;
        switch (op) {
            case 0: mr.add(out, a, b); mr.add(x, x, b); ex.add(exact, p, q); break;
            case 1: mr.sub(out, a, b); mr.sub(x, x, b); ex.sub(exact, p, q); break;
            case 2: mr.mul(out, a, b); mr.mul(x, x, b); ex.mul(exact, p, q); break;
            case 3:
                if (q.is_zero()) continue;
                mr.div(out, a, b); mr.div(x, x, b); ex.div(exact, p, q); break;
            case 4: mr.relu(out, a); mr.relu(x, x); ex.relu(exact, p); break;
            case 5: mr.min(out, a, b); mr.min(x, x, b); ex.min(exact, p, q); break;
            case 6: mr.max(out, a, b); mr.max(x, x, b); ex.max(exact, p, q); break;
            case 7: mr.square(out, a); mr.square(x, x); ex.square(exact, p); break;
            case 8: mr.neg(out, a); mr.neg(x, x); ex.neg(exact, p); break;
            case 9: out = b; mr.addmul(out, a, b); mr.addmul(x, x, b); ex.addmul(exact = q, p, q); x = out; break;
            case 10:
                if (p.sign() < 0) continue;  // sqrt_θ is defined (and claimed) for points ≥ 0
                try {
                    mr.sqrt_theta(out, a, k);
                } catch (const DomainError&) {
                    FAIL("DomainError for a value containing the point " << p.str() << " >= 0");
                }
                x = out;
                ex.sqrt_theta(exact, p, k);
                break;
        }
        INFO("trial " << trial << " op " << op << ": a = " << show(a) << " ∋ " << p.str() << ", b = " << show(b)
                      << " ∋ " << q.str() << ", exact " << exact.str() << ", got " << show(out));
        CHECK(encloses(out, exact));
        CHECK(encloses(x, exact));  // r aliasing the first operand
        claims += std::isfinite(out.rad);
        // r = a = b: a + a, a·a, a + a·a
        MidRad y = a;
        mr.add(y, y, y);
        CHECK(encloses(y, p + p));
        y = a;
        mr.mul(y, y, y);
        CHECK(encloses(y, p * p));
        y = a;
        mr.addmul(y, y, y);
        CHECK(encloses(y, p + p * p));
    }
    CHECK(claims > cases(3000) / 2);  // most results make a claim (overflow and 0-divisors are rare)
}

TEST_CASE("midrad mid is DoubleArith's value, and the bound is tight on benign chains", "[midrad]") {
    auto g = rigornet::test::rng(91);
    const MidRadArith mr;
    const DoubleArith db;
    for (int trial = 0; trial < cases(200); ++trial) {
        std::vector<MidRad> m;
        std::vector<double> d;
        for (int i = 0; i < 4; ++i) {
            const Rational r = rigornet::test::random_rational(g, 30);
            m.push_back(mr.from_rational(r));
            d.push_back(db.from_rational(r));
        }
        for (int step = 0; step < 12; ++step) {
            const std::size_t i = g() % m.size(), j = g() % m.size();
            MidRad r;
            double s = 0;
            switch (g() % 6) {
                case 0: mr.add(r, m[i], m[j]); db.add(s, d[i], d[j]); break;
                case 1: mr.sub(r, m[i], m[j]); db.sub(s, d[i], d[j]); break;
                case 2: mr.mul(r, m[i], m[j]); db.mul(s, d[i], d[j]); break;
                case 3: mr.relu(r, m[i]); db.relu(s, d[i]); break;
                case 4: mr.min(r, m[i], m[j]); db.min(s, d[i], d[j]); break;
                default: mr.max(r, m[i], m[j]); db.max(s, d[i], d[j]); break;
            }
            INFO("trial " << trial << " step " << step);
            CHECK((r.mid == s || (std::isnan(r.mid) && std::isnan(s))));
            m.push_back(r);
            d.push_back(s);
        }
    }
    // Σ_{i<100} 1/10: the double's error is captured by lo; the enclosure radius is second order
    MidRad acc;
    const MidRad tenth = mr.from_rational(Rational(1, 10));
    Rational exact;
    for (int i = 0; i < 100; ++i) {
        mr.add(acc, acc, tenth);
        exact += Rational(1, 10);
    }
    CHECK(encloses(acc, exact));
    const double true_err = (Rational::from_double(acc.mid) - exact).abs().to_double(Round::nearest);
    CHECK(true_err > 0.0);
    INFO("sum " << show(acc));
    CHECK(acc.rad < 1e-12 * true_err);              // second order: about 100·u·|lo|
    CHECK(double_error_bound(acc) <= 1.01 * true_err);  // |lo| + rad is the double's error, nearly exactly
    CHECK(double_error_bound(acc) >= true_err);
    // a divisor that may be 0 gives no claim; the exact zero divisor is a domain error
    MidRad r;
    mr.div(r, tenth, MidRad{1e-300, 0.0, 1e-299});
    CHECK(std::isinf(r.rad));
    CHECK_THROWS_AS(mr.div(r, tenth, MidRad{}), DomainError);
    CHECK_THROWS_AS(mr.sqrt_theta(r, MidRad{-1.0, 0.0, 0.5}, 10), DomainError);
}

TEST_CASE("midrad dot kernel encloses the exact dot product (dense products vs ExactArith)", "[midrad]") {
    auto g = rigornet::test::rng(92);
    const MidRadArith mr;
    for (int trial = 0; trial < cases(200); ++trial) {
        const std::size_t n = 1 + g() % 40;
        std::vector<MidRad> w(n), x(n);
        Rational exact;
        const bool benign = trial % 2 == 0;
        for (std::size_t j = 0; j < n; ++j) {
            Rational p, q;
            if (benign) {  // moderate magnitudes, narrow radii: the tightness case
                p = rigornet::test::random_rational(g, 30);
                q = rigornet::test::random_rational(g, 30);
                w[j] = mr.from_rational(p);
                x[j] = mr.from_rational(q);
            } else {
                w[j] = random_value(g, p);
                x[j] = random_value(g, q);
            }
            exact += p * q;
        }
        MidRad r, loop;
        mr.dot(r, w, x);
        for (std::size_t j = 0; j < n; ++j) mr.addmul(loop, w[j], x[j]);
        INFO("trial " << trial << " n " << n << ": dot " << show(r) << ", addmul loop " << show(loop) << ", exact "
                      << exact.str());
        CHECK(encloses(r, exact));
        CHECK((r.mid == loop.mid || (std::isnan(r.mid) && std::isnan(loop.mid))));  // DoubleArith's summation order
        if (benign && std::isfinite(r.mid)) {
            // the radius is second order: far below the first-order u·Σ|w||x| a plain midrad gives
            Rational mag;
            for (std::size_t j = 0; j < n; ++j)
                mag += (Rational::from_double(w[j].mid) * Rational::from_double(x[j].mid)).abs();
            CHECK(Rational::from_double(r.rad) <= mag / Rational(1L << 40) / Rational(1L << 40) + Rational::from_double(0x1p-1000));
        }
    }
}

TEST_CASE("DenseMatrix applies MidRadArith through the dot kernel", "[midrad]") {
    auto g = rigornet::test::rng(95);
    const MidRadArith mr;
    const std::size_t rows = 3, cols = 17;
    std::vector<Rational> w = rigornet::test::random_vector(g, rows * cols, 30);
    std::vector<MidRad> wm, x;
    for (const Rational& v : w) wm.push_back(mr.from_rational(v));
    for (std::size_t j = 0; j < cols; ++j) x.push_back(mr.from_rational(rigornet::test::random_rational(g, 30)));
    const DenseMatrix A(rows, cols, w);
    std::vector<MidRad> y(rows);
    A.apply(mr, std::span<const MidRad>(x), std::span<MidRad>(y));
    for (std::size_t i = 0; i < rows; ++i) {
        MidRad r;
        mr.dot(r, std::span<const MidRad>(wm).subspan(i * cols, cols), x);
        // the same three doubles: the operator ran the kernel, not the addmul loop
        CHECK(std::bit_cast<std::uint64_t>(y[i].mid) == std::bit_cast<std::uint64_t>(r.mid));
        CHECK(std::bit_cast<std::uint64_t>(y[i].lo) == std::bit_cast<std::uint64_t>(r.lo));
        CHECK(std::bit_cast<std::uint64_t>(y[i].rad) == std::bit_cast<std::uint64_t>(r.rad));
    }
}

TEST_CASE("midrad network evaluation encloses the exact output; mid equals the double evaluation", "[midrad]") {
    auto g = rigornet::test::rng(93);
    for (int trial = 0; trial < cases(60); ++trial) {
        const Network net = rigornet::test::random_network(g, 3, 4);
        const std::vector<Rational> y = rigornet::test::random_vector(g, 3, 12);
        std::vector<Rational> ex;
        try {
            ex = evaluate_rational(net, ExactArith{}, y);
        } catch (const DomainError&) {
            continue;  // e.g. sqrt_θ of a negative value: no exact value to enclose
        }
        std::vector<double> yd;
        for (auto& v : y) yd.push_back(v.to_double(Round::nearest));
        const auto m = evaluate_rational(net, MidRadArith{}, y);
        const auto d = evaluate(net, DoubleArith{}, std::span<const double>(yd));
        for (std::size_t i = 0; i < ex.size(); ++i) {
            INFO("trial " << trial << " output " << i << ": midrad " << show(m[i]) << " exact " << ex[i].str());
            CHECK(encloses(m[i], ex[i]));
            CHECK((m[i].mid == d[i] || (std::isnan(m[i].mid) && std::isnan(d[i]))));
            CHECK(to_ball(m[i], 128).contains(ex[i]));
        }
    }
}

TEST_CASE("midrad bound on the ACAS Xu double output is within 100x of the true error", "[midrad]") {
    const char* root = std::getenv("RIGORNET_ROOT");
    const std::string acas = std::string(root ? root : ".") + "/tests/data/nnet/acasxu_test.nnet";
    std::ifstream in(acas);
    REQUIRE(in);
    for (NumberReading reading : {NumberReading::binary64, NumberReading::decimal}) {
        const NNetFile file = parse_nnet(std::string(std::istreambuf_iterator<char>(in), {}), acas, reading);
        in.clear();
        in.seekg(0);
        const Network net = nnet_to_network(file, acas);
        auto g = rigornet::test::rng(94);
        double worst = 0;
        for (int k = 0; k < cases(4); ++k) {
            std::vector<Rational> x;
            for (std::size_t i = 0; i < file.input_min.size(); ++i) {
                const Rational t(static_cast<long>(g() % 1001), 1000);
                x.push_back(file.input_min[i] + (file.input_max[i] - file.input_min[i]) * t);
            }
            const auto ex = evaluate_rational(net, ExactArith{}, x);
            const auto m = evaluate_rational(net, MidRadArith{}, x);
            for (std::size_t j = 0; j < ex.size(); ++j) {
                const Rational err = (Rational::from_double(m[j].mid) - ex[j]).abs();
                const Rational bound = Rational::from_double(double_error_bound(m[j]));
                INFO("input " << k << " output " << j << ": bound " << bound.str() << " true error " << err.str());
                CHECK(err <= bound);
                CHECK(encloses(m[j], ex[j]));
                if (!err.is_zero()) worst = std::max(worst, (bound / err).to_double(Round::up));
                CHECK(bound <= Rational(100) * err + Rational(1, 1L << 60) * Rational(1, 1L << 60));
            }
        }
        CHECK(worst <= 100.0);
    }
}
