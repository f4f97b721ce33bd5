// rigornet CLI: 1-Lipschitz Euler networks (Murari's notes [Mur25]): the step condition
// τ‖W‖₂² ≤ 2 decided exactly per layer, exact evaluation, and the margin certificate.
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "rigornet/lipschitz/cnn_bounds.hpp"
#include "rigornet/core/error.hpp"

using nlohmann::json;

namespace rigornet::cli {

namespace {

struct EulerOptions {
    std::string tau = "1", theta = "1/1099511627776", weights, bias, input = "1,0", eps = "1/10";
    int steps = 1;
    long label = -1;
    bool as_json = false;
};

// "a,b;c,d" → the matrix with rows (a, b) and (c, d), exact rationals.
RationalMatrix parse_matrix(const std::string& text) {
    std::vector<std::vector<Rational>> rows;
    std::stringstream rs(text);
    for (std::string row; std::getline(rs, row, ';');) rows.push_back(parse_input(row));
    if (rows.empty() || rows[0].empty()) throw ParseError("--weights: expected rows \"a,b;c,d\"");
    RationalMatrix m(rows.size(), rows[0].size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].size() != rows[0].size())
            throw ShapeError("--weights: row " + std::to_string(i + 1) + " has " + std::to_string(rows[i].size()) +
                             " entries, row 1 has " + std::to_string(rows[0].size()));
        for (std::size_t j = 0; j < rows[i].size(); ++j) m.set(i, j, rows[i][j]);
    }
    return m;
}

json rationals(const std::vector<Rational>& v) {
    json a = json::array();
    for (const Rational& r : v) a.push_back(r.str());
    return a;
}

int cmd_euler(const EulerOptions& o) {
    if (o.steps < 1 || o.steps > 100000) throw ParseError("--steps must be between 1 and 100000");
    const Rational tau = parse_rational(o.tau), theta = parse_rational(o.theta), eps = parse_rational(o.eps);
    if (theta.sign() <= 0) throw DomainError("--theta must be positive");
    if (eps.sign() < 0) throw DomainError("--eps must be non-negative");
    EulerStep step = euler_seed_example(tau, theta);
    const bool example = o.weights.empty();
    if (!example) {
        step.w = parse_matrix(o.weights);
        step.b = o.bias.empty() ? std::vector<Rational>(step.w.rows()) : parse_input(o.bias);
        if (step.b.size() != step.w.rows())
            throw ShapeError("--bias has " + std::to_string(step.b.size()) + " entries, W has " + std::to_string(step.w.rows()) + " rows");
    }
    std::vector<Rational> x = parse_input(o.input);
    if (x.size() != step.w.cols())
        throw ShapeError("--input has " + std::to_string(x.size()) + " values, the step acts on " + std::to_string(step.w.cols()));
    const Verdict v = certify_euler_step(step);
    std::vector<Rational> y = x;
    for (int k = 0; k < o.steps; ++k) y = euler_apply(step, y);
    json j = {{"network", example ? "Murari's 2-D example, W = [c -c; c c], c = sqrt_theta(1/2) <= sqrt(2)/2" : "--weights"},
              {"steps", o.steps},
              {"tau", tau.str()},
              {"step_1_lipschitz", verdict_name(v)},
              {"input", rationals(x)},
              {"output", rationals(y)}};
    std::ostringstream t;
    t << j["network"].get<std::string>() << ", " << o.steps << " step(s) x -> x - tau W^T relu(W x + b), tau = " << tau.str() << "\n"
      << "  tau ||W||_2^2 <= 2 (each step 1-Lipschitz in l2): " << verdict_name(v) << " (decided exactly)\n"
      << "  output at " << j["input"].dump() << ": " << j["output"].dump() << " (exact)\n";
    // the composition of 1-Lipschitz steps is 1-Lipschitz, so Lip <= 1 once the step is proved
    if (v == Verdict::proved) j["lipschitz_upper"] = "1";
    int code = v == Verdict::proved ? exit_ok : exit_refuted;
    if (o.label >= 0) {
        if (static_cast<std::size_t>(o.label) >= y.size() || y.size() < 2)
            throw ShapeError("--label must be an output index below " + std::to_string(y.size()) + " (and at least 2 outputs)");
        Rational best_other;
        bool first = true;
        for (std::size_t i = 0; i < y.size(); ++i)
            if (i != static_cast<std::size_t>(o.label) && (first || y[i] > best_other)) best_other = y[i], first = false;
        const Rational margin = y[static_cast<std::size_t>(o.label)] - best_other;
        // M(x) > √2·Lip·ε ⇒ the class cannot change within ‖η‖₂ ≤ ε; needs the proved Lip ≤ 1
        const Verdict m = v == Verdict::proved ? certify_margin(margin, Rational(1), eps) : Verdict::unknown;
        j["margin"] = margin.str();
        j["eps"] = eps.str();
        j["robust"] = verdict_name(m);
        t << "  margin M(x) = " << margin.str() << "; M > sqrt(2) Lip eps with Lip <= 1, eps = " << eps.str() << ": "
          << verdict_name(m) << "\n";
        if (code == exit_ok && m != Verdict::proved) code = exit_unknown;
    }
    print(j, o.as_json, t.str());
    return code;
}

}  // namespace

void register_euler_commands(CLI::App& app, std::vector<Command>& commands) {
    auto o = std::make_shared<EulerOptions>();
    auto* e = app.add_subcommand(
        "euler",
        "1-Lipschitz Euler network x -> x - tau W^T relu(W x + b) (Murari): decide tau ||W||_2^2 <= 2 exactly, evaluate "
        "exactly, and certify robustness from the margin (exit 0 proved, 1 step condition refuted, 2 margin not proved)");
    e->add_option("--tau", o->tau, "Step size tau (exact rational)")->capture_default_str();
    e->add_option("--steps", o->steps, "Number of identical steps")->capture_default_str();
    e->add_option("--weights", o->weights,
                  "W as rows \"a,b;c,d\" (exact rationals); default: the 2-D example W = [c -c; c c], c = sqrt_theta(1/2)");
    e->add_option("--bias", o->bias, "b (comma-separated; default 0)");
    e->add_option("--theta", o->theta, "theta of c = sqrt_theta(1/2) in the built-in example")->capture_default_str();
    e->add_option("--input", o->input, "The point x (comma-separated exact rationals)")->capture_default_str();
    e->add_option("--label", o->label, "Output index of the true class: certify the margin M(x) > sqrt(2) Lip eps");
    e->add_option("--eps", o->eps, "Robustness radius eps in l2")->capture_default_str();
    e->add_flag("--json", o->as_json, "Print JSON");
    commands.push_back({e, [o] { return cmd_euler(*o); }});
}

}  // namespace rigornet::cli
