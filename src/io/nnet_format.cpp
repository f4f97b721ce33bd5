#include "rigornet/io/nnet_format.hpp"

#include "text_file.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>

namespace rigornet {

namespace {

constexpr std::size_t max_layers = 10000;
constexpr std::size_t max_width = 1000000;
constexpr std::size_t max_weights = 50000000;

struct LineReader {
    const std::string& text;
    const std::string& source;
    NumberReading reading;
    std::size_t pos = 0;
    std::size_t line_no = 0;

    [[noreturn]] void fail(const std::string& what) const {
        throw ParseError(source + ":" + std::to_string(line_no) + ": " + what);
    }

    // Next line that is neither empty nor (before the header) a // comment.
    std::string_view next_line(const std::string& expected, bool skip_comments = false) {
        while (pos < text.size()) {
            std::size_t end = text.find('\n', pos);
            if (end == std::string::npos) end = text.size();
            std::string_view l(text.data() + pos, end - pos);
            pos = end + 1;
            ++line_no;
            while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
            if (l.empty()) continue;
            if (skip_comments && l.substr(0, 2) == "//") continue;
            return l;
        }
        ++line_no;
        fail("unexpected end of file: expected " + expected);
    }

    // The comma-separated fields of a line (a trailing comma is allowed).
    std::vector<std::string_view> fields(std::string_view l) {
        std::vector<std::string_view> out;
        std::size_t start = 0;
        while (start <= l.size()) {
            std::size_t c = l.find(',', start);
            if (c == std::string_view::npos) c = l.size();
            std::string_view f = l.substr(start, c - start);
            while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.remove_prefix(1);
            while (!f.empty() && (f.back() == ' ' || f.back() == '\t')) f.remove_suffix(1);
            if (!f.empty() || c < l.size()) out.push_back(f);
            start = c + 1;
        }
        if (!out.empty() && out.back().empty()) out.pop_back();
        return out;
    }

    std::vector<std::string_view> line_of(std::size_t n, const std::string& what, bool skip_comments = false) {
        auto f = fields(next_line(std::to_string(n) + " " + what, skip_comments));
        if (f.size() != n)
            fail("expected " + std::to_string(n) + " " + what + ", found " + std::to_string(f.size()) + " values");
        return f;
    }

    Rational number(std::string_view s, const std::string& what) {
        try {
            return reading == NumberReading::decimal ? parse_rational(s) : parse_binary64(s);
        } catch (const ResourceError& e) {
            throw ResourceError(source + ":" + std::to_string(line_no) + ": " + what + ": " + e.what());
        } catch (const Error& e) {
            fail(what + ": " + e.what());
        }
    }

    std::size_t count(std::string_view s, const std::string& what, std::size_t limit) {
        std::size_t v = 0;
        if (s.empty() || s.size() > 12) fail("expected " + what + " (a positive integer), found \"" + std::string(s) + "\"");
        for (char ch : s) {
            if (ch < '0' || ch > '9') fail("expected " + what + " (a positive integer), found \"" + std::string(s) + "\"");
            v = v * 10 + static_cast<std::size_t>(ch - '0');
        }
        if (v == 0) fail(what + " must be positive");
        if (v > limit) throw ResourceError(source + ":" + std::to_string(line_no) + ": " + what + " " + std::to_string(v) + " exceeds the limit " + std::to_string(limit));
        return v;
    }

    std::vector<Rational> numbers(std::size_t n, const std::string& what) {
        auto f = line_of(n, what);
        std::vector<Rational> out;
        out.reserve(n);
        for (std::string_view s : f) out.push_back(number(s, what));
        return out;
    }
};

}  // namespace

NNetFile parse_nnet(const std::string& text, const std::string& source, NumberReading reading) {
    LineReader rd{text, source, reading};
    NNetFile f;
    auto header = rd.line_of(4, "header values (numLayers, inputSize, outputSize, maxLayerSize)", true);
    const std::size_t L = rd.count(header[0], "numLayers", max_layers);
    const std::size_t in = rd.count(header[1], "inputSize", max_width);
    const std::size_t out = rd.count(header[2], "outputSize", max_width);
    const std::size_t maxw = rd.count(header[3], "maxLayerSize", max_width);
    auto sizes = rd.line_of(L + 1, "layer sizes");
    std::size_t total = 0;
    for (std::size_t k = 0; k <= L; ++k) {
        f.sizes.push_back(rd.count(sizes[k], "layer size " + std::to_string(k), max_width));
        if (k > 0) total += f.sizes[k] * (f.sizes[k - 1] + 1);
        if (total > max_weights)
            throw ResourceError(source + ":" + std::to_string(rd.line_no) + ": more than " +
                                std::to_string(max_weights) + " weights refused");
    }
    if (f.sizes.front() != in) rd.fail("first layer size " + std::to_string(f.sizes.front()) + " differs from inputSize " + std::to_string(in));
    if (f.sizes.back() != out) rd.fail("last layer size " + std::to_string(f.sizes.back()) + " differs from outputSize " + std::to_string(out));
    // The sizes line is authoritative: some published files (TwinStream) understate
    // maxLayerSize, which no reader needs, so it is only reported.
    const std::size_t widest = *std::max_element(f.sizes.begin(), f.sizes.end());
    if (widest > maxw)
        f.warnings.push_back(source + ":" + std::to_string(rd.line_no) + ": layer size " + std::to_string(widest) +
                             " exceeds maxLayerSize " + std::to_string(maxw) + " (header ignored)");
    rd.next_line("the flag line");  // unused by the format
    f.input_min = rd.numbers(in, "input minimums");
    f.input_max = rd.numbers(in, "input maximums");
    f.mean = rd.numbers(in + 1, "means (inputs, then output)");
    f.range = rd.numbers(in + 1, "ranges (inputs, then output)");
    for (std::size_t k = 0; k < L; ++k) {
        const std::size_t rows = f.sizes[k + 1], cols = f.sizes[k];
        std::vector<Rational> w;
        w.reserve(rows * cols);
        for (std::size_t i = 0; i < rows; ++i) {
            auto row = rd.numbers(cols, "weights (layer " + std::to_string(k + 1) + ", row " + std::to_string(i + 1) + ")");
            for (auto& x : row) w.push_back(std::move(x));
        }
        std::vector<Rational> b;
        for (std::size_t i = 0; i < rows; ++i)
            b.push_back(rd.numbers(1, "bias (layer " + std::to_string(k + 1) + ", unit " + std::to_string(i + 1) + ")")[0]);
        f.weights.push_back(std::move(w));
        f.biases.push_back(std::move(b));
    }
    for (std::size_t p = rd.pos; p < text.size(); ++p)
        if (!std::isspace(static_cast<unsigned char>(text[p]))) {
            rd.line_no += 1 + static_cast<std::size_t>(std::count(text.begin() + static_cast<long>(rd.pos), text.begin() + static_cast<long>(p), '\n'));
            rd.fail("unexpected data after the last layer");
        }
    return f;
}

Network nnet_to_network(const NNetFile& f, const std::string& source) {
    const std::size_t n = f.sizes.front(), L = f.sizes.size() - 1;
    for (std::size_t i = 0; i < n; ++i) {
        if (f.input_min[i] > f.input_max[i])
            throw ParseError(source + ": input " + std::to_string(i) + " has minimum " + f.input_min[i].str() +
                             " above its maximum " + f.input_max[i].str());
    }
    for (std::size_t i = 0; i <= n; ++i)
        if (f.range[i].is_zero()) throw ParseError(source + ": range " + std::to_string(i) + " is zero");
    Network net(n);
    // Layer 1–2: u = x − min, v = x − max, then ReLU; clip(x) = min + u⁺ − v⁺.
    std::vector<SparseEntry> stack;
    std::vector<Rational> c;
    for (std::size_t i = 0; i < n; ++i) {
        stack.push_back({i, i, Rational(1)});
        stack.push_back({n + i, i, Rational(1)});
    }
    for (std::size_t i = 0; i < n; ++i) c.push_back(-f.input_min[i]);
    for (std::size_t i = 0; i < n; ++i) c.push_back(-f.input_max[i]);
    net.add_affine(std::make_shared<SparseMatrix>(2 * n, n, std::move(stack)), nullptr, std::move(c));
    net.add_elementwise(Scalar::relu);
    for (std::size_t k = 0; k < L; ++k) {
        const std::size_t rows = f.sizes[k + 1], cols = f.sizes[k];
        std::vector<Rational> w = f.weights[k], b = f.biases[k];
        if (k + 1 == L) {  // output un-normalisation: z·range_out + mean_out
            for (auto& x : w) x *= f.range[n];
            for (auto& x : b) x = x * f.range[n] + f.mean[n];
        }
        if (k == 0) {
            // W x̃ + b with x̃_j = (min_j − mean_j + u⁺_j − v⁺_j)/range_j:
            // A = [W D, −W D], c = b + W D (min − mean), D = diag(1/range).
            std::vector<Rational> a(rows * 2 * n);
            for (std::size_t i = 0; i < rows; ++i)
                for (std::size_t j = 0; j < n; ++j) {
                    Rational wd = w[i * n + j] / f.range[j];
                    b[i] += wd * (f.input_min[j] - f.mean[j]);
                    a[i * 2 * n + n + j] = -wd;
                    a[i * 2 * n + j] = std::move(wd);
                }
            net.add_affine(std::make_shared<DenseMatrix>(rows, 2 * n, std::move(a)), nullptr, std::move(b));
        } else {
            net.add_affine(std::make_shared<DenseMatrix>(rows, cols, std::move(w)), nullptr, std::move(b));
        }
        if (k + 1 < L) net.add_elementwise(Scalar::relu);
    }
    return net;
}

Network read_nnet(const std::string& path, NumberReading reading) {
    const std::string text = detail::read_text_file(path, std::uintmax_t{1} << 30);
    const NNetFile f = parse_nnet(text, path, reading);
    for (const std::string& w : f.warnings) std::cerr << "rigornet: warning: " << w << '\n';
    return nnet_to_network(f, path);
}

}  // namespace rigornet
