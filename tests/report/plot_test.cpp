// Plots (plot.hpp): axis ranges and decade ticks, where the data lands in the PNG, the
// CSV and PGFPlots text holding the data exactly, the PDF, the image panel.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <stb/stb_image.h>

#include "rigornet/core/error.hpp"
#include "rigornet/report/plot.hpp"
#include "../support.hpp"

using namespace rigornet;

namespace {

std::string tmp(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("rigornet_plot_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

struct Gray {
    int w = 0, h = 0;
    std::vector<int> px;  // luma 0..255
    int at(int i, int j) const { return px[static_cast<std::size_t>(j) * w + i]; }
};

Gray read_gray(const std::string& path) {
    Gray g;
    int comp = 0;
    std::unique_ptr<unsigned char, void (*)(void*)> d(stbi_load(path.c_str(), &g.w, &g.h, &comp, 1), stbi_image_free);
    REQUIRE(d);
    g.px.assign(d.get(), d.get() + static_cast<std::size_t>(g.w) * g.h);
    return g;
}

// A double from random bits over a wide range of magnitudes (finite, positive or not).
double random_double(std::mt19937_64& g, bool positive) {
    std::uniform_real_distribution<double> mant(1.0, 10.0);
    std::uniform_int_distribution<int> ex(-30, 30);
    const double v = mant(g) * std::pow(10.0, ex(g));
    return positive || g() % 2 ? v : -v;
}

// RFC 4180 records (quoted fields with doubled quotes).
std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
    std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
    bool quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quoted) {
            if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') rows.back().back() += '"', ++i;
            else if (c == '"') quoted = false;
            else rows.back().back() += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().emplace_back();
        } else if (c == '\n') {
            rows.emplace_back(1);
        } else {
            rows.back().back() += c;
        }
    }
    if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
    return rows;
}

double parse_double(const std::string& s) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    REQUIRE(ec == std::errc());
    REQUIRE(p == s.data() + s.size());
    return v;
}

Plot random_plot(std::mt19937_64& g, bool log_y) {
    Plot p;
    p.title = "random, with \"quotes\", commas & 50% specials_";
    p.xlabel = "x";
    p.ylabel = "y";
    p.log_y = log_y;
    for (int k = 0; k < 3; ++k) {
        PlotSeries s;
        s.name = "series " + std::to_string(k) + (k == 1 ? ", with a comma" : "");
        for (int i = 0; i < 7; ++i) {
            const double a = random_double(g, log_y), b = random_double(g, log_y);
            s.points.push_back({random_double(g, false), std::min(a, b), i == 3 ? std::min(a, b) : std::max(a, b)});
        }
        p.series.push_back(s);
    }
    return p;
}

}  // namespace

TEST_CASE("log axes: decade ticks that cover the data, at most one decade of slack per end", "[plot]") {
    auto g = test::rng(31);
    for (int t = 0; t < test::cases(2000); ++t) {
        double a = random_double(g, true), b = random_double(g, true);
        if (t % 10 == 0) a = std::pow(10.0, static_cast<int>(g() % 40) - 20);  // exactly a power of ten
        if (t % 17 == 0) b = a;
        if (a > b) std::swap(a, b);
        const AxisRange r = axis_range(a, b, true);
        INFO("data [" << a << ", " << b << "]");
        REQUIRE(r.lo <= a);
        REQUIRE(b <= r.hi);
        REQUIRE(r.ticks.size() >= 2);
        REQUIRE(r.ticks.size() <= 11);
        REQUIRE(r.ticks.front() == r.lo);
        REQUIRE(r.ticks.back() == r.hi);
        // every tick is 10^k for an integer k, the exponents equally spaced
        std::vector<int> k;
        for (double v : r.ticks) {
            const int e = static_cast<int>(std::lround(std::log10(v)));
            REQUIRE(v == std::pow(10.0, e));
            k.push_back(e);
        }
        const int every = k[1] - k[0];
        REQUIRE(every >= 1);
        for (std::size_t i = 1; i < k.size(); ++i) REQUIRE(k[i] - k[i - 1] == every);
        // tight: one tick step further in would miss the data (unless a = b is a power
        // of ten, which is widened by a decade on each side)
        if (a == b && k.size() == 3 && k[1] - k[0] == 1) continue;
        REQUIRE(r.lo * std::pow(10.0, every) > a);
        REQUIRE(r.hi / std::pow(10.0, every) < b);
    }
    REQUIRE_THROWS_AS(axis_range(0, 1, true), DomainError);
    REQUIRE_THROWS_AS(axis_range(-1, 1, true), DomainError);
}

TEST_CASE("linear axes: 1-2-5 steps, 4 to 12 intervals, covering the data", "[plot]") {
    auto g = test::rng(32);
    for (int t = 0; t < test::cases(2000); ++t) {
        double a = random_double(g, false), b = t % 3 ? a + std::abs(random_double(g, true)) : random_double(g, false);
        if (t % 13 == 0) b = a;
        if (a > b) std::swap(a, b);
        const AxisRange r = axis_range(a, b, false);
        INFO("data [" << a << ", " << b << "]");
        REQUIRE(r.lo <= a);
        REQUIRE(b <= r.hi);
        REQUIRE(r.ticks.size() >= 5);
        REQUIRE(r.ticks.size() <= 13);
        REQUIRE(r.ticks.front() == r.lo);
        REQUIRE(r.ticks.back() == r.hi);
        const double step = r.ticks[1] - r.ticks[0];
        for (std::size_t i = 1; i < r.ticks.size(); ++i) REQUIRE(r.ticks[i] - r.ticks[i - 1] == Approx(step).epsilon(1e-6).margin(std::abs(r.hi) * 1e-14));
        const double m = step / std::pow(10.0, std::floor(std::log10(step * (1 + 1e-6))));
        REQUIRE((std::abs(m - 1) < 1e-6 || std::abs(m - 2) < 1e-6 || std::abs(m - 5) < 1e-6));
    }
}

TEST_CASE("PNG: the requested size, and horizontal lines where the data says", "[plot]") {
    // y = 1, 10 and 100 on a log axis: the rows are found by scanning the PNG, then
    // compared with the frame's map and with each other (10 lies midway on a log axis)
    Plot p;
    p.title = "three horizontal lines";
    p.xlabel = "x";
    p.ylabel = "y";
    p.log_y = true;
    p.width = 640;
    p.height = 480;
    for (double y : {1.0, 10.0, 100.0}) {
        PlotSeries s;
        s.name = "y = " + std::to_string(static_cast<int>(y));
        s.markers = s.error_bars = false;
        s.points = {{1, y, y}, {2, y, y}, {3, y, y}};
        p.series.push_back(s);
    }
    p.series[1].points[1] = {2, 10, 10};
    const std::string path = tmp("lines.png");
    write_plot_png(p, path);
    const Gray im = read_gray(path);
    REQUIRE(im.w == 640);
    REQUIRE(im.h == 480);
    const PlotFrame f = plot_frame(p);
    REQUIRE(f.y.lo <= 1);
    REQUIRE(f.y.hi >= 100);
    // dark rows along a column left of the legend, inside the frame
    const int col = static_cast<int>(f.left + 0.3 * (f.right - f.left));
    std::vector<double> centres;
    for (int j = static_cast<int>(f.top) - 4; j < static_cast<int>(f.bottom) + 4;) {
        if (im.at(col, j) < 128) {
            int k = j;
            while (im.at(col, k) < 128) ++k;
            centres.push_back((j + k) / 2.0);
            j = k;
        } else {
            ++j;
        }
    }
    REQUIRE(centres.size() == 3);  // top to bottom: 100, 10, 1
    REQUIRE(std::abs(centres[0] - f.py(100)) <= 1.5);
    REQUIRE(std::abs(centres[1] - f.py(10)) <= 1.5);
    REQUIRE(std::abs(centres[2] - f.py(1)) <= 1.5);
    REQUIRE(std::abs((centres[1] - centres[0]) - (centres[2] - centres[1])) <= 2);
    // each line runs across the frame: dark along the whole row inside the data's x range
    const int row = static_cast<int>(std::round(centres[2]));
    for (int i = static_cast<int>(f.px(1)) + 1; i < static_cast<int>(f.px(3)); ++i) REQUIRE(im.at(i, row) < 128);
    // and nothing dark a few rows away (the grid is light)
    for (int i = static_cast<int>(f.px(1)) + 1; i < static_cast<int>(f.px(3)); ++i) REQUIRE(im.at(i, row + 6) >= 128);
    std::filesystem::remove(path);
}

TEST_CASE("CSV parses back to exactly the data; the .tex holds every point; PDF is a PDF", "[plot]") {
    auto g = test::rng(33);
    for (bool log_y : {false, true}) {
        const Plot p = random_plot(g, log_y);
        const auto rows = parse_csv(plot_csv(p));
        REQUIRE(rows[0] == std::vector<std::string>{"series", "x", "y_lo", "y_hi"});
        std::size_t r = 1;
        for (const PlotSeries& s : p.series)
            for (const PlotPoint& q : s.points) {
                REQUIRE(r < rows.size());
                REQUIRE(rows[r][0] == s.name);
                REQUIRE(parse_double(rows[r][1]) == q.x);
                REQUIRE(parse_double(rows[r][2]) == q.lo);
                REQUIRE(parse_double(rows[r][3]) == q.hi);
                ++r;
            }
        REQUIRE(r == rows.size());

        const std::string tex = plot_pgfplots(p);
        REQUIRE(tex.find("\\documentclass{standalone}") != std::string::npos);
        REQUIRE(tex.find("\\usepackage{pgfplots}") != std::string::npos);
        REQUIRE((tex.find("ymode=log") != std::string::npos) == log_y);
        for (char c : tex) REQUIRE(static_cast<unsigned char>(c) < 0x80);
        // each series' inline table, parsed: x, lo, hi exactly the data
        std::size_t pos = 0;
        for (const PlotSeries& s : p.series) {
            pos = tex.find("x y lo hi\n", pos);
            REQUIRE(pos != std::string::npos);
            std::istringstream body(tex.substr(pos + 10, tex.find("};", pos) - pos - 10));
            for (const PlotPoint& q : s.points) {
                std::string x, y, lo, hi;
                REQUIRE(static_cast<bool>(body >> x >> y >> lo >> hi));
                REQUIRE(parse_double(x) == q.x);
                REQUIRE(parse_double(lo) == q.lo);
                REQUIRE(parse_double(hi) == q.hi);
                REQUIRE(parse_double(y) >= q.lo);
                REQUIRE(parse_double(y) <= q.hi);
            }
            std::string extra;
            REQUIRE_FALSE(static_cast<bool>(body >> extra));
            ++pos;
        }
    }
    Plot p = random_plot(g, true);
    const std::string prefix = tmp("all");
    const auto paths = write_plot(p, prefix);
    REQUIRE(paths == std::vector<std::string>{prefix + ".png", prefix + ".pdf", prefix + ".tex", prefix + ".csv"});
    const std::string pdf = slurp(prefix + ".pdf");
    REQUIRE(pdf.size() > 1000);
    REQUIRE(pdf.rfind("%PDF", 0) == 0);
    REQUIRE(slurp(prefix + ".csv") == plot_csv(p));
    REQUIRE(slurp(prefix + ".tex") == plot_pgfplots(p));
    for (const auto& f : paths) std::filesystem::remove(f);
}

TEST_CASE("bad plots are refused with the series and point named", "[plot]") {
    Plot p;
    p.title = "bad";
    p.log_y = true;
    p.series = {{"s", {{1, 1, 2}, {2, 0, 1}}}};
    REQUIRE_THROWS_WITH(plot_frame(p), Catch::Contains("series 's', point 2"));
    p.log_y = false;
    p.series[0].points[1] = {2, 3, 1};
    REQUIRE_THROWS_AS(plot_frame(p), DomainError);
    p.series[0].points[1] = {2, NAN, 1};
    REQUIRE_THROWS_AS(plot_frame(p), DomainError);
    p.series.clear();
    REQUIRE_THROWS_AS(plot_frame(p), DomainError);
    p.series = {{"s", {{1, 1, 1}}}};
    p.width = 10;
    REQUIRE_THROWS_AS(plot_frame(p), ShapeError);
    p.width = 800;
    REQUIRE_THROWS_AS(write_plot_png(p, "/nonexistent-dir/x.png"), ParseError);
}

TEST_CASE("image panel: the images side by side at their gray levels, and their pixels in the CSV", "[plot]") {
    Image truth(8, 8, 0.5), rec(8, 8, 0.25);
    rec.at(3, 4) = 0.75;
    double m = 0;
    const Image err = error_image(rec, truth, &m);
    REQUIRE(m == 0.25);
    REQUIRE(err.at(3, 4) == 1.0);
    REQUIRE(err.at(0, 0) == 1.0);  // every pixel differs by 0.25 = the maximum
    Image half(8, 8, 0.0);
    half.at(0, 0) = 1.0;
    const std::string prefix = tmp("panel");
    const auto paths = write_image_panel({{"truth", truth}, {"reconstruction", rec}, {"error", half}}, prefix);
    REQUIRE(paths.size() == 3);
    const Gray im = read_gray(prefix + ".png");
    // along a row through the middle of the images: one run of gray 128 and one of 64,
    // each as wide as an image scaled to at least 256 pixels (8 × 32)
    auto run = [&](int level) {
        int best = 0;
        for (int j = 0; j < im.h; ++j) {
            int cur = 0, longest = 0;
            for (int i = 0; i < im.w; ++i) {
                cur = std::abs(im.at(i, j) - level) <= 1 ? cur + 1 : 0;
                longest = std::max(longest, cur);
            }
            best = std::max(best, longest);
        }
        return best;
    };
    REQUIRE(run(128) == 256);
    REQUIRE(run(64) == 256);
    REQUIRE(im.w >= 3 * 256);
    REQUIRE(slurp(prefix + ".pdf").rfind("%PDF", 0) == 0);
    const auto rows = parse_csv(slurp(prefix + ".csv"));
    REQUIRE(rows.size() == 65);
    REQUIRE(rows[0] == std::vector<std::string>{"i", "j", "truth", "reconstruction", "error"});
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto i = std::stoul(rows[r][0]), j = std::stoul(rows[r][1]);
        REQUIRE(parse_double(rows[r][2]) == truth.at(i, j));
        REQUIRE(parse_double(rows[r][3]) == rec.at(i, j));
        REQUIRE(parse_double(rows[r][4]) == half.at(i, j));
    }
    for (const auto& f : paths) std::filesystem::remove(f);
    REQUIRE_THROWS_AS(write_image_panel({{"a", truth}, {"b", Image(4, 4)}}, prefix), ShapeError);
}

TEST_CASE("cli: reconstruct --plot writes the panel, stability --plot lower and upper per solver", "[plot][cli]") {
    const std::string prefix = test::temp_path("");
    std::string out, err;
    REQUIRE(test::run_cli("reconstruct --phantom 8 --modality walsh --rate 0.5 --lambda 1/100 --restarts 1 --inner 3 "
                          "--arith double --plot " + prefix, out, &err) == 0);
    const Gray panel = read_gray(prefix + ".png");
    REQUIRE(panel.w >= 3 * 256);
    REQUIRE(parse_csv(slurp(prefix + ".csv")).size() == 65);  // header + 8x8 pixels
    REQUIRE(slurp(prefix + ".pdf").rfind("%PDF", 0) == 0);
    for (const char* ext : {".png", ".pdf", ".csv"}) std::filesystem::remove(prefix + ext);
    REQUIRE(test::run_cli("stability --phantom 8 --modality walsh --rate 0.5 --lambda 1/100 --restarts 1 --inner 3 "
                          "--iterations 2 --solvers firenet,fista --json --plot " + prefix, out, &err) == 0);
    const auto j = nlohmann::json::parse(out);
    const auto rows = parse_csv(slurp(prefix + ".csv"));
    REQUIRE(rows.size() == 5);  // header + per solver the lower enclosure, then per solver the upper bound
    for (std::size_t k = 0; k < 2; ++k) {
        // both the plotted and the printed interval enclose the same ball, so they meet
        const auto& r = j.at("results")[k];
        const auto& lower = r.at("lower");
        REQUIRE(rows[k + 1][0] == "lower: ratio at the r found (proved enclosure)");
        REQUIRE(Rational::from_double(parse_double(rows[k + 1][2])) <= parse_rational(lower[1].get<std::string>()));
        REQUIRE(Rational::from_double(parse_double(rows[k + 1][3])) >= parse_rational(lower[0].get<std::string>()));
        REQUIRE(parse_double(rows[k + 1][1]) == static_cast<double>(k + 1));
        // the upper bound is plotted at (a double at least) the printed bound, above the lower
        REQUIRE(rows[k + 3][0] == "upper: proved bound");
        REQUIRE(parse_double(rows[k + 3][1]) == static_cast<double>(k + 1));
        const Rational up = Rational::from_double(parse_double(rows[k + 3][2]));
        REQUIRE(up >= parse_rational(r.at("upper").get<std::string>()) * Rational(9999999, 10000000));  // the printed 8 digits are rounded up
        REQUIRE(up >= parse_rational(lower[1].get<std::string>()));
    }
    REQUIRE(slurp(prefix + ".tex").find("xticklabels={{firenet},{fista}}") != std::string::npos);
    for (const char* ext : {".png", ".pdf", ".tex", ".csv"}) std::filesystem::remove(prefix + ext);
}

TEST_CASE("cli: reconstruct --matrix --plot: the unknowns, the reference and the difference, as the JSON's",
          "[plot][cli]") {
    const std::string prefix = test::temp_path("");
    std::string out, err;
    REQUIRE(test::run_cli("reconstruct --matrix " + test::repo_path("examples/problems/dense21x22.mtx") + " --measurements " +
                              test::repo_path("examples/problems/dense21x22_y.json") + " --reference " +
                              test::repo_path("examples/problems/dense21x22_z.json") +
                              " --restarts 2 --inner 5 --arith exact --json --plot " + prefix,
                          out, &err) == 0);
    const auto j = nlohmann::json::parse(out);
    const auto& sol = j.at("solution");
    REQUIRE(sol.size() == 22);
    const auto ref = nlohmann::json::parse(slurp(test::repo_path("examples/problems/dense21x22_z.json")));
    const auto rows = parse_csv(slurp(prefix + ".csv"));
    REQUIRE(rows.size() == 1 + 3 * 22);  // solution, reference, difference per unknown
    for (std::size_t k = 0; k < 22; ++k) {
        const Rational z = parse_rational(sol[k].get<std::string>()), r = parse_rational(ref[k].get<std::string>());
        INFO("unknown " << k + 1);
        const auto& a = rows[1 + k];
        const auto& b = rows[1 + 22 + k];
        const auto& d = rows[1 + 44 + k];
        REQUIRE(a[0] == "solution (enclosure)");
        REQUIRE(parse_double(a[1]) == static_cast<double>(k + 1));
        CHECK(Rational::from_double(parse_double(a[2])) <= z);  // the exact value inside the drawn bar
        CHECK(z <= Rational::from_double(parse_double(a[3])));
        REQUIRE(b[0] == "reference");
        CHECK(Rational::from_double(parse_double(b[2])) <= r);
        CHECK(r <= Rational::from_double(parse_double(b[3])));
        REQUIRE(d[0] == "solution - reference (enclosure)");
        CHECK(Rational::from_double(parse_double(d[2])) <= z - r);
        CHECK(z - r <= Rational::from_double(parse_double(d[3])));
    }
    REQUIRE(slurp(prefix + ".pdf").rfind("%PDF", 0) == 0);
    REQUIRE(read_gray(prefix + ".png").w > 0);
    for (const char* ext : {".png", ".pdf", ".tex", ".csv"}) std::filesystem::remove(prefix + ext);
}

TEST_CASE("plot_columns: exact table values become double intervals around them", "[plot]") {
    auto g = test::rng(34);
    Table t;
    t.title = "columns";
    t.keys = {"n", "a", "name"};
    t.headers = {"n", "a (exact)", "name"};
    std::vector<Rational> a;
    for (int r = 0; r < 20; ++r) {
        Rational v = test::random_rational(g);
        if (v.is_zero()) v = Rational(1, 3);
        a.push_back(v);
        t.add_row({std::to_string(r + 1), Cell(v.str() + " (shown)", v.str()), "row " + std::to_string(r)});
    }
    const Plot p = plot_columns(t, "n", {"a"}, false);
    REQUIRE(p.x_categories.empty());
    REQUIRE(p.series.size() == 1);
    REQUIRE(p.series[0].name == "a (exact)");
    for (std::size_t r = 0; r < a.size(); ++r) {
        const PlotPoint& q = p.series[0].points[r];
        REQUIRE(q.x == static_cast<double>(r + 1));
        INFO(a[r].str());
        REQUIRE(Rational::from_double(q.lo) <= a[r]);
        REQUIRE(Rational::from_double(q.hi) >= a[r]);
        // tight: the two doubles around the value (or the value itself)
        REQUIRE(q.hi <= std::nextafter(q.lo, INFINITY));
    }
    // a text x column becomes categorical
    const Plot c = plot_columns(t, "name", {"a"}, false);
    REQUIRE(c.x_categories.size() == 20);
    REQUIRE(c.x_categories[3] == "row 3");
    REQUIRE(c.series[0].points[3].x == 4);
    REQUIRE_THROWS_AS(plot_columns(t, "n", {"name"}, false), ParseError);
    REQUIRE_THROWS_AS(plot_columns(t, "n", {"missing"}, false), ParseError);
}
