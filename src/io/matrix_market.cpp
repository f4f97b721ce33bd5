#include "rigornet/io/matrix_market.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "text_file.hpp"

namespace rigornet {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

struct Lines {
    std::istringstream in;
    std::string path;
    std::size_t line = 0;

    [[noreturn]] void fail(const std::string& what) const {
        throw ParseError(path + ":" + std::to_string(line) + ": " + what);
    }
    // The next line that is neither a comment nor blank, split into words; false at the end.
    bool next(std::vector<std::string>& words) {
        std::string s;
        while (std::getline(in, s)) {
            ++line;
            if (!s.empty() && s.back() == '\r') s.pop_back();
            const auto first = s.find_first_not_of(" \t");
            if (first == std::string::npos || s[first] == '%') continue;
            std::istringstream ws(s);
            words.clear();
            for (std::string w; ws >> w;) words.push_back(w);
            return true;
        }
        return false;
    }
    std::uint64_t count(const std::string& w, std::uint64_t lo, std::uint64_t hi, const char* what) const {
        std::uint64_t v = 0;
        if (w.empty() || !std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); }) || w.size() > 19)
            fail(std::string("expected ") + what + " as a non-negative integer, found \"" + w + "\"");
        v = std::stoull(w);
        if (v < lo || v > hi) {
            const std::string msg = std::string(what) + " " + w + " outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
            if (v > hi && hi >= market_limits::max_dim) throw ResourceError(path + ":" + std::to_string(line) + ": " + msg);
            throw ShapeError(path + ":" + std::to_string(line) + ": " + msg);
        }
        return v;
    }
    Rational value(const std::string& w) const {
        try {
            return parse_rational(w);
        } catch (const Error& e) {
            fail(std::string("bad value: ") + e.what());
        }
    }
};

}  // namespace

MatrixEntries read_matrix_market(const std::string& path) {
    using namespace market_limits;
    Lines ls{std::istringstream(detail::read_text_file(path, max_file_bytes)), path};
    std::string banner;
    std::getline(ls.in, banner);
    ls.line = 1;
    std::istringstream bs(banner);
    std::vector<std::string> b;
    for (std::string w; bs >> w;) b.push_back(lower(w));
    if (b.size() != 5 || b[0] != "%%matrixmarket" || b[1] != "matrix")
        ls.fail("expected the banner \"%%MatrixMarket matrix FORMAT FIELD SYMMETRY\"");
    const std::string &format = b[2], &field = b[3], &symmetry = b[4];
    if (format != "coordinate" && format != "array") ls.fail("format \"" + format + "\": expected coordinate or array");
    if (field != "real" && field != "integer" && field != "complex" && field != "pattern")
        ls.fail("field \"" + field + "\": expected real, integer, complex or pattern");
    if (symmetry != "general" && symmetry != "symmetric" && symmetry != "skew-symmetric" && symmetry != "hermitian")
        ls.fail("symmetry \"" + symmetry + "\": expected general, symmetric, skew-symmetric or hermitian");
    if (format == "array" && field == "pattern") ls.fail("an array matrix cannot be a pattern");
    if (symmetry == "hermitian" && field != "complex") ls.fail("hermitian needs complex values");
    MatrixEntries m;
    m.complex = field == "complex";
    std::vector<std::string> w;
    if (!ls.next(w)) ls.fail("missing the size line");
    const bool coord = format == "coordinate";
    if (w.size() != (coord ? 3u : 2u)) ls.fail(coord ? "expected the size line \"rows cols entries\"" : "expected the size line \"rows cols\"");
    m.rows = ls.count(w[0], 1, max_dim, "rows");
    m.cols = ls.count(w[1], 1, max_dim, "cols");
    const bool sym = symmetry != "general";
    if (sym && m.rows != m.cols) ls.fail(symmetry + " needs a square matrix");
    std::uint64_t entries = 0;
    if (coord) {
        entries = ls.count(w[2], 0, max_entries, "entries");
    } else {
        if (static_cast<std::uint64_t>(m.rows) * m.cols > max_entries)
            throw ResourceError(path + ":" + std::to_string(ls.line) + ": " + std::to_string(m.rows) + "x" + std::to_string(m.cols) +
                                " array over the limit of " + std::to_string(max_entries) + " entries");
        // symmetric kinds store the lower triangle (skew-symmetric: without the diagonal)
        entries = !sym ? m.rows * m.cols : symmetry == "skew-symmetric" ? m.rows * (m.rows - 1) / 2 : m.rows * (m.rows + 1) / 2;
    }
    const std::size_t values = field == "pattern" ? 0 : m.complex ? 2 : 1;
    auto store = [&](std::size_t i, std::size_t j, const Rational& re, const Rational& im) {
        m.re.push_back({i, j, re});
        if (m.complex) m.im.push_back({i, j, im});
        if (!sym || i == j) return;
        if (symmetry == "skew-symmetric") {
            m.re.push_back({j, i, -re});
            if (m.complex) m.im.push_back({j, i, -im});
        } else {
            m.re.push_back({j, i, re});
            if (m.complex) m.im.push_back({j, i, symmetry == "hermitian" ? -im : im});
        }
    };
    std::size_t ai = 0, aj = 0;  // array position (column-major; lower triangle when symmetric)
    auto advance = [&] {
        if (++ai == m.rows) {
            ++aj;
            ai = !sym ? 0 : symmetry == "skew-symmetric" ? aj + 1 : aj;
        }
    };
    if (!coord && symmetry == "skew-symmetric") ai = 1;
    for (std::uint64_t k = 0; k < entries; ++k) {
        if (!ls.next(w)) ls.fail("expected " + std::to_string(entries) + " entries, found " + std::to_string(k));
        std::size_t i = ai, j = aj, at = 0;
        if (coord) {
            if (w.size() != 2 + values)
                ls.fail("expected \"row col" + std::string(values == 0 ? "" : values == 1 ? " value" : " re im") + "\"");
            i = ls.count(w[0], 1, m.rows, "row") - 1;
            j = ls.count(w[1], 1, m.cols, "column") - 1;
            at = 2;
            if (sym && j > i) ls.fail("a " + symmetry + " matrix stores its lower triangle only (row >= column)");
            if (symmetry == "skew-symmetric" && i == j) ls.fail("a skew-symmetric matrix has no diagonal entries");
        } else {
            if (w.size() != values) ls.fail(values == 1 ? "expected one value" : "expected \"re im\"");
            advance();
        }
        const Rational re = values ? ls.value(w[at]) : Rational(1);
        const Rational im = values == 2 ? ls.value(w[at + 1]) : Rational(0);
        if (symmetry == "hermitian" && i == j && !im.is_zero()) ls.fail("a hermitian matrix has a real diagonal");
        store(i, j, re, im);
    }
    if (ls.next(w)) ls.fail("more entries than the " + std::to_string(entries) + " declared");
    return m;
}

}  // namespace rigornet
