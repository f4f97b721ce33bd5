// The uncertainty CLI contract: the maps (PNG), the per-pixel data (CSV) and the JSON
// summary, consistent with each other; bad input refused with exit 3.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "rigornet/imaging/image.hpp"

using namespace rigornet;
using nlohmann::json;
using rigornet::test::repo_path;
using rigornet::test::run_cli;
using rigornet::test::run_json;
using rigornet::test::temp_path;

namespace {

// The CSV as a header and rows of cells (no quoting: the file has only numbers).
std::vector<std::vector<std::string>> read_csv(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream s(line);
        std::string c;
        while (std::getline(s, c, ',')) cells.push_back(c);
        if (!line.empty() && line.back() == ',') cells.emplace_back();
        rows.push_back(cells);
    }
    return rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
    auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<std::size_t>(it - header.begin());
}

}  // namespace

TEST_CASE("cli: uncertainty writes the std maps, the per-pixel CSV and a consistent JSON", "[cli][uncertainty]") {
    const std::string prefix = temp_path(""), plot = temp_path("");
    json j = run_json(
        "uncertainty --phantom 8 --modality walsh --rate 0.5 --lambda 1/100 --restarts 2 --inner 4 --sigma 0.01 "
        "--samples 64 --json --out " +
        prefix + " --plot " + plot);
    for (const char* f : {"correlation", "median_ratio", "low_signal", "cramer_rao", "files", "kind"})
        CHECK(j.contains(f));
    const Image ad = read_image(prefix + "_autodiff.png"), mc = read_image(prefix + "_montecarlo.png");
    CHECK(ad.width == 8);
    CHECK(ad.height == 8);
    CHECK(mc.width == 8);
    const auto rows = read_csv(prefix + ".csv");
    REQUIRE(rows.size() == 65);
    const auto& h = rows[0];
    const std::size_t ca = column(h, "autodiff_std"), cm = column(h, "montecarlo_std"),
                      ce = column(h, "montecarlo_std_error"), cc = column(h, "crlb_std"),
                      ci = column(h, "identifiable");
    std::vector<double> a, m, ratios;
    double white = 0, identifiable = 0;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        REQUIRE(rows[r].size() == h.size());
        a.push_back(std::stod(rows[r][ca]));
        m.push_back(std::stod(rows[r][cm]));
        CHECK(std::stod(rows[r][ce]) >= 0);
        CHECK(std::stod(rows[r][cc]) > 0);
        identifiable += std::stod(rows[r][ci]);
        if (m.back() > 0) ratios.push_back(a.back() / m.back());
        white = std::max({white, a.back(), m.back()});
    }
    // median_ratio and correlation recomputed from the CSV columns
    std::sort(ratios.begin(), ratios.end());
    REQUIRE(!ratios.empty());
    const std::size_t n = ratios.size();
    const double median = n % 2 ? ratios[n / 2] : 0.5 * (ratios[n / 2 - 1] + ratios[n / 2]);
    CHECK(j.at("median_ratio").get<double>() == Approx(median).epsilon(1e-12));
    double ma = 0, mm = 0;
    for (std::size_t k = 0; k < a.size(); ++k) ma += a[k] / a.size(), mm += m[k] / m.size();
    double sab = 0, saa = 0, smm = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
        sab += (a[k] - ma) * (m[k] - mm);
        saa += (a[k] - ma) * (a[k] - ma);
        smm += (m[k] - mm) * (m[k] - mm);
    }
    CHECK(j.at("correlation").get<double>() == Approx(sab / std::sqrt(saa * smm)).epsilon(1e-9));
    // the brightest pixel of the two maps is white, on one scale
    CHECK(j.at("png_white").get<double>() == Approx(white).epsilon(1e-15));
    CHECK(std::max(*std::max_element(ad.pixels.begin(), ad.pixels.end()),
                   *std::max_element(mc.pixels.begin(), mc.pixels.end())) == 1.0);
    // Walsh with 32 of 64 rows: rank 32, the identifiable fractions sum to the rank (trace of the projection)
    CHECK(j.at("cramer_rao").at("computed").get<bool>());
    CHECK(identifiable == Approx(32).epsilon(1e-9));
    // the plot's data
    const auto prows = read_csv(plot + ".csv");
    CHECK(prows.size() == 1 + 3 * 64);
    std::remove((prefix + "_autodiff.png").c_str());
    std::remove((prefix + "_montecarlo.png").c_str());
    std::remove((prefix + ".csv").c_str());
    for (const char* ext : {".png", ".pdf", ".tex", ".csv"}) std::remove((plot + ext).c_str());
}

TEST_CASE("cli: uncertainty of a user problem (--matrix), unknowns as one row", "[cli][uncertainty]") {
    const std::string prefix = temp_path("");
    json j = run_json("uncertainty --matrix " + repo_path("examples/problems/dense21x22.json") + " --measurements " +
                      repo_path("examples/problems/dense21x22_y.json") +
                      " --restarts 2 --inner 5 --sigma 0.001 --samples 20 "
                      "--json --out " +
                      prefix);
    CHECK(j.at("outputs") == 22);
    const Image ad = read_image(prefix + "_autodiff.png");
    CHECK(ad.width == 22);
    CHECK(ad.height == 1);
    // 21 x 22 of full row rank: rank 21, not every unknown identifiable
    CHECK(j.at("cramer_rao").at("computed").get<bool>());
    CHECK_FALSE(j.at("cramer_rao").at("full_column_rank").get<bool>());
    CHECK(j.at("cramer_rao").at("mean_identifiable").get<double>() == Approx(21.0 / 22).epsilon(1e-9));
    std::remove((prefix + "_autodiff.png").c_str());
    std::remove((prefix + "_montecarlo.png").c_str());
    std::remove((prefix + ".csv").c_str());
}

TEST_CASE("cli: uncertainty of complex unknowns: maps per complex pixel", "[cli][uncertainty][uncertainty-complex]") {
    const std::string prefix = temp_path("");
    json j = run_json("uncertainty --phantom 8 --complex --modality fourier --rate 0.5 --restarts 1 --inner 4 "
                      "--sigma 0.0001 --samples 200 --json --out " + prefix);
    CHECK(j.at("outputs") == 64);  // complex pixels, not their 128 real parts
    CHECK(j.contains("complex"));
    const auto rows = read_csv(prefix + ".csv");
    REQUIRE(rows.size() == 65);
    const std::size_t ad = column(rows[0], "autodiff_std"), mc = column(rows[0], "montecarlo_std"),
                      se = column(rows[0], "montecarlo_std_error");
    // low noise: the linearisation within a few Monte Carlo standard errors on most pixels
    std::size_t agree = 0;
    for (std::size_t r = 1; r < rows.size(); ++r)
        agree += std::abs(std::stod(rows[r][ad]) - std::stod(rows[r][mc])) <= 4 * std::stod(rows[r][se]);
    CHECK(agree >= 58);
    CHECK(j.at("median_ratio").get<double>() == Approx(1.0).epsilon(0.1));
    std::remove((prefix + "_autodiff.png").c_str());
    std::remove((prefix + "_montecarlo.png").c_str());
    std::remove((prefix + ".csv").c_str());
}

TEST_CASE("cli: uncertainty refuses bad input and runs past its time limit with exit 3", "[cli][uncertainty]") {
    const std::string base =
        "uncertainty --phantom 8 --modality walsh --rate 0.5 --restarts 1 --inner 2 --out " + temp_path("");
    for (auto [args, message] :
         std::vector<std::pair<std::string, std::string>>{{base + " --sigma 0", "--sigma"},
                                                          {base + " --sigma nan", "--sigma"},
                                                          {base + " --sigma 0.1 --samples 1", "--samples"},
                                                          {base + " --sigma 0.1 --max-seconds 1e-9", "above the limit"},
                                                          {"uncertainty --phantom 8 --sigma 0.1", "--out"}}) {
        std::string out, err;
        INFO(args);
        CHECK(run_cli(args, out, &err) == 3);
        CHECK(err.find(message) != std::string::npos);
    }
}
