#include "common.hpp"

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "rigornet/json_format.hpp"
#include "rigornet/version.hpp"
#include "rigornet/nnet_format.hpp"
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
    return read_network_json(path);
}

std::string network_semantics(const std::string& path, const std::string& reading) {
    return ends_with(path, ".nnet") ? "nnet-" + reading : "json-exact";
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
    sub->add_option("--nnet-reading", reading,
                    "How .nnet literals become rationals: decimal (0.1 = 1/10, as written) or binary64 (the double a parser would store)")
        ->check(CLI::IsMember({"decimal", "binary64"}))
        ->capture_default_str();
}

}  // namespace rigornet::cli
