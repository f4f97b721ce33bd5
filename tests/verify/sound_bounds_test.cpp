// Tests of the forward symbolic interval bounds (sound_bounds.hpp): containment of the
// exact values at random rational points, agreement of the outward-rounded binary64
// pass with the exact procedure, the rounding guard, and the proof tree of verify.
#include <cfenv>
#include <limits>
#include <sstream>

#include "../lipschitz/lipschitz_support.hpp"
#include "../support.hpp"
#include "rigornet/check/dual_bound.hpp"
#include "rigornet/io/nnet_format.hpp"
#include "rigornet/verify/sound_bounds.hpp"
#include "rigornet/verify/verify.hpp"

using namespace rigornet;

namespace {

// Some hidden units of c turned into clips (caps 0…3/2).
ReluChain with_random_caps(ReluChain c, std::mt19937_64& g) {
    c.caps.resize(c.depth());
    for (std::size_t r = 0; r < c.depth(); ++r)
        for (std::size_t k = 0; k < c.weights[r].rows(); ++k) {
            c.caps[r].resize(c.weights[r].rows());
            if (g() % 3 == 0) c.caps[r][k] = Rational(static_cast<long>(g() % 4), 2);
        }
    return c;
}

// A random chain, with some hidden units turned into clips.
ReluChain random_chain(std::mt19937_64& g) {
    return with_random_caps(extract_relu_chain(rigornet::test::random_relu_network(g, 3, 2)), g);
}

// A deeper random chain (3–5 hidden layers of width 2–5, entries in [−1, 1] with
// denominator 8), where back-substitution reaches through several relaxations.
ReluChain deep_random_chain(std::mt19937_64& g) {
    ReluChain c;
    c.input_dim = 1 + g() % 3;
    const std::size_t hidden = 3 + g() % 3;
    std::size_t cols = c.input_dim;
    for (std::size_t r = 0; r <= hidden; ++r) {
        const std::size_t rows = r == hidden ? 1 + g() % 2 : 2 + g() % 4;
        RationalMatrix w(rows, cols);
        std::vector<Rational> b;
        for (std::size_t i = 0; i < rows; ++i) {
            for (std::size_t j = 0; j < cols; ++j) w.set(i, j, Rational(static_cast<long>(g() % 17) - 8, 8));
            b.push_back(Rational(static_cast<long>(g() % 9) - 4, 8));
        }
        c.weights.push_back(std::move(w));
        c.biases.push_back(std::move(b));
        cols = rows;
    }
    return with_random_caps(std::move(c), g);
}

// The property "y_j ≤ 0" and "−y_j ≤ 0" for every output j, one conjunction each, so
// bound[2j][0] ≤ y_j and bound[2j+1][0] ≤ −y_j.
VnnlibProperty output_bounds(const ReluChain& c, std::vector<Rational> lo, std::vector<Rational> hi) {
    VnnlibProperty p;
    p.lower = std::move(lo);
    p.upper = std::move(hi);
    for (std::size_t j = 0; j < c.output_dim(); ++j)
        for (int s : {1, -1}) {
            std::vector<Rational> ay(c.output_dim());
            ay[j] = Rational(s);
            p.unsafe.push_back({LinearConstraint{std::vector<Rational>(c.input_dim), ay, Rational()}});
        }
    return p;
}

// A random box [lo, hi] of dimension n: lower ends in [−2, 0], widths 1/4 … 2 (quarters).
void random_box(std::mt19937_64& g, std::size_t n, std::vector<Rational>& lo, std::vector<Rational>& hi) {
    for (std::size_t i = 0; i < n; ++i) {
        const Rational a(static_cast<long>(g() % 9) - 8, 4), w(static_cast<long>(1 + g() % 8), 4);
        lo.push_back(a);
        hi.push_back(a + w);
    }
}

Rational random_in(std::mt19937_64& g, const Rational& lo, const Rational& hi) {
    const long k = static_cast<long>(g() % 9);  // ends and ties included
    return lo + (hi - lo) * Rational(k, 8);
}

std::vector<double> down(const std::vector<Rational>& v) {
    std::vector<double> d;
    for (const Rational& q : v) d.push_back(q.to_double(Round::down));
    return d;
}
std::vector<double> up(const std::vector<Rational>& v) {
    std::vector<double> d;
    for (const Rational& q : v) d.push_back(q.to_double(Round::up));
    return d;
}

// Random phases for every unit that is not a clip: active, inactive or free (1/3 each).
PhaseFix random_phases(std::mt19937_64& g, const ReluChain& c) {
    PhaseFix fix(c.depth());
    for (std::size_t r = 0; r < c.depth(); ++r)
        for (std::size_t k = 0; k < c.weights[r].rows(); ++k)
            fix[r].push_back(c.cap(r, k) ? 0 : static_cast<signed char>(static_cast<int>(g() % 3) - 1));
    return fix;
}

// Whether the pre-activations z satisfy the phase fixes (active z ≥ 0, inactive z ≤ 0).
bool phases_hold(const PhaseFix& fix, const std::vector<std::vector<Rational>>& z) {
    for (std::size_t r = 0; r < fix.size(); ++r)
        for (std::size_t k = 0; k < fix[r].size(); ++k)
            if ((fix[r][k] > 0 && z[r][k].sign() < 0) || (fix[r][k] < 0 && z[r][k].sign() > 0)) return false;
    return true;
}

// At a point with pre-activations z and outputs y: every unit's bounds contain z, and
// the bounds of output_bounds' constraints are below y_j and −y_j.
void check_contains(const SymbolicBounds<double>& b, const std::vector<std::vector<Rational>>& z,
                    const std::vector<Rational>& y) {
    for (std::size_t r = 0; r < z.size(); ++r)
        for (std::size_t k = 0; k < z[r].size(); ++k) {
            CHECK(Rational::from_double(b.lower[r][k]) <= z[r][k]);
            CHECK(z[r][k] <= Rational::from_double(b.upper[r][k]));
        }
    for (std::size_t j = 0; j < y.size(); ++j) {
        CHECK(Rational::from_double(b.bound[2 * j][0]) <= y[j]);
        CHECK(Rational::from_double(b.bound[2 * j + 1][0]) <= -y[j]);
    }
}

// check_contains at `points` random exact points of [lo, hi] where the phases `fix` hold.
void check_contains_at_random_points(std::mt19937_64& g, const ReluChain& c, const std::vector<Rational>& lo,
                                     const std::vector<Rational>& hi, const PhaseFix& fix,
                                     const SymbolicBounds<double>& b, int points = 12) {
    for (int s = 0; s < points; ++s) {
        std::vector<Rational> x;
        for (std::size_t i = 0; i < c.input_dim; ++i) x.push_back(random_in(g, lo[i], hi[i]));
        const auto z = c.preactivations(x);
        if (!phases_hold(fix, z)) continue;  // the bounds are claimed on the phases' region only
        std::ostringstream at;
        for (const Rational& q : x) at << q.str() << ' ';
        INFO("x = " << at.str());
        check_contains(b, z, c.evaluate(x));
    }
}

}  // namespace

TEST_CASE("symbolic bounds contain the exact values at random points (exact and outward)", "[sound_bounds]") {
    auto g = rigornet::test::rng(11);
    for (int trial = 0; trial < rigornet::test::cases(60); ++trial) {
        const ReluChain c = random_chain(g);
        std::vector<Rational> lo, hi;
        for (std::size_t i = 0; i < c.input_dim; ++i) {
            Rational a = rigornet::test::small_rational(g), b = rigornet::test::small_rational(g);
            if (b < a) std::swap(a, b);
            lo.push_back(a);
            hi.push_back(b);
        }
        const VnnlibProperty p = output_bounds(c, lo, hi);
        // random phase fixes on plain ReLU units (a third of the trials)
        const PhaseFix fix = trial % 3 == 0 ? random_phases(g, c) : PhaseFix(c.depth());
        const OutwardChain oc(c, p);
        const SymbolicBounds<Rational> ex = symbolic_bounds_exact(c, p, lo, hi, fix, {});
        const SymbolicBounds<double> ow = symbolic_bounds_outward(oc, down(lo), up(hi), fix, {}, NeuronBounds::forward);
        for (int s = 0; s < 12; ++s) {
            std::vector<Rational> x;
            for (std::size_t i = 0; i < c.input_dim; ++i) x.push_back(random_in(g, lo[i], hi[i]));
            const auto z = c.preactivations(x);
            if (!phases_hold(fix, z)) continue;  // the bounds are claimed on the phases' region only
            const std::vector<Rational> y = c.evaluate(x);
            std::ostringstream at;
            for (const Rational& q : x) at << q.str() << ' ';
            INFO("trial " << trial << " x = " << at.str());
            for (std::size_t r = 0; r < z.size(); ++r)
                for (std::size_t k = 0; k < z[r].size(); ++k) {
                    CHECK(ex.lower[r][k] <= z[r][k]);
                    CHECK(z[r][k] <= ex.upper[r][k]);
                    CHECK(Rational::from_double(ow.lower[r][k]) <= z[r][k]);
                    CHECK(z[r][k] <= Rational::from_double(ow.upper[r][k]));
                }
            for (std::size_t j = 0; j < y.size(); ++j) {
                CHECK(ex.bound[2 * j][0] <= y[j]);
                CHECK(ex.bound[2 * j + 1][0] <= -y[j]);
                CHECK(Rational::from_double(ow.bound[2 * j][0]) <= y[j]);
                CHECK(Rational::from_double(ow.bound[2 * j + 1][0]) <= -y[j]);
            }
        }
        // the outward pass computes the exact (forward) procedure up to rounding and
        // keeps the back-substituted bound when larger: never looser than the exact one
        // by more than rounding (a bug in either implementation shows here), and its
        // pre-activation bounds agree with the exact ones up to rounding
        for (std::size_t k = 0; k < ex.bound.size(); ++k) {
            const double e = ex.bound[k][0].to_double(Round::nearest);
            CHECK(ow.bound[k][0] >= e - 1e-9 * (1 + std::abs(e)));
        }
        for (std::size_t r = 0; r < ex.lower.size(); ++r)
            for (std::size_t k = 0; k < ex.lower[r].size(); ++k) {
                const double e = ex.lower[r][k].to_double(Round::nearest);
                CHECK(std::abs(ow.lower[r][k] - e) <= 1e-9 * (1 + std::abs(e)));
            }
    }
}

TEST_CASE("outward rounding: 3·(1/10) is bounded on both sides; plain binary64 is not", "[sound_bounds]") {
    // y = (1/10)·x at x = 3: the exact value 3/10 is not a double, and 0.1·3 rounds to
    // nearest above it, so only a directed lower end is ≤ 3/10.
    ReluChain c;
    c.input_dim = 1;
    c.weights.emplace_back(1, 1);
    c.weights[0].set(0, 0, Rational(1, 10));
    c.biases.push_back({Rational()});
    const VnnlibProperty p = output_bounds(c, {Rational(3)}, {Rational(3)});
    const OutwardChain oc(c, p);
    REQUIRE(std::fegetround() == FE_TONEAREST);
    const SymbolicBounds<double> ow = symbolic_bounds_outward(oc, {3.0}, {3.0}, {}, {}, NeuronBounds::forward);
    CHECK(std::fegetround() == FE_TONEAREST);  // the guard restored the caller's mode
    CHECK(Rational::from_double(ow.bound[0][0]) <= Rational(3, 10));
    CHECK(Rational::from_double(-ow.bound[1][0]) >= Rational(3, 10));
    CHECK(ow.bound[0][0] < -ow.bound[1][0]);  // a proper enclosure, not a point
    // plain binary64 with the weight rounded to its enclosure's midpoint: 0.1·3 = 0.30000000000000004
    const SymbolicBounds<double> nr = symbolic_bounds_nearest(oc, {3.0}, {3.0}, {}, {}, NeuronBounds::forward);
    CHECK(Rational::from_double(nr.bound[0][0]) > Rational(3, 10));
}

TEST_CASE("verify: threads agree, and the proof tree's leaves pass the exact procedure", "[verify]") {
    auto g = rigornet::test::rng(23);
    int proved = 0;
    for (int trial = 0; trial < rigornet::test::cases(60); ++trial) {
        const ReluChain c = random_chain(g);
        VnnlibProperty p;
        p.lower.assign(c.input_dim, Rational(-1));
        p.upper.assign(c.input_dim, Rational(1));
        // unsafe: y_0 ≥ t, with t above the value at the centre
        const Rational t = c.evaluate(std::vector<Rational>(c.input_dim))[0] + Rational(1, 2 + trial % 5);
        std::vector<Rational> ay(c.output_dim());
        ay[0] = Rational(-1);
        p.unsafe = {{LinearConstraint{std::vector<Rational>(c.input_dim), ay, -t}}};
        VerifyOptions o;
        o.timeout_seconds = 5;
        o.max_nodes = 4000;
        o.want_proof = true;
        o.input_split_max_dim = trial / 5 % 2 ? 0 : 16;  // half the trials: ReLU splits first
        const VerifyResult one = verify(c, p, o);
        o.threads = 2;
        const VerifyResult two = verify(c, p, o);
        INFO("trial " << trial);
        if (one.verdict != Verdict::unknown && two.verdict != Verdict::unknown) CHECK(one.verdict == two.verdict);
        for (const VerifyResult* r : {&one, &two}) {
            if (r->verdict == Verdict::refuted) {
                CHECK(satisfies(p.unsafe[0], r->input, c.evaluate(r->input)));
            }
            if (r->verdict != Verdict::proved) continue;
            ++proved;
            INFO(r->proof_error);
            REQUIRE(!r->proof.empty());
            // walk the tree: every leaf's region (the box cut by the splits) is refuted
            // by the exact procedure with the leaf's slopes and named constraint
            struct Item {
                std::size_t id;
                std::vector<Rational> lo, hi;
                PhaseFix fix;
            };
            const ReluChain& mc = r->merge.merged;  // the tree is about the chain searched
            std::vector<Item> todo{{0, p.lower, p.upper, PhaseFix(mc.depth())}};
            while (!todo.empty()) {
                Item it = todo.back();
                todo.pop_back();
                const ProofNode& n = r->proof.at(it.id);
                if (n.kind == ProofNode::Kind::leaf) {
                    REQUIRE(n.refutes.size() == 1);
                    const LinearConstraint& k = p.unsafe[0][n.refutes[0]];
                    if (!n.dual) {
                        const auto b = symbolic_bounds_exact(mc, p, it.lo, it.hi, it.fix, n.slopes);
                        CHECK(b.bound[0][n.refutes[0]] > k.rhs);
                        continue;
                    }
                    // a dual leaf: the checker's Lagrangian bound (dual_bound.hpp), refuting the same constraint
                    ProofNode copy = n;
                    CHECK(dual_leaf_holds(DualChain(mc), p, copy, it.lo, it.hi, it.fix));
                    CHECK(copy.refutes == n.refutes);
                    continue;
                }
                Item a = it, b = it;
                a.id = n.first;
                b.id = n.second;
                if (n.kind == ProofNode::Kind::input_split) {
                    CHECK((it.lo[n.dim] <= n.at && n.at <= it.hi[n.dim]));
                    a.hi[n.dim] = n.at;
                    b.lo[n.dim] = n.at;
                } else {
                    CHECK(mc.cap(n.layer, n.unit) == nullptr);
                    a.fix[n.layer].resize(mc.weights[n.layer].rows());
                    b.fix[n.layer].resize(mc.weights[n.layer].rows());
                    a.fix[n.layer][n.unit] = -1;
                    b.fix[n.layer][n.unit] = 1;
                }
                todo.push_back(a);
                todo.push_back(b);
            }
        }
    }
    CHECK(proved > 0);
}

TEST_CASE("back-substituted unit bounds contain the exact values and are never looser than forward", "[sound_bounds][crown]") {
    auto g = rigornet::test::rng(31);
    int tighter_units = 0, tighter_bounds = 0;
    for (int trial = 0; trial < rigornet::test::cases(80); ++trial) {
        const ReluChain c = deep_random_chain(g);
        std::vector<Rational> lo, hi;
        random_box(g, c.input_dim, lo, hi);
        const VnnlibProperty p = output_bounds(c, lo, hi);
        const PhaseFix fix = trial % 3 == 0 ? random_phases(g, c) : PhaseFix(c.depth());
        const OutwardChain oc(c, p);
        const SymbolicBounds<double> fw = symbolic_bounds_outward(oc, down(lo), up(hi), fix, {}, NeuronBounds::forward);
        const SymbolicBounds<double> bs = symbolic_bounds_outward(oc, down(lo), up(hi), fix, {}, NeuronBounds::back_substituted);
        const SymbolicBounds<double> nr = symbolic_bounds_nearest(oc, down(lo), up(hi), fix, {}, NeuronBounds::back_substituted);
        INFO("trial " << trial);
        // never looser (exact comparison: the forward pass is part of the back-substituted one)
        for (std::size_t r = 0; r < fw.lower.size(); ++r)
            for (std::size_t k = 0; k < fw.lower[r].size(); ++k) {
                CHECK(bs.lower[r][k] >= fw.lower[r][k]);
                CHECK(bs.upper[r][k] <= fw.upper[r][k]);
                if (bs.lower[r][k] > fw.lower[r][k] || bs.upper[r][k] < fw.upper[r][k]) ++tighter_units;
                // the nearest pass computes the same up to rounding (the template is shared)
                CHECK(std::abs(nr.lower[r][k] - bs.lower[r][k]) <= 1e-9 * (1 + std::abs(bs.lower[r][k])));
            }
        for (std::size_t k = 0; k < fw.bound.size(); ++k) {
            CHECK(bs.bound[k][0] >= fw.bound[k][0]);
            if (bs.bound[k][0] > fw.bound[k][0]) ++tighter_bounds;
        }
        // containment at random exact points of the box where the phases hold
        check_contains_at_random_points(g, c, lo, hi, fix, bs);
    }
    // the back-substitution is not a no-op: some units and output bounds get tighter
    CHECK(tighter_units > 0);
    CHECK(tighter_bounds > 0);
}

TEST_CASE("backward-only bounds (no forward functions) contain the exact values, also with decimal weights",
          "[sound_bounds][crown]") {
    auto g = rigornet::test::rng(37);
    int decimal = 0, scored = 0, compared_with_fixes = 0;
    for (int trial = 0; trial < rigornet::test::cases(80); ++trial) {
        ReluChain c = deep_random_chain(g);
        if (trial % 2 == 1) {  // entries k/10: not binary64, so every weight is an interval
            ++decimal;
            for (RationalMatrix& w : c.weights)
                for (std::size_t i = 0; i < w.rows(); ++i)
                    for (std::size_t j = 0; j < w.cols(); ++j) w.set(i, j, w.at(i, j) * Rational(8, 10));
        }
        std::vector<Rational> lo, hi;
        random_box(g, c.input_dim, lo, hi);
        const VnnlibProperty p = output_bounds(c, lo, hi);
        const PhaseFix fix = trial % 3 == 0 ? random_phases(g, c) : PhaseFix(c.depth());
        const OutwardChain oc(c, p);
        const SymbolicBounds<double> bw = symbolic_bounds_outward(oc, down(lo), up(hi), fix, {}, NeuronBounds::backward);
        const SymbolicBounds<double> nr = symbolic_bounds_nearest(oc, down(lo), up(hi), fix, {}, NeuronBounds::backward);
        INFO("trial " << trial);
        // with dyadic weights (every product exact in binary64) the outward pass's
        // midpoint-radius row products compute what the plain round-to-nearest loop
        // computes; with decimal ones a tie l = 0 or u = −l may break differently, so only
        // containment (below) is claimed there; so too where the fixed phases contradict
        // the box (some unit with l > u: the region is empty, and intervals with crossed
        // ends are multiplied differently)
        bool empty = false;
        for (std::size_t r = 0; r < bw.lower.size(); ++r)
            for (std::size_t k = 0; k < bw.lower[r].size(); ++k) empty = empty || bw.lower[r][k] > bw.upper[r][k];
        const bool same = trial % 2 == 0 && !empty;
        compared_with_fixes += same && trial % 3 == 0;
        for (std::size_t r = 0; r < bw.lower.size(); ++r)
            for (std::size_t k = 0; k < bw.lower[r].size(); ++k) {
                if (same) {
                    CHECK(std::abs(nr.lower[r][k] - bw.lower[r][k]) <= 1e-9 * (1 + std::abs(bw.lower[r][k])));
                    CHECK(std::abs(nr.upper[r][k] - bw.upper[r][k]) <= 1e-9 * (1 + std::abs(bw.upper[r][k])));
                }
                if (bw.split_score[r][k] > 0) ++scored;
            }
        for (std::size_t k = 0; k < bw.bound.size(); ++k) {
            if (same) CHECK(std::abs(nr.bound[k][0] - bw.bound[k][0]) <= 1e-9 * (1 + std::abs(bw.bound[k][0])));
            CHECK(bw.forward[k][0] == -std::numeric_limits<double>::infinity());
        }
        check_contains_at_random_points(g, c, lo, hi, fix, bw);
    }
    CHECK(decimal > 0);
    CHECK(scored > 0);  // some unstable unit is charged to an open constraint
    CHECK(compared_with_fixes > 0);  // the two passes agree on some regions with fixed phases
}

TEST_CASE("alpha-CROWN and parent bounds contain the exact values", "[sound_bounds][hard]") {
    // Random deep chains; the node is a random sub-box of a parent box (and, in some
    // trials, more phases fixed than the parent): the refined pass must contain the exact
    // values at random points of the node where its phases hold; the α ascent alone is
    // no looser than the plain back-substituted pass.
    auto g = rigornet::test::rng(53);
    int alpha_tighter = 0, parent_tighter = 0;
    for (int trial = 0; trial < rigornet::test::cases(80); ++trial) {
        const ReluChain c = deep_random_chain(g);
        std::vector<Rational> plo, phi, lo, hi;
        for (std::size_t i = 0; i < c.input_dim; ++i) {
            const Rational a(static_cast<long>(g() % 9) - 8, 4), w(static_cast<long>(2 + g() % 8), 4);
            plo.push_back(a);
            phi.push_back(a + w);
            lo.push_back(random_in(g, a, a + w));
            hi.push_back(random_in(g, lo.back(), a + w));
        }
        const VnnlibProperty p = output_bounds(c, lo, hi);
        // (the α ascent runs on the constraints still open: bound ≤ 0)
        PhaseFix pfix(c.depth()), fix(c.depth());
        for (std::size_t r = 0; r < c.depth(); ++r)
            for (std::size_t k = 0; k < c.weights[r].rows(); ++k) {
                const signed char f = c.cap(r, k) || trial % 2 ? 0 : static_cast<signed char>(static_cast<int>(g() % 3) - 1);
                pfix[r].push_back(f != 0 && g() % 2 ? f : 0);
                fix[r].push_back(pfix[r].back() != 0 ? pfix[r].back() : f);
            }
        const OutwardChain oc(c, p);
        const SymbolicBounds<double> parent =
            symbolic_bounds_outward(oc, down(plo), up(phi), pfix, {}, NeuronBounds::back_substituted);
        const SymbolicBounds<double> bs = symbolic_bounds_outward(oc, down(lo), up(hi), fix, {}, NeuronBounds::back_substituted);
        const SymbolicBounds<double> ra =
            symbolic_bounds_outward(oc, down(lo), up(hi), fix, {}, NeuronBounds::back_substituted, {20, &parent});
        INFO("trial " << trial);
        // each unit is within its parent's bounds (intersected); not necessarily within
        // bs's, since the DeepPoly slope rule depends on l, u
        bool unit_tighter = false;
        for (std::size_t r = 0; r < bs.lower.size(); ++r)
            for (std::size_t k = 0; k < bs.lower[r].size(); ++k) {
                CHECK(ra.lower[r][k] >= parent.lower[r][k]);
                CHECK(ra.upper[r][k] <= parent.upper[r][k]);
                unit_tighter = unit_tighter || ra.lower[r][k] > bs.lower[r][k] || ra.upper[r][k] < bs.upper[r][k];
            }
        parent_tighter += unit_tighter;
        for (std::size_t k = 0; k < bs.bound.size(); ++k) {
            // the ascent alone (the same relaxations as bs) is never looser, and raises some bounds
            const SymbolicBounds<double> al =
                symbolic_bounds_outward(oc, down(lo), up(hi), fix, {}, NeuronBounds::back_substituted, {20, nullptr});
            if (al.bound[k][0] > bs.bound[k][0]) ++alpha_tighter;
            CHECK(al.bound[k][0] >= bs.bound[k][0]);
        }
        check_contains_at_random_points(g, c, lo, hi, fix, ra);
    }
    CHECK(alpha_tighter > 0);  // neither refinement is a no-op on these chains
    CHECK(parent_tighter > 0);
}

TEST_CASE("beta-CROWN bounds of split nodes contain the exact values where the phases hold", "[sound_bounds][hard]") {
    // Random deep chains with random phases fixed (the region is where they hold): the α
    // ascent with the split multipliers β, in both neuron modes, must contain the exact
    // values at random points of the region, and β must raise some bound above the
    // ascent without it (the constraints z ≤ 0 / z ≥ 0 carry information the relaxation
    // of the fixed unit alone does not).
    auto g = rigornet::test::rng(59);
    int beta_tighter = 0, unit_tighter = 0;
    for (int trial = 0; trial < rigornet::test::cases(80); ++trial) {
        const ReluChain c = deep_random_chain(g);
        std::vector<Rational> lo, hi;
        random_box(g, c.input_dim, lo, hi);
        const VnnlibProperty p = output_bounds(c, lo, hi);
        PhaseFix fix(c.depth());
        for (std::size_t r = 0; r < c.depth(); ++r)
            for (std::size_t k = 0; k < c.weights[r].rows(); ++k)
                fix[r].push_back(c.cap(r, k) || g() % 2 ? 0 : static_cast<signed char>(g() % 2 ? 1 : -1));
        const OutwardChain oc(c, p);
        INFO("trial " << trial);
        for (NeuronBounds nb : {NeuronBounds::back_substituted, NeuronBounds::backward}) {
            const SymbolicBounds<double> al = symbolic_bounds_outward(oc, down(lo), up(hi), fix, {}, nb, {20, nullptr, false});
            const SymbolicBounds<double> be = symbolic_bounds_outward(oc, down(lo), up(hi), fix, {}, nb, {20, nullptr, true});
            for (std::size_t k = 0; k < be.bound.size(); ++k)
                if (be.bound[k][0] > al.bound[k][0]) ++beta_tighter;
            check_contains_at_random_points(g, c, lo, hi, fix, be, 24);
            // α-β steps on the units' own bounds too (unit_alpha_steps): still contained,
            // and some unit bound tighter than the plain back-substitution's
            BoundRefinement units{20, nullptr, true};
            units.unit_alpha_steps = 10;
            const SymbolicBounds<double> un = symbolic_bounds_outward(oc, down(lo), up(hi), fix, {}, nb, units);
            for (std::size_t r = 0; r < un.lower.size(); ++r)
                for (std::size_t k = 0; k < un.lower[r].size(); ++k)
                    unit_tighter += un.lower[r][k] > be.lower[r][k] + 1e-12 || un.upper[r][k] < be.upper[r][k] - 1e-12;
            check_contains_at_random_points(g, c, lo, hi, fix, un, 24);
        }
    }
    CHECK(beta_tighter > 0);
    CHECK(unit_tighter > 0);
}

TEST_CASE("back-substituted unit bounds are tighter on an ACAS Xu network", "[sound_bounds][crown]") {
    // ACAS Xu property 3's box (raw coordinates) on the bundled network: the forward
    // pass leaves many deep units unstable; back-substitution must fix some of them and
    // narrow the rest, while the sampled exact pre-activations stay inside
    const ReluChain c =
        extract_relu_chain(read_nnet(rigornet::test::repo_path("tests/data/nnet/acasxu_test.nnet"), NumberReading::decimal));
    const std::vector<Rational> lo = {Rational(1500), Rational(-6, 100), Rational(31, 10), Rational(980), Rational(960)};
    const std::vector<Rational> hi = {Rational(1800), Rational(6, 100), Rational(314, 100), Rational(1200), Rational(1200)};
    const VnnlibProperty p = output_bounds(c, lo, hi);
    const OutwardChain oc(c, p);
    const SymbolicBounds<double> fw = symbolic_bounds_outward(oc, down(lo), up(hi), {}, {}, NeuronBounds::forward);
    const SymbolicBounds<double> bs = symbolic_bounds_outward(oc, down(lo), up(hi), {}, {}, NeuronBounds::back_substituted);
    auto unstable = [&](const SymbolicBounds<double>& b) {
        int n = 0;
        for (std::size_t r = 0; r < b.lower.size(); ++r)
            for (std::size_t k = 0; k < b.lower[r].size(); ++k) n += !c.cap(r, k) && b.lower[r][k] < 0 && b.upper[r][k] > 0;
        return n;
    };
    INFO("unstable units: forward " << unstable(fw) << ", back-substituted " << unstable(bs));
    CHECK(unstable(bs) < unstable(fw));
    double width_fw = 0, width_bs = 0;  // of the last hidden layer
    for (std::size_t k = 0; k < fw.lower.back().size(); ++k) {
        width_fw += fw.upper.back()[k] - fw.lower.back()[k];
        width_bs += bs.upper.back()[k] - bs.lower.back()[k];
    }
    INFO("last hidden layer, total width: forward " << width_fw << ", back-substituted " << width_bs);
    CHECK(width_bs < width_fw);
    auto g = rigornet::test::rng(37);
    for (int s = 0; s < 20; ++s) {
        std::vector<Rational> x;
        for (std::size_t i = 0; i < lo.size(); ++i) x.push_back(random_in(g, lo[i], hi[i]));
        const auto z = c.preactivations(x);
        for (std::size_t r = 0; r < z.size(); ++r)
            for (std::size_t k = 0; k < z[r].size(); ++k) {
                CHECK(Rational::from_double(bs.lower[r][k]) <= z[r][k]);
                CHECK(z[r][k] <= Rational::from_double(bs.upper[r][k]));
            }
    }
}

TEST_CASE("the combination of a conjunction's constraints is bounded soundly, and can beat each constraint",
          "[sound_bounds][crown]") {
    // One conjunction of 2–3 random constraints a_m·x + c_m·y ≤ d_m whose right-hand sides
    // no bound reaches (so the pass combines them): combined_bound ≤ Σλ_m (a_m·x + c_m·y)
    // exactly at random points of the box (the λ the pass reports, read exactly), and
    // combined_rhs ≥ Σλ_m d_m.
    auto g = rigornet::test::rng(37);
    int combined = 0;
    for (int trial = 0; trial < rigornet::test::cases(60); ++trial) {
        const ReluChain c = deep_random_chain(g);
        std::vector<Rational> lo, hi;
        random_box(g, c.input_dim, lo, hi);
        VnnlibProperty p;
        p.lower = lo;
        p.upper = hi;
        p.unsafe.emplace_back();
        const std::size_t count = 2 + g() % 2;
        for (std::size_t m = 0; m < count; ++m) {
            LinearConstraint k{std::vector<Rational>(c.input_dim), std::vector<Rational>(c.output_dim()), Rational(1000)};
            for (Rational& a : k.ax) a = Rational(static_cast<long>(g() % 5) - 2, 4);
            for (Rational& a : k.ay) a = Rational(static_cast<long>(g() % 5) - 2, 2);
            p.unsafe[0].push_back(std::move(k));
        }
        const OutwardChain oc(c, p);
        const SymbolicBounds<double> b =
            symbolic_bounds_outward(oc, down(lo), up(hi), {}, {}, NeuronBounds::back_substituted);
        INFO("trial " << trial);
        REQUIRE(b.combination.size() == 1);
        if (b.combination[0].empty()) continue;  // a constraint's bound above 1000
        ++combined;
        const std::vector<double>& l = b.combination[0];
        REQUIRE(l.size() == count);
        std::vector<Rational> lambda;
        for (double v : l) {
            CHECK(v >= 0);
            lambda.push_back(Rational::from_double(v));
        }
        const LinearConstraint comb = combine(p.unsafe[0], lambda);
        CHECK(Rational::from_double(b.combined_rhs[0]) >= comb.rhs);
        for (int s = 0; s < 12; ++s) {
            std::vector<Rational> x;
            for (std::size_t i = 0; i < c.input_dim; ++i) x.push_back(random_in(g, lo[i], hi[i]));
            const std::vector<Rational> y = c.evaluate(x);
            Rational v;
            for (std::size_t i = 0; i < x.size(); ++i) v += comb.ax[i] * x[i];
            for (std::size_t j = 0; j < y.size(); ++j) v += comb.ay[j] * y[j];
            CHECK(Rational::from_double(b.combined_bound[0]) <= v);
        }
    }
    CHECK(combined > 0);
}
