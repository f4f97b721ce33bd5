// rigornet CLI, certificates: check NET PROP CERT (docs/certificates.md).
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "rigornet/check/check.hpp"
#include "rigornet/io/sha256.hpp"

using nlohmann::json;

namespace rigornet::cli {

namespace {

struct CheckCliOptions {
    std::string net, prop, cert, reading = "decimal";
    double timeout = 3600;
    bool as_json = false;
};

int cmd_check(const CheckCliOptions& o) {
    const Network net = load_network(o.net, o.reading);
    const VnnlibProperty prop = read_vnnlib(o.prop);
    const CertificateSubject subject{net, network_semantics(o.net, o.reading), sha256_file_hex(o.net), prop,
                                     sha256_file_hex(o.prop)};
    const InterruptScope interrupt_scope;
    CheckOptions co;
    co.interrupt = &interrupted;
    co.timeout_seconds = o.timeout;
    co.progress = [](std::size_t leaves, double s) {
        std::cerr << "check: " << leaves << " leaves checked, " << shortest(s) << " s\n";
    };
    CheckResult r;
    try {
        r = check_certificate(read_certificate(o.cert), subject, co);
    } catch (const Error& e) {  // the certificate file cannot be read or is not JSON
        r.reason = e.what();
    }
    json j{{"valid", r.valid}, {"result", r.result.empty() ? json(nullptr) : json(r.result)},
           {"reason", r.reason}, {"leaves", r.leaves}, {"seconds", r.seconds}};
    std::ostringstream text;
    if (r.valid)
        text << "valid certificate: " << r.result << (r.result == "holds" ? " (proved)" : " (exact counterexample)");
    else
        text << (r.interrupted ? "not checked: " : "invalid certificate: ") << r.reason;
    text << " [" << r.leaves << " leaves, " << shortest(r.seconds) << " s]\n";
    print(j, o.as_json, text.str());
    if (r.interrupted) return exit_unknown;
    if (!r.valid) return exit_error;
    return r.result == "holds" ? exit_ok : exit_refuted;
}

}  // namespace

void register_check_commands(CLI::App& app, std::vector<Command>& commands) {
    auto o = std::make_shared<CheckCliOptions>();
    auto* c = app.add_subcommand(
        "check",
        "Re-check a verification certificate (docs/certificates.md) in exact rational arithmetic, independently of "
        "the search: exit 0 valid proof that the property holds, 1 valid exact counterexample, 3 invalid, damaged or "
        "for another network, reading or property (the reason names the place in the certificate), 2 interrupted "
        "(Ctrl-C or --timeout; nothing claimed). Progress on stderr every 2 s");
    c->add_option("NET", o->net, "Network file the certificate is about: .nnet, .onnx or rigornet JSON")->required();
    c->add_option("PROP", o->prop, "VNN-LIB property file the certificate is about")->required();
    c->add_option("CERT", o->cert, "Certificate file (JSON, written by verify --certificate)")->required();
    c->add_option("--timeout", o->timeout, "Stop (exit 2, nothing claimed) after this many seconds")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    c->add_flag("--json", o->as_json, "Print JSON: valid, result (the claim), reason, leaves, seconds");
    add_reading_option(c, o->reading);
    commands.push_back({c, [o] { return cmd_check(*o); }});
}

}  // namespace rigornet::cli
