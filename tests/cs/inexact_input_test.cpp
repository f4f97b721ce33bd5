#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "rigornet/report/inexact_table.hpp"
#include "rigornet/cs/user_problem.hpp"

using namespace rigornet;

namespace {

Rational pow10_neg(int k) {
    Rational r(1);
    for (int i = 0; i < k; ++i) r /= Rational(10);
    return r;
}

Rational pow2_neg(long k) {
    Rational r(1);
    for (long i = 0; i < k; ++i) r /= Rational(2);
    return r;
}

}  // namespace

TEST_CASE("Q(sqrt 2): field operations and exact signs", "[inexact_input]") {
    const QSqrt2 x(Rational(3), Rational(-2)), y(Rational(-1, 2), Rational(1, 3));
    CHECK((x * y) / y == x);
    CHECK((x / y) * y == x);
    CHECK(x.sign() == 1);   // 3 − 2√2 ≈ 0.17
    CHECK(QSqrt2(Rational(-3), Rational(2)).sign() == -1);
    CHECK(QSqrt2(Rational(-1), Rational(1)).sign() == 1);  // √2 − 1
    CHECK(QSqrt2(Rational(7, 5), Rational(-1)).sign() == -1);  // 1.4 − √2
    CHECK((QSqrt2::sqrt2() * QSqrt2::sqrt2()) == QSqrt2(Rational(2)));
    CHECK_THROWS_AS(x / QSqrt2(), DomainError);
    // the ball contains the value: 3 − 2√2 = 1/(3 + 2√2)
    Ball b = x.ball(128);
    CHECK(b.lower() < Rational(1716, 10000));
    CHECK(b.upper() > Rational(1715, 10000));
}

TEST_CASE("the family's exact quantities agree with independent closed forms", "[inexact_input]") {
    for (int K : {1, 3, 6})
        for (long n : {10L, 30L}) {
            InexactParams p;
            p.K = K;
            p.n = n;
            const InexactMember m1 = inexact_member(p, 1), m2 = inexact_member(p, 2);
            const Rational rho = Rational(1) - p.delta;
            const QSqrt2 g(Rational(0), rho * Rational(1) / pow10_neg(K) / Rational(3)), eps(pow2_neg(n + 1));
            INFO("K = " << K << ", n = " << n);
            // ρ_min = ρ/(1 + cρ), c = ε/g, so a_j = g/ρ_min = g/ρ + ε
            CHECK(m1.a[0] == g / QSqrt2(rho) + eps);
            CHECK(m1.a[1] == g / QSqrt2(rho));
            CHECK(m2.a[1] == m1.a[0]);
            // ‖A − A′‖ = √2 |a¹_1 − a²_1| = √2 ε ≤ 2^−n: (√2ε)² = 2^−2n−1
            const InexactInstance in = make_inexact_instance(p);
            CHECK(in.row_gap == eps);
            CHECK(in.perturbation <= pow2_neg(n));
            CHECK(in.perturbation * in.perturbation >= Rational(2) * eps.rational_part() * eps.rational_part());
            // the separation √2 x* = 3·10^−K ρ_min/ρ, and > 2·10^−K
            const QSqrt2 rho_min = QSqrt2(rho) / (QSqrt2(Rational(1)) + eps / g * QSqrt2(rho));
            CHECK(QSqrt2::sqrt2() * m1.x_star == QSqrt2(Rational(3) * pow10_neg(K) / rho) * rho_min);
            const Ball sep = minimiser_separation(in, 128);
            CHECK(sep.lower() > Rational(2) * pow10_neg(K));
            CHECK(sep.upper() < Rational(3) * pow10_neg(K));
        }
}

TEST_CASE("the DCT is orthonormal and A_n is close to D M_2 computed in double", "[inexact_input]") {
    const std::size_t m = 21;
    const auto D = dct_matrix(m, 128);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            Ball s, t;
            for (std::size_t k = 0; k < m; ++k) arb_addmul(s.get(), D[k * m + i].get(), D[k * m + j].get(), 128);
            CHECK(s.contains(Rational(i == j ? 1 : 0)));
            CHECK(s.radius() < Rational(1, 1000000000));
        }
    InexactParams p;  // K = 1, n = 10
    const InexactInstance in = make_inexact_instance(p);
    // independent double evaluation of A′ = D M_2 and y = D e₁ (scipy's DCT-II, norm='ortho');
    // A_n, y_n are A′, y rounded to multiples of 2^−(n+8) = 2^−18
    const double tol = std::ldexp(1.0, -18) + 1e-9;
    const double pi = std::acos(-1.0), g = std::sqrt(2.0) * (5.0 / 6) * 10 / 3, rho = 5.0 / 6, eps = std::ldexp(1.0, -11);
    const double a1 = g / rho, a2 = g / rho + eps, na = std::sqrt(a1 * a1 + a2 * a2);
    for (std::size_t k = 0; k < m; ++k) {
        const double ck = k == 0 ? std::sqrt(1.0 / m) : std::sqrt(2.0 / m);
        auto dct = [&](std::size_t l) { return ck * std::cos(pi * static_cast<double>(k * (2 * l + 1)) / (2.0 * m)); };
        CHECK(std::abs(in.yn[k].to_double(Round::nearest) - dct(0)) < tol);
        for (std::size_t l = 0; l < in.cols; ++l) {
            const double want = l == 0 ? dct(0) * a1 : l == 1 ? dct(0) * a2 : dct(l - 1) * na;
            CHECK(std::abs(in.An[k * in.cols + l].to_double(Round::nearest) - want) < tol);
        }
    }
}

TEST_CASE("the minimiser certificate proves the stated points and rejects others", "[inexact_input]") {
    for (int K : {1, 3, 6}) {
        InexactParams p;
        p.K = K;
        const InexactMember m1 = inexact_member(p, 1), m2 = inexact_member(p, 2);
        INFO("K = " << K);
        CHECK(check_minimiser(p, m1, stated_minimiser(p, m1)).verdict == Verdict::proved);
        CHECK(check_minimiser(p, m2, stated_minimiser(p, m2)).verdict == Verdict::proved);
        // the other member's minimiser is not one here (residual non-zero, wrong support)
        CHECK(check_minimiser(p, m1, stated_minimiser(p, m2)).verdict == Verdict::refuted);
        // 0 is not a minimiser (a_i > λ), nor a scaled minimiser
        CHECK(check_minimiser(p, m1, std::vector<QSqrt2>(22)).verdict == Verdict::refuted);
        auto scaled = stated_minimiser(p, m1);
        scaled[0] = scaled[0] * QSqrt2(Rational(101, 100));
        CHECK(check_minimiser(p, m1, scaled).verdict == Verdict::refuted);
        // the published script's "Xi(A, y)" for K = 1 and 3 (its loop index j = 0, 1 reused
        // as the data index: x[j - 2] with Python's negative indexing), the value on the last
        // N2 coordinates: F there is above F(0) = 1
        for (std::size_t idx : {20u, 21u}) {
            std::vector<QSqrt2> x(22);
            x[idx] = m1.x_star;
            const MinimiserCheck c = check_minimiser(p, m1, x);
            CHECK(c.verdict == Verdict::refuted);
            CHECK_THAT(c.reason, Catch::Contains("F(0)"));
        }
    }
}

TEST_CASE("inexact-input table: FIRENET misses K digits and keeps K - 1, every claim proved", "[inexact_input]") {
    InexactRunOptions o;
    o.inner = 10;
    o.restarts = 4;
    std::vector<std::string> failures;
    const Table t = inexact_input_table({1, 3}, {10}, InexactParams{}, o, &failures);
    INFO((failures.empty() ? std::string() : failures.front()));
    CHECK(failures.empty());
    REQUIRE(t.rows.size() == 2);
    // independent of the table's own checks: the triangle inequality d + d′ ≥ separation
    // on the enclosures, and the run's distance above 10^−K
    InexactParams p;
    const InexactRow r = run_inexact_row(p, o);
    CHECK(r.distance.upper() + r.distance_second.upper() >= r.separation.lower());
    CHECK(r.distance.lower() > pow10_neg(1));
    CHECK(r.script_step_product.lower() > Rational(1));  // the published steps violate τσ‖A‖² ≤ 1
    CHECK(r.norm_upper * primal_dual_step(r.norm_upper) < Rational(1));

    // the plot (--plot): the four files, and the CSV's numbers are the table's cells,
    // rounded outward (lo down, hi up), read back from the file
    const std::string prefix = rigornet::test::temp_path("");
    const std::vector<std::string> files = write_plot(inexact_input_plot(t), prefix);
    REQUIRE(files.size() == 4);
    for (const std::string& f : files) {
        std::ifstream in(f, std::ios::binary);
        CHECK(in.peek() != std::ifstream::traits_type::eof());  // exists, not empty
    }
    std::ifstream csv(prefix + ".csv");
    std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> data;  // (series, x) -> (lo, hi)
    std::string line;
    std::getline(csv, line);
    CHECK(line == "series,x,y_lo,y_hi");
    while (std::getline(csv, line)) {
        std::string name;
        std::size_t at = 0;
        if (line[0] == '"') {
            at = line.find('"', 1);
            name = line.substr(1, at - 1);
            ++at;
        } else {
            at = line.find(',');
            name = line.substr(0, at);
        }
        std::stringstream rest(line.substr(at + 1));
        std::string x, lo, hi;
        std::getline(rest, x, ',');
        std::getline(rest, lo, ',');
        std::getline(rest, hi, ',');
        data[{name, x}] = {lo, hi};
    }
    REQUIRE(data.size() == 2 * t.rows.size());  // a distance and a 10^-K point per row
    for (const auto& row : t.rows) {
        const std::string K = row[0].value, n = row[1].value;
        const auto ends = nlohmann::json::parse(row[2].json);
        const Rational lo = parse_rational(ends[0].get<std::string>()), hi = parse_rational(ends[1].get<std::string>());
        const auto& d = data.at({"distance, K = " + K, n});
        const Rational dlo = Rational::from_double(std::stod(d.first)), dhi = Rational::from_double(std::stod(d.second));
        CHECK(dlo <= lo);  // outward: the drawn bar encloses the table's interval
        CHECK(hi <= dhi);
        CHECK(std::stod(d.first) == lo.to_double(Round::down));
        CHECK(std::stod(d.second) == hi.to_double(Round::up));
        const auto& b = data.at({"10^-" + K, n});
        const Rational tenK = pow10_neg(std::stoi(K));
        CHECK(Rational::from_double(std::stod(b.first)) <= tenK);
        CHECK(tenK <= Rational::from_double(std::stod(b.second)));
        CHECK(dlo > tenK);  // the plot shows the claim: FIRENET's distance above 10^-K
    }
    for (const std::string& f : files) std::remove(f.c_str());
}
