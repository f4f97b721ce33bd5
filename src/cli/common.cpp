#include "common.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "rigornet/io/json_format.hpp"
#include "rigornet/core/version.hpp"
#include "rigornet/io/nnet_format.hpp"
#include "rigornet/io/onnx_format.hpp"
#include "../io/text_file.hpp"

namespace rigornet::cli {

std::string shortest(double d) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

namespace {
constexpr std::uintmax_t max_input_file_bytes = std::uintmax_t{1} << 26;

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Network load_network(const std::string& path, const std::string& reading) {
    if (ends_with(path, ".nnet"))
        return read_nnet(path, reading == "binary64" ? NumberReading::binary64 : NumberReading::decimal);
    if (ends_with(path, ".onnx")) {
        if (!reading.empty())
            throw ParseError(path + ": --nnet-reading " + reading + " applies to .nnet files only; an ONNX file stores "
                             "float32 values, which rigornet reads exactly (semantics " + onnx_semantics + ")");
        return read_onnx(path);
    }
    return read_network_json(path);
}

std::string network_semantics(const std::string& path, const std::string& reading) {
    if (ends_with(path, ".nnet")) return "nnet-" + (reading.empty() ? std::string("decimal") : reading);
    if (ends_with(path, ".onnx")) return onnx_semantics;
    return "json-exact";
}

ArithSpec parse_arith(const std::string& text, std::initializer_list<ArithSpec::Kind> accepted) {
    std::string forms;
    for (ArithSpec::Kind k : accepted)
        forms += std::string(forms.empty() ? "" : ", ") +
                 (k == ArithSpec::Kind::exact ? "exact" : k == ArithSpec::Kind::binary64 ? "double" : "ball, ball:BITS");
    ArithSpec a;
    if (text == "exact") {
        a.kind = ArithSpec::Kind::exact;
    } else if (text == "double") {
        a.kind = ArithSpec::Kind::binary64;
    } else if (text == "ball" || text.rfind("ball:", 0) == 0) {
        a.kind = ArithSpec::Kind::ball;
        if (text != "ball") {
            const std::string digits = text.substr(5);
            auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), a.bits);
            if (ec != std::errc() || p != digits.data() + digits.size() || a.bits < 16 || a.bits > 1000000)
                throw ParseError("--arith " + text + ": expected ball:BITS with 16 <= BITS <= 1000000");
        }
    } else {
        throw ParseError("--arith " + text + ": expected " + forms);
    }
    if (std::find(accepted.begin(), accepted.end(), a.kind) == accepted.end())
        throw ParseError("--arith " + text + ": this command takes " + forms);
    return a;
}

std::vector<Rational> parse_input(const std::string& text) {
    // "@FILE": the values are read from FILE, separated by commas and/or whitespace
    std::string body = text;
    if (!text.empty() && text[0] == '@') {
        body = detail::read_text_file(text.substr(1), max_input_file_bytes);
        for (char& c : body)
            if (std::isspace(static_cast<unsigned char>(c))) c = ',';
    }
    std::vector<Rational> v;
    std::size_t start = 0;
    for (;;) {
        std::size_t c = body.find(',', start);
        std::string item = body.substr(start, c == std::string::npos ? std::string::npos : c - start);
        if (!(text[0] == '@' && item.empty())) {  // files may have repeated separators
            try {
                v.push_back(parse_rational(item));
            } catch (const ParseError& e) {
                throw ParseError("--input value " + std::to_string(v.size() + 1) + ": " + e.what());
            }
        }
        if (c == std::string::npos) break;
        start = c + 1;
    }
    return v;
}

void print(const nlohmann::json& j, bool as_json, const std::string& text) {
    if (as_json) {
        nlohmann::json out = j;
        if (out.is_object()) out["rigornet_version"] = version;
        std::cout << out.dump(2) << '\n';
    }
    else
        std::cout << text;
}

void add_reading_option(CLI::App* sub, std::string& reading) {
    reading.clear();
    sub->add_option("--nnet-reading", reading,
                    "How .nnet literals become rationals: decimal (0.1 = 1/10, as written; the default) or binary64 (the "
                    "double a parser would store). Not for .onnx files: their float32 values are read exactly")
        ->check(CLI::IsMember({"decimal", "binary64"}));
}

void add_plot_option(CLI::App* sub, std::string& prefix, const std::string& what) {
    sub->add_option("--plot", prefix,
                    "Also write the plot of " + what + ": PREFIX.png (screen), PREFIX.pdf and PREFIX.tex (PGFPlots, for the "
                    "paper) and PREFIX.csv (the data behind it)");
}

void write_plot_files(const Plot& p, const std::string& prefix) {
    for (const std::string& f : write_plot(p, prefix)) std::cerr << "rigornet: wrote " << f << '\n';
}

}  // namespace rigornet::cli
