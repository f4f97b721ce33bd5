#include "rigornet/io/json_format.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <map>

#include <nlohmann/json.hpp>

#include "rigornet/linalg/structured.hpp"
#include "rigornet/linalg/transforms.hpp"
#include "rigornet/linalg/visit_operator.hpp"
#include "text_file.hpp"

namespace rigornet {

using nlohmann::json;
using namespace json_limits;

namespace {

std::string lowercase(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Case-insensitive Levenshtein distance, for "did you mean" in unknown-key errors.
std::size_t edit_distance(const std::string& key, const std::string& valid) {
    const std::string a = lowercase(key), b = lowercase(valid);
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

const std::string root = "(top level)";

std::string item(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string member(const std::string& path, const std::string& key) { return path == root ? key : path + "." + key; }

// An operator read from the document, with the number of operator nodes it has when
// every shared definition is expanded (what applying it or walking it costs).
struct ReadOp {
    OperatorPtr op;
    std::uint64_t expanded = 0;
};

// The JSON form of operator type T, both directions in one place (specialised below, one
// per type of RIGORNET_FOR_EACH_OPERATOR): `name` (the "operator" value, or "dense" /
// "sparse" for matrices, which have none: `structured` false), read, write, and parts
// (the operators its form refers to). There is no general definition: an operator type
// without its JSON form fails to compile in Writer::form and in the registry of readers.
template <class T>
struct JsonForm;

struct Reader {
    explicit Reader(std::string src) : source(std::move(src)) {}
    std::string source;
    std::map<std::string, ReadOp> refs;  // shared operator definitions ("operators")
    std::uint64_t bits = 0, bits_allowed = base_weight_bits;
    std::uint64_t unbacked = 0, expanded = 0;

    [[noreturn]] void fail(const std::string& path, const std::string& what) const {
        throw ParseError(source + ": " + path + ": " + what);
    }
    [[noreturn]] void refuse(const std::string& path, const std::string& what) const {
        throw ResourceError(source + ": " + path + ": " + what);
    }

    // Runs f (a constructor of the model), rethrowing its errors with the source and path.
    template <class F>
    auto at(const std::string& path, F&& f) const -> decltype(f()) {
        const std::string where = source + ": " + path + ": ";
        try {
            return f();
        } catch (const ParseError& e) {
            throw ParseError(where + e.what());
        } catch (const ShapeError& e) {
            throw ShapeError(where + e.what());
        } catch (const DomainError& e) {
            throw DomainError(where + e.what());
        } catch (const ResourceError& e) {
            throw ResourceError(where + e.what());
        }
    }

    // Refuses any key of the object `obj` outside `valid`, naming the closest valid key.
    void keys(const json& obj, const std::string& path, std::initializer_list<const char*> valid) const {
        if (!obj.is_object()) fail(path, "expected an object");
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            const std::string& k = it.key();
            if (std::any_of(valid.begin(), valid.end(), [&](const char* v) { return k == v; })) continue;
            // the names other formats give the affine parts (bias c, matrix A) are far
            // from ours in spelling: suggest those by name, the rest by edit distance
            static const std::map<std::string, std::string> aliases = {
                {"bias", "c"}, {"biases", "c"}, {"weight", "A"}, {"weights", "A"}};
            std::string best, list;
            std::size_t d = std::string::npos;
            for (const char* v : valid) {
                list += std::string(list.empty() ? "" : ", ") + v;
                if (edit_distance(k, v) < d) d = edit_distance(k, v), best = v;
            }
            if (auto a = aliases.find(lowercase(k)); a != aliases.end() &&
                std::any_of(valid.begin(), valid.end(), [&](const char* v) { return a->second == v; }))
                best = a->second;
            fail(member(path, k), "unknown key \"" + k + "\"; did you mean \"" + best + "\"? (valid here: " + list + ")");
        }
    }

    const json& field(const json& obj, const std::string& path, const char* key) const {
        if (!obj.is_object()) fail(path, "expected an object");
        auto it = obj.find(key);
        if (it == obj.end()) fail(path, std::string("missing field \"") + key + "\"");
        return *it;
    }

    std::string text(const json& obj, const std::string& path, const char* key) const {
        const json& v = field(obj, path, key);
        if (!v.is_string()) fail(member(path, key), "expected a string");
        return v.get<std::string>();
    }

    bool flag(const json& obj, const std::string& path, const char* key) const {
        auto it = obj.find(key);
        if (it == obj.end()) return false;
        if (!it->is_boolean()) fail(member(path, key), "expected true or false");
        return it->get<bool>();
    }

    // Counts `n` bits of exact rationals against the budget.
    void spend_bits(std::uint64_t n, const std::string& path) {
        bits += n;
        if (bits > bits_allowed)
            refuse(path, "the exact numbers read so far need " + std::to_string(bits) + " bits, over the budget of " +
                             std::to_string(bits_allowed) + " (" + std::to_string(base_weight_bits) + " plus " +
                             std::to_string(bits_per_literal_char) + " per character of number literals)");
    }

    // Counts `n` values allocated without data in the file against their budget.
    void spend_unbacked(std::uint64_t n, const std::string& path, const std::string& what) {
        unbacked += n;
        if (unbacked > max_unbacked_values)
            refuse(path, what + ": " + std::to_string(unbacked) + " values without data in the file, over the limit " +
                             std::to_string(max_unbacked_values));
    }

    Rational rational(const json& v, const std::string& path) {
        std::string digits;  // of a JSON integer
        std::string_view lit;
        if (v.is_string())
            lit = v.get_ref<const std::string&>();
        else if (v.is_number_integer())
            lit = digits = v.dump();
        else if (v.is_number_float())
            fail(path, "floating-point JSON number " + v.dump() +
                           " refused: write rationals as strings, e.g. \"0.1\" (read exactly as 1/10)");
        else
            fail(path, "expected a rational string such as \"-3/7\" or \"0.1\"");
        Rational r = at(path, [&] { return parse_rational(lit); });
        bits_allowed += bits_per_literal_char * lit.size();
        spend_bits(static_cast<std::uint64_t>(r.bits()), path);
        return r;
    }

    std::size_t index(const json& v, const std::string& path, std::uint64_t bound = max_dim) const {
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<long long>() >= 0))
            fail(path, "expected a non-negative integer");
        auto n = v.get<unsigned long long>();
        if (n > bound) refuse(path, std::to_string(n) + " exceeds the limit " + std::to_string(bound));
        return static_cast<std::size_t>(n);
    }

    std::vector<Rational> rationals(const json& v, const std::string& path) {
        if (!v.is_array()) fail(path, "expected an array of rationals");
        std::vector<Rational> out;
        out.reserve(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) out.push_back(rational(v[i], item(path, i)));
        return out;
    }

    std::vector<std::size_t> indices(const json& v, const std::string& path) const {
        if (!v.is_array()) fail(path, "expected an array of indices");
        std::vector<std::size_t> out;
        out.reserve(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) out.push_back(index(v[i], item(path, i)));
        return out;
    }

    // An index list: [i, ...] or {"ranges": [[begin, end], ...]} (begin < end; the
    // indices begin, …, end − 1 of each range, in order).
    IndexRanges index_set(const json& v, const std::string& path) const {
        if (v.is_array()) return IndexRanges(indices(v, path));
        keys(v, path, {"ranges"});
        const json& rs = field(v, path, "ranges");
        if (!rs.is_array()) fail(path + ".ranges", "expected a list of [begin, end] pairs");
        IndexRanges out;
        for (std::size_t k = 0; k < rs.size(); ++k) {
            const std::string rp = item(path + ".ranges", k);
            if (!rs[k].is_array() || rs[k].size() != 2) fail(rp, "expected [begin, end]");
            const std::size_t b = index(rs[k][0], item(rp, 0)), e = index(rs[k][1], item(rp, 1));
            if (e <= b) fail(rp, "expected begin < end");
            out.append(b, e);
        }
        return out;
    }

    // A bias: ["c_0", ...] or {"size": n, "runs": [[begin, end, "value"], ...]} (zero
    // outside the runs; runs disjoint).
    Bias bias(const json& v, const std::string& path) {
        if (v.is_array()) return Bias(rationals(v, path));
        keys(v, path, {"size", "runs"});
        const std::size_t n = index(field(v, path, "size"), path + ".size");
        const json& rs = field(v, path, "runs");
        if (!rs.is_array()) fail(path + ".runs", "expected a list of [begin, end, \"value\"] triples");
        std::vector<BiasRun> runs;
        for (std::size_t k = 0; k < rs.size(); ++k) {
            const std::string rp = item(path + ".runs", k);
            if (!rs[k].is_array() || rs[k].size() != 3) fail(rp, "expected [begin, end, \"value\"]");
            const std::size_t b = index(rs[k][0], item(rp, 0)), e = index(rs[k][1], item(rp, 1));
            runs.push_back({b, e, rational(rs[k][2], item(rp, 2))});
        }
        return at(path, [&] { return Bias::from_runs(n, std::move(runs)); });
    }

    // n (an expanded operator size, see ReadOp), refused beyond the limit.
    std::uint64_t expansion(std::uint64_t n, const std::string& path) const {
        if (n > max_expanded_operators)
            refuse(path, "expands to " + std::to_string(n) +
                             " operator applications when shared definitions are expanded (limit " +
                             std::to_string(max_expanded_operators) + ")");
        return n;
    }
    ReadOp node(OperatorPtr op, std::uint64_t parts, const std::string& path) const {
        return {std::move(op), expansion(1 + parts, path)};
    }

    // The "rows" and "cols" of a dense or sparse matrix, each at least 1.
    std::pair<std::size_t, std::size_t> matrix_size(const json& m, const std::string& path) const {
        std::size_t rows = index(field(m, path, "rows"), path + ".rows");
        std::size_t cols = index(field(m, path, "cols"), path + ".cols");
        if (rows == 0 || cols == 0) fail(path, "a matrix needs at least one row and one column");
        return {rows, cols};
    }

    // A matrix or operator: {"ref"}, {"operator", ...}, or {"rows", "cols", "dense"|"sparse"}.
    // `depth` counts the enclosing operators. Defined after the JSON forms.
    ReadOp matrix(const json& m, const std::string& path, int depth);

    // A structured operator without parts, built by make() (errors with the path).
    template <class F>
    ReadOp leaf(const std::string& path, F make) const {
        return node(at(path, [&] { return OperatorPtr(make()); }), 0, path);
    }

    Shape shape(const json& m, const std::string& path) const {
        const json& d = field(m, path, "shape");
        if (!d.is_array() || d.empty()) fail(path + ".shape", "expected a list of sides");
        std::vector<std::size_t> dims;
        for (std::size_t i = 0; i < d.size(); ++i) dims.push_back(index(d[i], item(path + ".shape", i), 1 << 24));
        return at(path + ".shape", [&] { return Shape(dims); });
    }

    Expr expr(const json& v, const std::string& path, int depth) {
        if (depth > max_depth) refuse(path, "gate expression nested deeper than " + std::to_string(max_depth));
        if (v.is_string() && v.get_ref<const std::string&>() == "u") return Expr::variable();
        if (v.is_string() && v.get_ref<const std::string&>() == "p") return Expr::parameter();
        if (v.is_string() || v.is_number()) return Expr::constant(rational(v, path));
        const std::string op = text(v, path, "op");
        if (op == "sqrt_theta")
            keys(v, path, {"op", "args", "theta"});
        else
            keys(v, path, {"op", "args"});
        const json& args = field(v, path, "args");
        if (!args.is_array()) fail(path + ".args", "expected an array");
        auto arg = [&](std::size_t i) { return expr(args[i], item(path + ".args", i), depth + 1); };
        auto need = [&](std::size_t n) {
            if (args.size() != n) fail(path + ".args", "\"" + op + "\" takes " + std::to_string(n) + " argument(s)");
        };
        static const std::pair<const char*, Expr::Op> binary[] = {
            {"add", Expr::Op::add}, {"sub", Expr::Op::sub}, {"mul", Expr::Op::mul},
            {"div", Expr::Op::div}, {"min", Expr::Op::min}, {"max", Expr::Op::max}};
        for (auto [name, o] : binary)
            if (op == name) {
                need(2);
                Expr a = arg(0);
                return Expr::binary(o, std::move(a), arg(1));
            }
        if (op == "neg") {
            need(1);
            return Expr::unary(Expr::Op::neg, arg(0));
        }
        if (op == "sqrt_theta") {
            need(1);
            Rational theta = rational(field(v, path, "theta"), path + ".theta");
            if (theta.sign() <= 0) fail(path + ".theta", "θ must be positive");
            return Expr::sqrt_theta(arg(0), theta);
        }
        fail(path + ".op", "expected one of add, sub, mul, div, min, max, neg, sqrt_theta");
    }

    // The operator of a layer, counted against the network's expanded-size budget.
    OperatorPtr layer_op(const json& m, const std::string& path) {
        ReadOp r = matrix(m, path, 0);
        expanded = expansion(expanded + r.expanded, path + " (with the layers before)");
        return r.op;
    }

    Layer layer(const json& l, const std::string& path) {
        const std::string t = text(l, path, "type");
        if (t == "affine") {
            keys(l, path, {"type", "A", "B", "c"});
            AffineLayer a;
            a.A = layer_op(field(l, path, "A"), path + ".A");
            if (l.contains("B") && !l["B"].is_null()) a.B = layer_op(l["B"], path + ".B");
            if (l.contains("c"))
                a.c = bias(l["c"], path + ".c");
            else {
                spend_unbacked(a.A->rows(), path, "default zero bias (no \"c\")");
                a.c = Bias(a.A->rows());
            }
            return a;
        }
        if (t == "elementwise") {
            ElementwiseLayer e;
            const std::string f = text(l, path, "function");
            if (f == "relu" || f == "square")
                keys(l, path, {"type", "function", "indices"});
            else if (f == "sqrt_theta")
                keys(l, path, {"type", "function", "indices", "theta"});
            else if (f == "soft_threshold")
                keys(l, path, {"type", "function", "indices", "t"});
            else
                fail(path + ".function", "expected relu, square, sqrt_theta or soft_threshold");
            if (f == "relu") e.fn = Scalar::relu;
            else if (f == "square") e.fn = Scalar::square;
            else if (f == "sqrt_theta") {
                e.fn = Scalar::sqrt_theta;
                e.param = rational(field(l, path, "theta"), path + ".theta");
                if (e.param.sign() <= 0) fail(path + ".theta", "θ must be positive");
            } else {
                e.fn = Scalar::soft_threshold;
                e.param = rational(field(l, path, "t"), path + ".t");
            }
            if (l.contains("indices")) e.indices = index_set(l["indices"], path + ".indices");
            return e;
        }
        if (t == "gate") {
            keys(l, path, {"type", "gates"});
            const json& gs = field(l, path, "gates");
            if (!gs.is_array()) fail(path + ".gates", "expected an array");
            GateLayer g;
            for (std::size_t i = 0; i < gs.size(); ++i) {
                std::string gp = item(path + ".gates", i);
                keys(gs[i], gp, {"control", "targets", "f", "count", "params"});
                const std::size_t control = index(field(gs[i], gp, "control"), gp + ".control");
                auto targets = index_set(field(gs[i], gp, "targets"), gp + ".targets");
                Gate gate{control, std::move(targets), expr(field(gs[i], gp, "f"), gp + ".f", 0)};
                if (gs[i].contains("count")) {
                    gate.count = index(gs[i]["count"], gp + ".count");
                    if (gate.count == 0) fail(gp + ".count", "expected at least 1");
                }
                if (gs[i].contains("params")) gate.params = bias(gs[i]["params"], gp + ".params");
                g.gates.push_back(std::move(gate));
            }
            return g;
        }
        fail(path + ".type", "expected \"affine\", \"elementwise\" or \"gate\"");
    }
};

json rational_json(const Rational& r) { return r.str(); }

json rationals_json(const std::vector<Rational>& v) {
    json a = json::array();
    for (const Rational& r : v) a.push_back(rational_json(r));
    return a;
}

// A bias as its list of entries, or by runs when that is much shorter.
json bias_json(const Bias& c) {
    if (3 * c.stored_runs() >= c.size()) return rationals_json(c.dense());
    json runs = json::array();
    c.for_each_run([&](std::size_t b, std::size_t e, const Rational& v) {
        runs.push_back(json::array({b, e, rational_json(v)}));
    });
    return {{"size", c.size()}, {"runs", std::move(runs)}};
}

// An index list as its indices, or by ranges when that is much shorter.
json index_set_json(const IndexRanges& s) {
    if (2 * s.runs().size() >= s.size()) return s.list();
    json ranges = json::array();
    for (const auto& r : s.runs()) ranges.push_back(json::array({r.begin, r.end}));
    return {{"ranges", std::move(ranges)}};
}

// Writes operators. An operator referenced from more than one place (layers and
// enclosing operators, counted by count() before writing) is defined once in `defs`
// (top-level "operators", after the definitions it refers to) and referenced by name:
// the measurement map of an unrolled solver is written once, and a DAG of shared
// definitions stays linear in size.
struct Writer {
    json defs = json::object();
    std::map<const LinearOperator*, std::size_t> uses;
    std::map<const LinearOperator*, std::string> names;

    // Counts a reference to p and, on the first, the references p makes (each
    // operator's parts are visited once: linear in the number of distinct operators).
    void count(const OperatorPtr& p);  // defined after the forms

    json op(const OperatorPtr& p) {
        if (auto it = names.find(p.get()); it != names.end()) return {{"ref", it->second}};
        json m = form(*p);
        if (uses[p.get()] < 2) return m;
        std::string name = "op" + std::to_string(names.size());
        names[p.get()] = name;
        defs[name] = std::move(m);
        return {{"ref", name}};
    }

    // The operator's own JSON form. Defined after the forms.
    json form(const LinearOperator& o);
};

json shape_json(const Shape& s) { return s.dims; }

using Parts = std::vector<OperatorPtr>;

template <>
struct JsonForm<DenseMatrix> {
    static constexpr const char* name = "dense";
    static constexpr bool structured = false;
    static ReadOp read(Reader& rd, const json& m, const std::string& path, int) {
        rd.keys(m, path, {"rows", "cols", "dense"});
        const auto [rows, cols] = rd.matrix_size(m, path);
        const json& d = rd.field(m, path, "dense");
        if (!d.is_array() || d.size() != rows) rd.fail(path + ".dense", "expected " + std::to_string(rows) + " rows");
        for (std::size_t i = 0; i < rows; ++i)  // every row is present before rows·cols are reserved
            if (!d[i].is_array() || d[i].size() != cols)
                rd.fail(item(path + ".dense", i), "expected a row of " + std::to_string(cols) + " rationals");
        std::vector<Rational> e;
        e.reserve(rows * cols);
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) e.push_back(rd.rational(d[i][j], item(item(path + ".dense", i), j)));
        return rd.leaf(path, [&] { return std::make_shared<DenseMatrix>(rows, cols, std::move(e)); });
    }
    static json write(Writer&, const DenseMatrix& d) {
        json rows = json::array();
        for (std::size_t i = 0; i < d.rows(); ++i) {
            json row = json::array();
            for (std::size_t j = 0; j < d.cols(); ++j) row.push_back(rational_json(d.at(i, j)));
            rows.push_back(std::move(row));
        }
        return {{"rows", d.rows()}, {"cols", d.cols()}, {"dense", std::move(rows)}};
    }
    static Parts parts(const DenseMatrix&) { return {}; }
};

template <>
struct JsonForm<SparseMatrix> {
    static constexpr const char* name = "sparse";
    static constexpr bool structured = false;
    static ReadOp read(Reader& rd, const json& m, const std::string& path, int) {
        rd.keys(m, path, {"rows", "cols", "sparse"});
        const auto [rows, cols] = rd.matrix_size(m, path);
        const json& s = m["sparse"];
        if (!s.is_array()) rd.fail(path + ".sparse", "expected an array of [row, col, \"value\"] triples");
        rd.spend_unbacked(rows + 1, path + ".rows", "the row table of a sparse matrix");
        std::vector<SparseEntry> e;
        e.reserve(s.size());
        for (std::size_t k = 0; k < s.size(); ++k) {
            std::string ep = item(path + ".sparse", k);
            if (!s[k].is_array() || s[k].size() != 3) rd.fail(ep, "expected [row, col, \"value\"]");
            e.push_back({rd.index(s[k][0], item(ep, 0)), rd.index(s[k][1], item(ep, 1)), rd.rational(s[k][2], item(ep, 2))});
        }
        return rd.leaf(path, [&] { return std::make_shared<SparseMatrix>(rows, cols, std::move(e)); });
    }
    static json write(Writer&, const SparseMatrix& s) {
        json e = json::array();
        for (const SparseEntry& x : s.entries()) e.push_back(json::array({x.row, x.col, rational_json(x.value)}));
        return {{"rows", s.rows()}, {"cols", s.cols()}, {"sparse", std::move(e)}};
    }
    static Parts parts(const SparseMatrix&) { return {}; }
};

template <>
struct JsonForm<WalshHadamard> {
    static constexpr const char* name = "walsh";
    static constexpr bool structured = true;
    static ReadOp read(Reader& rd, const json& m, const std::string& path, int) {
        rd.keys(m, path, {"operator", "shape", "order"});
        const std::string order = m.contains("order") ? rd.text(m, path, "order") : "sequency";
        if (order != "sequency" && order != "natural") rd.fail(path + ".order", "expected sequency or natural");
        Shape s = rd.shape(m, path);
        return rd.leaf(path, [&] {
            return std::make_shared<WalshHadamard>(s, order == "natural" ? WalshOrder::natural : WalshOrder::sequency);
        });
    }
    static json write(Writer&, const WalshHadamard& w) {
        return {{"operator", name}, {"shape", shape_json(w.shape())},
                {"order", w.order() == WalshOrder::natural ? "natural" : "sequency"}};
    }
    static Parts parts(const WalshHadamard&) { return {}; }
};

template <>
struct JsonForm<Haar> {
    static constexpr const char* name = "haar";
    static constexpr bool structured = true;
    static ReadOp read(Reader& rd, const json& m, const std::string& path, int) {
        rd.keys(m, path, {"operator", "shape", "levels"});
        Shape s = rd.shape(m, path);
        const int levels = static_cast<int>(rd.index(rd.field(m, path, "levels"), path + ".levels", 64));
        return rd.leaf(path, [&] { return std::make_shared<Haar>(s, levels); });
    }
    static json write(Writer&, const Haar& h) {
        return {{"operator", name}, {"shape", shape_json(h.shape())}, {"levels", h.levels()}};
    }
    static Parts parts(const Haar&) { return {}; }
};

template <>
struct JsonForm<Subsample> {
    static constexpr const char* name = "subsample";
    static constexpr bool structured = true;
    static ReadOp read(Reader& rd, const json& m, const std::string& path, int) {
        rd.keys(m, path, {"operator", "n", "omega"});
        const std::size_t n = rd.index(rd.field(m, path, "n"), path + ".n");
        auto omega = rd.indices(rd.field(m, path, "omega"), path + ".omega");
        return rd.leaf(path, [&] { return std::make_shared<Subsample>(n, std::move(omega)); });
    }
    static json write(Writer&, const Subsample& s) {
        return {{"operator", name}, {"n", s.cols()}, {"omega", s.omega()}};
    }
    static Parts parts(const Subsample&) { return {}; }
};

template <>
struct JsonForm<FourierSampling> {
    static constexpr const char* name = "fourier";
    static constexpr bool structured = true;
    static ReadOp read(Reader& rd, const json& m, const std::string& path, int) {
        rd.keys(m, path, {"operator", "shape", "omega", "complex"});
        Shape s = rd.shape(m, path);
        auto omega = rd.indices(rd.field(m, path, "omega"), path + ".omega");
        const bool complex = rd.flag(m, path, "complex");
        return rd.leaf(path, [&] { return std::make_shared<FourierSampling>(s, std::move(omega), complex); });
    }
    static json write(Writer&, const FourierSampling& f) {
        return {{"operator", name}, {"shape", shape_json(f.shape())}, {"omega", f.omega()}, {"complex", f.complex_input()}};
    }
    static Parts parts(const FourierSampling&) { return {}; }
};

template <>
struct JsonForm<FourierSamplingRational> {
    static constexpr const char* name = "fourier-rational";
    static constexpr bool structured = true;
    static ReadOp read(Reader& rd, const json& m, const std::string& path, int) {
        rd.keys(m, path, {"operator", "shape", "omega", "accuracy", "complex"});
        Shape s = rd.shape(m, path);
        auto omega = rd.indices(rd.field(m, path, "omega"), path + ".omega");
        const long acc =
            static_cast<long>(rd.index(rd.field(m, path, "accuracy"), path + ".accuracy", max_fourier_accuracy));
        if (acc == 0) rd.fail(path + ".accuracy", "expected 1 to " + std::to_string(max_fourier_accuracy) + " bits");
        const bool complex = rd.flag(m, path, "complex");
        // n/2 twiddles per side, cosine and sine, each of about accuracy + log2 N bits
        std::uint64_t twiddle_bits = 0;
        for (std::size_t n : s.dims) twiddle_bits += n * static_cast<std::uint64_t>(acc + 64);
        rd.spend_bits(twiddle_bits, path + ".accuracy");
        return rd.leaf(path, [&] { return std::make_shared<FourierSamplingRational>(s, std::move(omega), acc, complex); });
    }
    static json write(Writer&, const FourierSamplingRational& f) {
        return {{"operator", name}, {"shape", shape_json(f.shape())}, {"omega", f.omega()},
                {"accuracy", f.accuracy()}, {"complex", f.complex_input()}};
    }
    static Parts parts(const FourierSamplingRational&) { return {}; }
};

template <>
struct JsonForm<AdjointView> {
    static constexpr const char* name = "adjoint";
    static constexpr bool structured = true;
    static ReadOp read(Reader& rd, const json& m, const std::string& path, int depth) {
        rd.keys(m, path, {"operator", "of"});
        ReadOp of = rd.matrix(rd.field(m, path, "of"), path + ".of", depth + 1);
        return rd.node(std::make_shared<AdjointView>(of.op), of.expanded, path);
    }
    static json write(Writer& w, const AdjointView& a) { return {{"operator", name}, {"of", w.op(a.inner())}}; }
    static Parts parts(const AdjointView& a) { return {a.inner()}; }
};

template <>
struct JsonForm<Composition> {
    static constexpr const char* name = "composition";
    static constexpr bool structured = true;
    static ReadOp read(Reader& rd, const json& m, const std::string& path, int depth) {
        rd.keys(m, path, {"operator", "factors"});
        const json& f = rd.field(m, path, "factors");
        if (!f.is_array() || f.empty()) rd.fail(path + ".factors", "expected a non-empty list of operators");
        std::vector<OperatorPtr> ops;
        std::uint64_t parts = 0;
        for (std::size_t i = 0; i < f.size(); ++i) {
            ReadOp r = rd.matrix(f[i], item(path + ".factors", i), depth + 1);
            ops.push_back(r.op);
            parts = rd.expansion(parts + r.expanded, path);
        }
        return rd.node(rd.at(path, [&] { return OperatorPtr(std::make_shared<Composition>(std::move(ops))); }), parts,
                       path);
    }
    static json write(Writer& w, const Composition& c) {
        json fs = json::array();
        for (auto& f : c.factors()) fs.push_back(w.op(f));
        return {{"operator", name}, {"factors", std::move(fs)}};
    }
    static Parts parts(const Composition& c) { return c.factors(); }
};

template <>
struct JsonForm<BlockOperator> {
    static constexpr const char* name = "block";
    static constexpr bool structured = true;
    static ReadOp read(Reader& rd, const json& m, const std::string& path, int depth) {
        rd.keys(m, path, {"operator", "rows", "cols", "blocks"});
        const std::size_t rows = rd.index(rd.field(m, path, "rows"), path + ".rows");
        const std::size_t cols = rd.index(rd.field(m, path, "cols"), path + ".cols");
        const json& bs = rd.field(m, path, "blocks");
        if (!bs.is_array()) rd.fail(path + ".blocks", "expected a list of blocks");
        std::vector<Block> blocks;
        std::uint64_t parts = 0;
        for (std::size_t k = 0; k < bs.size(); ++k) {
            const std::string bp = item(path + ".blocks", k);
            rd.keys(bs[k], bp, {"out", "in", "op", "identity"});
            Block b;
            b.out_rows = rd.indices(rd.field(bs[k], bp, "out"), bp + ".out");
            const json& in = rd.field(bs[k], bp, "in");
            if (!in.is_array()) rd.fail(bp + ".in", "expected a list of [column, \"coefficient\"] pairs");
            for (std::size_t i = 0; i < in.size(); ++i) {
                const std::string ip = item(bp + ".in", i);
                if (!in[i].is_array() || in[i].size() != 2) rd.fail(ip, "expected [column, \"coefficient\"]");
                b.in.push_back({rd.index(in[i][0], item(ip, 0)), rd.rational(in[i][1], item(ip, 1))});
            }
            const bool has_op = bs[k].contains("op") && !bs[k]["op"].is_null();
            if (has_op == bs[k].contains("identity")) rd.fail(bp, "expected exactly one of \"op\" and \"identity\"");
            if (has_op) {
                ReadOp r = rd.matrix(bs[k]["op"], bp + ".op", depth + 1);
                b.op = r.op;
                parts = rd.expansion(parts + r.expanded, path);
            } else
                b.identity = rd.index(bs[k]["identity"], bp + ".identity");
            blocks.push_back(std::move(b));
        }
        return rd.node(
            rd.at(path, [&] { return OperatorPtr(std::make_shared<BlockOperator>(rows, cols, std::move(blocks))); }),
            parts, path);
    }
    static json write(Writer& w, const BlockOperator& b) {
        json bl = json::array();
        for (const Block& k : b.blocks()) {
            json in = json::array();
            for (auto& [c, v] : k.in) in.push_back(json::array({c, rational_json(v)}));
            json j = {{"out", k.out_rows}, {"in", std::move(in)}};
            if (k.op)
                j["op"] = w.op(k.op);
            else
                j["identity"] = k.identity;
            bl.push_back(std::move(j));
        }
        return {{"operator", name}, {"rows", b.rows()}, {"cols", b.cols()}, {"blocks", std::move(bl)}};
    }
    static Parts parts(const BlockOperator& b) {
        Parts ps;
        for (const Block& k : b.blocks())
            if (k.op) ps.push_back(k.op);
        return ps;
    }
};

// The readers of the structured operators, keyed by their "operator" name, in the order
// of RIGORNET_FOR_EACH_OPERATOR.
using ReadForm = ReadOp (*)(Reader&, const json&, const std::string&, int);
const std::vector<std::pair<std::string, ReadForm>>& structured_readers() {
    static const std::vector<std::pair<std::string, ReadForm>> readers = [] {
        std::vector<std::pair<std::string, ReadForm>> r;
#define RIGORNET_REGISTER_FORM(T) \
    if (JsonForm<T>::structured) r.push_back({JsonForm<T>::name, &JsonForm<T>::read});
        RIGORNET_FOR_EACH_OPERATOR(RIGORNET_REGISTER_FORM)
#undef RIGORNET_REGISTER_FORM
        return r;
    }();
    return readers;
}

ReadOp Reader::matrix(const json& m, const std::string& path, int depth) {
    if (depth > max_depth) refuse(path, "operators nested deeper than " + std::to_string(max_depth));
    if (m.is_object() && m.contains("ref")) {
        keys(m, path, {"ref"});
        auto it = m["ref"].is_string() ? refs.find(m["ref"].get<std::string>()) : refs.end();
        if (it == refs.end()) fail(path + ".ref", "no operator of that name in \"operators\" (defined before use)");
        return it->second;
    }
    if (m.is_object() && m.contains("operator")) {  // structured operators (docs/formats.md)
        const std::string kind = text(m, path, "operator");
        const auto& readers = structured_readers();
        std::string names;
        for (std::size_t i = 0; i < readers.size(); ++i) {
            if (readers[i].first == kind) return readers[i].second(*this, m, path, depth);
            names += (i == 0 ? "" : i + 1 == readers.size() ? " or " : ", ") + readers[i].first;
        }
        fail(path + ".operator", "expected " + names);
    }
    if (m.is_object() && m.contains("sparse") && m.contains("dense"))
        fail(path, "expected \"dense\" or \"sparse\" entries, not both");
    if (m.is_object() && m.contains("sparse")) return JsonForm<SparseMatrix>::read(*this, m, path, depth);
    return JsonForm<DenseMatrix>::read(*this, m, path, depth);
}

void Writer::count(const OperatorPtr& p) {
    if (uses[p.get()]++ == 0)
        for (const OperatorPtr& q :
             visit_operator<Parts>(*p, [](const auto& o) { return JsonForm<std::decay_t<decltype(o)>>::parts(o); }))
            count(q);
}

json Writer::form(const LinearOperator& o) {
    return visit_operator<json>(o, [&](const auto& x) { return JsonForm<std::decay_t<decltype(x)>>::write(*this, x); });
}

json expr_json(const Expr& e) {
    using Op = Expr::Op;
    switch (e.op) {
        case Op::var: return "u";
        case Op::param: return "p";
        case Op::constant: return rational_json(e.value.exact());
        default: break;
    }
    static const char* names[] = {"constant", "var", "neg", "add", "sub", "mul", "div", "min", "max", "sqrt_theta"};
    json j = {{"op", names[static_cast<int>(e.op)]}, {"args", json::array()}};
    for (const Expr& a : e.args) j["args"].push_back(expr_json(a));
    if (e.op == Op::sqrt_theta) j["theta"] = rational_json(e.value.exact());
    return j;
}

// The JSON path the parser has reached, followed through its callback events, so that
// a syntax error or a number beyond binary64 names where it is.
struct ParsePosition {
    struct Level {
        bool array;
        std::size_t index = 0;
        std::string key;
    };
    std::vector<Level> levels;

    bool on(json::parse_event_t ev, const json& parsed) {
        using E = json::parse_event_t;
        switch (ev) {
            case E::object_start: levels.push_back({false, 0, {}}); break;
            case E::array_start: levels.push_back({true, 0, {}}); break;
            case E::key: levels.back().key = parsed.get<std::string>(); break;
            case E::object_end:
            case E::array_end:
                levels.pop_back();
                [[fallthrough]];
            case E::value:
                if (!levels.empty() && levels.back().array) ++levels.back().index;
                break;
        }
        return true;
    }

    std::string path() const {
        std::string p;
        for (const Level& l : levels)
            if (l.array)
                p = item(p, l.index);
            else if (!l.key.empty())
                p += (p.empty() ? "" : ".") + l.key;
        return p.empty() ? root : p;
    }
};

}  // namespace

Network network_from_json(const json& doc, const std::string& source) {
    Reader rd{source};
    rd.keys(doc, root, {"format", "version", "input_dim", "operators", "layers"});
    if (doc.contains("format") && doc["format"] != "rigornet-network")
        rd.fail("format", "expected \"rigornet-network\"");
    if (doc.contains("version") && doc["version"] != 1) rd.fail("version", "only version 1 is known");
    const std::size_t input_dim = rd.index(rd.field(doc, root, "input_dim"), "input_dim");
    Network net = rd.at("input_dim", [&] { return Network(input_dim); });
    if (doc.contains("operators")) {  // named definitions, each may refer to earlier ones
        const json& ops = doc["operators"];
        if (!ops.is_object()) rd.fail("operators", "expected an object of named operators");
        // definitions are written op0, op1, …: read them in the order of their numbers
        std::vector<std::pair<std::string, const json*>> order;
        for (auto it = ops.begin(); it != ops.end(); ++it) order.push_back({it.key(), &it.value()});
        std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) {
            return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
        });
        for (auto& [name, def] : order) rd.refs[name] = rd.matrix(*def, "operators." + name, 0);
    }
    const json& layers = rd.field(doc, root, "layers");
    if (!layers.is_array()) rd.fail("layers", "expected an array");
    for (std::size_t i = 0; i < layers.size(); ++i) {
        Layer l = rd.layer(layers[i], item("layers", i));
        rd.at(item("layers", i), [&] { net.add(std::move(l)); });
    }
    return net;
}

json read_json_document(const std::string& path) {
    const std::string text = detail::read_text_file(path, max_file_bytes);
    ParsePosition at;
    try {
        return json::parse(text, [&](int, json::parse_event_t ev, json& parsed) { return at.on(ev, parsed); });
    } catch (const json::exception& e) {
        throw ParseError(path + ": " + at.path() + ": not valid JSON: " + e.what());
    }
}

Network read_network_json(const std::string& path) { return network_from_json(read_json_document(path), path); }

OperatorPtr matrix_from_json(const json& m, const std::string& source, const std::string& path) {
    Reader rd{source};
    return rd.matrix(m, path, 0).op;
}

std::vector<Rational> rationals_from_json(const json& v, const std::string& source, const std::string& path) {
    Reader rd{source};
    return rd.rationals(v, path);
}

json network_to_json(const Network& net) {
    Writer w;
    for (const Layer& l : net.layers())  // only affine layers hold operators
        visit_layer(
            l,
            [&](const AffineLayer& a) {
                w.count(a.A);
                if (a.B) w.count(a.B);
            },
            [](const ElementwiseLayer&) {}, [](const GateLayer&) {});
    json layers = json::array();
    for (const Layer& l : net.layers())
        layers.push_back(visit_layer(
            l,
            [&](const AffineLayer& a) {
                json j = {{"type", "affine"}, {"A", w.op(a.A)}, {"c", bias_json(a.c)}};
                if (a.B) j["B"] = w.op(a.B);
                return j;
            },
            [](const ElementwiseLayer& e) {
                json j = {{"type", "elementwise"}, {"function", scalar_name(e.fn)}};
                if (e.fn == Scalar::sqrt_theta) j["theta"] = rational_json(e.param);
                if (e.fn == Scalar::soft_threshold) j["t"] = rational_json(e.param);
                if (e.indices) j["indices"] = index_set_json(*e.indices);
                return j;
            },
            [](const GateLayer& g) {
                json gates = json::array();
                for (const Gate& x : g.gates) {
                    json gj = {{"control", x.control}, {"targets", index_set_json(x.targets)}, {"f", expr_json(x.f)}};
                    if (x.count != 1) gj["count"] = x.count;
                    if (x.params.size() != 0) gj["params"] = bias_json(x.params);
                    gates.push_back(std::move(gj));
                }
                return json{{"type", "gate"}, {"gates", std::move(gates)}};
            }));
    json doc = {{"format", "rigornet-network"}, {"version", 1}, {"input_dim", net.input_dim()}};
    if (!w.defs.empty()) doc["operators"] = std::move(w.defs);
    doc["layers"] = std::move(layers);
    return doc;
}

void write_network_json(const Network& net, std::ostream& out) {
    // one line per top-level field, per operator definition and per layer: readable
    // and diffable, without indenting every number of a bias onto a line of its own
    const json doc = network_to_json(net);
    std::string text = "{";
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        text += std::string(it == doc.begin() ? "" : ",") + "\n  " + json(it.key()).dump() + ": ";
        if (!it->is_structured() || it->empty()) {
            text += it->dump();
            continue;
        }
        text += it->is_array() ? "[" : "{";
        for (auto e = it->begin(); e != it->end(); ++e)
            text += std::string(e == it->begin() ? "" : ",") + "\n    " +
                    (it->is_object() ? json(e.key()).dump() + ": " : "") + e->dump();
        text += it->is_array() ? "\n  ]" : "\n  }";
    }
    text += "\n}\n";
    if (text.size() > max_file_bytes)
        throw ResourceError("the JSON network would be " + std::to_string(text.size()) +
                            " bytes, over the " + std::to_string(max_file_bytes) + " that the reader accepts");
    out << text;
}

}  // namespace rigornet
