#include "rigornet/cs/user_problem.hpp"

#include <algorithm>
#include <cctype>
#include <memory>

#include <nlohmann/json.hpp>

#include "rigornet/number/arith.hpp"
#include "rigornet/io/json_format.hpp"
#include "rigornet/linalg/rational_matrix.hpp"
#include "rigornet/linalg/visit_operator.hpp"
#include "rigornet/number/sqrt_theta.hpp"
#include "../io/text_file.hpp"

namespace rigornet {

using nlohmann::json;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The stored entries of an operator read from JSON: dense and sparse matrices as stored,
// any other (exact) operator column by column from its images of the unit vectors (the
// deliberate default case: one route for every structured type).
std::vector<SparseEntry> entries_of(const LinearOperator& op, const std::string& path) {
    auto within_limit = [&] {
        if (static_cast<std::uint64_t>(op.rows()) * op.cols() > market_limits::max_entries)
            throw ResourceError(path + ": a " + std::to_string(op.rows()) + "x" + std::to_string(op.cols()) +
                                " matrix is over the limit of " + std::to_string(market_limits::max_entries) +
                                " entries");
    };
    return visit_operator<std::vector<SparseEntry>>(
        op, [](const SparseMatrix& s) { return s.entries(); },
        [&](const DenseMatrix& d) {
            within_limit();
            std::vector<SparseEntry> e;
            for (std::size_t i = 0; i < d.rows(); ++i)
                for (std::size_t j = 0; j < d.cols(); ++j)
                    if (!d.at(i, j).is_zero()) e.push_back({i, j, d.at(i, j)});
            return e;
        },
        [&](const LinearOperator&) {
            within_limit();
            std::vector<SparseEntry> e;
            std::vector<Rational> x(op.cols()), y(op.rows());
            for (std::size_t j = 0; j < op.cols(); ++j) {
                x[j] = Rational(1);
                try {
                    op.apply(ExactArith{}, x, y);
                } catch (const DomainError& err) {
                    throw DomainError(path + ": the " + op.kind() + " operator has irrational entries: " + err.what());
                }
                x[j] = Rational(0);
                for (std::size_t i = 0; i < y.size(); ++i)
                    if (!y[i].is_zero()) e.push_back({i, j, y[i]});
            }
            return e;
        });
}

// The problem-file spellings of a matrix object mapped to the network format's: "data"
// (rows of values, or rows·cols values row by row) is "dense", "entries" is "sparse".
json network_spelling(json m, const std::string& path) {
    if (!m.is_object()) return m;
    if (m.contains("entries")) {
        if (m.contains("sparse")) throw ParseError(path + ": \"entries\" and \"sparse\" are the same field: give one");
        m["sparse"] = std::move(m["entries"]);
        m.erase("entries");
    }
    if (m.contains("data")) {
        if (m.contains("dense")) throw ParseError(path + ": \"data\" and \"dense\" are the same field: give one");
        json d = std::move(m["data"]);
        m.erase("data");
        const bool flat = d.is_array() && !d.empty() && !d[0].is_array();
        if (flat && m.contains("rows") && m.contains("cols") && m["rows"].is_number_unsigned() && m["cols"].is_number_unsigned()) {
            const auto rows = m["rows"].get<std::uint64_t>(), cols = m["cols"].get<std::uint64_t>();
            if (rows * cols != d.size() || cols == 0)
                throw ShapeError(path + ".data: " + std::to_string(d.size()) + " values for a " + std::to_string(rows) + "x" +
                                 std::to_string(cols) + " matrix (row by row)");
            json r = json::array();
            for (std::uint64_t i = 0; i < rows; ++i) {
                json row = json::array();
                for (std::uint64_t j = 0; j < cols; ++j) row.push_back(std::move(d[i * cols + j]));
                r.push_back(std::move(row));
            }
            d = std::move(r);
        }
        m["dense"] = std::move(d);
    }
    return m;
}

}  // namespace

MatrixEntries read_problem_matrix(const std::string& path) {
    if (ends_with(path, ".mtx")) return read_matrix_market(path);
    const json doc = read_json_document(path);
    MatrixEntries m;
    auto read = [&](const json& v, const std::string& where) {
        OperatorPtr op = matrix_from_json(network_spelling(v, path + ": " + where), path, where);
        if (m.rows == 0) {
            m.rows = op->rows();
            m.cols = op->cols();
        } else if (op->rows() != m.rows || op->cols() != m.cols) {
            throw ShapeError(path + ": " + where + ": " + std::to_string(op->rows()) + "x" + std::to_string(op->cols()) +
                             ", the real part is " + std::to_string(m.rows) + "x" + std::to_string(m.cols));
        }
        return entries_of(*op, path + ": " + where);
    };
    if (doc.is_object() && (doc.contains("real") || doc.contains("imag"))) {
        for (auto it = doc.begin(); it != doc.end(); ++it)
            if (it.key() != "real" && it.key() != "imag")
                throw ParseError(path + ": " + it.key() + ": unknown key (a complex matrix has \"real\" and \"imag\")");
        if (!doc.contains("real") || !doc.contains("imag"))
            throw ParseError(path + ": a complex matrix needs both \"real\" and \"imag\"");
        m.re = read(doc["real"], "real");
        m.im = read(doc["imag"], "imag");
        m.complex = true;
        return m;
    }
    m.re = read(doc, "(top level)");
    return m;
}

std::vector<Rational> read_problem_vector(const std::string& path, std::size_t n, bool complex) {
    std::vector<Rational> re, im;
    bool has_im = false;
    if (ends_with(path, ".mtx")) {
        MatrixEntries m = read_matrix_market(path);
        if (m.cols != 1) throw ShapeError(path + ": a vector needs one column, found " + std::to_string(m.cols));
        re.assign(m.rows, Rational());
        im.assign(m.rows, Rational());
        for (auto& e : m.re) re[e.row] += e.value;
        for (auto& e : m.im) im[e.row] += e.value;
        has_im = m.complex;
    } else {
        const std::string text = detail::read_text_file(path, market_limits::max_file_bytes);
        const auto first = text.find_first_not_of(" \t\r\n");
        if (first != std::string::npos && (text[first] == '[' || text[first] == '{')) {
            const json doc = read_json_document(path);
            if (doc.is_object() && doc.contains("data") && doc.size() == 1) {
                re = rationals_from_json(doc["data"], path, "data");
            } else if (doc.is_object()) {
                for (auto it = doc.begin(); it != doc.end(); ++it)
                    if (it.key() != "re" && it.key() != "im")
                        throw ParseError(path + ": " + it.key() + ": unknown key (expected \"re\" and \"im\")");
                if (!doc.contains("re")) throw ParseError(path + ": missing \"re\"");
                re = rationals_from_json(doc["re"], path, "re");
                if (doc.contains("im")) {
                    im = rationals_from_json(doc["im"], path, "im");
                    has_im = true;
                    if (im.size() != re.size())
                        throw ShapeError(path + ": \"im\" has " + std::to_string(im.size()) + " entries, \"re\" " +
                                         std::to_string(re.size()));
                }
            } else {
                re = rationals_from_json(doc, path, "(top level)");
            }
        } else {
            // plain text: rationals separated by commas or whitespace, with line numbers in errors
            std::size_t line = 1, i = 0;
            while (i < text.size()) {
                if (text[i] == '\n') ++line;
                if (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == ',') {
                    ++i;
                    continue;
                }
                std::size_t j = i;
                while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])) && text[j] != ',') ++j;
                try {
                    re.push_back(parse_rational(std::string_view(text).substr(i, j - i)));
                } catch (const Error& e) {
                    throw ParseError(path + ":" + std::to_string(line) + ": " + e.what());
                }
                if (re.size() > market_limits::max_entries) throw ResourceError(path + ": more than " + std::to_string(market_limits::max_entries) + " values");
                i = j;
            }
        }
        if (!has_im) im.assign(re.size(), Rational());
    }
    if (re.size() != n)
        throw ShapeError(path + ": " + std::to_string(re.size()) + " entries, the matrix has " + std::to_string(n) + " rows");
    if (has_im && !complex && std::any_of(im.begin(), im.end(), [](const Rational& v) { return !v.is_zero(); }))
        throw DomainError(path + ": complex measurements for a real matrix");
    if (complex) re.insert(re.end(), im.begin(), im.end());
    return re;
}

std::vector<SparseEntry> real_form(const MatrixEntries& a, std::size_t& rows, std::size_t& cols) {
    rows = a.rows;
    cols = a.cols;
    if (!a.complex) return a.re;
    std::vector<SparseEntry> e;
    e.reserve(2 * (a.re.size() + a.im.size()));
    for (auto& x : a.re) {
        e.push_back({x.row, x.col, x.value});
        e.push_back({a.rows + x.row, a.cols + x.col, x.value});
    }
    for (auto& x : a.im) {
        e.push_back({x.row, a.cols + x.col, -x.value});
        e.push_back({a.rows + x.row, x.col, x.value});
    }
    rows *= 2;
    cols *= 2;
    return e;
}

CsProblem make_user_problem(std::vector<SparseEntry> a, std::size_t rows, std::size_t cols, bool complex, const Rational& norm) {
    if (norm.sign() <= 0) throw DomainError("the matrix is zero: no step size and no problem to solve");
    if (complex && cols % 2) throw ShapeError("a complex problem's real form has an even number of columns");
    CsProblem pb;
    auto sp = std::make_shared<SparseMatrix>(rows, cols, std::move(a));
    if (2 * sp->stored_entries() >= rows * cols) {
        // mostly non-zero: the dense operator and its exact integer-row fast path
        std::vector<Rational> d(rows * cols);
        for (auto& e : sp->entries()) d[e.row * cols + e.col] = e.value;
        pb.A = std::make_shared<DenseMatrix>(rows, cols, std::move(d));
    } else {
        pb.A = sp;
    }
    std::vector<SparseEntry> id;
    for (std::size_t i = 0; i < cols; ++i) id.push_back({i, i, Rational(1)});
    pb.synthesis = std::make_shared<SparseMatrix>(cols, cols, std::move(id));
    pb.norm_A = norm;
    pb.complex = complex;
    return pb;
}

Rational primal_dual_step(const Rational& norm_upper) {
    if (norm_upper.sign() <= 0) throw DomainError("a step size needs a positive bound on ||A||");
    return Rational(9999, 10000) / norm_upper;
}

Ball sr_lasso_objective(const CsProblem& pb, const Rational& lambda, std::span<const Rational> y, std::span<const Ball> z,
                        long prec) {
    const BallArith ar{prec, false};
    std::vector<Ball> az(pb.A->rows());
    pb.A->apply(ar, z, az);
    if (y.size() != az.size()) throw ShapeError("sr_lasso_objective: y has " + std::to_string(y.size()) + " entries, A " + std::to_string(az.size()) + " rows");
    Ball r2, t;
    for (std::size_t i = 0; i < az.size(); ++i) {
        Ball yi(y[i], prec);
        arb_sub(t.get(), az[i].get(), yi.get(), prec);
        arb_addmul(r2.get(), t.get(), t.get(), prec);
    }
    Ball f;
    arb_sqrtpos(f.get(), r2.get(), prec);
    const std::size_t nc = pb.complex ? z.size() / 2 : z.size();
    Ball l1, m;
    for (std::size_t i = 0; i < nc; ++i) {
        if (pb.complex) {
            arb_mul(m.get(), z[i].get(), z[i].get(), prec);
            arb_addmul(m.get(), z[nc + i].get(), z[nc + i].get(), prec);
            arb_sqrtpos(m.get(), m.get(), prec);
        } else {
            arb_abs(m.get(), z[i].get());
        }
        if (!pb.weights.empty()) {
            Ball w(pb.weights[i], prec);
            arb_mul(m.get(), m.get(), w.get(), prec);
        }
        arb_add(l1.get(), l1.get(), m.get(), prec);
    }
    Ball lam(lambda, prec);
    arb_addmul(f.get(), lam.get(), l1.get(), prec);
    return f;
}

}  // namespace rigornet
