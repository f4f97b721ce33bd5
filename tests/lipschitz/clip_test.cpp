// NNet input clipping as an activation of the chain: the bounds of a clipped network are
// the seed's formulas on its own weights (computed here by an independent small
// implementation), and the exact constant keeps the clip's three pieces.
#include <fstream>
#include <sstream>

#include "../io/nnet_direct.hpp"
#include "lipschitz_support.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/io/nnet_format.hpp"

using namespace rigornet;
using rigornet::test::cases;
using rigornet::test::rng;
using rigornet::test::small_rational;

namespace {

using Mat = std::vector<std::vector<Rational>>;  // rows

Mat mul(const Mat& a, const Mat& b) {
    Mat c(a.size(), std::vector<Rational>(b[0].size()));
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t k = 0; k < b.size(); ++k)
            for (std::size_t j = 0; j < b[0].size(); ++j) c[i][j] += a[i][k] * b[k][j];
    return c;
}

Mat absm(Mat a) {
    for (auto& row : a)
        for (auto& x : row) x = x.abs();
    return a;
}

Rational norm(const Mat& a, LipNorm p) {
    Rational best;
    const std::size_t outer = p == LipNorm::linf ? a.size() : a[0].size(), inner = p == LipNorm::linf ? a[0].size() : a.size();
    for (std::size_t i = 0; i < outer; ++i) {
        Rational s;
        for (std::size_t j = 0; j < inner; ++j) s += (p == LipNorm::linf ? a[i][j] : a[j][i]).abs();
        if (s > best) best = s;
    }
    return best;
}

// The weights of the NNet function with the clip as the first activation: ws[0] = I (the
// clip acts on the raw input), ws[1] = W_1 diag(1/range), …, ws[L] = range_out · W_L.
std::vector<Mat> seed_weights(const NNetFile& f) {
    const std::size_t n = f.sizes.front(), L = f.sizes.size() - 1;
    std::vector<Mat> ws;
    Mat id(n, std::vector<Rational>(n));
    for (std::size_t i = 0; i < n; ++i) id[i][i] = Rational(1);
    ws.push_back(id);
    for (std::size_t k = 0; k < L; ++k) {
        Mat w(f.sizes[k + 1], std::vector<Rational>(f.sizes[k]));
        for (std::size_t i = 0; i < w.size(); ++i)
            for (std::size_t j = 0; j < w[i].size(); ++j) {
                w[i][j] = f.weights[k][i * f.sizes[k] + j];
                if (k == 0) w[i][j] /= f.range[j];
                if (k + 1 == L) w[i][j] *= f.range[n];
            }
        ws.push_back(w);
    }
    return ws;
}

// W_(t,s) = ws[t−1] ⋯ ws[s], entrywise absolute values first when `absolute`.
Mat seg(const std::vector<Mat>& ws, std::size_t t, std::size_t s, bool absolute) {
    Mat m = absolute ? absm(ws[s]) : ws[s];
    for (std::size_t r = s + 1; r < t; ++r) m = mul(absolute ? absm(ws[r]) : ws[r], m);
    return m;
}

struct SeedBounds {
    Rational product, k1, k3, k4, k;
};

// DESIGN.md §7's formulas, by brute force (subset sums, all activation patterns).
SeedBounds seed_bounds(const std::vector<Mat>& ws, LipNorm p) {
    const std::size_t l = ws.size() - 1;
    SeedBounds b{Rational(1), {}, {}, {}, {}};
    for (const Mat& w : ws) b.product *= norm(w, p);
    b.k3 = norm(seg(ws, l + 1, 0, true), p);
    for (unsigned long mask = 0; mask < (1UL << l); ++mask) {
        std::vector<std::size_t> cuts{0};
        for (std::size_t r = 1; r <= l; ++r)
            if (mask >> (r - 1) & 1UL) cuts.push_back(r);
        cuts.push_back(l + 1);
        Rational term1(1);
        Mat term4;
        for (std::size_t q = 0; q + 1 < cuts.size(); ++q) {
            term1 *= norm(seg(ws, cuts[q + 1], cuts[q], false), p);
            const Mat a = absm(seg(ws, cuts[q + 1], cuts[q], false));
            term4 = q == 0 ? a : mul(a, term4);
        }
        b.k1 += term1;
        b.k4 += norm(term4, p);
    }
    const Rational scale = Rational(1) / Rational(static_cast<long>(1UL << l));
    b.k1 *= scale;
    b.k4 *= scale;
    std::size_t units = 0;
    for (std::size_t r = 0; r < l; ++r) units += ws[r].size();
    for (unsigned long mask = 0; mask < (1UL << units); ++mask) {
        Mat j = ws[0];
        std::size_t bit = 0;
        for (std::size_t r = 1; r <= l; ++r) {
            for (auto& row : j) {
                const bool on = mask >> bit++ & 1UL;
                if (!on)
                    for (auto& x : row) x = Rational(0);
            }
            j = mul(ws[r], j);
        }
        const Rational v = norm(j, p);
        if (v > b.k) b.k = v;
    }
    return b;
}

// A random NNet: 1–2 inputs, 1–2 hidden layers of 1–3 units, one output; bounds lo < hi
// (sometimes lo = hi), non-zero ranges.
NNetFile random_nnet(std::mt19937_64& g) {
    std::uniform_int_distribution<std::size_t> in(1, 2), width(1, 3), layers(2, 3);
    NNetFile f;
    f.sizes.push_back(in(g));
    const std::size_t L = layers(g);
    for (std::size_t k = 1; k < L; ++k) f.sizes.push_back(width(g));
    f.sizes.push_back(1);
    const std::size_t n = f.sizes.front();
    for (std::size_t i = 0; i < n; ++i) {
        const Rational a = small_rational(g), b = small_rational(g);
        f.input_min.push_back(std::min(a, b));
        f.input_max.push_back(g() % 8 == 0 ? std::min(a, b) : std::max(a, b) + Rational(1, 2));
    }
    for (std::size_t i = 0; i <= n; ++i) {
        f.mean.push_back(small_rational(g));
        f.range.push_back(Rational(static_cast<long>(g() % 4) + 1, static_cast<long>(g() % 3) + 1));
    }
    for (std::size_t k = 0; k < L; ++k) {
        std::vector<Rational> w, b;
        for (std::size_t q = 0; q < f.sizes[k + 1] * f.sizes[k]; ++q) w.push_back(small_rational(g));
        for (std::size_t q = 0; q < f.sizes[k + 1]; ++q) b.push_back(small_rational(g));
        f.weights.push_back(std::move(w));
        f.biases.push_back(std::move(b));
    }
    return f;
}

std::string nnet_text(const NNetFile& f) {
    auto line = [](const std::vector<Rational>& v) {
        std::string s;
        for (const Rational& x : v) s += x.str() + ",";
        return s + "\n";
    };
    const std::size_t n = f.sizes.front();
    std::string s = std::to_string(f.sizes.size() - 1) + "," + std::to_string(n) + ",1,1000,\n";
    for (std::size_t v : f.sizes) s += std::to_string(v) + ",";
    s += "\n0,\n" + line(f.input_min) + line(f.input_max) + line(f.mean) + line(f.range);
    for (std::size_t k = 0; k + 1 < f.sizes.size(); ++k) {
        for (std::size_t i = 0; i < f.sizes[k + 1]; ++i)
            s += line({f.weights[k].begin() + static_cast<long>(i * f.sizes[k]),
                       f.weights[k].begin() + static_cast<long>((i + 1) * f.sizes[k])});
        for (const Rational& b : f.biases[k]) s += b.str() + ",\n";
    }
    return s;
}

}  // namespace

TEST_CASE("clip: bounds of NNet networks are the seed's formulas on their weights", "[lipschitz][clip]") {
    auto g = rng(420);
    std::vector<NNetFile> files;
    for (int i = 0; i < cases(15); ++i) files.push_back(random_nnet(g));
    // The text format round trip, and tiny.nnet (clip box [−1, 1] × [0, 10]).
    files.push_back(parse_nnet(nnet_text(files[0]), "round-trip", NumberReading::decimal));
    std::ifstream in(rigornet::test::repo_path("examples/networks/tiny.nnet"));
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    files.push_back(parse_nnet(text.str(), "tiny.nnet", NumberReading::decimal));
    for (const NNetFile& f : files) {
        const ReluChain c = extract_relu_chain(nnet_to_network(f, "random"));
        const std::vector<Mat> ws = seed_weights(f);
        INFO(nnet_text(f));
        REQUIRE(c.depth() == ws.size() - 1);  // one clip layer, not weights [I; I] and [A, −A]
        REQUIRE(c.weights[0].rows() == f.sizes.front());
        // The merged chain computes the NNet function (points below, inside and above the box).
        for (int t = 0; t < 4; ++t) {
            std::vector<Rational> x;
            for (std::size_t j = 0; j < f.sizes.front(); ++j) x.push_back(small_rational(g) * Rational(2));
            CHECK(c.evaluate(x) == rigornet::test::direct_nnet(f, x));
        }
        for (LipNorm p : {LipNorm::l1, LipNorm::linf}) {
            const SeedBounds b = seed_bounds(ws, p);
            CAPTURE(lip_norm_name(p), b.product.str(), b.k1.str(), b.k3.str(), b.k4.str(), b.k.str());
            CHECK(bound_product(c, p, 64) == b.product);
            CHECK(bound_k1_dp(c, p, 64) == b.k1);
            CHECK(bound_k3(c, p, 64) == b.k3);
            CHECK(bound_k4_subsets(c, p, 64) == b.k4);
            CHECK(szegedy_k(c, p, 64)->upper == b.k);
        }
    }
}

TEST_CASE("clip: tiny.nnet's product and K_3 are those of its own weights", "[lipschitz][clip]") {
    const std::string path = rigornet::test::repo_path("examples/networks/tiny.nnet");
    const ReluChain c = extract_relu_chain(read_nnet(path, NumberReading::decimal));
    // By hand from the file: W_1 diag(1/2, 1/4) = [1/2 −1/4; 1/4 1/16; 1/20 1/20] and
    // range_out · W_2 = [1/2 1 3/2], ∞-norms 3/4 and 3, so K_* = 9/4 (the clip as weights
    // [I; I], [A, −A] gave 9/2); |W_2||W_1 D| = [1/4 + 1/4 + 3/40, 1/8 + 1/16 + 3/40] =
    // [23/40, 21/80], so K_3 = 67/80 (was 67/40).
    CHECK(bound_product(c, LipNorm::linf, 64) == Rational(9, 4));
    CHECK(bound_k3(c, LipNorm::linf, 64) == Rational(67, 80));
}

TEST_CASE("clip: the exact constant keeps the clip's pieces", "[lipschitz][clip]") {
    // f(x) = 3 relu(c − 1/4) + relu(1 − 2c), c = clip(x, 0, 1/5): the first unit is off on
    // the clip box, so f = 1 − 2c: slope −2 on (0, 1/5), 0 outside. L = 2 on every domain
    // meeting (0, 1/5), while K = 3 (pattern: clip and first unit on) and the unclipped
    // network has slope 3 for x > 1/2.
    NNetFile f;
    f.sizes = {1, 2, 1};
    f.input_min = {Rational(0)};
    f.input_max = {Rational(1, 5)};
    f.mean = {Rational(0), Rational(0)};
    f.range = {Rational(1), Rational(1)};
    f.weights = {{Rational(1), Rational(-2)}, {Rational(3), Rational(1)}};
    f.biases = {{Rational(-1, 4), Rational(1)}, {Rational(0)}};
    const ReluChain c = extract_relu_chain(nnet_to_network(f, "clip"));
    // Independent: the largest difference quotient on a grid of step 1/40 that contains
    // every kink (0, 1/5; the units' kinks 1/4 and 1/2 lie outside the clip box).
    Rational grid_l;
    for (long k = -40; k < 80; ++k) {
        const Rational a(k, 40), b(k + 1, 40);
        const Rational q = (rigornet::test::direct_nnet(f, {b})[0] - rigornet::test::direct_nnet(f, {a})[0]).abs() * Rational(40);
        if (q > grid_l) grid_l = q;
    }
    REQUIRE(grid_l == Rational(2));
    for (const Domain& d : {Domain{{Rational(-1)}, {Rational(2)}}, Domain{}, Domain{{Rational(1, 10)}, {Rational(1)}}}) {
        const auto ex = exact_lipschitz(c, d, LipNorm::linf, 64);
        REQUIRE(ex);
        REQUIRE(ex->complete());
        CHECK(ex->value.upper == grid_l);
        CHECK(pair_quotient_lower(c, ex->witness.a, ex->witness.b, LipNorm::linf, 64) == grid_l);
    }
    CHECK(szegedy_k(c, LipNorm::linf, 64)->upper == Rational(3));
}

TEST_CASE("clip: L on R^n equals L on the clip box, and that of the unclipped network there", "[lipschitz][clip]") {
    // f = g ∘ clip with clip 1-Lipschitz onto the box B: L_f(R^n) ≤ L_g(B) = L_f(B) ≤ L_f(R^n).
    auto g = rng(421);
    for (int i = 0; i < cases(10); ++i) {
        const NNetFile f = random_nnet(g);
        const std::size_t n = f.sizes.front();
        // A box with lo = hi fixes that input (a clip with cap 0 in the chain).
        const Domain box{f.input_min, f.input_max};
        bool all_fixed = true;
        for (std::size_t j = 0; j < n; ++j) all_fixed = all_fixed && f.input_min[j] == f.input_max[j];
        const ReluChain c = extract_relu_chain(nnet_to_network(f, "random"));
        // g: the same layers without the clip, built here (normalisation folded into W_1).
        Network net(n);
        for (std::size_t k = 0; k + 1 < f.sizes.size(); ++k) {
            std::vector<Rational> w = f.weights[k], b = f.biases[k];
            const std::size_t rows = f.sizes[k + 1], cols = f.sizes[k];
            if (k == 0)
                for (std::size_t r = 0; r < rows; ++r)
                    for (std::size_t j = 0; j < cols; ++j) {
                        w[r * cols + j] /= f.range[j];
                        b[r] -= w[r * cols + j] * f.mean[j];
                    }
            if (k + 2 == f.sizes.size()) {
                for (auto& x : w) x *= f.range[n];
                for (auto& x : b) x = x * f.range[n] + f.mean[n];
            }
            net.add_affine(std::make_shared<DenseMatrix>(rows, cols, w), nullptr, b);
            if (k + 2 < f.sizes.size()) net.add_elementwise(Scalar::relu);
        }
        const ReluChain unclipped = extract_relu_chain(net);
        INFO(nnet_text(f));
        for (LipNorm p : {LipNorm::l1, LipNorm::linf}) {
            const auto on_r = exact_lipschitz(c, Domain{}, p, 64);
            REQUIRE(on_r);
            if (all_fixed) {  // f is constant
                CHECK(on_r->value.upper.is_zero());
                continue;
            }
            const auto on_box = exact_lipschitz(c, box, p, 64), g_box = exact_lipschitz(unclipped, box, p, 64);
            REQUIRE((on_box && g_box));
            CHECK(on_r->value.upper == on_box->value.upper);
            CHECK(on_box->value.upper == g_box->value.upper);
            CHECK(pair_quotient_lower(c, on_r->witness.a, on_r->witness.b, p, 64) == on_r->value.upper);
            const PairWitness w = sampled_lower_bound(c, Domain{}, p, 64, 10, g);
            CHECK(w.value <= on_r->value.upper);
        }
    }
}
