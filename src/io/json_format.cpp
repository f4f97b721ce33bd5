#include "rigornet/json_format.hpp"


#include <nlohmann/json.hpp>

#include "text_file.hpp"

namespace rigornet {

using nlohmann::json;

namespace {

constexpr std::size_t max_dim = 10000000;  // 10^7: refuse absurd declared sizes
constexpr int max_expr_depth = 200;

struct Reader {
    std::string source;

    [[noreturn]] void fail(const std::string& path, const std::string& what) const {
        throw ParseError(source + ": " + path + ": " + what);
    }

    const json& field(const json& obj, const std::string& path, const char* key) const {
        if (!obj.is_object()) fail(path, "expected an object");
        auto it = obj.find(key);
        if (it == obj.end()) fail(path, std::string("missing field \"") + key + "\"");
        return *it;
    }

    Rational rational(const json& v, const std::string& path) const {
        if (v.is_string()) {
            try {
                return parse_rational(v.get_ref<const std::string&>());
            } catch (const ParseError& e) {
                fail(path, e.what());
            }
        }
        if (v.is_number_integer()) return parse_rational(v.dump());
        if (v.is_number_float())
            fail(path, "floating-point JSON number " + v.dump() +
                           " refused: write rationals as strings, e.g. \"0.1\" (read exactly as 1/10)");
        fail(path, "expected a rational string such as \"-3/7\" or \"0.1\"");
    }

    std::size_t index(const json& v, const std::string& path, std::size_t bound = max_dim) const {
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<long long>() >= 0))
            fail(path, "expected a non-negative integer");
        auto n = v.get<unsigned long long>();
        if (n > bound) throw ResourceError(source + ": " + path + ": " + std::to_string(n) + " exceeds the limit " + std::to_string(bound));
        return static_cast<std::size_t>(n);
    }

    std::vector<Rational> rationals(const json& v, const std::string& path) const {
        if (!v.is_array()) fail(path, "expected an array of rationals");
        std::vector<Rational> out;
        out.reserve(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) out.push_back(rational(v[i], path + "[" + std::to_string(i) + "]"));
        return out;
    }

    std::vector<std::size_t> indices(const json& v, const std::string& path) const {
        if (!v.is_array()) fail(path, "expected an array of indices");
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < v.size(); ++i) out.push_back(index(v[i], path + "[" + std::to_string(i) + "]"));
        return out;
    }

    std::shared_ptr<const LinearOperator> matrix(const json& m, const std::string& path) const {
        std::size_t rows = index(field(m, path, "rows"), path + ".rows");
        std::size_t cols = index(field(m, path, "cols"), path + ".cols");
        if (rows == 0 || cols == 0) fail(path, "a matrix needs at least one row and one column");
        if (m.contains("dense")) {
            const json& d = m["dense"];
            if (!d.is_array() || d.size() != rows)
                fail(path + ".dense", "expected " + std::to_string(rows) + " rows");
            std::vector<Rational> e;
            e.reserve(rows * cols);
            for (std::size_t i = 0; i < rows; ++i) {
                std::string rp = path + ".dense[" + std::to_string(i) + "]";
                if (!d[i].is_array() || d[i].size() != cols)
                    fail(rp, "expected a row of " + std::to_string(cols) + " rationals");
                for (std::size_t j = 0; j < cols; ++j) e.push_back(rational(d[i][j], rp + "[" + std::to_string(j) + "]"));
            }
            return std::make_shared<DenseMatrix>(rows, cols, std::move(e));
        }
        if (m.contains("sparse")) {
            const json& s = m["sparse"];
            if (!s.is_array()) fail(path + ".sparse", "expected an array of [row, col, \"value\"] triples");
            std::vector<SparseEntry> e;
            for (std::size_t k = 0; k < s.size(); ++k) {
                std::string ep = path + ".sparse[" + std::to_string(k) + "]";
                if (!s[k].is_array() || s[k].size() != 3) fail(ep, "expected [row, col, \"value\"]");
                e.push_back({index(s[k][0], ep + "[0]"), index(s[k][1], ep + "[1]"), rational(s[k][2], ep + "[2]")});
            }
            try {
                return std::make_shared<SparseMatrix>(rows, cols, std::move(e));
            } catch (const ShapeError& err) {
                fail(path, err.what());
            }
        }
        fail(path, "expected \"dense\" or \"sparse\" entries");
    }

    Expr expr(const json& v, const std::string& path, int depth) const {
        if (depth > max_expr_depth) throw ResourceError(source + ": " + path + ": gate expression nested deeper than " + std::to_string(max_expr_depth));
        if (v.is_string() && v.get_ref<const std::string&>() == "u") return Expr::variable();
        if (v.is_string() || v.is_number()) return Expr::constant(rational(v, path));
        const std::string op = field(v, path, "op").is_string() ? v["op"].get<std::string>() : "";
        const json& args = field(v, path, "args");
        if (!args.is_array()) fail(path + ".args", "expected an array");
        auto arg = [&](std::size_t i) { return expr(args[i], path + ".args[" + std::to_string(i) + "]", depth + 1); };
        auto need = [&](std::size_t n) {
            if (args.size() != n) fail(path + ".args", "\"" + op + "\" takes " + std::to_string(n) + " argument(s)");
        };
        static const std::pair<const char*, Expr::Op> binary[] = {
            {"add", Expr::Op::add}, {"sub", Expr::Op::sub}, {"mul", Expr::Op::mul},
            {"div", Expr::Op::div}, {"min", Expr::Op::min}, {"max", Expr::Op::max}};
        for (auto [name, o] : binary)
            if (op == name) {
                need(2);
                return Expr::binary(o, arg(0), arg(1));
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

    Layer layer(const json& l, const std::string& path) const {
        const json& type = field(l, path, "type");
        const std::string t = type.is_string() ? type.get<std::string>() : "";
        if (t == "affine") {
            AffineLayer a;
            a.A = matrix(field(l, path, "A"), path + ".A");
            if (l.contains("B") && !l["B"].is_null()) a.B = matrix(l["B"], path + ".B");
            a.c = l.contains("c") ? rationals(l["c"], path + ".c") : std::vector<Rational>(a.A->rows());
            return a;
        }
        if (t == "elementwise") {
            ElementwiseLayer e;
            const json& fn = field(l, path, "function");
            const std::string f = fn.is_string() ? fn.get<std::string>() : "";
            if (f == "relu") e.fn = Scalar::relu;
            else if (f == "square") e.fn = Scalar::square;
            else if (f == "sqrt_theta") {
                e.fn = Scalar::sqrt_theta;
                e.param = rational(field(l, path, "theta"), path + ".theta");
                if (e.param.sign() <= 0) fail(path + ".theta", "θ must be positive");
            } else if (f == "soft_threshold") {
                e.fn = Scalar::soft_threshold;
                e.param = rational(field(l, path, "t"), path + ".t");
            } else
                fail(path + ".function", "expected relu, square, sqrt_theta or soft_threshold");
            if (l.contains("indices")) e.indices = indices(l["indices"], path + ".indices");
            return e;
        }
        if (t == "gate") {
            const json& gs = field(l, path, "gates");
            if (!gs.is_array()) fail(path + ".gates", "expected an array");
            GateLayer g;
            for (std::size_t i = 0; i < gs.size(); ++i) {
                std::string gp = path + ".gates[" + std::to_string(i) + "]";
                g.gates.push_back(Gate{index(field(gs[i], gp, "control"), gp + ".control"),
                                       indices(field(gs[i], gp, "targets"), gp + ".targets"),
                                       expr(field(gs[i], gp, "f"), gp + ".f", 0)});
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

json matrix_json(const LinearOperator& op) {
    json m = {{"rows", op.rows()}, {"cols", op.cols()}};
    if (auto* d = dynamic_cast<const DenseMatrix*>(&op)) {
        json rows = json::array();
        for (std::size_t i = 0; i < d->rows(); ++i) {
            json row = json::array();
            for (std::size_t j = 0; j < d->cols(); ++j) row.push_back(rational_json(d->at(i, j)));
            rows.push_back(std::move(row));
        }
        m["dense"] = std::move(rows);
    } else if (auto* s = dynamic_cast<const SparseMatrix*>(&op)) {
        json e = json::array();
        for (const SparseEntry& x : s->entries()) e.push_back(json::array({x.row, x.col, rational_json(x.value)}));
        m["sparse"] = std::move(e);
    } else {
        throw Error("operator of kind \"" + op.kind() + "\" has no JSON form");
    }
    return m;
}

json expr_json(const Expr& e) {
    using Op = Expr::Op;
    switch (e.op) {
        case Op::var: return "u";
        case Op::constant: return rational_json(e.value.exact());
        default: break;
    }
    static const char* names[] = {"constant", "var", "neg", "add", "sub", "mul", "div", "min", "max", "sqrt_theta"};
    json j = {{"op", names[static_cast<int>(e.op)]}, {"args", json::array()}};
    for (const Expr& a : e.args) j["args"].push_back(expr_json(a));
    if (e.op == Op::sqrt_theta) j["theta"] = rational_json(e.value.exact());
    return j;
}

}  // namespace

Network network_from_json(const json& doc, const std::string& source) {
    Reader rd{source};
    if (!doc.is_object()) rd.fail("(top level)", "expected a JSON object");
    if (doc.contains("format") && doc["format"] != "rigornet-network")
        rd.fail("format", "expected \"rigornet-network\"");
    if (doc.contains("version") && doc["version"] != 1) rd.fail("version", "only version 1 is known");
    Network net(rd.index(rd.field(doc, "(top level)", "input_dim"), "input_dim"));
    const json& layers = rd.field(doc, "(top level)", "layers");
    if (!layers.is_array()) rd.fail("layers", "expected an array");
    for (std::size_t i = 0; i < layers.size(); ++i) {
        Layer l = rd.layer(layers[i], "layers[" + std::to_string(i) + "]");
        try {
            net.add(std::move(l));
        } catch (const Error& e) {
            throw ShapeError(source + ": " + e.what());
        }
    }
    return net;
}

Network read_network_json(const std::string& path) {
    const std::string text = detail::read_text_file(path, std::uintmax_t{1} << 28);
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        throw ParseError(path + ": not valid JSON: " + e.what());
    }
    return network_from_json(doc, path);
}

json network_to_json(const Network& net) {
    json layers = json::array();
    for (const Layer& l : net.layers()) {
        json j;
        if (auto* a = std::get_if<AffineLayer>(&l)) {
            j = {{"type", "affine"}, {"A", matrix_json(*a->A)}, {"c", rationals_json(a->c)}};
            if (a->B) j["B"] = matrix_json(*a->B);
        } else if (auto* e = std::get_if<ElementwiseLayer>(&l)) {
            j = {{"type", "elementwise"}, {"function", scalar_name(e->fn)}};
            if (e->fn == Scalar::sqrt_theta) j["theta"] = rational_json(e->param);
            if (e->fn == Scalar::soft_threshold) j["t"] = rational_json(e->param);
            if (e->indices) j["indices"] = *e->indices;
        } else {
            json gates = json::array();
            for (const Gate& g : std::get<GateLayer>(l).gates)
                gates.push_back({{"control", g.control}, {"targets", g.targets}, {"f", expr_json(g.f)}});
            j = {{"type", "gate"}, {"gates", std::move(gates)}};
        }
        layers.push_back(std::move(j));
    }
    return {{"format", "rigornet-network"}, {"version", 1}, {"input_dim", net.input_dim()}, {"layers", std::move(layers)}};
}

void write_network_json(const Network& net, std::ostream& out) { out << network_to_json(net).dump(2) << '\n'; }

}  // namespace rigornet
