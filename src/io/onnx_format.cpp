#include "rigornet/io/onnx_format.hpp"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstring>
#include <map>

#include "text_file.hpp"

namespace rigornet {

namespace {

constexpr std::uint64_t max_values = 50000000;      // per tensor and per folded layer
constexpr std::uint64_t max_fold_ops = 100000000;   // rational multiply-adds per fold

using Dims = std::vector<std::int64_t>;

std::string dims_str(const Dims& d) {
    std::string s = "[";
    for (std::size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
    return s + "]";
}

// A constant tensor: float values as exact rationals, or int64 values (shapes).
struct Const {
    Dims dims;
    std::vector<Rational> values;
    std::vector<std::int64_t> ints;
    bool is_int = false;
};

// The affine map accumulated since the last Relu, on the flattened tensor:
//   z ↦ diag ⊙ z + c   while no matrix was applied (dense = false), else z ↦ A z + c.
// Keeping the diagonal form lets Sub/Mul/Div on the input fold into the first matrix
// without ever forming an identity matrix product.
struct Affine {
    std::size_t in = 0;
    bool dense = false;
    std::vector<Rational> diag, a, c;

    explicit Affine(std::size_t n) : in(n), diag(n, Rational(1)), c(n) {}
    std::size_t rows() const { return c.size(); }
    bool is_identity() const {
        if (dense) return false;
        for (std::size_t i = 0; i < in; ++i)
            if (diag[i] != Rational(1) || !c[i].is_zero()) return false;
        return true;
    }
    void scale(const std::vector<Rational>& s) {  // row i times s_i
        for (std::size_t i = 0; i < rows(); ++i) {
            if (dense)
                for (std::size_t j = 0; j < in; ++j) a[i * in + j] *= s[i];
            else
                diag[i] *= s[i];
            c[i] *= s[i];
        }
    }
};

class OnnxReader {
public:
    explicit OnnxReader(const std::string& source) : source_(source) {}

    Network read(const onnx::ModelProto& model) {
        if (!model.has_graph()) fail("the model has no graph (not an ONNX model?)");
        const onnx::GraphProto& g = model.graph();
        for (const onnx::TensorProto& t : g.initializer()) consts_[t.name()] = decode(t, "initializer '" + t.name() + "'");
        const onnx::ValueInfoProto* input = nullptr;
        for (const onnx::ValueInfoProto& v : g.input()) {
            if (consts_.count(v.name())) continue;  // an initialiser also listed as an input is a constant
            if (input) fail("two graph inputs that are not initialisers ('" + input->name() + "', '" + v.name() + "'): only single-input networks are read");
            input = &v;
        }
        if (!input) fail("the graph has no input besides its initialisers");
        current_ = input->name();
        shape_ = input_shape(*input);
        const std::size_t n = static_cast<std::size_t>(count(shape_, "input '" + current_ + "'"));
        if (n == 0) fail("input '" + current_ + "' is empty");
        Network net(n);
        Affine pending(n);
        for (int k = 0; k < g.node_size(); ++k) {
            const onnx::NodeProto& node = g.node(k);
            where_ = "node " + std::to_string(k) + " '" + node.name() + "' (" + node.op_type() + ")";
            if (node.output_size() != 1) fail(where_ + ": expected 1 output, found " + std::to_string(node.output_size()));
            if (node.op_type() == "Constant") {
                consts_[node.output(0)] = constant_node(node);
                continue;
            }
            const int pos = chain_position(node);
            const std::string& op = node.op_type();
            if ((op == "Relu" || op == "Flatten" || op == "Identity") && node.input_size() != 1)
                fail(where_ + ": expected 1 input, found " + std::to_string(node.input_size()));
            if (op == "Relu") {
                flush(net, pending);
                net.add_elementwise(Scalar::relu);
            } else if (op == "MatMul") {
                matmul(node, pos, pending);
            } else if (op == "Gemm") {
                gemm(node, pos, pending);
            } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
                elementwise(node, pos, pending);
            } else if (op == "Flatten") {
                flatten(node);
            } else if (op == "Reshape") {
                reshape(node);
            } else if (op != "Identity") {
                fail(where_ + ": operator " + op + " is not supported (rigornet reads MatMul, Gemm, Add, Sub, Mul, Div "
                     "by constants, Relu, Flatten, Reshape, Identity, Constant)");
            }
            current_ = node.output(0);
        }
        if (g.output_size() != 1) fail("the graph has " + std::to_string(g.output_size()) + " outputs, expected 1");
        if (g.output(0).name() != current_)
            fail("the graph output '" + g.output(0).name() + "' is not the end of the node chain ('" + current_ + "')");
        flush(net, pending);
        return net;
    }

private:
    const std::string& source_;
    std::map<std::string, Const> consts_;
    std::string current_, where_;
    Dims shape_;

    [[noreturn]] void fail(const std::string& what) const { throw ParseError(source_ + ": " + what); }

    std::uint64_t count(const Dims& d, const std::string& what) const {
        std::uint64_t n = 1;
        for (std::int64_t x : d) {
            if (x < 0) fail(what + ": negative dimension in shape " + dims_str(d));
            if (x != 0 && n > max_values / static_cast<std::uint64_t>(x))
                throw ResourceError(source_ + ": " + what + ": shape " + dims_str(d) + " has more than " +
                                    std::to_string(max_values) + " values (refused)");
            n *= static_cast<std::uint64_t>(x);
        }
        return n;
    }

    Dims input_shape(const onnx::ValueInfoProto& v) const {
        const std::string what = "input '" + v.name() + "'";
        if (!v.type().has_tensor_type()) fail(what + " is not a tensor");
        const auto& tt = v.type().tensor_type();
        if (tt.elem_type() != onnx::TensorProto::FLOAT && tt.elem_type() != onnx::TensorProto::DOUBLE)
            fail(what + " has element type " + onnx::TensorProto_DataType_Name(tt.elem_type()) + ", expected FLOAT or DOUBLE");
        if (!tt.has_shape()) fail(what + " has no shape");
        Dims d;
        for (const auto& dim : tt.shape().dim()) {
            if (!dim.has_dim_value())
                fail(what + ": dimension " + std::to_string(d.size()) + " is symbolic ('" + dim.dim_param() +
                     "'); rigornet needs fixed sizes (batch 1)");
            d.push_back(dim.dim_value());
        }
        return d;
    }

    // Element i of raw_data holding little-endian values of sizeof(T) bytes (ONNX's
    // raw_data byte order, whatever the host's).
    template <class T>
    static T raw_at(const std::string& raw, std::size_t i) {
        std::uint64_t bits = 0;
        for (std::size_t j = sizeof(T); j-- > 0;) bits = bits << 8 | static_cast<unsigned char>(raw[i * sizeof(T) + j]);
        T v;
        if constexpr (sizeof(T) == 4) {
            const auto u = static_cast<std::uint32_t>(bits);
            std::memcpy(&v, &u, 4);
        } else {
            std::memcpy(&v, &bits, 8);
        }
        return v;
    }

    Const decode(const onnx::TensorProto& t, const std::string& what) const {
        if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
            fail(what + ": external data is not supported (store the tensor inside the file)");
        Const c;
        c.dims.assign(t.dims().begin(), t.dims().end());
        const std::uint64_t n = count(c.dims, what);
        const std::string& raw = t.raw_data();
        auto check_size = [&](std::uint64_t have, const char* field) {
            if (have != n)
                fail(what + ": " + field + " holds " + std::to_string(have) + " values, shape " + dims_str(c.dims) +
                     " needs " + std::to_string(n));
        };
        auto exact = [&](double x, std::uint64_t i) {
            try {
                c.values.push_back(Rational::from_double(x));
            } catch (const DomainError&) {
                fail(what + ": value " + std::to_string(i) + " is NaN or infinite");
            }
        };
        const int type = t.data_type();
        if (type == onnx::TensorProto::FLOAT || type == onnx::TensorProto::DOUBLE) {
            const bool single = type == onnx::TensorProto::FLOAT;
            c.values.reserve(n);
            if (!raw.empty()) {
                if (raw.size() % (single ? 4 : 8) != 0) fail(what + ": raw_data length is not a multiple of the element size");
                check_size(raw.size() / (single ? 4 : 8), "raw_data");
                for (std::uint64_t i = 0; i < n; ++i)
                    exact(single ? static_cast<double>(raw_at<float>(raw, i)) : raw_at<double>(raw, i), i);
            } else if (single) {
                check_size(static_cast<std::uint64_t>(t.float_data_size()), "float_data");
                for (std::uint64_t i = 0; i < n; ++i) exact(static_cast<double>(t.float_data(static_cast<int>(i))), i);
            } else {
                check_size(static_cast<std::uint64_t>(t.double_data_size()), "double_data");
                for (std::uint64_t i = 0; i < n; ++i) exact(t.double_data(static_cast<int>(i)), i);
            }
        } else if (type == onnx::TensorProto::INT64) {
            c.is_int = true;
            if (!raw.empty()) {
                if (raw.size() % 8 != 0) fail(what + ": raw_data length is not a multiple of 8");
                check_size(raw.size() / 8, "raw_data");
                for (std::uint64_t i = 0; i < n; ++i) c.ints.push_back(raw_at<std::int64_t>(raw, i));
            } else {
                check_size(static_cast<std::uint64_t>(t.int64_data_size()), "int64_data");
                c.ints.assign(t.int64_data().begin(), t.int64_data().end());
            }
        } else {
            fail(what + ": element type " + onnx::TensorProto_DataType_Name(type) + " is not supported (FLOAT, DOUBLE, INT64 shapes)");
        }
        return c;
    }

    Const constant_node(const onnx::NodeProto& node) const {
        for (const onnx::AttributeProto& a : node.attribute()) {
            if (a.name() == "value") return decode(a.t(), where_ + ": attribute value");
            if (a.name() == "value_float") {
                Const c;
                c.values.push_back(Rational::from_double(static_cast<double>(a.f())));
                return c;
            }
        }
        fail(where_ + ": expected a tensor attribute 'value' (or value_float)");
    }

    // The index of the node input that is the current tensor; every other input must be
    // a constant (or empty: an omitted optional input).
    int chain_position(const onnx::NodeProto& node) const {
        int pos = -1;
        for (int i = 0; i < node.input_size(); ++i) {
            const std::string& in = node.input(i);
            if (in == current_) {
                if (pos >= 0) fail(where_ + ": reads the current tensor '" + current_ + "' twice (not an affine chain)");
                pos = i;
            } else if (!in.empty() && !consts_.count(in)) {
                fail(where_ + ": reads '" + in + "', which is neither a constant nor the current tensor '" + current_ +
                     "' (only chains are read: no branches, no skip connections)");
            }
        }
        if (pos < 0) fail(where_ + ": does not read the current tensor '" + current_ + "' (the graph is not a chain)");
        return pos;
    }

    const Const& value_input(const onnx::NodeProto& node, int i) const {
        const Const& c = consts_.at(node.input(i));
        if (c.is_int) fail(where_ + ": input '" + node.input(i) + "' is an int64 tensor, expected float values");
        return c;
    }

    const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const std::string& name) const {
        for (const onnx::AttributeProto& a : node.attribute())
            if (a.name() == name) return &a;
        return nullptr;
    }
    std::int64_t int_attribute(const onnx::NodeProto& node, const std::string& name, std::int64_t def) const {
        const auto* a = attribute(node, name);
        return a ? a->i() : def;
    }
    Rational float_attribute(const onnx::NodeProto& node, const std::string& name) const {
        const auto* a = attribute(node, name);
        try {
            return a ? Rational::from_double(static_cast<double>(a->f())) : Rational(1);
        } catch (const DomainError&) {
            fail(where_ + ": attribute " + name + " is NaN or infinite");
        }
    }

    // All dimensions but the ones kept must be 1: a batch of one.
    void require_batch_one(const Dims& d, std::size_t keep_last, const std::string& what) const {
        for (std::size_t i = 0; i + keep_last < d.size(); ++i)
            if (d[i] != 1) fail(where_ + ": " + what + " has shape " + dims_str(d) + "; only a batch of 1 is read");
    }

    void require_matrix(const Const& w, const std::string& name) const {
        if (w.dims.size() != 2) fail(where_ + ": constant '" + name + "' has shape " + dims_str(w.dims) + ", expected a matrix");
    }

    // pending := M·pending + d, M of size rows × pending.rows() (row-major), exactly.
    void apply(Affine& p, std::size_t rows, const std::vector<Rational>& m, const std::vector<Rational>& d) const {
        const std::size_t k = p.rows();
        if (static_cast<std::uint64_t>(rows) * p.in > max_values)
            throw ResourceError(source_ + ": " + where_ + ": folded layer of " + std::to_string(rows) + "x" +
                                std::to_string(p.in) + " weights refused (limit " + std::to_string(max_values) + ")");
        if (p.dense && static_cast<std::uint64_t>(rows) * k * p.in > max_fold_ops)
            throw ResourceError(source_ + ": " + where_ + ": folding two matrices without a Relu between them needs more than " +
                                std::to_string(max_fold_ops) + " rational operations (refused)");
        std::vector<Rational> a(rows * p.in), c = d;
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t l = 0; l < k; ++l) {
                const Rational& mil = m[i * k + l];
                if (mil.is_zero()) continue;
                c[i] += mil * p.c[l];
                if (p.dense)
                    for (std::size_t j = 0; j < p.in; ++j) a[i * p.in + j] += mil * p.a[l * p.in + j];
                else
                    a[i * p.in + l] = mil * p.diag[l];
            }
        p.dense = true;
        p.a = std::move(a);
        p.c = std::move(c);
        p.diag.clear();
    }

    void matmul(const onnx::NodeProto& node, int pos, Affine& p) {
        const Const& w = value_input(node, 1 - pos);
        require_matrix(w, node.input(1 - pos));
        const auto r = static_cast<std::size_t>(w.dims[0]), s = static_cast<std::size_t>(w.dims[1]);
        std::vector<Rational> m(r * s);
        if (pos == 0) {  // x · W, x of shape [k] or [1,…,1,k]
            if (shape_.empty() || shape_.back() != w.dims[0])
                fail(where_ + ": tensor of shape " + dims_str(shape_) + " times matrix " + dims_str(w.dims));
            require_batch_one(shape_, 1, "the tensor");
            for (std::size_t i = 0; i < r; ++i)
                for (std::size_t j = 0; j < s; ++j) m[j * r + i] = w.values[i * s + j];
            shape_.back() = w.dims[1];
            apply(p, s, m, std::vector<Rational>(s));
        } else {  // W · x, x of shape [k] or [1,…,1,k,1]
            const bool vector = shape_.size() == 1;
            if (shape_.empty() || shape_[shape_.size() - (vector ? 1 : 2)] != w.dims[1] || (!vector && shape_.back() != 1))
                fail(where_ + ": matrix " + dims_str(w.dims) + " times tensor of shape " + dims_str(shape_));
            require_batch_one(shape_, vector ? 1 : 2, "the tensor");
            shape_[shape_.size() - (vector ? 1 : 2)] = w.dims[0];
            apply(p, r, w.values, std::vector<Rational>(r));
        }
    }

    // The constant c broadcast (numpy rules) to the current shape, which it must not
    // enlarge; the result's shape becomes the broadcast shape (same values, same order).
    std::vector<Rational> broadcast(const Const& c, const Dims& target, Dims* result_shape) const {
        const std::size_t rank = std::max(target.size(), c.dims.size());
        Dims out(rank), t(rank, 1), s(rank, 1);
        std::copy(target.begin(), target.end(), t.begin() + static_cast<long>(rank - target.size()));
        std::copy(c.dims.begin(), c.dims.end(), s.begin() + static_cast<long>(rank - c.dims.size()));
        for (std::size_t i = 0; i < rank; ++i) {
            if (s[i] != t[i] && s[i] != 1)
                fail(where_ + ": constant of shape " + dims_str(c.dims) + " does not broadcast to the tensor's shape " + dims_str(target));
            out[i] = t[i];
        }
        const std::uint64_t n = count(out, where_);
        std::vector<Rational> v;
        v.reserve(n);
        for (std::uint64_t flat = 0; flat < n; ++flat) {
            std::uint64_t rest = flat, idx = 0, stride = 1;
            for (std::size_t i = rank; i-- > 0;) {
                const auto ti = static_cast<std::uint64_t>(t[i]);
                const std::uint64_t coord = rest % ti;
                rest /= ti;
                if (s[i] != 1) idx += coord * stride;
                stride *= static_cast<std::uint64_t>(s[i]);
            }
            v.push_back(c.values[idx]);
        }
        if (result_shape) *result_shape = out;
        return v;
    }

    void gemm(const onnx::NodeProto& node, int pos, Affine& p) {
        if (pos == 2) fail(where_ + ": the tensor is Gemm's C input; only A or B may be the tensor");
        if (node.input_size() < 2) fail(where_ + ": expected inputs A and B");
        const bool ta = int_attribute(node, "transA", 0) != 0, tb = int_attribute(node, "transB", 0) != 0;
        const Rational alpha = float_attribute(node, "alpha"), beta = float_attribute(node, "beta");
        const Const& w = value_input(node, 1 - pos);
        require_matrix(w, node.input(1 - pos));
        if (shape_.size() != 2) fail(where_ + ": Gemm needs a matrix, the tensor has shape " + dims_str(shape_));
        // The constant as used: B' = op(B) of size k × n (tensor is A), or A' = op(A) of size
        // m × k (tensor is B); op transposes when the flag is set.
        const bool tw = pos == 0 ? tb : ta;
        const auto w0 = static_cast<std::size_t>(w.dims[0]), w1 = static_cast<std::size_t>(w.dims[1]);
        const std::size_t wr = tw ? w1 : w0, wc = tw ? w0 : w1;  // op(W) is wr × wc
        auto op_w = [&](std::size_t i, std::size_t j) -> const Rational& { return tw ? w.values[j * w1 + i] : w.values[i * w1 + j]; };
        const bool tx = pos == 0 ? ta : tb;
        const std::int64_t xr = tx ? shape_[1] : shape_[0], xc = tx ? shape_[0] : shape_[1];  // op(X)
        std::vector<Rational> m;
        Dims out;
        if (pos == 0) {  // op(X) = [1, k], Y = alpha op(X) op(W) : M = alpha op(W)ᵀ
            if (xr != 1) fail(where_ + ": A has shape " + dims_str(shape_) + "; only a batch of 1 is read");
            if (static_cast<std::size_t>(xc) != wr) fail(where_ + ": A of shape " + dims_str(shape_) + " times B of shape " + dims_str(w.dims));
            m.resize(wc * wr);
            for (std::size_t j = 0; j < wc; ++j)
                for (std::size_t i = 0; i < wr; ++i) m[j * wr + i] = alpha * op_w(i, j);
            out = {1, static_cast<std::int64_t>(wc)};
        } else {  // op(X) = [k, 1], Y = alpha op(W) op(X) : M = alpha op(W)
            if (xc != 1) fail(where_ + ": B has shape " + dims_str(shape_) + "; only a batch of 1 is read");
            if (static_cast<std::size_t>(xr) != wc) fail(where_ + ": A of shape " + dims_str(w.dims) + " times B of shape " + dims_str(shape_));
            m.resize(wr * wc);
            for (std::size_t i = 0; i < wr; ++i)
                for (std::size_t j = 0; j < wc; ++j) m[i * wc + j] = alpha * op_w(i, j);
            out = {static_cast<std::int64_t>(wr), 1};
        }
        const std::size_t rows = pos == 0 ? wc : wr;
        std::vector<Rational> d(rows);
        if (node.input_size() > 2 && !node.input(2).empty()) {
            Dims b;
            d = broadcast(value_input(node, 2), out, &b);
            if (b != out) fail(where_ + ": C of shape " + dims_str(consts_.at(node.input(2)).dims) + " does not broadcast to " + dims_str(out));
            for (Rational& x : d) x *= beta;
        }
        shape_ = out;
        apply(p, rows, m, d);
    }

    void elementwise(const onnx::NodeProto& node, int pos, Affine& p) {
        const std::string& op = node.op_type();
        if (node.input_size() != 2) fail(where_ + ": expected 2 inputs");
        Dims out;
        std::vector<Rational> v = broadcast(value_input(node, 1 - pos), shape_, &out);
        if (count(out, where_) != p.rows())
            fail(where_ + ": the constant would enlarge the tensor of shape " + dims_str(shape_) + " (only a batch of 1 is read)");
        shape_ = out;
        if (op == "Add" || op == "Sub") {
            if (op == "Sub" && pos == 1) p.scale(std::vector<Rational>(v.size(), Rational(-1)));  // c − x
            for (std::size_t i = 0; i < v.size(); ++i) p.c[i] += (op == "Sub" && pos == 0) ? -v[i] : v[i];
            return;
        }
        if (op == "Div") {
            if (pos == 1) fail(where_ + ": a constant divided by the tensor is not affine");
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (v[i].is_zero()) fail(where_ + ": division by zero (element " + std::to_string(i) + " of the divisor)");
                v[i] = Rational(1) / v[i];  // exact: x / c = x · (1/c) over the rationals
            }
        }
        p.scale(v);
    }

    void flatten(const onnx::NodeProto& node) {
        const auto r = static_cast<std::int64_t>(shape_.size());
        std::int64_t axis = int_attribute(node, "axis", 1);
        if (axis < 0) axis += r;
        if (axis < 0 || axis > r) fail(where_ + ": axis out of range for shape " + dims_str(shape_));
        std::int64_t outer = 1, inner = 1;
        for (std::int64_t i = 0; i < r; ++i) (i < axis ? outer : inner) *= shape_[static_cast<std::size_t>(i)];
        shape_ = {outer, inner};
    }

    void reshape(const onnx::NodeProto& node) {
        if (node.input_size() != 2 || node.input(0) != current_)
            fail(where_ + ": expected the tensor and a constant int64 shape as inputs");
        const Const& s = consts_.at(node.input(1));
        if (!s.is_int) fail(where_ + ": the shape input '" + node.input(1) + "' is not an int64 tensor");
        const bool allow_zero = int_attribute(node, "allowzero", 0) != 0;
        const std::uint64_t n = count(shape_, where_);
        Dims out;
        std::int64_t known = 1, infer = -1;
        for (std::size_t i = 0; i < s.ints.size(); ++i) {
            std::int64_t d = s.ints[i];
            if (d == 0 && !allow_zero) {
                if (i >= shape_.size()) fail(where_ + ": shape entry 0 copies a dimension the tensor does not have");
                d = shape_[i];
            }
            if (d == -1) {
                if (infer >= 0) fail(where_ + ": more than one -1 in the shape");
                infer = static_cast<std::int64_t>(i);
                out.push_back(1);
                continue;
            }
            if (d <= 0) fail(where_ + ": invalid shape entry " + std::to_string(s.ints[i]));
            if (static_cast<std::uint64_t>(d) > n || static_cast<std::uint64_t>(known) * static_cast<std::uint64_t>(d) > n)
                fail(where_ + ": shape " + dims_str(s.ints) + " does not fit a tensor of " + std::to_string(n) + " values");
            known *= d;
            out.push_back(d);
        }
        if (infer >= 0) {
            if (n % static_cast<std::uint64_t>(known) != 0) fail(where_ + ": shape " + dims_str(s.ints) + " does not divide " + std::to_string(n) + " values");
            out[static_cast<std::size_t>(infer)] = static_cast<std::int64_t>(n / static_cast<std::uint64_t>(known));
        }
        if (count(out, where_) != n)
            fail(where_ + ": shape " + dims_str(out) + " does not hold the tensor's " + std::to_string(n) + " values");
        shape_ = out;
    }

    // Emits the pending affine map as a layer (none when it is the identity) and starts a
    // new identity map on its output.
    void flush(Network& net, Affine& p) const {
        if (p.dense) {
            auto a = std::make_shared<DenseMatrix>(p.rows(), p.in, std::move(p.a));
            net.add_affine(std::move(a), nullptr, std::move(p.c));
        } else if (!p.is_identity()) {
            std::vector<SparseEntry> e;
            for (std::size_t i = 0; i < p.in; ++i) e.push_back({i, i, p.diag[i]});
            auto a = std::make_shared<SparseMatrix>(p.in, p.in, std::move(e));
            net.add_affine(std::move(a), nullptr, std::move(p.c));
        }
        p = Affine(net.output_dim());
    }
};

}  // namespace

Network parse_onnx(const std::string& bytes, const std::string& source) {
    onnx::ModelProto model;
    if (!model.ParseFromString(bytes)) throw ParseError(source + ": not an ONNX model (the protobuf data could not be parsed)");
    return OnnxReader(source).read(model);
}

Network read_onnx(const std::string& path) {
    return parse_onnx(detail::read_text_file(path, std::uintmax_t{1} << 30), path);
}

}  // namespace rigornet
