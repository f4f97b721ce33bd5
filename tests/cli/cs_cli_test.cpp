// The compressed-sensing CLI contract: build, reconstruct, stability (issue 3).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "../support.hpp"
#include "rigornet/number/ball.hpp"
#include "rigornet/imaging/image.hpp"

using namespace rigornet;
using nlohmann::json;
using rigornet::test::run_cli;
using rigornet::test::run_json;
using rigornet::test::temp_path;

namespace {

Rational dec(const json& v) { return parse_rational(v.get<std::string>()); }

// `rigornet build ARGS` writing the network and the phantom's measurements to fresh
// temporary files; returns their paths (network, measurements).
std::pair<std::string, std::string> build_network(const std::string& args) {
    const std::string net = temp_path(".json"), y = temp_path(".txt");
    std::string out;
    REQUIRE(run_cli("build " + args + " -o " + net + " --measurements " + y, out) == 0);
    return {net, y};
}

}  // namespace

TEST_CASE("cli: reconstruct reports errors that the three arithmetics agree on", "[cli][cs]") {
    const std::string common = "reconstruct --phantom 16 --modality walsh --rate 0.5 --lambda 1/100 --restarts 2 --inner 4 --json";
    json d = run_json(common + " --arith double");
    json b = run_json(common + " --arith ball");
    json e = run_json(common + " --arith exact");
    for (const char* f : {"relative_error", "psnr", "layers", "samples"}) {
        CHECK(d.contains(f));
        CHECK(e.contains(f));
    }
    CHECK(d.at("samples") == 128);
    // plain ball: the double evaluation with an ℓ2 radius carried through the primal-dual
    // metric (componentwise radii would wrap through the Walsh transforms past 2^-30)
    CHECK(b.at("arith_used") == "l2");
    CHECK(b.at("l2_method") == "primal-dual metric");
    // the exact enclosure lies inside the ball enclosure, and contains the double estimate
    Rational elo = dec(e["relative_error_enclosure"][0]), ehi = dec(e["relative_error_enclosure"][1]);
    Rational blo = dec(b["relative_error_enclosure"][0]), bhi = dec(b["relative_error_enclosure"][1]);
    CHECK(blo <= elo);
    CHECK(ehi <= bhi);
    Rational dbl = dec(d["relative_error"]);
    CHECK((dbl - elo).abs() < Rational(1, 1000000));
    CHECK(ehi - elo < Rational(1, 10000000));
}

TEST_CASE("cli: reconstruct writes a PNG of the reconstruction and the error terms", "[cli][cs]") {
    const std::string png = temp_path(".png");
    json r = run_json("reconstruct --phantom 32 --modality fourier --rate 0.4 --lambda 0.001 --restarts 2 --inner 10 "
                      "--arith ball --error-terms --json --out " + png);
    Image im = read_image(png);
    CHECK(im.width == 32);
    CHECK(r.at("precision").get<long>() >= 128);
    json t = r.at("error_terms");
    for (const char* f : {"measured_error", "theta_effect", "sparsity_term", "measurement_error"}) {
        INFO(f);
        REQUIRE(t.at(f).size() == 2);
    }
    // measured ‖φ(y) − x‖ over ‖x‖ computed here from the phantom (exact pixels, balls)
    // meets the printed relative error enclosure, and both contain the double estimate
    std::vector<Rational> x;
    for (double v : shepp_logan(32).pixels) x.push_back(Rational::from_double(v));
    const Ball xn = l2_norm(x, 256);
    const Rational me_lo = dec(t["measured_error"][0]), me_hi = dec(t["measured_error"][1]);
    const Rational rel_lo = dec(r["relative_error_enclosure"][0]), rel_hi = dec(r["relative_error_enclosure"][1]);
    REQUIRE(xn.lower().sign() > 0);
    CHECK(me_lo / xn.upper() <= rel_hi);
    CHECK(rel_lo <= me_hi / xn.lower());
    // outputs are enclosed to radius < 2^−30 each: over 1024 pixels, width ≲ 1e-8·‖x‖
    const Rational dbl = dec(r["relative_error"]), tol(1, 10000000);
    CHECK(rel_lo - tol <= dbl);
    CHECK(dbl <= rel_hi + tol);
    CHECK(rel_hi - rel_lo <= tol);
    // ν^n with ν ≈ e^−1, n = 2
    CHECK((dec(t.at("iteration_term")) - Rational(1353353, 10000000)).abs() < Rational(1, 100000));
    std::remove(png.c_str());
}

TEST_CASE("cli: build writes a network that eval runs exactly", "[cli][cs]") {
    const auto [net, y] = build_network("firenet --phantom 8 --modality walsh --rate 0.5 --restarts 1 --inner 2 --lambda 1/100");
    json e = run_json("eval " + net + " --input @" + y + " --arith exact --json");
    json b = run_json("eval " + net + " --input @" + y + " --arith ball:512 --json");
    REQUIRE(e.at("output").size() == 64);
    for (std::size_t i = 0; i < 64; ++i) {
        Ball ball;
        REQUIRE(arb_set_str(ball.get(), b["output"][i].get<std::string>().c_str(), 512) == 0);
        CHECK(ball.contains(parse_rational(e["output"][i].get<std::string>())));
    }
    std::remove(net.c_str());
    std::remove(y.c_str());
}

TEST_CASE("cli: stability certifies the perturbation it found", "[cli][cs]") {
    json s = run_json("stability --phantom 16 --modality walsh --rate 0.5 --lambda 1/100 --restarts 2 --inner 4 "
                      "--iterations 5 --radius 0.1 --solvers firenet,fista,nesta --json");
    REQUIRE(s.at("results").size() == 3);
    for (auto& r : s["results"]) {
        INFO("solver " << r["solver"].get<std::string>());
        CHECK(dec(r["r_norm"][1]) <= Rational(1, 10) + Rational(1, 100000000));  // ‖r‖ ≤ ρ, proved
        // the proved change agrees with the double search's own change at the same r
        // (computed independently, from rounded y) to 1e-9 relative
        const Rational lo = dec(r["change"][0]), hi = dec(r["change"][1]);
        const Rational dbl = r["double_change"].is_string() ? dec(r["double_change"])
                                                            : Rational::from_double(r["double_change"].get<double>());
        const Rational tol = Rational(1, 1000000000) * (hi + Rational(1, 1000000));
        CHECK(lo - tol <= dbl);
        CHECK(dbl <= hi + tol);
        // the witnessed ratio at the r found (lower) is enclosed consistently with
        // change/‖r‖: [lower_0, lower_1] meets [change_lo/‖r‖_hi, change_hi/‖r‖_lo]
        const Rational rlo = dec(r["lower"][0]), rhi = dec(r["lower"][1]);
        CHECK(rlo <= rhi);
        CHECK(rlo <= hi / dec(r["r_norm"][0]));
        CHECK(lo / dec(r["r_norm"][1]) <= rhi);
        CHECK(!r.contains("ratio_at_found"));
        // the proved upper bound is at least the witnessed ratio, and it is the smaller of
        // the two methods' bounds ("inf" where a method proves nothing finite)
        const std::string method = r["upper_terms"]["method"];
        CHECK((method == "solver" || method == "layers"));
        if (r["upper"] != "inf") {
            CHECK(rlo <= dec(r["upper"]));
            CHECK(r["upper"] == r["upper_terms"][method]);
        }
    }
    // ISTA, FISTA and FIRENET have solver-structure bounds: finite
    for (int k : {0, 1}) CHECK(s["results"][k]["upper"] != "inf");
    // FIRENET's change through the primal-dual l2 path, the others in balls
    CHECK(s["results"][0]["arith_used"] == "l2");
    CHECK(s["results"][1]["arith_used"] != "l2");
    CHECK(s["objective"] == "truth");
    CHECK(s["momentum"] == "heavy-ball");
    // the reference test's variants: another search, the same proved bound
    json v = run_json("stability --phantom 16 --modality walsh --rate 0.5 --lambda 1/100 --restarts 2 --inner 4 "
                      "--iterations 5 --radius 0.1 --solvers firenet,fista --nesterov --objective reconstruction --json");
    CHECK(v["objective"] == "reconstruction");
    CHECK(v["momentum"] == "nesterov");
    for (int k : {0, 1}) {
        CHECK(v["results"][k]["double_change"] != s["results"][k]["double_change"]);
        CHECK(v["results"][k]["upper_terms"]["lipschitz"] == s["results"][k]["upper_terms"]["lipschitz"]);
        CHECK(dec(v["results"][k]["lower"][0]) <= dec(v["results"][k]["upper"]));
    }
}

TEST_CASE("cli: out-of-range seeds, radii and counts are refused naming the flag and the limit", "[cli][cs]") {
    const std::string base = " --phantom 8 --modality walsh --rate 0.5 --restarts 1 --inner 1";
    const std::vector<std::pair<std::string, std::string>> bad{
        {"reconstruct" + base + " --seed 18446744073709551616", "--seed"},  // 2^64: no wrap to 0
        {"reconstruct" + base + " --seed -1", "--seed"},                    // strtoull would wrap to 2^64 − 1
        {"reconstruct --phantom 8 --modality walsh --restarts 3000000000", "--restarts"},
        {"reconstruct --phantom 8 --modality walsh --inner 2000000000", "--inner"},
        {"reconstruct --phantom 8 --modality walsh --restarts 1000 --inner 1000", "--inner"},  // product
        {"reconstruct --phantom 8 --modality walsh --rate 1e9", "--rate"},
        {"reconstruct --phantom 8 --modality walsh --rate nan", "--rate"},
        {"reconstruct --phantom 1073741824 --modality walsh", "--phantom"},
        {"reconstruct --phantom 8 --modality fourier --fourier-accuracy 1000000000", "--fourier-accuracy"},
        {"stability" + base + " --radius nan", "--radius"},
        {"stability" + base + " --radius inf", "--radius"},
        {"stability" + base + " --radius -1", "--radius"},
        {"stability" + base + " --iterations 3000000000", "--iterations"},
        {"stability" + base + " --step nan", "--step"}};
    for (const auto& [args, flag] : bad) {
        std::string out, err;
        const int code = run_cli(args, out, &err);
        INFO("rigornet " << args << "\nstderr: " << err);
        CHECK(code == 3);
        CHECK(err.find(flag) != std::string::npos);
    }
    // the limits themselves are accepted: the largest 64-bit seed, and a different
    // seed gives a different pattern (no reduction modulo anything small)
    const std::string run = "reconstruct --phantom 8 --modality walsh --rate 0.5 --lambda 1/100 --restarts 2 --inner 5 --json";
    json hi = run_json(run + " --seed 18446744073709551615");
    json lo = run_json(run + " --seed 0");
    CHECK(hi.at("samples") == 32);
    CHECK(hi.at("relative_error") != lo.at("relative_error"));
}

TEST_CASE("cli: compressed-sensing commands refuse bad input", "[cli][cs]") {
    for (const std::string args : {"reconstruct --modality walsh --rate 0.5",                      // no image
                                   "reconstruct --phantom 24 --rate 0.5",                           // not a power of two
                                   "reconstruct --phantom 16 --rate 1.5",                           // bad rate
                                   "reconstruct --phantom 16 --modality fourier --arith exact",    // DFT is irrational
                                   "reconstruct --phantom 16 --solver sgd",                         // unknown solver
                                   "reconstruct --phantom 16 --tau 2 --sigma 1",                    // τσ‖A‖² > 1
                                   "reconstruct --phantom 16 --modality fourier --fourier-accuracy 20 --tau 1 --sigma 1",  // explicit steps kept: τσL_A² > 1
                                   "reconstruct --phantom 16 --arith balloon",                      // not ball or ball:BITS
                                   "reconstruct --phantom 16 --arith ballx",
                                   "reconstruct --phantom 16 --arith ball:100abc",                  // trailing garbage
                                   "reconstruct --phantom 16 --arith ball:abc",
                                   "reconstruct --phantom 16 --arith ball:8",                       // too few bits
                                   "reconstruct --image /nonexistent.png",                          // missing file
                                   "build firenet --phantom 16"}) {                                 // no -o
        std::string out, err;
        const int code = run_cli(args, out, &err);
        INFO("rigornet " << args << "\nstderr: " << err);
        CHECK(code == 3);
        CHECK(!err.empty());  // a message, from rigornet or from the option parser
    }
}

TEST_CASE("cli: exact Fourier reconstruction through the rational A_n, and its JSON form", "[cli][cs]") {
    json e = run_json("reconstruct --phantom 8 --modality fourier --rate 0.5 --lambda 1/100 --restarts 1 --inner 3 "
                      "--arith exact --fourier-accuracy 24 --error-terms --json");
    json b = run_json("reconstruct --phantom 8 --modality fourier --rate 0.5 --lambda 1/100 --restarts 1 --inner 3 "
                      "--arith ball --fourier-accuracy 24 --json");
    // the same rational network: the exact enclosure lies in the ball one
    CHECK(dec(b["relative_error_enclosure"][0]) <= dec(e["relative_error_enclosure"][0]));
    CHECK(dec(e["relative_error_enclosure"][1]) <= dec(b["relative_error_enclosure"][1]));
    // ‖(A_n − A)Wx‖ ≤ 2^−24‖x‖ (‖x‖ ≤ 8 for an 8×8 image in [0,1])
    CHECK(dec(e["error_terms"]["A_n_effect"][1]) <= Rational(8, 1 << 24));
    const auto [net, y] = build_network("firenet --phantom 8 --modality fourier --rate 0.5 --restarts 1 --inner 1 --fourier-accuracy 16");
    json ev = run_json("eval " + net + " --input @" + y + " --arith exact --json");
    CHECK(ev.at("output").size() == 64);
    std::remove(net.c_str());
    std::remove(y.c_str());
}

TEST_CASE("cli: complex unknowns", "[cli][cs]") {
    const std::string common = "reconstruct --phantom 8 --modality fourier --rate 0.5 --lambda 1/100 --restarts 1 --inner 3 --complex --json";
    json d = run_json(common + " --arith double");
    json e = run_json(common + " --arith exact --fourier-accuracy 20");
    CHECK(d.at("samples") == 32);
    CHECK(e.at("relative_error_enclosure").size() == 2);
    // the double network and the exact A_n network agree to the accuracy of A_n
    CHECK((dec(d["relative_error"]) - dec(e["relative_error_enclosure"][0])).abs() < Rational(1, 10000));
}

TEST_CASE("cli: reconstruct refuses a zero image (relative error undefined)", "[cli][cs]") {
    const std::string png = temp_path(".png");
    write_png(Image(16, 16), png);
    std::string out, err;
    const int code = run_cli("reconstruct --image " + png + " --modality walsh --rate 0.5 --arith ball", out, &err);
    INFO("stderr: " << err);
    CHECK(code == 3);
    CHECK(err.find("the image is zero") != std::string::npos);
    std::remove(png.c_str());
}

TEST_CASE("cli: an explicit --tau 1 is used, not replaced by the default", "[cli][cs]") {
    // walsh: L_A = 1, so the default for ISTA is also 1: the same network either way
    const std::string common = "reconstruct --phantom 16 --modality walsh --rate 0.5 --lambda 1/100 --solver ista --inner 4 --json";
    json d = run_json(common);
    json e = run_json(common + " --tau 1");
    CHECK(d.at("relative_error") == e.at("relative_error"));
    // a different explicit step gives a different network
    json h = run_json(common + " --tau 1/2");
    CHECK(h.at("relative_error") != d.at("relative_error"));
}

TEST_CASE("cli: reconstruct --json reports build and evaluation seconds, peak memory and the version, as numbers", "[cli][cs]") {
    const json j = rigornet::test::run_json("reconstruct --phantom 16 --modality walsh --rate 0.5 --restarts 1 --inner 2 --arith double --json");
    for (const char* k : {"seconds", "seconds_build", "seconds_eval", "peak_memory_mib"}) {
        INFO(k);
        REQUIRE(j.at(k).is_number());
        CHECK(j.at(k).get<double>() >= 0);
    }
    CHECK(j.at("seconds_build").get<double>() + j.at("seconds_eval").get<double>() <= j.at("seconds").get<double>());
    CHECK(j.at("peak_memory_mib").get<double>() > 1);  // the process itself takes more than 1 MiB
    CHECK(j.at("rigornet_version").is_string());
}
