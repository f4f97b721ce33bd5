// The ReLU chain of a network, norms and domains (lipschitz.hpp).
#include <algorithm>
#include <string>
#include <variant>

#include "rigornet/core/error.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"

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
    e.indices->for_each([&](std::size_t i) { seen.at(i) = true; });
    for (bool s : seen)
        if (!s) return false;
    return true;
}

// Whether hidden units u and v of layer r+1 form a clip pair: the same row of W_r and
// opposite columns of W_{r+1}.
bool clip_pair(const ReluChain& c, std::size_t r, std::size_t u, std::size_t v) {
    const fmpq_mat_struct* in = c.weights[r].get();
    for (slong j = 0; j < fmpq_mat_ncols(in); ++j)
        if (!fmpq_equal(fmpq_mat_entry(in, u, j), fmpq_mat_entry(in, v, j))) return false;
    const fmpq_mat_struct* out = c.weights[r + 1].get();
    Rational neg;
    for (slong i = 0; i < fmpq_mat_nrows(out); ++i) {
        fmpq_neg(neg.get(), fmpq_mat_entry(out, i, u));
        if (!fmpq_equal(neg.get(), fmpq_mat_entry(out, i, v))) return false;
    }
    return true;
}

// Merges the clip pairs of every hidden layer of a chain of plain ReLUs (see
// extract_relu_chain): of each pair the unit with the larger bias stays, with cap c_u − c_v,
// and its partner's row, bias and column are dropped. Each unit joins at most one pair.
void merge_clip_pairs(ReluChain& c) {
    c.caps.assign(c.depth(), {});
    for (std::size_t r = 0; r < c.depth(); ++r) {
        const std::size_t w = c.weights[r].rows();
        std::vector<std::optional<Rational>> caps(w);
        std::vector<bool> used(w, false);
        std::vector<std::size_t> kept;
        for (std::size_t u = 0; u < w; ++u)
            for (std::size_t v = u + 1; v < w && !used[u]; ++v) {
                if (used[v] || !clip_pair(c, r, u, v)) continue;
                const bool u_upper = c.biases[r][u] >= c.biases[r][v];
                const std::size_t keep = u_upper ? u : v, drop = u_upper ? v : u;
                caps[keep] = c.biases[r][keep] - c.biases[r][drop];
                used[u] = used[v] = true;
            }
        for (std::size_t k = 0; k < w; ++k)
            if (!used[k] || caps[k]) kept.push_back(k);
        if (kept.size() == w) continue;
        RationalMatrix in(kept.size(), c.weights[r].cols()), out(c.weights[r + 1].rows(), kept.size());
        std::vector<Rational> b;
        for (std::size_t q = 0; q < kept.size(); ++q) {
            for (std::size_t j = 0; j < in.cols(); ++j) in.set(q, j, c.weights[r].at(kept[q], j));
            for (std::size_t i = 0; i < out.rows(); ++i) out.set(i, q, c.weights[r + 1].at(i, kept[q]));
            b.push_back(c.biases[r][kept[q]]);
            c.caps[r].push_back(caps[kept[q]]);
        }
        c.weights[r] = std::move(in);
        c.weights[r + 1] = std::move(out);
        c.biases[r] = std::move(b);
    }
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
        visit_layer(
            net.layers()[j],
            [&](const AffineLayer& a) {
                if (a.B) refuse(j, "affine layer with input re-injection B·y");
                RationalMatrix A = operator_matrix(*a.A);
                std::vector<Rational> nb = A.apply(b);
                const std::vector<Rational> bias = a.c.dense();
                for (std::size_t i = 0; i < nb.size(); ++i) nb[i] += bias[i];
                m = A * m;
                b = std::move(nb);
            },
            [&](const ElementwiseLayer& e) {
                if (e.fn != Scalar::relu) refuse(j, scalar_name(e.fn) + " activation");
                if (!covers_all(e, net.widths()[j])) refuse(j, "ReLU on a subset of the coordinates");
                c.weights.push_back(m);
                c.biases.push_back(b);
                m = RationalMatrix::identity(net.widths()[j]);
                b.assign(net.widths()[j], Rational());
            },
            [&](const GateLayer&) { refuse(j, "gate layer"); });
    }
    c.weights.push_back(std::move(m));
    c.biases.push_back(std::move(b));
    merge_clip_pairs(c);
    return c;
}

const Rational* ReluChain::cap(std::size_t r, std::size_t k) const {
    if (r >= caps.size() || caps[r].empty() || !caps[r].at(k)) return nullptr;
    return &*caps[r][k];
}

UnitPhase ReluChain::phase(std::size_t r, std::size_t k, const Rational& z) const {
    const int s = z.sign();
    if (s < 0) return UnitPhase::below;
    if (s == 0) return UnitPhase::lower_kink;
    const Rational* top = cap(r, k);
    if (!top || z < *top) return UnitPhase::inside;
    return z == *top ? UnitPhase::upper_kink : UnitPhase::above;
}

std::size_t ReluChain::hidden_units() const {
    std::size_t n = 0;
    for (std::size_t r = 0; r + 1 < weights.size(); ++r) n += weights[r].rows();
    return n;
}

Rational ReluChain::activate(std::size_t r, std::size_t k, const Rational& z) const {
    if (z.sign() < 0) return Rational(0);
    const Rational* top = cap(r, k);
    return top && z > *top ? *top : z;
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
        for (std::size_t k = 0; k < v.size(); ++k) v[k] = activate(r, k, v[k]);
        zs.push_back(std::move(z));
    }
    return zs;
}

std::vector<Rational> ReluChain::evaluate(const std::vector<Rational>& x) const {
    std::vector<Rational> v = x;
    if (depth() > 0) {
        // preactivations gives z_ℓ before its activation: apply it once here; none after W_ℓ.
        v = preactivations(x).back();
        for (std::size_t k = 0; k < v.size(); ++k) v[k] = activate(depth() - 1, k, v[k]);
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
        if (hi < lo) throw DomainError("--domain interval '" + p + "': need lo <= hi");
        d.lo.push_back(lo);
        d.hi.push_back(hi);
    }
    if (d.is_box() && std::equal(d.lo.begin(), d.lo.end(), d.hi.begin()))
        throw DomainError("--domain '" + spec + "' fixes every input: a single point has no Lipschitz constant");
    return d;
}

bool Domain::fixes_inputs() const {
    for (std::size_t i = 0; i < lo.size(); ++i)
        if (lo[i] == hi[i]) return true;
    return false;
}

std::vector<Rational> InputRestriction::expand(const std::vector<Rational>& y) const {
    std::vector<Rational> x = base;
    for (std::size_t q = 0; q < free.size(); ++q) x[free[q]] = y.at(q);
    return x;
}

std::vector<Rational> InputRestriction::shrink(const std::vector<Rational>& x) const {
    std::vector<Rational> y;
    for (std::size_t i : free) y.push_back(x.at(i));
    return y;
}

InputRestriction restrict_inputs(const ReluChain& c, const Domain& d) {
    if (!d.is_box()) throw DomainError("restrict_inputs: the domain is not a box");
    InputRestriction r{c, {}, {}, std::vector<Rational>(c.input_dim)};
    for (std::size_t i = 0; i < c.input_dim; ++i) {
        if (d.lo[i] == d.hi[i]) {
            r.base[i] = d.lo[i];
            continue;
        }
        r.free.push_back(i);
        r.domain.lo.push_back(d.lo[i]);
        r.domain.hi.push_back(d.hi[i]);
    }
    if (r.free.empty()) throw DomainError("the domain fixes every input: a single point has no Lipschitz constant");
    const RationalMatrix& w = c.weights[0];
    RationalMatrix w0(w.rows(), r.free.size());
    const std::vector<Rational> shift = w.apply(r.base);
    for (std::size_t k = 0; k < w.rows(); ++k) {
        for (std::size_t q = 0; q < r.free.size(); ++q) w0.set(k, q, w.at(k, r.free[q]));
        r.chain.biases[0][k] += shift[k];
    }
    r.chain.weights[0] = std::move(w0);
    r.chain.input_dim = r.free.size();
    return r;
}

}  // namespace rigornet
