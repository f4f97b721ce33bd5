// rigornet CLI, verification: verify NET PROP (a VNN-LIB property; DESIGN.md §10).
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "rigornet/verify.hpp"

using nlohmann::json;

namespace rigornet::cli {

namespace {

struct VerifyCliOptions {
    std::string net, prop, reading = "decimal";
    double timeout = 60;
    std::size_t max_nodes = 1000000;
    bool as_json = false;
};

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Which exact network the verdict is about (DESIGN.md §10: one file may denote several).
std::string semantics(const VerifyCliOptions& o) {
    if (ends_with(o.net, ".nnet")) return "nnet-" + o.reading;
    if (ends_with(o.net, ".onnx")) return "onnx-float32";
    return "json-exact";
}

// VNN-LIB's words for the verdict.
std::string result_name(Verdict v) {
    return v == Verdict::proved ? "holds" : v == Verdict::refuted ? "violated" : "unknown";
}

json strings(const std::vector<Rational>& v) {
    json a = json::array();
    for (const Rational& r : v) a.push_back(r.str());
    return a;
}

int cmd_verify(const VerifyCliOptions& o) {
    const ReluChain c = extract_relu_chain(load_network(o.net, o.reading));
    const VnnlibProperty p = read_vnnlib(o.prop);
    const InterruptScope interrupt_scope;
    VerifyOptions vo;
    vo.timeout_seconds = o.timeout;
    vo.max_nodes = o.max_nodes;
    vo.interrupt = &interrupted;
    vo.progress = [](std::size_t nodes, std::size_t pending, double s) {
        std::cerr << "verify: " << nodes << " boxes, " << pending << " pending, " << shortest(s) << " s\n";
    };
    const VerifyResult r = verify(c, p, vo);
    json j{{"result", result_name(r.verdict)}, {"semantics", semantics(o)}, {"seconds", r.seconds}, {"nodes", r.nodes}};
    std::ostringstream text;
    text << result_name(r.verdict);
    if (r.verdict == Verdict::unknown) {
        j["reason"] = r.reason;
        text << " (" << r.reason << ")";
    }
    text << " [" << semantics(o) << ", " << r.nodes << " boxes, " << shortest(r.seconds) << " s]\n";
    if (r.verdict == Verdict::refuted) {
        j["counterexample"] = {{"input", strings(r.input)}, {"output", strings(r.output)}};
        for (std::size_t i = 0; i < r.input.size(); ++i) text << "X_" << i << " = " << r.input[i].str() << '\n';
        for (std::size_t i = 0; i < r.output.size(); ++i) text << "Y_" << i << " = " << r.output[i].str() << '\n';
    }
    print(j, o.as_json, text.str());
    return r.verdict == Verdict::proved ? exit_ok : r.verdict == Verdict::refuted ? exit_refuted : exit_unknown;
}

}  // namespace

void register_verify_commands(CLI::App& app, std::vector<Command>& commands) {
    auto o = std::make_shared<VerifyCliOptions>();
    auto* v = app.add_subcommand(
        "verify",
        "Verify a VNN-LIB property (the asserted formula is the unsafe set) of a ReLU network over its input box: "
        "holds (proved, exit 0), violated (exact counterexample, exit 1), unknown (timeout, node limit or Ctrl-C, "
        "exit 2). Bounds are exact rational intervals with input splitting; counterexamples are searched in double "
        "and re-checked exactly. Progress on stderr every 2 s");
    v->add_option("NET", o->net, "Network file: .nnet or rigornet JSON (ReLU, feed-forward)")->required();
    v->add_option("PROP", o->prop, "VNN-LIB property file")->required();
    v->add_option("--timeout", o->timeout, "Stop with unknown after this many seconds")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    v->add_option("--max-nodes", o->max_nodes, "Stop with unknown after this many boxes")->capture_default_str();
    v->add_flag("--json", o->as_json, "Print JSON: result, semantics, seconds, nodes, reason, counterexample {input, output}");
    add_reading_option(v, o->reading);
    commands.push_back({v, [o] { return cmd_verify(*o); }});
}

}  // namespace rigornet::cli
