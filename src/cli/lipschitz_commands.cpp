// rigornet CLI, Lipschitz subcommands: lipschitz (the sandwich report) and table.
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "rigornet/core/error.hpp"
#include "rigornet/lipschitz/jacobian_bound.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/report/firenet_decay_table.hpp"
#include "rigornet/report/lipschitz_tables.hpp"
#include "rigornet/report/inexact_table.hpp"

using nlohmann::json;

namespace rigornet::cli {

namespace {

// K4 is a subset sum over 2^depth cut sets: the CLI skips it above this depth for speed
// (2^20 terms per output), below the library's own limit max_subset_depth.
constexpr std::size_t cli_k4_max_depth = 20;
// --samples and --draws above these are refused before any work: each sample costs up to
// 200 exact evaluations, each draw seconds of exact norms (the seed used 1000 draws).
constexpr std::int64_t max_samples = 1000000, max_draws = 100000;
constexpr int xy_max_l = 6;  // table xy-multiplier: exact L by region enumeration

struct LipOptions {
    std::string net, norm = "inf", methods = "product,K1,K3,K4,K,interval", domain, reading;
    bool exact = false, as_json = false;
    std::int64_t samples = 50;
    unsigned long seed = 1;
    long prec = 128;
    std::size_t max_regions = 200000;
    double timeout = 3600;
};

struct UpperResult {
    std::string method;
    Rational value;
    double seconds;
    std::string arith = {};  // empty: the command's number system (norm_arith)
};

template <class F>
auto timed(double& seconds, F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = f();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

json rationals(const std::vector<Rational>& v) {
    json a = json::array();
    for (const Rational& x : v) a.push_back(x.str());
    return a;
}

std::string list(const std::vector<Rational>& v) {
    std::string s;
    for (const Rational& x : v) s += (s.empty() ? "" : ",") + x.str();
    return s;
}

int cmd_lipschitz(const LipOptions& o) {
    if (o.samples < 1 || o.samples > max_samples)
        throw ResourceError("--samples " + std::to_string(o.samples) + ": expected 1 to " + std::to_string(max_samples) +
                            " (each sample costs up to 200 exact evaluations)");
    const InterruptScope interrupt_scope;
    const ReluChain c = extract_relu_chain(load_network(o.net, o.reading));
    const LipNorm p = parse_lip_norm(o.norm);
    const Domain dom = o.domain.empty() ? Domain{} : parse_domain(o.domain, c.input_dim);
    const std::string arith = norm_arith(p, o.prec);
    // The cheap bounds run on the chain restricted to the box (restrict_to_box: equal to f
    // there, units constant on the box removed), so they bound L on the domain.
    const ReluChain cb = dom.is_box() ? restrict_to_box(c, dom.lo, dom.hi) : c;
    // p = 1, ∞: the bounds are the exact values of their formulas; p = 2: rational upper
    // ends of ball enclosures, printed as decimals rounded up.
    auto shown = [&](const Rational& v) { return p == LipNorm::l2 ? to_decimal(v, 12, Round::up) : v.str(); };
    // The text table shows long exact rationals by their size only (--json has them).
    auto cell = [](const std::string& v) {
        return v.size() <= 32 ? v : "(" + std::to_string(v.size()) + "-character rational, see --json)";
    };

    std::vector<UpperResult> upper;
    json skipped = json::array();
    std::stringstream ms(o.methods);
    for (std::string m; std::getline(ms, m, ',');) {
        double s = 0;
        if (interrupted.load()) {
            skipped.push_back({{"method", m}, {"reason", "interrupted (SIGINT)"}});
        } else if (m == "product") {
            upper.push_back({m, timed(s, [&] { return bound_product(cb, p, o.prec); }), s});
        } else if (m == "K1") {
            upper.push_back({m, timed(s, [&] { return bound_k1_dp(cb, p, o.prec); }), s});
        } else if (m == "K3") {
            upper.push_back({m, timed(s, [&] { return bound_k3(cb, p, o.prec); }), s});
        } else if (m == "K4") {
            if (cb.depth() > cli_k4_max_depth)
                skipped.push_back({{"method", m},
                                   {"reason", "subset sum over 2^" + std::to_string(c.depth()) +
                                                  " cut sets: the CLI stops at depth " + std::to_string(cli_k4_max_depth) +
                                                  " for speed (the library allows " + std::to_string(max_subset_depth) + ")"}});
            else
                upper.push_back({m, timed(s, [&] { return bound_k4_subsets(cb, p, o.prec); }), s});
        } else if (m == "K") {
            auto k = timed(s, [&] { return szegedy_k(cb, p, o.prec); });
            if (k)
                upper.push_back({m, k->upper, s});
            else
                skipped.push_back({{"method", m},
                                   {"reason", "2^" + std::to_string(cb.hidden_units()) + " activation patterns: too many"}});
        } else if (m == "K2") {
            std::optional<Rational> k2;
            if (p == LipNorm::l2) k2 = timed(s, [&] { return bound_k2(cb, o.prec); });
            if (k2)
                upper.push_back({m, *k2, s});
            else
                skipped.push_back({{"method", m},
                                   {"reason", p != LipNorm::l2 ? "SeqLip is an l2 bound (use --norm 2)"
                                                               : "not certified (a repeated singular value, or a "
                                                                 "hidden layer wider than 12 units)"}});
        } else if (m == "interval") {
            const double b = timed(s, [&] {
                return JacobianBound(c).upper(dom.is_box() ? box_slopes(c, dom.lo, dom.hi) : SlopePattern{}, p);
            });
            // the double rounded up to 10 significant digits: still an upper bound, shorter
            if (std::isfinite(b))
                upper.push_back({m, parse_rational(to_decimal(Rational::from_double(b), 10, Round::up)), s,
                                 "binary64, outward rounding"});
            else
                skipped.push_back({{"method", m}, {"reason", "the interval product overflowed binary64"}});
        } else {
            throw ParseError("--methods: unknown method '" + m + "' (expected product, K1, K2, K3, K4, K, interval)");
        }
    }

    std::mt19937_64 rng(o.seed);
    double lower_s = 0;
    const int samples = static_cast<int>(o.samples);
    PairWitness lower = timed(lower_s, [&] { return sampled_lower_bound(c, dom, p, o.prec, samples, rng); });
    std::string lower_how = "sampled pairs and local Jacobians (" + std::to_string(o.samples) + " samples)";
    // Seed 002's effective Jacobian over as many fresh points: an estimate, not a bound.
    const Enclosure jeff = operator_norm(effective_jacobian(c, sample_points(c, dom, samples, rng)), p, o.prec);

    json jexact = nullptr;
    std::optional<ExactLipschitz> ex;
    std::string exact_stopped;  // empty: complete (or not asked for)
    double exact_s = 0;
    if (o.exact) {
        ExactLimits limits;
        limits.max_regions = o.max_regions;
        limits.max_seconds = o.timeout;
        limits.interrupt = &interrupted;
        limits.start = lower.a;  // the best sampled pair: a region of large ‖J‖ first
        limits.progress = [](std::size_t regions, std::size_t lps, double seconds) {
            std::cerr << "rigornet: lipschitz --exact: " << regions << " regions, " << lps << " exact LPs, "
                      << static_cast<long>(seconds) << " s\n";
        };
        ex = timed(exact_s, [&] { return exact_lipschitz(c, dom, p, o.prec, limits); });
        // nullopt: stopped before the first region (exact_lipschitz's contract).
        exact_stopped = ex ? ex->stopped : interrupted.load() ? "interrupted" : exact_s >= o.timeout ? "timeout" : "max-regions";
        if (ex && ex->complete()) {
            upper.push_back({"exact", ex->value.upper, exact_s});
            jexact = {{"complete", true},
                      {"value", shown(ex->value.upper)},
                      {"lower", ex->value.lower.str()},
                      {"upper", ex->value.upper.str()},
                      {"arith", arith},
                      {"exact", ex->value.exact()},
                      {"regions", ex->regions},
                      {"lps", ex->lps},
                      {"pruned", ex->pruned},
                      {"point", rationals(ex->point)},
                      {"seconds", exact_s}};
        } else {
            // Stopped early: the best region found so far is non-empty, so its ‖J‖ is ≤ L.
            jexact = {{"complete", false},
                      {"stopped", exact_stopped},
                      {"kind", "lower bound"},
                      {"lower", ex ? json(ex->value.lower.str()) : json(nullptr)},
                      {"upper", ex && ex->upper ? json(ex->upper->str()) : json(nullptr)},
                      {"upper_decimal", ex && ex->upper ? json(to_decimal(*ex->upper, 10, Round::up)) : json(nullptr)},
                      {"arith", arith},
                      {"regions", ex ? ex->regions : 0},
                      {"lps", ex ? ex->lps : 0},
                      {"pruned", ex ? ex->pruned : 0},
                      {"point", ex ? rationals(ex->point) : json(nullptr)},
                      {"seconds", exact_s},
                      {"note", "the search stopped before covering the domain: lower is ||J|| on the best "
                               "region found (a witnessed lower bound on L), upper the largest interval Jacobian "
                               "bound of the branches left (a proved upper bound), not L"}};
        }
        if (ex && !ex->witness.a.empty() && ex->witness.value > lower.value) {
            lower = ex->witness;
            lower_how = ex->complete() ? "pair inside the maximising region (exact enumeration)"
                                       : "pair inside the best region found before the exact enumeration stopped (" +
                                             exact_stopped + ")";
        }
    }
    // Re-verify the lower bound from its pair alone, in exact arithmetic.
    if (pair_quotient_lower(c, lower.a, lower.b, p, o.prec) != lower.value)
        throw Error("lower bound witness failed its exact re-check");

    json j = {{"network", o.net},
              {"semantics", network_semantics(o.net, o.reading)},
              {"norm", lip_norm_name(p)},
              {"domain", dom.is_box() ? json(o.domain) : json("R^n")},
              {"depth", c.depth()},
              {"hidden_units", c.hidden_units()}};
    json ju = json::array();
    for (const auto& u : upper)
        ju.push_back({{"method", u.method},
                      {"value", shown(u.value)},
                      {"decimal", to_decimal(u.value, 10, Round::up)},
                      {"arith", u.arith.empty() ? arith : u.arith},
                      {"seconds", u.seconds}});
    j["upper"] = ju;
    j["skipped"] = skipped;
    j["lower"] = {{"value", p == LipNorm::l2 ? to_decimal(lower.value, 12, Round::down) : lower.value.str()},
                  {"decimal", to_decimal(lower.value, 10, Round::down)},
                  {"witness", {{"a", rationals(lower.a)}, {"b", rationals(lower.b)}}},
                  {"how", lower_how},
                  {"seconds", lower_s}};
    if (o.exact) j["exact"] = jexact;
    j["estimates"] = json::array({{{"method", "J_eff"},
                                   {"value", to_decimal(jeff.upper, 10, Round::nearest)},
                                   {"note", "norm of the effective Jacobian (seed 002): an estimate, not a bound"}}});

    Table t;
    t.title = "Lipschitz sandwich for " + o.net + " [" + network_semantics(o.net, o.reading) + "] (l-" + lip_norm_name(p) + " operator norm, domain " +
              (dom.is_box() ? o.domain : std::string("R^n")) + ", " + std::to_string(c.depth()) + " ReLU layers, " +
              std::to_string(c.hidden_units()) + " units)";
    t.keys = t.headers = {"", "method", "value", "decimal", "number system", "seconds"};
    auto seconds = [](double s) {
        std::ostringstream os;
        os.precision(3);
        os << s;
        return os.str();
    };
    t.add_row({"lower <=", "witnessed pair", cell(p == LipNorm::l2 ? to_decimal(lower.value, 12, Round::down) : lower.value.str()),
               to_decimal(lower.value, 10, Round::down), "exact re-check", seconds(lower_s)});
    std::sort(upper.begin(), upper.end(), [](const UpperResult& a, const UpperResult& b) { return a.value < b.value; });
    for (const auto& u : upper)
        t.add_row({u.method == "exact" && p != LipNorm::l2 ? "L =" : "L <=", u.method, cell(shown(u.value)),
                   to_decimal(u.value, 10, Round::up), u.arith.empty() ? arith : u.arith, seconds(u.seconds)});
    t.notes.push_back("witness: a = (" + cell(list(lower.a)) + "), b = (" + cell(list(lower.b)) + ")");
    for (const auto& s : skipped) t.notes.push_back("skipped " + s["method"].get<std::string>() + ": " + s["reason"].get<std::string>());
    t.notes.push_back("estimate (not a bound): ||J_eff|| = " + to_decimal(jeff.upper, 10, Round::nearest) +
                      " (effective Jacobian, seed 002, " + std::to_string(o.samples) + " points)");
    if (ex)
        t.notes.push_back("exact: " + std::to_string(ex->regions) + " regions, " + std::to_string(ex->lps) + " exact LPs, " +
                          std::to_string(ex->pruned) + " branches pruned by the interval Jacobian bound");
    if (!exact_stopped.empty())
        t.notes.push_back("exact: stopped (" + exact_stopped + ") before covering the domain; L is unknown" +
                          (ex ? ", at least " + to_decimal(ex->value.lower, 10, Round::down) + " (best region found)" : "") +
                          (ex && ex->upper ? ", at most " + to_decimal(*ex->upper, 10, Round::up) +
                                                 " (interval Jacobian bound of the branches left)"
                                           : ""));
    if (dom.is_box())
        t.notes.push_back("the upper bounds are of the chain restricted to the domain (" +
                          std::to_string(c.hidden_units() - cb.hidden_units()) + " units constant there removed)");
    print(j, o.as_json, render(t, TableFormat::text));
    return !exact_stopped.empty() || interrupted.load() ? exit_unknown : exit_ok;
}

struct TableOptions {
    std::string name, format = "text", norm = "inf", plot;
    std::int64_t draws = 20;
    int max_l = 6;
    unsigned long seed = 1;
    // firenet-decay and inexact-input (0: the table's own default)
    int restarts = 0, inner = 0;
    // firenet-decay
    std::size_t size = 16;
    double rate = 0.5, timeout = 600;
    std::string lambda = "1/200";
    // inexact-input
    std::vector<int> k_values{1, 3, 6};
    std::vector<long> n_values{10, 20, 30};
};

// The rows of firenet-decay with progress on stderr (every 2 s), stopped by --timeout
// or Ctrl-C (then `stopped` says why and the rows so far are kept).
Table firenet_decay_cli(const TableOptions& o, std::optional<Plot>& plot, std::string& stopped) {
    DecayOptions d;
    d.side = o.size;
    d.rate = o.rate;
    d.seed = o.seed;
    d.inner = o.inner ? o.inner : 20;
    d.lambda = parse_rational(o.lambda);
    if (d.lambda.sign() <= 0) throw DomainError("--lambda must be positive");
    const DecayProblem pb = firenet_decay_problem(d);
    const InterruptScope interrupt_scope;
    const auto t0 = std::chrono::steady_clock::now();
    auto last = t0;
    const int restarts = o.restarts ? o.restarts : 8;
    const auto rows = firenet_decay(pb, restarts, [&](const DecayRow& r) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last > std::chrono::seconds(2)) {
            std::cerr << "rigornet: table firenet-decay: n = " << r.restarts << " of " << restarts << " done ("
                      << r.layers << " layers, " << r.bits << " bits)\n";
            last = now;
        }
        if (interrupted.load()) stopped = "interrupted (SIGINT)";
        else if (std::chrono::duration<double>(now - t0).count() > o.timeout) stopped = "--timeout reached";
        return stopped.empty();
    });
    Table t = firenet_decay_table(pb, rows, certify_minimiser(pb));
    if (!stopped.empty() && static_cast<int>(rows.size()) < restarts)
        t.notes.push_back("stopped after n = " + std::to_string(rows.size()) + " of " + std::to_string(restarts) + ": " + stopped);
    else
        stopped.clear();
    plot = firenet_decay_plot(rows);
    return t;
}

int cmd_table(const TableOptions& o) {
    const TableFormat f = parse_table_format(o.format);
    Table t;
    std::vector<std::string> failures;  // claims of the seed table that did not check
    std::optional<Plot> plot;           // set by the tables with a curve (--plot)
    std::string stopped;                // set when a long table stopped early (exit 2)
    if (o.name == "firenet-decay") {
        t = firenet_decay_cli(o, plot, stopped);
    } else if (o.name == "takagi") {
        if (o.max_l < 1 || o.max_l > 6) throw DomainError("--max-l: the seed's table has l = 1..6");
        t = takagi_table(static_cast<std::size_t>(o.max_l), &failures);
        plot = plot_columns(t, "l", {"L", "K", "K4", "K3", "K1", "K_star"}, true);
    } else if (o.name == "xy-multiplier") {
        if (o.max_l < 1 || o.max_l > xy_max_l) throw DomainError("--max-l: xy-multiplier has l = 1.." + std::to_string(xy_max_l));
        t = xy_multiplier_table(static_cast<std::size_t>(o.max_l), &failures);
    } else if (o.name == "random-relu") {
        if (o.draws < 1 || o.draws > max_draws)
            throw ResourceError("--draws " + std::to_string(o.draws) + ": expected 1 to " + std::to_string(max_draws) +
                                " (each draw computes exact bounds of an 8-10-6-3 network; the seed used 1000)");
        t = random_relu_table(static_cast<int>(o.draws), o.seed, parse_lip_norm(o.norm), [&](int n) {
            if (n % 100 == 0) std::cerr << "rigornet: table random-relu: " << n << " draws\n";
        }, &failures);
    } else if (o.name == "cnn-lp") {
        t = cnn_lp_table(&failures);
    } else if (o.name == "alexnet") {
        t = alexnet_table();
        plot = plot_columns(t, "layer", {"running_product"}, true);
    } else if (o.name == "inexact-input") {
        InexactRunOptions ro;
        ro.inner = o.inner ? o.inner : 50;
        ro.restarts = o.restarts ? o.restarts : 30;
        const auto start = std::chrono::steady_clock::now();
        ro.progress = [start](const std::string& m) {
            std::cerr << "rigornet: table inexact-input: " << m << " ("
                      << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s)\n";
        };
        InterruptScope on_sigint;  // Ctrl-C: the rows done so far, exit 2
        ro.stop = [] { return interrupted.load(); };
        bool partial = false;
        t = inexact_input_table(o.k_values, o.n_values, InexactParams{}, ro, &failures, &partial);
        plot = inexact_input_plot(t);
        if (partial) {
            std::cout << render(t, f);
            return exit_unknown;
        }
    } else {
        throw ParseError("table: unknown table '" + o.name + "' (expected takagi, xy-multiplier, random-relu, cnn-lp, alexnet, firenet-decay or inexact-input)");
    }
    if (!o.plot.empty() && !plot) throw ParseError("--plot: table " + o.name + " has no curve to plot");
    std::cout << render(t, f);
    if (!o.plot.empty()) write_plot_files(*plot, o.plot);
    for (const std::string& m : failures) std::cerr << "rigornet: table " << o.name << ": claim failed: " << m << '\n';
    if (!stopped.empty()) {
        std::cerr << "rigornet: table " << o.name << ": " << stopped << ": partial table\n";
        return exit_unknown;
    }
    return failures.empty() ? exit_ok : exit_refuted;
}

}  // namespace

void register_lipschitz_commands(CLI::App& app, std::vector<Command>& commands) {
    auto o = std::make_shared<LipOptions>();
    auto* lip = app.add_subcommand(
        "lipschitz",
        "Lipschitz sandwich of a ReLU network: witnessed lower bounds <= L <= proved upper bounds "
        "(exit 0; 2 if --exact stopped early or on SIGINT, with the partial result; 3 for an unsupported network)");
    lip->add_option("NET", o->net, "Network file: .nnet (normalisation and input clipping included), .onnx or rigornet JSON")
        ->required();
    lip->add_option("--norm", o->norm, "Operator norm: 1, 2 or inf (p = 1, inf exact rationals; p = 2 ball enclosures)")
        ->check(CLI::IsMember({"1", "2", "inf"}))
        ->capture_default_str();
    lip->add_option("--methods", o->methods,
                    "Comma-separated upper bounds: product (K_* = prod ||W_r||), K1 (Combettes-Pesquet, by dynamic "
                    "programming), K3, K4 (Despres-Pintore; a subset sum, skipped here above depth " +
                        std::to_string(cli_k4_max_depth) + " for speed although the library allows " +
                        std::to_string(max_subset_depth) + "), K (Szegedy: max over all activation patterns), K2 "
                    "(Virmaux-Scaman SeqLip, --norm 2 only, certified SVD factors), interval (LipBaB's interval "
                    "Jacobian over the domain, outward-rounded binary64). With --domain every bound is of the "
                    "chain restricted to the box (units constant there removed)")
        ->capture_default_str();
    lip->add_flag("--exact", o->exact,
                  "Also compute the exact constant L by branch and bound over the linear regions (exact LPs, "
                  "QSopt_ex; branches whose interval Jacobian bound cannot beat the best region are pruned); "
                  "progress on stderr every 2 s. Stopped by --timeout, --max-regions or Ctrl-C, it reports the "
                  "best region found as a witnessed lower bound and a proved upper bound, and exits 2");
    lip->add_option("--domain", o->domain,
                    "Input box: lo:hi for every input, or one lo:hi per input separated by commas; lo = hi fixes "
                    "that input (default: all of R^n)");
    lip->add_option("--samples", o->samples,
                    "Sample points for the witnessed lower bound (1 to " + std::to_string(max_samples) + ")")
        ->capture_default_str();
    lip->add_option("--seed", o->seed, "Seed of the sampler")->capture_default_str();
    lip->add_option("--prec", o->prec, "Ball precision in bits for p = 2")->check(CLI::Range(32L, 100000L))->capture_default_str();
    lip->add_option("--max-regions", o->max_regions, "With --exact: stop (exit 2) after this many regions")
        ->capture_default_str();
    lip->add_option("--timeout", o->timeout, "With --exact: stop (exit 2) after this many seconds of enumeration")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    lip->add_flag("--json", o->as_json, "Print JSON: upper (list of {method, value, arith}), lower ({value, witness}), exact");
    add_reading_option(lip, o->reading);
    commands.push_back({lip, [o] { return cmd_lipschitz(*o); }});

    auto to = std::make_shared<TableOptions>();
    auto* tab = app.add_subcommand("table", "Reproduce a seed table (Lipschitz bounds, FIRENET decay) in text, Markdown, LaTeX, CSV or JSON; exit 1 if one of the "
                                   "table's checked claims fails (each is printed to stderr)");
    tab->add_option("NAME", to->name,
                    "takagi (seed 001: x - sum g_r/4^r, l = 1..6), xy-multiplier (seed 001: xy from the FEM identity "
                    "T = e_0 + T(Lambda)/4, l = 1..--max-l), random-relu (seed 001: random 8-10-6-3 "
                    "networks), cnn-lp (seed 000: Zou-Balan-Singh bounds, LP solved exactly), alexnet (seed 000: "
                    "chain-rule product), firenet-decay (seed 003: FIRENET's error against restarts, in balls) or "
                    "inexact-input (seed 003 / PNAS 2022 Table 1: FIRENET on inexact input, proved)")
        ->required()
        ->check(CLI::IsMember({"takagi", "xy-multiplier", "random-relu", "cnn-lp", "alexnet", "firenet-decay", "inexact-input"}));
    tab->add_option("--format", to->format, "text, md, latex (booktabs), csv or json (a list of row objects)")
        ->check(CLI::IsMember({"text", "md", "latex", "csv", "json"}))
        ->capture_default_str();
    tab->add_option("--draws", to->draws,
                    "random-relu: number of random networks, 1 to " + std::to_string(max_draws) + " (the seed used 1000)")
        ->capture_default_str();
    tab->add_option("--seed", to->seed, "random-relu: seed of the generator; firenet-decay: seed of the signal and the sampling")->capture_default_str();
    tab->add_option("--norm", to->norm, "random-relu: operator norm 1 or inf")
        ->check(CLI::IsMember({"1", "inf"}))
        ->capture_default_str();
    tab->add_option("--max-l", to->max_l, "takagi: largest l (1..6); xy-multiplier: largest l (1.." + std::to_string(xy_max_l) + ")")->capture_default_str();
    tab->add_option("--size", to->size, "firenet-decay: image side (a power of two, 4..256)")->capture_default_str();
    tab->add_option("--rate", to->rate, "firenet-decay: Walsh sampling rate in (0, 1]")->capture_default_str();
    tab->add_option("--restarts", to->restarts, "firenet-decay: rows n = 1..RESTARTS (default 8); inexact-input: FIRENET restarts (default 30, the paper's)")
        ->check(CLI::Range(1, 1000));
    tab->add_option("--inner", to->inner, "firenet-decay: steps p per restart (default 20); inexact-input: FIRENET inner iterations p (default 50, the paper's)")->check(CLI::Range(1, 10000));
    tab->add_option("--lambda", to->lambda, "firenet-decay: lambda of the SR-LASSO (exact rational)")->capture_default_str();
    tab->add_option("--timeout", to->timeout, "firenet-decay: stop (exit 2, partial table) after this many seconds")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    add_plot_option(tab, to->plot, "the table's curve (firenet-decay: error against n on a log axis, with nu^n; inexact-input: distance against n per K, with 10^-K)");
    tab->add_option("--k-values", to->k_values, "inexact-input: accuracies K (digits), 1 to 30")
        ->delimiter(',')
        ->check(CLI::Range(1, 30))
        ->capture_default_str();
    tab->add_option("--n-values", to->n_values, "inexact-input: perturbation exponents n (||A - A_n|| <= 2^-n), 1 to 200")
        ->delimiter(',')
        ->check(CLI::Range(1L, 200L))
        ->capture_default_str();
    commands.push_back({tab, [to] { return cmd_table(*to); }});
}

}  // namespace rigornet::cli
