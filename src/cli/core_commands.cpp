// rigornet CLI, core subcommands: sqrt, eval, info, convert.
#include <charconv>
#include <cmath>
#include <limits>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "rigornet/network/evaluate.hpp"
#include "rigornet/network/midrad_eval.hpp"
#include "rigornet/io/json_format.hpp"

using nlohmann::json;

namespace rigornet::cli {

namespace {

// The printed bound for a tracked double printed as the decimal `shown`: an upper bound
// on |shown − exact| with `shown` read as the exact decimal it is, i.e. the proved
// err plus the printing error |shown − v| (the shortest round-trip decimal is within
// half an ulp of v, not equal to it), rounded up. Empty when there is no claim.
std::string printed_error_bound(const TrackedDouble& t, const std::string& shown) {
    if (!std::isfinite(t.v) || !std::isfinite(t.err)) return {};
    const Rational bound = Rational::from_double(t.err) + (parse_rational(shown) - Rational::from_double(t.v)).abs();
    return to_decimal(bound, 17, Round::up);
}

// ------------------------------------------------------------------ sqrt

int cmd_sqrt(const std::string& xs, const std::string& thetas, bool as_json) {
    Rational x = parse_rational(xs), theta = parse_rational(thetas);
    if (theta.sign() <= 0) throw DomainError("--theta must be positive, got " + theta.str());
    if (x.sign() < 0) throw DomainError("sqrt_θ is defined for x ≥ 0, got " + x.str());
    const long k = theta_bits(theta);
    Rational value = sqrt_theta_bits(x, k);
    // Enclose d = value − √x with enough precision that the radius is far below 2^−k.
    const long prec = 2 * k + x.bits() + 64;
    Ball root(x, prec), d(value, prec);
    arb_sqrt(root.get(), root.get(), prec);
    arb_sub(d.get(), d.get(), root.get(), prec);
    // Two proved bounds on |value − √x|: 2^−k (sqrt_theta.hpp) and the ball's; keep the smaller.
    Rational bound(1);
    fmpq_div_2exp(bound.get(), bound.get(), static_cast<ulong>(k));
    Rational ball_bound = d.abs_upper();
    if (ball_bound < bound) bound = ball_bound;
    const std::string upper = to_decimal(bound, 6, Round::up);
    json j = {{"x", x.str()},
              {"theta", theta.str()},
              {"bits", k},
              {"value", value.str()},
              {"value_decimal", to_decimal(value, 30, Round::nearest)},
              {"value_bits", value.bits()},
              {"error_ball", d.str(10)},
              {"error_upper", upper}};
    std::ostringstream t;
    t << "sqrt_theta(" << x.str() << ") with theta = " << theta.str() << " (k = " << k << " bits)\n"
      << "  value       = " << value.str() << "\n"
      << "              ~ " << to_decimal(value, 30, Round::nearest) << "\n"
      << "  value - sqrt(x) in " << d.str(10) << "\n"
      << "  |value - sqrt(x)| <= " << upper << "  (proved)\n";
    print(j, as_json, t.str());
    return 0;
}

// ------------------------------------------------------------------ eval

int cmd_eval(const std::string& path, const std::string& input, const std::string& arith, const std::string& reading,
             bool ideal, bool as_json, long max_bits, std::size_t max_memory_mib) {
    if (max_bits < 1) throw ParseError("--max-bits must be at least 1");
    if (max_memory_mib < 1 || max_memory_mib > (std::size_t{1} << 40)) throw ParseError("--max-memory must be between 1 and 2^40 MiB");
    const std::size_t max_bytes = max_memory_mib * 1024 * 1024;
    Network net = load_network(path, reading);
    std::vector<Rational> y = parse_input(input);
    if (y.size() != net.input_dim())
        throw ShapeError(path + ": the network takes " + std::to_string(net.input_dim()) + " inputs, --input has " +
                         std::to_string(y.size()));
    const ArithSpec spec = parse_arith(arith);  // before any work
    json j = {{"network", path}, {"semantics", network_semantics(path, reading)}, {"arith", arith},
              {"input_dim", net.input_dim()}, {"output_dim", net.output_dim()}, {"layers", net.layers().size()}};
    std::ostringstream t;
    t << "network " << path << " [" << network_semantics(path, reading) << "]\n";
    std::vector<LayerSummary> summary;
    json out = json::array();
    std::vector<std::size_t> nonfinite;  // outputs without a finite value or enclosure
    if (spec.kind == ArithSpec::Kind::exact) {
        ExactArith ar;
        ar.max_bits = max_bits;
        ar.max_bytes = max_bytes;
        auto z = evaluate_rational(net, ar, y, &summary);
        json bits = json::array();
        for (auto& s : summary) bits.push_back(s.max_bits);
        for (auto& v : z) out.push_back(v.str());
        j["layer_bits"] = bits;
        t << "exact output:\n";
        for (std::size_t i = 0; i < z.size(); ++i)
            t << "  [" << i << "] " << z[i].str() << "  (~" << to_decimal(z[i], 17, Round::nearest) << ")\n";
        t << "bits per layer (max over outputs): " << bits.dump() << "\n";
    } else if (spec.kind == ArithSpec::Kind::binary64) {
        for (std::size_t i = 0; i < y.size(); ++i)
            if (!std::isfinite(y[i].to_double(Round::nearest)))
                throw DomainError("--input value " + std::to_string(i + 1) + " = " + to_decimal(y[i], 6, Round::nearest) +
                                  " is outside the binary64 range: use --arith exact or ball");
        // MidRadArith's mid is the double result, bit for bit, and |lo| + rad bounds its error
        // (tighter and faster than TrackedDoubleArith's running bound; README, Performance);
        // an operator without a proved double error model (FFTW's DFT) gives +∞
        std::vector<TrackedDouble> z;
        for (const MidRad& m : evaluate_rational(net, MidRadArith{}, y)) z.push_back({m.mid, double_error_bound(m)});
        json err = json::array();
        t << "double output (with a proved bound on the distance from the exact value, where one exists):\n";
        for (std::size_t i = 0; i < z.size(); ++i) {
            if (!std::isfinite(z[i].v)) nonfinite.push_back(i);
            const std::string v = shortest(z[i].v), bound = printed_error_bound(z[i], v);
            out.push_back(v);
            err.push_back(bound.empty() ? json(nullptr) : json(bound));
            t << "  [" << i << "] " << v << "  +/- " << (bound.empty() ? "(no bound)" : bound) << "\n";
        }
        j["error_bound"] = err;
    } else {
        BallArith ar{spec.bits ? spec.bits : 128, false, max_bytes};  // plain "ball": 128 bits
        // plain "ball" (not --ideal, which needs the true square root): midpoint-radius
        // doubles when every output radius is below 2^-30, Arb balls otherwise
        std::optional<std::vector<Ball>> fast;
        if (spec.bits == 0 && !ideal) fast = evaluate_midrad_balls(net, y, 30, ar.prec, &summary);
        const long digits = fast ? 30 : std::max(10L, static_cast<long>(ar.prec * 0.30103));  // midrad: ~32 correct digits at most
        if (!fast) summary.clear();
        auto z = fast ? std::move(*fast) : evaluate_rational(net, ar, y, &summary);
        json radii = json::array();
        for (auto& s : summary) radii.push_back(to_decimal(s.max_radius, 17, Round::up));
        for (std::size_t i = 0; i < z.size(); ++i) {
            if (!z[i].is_finite()) nonfinite.push_back(i);
            out.push_back(z[i].str(digits));
        }
        j["arith_used"] = fast ? "midrad" : "ball:" + std::to_string(ar.prec);
        if (!fast) j["precision"] = ar.prec;
        j["layer_max_radius"] = radii;
        if (fast)
            t << "ball output (midpoint-radius doubles, every radius below 2^-30; each ball contains the exact value):\n";
        else
            t << "ball output (" << ar.prec << " bits; each ball contains the exact value):\n";
        for (std::size_t i = 0; i < z.size(); ++i) t << "  [" << i << "] " << z[i].str(digits) << "\n";
        t << "largest radius per layer: " << radii.dump() << "\n";
        if (ideal) {
            BallArith ideal_ar{ar.prec, true, max_bytes};
            auto w = evaluate_rational(net, ideal_ar, y);
            json io = json::array(), diff = json::array();
            t << "ideal network (true sqrt) and the effect of theta, both enclosed:\n";
            for (std::size_t i = 0; i < z.size(); ++i) {
                Ball d;
                arb_sub(d.get(), z[i].get(), w[i].get(), ar.prec);
                io.push_back(w[i].str(digits));
                diff.push_back(d.str(10));
                t << "  [" << i << "] ideal " << w[i].str(digits) << "   sqrt_theta - ideal in " << d.str(10) << "\n";
            }
            j["ideal_output"] = io;
            j["theta_effect"] = diff;
        }
    }
    j["output"] = out;
    print(j, as_json, t.str());
    if (nonfinite.empty()) return exit_ok;
    // No claim could be made about these outputs (overflow, or a divisor that may be 0):
    // not an answer, so not exit 0.
    std::cerr << "rigornet: " << nonfinite.size() << " output(s) not finite in " << arith << " (first: output "
              << nonfinite.front() << "): overflow or a divisor that may be 0; no bound. Try --arith exact"
              << (arith == "double" ? " or ball" : " or more bits") << "\n";
    return exit_unknown;
}

// ------------------------------------------------------------------ info

int cmd_info(const std::string& path, const std::string& reading, bool as_json) {
    Network net = load_network(path, reading);
    json layers = json::array();
    std::ostringstream t;
    t << path << " [" << network_semantics(path, reading) << "]: input " << net.input_dim() << ", output "
      << net.output_dim() << ", " << net.layers().size() << " layers, largest weight " << net.max_weight_bits() << " bits\n";
    for (std::size_t j = 0; j < net.layers().size(); ++j) {
        const Layer& l = net.layers()[j];
        json e = {{"index", j + 1}, {"kind", layer_kind(l)}, {"in", net.widths()[j]}, {"out", net.widths()[j + 1]}};
        std::string detail;
        visit_layer(
            l,
            [&](const AffineLayer& a) {
                long bits = std::max(a.A->max_entry_bits(), a.c.max_bits());
                e["matrix"] = a.A->kind();
                e["stored_entries"] = a.A->stored_entries();
                e["input_reinjection"] = a.B != nullptr;
                if (a.B) bits = std::max(bits, a.B->max_entry_bits());
                e["weight_bits"] = bits;
                detail =
                    a.A->kind() + " A" + (a.B ? " + B y" : "") + ", weights up to " + std::to_string(bits) + " bits";
            },
            [&](const ElementwiseLayer& el) {
                e["function"] = scalar_name(el.fn);
                e["count"] = el.indices ? el.indices->size() : net.widths()[j];
                if (el.fn == Scalar::sqrt_theta) e["theta"] = el.param.str();
                if (el.fn == Scalar::soft_threshold) e["t"] = el.param.str();
                detail = scalar_name(el.fn) + " on " + std::to_string(e["count"].get<std::size_t>()) + " values";
            },
            [&](const GateLayer& g) {
                std::size_t count = 0;
                e["functions"] = json::array();
                for (const Gate& gate : g.gates) {
                    count += gate.count;
                    e["functions"].push_back(gate.f.str());
                }
                e["gates"] = count;
                detail = std::to_string(count) + " gate(s), f = " + g.gates.front().f.str();
            });
        layers.push_back(e);
        t << "  " << (j + 1) << ": " << layer_kind(l) << " " << net.widths()[j] << " -> " << net.widths()[j + 1]
          << "  " << detail << "\n";
    }
    json j = {{"network", path},
              {"semantics", network_semantics(path, reading)},
              {"input_dim", net.input_dim()},
              {"output_dim", net.output_dim()},
              {"widths", net.widths()},
              {"max_weight_bits", net.max_weight_bits()},
              {"layers", layers}};
    print(j, as_json, t.str());
    return 0;
}

int cmd_convert(const std::string& path, const std::string& reading, const std::string& output) {
    Network net = load_network(path, reading);
    if (output == "-") {
        write_network_json(net, std::cout);
        return 0;
    }
    std::ofstream out(output);
    if (!out) throw ParseError(output + ": cannot write");
    write_network_json(net, out);
    out.close();
    if (!out) throw Error(output + ": write failed");
    return 0;
}

}  // namespace

void register_core_commands(CLI::App& app, std::vector<Command>& commands) {
    struct Options {
        bool as_json = false, ideal = false;
        std::string reading, x, theta, net, input, arith = "exact", output = "-";
        long max_bits = ExactArith{}.max_bits;
        std::size_t max_memory = default_memory_limit() / (1024 * 1024);
    };
    auto o = std::make_shared<Options>();

    auto* sq = app.add_subcommand("sqrt", "The theta-accurate square root sqrt_theta(X) as an exact rational, with a proved bound on |value - sqrt(X)|");
    sq->add_option("X", o->x, "Rational x >= 0 (\"2\", \"0.1\" = 1/10, \"-3/7\", \"1e-5\")")->required();
    sq->add_option("--theta", o->theta, "Accuracy theta > 0: the result is within theta of sqrt(X)")->required();
    sq->add_flag("--json", o->as_json, "Print the result as JSON (fields value, error_upper, error_ball, bits, ...)");
    commands.push_back({sq, [o] { return cmd_sqrt(o->x, o->theta, o->as_json); }});

    auto* ev = app.add_subcommand("eval", "Evaluate a network (rigornet JSON, .nnet or .onnx) at an exact rational input");
    ev->add_option("NET", o->net, "Network file: .nnet (NNet format), .onnx (ONNX, float32 values read exactly) or rigornet JSON")->required();
    ev->add_option("--input", o->input, "Comma-separated rationals, e.g. \"1/2,-0.25,3\"")->required();
    ev->add_option("--arith", o->arith,
                   "exact (rationals, the ground truth) | ball (enclosures of the exact value: midpoint-radius doubles where every "
                   "radius is below 2^-30, else Arb balls at 128 bits; JSON arith_used says which) | ball:BITS (Arb balls at BITS) | "
                   "double (binary64, with a proved error bound per output)")
        ->capture_default_str();
    add_reading_option(ev, o->reading);
    ev->add_flag("--ideal", o->ideal, "With ball arithmetic: also evaluate the ideal network (true sqrt) and enclose the effect of theta");
    ev->add_flag("--json", o->as_json, "Print JSON (field output: list of strings)");
    ev->add_option("--max-bits", o->max_bits,
                   "exact: refuse (exit 3) when a value would exceed this many bits (numerator + denominator)")
        ->capture_default_str();
    ev->add_option("--max-memory", o->max_memory,
                   "MiB: refuse (exit 3) an evaluation estimated to need more (default: half of the memory available)")
        ->capture_default_str();
    commands.push_back({ev, [o] {
        return cmd_eval(o->net, o->input, o->arith, o->reading, o->ideal, o->as_json, o->max_bits, o->max_memory);
    }});

    auto* in = app.add_subcommand("info", "Layers, widths, nonlinearities and weight bit sizes of a network");
    in->add_option("NET", o->net, "Network file: .nnet, .onnx or rigornet JSON")->required();
    add_reading_option(in, o->reading);
    in->add_flag("--json", o->as_json, "Print JSON");
    commands.push_back({in, [o] { return cmd_info(o->net, o->reading, o->as_json); }});

    auto* cv = app.add_subcommand("convert", "Write a network (e.g. a .nnet file, normalisation included, or a .onnx file) in rigornet's exact JSON format");
    cv->add_option("NET", o->net, "Network file: .nnet, .onnx or rigornet JSON")->required();
    cv->add_option("-o,--output", o->output, "Output file (- for standard output)")->capture_default_str();
    add_reading_option(cv, o->reading);
    commands.push_back({cv, [o] { return cmd_convert(o->net, o->reading, o->output); }});
}

}  // namespace rigornet::cli
