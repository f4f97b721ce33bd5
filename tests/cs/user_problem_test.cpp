#include <cmath>
#include <fstream>

#include "../support.hpp"
#include "rigornet/linalg/operator_norm.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/cs/measurement_noise.hpp"
#include "rigornet/cs/user_problem.hpp"

using namespace rigornet;

namespace {

std::string write_file(const std::string& suffix, const std::string& text) {
    const std::string p = rigornet::test::temp_path(suffix);
    std::ofstream(p) << text;
    return p;
}

// The entries summed per (row, col), as a dense row-major table (an independent view of
// what a reader returned).
std::vector<Rational> dense(const std::vector<SparseEntry>& e, std::size_t rows, std::size_t cols) {
    std::vector<Rational> d(rows * cols);
    for (auto& x : e) d[x.row * cols + x.col] += x.value;
    return d;
}

std::vector<Rational> q(std::initializer_list<const char*> v) {
    std::vector<Rational> r;
    for (auto* s : v) r.push_back(parse_rational(s));
    return r;
}

// ‖Ax‖² for the real entries, exactly.
Rational image_norm_sq(const std::vector<SparseEntry>& e, std::size_t rows, const std::vector<Rational>& x) {
    std::vector<Rational> y(rows);
    for (auto& t : e) y[t.row] += t.value * x[t.col];
    Rational s;
    for (auto& v : y) s += v * v;
    return s;
}

}  // namespace

TEST_CASE("Matrix Market coordinate, array and symmetric kinds read as written", "[user_problem]") {
    const auto c = write_file(".mtx",
                              "%%MatrixMarket matrix coordinate real general\n% a comment\n\n2 3 3\n1 1 0.1\n2 3 -7/2\n1 1 1e-1\n");
    MatrixEntries m = read_matrix_market(c);
    REQUIRE(m.rows == 2);
    REQUIRE(m.cols == 3);
    CHECK(dense(m.re, 2, 3) == q({"1/5", "0", "0", "0", "0", "-7/2"}));  // duplicates summed: 0.1 + 1e-1
    // array: column by column
    const auto a = write_file(".mtx", "%%MatrixMarket matrix array integer general\n2 2\n1\n2\n3\n4\n");
    m = read_matrix_market(a);
    CHECK(dense(m.re, 2, 2) == q({"1", "3", "2", "4"}));
    // symmetric array: lower triangle by columns (a11, a21, a22)
    const auto s = write_file(".mtx", "%%MatrixMarket matrix array real symmetric\n2 2\n1\n-2\n5\n");
    m = read_matrix_market(s);
    CHECK(dense(m.re, 2, 2) == q({"1", "-2", "-2", "5"}));
    const auto k = write_file(".mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 1 3\n");
    m = read_matrix_market(k);
    CHECK(dense(m.re, 2, 2) == q({"0", "-3", "3", "0"}));
    // hermitian: a12 = conj(a21)
    const auto h = write_file(".mtx", "%%MatrixMarket matrix coordinate complex hermitian\n2 2 2\n1 1 2 0\n2 1 1 -1/2\n");
    m = read_matrix_market(h);
    REQUIRE(m.complex);
    CHECK(dense(m.re, 2, 2) == q({"2", "1", "1", "0"}));
    CHECK(dense(m.im, 2, 2) == q({"0", "1/2", "-1/2", "0"}));
    const auto p = write_file(".mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n2 2\n");
    CHECK(dense(read_matrix_market(p).re, 2, 2) == q({"0", "0", "0", "1"}));
}

TEST_CASE("Matrix Market errors name the file and line", "[user_problem]") {
    auto msg = [](const std::string& text) {
        const auto f = write_file(".mtx", text);
        try {
            read_matrix_market(f);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(msg("%%MatrixMarket tensor coordinate real general\n1 1 0\n"), Catch::Contains(".mtx:1:"));
    CHECK_THAT(msg("%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n"), Catch::Contains(".mtx:3: row 3 outside"));
    CHECK_THAT(msg("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n"), Catch::Contains("expected 2 entries, found 1"));
    CHECK_THAT(msg("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 x\n"), Catch::Contains(".mtx:3: bad value"));
    CHECK_THAT(msg("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n2 2 2\n"), Catch::Contains("more entries"));
    CHECK_THAT(msg("%%MatrixMarket matrix coordinate real general\n99999999999 2 0\n"), Catch::Contains("outside"));
    CHECK_THAT(msg("%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1\n"), Catch::Contains("lower triangle"));
}

TEST_CASE("the JSON and Matrix Market forms of the example problem are the same matrix", "[user_problem]") {
    const auto j = read_problem_matrix(rigornet::test::repo_path("examples/problems/dense21x22.json"));
    const auto m = read_problem_matrix(rigornet::test::repo_path("examples/problems/dense21x22.mtx"));
    REQUIRE(j.rows == 21);
    REQUIRE(j.cols == 22);
    REQUIRE(m.rows == 21);
    CHECK(dense(j.re, 21, 22) == dense(m.re, 21, 22));
    // y = A z of the stated z, exactly (the example's measurements are consistent)
    const auto y = read_problem_vector(rigornet::test::repo_path("examples/problems/dense21x22_y.json"), 21, false);
    const auto z = read_problem_vector(rigornet::test::repo_path("examples/problems/dense21x22_z.json"), 22, false);
    std::vector<Rational> az(21);
    for (auto& e : j.re) az[e.row] += e.value * z[e.col];
    CHECK(az == y);
}

TEST_CASE("vectors: JSON, complex JSON, text and Matrix Market; lengths checked", "[user_problem]") {
    CHECK(read_problem_vector(write_file(".json", "[\"1/2\", 3]"), 2, false) == q({"1/2", "3"}));
    CHECK(read_problem_vector(write_file(".json", "{\"re\": [\"1\", \"2\"], \"im\": [\"0.5\", \"0\"]}"), 2, true) ==
          q({"1", "2", "1/2", "0"}));
    CHECK(read_problem_vector(write_file(".txt", "1, -2/3\n 0.25\n"), 3, false) == q({"1", "-2/3", "1/4"}));
    CHECK(read_problem_vector(write_file(".txt", "1 2"), 2, true) == q({"1", "2", "0", "0"}));
    CHECK(read_problem_vector(write_file(".mtx", "%%MatrixMarket matrix array real general\n2 1\n4\n-1\n"), 2, false) == q({"4", "-1"}));
    CHECK_THROWS_AS(read_problem_vector(write_file(".json", "[1, 2, 3]"), 2, false), ShapeError);
    CHECK_THROWS_AS(read_problem_vector(write_file(".json", "{\"re\": [1], \"im\": [1]}"), 1, false), DomainError);
    CHECK_THROWS_WITH(read_problem_vector(write_file(".txt", "1\n2\nfoo\n"), 3, false), Catch::Contains(".txt:3:"));
    CHECK_THROWS_WITH(read_problem_vector(write_file(".json", "[1, 0.5]"), 2, false), Catch::Contains("[1]"));
}

TEST_CASE("norm_upper bounds ||A||_2 from above, tightly, on known and random matrices", "[user_problem]") {
    // diag(3, -5, 1/2): ||A|| = 5 exactly
    std::vector<SparseEntry> d{{0, 0, Rational(3)}, {1, 1, Rational(-5)}, {2, 2, Rational(1, 2)}};
    const Rational u = norm_upper(d, 3, 3);
    CHECK(u >= Rational(5));
    CHECK(u <= Rational(5) * (Rational(1) + Rational(1, 1000000000)));
    // complex [[1, i], [i, 1]] is normal with eigenvalues 1 ± i: ||A|| = sqrt 2
    MatrixEntries c;
    c.rows = c.cols = 2;
    c.complex = true;
    c.re = {{0, 0, Rational(1)}, {1, 1, Rational(1)}};
    c.im = {{0, 1, Rational(1)}, {1, 0, Rational(1)}};
    std::size_t r = 0, k = 0;
    const auto cf = real_form(c, r, k);
    REQUIRE(r == 4);
    const Rational uc = norm_upper(cf, r, k);
    CHECK(uc * uc >= Rational(2));
    CHECK(uc * uc <= Rational(2) * (Rational(1) + Rational(1, 1000000000)));
    // random matrices: a lower bound ||Ax||/||x|| at a power-iteration vector (any x is a
    // witness), checked exactly; the upper bound is above it and within 1e-6 of it
    auto g = rigornet::test::rng(71);
    for (int t = 0; t < rigornet::test::cases(10); ++t) {
        const std::size_t rows = 1 + g() % 7, cols = 1 + g() % 7;
        std::vector<SparseEntry> e;
        std::vector<double> ad(rows * cols);
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) {
                const Rational v(static_cast<long>(g() % 41) - 20, 1 + static_cast<long>(g() % 9));
                e.push_back({i, j, v});
                ad[i * cols + j] = v.to_double(Round::nearest);
            }
        std::vector<double> x(cols, 1.0), y(rows);
        for (int it = 0; it < 500; ++it) {
            for (std::size_t i = 0; i < rows; ++i) {
                y[i] = 0;
                for (std::size_t j = 0; j < cols; ++j) y[i] += ad[i * cols + j] * x[j];
            }
            double s = 0;
            for (std::size_t j = 0; j < cols; ++j) {
                x[j] = 0;
                for (std::size_t i = 0; i < rows; ++i) x[j] += ad[i * cols + j] * y[i];
                s = std::max(s, std::abs(x[j]));
            }
            if (s == 0) break;
            for (auto& v : x) v /= s;
        }
        std::vector<Rational> xr;
        Rational xn;
        for (double v : x) {
            xr.push_back(Rational::from_double(v));
            xn += xr.back() * xr.back();
        }
        const Rational ub = norm_upper(e, rows, cols);
        const Rational lower_sq = image_norm_sq(e, rows, xr);
        INFO("rows " << rows << " cols " << cols << " U = " << ub.str());
        CHECK(ub * ub * xn >= lower_sq);  // ||Ax||² ≤ ||A||² ||x||² ≤ U² ||x||²
        if (!xn.is_zero() && !lower_sq.is_zero())
            CHECK(ub * ub * xn <= lower_sq * (Rational(1) + Rational(1, 1000000)));
    }
}

TEST_CASE("the default steps satisfy the primal-dual condition with the proved bound", "[user_problem]") {
    for (const char* s : {"1", "3.559674776", "1/3", "123456.789"}) {
        const Rational U = parse_rational(s), t = primal_dual_step(U);
        CHECK(t * t * U * U < Rational(1));
        CHECK(t * t * U * U > Rational(99, 100));
    }
    CHECK_THROWS_AS(primal_dual_step(Rational(0)), DomainError);
}

TEST_CASE("the objective enclosure contains the exact value; the warm start enters the first step", "[user_problem]") {
    // A = [[1, 2], [0, -1]], y = A z for z = (1/2, -1): F(z) = λ‖z‖₁ exactly
    std::vector<SparseEntry> e{{0, 0, Rational(1)}, {0, 1, Rational(2)}, {1, 1, Rational(-1)}};
    const Rational U = norm_upper(e, 2, 2);
    const CsProblem pb = make_user_problem(e, 2, 2, false, U);
    const std::vector<Rational> z = q({"1/2", "-1"}), y = q({"-3/2", "1"});
    std::vector<Ball> zb;
    for (auto& v : z) zb.emplace_back(v, 128);
    const Ball f = sr_lasso_objective(pb, Rational(1, 10), y, zb, 128);
    CHECK(f.contains(Rational(3, 20)));
    CHECK(f.radius() < Rational(1, 1000000));
    // one unrestarted primal-dual step from (x0, d = 0): x1 = S_{τλ}(x0), the output
    SolverParams sp;
    sp.solver = Solver::primal_dual;
    sp.inner = 1;
    sp.lambda = Rational(1, 10);
    sp.tau = sp.sigma = primal_dual_step(U);
    sp.x0 = q({"2", "-1/100"});
    const auto out = evaluate_rational(build_unrolled(pb, sp), ExactArith{}, y);
    const Rational t = sp.tau * sp.lambda;
    REQUIRE(t > Rational(1, 100));  // so the second coordinate thresholds to 0
    CHECK(out == std::vector<Rational>{Rational(2) - t, Rational(0)});
    sp.x0 = q({"1"});
    CHECK_THROWS_AS(build_unrolled(pb, sp), ShapeError);
    sp.x0 = q({"1", "2"});
    sp.solver = Solver::fista;
    CHECK_THROWS_AS(build_unrolled(pb, sp), DomainError);
}

TEST_CASE("reconstruct and build take a problem as files", "[user_problem][cli]") {
    using rigornet::test::repo_path;
    const std::string files = "--matrix " + repo_path("examples/problems/dense21x22.mtx") + " --measurements " +
                              repo_path("examples/problems/dense21x22_y.json");
    auto j = rigornet::test::run_json("reconstruct " + files + " --restarts 2 --inner 5 --arith exact --json --reference " +
                                      repo_path("examples/problems/dense21x22_z.json"));
    REQUIRE(j["solution"].size() == 22);
    const Rational U = parse_rational(j["norm_upper"].get<std::string>());
    // U ≥ ‖A‖ ≥ ‖A e_j‖ for every column j (exact, independent of norm_2)
    const auto m = read_problem_matrix(repo_path("examples/problems/dense21x22.json"));
    for (std::size_t c = 0; c < 22; ++c) {
        std::vector<Rational> ej(22);
        ej[c] = Rational(1);
        CHECK(U * U >= image_norm_sq(m.re, 21, ej));
    }
    // the objective enclosure: F(solution) ≥ 0, and the exact solution strings parse
    for (auto& s : j["solution"]) CHECK_NOTHROW(parse_rational(s.get<std::string>()));
    CHECK(j.contains("distance_to_reference"));
    std::string out, err;
    CHECK(rigornet::test::run_cli("reconstruct " + files + " --tau 1 --sigma 1", out, &err) == 3);
    CHECK_THAT(err, Catch::Contains("norm_upper") || Catch::Contains("proved bound"));
    CHECK(rigornet::test::run_cli("reconstruct --matrix " + write_file(".mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n") +
                                      " --measurements " + repo_path("examples/problems/dense21x22_y.json"),
                                  out, &err) == 3);
    CHECK_THAT(err, Catch::Contains(".mtx:"));
    const auto net = rigornet::test::temp_path(".json");
    auto b = rigornet::test::run_json("build firenet " + files + " --restarts 1 --inner 2 -o " + net + " --json");
    CHECK(b["norm_upper"] == j["norm_upper"]);
    CHECK(b["inputs"] == 21);
    CHECK(b["outputs"] == 22);
    // the history's last step is the full network: the same objective enclosure
    const auto csv = rigornet::test::temp_path(".csv");
    auto h = rigornet::test::run_json("reconstruct " + files + " --restarts 3 --inner 5 --arith ball --json --history " + csv +
                                      " --reference " + repo_path("examples/problems/dense21x22_z.json"));
    REQUIRE(h["history"].size() == 3);
    CHECK(h["history"][2]["objective"] == h["objective"]);
    CHECK(h["history"][2]["distance_to_reference"] == h["distance_to_reference"]);
    CHECK(h["history"][0]["iterations"] == 5);
    std::ifstream in(csv);
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) ++lines;
    CHECK(lines == 4);  // header and three steps
    // stability on the same files: every ratio enclosure is finite and positive
    auto st = rigornet::test::run_json("stability " + files + " --reference " + repo_path("examples/problems/dense21x22_z.json") +
                                       " --restarts 1 --inner 4 --iterations 3 --solvers firenet,fista --json");
    REQUIRE(st["results"].size() == 2);
    CHECK(st["norm_upper"] == j["norm_upper"]);
    for (auto& r : st["results"]) {
        const Rational lower = parse_rational(r["lower"][0].get<std::string>());
        CHECK(lower > Rational(0));
        CHECK(lower <= parse_rational(r["upper"].get<std::string>()));  // proved, finite for firenet and fista
    }
    CHECK(rigornet::test::run_cli("stability " + files, out, &err) == 3);
    CHECK_THAT(err, Catch::Contains("--reference"));
}

TEST_CASE("measurement noise has the relative l2 level asked for and is reproducible", "[user_problem]") {
    auto g = rigornet::test::rng(72);
    for (int t = 0; t < rigornet::test::cases(5); ++t) {
        std::vector<Rational> y = rigornet::test::random_vector(g, 1 + g() % 30);
        y[0] = Rational(1, 3);  // not all zero
        const Rational level(1 + static_cast<long>(g() % 100), 1000);
        const NoisyMeasurements a = add_measurement_noise(y, level, 7), b = add_measurement_noise(y, level, 7),
                                c = add_measurement_noise(y, level, 8);
        CHECK(a.y == b.y);
        if (y.size() > 1) CHECK(a.y != c.y);
        // ‖e‖ (exact differences) against level·‖y‖, both enclosed: relative gap below 2^-40
        Rational e2, y2;
        for (std::size_t i = 0; i < y.size(); ++i) {
            e2 += (a.y[i] - y[i]) * (a.y[i] - y[i]);
            y2 += y[i] * y[i];
        }
        CHECK(a.noise_norm.contains(Rational(0)) == false);
        const Rational want2 = level * level * y2, tol(1, 1L << 40);
        INFO("level " << level.str());
        CHECK(e2 <= want2 * (Rational(1) + tol));
        CHECK(e2 >= want2 * (Rational(1) - tol));
        Ball e2b(e2, 128), sq;
        arb_sqr(sq.get(), a.noise_norm.get(), 128);
        CHECK(arb_overlaps(sq.get(), e2b.get()));
    }
    const std::vector<Rational> y{Rational(1), Rational(2)};
    CHECK(add_measurement_noise(y, Rational(0), 1).y == y);
    CHECK_THROWS_AS(add_measurement_noise(y, Rational(-1), 1), DomainError);
    CHECK_THROWS_AS(add_measurement_noise(std::vector<Rational>(3), Rational(1, 10), 1), DomainError);
}

TEST_CASE("problem-file spellings: data (rows or flat) and entries; complex problems run in real form", "[user_problem]") {
    const auto rows = write_file(".json", R"({"rows": 2, "cols": 3, "data": [["1", "0", "1/2"], ["0", "-2", "0"]]})");
    const auto flat = write_file(".json", R"({"rows": 2, "cols": 3, "data": ["1", "0", "1/2", "0", "-2", "0"]})");
    const auto sparse = write_file(".json", R"({"rows": 2, "cols": 3, "entries": [[0, 0, "1"], [0, 2, "0.5"], [1, 1, -2]]})");
    const auto want = q({"1", "0", "1/2", "0", "-2", "0"});
    CHECK(dense(read_problem_matrix(rows).re, 2, 3) == want);
    CHECK(dense(read_problem_matrix(flat).re, 2, 3) == want);
    CHECK(dense(read_problem_matrix(sparse).re, 2, 3) == want);
    CHECK_THROWS_AS(read_problem_matrix(write_file(".json", R"({"rows": 2, "cols": 3, "data": ["1", "2"]})")), ShapeError);
    CHECK(read_problem_vector(write_file(".json", R"({"data": ["1", "2/3"]})"), 2, false) == q({"1", "2/3"}));
    // a complex 2x2 problem: A = [[1, i], [0, 2]], z = (1, i) → y = A z = (1 + i·i, 2i) = (0, 2i)
    const auto cm = write_file(".mtx", "%%MatrixMarket matrix coordinate complex general\n2 2 3\n1 1 1 0\n1 2 0 1\n2 2 2 0\n");
    const auto cy = write_file(".json", R"({"re": ["0", "0"], "im": ["0", "2"]})");
    const auto cz = write_file(".json", R"({"re": ["1", "0"], "im": ["0", "1"]})");
    auto j = rigornet::test::run_json("reconstruct --matrix " + cm + " --measurements " + cy + " --reference " + cz +
                                      " --arith ball --json --lambda 1/1000");
    CHECK(j["complex"] == true);
    REQUIRE(j["solution"].size() == 4);  // (Re | Im)
    // objective at the reference is λ‖z‖₁ = 2/1000 exactly (zero residual): inside its enclosure
    CHECK(parse_rational(j["objective_at_reference"][0].get<std::string>()) <= Rational(2, 1000));
    CHECK(parse_rational(j["objective_at_reference"][1].get<std::string>()) >= Rational(2, 1000));
}
