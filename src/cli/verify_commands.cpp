// rigornet CLI, verification: verify NET PROP (a VNN-LIB property; DESIGN.md §10).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "../io/text_file.hpp"
#include "common.hpp"
#include "rigornet/io/sha256.hpp"
#include "rigornet/verify/verify.hpp"
#include "rigornet/core/version.hpp"

using nlohmann::json;

namespace rigornet::cli {

namespace {

struct VerifyCliOptions {
    std::string net, prop, reading, instances, results;
    double timeout = 60;
    bool timeout_given = false;
    std::size_t max_nodes = 1000000;
    unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
    std::string certificate;
    bool as_json = false;
    bool no_merge = false;
    std::size_t alpha_steps = VerifyOptions{}.alpha_steps;
    bool alpha_steps_given = false;
    bool no_parent_bounds = false;
    bool forward_functions = false;
    bool no_beta = false;
    std::size_t relu_alpha_steps = VerifyOptions{}.relu_alpha_steps;
    std::size_t relu_unit_alpha_steps = VerifyOptions{}.relu_unit_alpha_steps;
    std::size_t relu_unit_alpha_depth = VerifyOptions{}.relu_unit_alpha_depth;
    bool split_intercept = false;
    std::string conjunctions = "auto";
    std::size_t relu_branch_candidates = VerifyOptions{}.relu_branch_candidates;
};

// Which exact network the verdict is about (DESIGN.md §10: one file may denote several).
std::string semantics(const VerifyCliOptions& o) { return network_semantics(o.net, o.reading); }

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
    json refutes = json::array();  // a constraint index, or a combination's multipliers
    for (std::size_t k = 0; k < n.refutes.size(); ++k)
        refutes.push_back(k < n.combination.size() && !n.combination[k].empty() ? strings(n.combination[k])
                                                                                  : json(n.refutes[k]));
    json leaf{{"leaf", !n.dual ? "bound" : n.interval_ranges ? "dual_interval" : n.forward_ranges ? "dual_forward" : "dual"},
              {"slopes", std::move(slopes)},
              {"refutes", std::move(refutes)}};
    // per conjunction, the ascent's α where it differs from the leaf's slope and its β
    // where nonzero (docs/certificates.md, "refine")
    if (n.interval_ranges && std::any_of(n.refine.begin(), n.refine.end(), [](const auto& a) { return !a.alpha.empty(); })) {
        json refine = json::array();
        for (const auto& point : n.refine) {
            if (point.alpha.empty()) {
                refine.push_back(nullptr);
                continue;
            }
            json alpha = json::array(), beta = json::array();
            for (std::size_t r = 0; r < point.alpha.size(); ++r)
                for (std::size_t j = 0; j < point.alpha[r].size(); ++j) {
                    const double own = r < n.slopes.size() && j < n.slopes[r].size() && n.slopes[r][j] ? 1.0 : 0.0;
                    if (point.alpha[r][j] != own) alpha.push_back({r, j, Rational::from_double(point.alpha[r][j]).str()});
                }
            for (std::size_t r = 0; r < point.beta.size(); ++r)
                for (std::size_t j = 0; j < point.beta[r].size(); ++j)
                    if (point.beta[r][j] != 0) beta.push_back({r, j, Rational::from_double(point.beta[r][j]).str()});
            refine.push_back({{"alpha", std::move(alpha)}, {"beta", std::move(beta)}});
        }
        leaf["refine"] = std::move(refine);
    }
    return leaf;
}

// Whether leaf n refutes some conjunction by a combination of its constraints.
bool combines(const ProofNode& n) {
    return std::any_of(n.combination.begin(), n.combination.end(), [](const auto& l) { return !l.empty(); });
}

// The certificate version a holds tree needs: 6 with a "dual_interval" leaf, 5 with a combination of constraints, 4 with
// a "dual_forward" leaf, 3 with a dual one, else 2.
int tree_version(const std::vector<ProofNode>& tree) {
    int v = 2;
    for (const ProofNode& n : tree)
        if (n.kind == ProofNode::Kind::leaf) {
            if (n.dual) v = std::max(v, n.interval_ranges ? 6 : n.forward_ranges ? 4 : 3);
            if (combines(n)) v = std::max(v, 5);
        }
    return v;
}

// The merge map of docs/certificates.md: per hidden layer of the original chain, each
// unit's representative and scale (or "constant"), and the dropped dead representatives.
json merge_map(const NeuronMerge& m) {
    json layers = json::array();
    for (std::size_t r = 0; r < m.map.size(); ++r) {
        json units = json::array();
        for (const UnitMap& u : m.map[r])
            units.push_back(u.kind == UnitMap::Kind::constant ? json("constant")
                                                              : json{{"rep", u.rep}, {"scale", u.scale.str()}});
        layers.push_back({{"units", std::move(units)}, {"dead", m.dead[r]}});
    }
    return layers;
}

// The certificate of docs/certificates.md (holds: the proof tree; violated: the point).
void write_certificate(const VerifyCliOptions& o, const VerifyResult& r) {
    namespace fs = std::filesystem;
    json c{{"format", "rigornet-verify-certificate"},
           {"version", r.verdict == Verdict::proved ? tree_version(r.proof) : 2},
           {"rigornet_version", version},
           {"network",
            {{"file", fs::path(o.net).filename().string()}, {"sha256", sha256_file_hex(o.net)}, {"semantics", semantics(o)}}},
           {"property", {{"file", fs::path(o.prop).filename().string()}, {"sha256", sha256_file_hex(o.prop)}}},
           {"result", result_name(r.verdict)}};
    if (r.verdict == Verdict::refuted) {
        c["counterexample"] = {{"input", strings(r.input)}, {"output", strings(r.output)}};
    } else {
        if (r.merge.removed() > 0) c["merge"] = merge_map(r.merge);  // the tree is about the merged chain
        c["tree"] = proof_node(r.proof, 0);
    }
    std::ofstream out(o.certificate);
    out << c.dump() << '\n';
    if (!out) throw Error(o.certificate + ": cannot write the certificate");
}

// One verification of the network file `net` against the property file `prop`; the
// caller holds the InterruptScope.
VerifyResult verify_files(const std::string& net, const std::string& prop, const std::string& reading, double timeout,
                          const VerifyCliOptions& o) {
    const ReluChain c = extract_relu_chain(load_network(net, reading));
    VnnlibProperty p;
    try {
        p = read_vnnlib(prop);
    } catch (const UnboundedInputError& e) {  // well-formed, but not decidable by the forward bounds
        VerifyResult r;
        r.reason = std::string("unbounded input region: ") + e.what();
        return r;
    }
    VerifyOptions vo;
    vo.timeout_seconds = timeout;
    vo.max_nodes = o.max_nodes;
    vo.threads = o.threads;
    vo.want_proof = !o.certificate.empty();
    vo.merge = !o.no_merge;
    vo.alpha_steps = o.alpha_steps;
    vo.reuse_parent_bounds = !o.no_parent_bounds;
    vo.backward_bounds = !o.forward_functions;
    vo.beta = !o.no_beta;
    vo.relu_alpha_steps = o.relu_alpha_steps;
    vo.relu_unit_alpha_steps = o.relu_unit_alpha_steps;
    vo.relu_unit_alpha_depth = o.relu_unit_alpha_depth;
    vo.relu_split_score = !o.split_intercept;
    vo.relu_branch_candidates = o.relu_branch_candidates;
    vo.conjunctions = o.conjunctions == "split"   ? ConjunctionSearch::split
                      : o.conjunctions == "joint" ? ConjunctionSearch::joint
                                                  : ConjunctionSearch::automatic;
    vo.interrupt = &interrupted;
    vo.progress = [](std::size_t nodes, std::size_t pending, double closed, double s) {
        std::cerr << "verify: " << nodes << " nodes, " << pending << " pending, " << std::setprecision(3) << 100 * closed
                  << std::setprecision(6) << " % of the tree closed, " << shortest(s) << " s\n";
    };
    return verify(c, p, vo);
}

int cmd_verify(const VerifyCliOptions& o) {
    if (o.net.empty() || o.prop.empty()) throw ParseError("verify: NET and PROP are required (or --instances FILE.csv)");
    if (!o.results.empty()) throw ParseError("verify: --results goes with --instances");
    if (o.alpha_steps_given && o.alpha_steps > 0 && !o.certificate.empty())
        throw ParseError("verify: --alpha-steps does not go with --certificate (a certificate's leaves do not record "
                         "the ascent's slopes; the checker re-derives each leaf from scratch)");
    if (o.conjunctions == "split" && !o.certificate.empty())
        throw ParseError("verify: --conjunctions split does not go with --certificate (a certificate is one proof tree "
                         "over all the conjunctions; its search is joint)");
    const InterruptScope interrupt_scope;
    const VerifyResult r = verify_files(o.net, o.prop, o.reading, o.timeout, o);
    json j{{"result", result_name(r.verdict)}, {"semantics", semantics(o)}, {"seconds", r.seconds}, {"nodes", r.nodes},
           {"merged_neurons", r.merge.removed()}};
    std::ostringstream text;
    text << result_name(r.verdict);
    if (r.verdict == Verdict::unknown) {
        j["reason"] = r.reason;
        j["closed_share"] = r.closed_share;
        text << " (" << r.reason << ", " << std::setprecision(3) << 100 * r.closed_share << std::setprecision(6)
             << " % of the tree closed)";
    }
    text << " [" << semantics(o) << ", " << r.nodes << " nodes, " << shortest(r.seconds) << " s";
    if (r.merge.removed() > 0) text << ", " << r.merge.removed() << " neurons merged";
    text << "]\n";
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

// ---------------------------------------------------------------- --instances

// One line of a VNN-COMP instance list: "onnx,vnnlib,timeout" (paths relative to the list).
struct Instance {
    std::string net, prop;            // resolved against the list's directory
    std::string net_name, prop_name;  // as written in the list (and in the results)
    double timeout;
};

std::vector<Instance> read_instances(const std::string& path) {
    std::istringstream in(detail::read_text_file(path, std::uintmax_t{1} << 26));
    std::vector<Instance> out;
    std::size_t line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        const std::string at = path + ":" + std::to_string(line_no) + ": ";
        std::vector<std::string> f;
        std::stringstream ls(line);
        for (std::string x; std::getline(ls, x, ',');) {
            const auto b = x.find_first_not_of(" \t"), e = x.find_last_not_of(" \t");
            f.push_back(b == std::string::npos ? "" : x.substr(b, e - b + 1));
        }
        if (f.size() != 3 || f[0].empty() || f[1].empty())
            throw ParseError(at + "expected onnx,vnnlib,timeout, found \"" + line + "\"");
        double t = 0;
        std::size_t used = 0;
        try {
            t = std::stod(f[2], &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != f[2].size() || !(t > 0) || !std::isfinite(t))
            throw ParseError(at + "timeout \"" + f[2] + "\": expected a positive number of seconds");
        const std::filesystem::path dir = std::filesystem::path(path).parent_path();
        auto resolve = [&](const std::string& p) {
            return std::filesystem::path(p).is_absolute() ? p : (dir / p).string();
        };
        out.push_back({resolve(f[0]), resolve(f[1]), f[0], f[1], t});
        if (out.size() > 1000000) throw ResourceError(path + ": more than 10^6 instances refused");
    }
    if (out.empty()) throw ParseError(path + ": no instances");
    return out;
}

// VNN-COMP's words: the property file asserts the unsafe set, so "holds" is unsat.
std::string vnncomp_name(const VerifyResult& r) {
    if (r.verdict == Verdict::proved) return "unsat";
    if (r.verdict == Verdict::refuted) return "sat";
    return r.reason == "timeout" ? "timeout" : "unknown";
}

int cmd_verify_instances(const VerifyCliOptions& o) {
    if (!o.net.empty() || !o.prop.empty()) throw ParseError("verify: --instances replaces NET and PROP");
    if (!o.certificate.empty()) throw ParseError("verify: --certificate is for one instance (NET PROP)");
    if (o.as_json) throw ParseError("verify: --instances writes CSV (--json is for one instance)");
    const std::vector<Instance> list = read_instances(o.instances);
    std::ofstream file;
    if (!o.results.empty()) {
        file.open(o.results);
        if (!file) throw ParseError(o.results + ": cannot write");
    }
    std::ostream& out = o.results.empty() ? std::cout : file;
    out << "onnx,vnnlib,result,vnncomp_result,seconds,semantics\n";
    const InterruptScope interrupt_scope;
    bool any_error = false, any_unknown = false;
    for (std::size_t k = 0; k < list.size() && !interrupted.load(); ++k) {
        const Instance& in = list[k];
        const double timeout = o.timeout_given ? std::min(in.timeout, o.timeout) : in.timeout;
        std::string result, vnncomp;
        double seconds = 0;
        try {
            const VerifyResult r = verify_files(in.net, in.prop, o.reading, timeout, o);
            result = result_name(r.verdict);
            vnncomp = vnncomp_name(r);
            seconds = r.seconds;
            any_unknown = any_unknown || r.verdict == Verdict::unknown;
        } catch (const Error& e) {
            result = vnncomp = "error";
            any_error = true;
            std::cerr << "rigornet: error: instance " << k + 1 << ": " << e.what() << '\n';
        }
        std::cerr << "verify: instance " << k + 1 << "/" << list.size() << " " << in.net_name << " " << in.prop_name << ": "
                  << result << " (" << shortest(seconds) << " s)\n";
        out << in.net_name << ',' << in.prop_name << ',' << result << ',' << vnncomp << ',' << shortest(seconds) << ','
            << network_semantics(in.net, o.reading) << '\n'
            << std::flush;
    }
    if (!out) throw Error((o.results.empty() ? std::string("stdout") : o.results) + ": write failed");
    if (any_error) return exit_error;
    return any_unknown || interrupted.load() ? exit_unknown : exit_ok;
}

}  // namespace

void register_verify_commands(CLI::App& app, std::vector<Command>& commands) {
    auto o = std::make_shared<VerifyCliOptions>();
    auto* v = app.add_subcommand(
        "verify",
        "Verify a VNN-LIB property (the asserted formula is the unsafe set) of a ReLU network over its input box: "
        "holds (proved, exit 0), violated (exact counterexample, exit 1), unknown (timeout, node limit, Ctrl-C or an "
        "unbounded input, exit 2). Hidden units identical up to a positive factor are merged exactly first (constant "
        "and dead ones dropped). Branch and bound: forward symbolic interval bounds in binary64 rounded outward, input "
        "splitting (ReLU splitting beyond 16 inputs); counterexamples are searched in double (random points, projected "
        "gradient steps) and re-checked exactly. Progress on stderr every 2 s");
    v->add_option("NET", o->net, "Network file: .nnet, .onnx or rigornet JSON (ReLU, feed-forward)");
    v->add_option("PROP", o->prop, "VNN-LIB property file");
    auto* timeout = v->add_option("--timeout", o->timeout, "Stop with unknown after this many seconds (with --instances: "
                                                          "caps each instance's own timeout)")
                        ->check(CLI::PositiveNumber)
                        ->capture_default_str();
    v->add_option("--instances", o->instances,
                  "Run a VNN-COMP instance list instead of NET PROP: CSV lines onnx,vnnlib,timeout, paths relative to "
                  "the list; writes CSV onnx,vnnlib,result,vnncomp_result,seconds,semantics (result holds/violated/"
                  "unknown/error; vnncomp_result unsat/sat/timeout/unknown/error). Exit 0 when every instance got a "
                  "verdict, 2 if one is unknown (or Ctrl-C), 3 if one could not be run");
    v->add_option("--results", o->results, "With --instances: write the results CSV to this file (default stdout)");
    v->add_option("--max-nodes", o->max_nodes, "Stop with unknown after this many nodes")->capture_default_str();
    v->add_option("--threads", o->threads, "Worker threads (the verdict does not depend on it)")
        ->check(CLI::Range(1u, 64u))
        ->capture_default_str();
    v->add_option("--certificate", o->certificate,
                  "Write a certificate (docs/certificates.md) for holds or violated; for holds every leaf is first "
                  "re-checked exactly, and if that fails no file is written and the exit code is 3");
    v->add_flag("--json", o->as_json,
                "Print JSON: result, semantics, seconds, nodes, merged_neurons (hidden units removed before the "
                "search: identical up to a positive factor, constant or dead), reason, counterexample {input, output}");
    v->add_flag("--no-merge", o->no_merge,
                "Search the network's chain as it is (by default hidden units identical up to a positive factor are "
                "merged exactly, and constant and dead units dropped, before the search)");
    auto* alpha_steps =
        v->add_option("--alpha-steps", o->alpha_steps,
                      "alpha-CROWN: projected-gradient steps on the lower ReLU slopes per open output constraint at "
                      "every node, for networks searched by input splitting (at most 16 inputs; 0: off; each step's "
                      "bound is sound); a certificate's search takes none (its leaves do not record them), and the "
                      "option is refused with --certificate")
        ->check(CLI::Range(std::size_t(0), std::size_t(1000)))
        ->capture_default_str();
    v->add_option("--relu-alpha-steps", o->relu_alpha_steps,
                  "alpha-CROWN steps as --alpha-steps, for networks searched by ReLU splitting (more than 16 inputs; "
                  "with --certificate each leaf records the multipliers, which check re-derives its bound with)")
        ->check(CLI::Range(std::size_t(0), std::size_t(1000)))
        ->capture_default_str();
    v->add_option("--relu-unit-alpha-steps", o->relu_unit_alpha_steps,
                  "With ReLU splitting: alpha-beta steps on the hidden units' own bounds too, at the nodes of depth below "
                  "--relu-unit-alpha-depth (the nodes below inherit them; not with --certificate or --no-parent-bounds)")
        ->check(CLI::Range(std::size_t(0), std::size_t(1000)))
        ->capture_default_str();
    v->add_option("--relu-unit-alpha-depth", o->relu_unit_alpha_depth,
                  "See --relu-unit-alpha-steps (1: the root only)")
        ->check(CLI::Range(std::size_t(0), std::size_t(1000)))
        ->capture_default_str();
    v->add_flag("--no-beta", o->no_beta,
                "Without beta-CROWN: by default the alpha ascent also moves multipliers of the ReLU splits' constraints "
                "(every bound stays sound)");
    v->add_flag("--no-parent-bounds", o->no_parent_bounds,
                "Bound each node's units afresh (by default they are intersected with the parent node's bounds; "
                "never with --certificate, whose leaves the checker re-derives from scratch)");
    v->add_flag("--forward-functions", o->forward_functions,
                "With ReLU splitting (more than 16 inputs): also compose the forward symbolic functions of every unit "
                "(by default nodes are bounded by interval ranges and back-substitution only, several times faster on "
                "wide inputs; certificate leaves then of kind dual_interval, else dual)");
    v->add_option("--relu-branch-candidates", o->relu_branch_candidates,
                  "With ReLU splitting: try this many units of largest split score, each fixed inactive and active with "
                  "the node's other relaxations kept, and split the one whose worse child is nearest to closing "
                  "(filtered smart branching; 0 or 1: the largest score alone)")
        ->check(CLI::Range(std::size_t(0), std::size_t(1000)))
        ->capture_default_str();
    v->add_flag("--split-intercept", o->split_intercept,
                "With ReLU splitting: split the unstable unit of largest chord intercept (by default the unit whose "
                "relaxation costs the open output constraints' bounds most)");
    v->add_option("--conjunctions", o->conjunctions,
                  "How an unsafe set of several conjunctions is searched: split (one search per conjunction; on a "
                  "classifier's 'some other class wins' with ReLU splitting far smaller than one tree), joint (one tree "
                  "for all; with input splitting its nodes share their bounds), auto (split with ReLU splitting, joint "
                  "with input splitting; the default). A certificate's search is always joint (split is refused with "
                  "--certificate)")
        ->check(CLI::IsMember({"auto", "split", "joint"}))
        ->capture_default_str();
    add_reading_option(v, o->reading);
    commands.push_back({v, [o, timeout, alpha_steps] {
                            o->timeout_given = timeout->count() > 0;
                            o->alpha_steps_given = alpha_steps->count() > 0;
                            return o->instances.empty() ? cmd_verify(*o) : cmd_verify_instances(*o);
                        }});
}

}  // namespace rigornet::cli
