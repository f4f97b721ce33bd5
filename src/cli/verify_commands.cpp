// rigornet CLI, verification: verify NET PROP (a VNN-LIB property; DESIGN.md §10).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "rigornet/sha256.hpp"
#include "rigornet/verify.hpp"
#include "rigornet/version.hpp"

using nlohmann::json;

namespace rigornet::cli {

namespace {

struct VerifyCliOptions {
    std::string net, prop, reading = "decimal";
    double timeout = 60;
    std::size_t max_nodes = 1000000;
    unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
    std::string certificate;
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

json proof_node(const std::vector<ProofNode>& tree, std::size_t id) {
    const ProofNode& n = tree[id];
    switch (n.kind) {
        case ProofNode::Kind::input_split:
            return {{"split", "input"}, {"dim", n.dim}, {"at", n.at.str()}, {"below", proof_node(tree, n.first)},
                    {"above", proof_node(tree, n.second)}};
        case ProofNode::Kind::relu_split:
            return {{"split", "relu"}, {"layer", n.layer}, {"unit", n.unit}, {"inactive", proof_node(tree, n.first)},
                    {"active", proof_node(tree, n.second)}};
        case ProofNode::Kind::leaf: break;
    }
    json slopes = json::array();
    for (const auto& row : n.slopes) {
        json r = json::array();
        for (unsigned char a : row) r.push_back(a ? "1" : "0");
        slopes.push_back(std::move(r));
    }
    return {{"leaf", "bound"}, {"slopes", std::move(slopes)}, {"refutes", n.refutes}};
}

// The certificate of docs/certificates.md (holds: the proof tree; violated: the point).
void write_certificate(const VerifyCliOptions& o, const VerifyResult& r) {
    namespace fs = std::filesystem;
    json c{{"format", "rigornet-verify-certificate"},
           {"version", 1},
           {"rigornet_version", version},
           {"network",
            {{"file", fs::path(o.net).filename().string()}, {"sha256", sha256_file(o.net)}, {"semantics", semantics(o)}}},
           {"property", {{"file", fs::path(o.prop).filename().string()}, {"sha256", sha256_file(o.prop)}}},
           {"result", result_name(r.verdict)}};
    if (r.verdict == Verdict::refuted) c["counterexample"] = {{"input", strings(r.input)}, {"output", strings(r.output)}};
    else c["tree"] = proof_node(r.proof, 0);
    std::ofstream out(o.certificate);
    out << c.dump() << '\n';
    if (!out) throw Error(o.certificate + ": cannot write the certificate");
}

int cmd_verify(const VerifyCliOptions& o) {
    const ReluChain c = extract_relu_chain(load_network(o.net, o.reading));
    const VnnlibProperty p = read_vnnlib(o.prop);
    const InterruptScope interrupt_scope;
    VerifyOptions vo;
    vo.timeout_seconds = o.timeout;
    vo.max_nodes = o.max_nodes;
    vo.threads = o.threads;
    vo.want_proof = !o.certificate.empty();
    vo.interrupt = &interrupted;
    vo.progress = [](std::size_t nodes, std::size_t pending, double s) {
        std::cerr << "verify: " << nodes << " nodes, " << pending << " pending, " << shortest(s) << " s\n";
    };
    const VerifyResult r = verify(c, p, vo);
    json j{{"result", result_name(r.verdict)}, {"semantics", semantics(o)}, {"seconds", r.seconds}, {"nodes", r.nodes}};
    std::ostringstream text;
    text << result_name(r.verdict);
    if (r.verdict == Verdict::unknown) {
        j["reason"] = r.reason;
        text << " (" << r.reason << ")";
    }
    text << " [" << semantics(o) << ", " << r.nodes << " nodes, " << shortest(r.seconds) << " s]\n";
    if (r.verdict == Verdict::refuted) {
        j["counterexample"] = {{"input", strings(r.input)}, {"output", strings(r.output)}};
        for (std::size_t i = 0; i < r.input.size(); ++i) text << "X_" << i << " = " << r.input[i].str() << '\n';
        for (std::size_t i = 0; i < r.output.size(); ++i) text << "Y_" << i << " = " << r.output[i].str() << '\n';
    }
    print(j, o.as_json, text.str());
    if (!o.certificate.empty() && r.verdict != Verdict::unknown) {
        if (r.verdict == Verdict::proved && r.proof.empty()) {
            std::cerr << "rigornet: error: the property holds, but no certificate was written to " << o.certificate
                      << ": " << r.proof_error << '\n';
            return exit_error;
        }
        write_certificate(o, r);
    }
    return r.verdict == Verdict::proved ? exit_ok : r.verdict == Verdict::refuted ? exit_refuted : exit_unknown;
}

}  // namespace

void register_verify_commands(CLI::App& app, std::vector<Command>& commands) {
    auto o = std::make_shared<VerifyCliOptions>();
    auto* v = app.add_subcommand(
        "verify",
        "Verify a VNN-LIB property (the asserted formula is the unsafe set) of a ReLU network over its input box: "
        "holds (proved, exit 0), violated (exact counterexample, exit 1), unknown (timeout, node limit or Ctrl-C, "
        "exit 2). Branch and bound: forward symbolic interval bounds in binary64 rounded outward, input splitting "
        "(ReLU splitting beyond 16 inputs); counterexamples are searched in double (random points, projected "
        "gradient steps) and re-checked exactly. Progress on stderr every 2 s");
    v->add_option("NET", o->net, "Network file: .nnet or rigornet JSON (ReLU, feed-forward)")->required();
    v->add_option("PROP", o->prop, "VNN-LIB property file")->required();
    v->add_option("--timeout", o->timeout, "Stop with unknown after this many seconds")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    v->add_option("--max-nodes", o->max_nodes, "Stop with unknown after this many nodes")->capture_default_str();
    v->add_option("--threads", o->threads, "Worker threads (the verdict does not depend on it)")
        ->check(CLI::Range(1u, 64u))
        ->capture_default_str();
    v->add_option("--certificate", o->certificate,
                  "Write a certificate (docs/certificates.md) for holds or violated; for holds every leaf is first "
                  "re-checked exactly, and if that fails no file is written and the exit code is 3");
    v->add_flag("--json", o->as_json, "Print JSON: result, semantics, seconds, nodes, reason, counterexample {input, output}");
    add_reading_option(v, o->reading);
    commands.push_back({v, [o] { return cmd_verify(*o); }});
}

}  // namespace rigornet::cli
