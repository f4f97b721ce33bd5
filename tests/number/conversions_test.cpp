// Cached conversions (conversions.hpp): each is exactly what ar.from_rational returns,
// per precision for balls, and copies share them.
#include <cstring>

#include "../support.hpp"
#include "rigornet/number/conversions.hpp"

using namespace rigornet;
using rigornet::test::cases;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same(const Rational& a, const Rational& b) { return a == b; }
bool same(const Ball& a, const Ball& b) { return arb_equal(a.get(), b.get()) != 0; }
bool same(double a, double b) { return same_bits(a, b); }
bool same(const TrackedDouble& a, const TrackedDouble& b) { return same_bits(a.v, b.v) && same_bits(a.err, b.err); }
bool same(const Dual& a, const Dual& b) { return same_bits(a.v, b.v) && same_bits(a.d, b.d); }

// Every supported arithmetic, balls at two precisions.
template <class F>
void for_each_arith(F f) {
    f(ExactArith{});
    f(BallArith{64, false});
    f(BallArith{300, false});
    f(DoubleArith{});
    f(TrackedDoubleArith{});
    f(DualArith{});
}

}  // namespace

TEST_CASE("Constant and EntryCache convert exactly as from_rational does, in every arithmetic", "[arith]") {
    auto g = test::rng(80);
    for (int trial = 0; trial < cases(100); ++trial) {
        const std::vector<Rational> x = test::random_vector(g, 1 + g() % 5, 1 + static_cast<int>(g() % 80));
        const Constant c(x[0]);
        const Constant copy = c;
        const EntryCache e(x);
        long bits = 0;
        for (const Rational& q : x) bits = std::max(bits, q.bits());
        INFO("trial " << trial << ": x[0] = " << x[0].str());
        CHECK(e.max_bits() == bits);
        CHECK(c.exact() == x[0]);
        for_each_arith([&](const auto& ar) {
            INFO(ar.name);
            CHECK(same(c.value(ar), ar.from_rational(x[0])));
            if constexpr (std::decay_t<decltype(ar)>::exact)
                CHECK(&c.value(ar) == &c.exact());  // the rational itself
            else
                CHECK(&copy.value(ar) == &c.value(ar));  // copies share the cache
            const auto& v = e.get(ar);
            REQUIRE(v.size() == x.size());
            for (std::size_t i = 0; i < x.size(); ++i) CHECK(same(v[i], ar.from_rational(x[i])));
            CHECK(&e.get(ar) == &v);  // converted once (per precision)
        });
        // the 64-bit and 300-bit balls are kept apart
        CHECK(&c.value(BallArith{64, false}) != &c.value(BallArith{300, false}));
    }
}
