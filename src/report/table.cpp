// The shared table writer (table.hpp).
#include "rigornet/report/table.hpp"
#include "rigornet/core/version.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "rigornet/core/error.hpp"

namespace rigornet {

Cell Cell::interval(const std::string& lo, const std::string& hi) {
    return Cell("[" + lo + ", " + hi + "]", "[" + lo + ", " + hi + "]", nlohmann::json::array({lo, hi}).dump());
}

TableFormat parse_table_format(const std::string& s) {
    if (s == "text") return TableFormat::text;
    if (s == "md") return TableFormat::md;
    if (s == "latex") return TableFormat::latex;
    if (s == "csv") return TableFormat::csv;
    if (s == "json") return TableFormat::json;
    throw ParseError("--format: expected text, md, latex, csv or json, found '" + s + "'");
}

void Table::add_row(std::vector<Cell> row) {
    if (keys.size() != headers.size())
        throw ShapeError("table '" + title + "': " + std::to_string(keys.size()) + " JSON keys, " +
                         std::to_string(headers.size()) + " columns");
    if (row.size() != headers.size())
        throw ShapeError("table '" + title + "': row with " + std::to_string(row.size()) + " cells, " +
                         std::to_string(headers.size()) + " columns");
    rows.push_back(std::move(row));
}

namespace {

// Display width in code points (UTF-8 continuation bytes do not count).
std::size_t width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The non-ASCII symbols the tables use, as math-mode LaTeX (pdflatex needs no Unicode
// support then); any other non-ASCII code point is written as "(U+XXXX)".
const std::pair<const char*, const char*> latex_symbols[] = {
    {"≈", "$\\approx$"}, {"≤", "$\\le$"}, {"≥", "$\\ge$"}, {"∞", "$\\infty$"}, {"·", "$\\cdot$"},
    {"√", "$\\surd$"}, {"−", "$-$"}, {"θ", "$\\theta$"}, {"ρ", "$\\rho$"}, {"λ", "$\\lambda$"},
    {"ν", "$\\nu$"}, {"Γ", "$\\Gamma$"}, {"ℓ", "$\\ell$"}, {"²", "\\textsuperscript{2}"}, {"‖", "$\\|$"},
    {"∏", "$\\prod$"}, {"Σ", "$\\Sigma$"}, {"×", "$\\times$"}, {"′", "$'$"}, {"±", "$\\pm$"}};

}  // namespace

std::string escape_latex(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c0 = static_cast<unsigned char>(s[i]);
        if (c0 < 0x80) {
            const char c = s[i++];
            // ^ ~ \ have no backslash escape in text mode (\^ and \~ are accents, \\ a line break).
            if (c == '^') out += "\\textasciicircum{}";
            else if (c == '~') out += "\\textasciitilde{}";
            else if (c == '\\') out += "\\textbackslash{}";
            else if (c == '<' || c == '>' || c == '|') out += std::string("$") + c + "$";  // OT1 text mode has no < > |
            else {
                if (std::string("&%$#_{}").find(c) != std::string::npos) out += '\\';
                out += c;
            }
            continue;
        }
        const std::size_t n = c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 1;
        const std::string cp = s.substr(i, n);
        i += n;
        const char* tex = nullptr;
        for (const auto& [u, t] : latex_symbols)
            if (cp == u) tex = t;
        if (tex) {
            out += tex;
        } else {
            unsigned long v = n == 1 ? c0 : c0 & (0xFFu >> (n + 1));
            for (std::size_t k = 1; k < cp.size(); ++k) v = (v << 6) | (static_cast<unsigned char>(cp[k]) & 0x3Fu);
            char buf[16];
            std::snprintf(buf, sizeof buf, "(U+%04lX)", v);
            out += buf;
        }
    }
    return out;
}

namespace {

std::string escape_md(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

template <class F>
std::string joined(const std::vector<std::string>& cells, const std::string& sep, F&& f) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? sep : "") + f(cells[i], i);
    return out;
}

std::vector<std::string> texts(const std::vector<Cell>& row) {
    std::vector<std::string> v;
    for (const Cell& c : row) v.push_back(c.text);
    return v;
}

std::vector<std::string> values(const std::vector<Cell>& row) {
    std::vector<std::string> v;
    for (const Cell& c : row) v.push_back(c.value);
    return v;
}

}  // namespace

std::string render(const Table& t, TableFormat f) {
    std::ostringstream o;
    auto notes = [&](const std::string& prefix) {
        for (const std::string& n : t.notes) o << prefix << n << '\n';
    };
    switch (f) {
        case TableFormat::json: {
            nlohmann::json rows = nlohmann::json::array();
            for (const auto& r : t.rows) {
                if (r.size() > t.keys.size())
                    throw ShapeError("table '" + t.title + "': row with " + std::to_string(r.size()) + " cells, " +
                                     std::to_string(t.keys.size()) + " JSON keys");
                nlohmann::json obj = nlohmann::json::object();
                for (std::size_t i = 0; i < r.size(); ++i)
                    obj[t.keys[i]] = r[i].json.empty() ? nlohmann::json(r[i].value) : nlohmann::json::parse(r[i].json);
                rows.push_back(obj);
            }
            const nlohmann::json doc = {{"rigornet_version", version}, {"title", t.title}, {"rows", rows}, {"notes", t.notes}};
            o << doc.dump(2) << '\n';
            break;
        }
        case TableFormat::csv:
            // the JSON keys as column names: unique, one value per cell (headers may repeat)
            for (std::size_t i = 0; i < t.keys.size(); ++i)
                for (std::size_t k = 0; k < i; ++k)
                    if (t.keys[i] == t.keys[k]) throw ShapeError("table '" + t.title + "': column key '" + t.keys[i] + "' repeated");
            o << joined(t.keys, ",", [](const std::string& s, std::size_t) { return csv_cell(s); }) << '\n';
            for (const auto& r : t.rows)
                o << joined(values(r), ",", [](const std::string& s, std::size_t) { return csv_cell(s); }) << '\n';
            break;
        case TableFormat::md:
            if (!t.title.empty()) o << "**" << escape_md(t.title) << "**\n\n";
            o << "| " << joined(t.headers, " | ", [](const std::string& s, std::size_t) { return escape_md(s); })
              << " |\n|" << joined(t.headers, "|", [](const std::string&, std::size_t) { return std::string(" --- "); })
              << "|\n";
            for (const auto& r : t.rows)
                o << "| " << joined(texts(r), " | ", [](const std::string& s, std::size_t) { return escape_md(s); }) << " |\n";
            if (!t.notes.empty()) o << '\n';
            notes("");
            break;
        case TableFormat::latex:
            o << "% needs \\usepackage{booktabs}\n\\begin{table}\n\\centering\n";
            if (!t.title.empty()) o << "\\caption{" << escape_latex(t.title) << "}\n";
            o << "\\begin{tabular}{" << std::string(t.headers.size(), 'l') << "}\n\\toprule\n"
              << joined(t.headers, " & ", [](const std::string& s, std::size_t) { return escape_latex(s); })
              << " \\\\\n\\midrule\n";
            for (const auto& r : t.rows)
                o << joined(texts(r), " & ", [](const std::string& s, std::size_t) { return escape_latex(s); }) << " \\\\\n";
            o << "\\bottomrule\n\\end{tabular}\n\\end{table}\n";
            notes("% ");
            break;
        case TableFormat::text: {
            std::vector<std::size_t> w(t.headers.size());
            for (std::size_t i = 0; i < w.size(); ++i) w[i] = width(t.headers[i]);
            for (const auto& r : t.rows)
                for (std::size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i].text));
            auto line = [&](const std::vector<std::string>& cells) {
                return joined(cells, "  ", [&](const std::string& s, std::size_t i) {
                    return s + std::string(w[i] - width(s), ' ');
                });
            };
            if (!t.title.empty()) o << t.title << '\n';
            o << line(t.headers) << '\n';
            std::vector<std::string> rule;
            for (std::size_t x : w) rule.push_back(std::string(x, '-'));
            o << line(rule) << '\n';
            for (const auto& r : t.rows) o << line(texts(r)) << '\n';
            notes("  ");
            break;
        }
    }
    return o.str();
}

}  // namespace rigornet
