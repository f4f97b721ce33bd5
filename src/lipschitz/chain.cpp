// The ReLU chain of a network, norms and domains (lipschitz.hpp).
#include <string>
#include <variant>

#include "rigornet/error.hpp"
#include "rigornet/lipschitz.hpp"

namespace rigornet {

LipNorm parse_lip_norm(const std::string& s) {
    if (s == "1") return LipNorm::l1;
    if (s == "2") return LipNorm::l2;
    if (s == "inf") return LipNorm::linf;
    throw ParseError("--norm: expected 1, 2 or inf, found '" + s + "'");
}

std::string lip_norm_name(LipNorm p) { return p == LipNorm::l1 ? "1" : p == LipNorm::l2 ? "2" : "inf"; }

Enclosure operator_norm(const RationalMatrix& a, LipNorm p, long prec) {
    if (p == LipNorm::l2) {
        Ball b = norm_2(a, prec);
        return {b.lower(), b.upper()};
    }
    Rational v = p == LipNorm::l1 ? norm_1(a) : norm_inf(a);
    return {v, v};
}

std::string norm_arith(LipNorm p, long prec) { return p == LipNorm::l2 ? "ball:" + std::to_string(prec) : "exact"; }

namespace {

// The exact matrix of a linear operator: its columns are the images of the unit vectors
// (exact arithmetic; an operator with irrational entries throws DomainError).
RationalMatrix operator_matrix(const LinearOperator& op) {
    RationalMatrix m(op.rows(), op.cols());
    std::vector<Rational> e(op.cols()), y(op.rows());
    for (std::size_t j = 0; j < op.cols(); ++j) {
        e[j] = Rational(1);
        op.apply(ExactArith{}, e, y);
        for (std::size_t i = 0; i < op.rows(); ++i) m.set(i, j, y[i]);
        e[j] = Rational(0);
    }
    return m;
}

bool covers_all(const ElementwiseLayer& e, std::size_t width) {
    if (!e.indices) return true;
    std::vector<bool> seen(width, false);
    for (std::size_t i : *e.indices) seen.at(i) = true;
    for (bool s : seen)
        if (!s) return false;
    return true;
}

}  // namespace

ReluChain extract_relu_chain(const Network& net) {
    ReluChain c;
    c.input_dim = net.input_dim();
    RationalMatrix m = RationalMatrix::identity(net.input_dim());
    std::vector<Rational> b(net.input_dim());
    const auto refuse = [](std::size_t j, const std::string& what) {
        throw DomainError("layer " + std::to_string(j + 1) + ": " + what +
                          "; the Lipschitz engine handles affine layers (without input re-injection) "
                          "alternating with ReLU on every coordinate");
    };
    for (std::size_t j = 0; j < net.layers().size(); ++j) {
        const Layer& layer = net.layers()[j];
        if (const auto* a = std::get_if<AffineLayer>(&layer)) {
            if (a->B) refuse(j, "affine layer with input re-injection B·y");
            RationalMatrix A = operator_matrix(*a->A);
            std::vector<Rational> nb = A.apply(b);
            for (std::size_t i = 0; i < nb.size(); ++i) nb[i] += a->c[i];
            m = A * m;
            b = std::move(nb);
        } else if (const auto* e = std::get_if<ElementwiseLayer>(&layer)) {
            if (e->fn != Scalar::relu) refuse(j, scalar_name(e->fn) + " activation");
            if (!covers_all(*e, net.widths()[j])) refuse(j, "ReLU on a subset of the coordinates");
            c.weights.push_back(m);
            c.biases.push_back(b);
            m = RationalMatrix::identity(net.widths()[j]);
            b.assign(net.widths()[j], Rational());
        } else {
            refuse(j, "gate layer");
        }
    }
    c.weights.push_back(std::move(m));
    c.biases.push_back(std::move(b));
    return c;
}

std::size_t ReluChain::hidden_units() const {
    std::size_t n = 0;
    for (std::size_t r = 0; r + 1 < weights.size(); ++r) n += weights[r].rows();
    return n;
}

std::vector<std::vector<Rational>> ReluChain::preactivations(const std::vector<Rational>& x) const {
    if (x.size() != input_dim)
        throw ShapeError("input of size " + std::to_string(x.size()) + " for a network with " +
                         std::to_string(input_dim) + " inputs");
    std::vector<std::vector<Rational>> zs;
    std::vector<Rational> v = x;
    for (std::size_t r = 0; r < depth(); ++r) {
        std::vector<Rational> z = weights[r].apply(v);
        for (std::size_t i = 0; i < z.size(); ++i) z[i] += biases[r][i];
        v = z;
        for (Rational& t : v)
            if (t.sign() < 0) t = Rational(0);
        zs.push_back(std::move(z));
    }
    return zs;
}

std::vector<Rational> ReluChain::evaluate(const std::vector<Rational>& x) const {
    std::vector<Rational> v = x;
    if (depth() > 0) {
        // preactivations gives z_ℓ before its ReLU: apply it once here; none after W_ℓ.
        v = preactivations(x).back();
        for (Rational& t : v)
            if (t.sign() < 0) t = Rational(0);
    } else if (x.size() != input_dim) {
        throw ShapeError("input of size " + std::to_string(x.size()) + " for a network with " +
                         std::to_string(input_dim) + " inputs");
    }
    std::vector<Rational> y = weights.back().apply(v);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] += biases.back()[i];
    return y;
}

RationalMatrix ReluChain::jacobian(const std::vector<std::vector<bool>>& pattern) const {
    if (pattern.size() != depth()) throw ShapeError("activation pattern with the wrong number of layers");
    RationalMatrix j = weights[0];
    for (std::size_t r = 1; r <= depth(); ++r) j = weights[r] * j.keep_rows(pattern[r - 1]);
    return j;
}

RationalMatrix ReluChain::segment(std::size_t t, std::size_t s) const {
    if (!(s < t && t <= weights.size()))
        throw DomainError("segment W_(" + std::to_string(t) + "," + std::to_string(s) + ") outside the chain");
    RationalMatrix m = weights[s];
    for (std::size_t r = s + 1; r < t; ++r) m = weights[r] * m;
    return m;
}

Domain parse_domain(const std::string& spec, std::size_t input_dim) {
    Domain d;
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t comma = spec.find(',', start);
        parts.push_back(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (parts.size() != 1 && parts.size() != input_dim)
        throw ParseError("--domain '" + spec + "': expected 1 or " + std::to_string(input_dim) +
                         " intervals lo:hi, found " + std::to_string(parts.size()));
    for (std::size_t i = 0; i < input_dim; ++i) {
        const std::string& p = parts[parts.size() == 1 ? 0 : i];
        std::size_t colon = p.find(':');
        if (colon == std::string::npos) throw ParseError("--domain interval '" + p + "': expected lo:hi");
        Rational lo = parse_rational(p.substr(0, colon)), hi = parse_rational(p.substr(colon + 1));
        if (!(lo < hi)) throw DomainError("--domain interval '" + p + "': need lo < hi");
        d.lo.push_back(lo);
        d.hi.push_back(hi);
    }
    return d;
}

}  // namespace rigornet
