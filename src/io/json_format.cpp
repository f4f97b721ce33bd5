#include "rigornet/json_format.hpp"


#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "rigornet/structured.hpp"
#include "rigornet/transforms.hpp"
#include "text_file.hpp"

namespace rigornet {

using nlohmann::json;

namespace {

constexpr std::size_t max_dim = 10000000;  // 10^7: refuse absurd declared sizes
constexpr int max_expr_depth = 200;

struct Reader {
    std::string source;
    std::map<std::string, OperatorPtr> refs;  // shared operator definitions ("operators")

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

    OperatorPtr matrix(const json& m, const std::string& path) const {
        if (m.is_object() && m.contains("ref")) {
            auto it = m["ref"].is_string() ? refs.find(m["ref"].get<std::string>()) : refs.end();
            if (it == refs.end()) fail(path + ".ref", "no operator of that name in \"operators\" (defined before use)");
            return it->second;
        }
        if (m.is_object() && m.contains("operator")) return structured(m, path);
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
        fail(path, "expected \"dense\" or \"sparse\" entries, an \"operator\" or a \"ref\"");
    }

    Shape shape(const json& m, const std::string& path) const {
        const json& d = field(m, path, "shape");
        if (!d.is_array() || d.empty()) fail(path + ".shape", "expected a list of sides");
        std::vector<std::size_t> dims;
        for (std::size_t i = 0; i < d.size(); ++i) dims.push_back(index(d[i], path + ".shape[" + std::to_string(i) + "]", 1 << 24));
        try {
            return Shape(dims);
        } catch (const ShapeError& e) {
            fail(path + ".shape", e.what());
        }
    }

    // Structured operators (docs/formats.md): walsh, haar, subsample, fourier,
    // composition, adjoint, block.
    OperatorPtr structured(const json& m, const std::string& path) const {
        const std::string kind = field(m, path, "operator").is_string() ? m["operator"].get<std::string>() : "";
        try {
            if (kind == "walsh") {
                const std::string order = m.value("order", "sequency");
                if (order != "sequency" && order != "natural") fail(path + ".order", "expected sequency or natural");
                return std::make_shared<WalshHadamard>(shape(m, path), order == "natural" ? WalshOrder::natural : WalshOrder::sequency);
            }
            if (kind == "haar")
                return std::make_shared<Haar>(shape(m, path), static_cast<int>(index(field(m, path, "levels"), path + ".levels", 64)));
            if (kind == "subsample")
                return std::make_shared<Subsample>(index(field(m, path, "n"), path + ".n"), indices(field(m, path, "omega"), path + ".omega"));
            const bool complex = m.value("complex", false);
            if (kind == "fourier")
                return std::make_shared<FourierSampling>(shape(m, path), indices(field(m, path, "omega"), path + ".omega"), complex);
            if (kind == "fourier-rational")
                return std::make_shared<FourierSamplingRational>(shape(m, path), indices(field(m, path, "omega"), path + ".omega"),
                                                                 static_cast<long>(index(field(m, path, "accuracy"), path + ".accuracy", 100000)),
                                                                 complex);
            if (kind == "adjoint") return std::make_shared<AdjointView>(matrix(field(m, path, "of"), path + ".of"));
            if (kind == "composition") {
                const json& f = field(m, path, "factors");
                if (!f.is_array() || f.empty()) fail(path + ".factors", "expected a non-empty list of operators");
                std::vector<OperatorPtr> ops;
                for (std::size_t i = 0; i < f.size(); ++i) ops.push_back(matrix(f[i], path + ".factors[" + std::to_string(i) + "]"));
                return std::make_shared<Composition>(std::move(ops));
            }
            if (kind == "block") {
                const json& bs = field(m, path, "blocks");
                if (!bs.is_array()) fail(path + ".blocks", "expected a list of blocks");
                std::vector<Block> blocks;
                for (std::size_t k = 0; k < bs.size(); ++k) {
                    const std::string bp = path + ".blocks[" + std::to_string(k) + "]";
                    Block b;
                    b.out_rows = indices(field(bs[k], bp, "out"), bp + ".out");
                    const json& in = field(bs[k], bp, "in");
                    if (!in.is_array()) fail(bp + ".in", "expected a list of [column, \"coefficient\"] pairs");
                    for (std::size_t i = 0; i < in.size(); ++i) {
                        const std::string ip = bp + ".in[" + std::to_string(i) + "]";
                        if (!in[i].is_array() || in[i].size() != 2) fail(ip, "expected [column, \"coefficient\"]");
                        b.in.push_back({index(in[i][0], ip + "[0]"), rational(in[i][1], ip + "[1]")});
                    }
                    if (bs[k].contains("op") && !bs[k]["op"].is_null())
                        b.op = matrix(bs[k]["op"], bp + ".op");
                    else
                        b.identity = index(field(bs[k], bp, "identity"), bp + ".identity");
                    blocks.push_back(std::move(b));
                }
                return std::make_shared<BlockOperator>(index(field(m, path, "rows"), path + ".rows"),
                                                       index(field(m, path, "cols"), path + ".cols"), std::move(blocks));
            }
        } catch (const ShapeError& e) {
            fail(path, e.what());
        } catch (const ResourceError& e) {
            throw ResourceError(source + ": " + path + ": " + e.what());
        }
        fail(path + ".operator", "expected walsh, haar, subsample, fourier, adjoint, composition or block");
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

// Writes operators; structured ones other than blocks are defined once in `defs`
// (top-level "operators") and referenced by name, so an operator shared by many layers
// (the measurement map of an unrolled solver) is written once.
struct Writer {
    json defs = json::object();
    std::map<const LinearOperator*, std::string> names;

    json shape_json(const Shape& s) { return s.dims; }

    json op(const OperatorPtr& p) {
        const LinearOperator& o = *p;
        json m;
        if (auto* d = dynamic_cast<const DenseMatrix*>(&o)) {
            json rows = json::array();
            for (std::size_t i = 0; i < d->rows(); ++i) {
                json row = json::array();
                for (std::size_t j = 0; j < d->cols(); ++j) row.push_back(rational_json(d->at(i, j)));
                rows.push_back(std::move(row));
            }
            return {{"rows", o.rows()}, {"cols", o.cols()}, {"dense", std::move(rows)}};
        }
        if (auto* s = dynamic_cast<const SparseMatrix*>(&o)) {
            json e = json::array();
            for (const SparseEntry& x : s->entries()) e.push_back(json::array({x.row, x.col, rational_json(x.value)}));
            return {{"rows", o.rows()}, {"cols", o.cols()}, {"sparse", std::move(e)}};
        }
        if (auto* b = dynamic_cast<const BlockOperator*>(&o)) {
            json bl = json::array();
            for (const Block& k : b->blocks()) {
                json in = json::array();
                for (auto& [c, v] : k.in) in.push_back(json::array({c, rational_json(v)}));
                json j = {{"out", k.out_rows}, {"in", std::move(in)}};
                if (k.op)
                    j["op"] = op(k.op);
                else
                    j["identity"] = k.identity;
                bl.push_back(std::move(j));
            }
            return {{"operator", "block"}, {"rows", o.rows()}, {"cols", o.cols()}, {"blocks", std::move(bl)}};
        }
        if (auto it = names.find(&o); it != names.end()) return {{"ref", it->second}};
        if (auto* w = dynamic_cast<const WalshHadamard*>(&o))
            m = {{"operator", "walsh"}, {"shape", shape_json(w->shape())}, {"order", w->order() == WalshOrder::natural ? "natural" : "sequency"}};
        else if (auto* h = dynamic_cast<const Haar*>(&o))
            m = {{"operator", "haar"}, {"shape", shape_json(h->shape())}, {"levels", h->levels()}};
        else if (auto* s = dynamic_cast<const Subsample*>(&o))
            m = {{"operator", "subsample"}, {"n", s->cols()}, {"omega", s->omega()}};
        else if (auto* f = dynamic_cast<const FourierSampling*>(&o))
            m = {{"operator", "fourier"}, {"shape", shape_json(f->shape())}, {"omega", f->omega()}, {"complex", f->complex_input()}};
        else if (auto* fr = dynamic_cast<const FourierSamplingRational*>(&o))
            m = {{"operator", "fourier-rational"}, {"shape", shape_json(fr->shape())}, {"omega", fr->omega()},
                 {"accuracy", fr->accuracy()}, {"complex", fr->complex_input()}};
        else if (auto* a = dynamic_cast<const AdjointView*>(&o))
            m = {{"operator", "adjoint"}, {"of", op(a->inner())}};
        else if (auto* c = dynamic_cast<const Composition*>(&o)) {
            json fs = json::array();
            for (auto& f2 : c->factors()) fs.push_back(op(f2));
            m = {{"operator", "composition"}, {"factors", std::move(fs)}};
        } else
            throw Error("operator of kind \"" + o.kind() + "\" has no JSON form");
        std::string name = "op" + std::to_string(names.size());
        names[&o] = name;
        defs[name] = std::move(m);
        return {{"ref", name}};
    }
};

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
    Reader rd{source, {}};
    if (!doc.is_object()) rd.fail("(top level)", "expected a JSON object");
    if (doc.contains("format") && doc["format"] != "rigornet-network")
        rd.fail("format", "expected \"rigornet-network\"");
    if (doc.contains("version") && doc["version"] != 1) rd.fail("version", "only version 1 is known");
    Network net(rd.index(rd.field(doc, "(top level)", "input_dim"), "input_dim"));
    if (doc.contains("operators")) {  // named definitions, each may refer to earlier ones
        const json& ops = doc["operators"];
        if (!ops.is_object()) rd.fail("operators", "expected an object of named operators");
        // definitions are written op0, op1, …: read them in the order of their numbers
        std::vector<std::pair<std::string, const json*>> order;
        for (auto it = ops.begin(); it != ops.end(); ++it) order.push_back({it.key(), &it.value()});
        std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) {
            return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
        });
        for (auto& [name, def] : order) rd.refs[name] = rd.matrix(*def, "operators." + name);
    }
    const json& layers = rd.field(doc, "(top level)", "layers");
    if (!layers.is_array()) rd.fail("layers", "expected an array");
    for (std::size_t i = 0; i < layers.size(); ++i) {
        Layer l = rd.layer(layers[i], "layers[" + std::to_string(i) + "]");
        try {
            net.add(std::move(l));
        } catch (const ShapeError& e) {
            throw ShapeError(source + ": " + e.what());
        } catch (const DomainError& e) {
            throw DomainError(source + ": " + e.what());
        } catch (const ResourceError& e) {
            throw ResourceError(source + ": " + e.what());
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
    Writer w;
    json layers = json::array();
    for (const Layer& l : net.layers()) {
        json j;
        if (auto* a = std::get_if<AffineLayer>(&l)) {
            j = {{"type", "affine"}, {"A", w.op(a->A)}, {"c", rationals_json(a->c)}};
            if (a->B) j["B"] = w.op(a->B);
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
    json doc = {{"format", "rigornet-network"}, {"version", 1}, {"input_dim", net.input_dim()}};
    if (!w.defs.empty()) doc["operators"] = std::move(w.defs);
    doc["layers"] = std::move(layers);
    return doc;
}

void write_network_json(const Network& net, std::ostream& out) { out << network_to_json(net).dump(2) << '\n'; }

}  // namespace rigornet
