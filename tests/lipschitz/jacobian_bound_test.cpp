// The interval Jacobian bound, the box slopes and the box restriction against brute force,
// and the pruned exact search against the unpruned enumeration.
#include <algorithm>
#include <cmath>

#include "lipschitz_support.hpp"
#include "rigornet/lipschitz/jacobian_bound.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/io/nnet_format.hpp"

using namespace rigornet;
using rigornet::test::cases;
using rigornet::test::random_relu_network;
using rigornet::test::rng;

namespace {

const std::vector<LipNorm> norms = {LipNorm::l1, LipNorm::l2, LipNorm::linf};

// Every {0, 1} pattern agreeing with s where s fixes a slope (2^free of them).
std::vector<std::vector<std::vector<bool>>> completions(const ReluChain& c, const SlopePattern& s) {
    std::vector<std::vector<std::vector<bool>>> out{{}};
    for (std::size_t r = 0; r < c.depth(); ++r) {
        for (auto& p : out) p.emplace_back();
        for (std::size_t k = 0; k < c.weights[r].rows(); ++k) {
            const UnitSlope d = r < s.size() && k < s[r].size() ? s[r][k] : UnitSlope::free;
            std::vector<std::vector<std::vector<bool>>> next;
            for (auto p : out) {
                if (d != UnitSlope::one) {
                    p.back().push_back(false);
                    next.push_back(p);
                    p.back().pop_back();
                }
                if (d != UnitSlope::zero) {
                    p.back().push_back(true);
                    next.push_back(p);
                }
            }
            out = std::move(next);
        }
    }
    return out;
}

SlopePattern random_slopes(const ReluChain& c, std::mt19937_64& g) {
    std::uniform_int_distribution<int> pick(0, 2);
    SlopePattern s;
    for (std::size_t r = 0; r < c.depth(); ++r) {
        s.emplace_back();
        for (std::size_t k = 0; k < c.weights[r].rows(); ++k) s.back().push_back(static_cast<UnitSlope>(pick(g)));
    }
    return s;
}

std::vector<Rational> random_point(const std::vector<Rational>& lo, const std::vector<Rational>& hi, std::mt19937_64& g) {
    std::uniform_int_distribution<long> t(0, 64);
    std::vector<Rational> x;
    for (std::size_t j = 0; j < lo.size(); ++j) x.push_back(lo[j] + (hi[j] - lo[j]) * Rational(t(g), 64));
    return x;
}

// The unpruned enumeration (the baseline) and the branch and bound, both complete runs
// (on a box the latter splits it until at most leaf_units units are undecided).
std::pair<ExactLipschitz, ExactLipschitz> unpruned_and_pruned(const ReluChain& c, const Domain& d, LipNorm p,
                                                              std::size_t leaf_units = ExactLimits{}.box_leaf_units) {
    ExactLimits all, split;
    all.prune = false;
    split.box_leaf_units = leaf_units;
    const auto full = exact_lipschitz(c, d, p, 64, all), fast = exact_lipschitz(c, d, p, 64, split);
    REQUIRE(full);
    REQUIRE(fast);
    REQUIRE(full->complete());
    INFO("stopped: " << fast->stopped << " regions " << fast->regions);
    REQUIRE(fast->complete());
    return {*full, *fast};
}

}  // namespace

TEST_CASE("jacobian bound: above the norm of every Jacobian the slopes allow (whole product and split around "
          "each layer), tight when all are fixed",
          "[lipschitz][jacobian-bound]") {
    auto g = rng(901);
    for (int i = 0; i < cases(30); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        const JacobianBound jb(c);
        const SlopePattern s = random_slopes(c, g);
        for (LipNorm p : norms) {
            const double b = jb.upper(s, p);
            Rational worst;
            for (const auto& pattern : completions(c, s)) {
                const Enclosure e = operator_norm(c.jacobian(pattern), p, 64);
                worst = std::max(worst, e.upper);
                REQUIRE(Rational::from_double(b) >= e.upper);
            }
            // the split bound around each hidden layer r, for that layer's slopes replaced
            // by other random ones: above every completion of the pattern so changed
            for (std::size_t r = 1; r <= c.depth(); ++r) {
                const JacobianBound::Split f = jb.split(s, r);
                SlopePattern changed = s;
                changed[r - 1] = random_slopes(c, g)[r - 1];
                const double bs = jb.upper(f, changed[r - 1], p);
                for (const auto& pattern : completions(c, changed))
                    REQUIRE(Rational::from_double(bs) >= operator_norm(c.jacobian(pattern), p, 64).upper);
            }
            // every slope fixed: the product of point-like intervals, only rounding apart
            // (for p = 2 the bound is min(√(‖A‖₁‖A‖∞), ‖A‖_F), not the 2-norm)
            const auto all = completions(c, s).front();
            SlopePattern fixed;
            for (const auto& layer : all) {
                fixed.emplace_back();
                for (bool on : layer) fixed.back().push_back(on ? UnitSlope::one : UnitSlope::zero);
            }
            if (p != LipNorm::l2) {
                const Rational exact = operator_norm(c.jacobian(all), p, 64).upper;
                const double t = jb.upper(fixed, p);
                CHECK(Rational::from_double(t) >= exact);
                CHECK(t <= exact.to_double(Round::up) * (1 + 1e-12) + 1e-300);
            }
        }
    }
}

TEST_CASE("jacobian bound: box slopes hold at random points of the box; the restricted chain equals f there",
          "[lipschitz][jacobian-bound]") {
    auto g = rng(902);
    std::uniform_int_distribution<long> end(-8, 8);
    std::size_t fixed_units = 0, removed = 0;
    for (int i = 0; i < cases(40); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        std::vector<Rational> lo, hi;
        for (std::size_t j = 0; j < c.input_dim; ++j) {
            Rational a(end(g), 8), b(end(g), 8);
            if (b < a) std::swap(a, b);
            lo.push_back(a);
            hi.push_back(a == b ? a + Rational(1, 8) : b);
        }
        const SlopePattern s = box_slopes(c, lo, hi);
        const ReluChain r = restrict_to_box(c, lo, hi);
        removed += c.hidden_units() - r.hidden_units();
        for (int t = 0; t < 20; ++t) {
            const auto x = random_point(lo, hi, g);
            const auto zs = c.preactivations(x);
            for (std::size_t q = 0; q < zs.size(); ++q)
                for (std::size_t k = 0; k < zs[q].size(); ++k) {
                    const UnitPhase ph = c.phase(q, k, zs[q][k]);
                    if (s[q][k] == UnitSlope::zero)
                        CHECK((ph == UnitPhase::below || ph == UnitPhase::lower_kink || ph == UnitPhase::above ||
                               ph == UnitPhase::upper_kink));
                    if (s[q][k] == UnitSlope::one)
                        CHECK((ph == UnitPhase::inside || ph == UnitPhase::lower_kink || ph == UnitPhase::upper_kink));
                    fixed_units += s[q][k] != UnitSlope::free;
                }
            CHECK(r.evaluate(x) == c.evaluate(x));
        }
    }
    CHECK(fixed_units > 0);  // the test saw slopes fixed by the box
    CHECK(removed > 0);      // and units removed
}

TEST_CASE("exact lipschitz: pruning by the interval Jacobian gives the unpruned enumeration's L",
          "[lipschitz][jacobian-bound]") {
    auto g = rng(903);
    std::size_t pruned = 0, regions_pruned = 0, regions_full = 0;
    for (int i = 0; i < cases(20); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g, 3, 2));
        Domain box;
        for (std::size_t j = 0; j < c.input_dim; ++j) {
            box.lo.push_back(Rational(-1, 2));
            box.hi.push_back(Rational(1, 3));
        }
        // R^n, the box, and the box split down to boxes with at most 2 undecided units
        const std::pair<Domain, std::size_t> runs[] = {{Domain{}, 40}, {box, 40}, {box, 2}};
        for (const auto& [d, leaf_units] : runs)
            for (LipNorm p : {LipNorm::l1, LipNorm::linf}) {
                const auto [f, q] = unpruned_and_pruned(c, d, p, leaf_units);
                const ExactLipschitz *full = &f, *fast = &q;
                CHECK(fast->value.lower == full->value.lower);
                CHECK(fast->value.upper == full->value.upper);
                CHECK(full->pruned == 0);
                // the reported region attains L: its pair's quotient is recomputed exactly
                CHECK(pair_quotient_lower(c, fast->witness.a, fast->witness.b, p, 64) == fast->value.lower);
                pruned += fast->pruned;
                regions_pruned += fast->regions;
                regions_full += full->regions;
            }
    }
    CHECK(pruned > 0);
    CHECK(regions_pruned < regions_full);
}

TEST_CASE("exact lipschitz: stopped early, lower <= L <= upper", "[lipschitz][jacobian-bound]") {
    auto g = rng(904);
    for (int i = 0; i < cases(15); ++i) {
        const ReluChain c = extract_relu_chain(random_relu_network(g));
        for (LipNorm p : {LipNorm::l1, LipNorm::linf}) {
            const auto full = exact_lipschitz(c, Domain{}, p, 64);
            REQUIRE(full);
            REQUIRE(full->upper);
            CHECK(*full->upper == full->value.upper);
            ExactLimits one;
            one.max_regions = 1;
            const auto part = exact_lipschitz(c, Domain{}, p, 64, one);
            REQUIRE(part);
            CHECK(part->value.lower <= full->value.upper);
            if (part->upper) CHECK(*part->upper >= full->value.upper);
        }
    }
}

TEST_CASE("exact lipschitz: clip units on tiny.nnet, pruned or not, on boxes across the clip", "[lipschitz][jacobian-bound]") {
    const ReluChain c =
        extract_relu_chain(read_nnet(rigornet::test::repo_path("examples/networks/tiny.nnet"), NumberReading::decimal));
    // tiny.nnet's clip box is [−1, 1] × [0, 10]: boxes inside, across and beyond it
    for (const Domain& d : {Domain{{Rational(-2), Rational(-1)}, {Rational(2), Rational(12)}},
                            Domain{{Rational(1, 2), Rational(3)}, {Rational(3), Rational(4)}},
                            Domain{{Rational(-1, 2), Rational(2)}, {Rational(1, 2), Rational(5)}}})
        for (LipNorm p : {LipNorm::l1, LipNorm::linf}) {
            const auto [f, q] = unpruned_and_pruned(c, d, p);
            const ExactLipschitz *full = &f, *fast = &q;
            CHECK(fast->value.upper == full->value.upper);
            // the restricted chain's cheap bound is still above L on the box
            CHECK(bound_product(restrict_to_box(c, d.lo, d.hi), p, 64) >= full->value.upper);
            CHECK(Rational::from_double(JacobianBound(c).upper(box_slopes(c, d.lo, d.hi), p)) >= full->value.upper);
        }
}
