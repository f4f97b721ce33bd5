// rigornet — exact merging of identical hidden units (neuron_merge.hpp).
#include "rigornet/verify/neuron_merge.hpp"

#include <map>
#include <optional>

namespace rigornet {

namespace {

// What a unit of the previous layer is to the next one: a multiple of a class's
// representative (column `cls` of the merged weights), or a constant.
struct Source {
    bool constant = false;
    std::size_t cls = 0;
    Rational scale{1}, value;
};

RationalMatrix matrix_of(const std::vector<std::vector<Rational>>& rows, std::size_t cols) {
    RationalMatrix m(rows.size(), cols);
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < cols; ++j)
            if (!rows[i][j].is_zero()) m.set(i, j, rows[i][j]);
    return m;
}

}  // namespace

NeuronMerge merge_neurons(const ReluChain& c) {
    NeuronMerge out;
    ReluChain& m = out.merged;
    m.input_dim = c.input_dim;
    const std::size_t depth = c.depth();
    std::vector<Source> src(c.input_dim);
    for (std::size_t i = 0; i < c.input_dim; ++i) src[i].cls = i;
    std::size_t classes = c.input_dim;
    std::vector<std::vector<std::size_t>> reps(depth);  // reps[r][class] = original unit
    for (std::size_t r = 0; r <= depth; ++r) {
        const RationalMatrix& w = c.weights[r];
        const std::size_t rows = w.rows();
        // class-summed weights v and bias b′ (constants folded in)
        std::vector<std::vector<Rational>> v(rows, std::vector<Rational>(classes));
        std::vector<Rational> b = c.biases[r];
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < w.cols(); ++j) {
                const fmpq* wij = fmpq_mat_entry(w.get(), i, j);
                if (fmpq_is_zero(wij)) continue;
                if (src[j].constant)
                    fmpq_addmul(b[i].get(), wij, src[j].value.get());
                else
                    fmpq_addmul(v[i][src[j].cls].get(), wij, src[j].scale.get());
            }
        if (r == depth) {
            m.weights.push_back(matrix_of(v, classes));
            m.biases.push_back(std::move(b));
            break;
        }
        std::map<std::vector<Rational>, std::size_t> seen;  // key → class
        std::vector<Rational> t_of;                         // the representative's t
        std::vector<Source> next(rows);
        std::vector<UnitMap>& map = out.map.emplace_back(rows);
        std::vector<std::vector<Rational>> mrows;
        std::vector<Rational> mbias;
        std::vector<std::optional<Rational>> mcaps;
        // a layer of constants keeps unit 0 as a (constant) representative: width ≥ 1
        bool all_constant = true;
        for (std::size_t k = 0; k < rows && all_constant; ++k)
            for (const Rational& x : v[k]) all_constant = all_constant && x.is_zero();
        for (std::size_t k = 0; k < rows; ++k) {
            const Rational* cap = c.cap(r, k);
            std::size_t first = 0;
            while (first < classes && v[k][first].is_zero()) ++first;
            if (first == classes && !(all_constant && k == 0)) {  // z_k = b′_k on R^n
                map[k].kind = UnitMap::Kind::constant;
                next[k].constant = true;
                next[k].value = c.activate(r, k, b[k]);
                ++out.constant_units;
                continue;
            }
            const Rational t = first < classes ? v[k][first].abs() : Rational(1);
            std::vector<Rational> key;
            key.reserve(classes + 3);
            for (const Rational& x : v[k]) key.push_back(x / t);
            key.push_back(b[k] / t);
            key.push_back(Rational(cap ? 1 : 0));
            key.push_back(cap ? *cap / t : Rational(0));
            const auto [it, fresh] = seen.emplace(std::move(key), t_of.size());
            const std::size_t cls = it->second;
            next[k].cls = cls;
            if (fresh) {
                t_of.push_back(t);
                reps[r].push_back(k);
                map[k].rep = k;
                mrows.push_back(std::move(v[k]));
                mbias.push_back(b[k]);
                mcaps.push_back(cap ? std::optional<Rational>(*cap) : std::nullopt);
            } else {
                map[k].rep = reps[r][cls];
                map[k].scale = next[k].scale = t / t_of[cls];
                ++out.merged_units;
            }
        }
        m.weights.push_back(matrix_of(mrows, classes));
        m.biases.push_back(std::move(mbias));
        m.caps.push_back(std::move(mcaps));
        src = std::move(next);
        classes = m.weights.back().rows();
    }
    // dead units, from the last hidden layer back: a zero outgoing column contributes nothing
    out.dead.resize(depth);
    for (std::size_t r = depth; r-- > 0;) {
        const RationalMatrix& after = m.weights[r + 1];
        const std::size_t width = after.cols();
        std::vector<bool> keep(width, false);
        bool any = false;
        for (std::size_t k = 0; k < width; ++k) {
            for (std::size_t i = 0; i < after.rows() && !keep[k]; ++i)
                keep[k] = !fmpq_is_zero(fmpq_mat_entry(after.get(), i, k));
            any = any || keep[k];
        }
        if (!any) keep[0] = true;
        std::vector<std::size_t> kept;
        for (std::size_t k = 0; k < width; ++k) {
            if (keep[k]) {
                kept.push_back(k);
            } else {
                out.dead[r].push_back(reps[r][k]);
                ++out.dead_units;
            }
        }
        if (kept.size() == width) continue;
        RationalMatrix cols(after.rows(), kept.size()), rows(kept.size(), m.weights[r].cols());
        std::vector<Rational> bias;
        std::vector<std::optional<Rational>> caps;
        for (std::size_t n = 0; n < kept.size(); ++n) {
            for (std::size_t i = 0; i < after.rows(); ++i) cols.set(i, n, after.at(i, kept[n]));
            for (std::size_t j = 0; j < rows.cols(); ++j) rows.set(n, j, m.weights[r].at(kept[n], j));
            bias.push_back(m.biases[r][kept[n]]);
            caps.push_back(m.caps[r][kept[n]]);
        }
        m.weights[r + 1] = std::move(cols);
        m.weights[r] = std::move(rows);
        m.biases[r] = std::move(bias);
        m.caps[r] = std::move(caps);
    }
    return out;
}

}  // namespace rigornet
