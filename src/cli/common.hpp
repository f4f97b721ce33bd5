// rigornet CLI: what every subcommand module shares.
#pragma once
#include <atomic>
#include <csignal>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>

#include "rigornet/network/network.hpp"
#include "rigornet/report/plot.hpp"

namespace rigornet::cli {

// Set by SIGINT while a long subcommand runs (lipschitz --exact, verify): the work stops at the next check and the
// partial result is reported with exit 2 (a flag is all a signal handler may touch).
inline std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

// Installs the SIGINT handler for its lifetime and restores the previous one.
struct InterruptScope {
    using Handler = void (*)(int);
    Handler previous;
    InterruptScope() : previous(std::signal(SIGINT, [](int) { interrupted.store(true); })) { interrupted.store(false); }
    ~InterruptScope() { std::signal(SIGINT, previous); }
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;
};

/// Exit codes of every subcommand.
constexpr int exit_ok = 0, exit_refuted = 1, exit_unknown = 2, exit_error = 3;

/// A subcommand: its CLI11 parser and what runs when it was chosen (returns the exit code).
struct Command {
    CLI::App* app;
    std::function<int()> run;
};

/// Each module adds its subcommands to the application and the registry.
void register_core_commands(CLI::App& app, std::vector<Command>& commands);
void register_cs_commands(CLI::App& app, std::vector<Command>& commands);
void register_lipschitz_commands(CLI::App& app, std::vector<Command>& commands);
void register_euler_commands(CLI::App& app, std::vector<Command>& commands);
void register_verify_commands(CLI::App& app, std::vector<Command>& commands);
void register_check_commands(CLI::App& app, std::vector<Command>& commands);

/// Shortest decimal that reads back as the same double.
std::string shortest(double d);
/// A network from a .nnet file (with the given reading: "decimal" or "binary64"; empty
/// means decimal), a .onnx file (float32 values read exactly; a reading given for it is
/// refused with ParseError: it has no decimal literals) or JSON, with the readers'
/// guarantees: errors name the file (and line, JSON path or ONNX node), and the size and
/// work limits of read_nnet / read_onnx / read_network_json hold for every kind of file.
Network load_network(const std::string& path, const std::string& reading);
/// Which exact network load_network(path, reading) denotes, as printed with every result:
/// "nnet-decimal", "nnet-binary64", "onnx-float32" or "json-exact". The three readings of
/// one ACAS Xu network (NNet decimals, their binary64 values, the ONNX float32 values)
/// are three different exact networks, about 1e-7 apart.
std::string network_semantics(const std::string& path, const std::string& reading);
/// Comma-separated exact rationals, or "@FILE" to read them from FILE (commas or
/// whitespace between values); ParseError naming the position of a bad value. FILE may
/// be a device or pipe: at most 2^26 bytes are read (ResourceError naming FILE beyond).
std::vector<Rational> parse_input(const std::string& text);
/// The number system named by --arith, parsed once for every command: "exact", "double",
/// "ball" (the command's automatic precision: bits = 0) or "ball:BITS" with the whole rest
/// a decimal integer, 16 ≤ BITS ≤ 10^6. ParseError naming the option and the accepted
/// forms otherwise; also when the kind is not among `accepted` (a command's choices).
struct ArithSpec {
    enum class Kind { exact, binary64, ball } kind = Kind::exact;
    long bits = 0;
};
ArithSpec parse_arith(const std::string& text,
                      std::initializer_list<ArithSpec::Kind> accepted = {ArithSpec::Kind::exact, ArithSpec::Kind::binary64,
                                                                         ArithSpec::Kind::ball});
/// Prints j (pretty JSON) when as_json, else the text.
void print(const nlohmann::json& j, bool as_json, const std::string& text);
/// Adds `--plot PREFIX` (`what`: what the plot shows, for --help).
void add_plot_option(CLI::App* sub, std::string& prefix, const std::string& what);
/// The --plot hook of every command with a curve: writes PREFIX.png, .pdf, .tex (PGFPlots)
/// and .csv (write_plot) and names them on stderr (stdout stays the command's output).
void write_plot_files(const Plot& p, const std::string& prefix);
/// Adds the --nnet-reading option; `reading` is cleared first, so it stays empty (the
/// file's own reading) unless the option is given.
void add_reading_option(CLI::App* sub, std::string& reading);

}  // namespace rigornet::cli
