#include "rigornet/linalg/operator_norm.hpp"

#include <algorithm>
#include <map>

#include "rigornet/linalg/transforms.hpp"
#include "rigornet/linalg/visit_operator.hpp"
#include "rigornet/linalg/rational_matrix.hpp"
#include "rigornet/number/sqrt_theta.hpp"

namespace rigornet {

namespace {

// An upper bound on √x: |sqrt_θ(x) − √x| < θ (sqrt_theta.hpp), so sqrt_θ(x) + θ > √x.
Rational sqrt_upper(const Rational& x) {
    const Rational theta(1, 1L << 40);
    return sqrt_theta(x, theta) + theta;
}

/// The ℓ2 bound of a block operator by its matrix of cell bounds (see the header).
Rational block_norm_upper(const BlockOperator& b) {
    std::vector<std::size_t> rcut{0, b.rows()}, ccut{0, b.cols()};
    std::vector<Rational> op_norm;  // per block, ‖op‖ (1 for the identity)
    for (const Block& blk : b.blocks()) {
        const std::size_t nr = blk.op ? blk.op->rows() : blk.identity, nc = blk.op ? blk.op->cols() : blk.identity;
        for (std::size_t r : blk.out_rows) {
            rcut.push_back(r);
            rcut.push_back(r + nr);
        }
        for (const auto& [c, coeff] : blk.in) {
            ccut.push_back(c);
            ccut.push_back(c + nc);
        }
        op_norm.push_back(blk.op ? operator_norm_upper(*blk.op) : Rational(1));
    }
    auto unique_sorted = [](std::vector<std::size_t>& v) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    };
    unique_sorted(rcut);
    unique_sorted(ccut);
    // part index of [lo, hi): the parts are [cut_k, cut_{k+1})
    auto parts = [](const std::vector<std::size_t>& cut, std::size_t lo, std::size_t hi) {
        const auto first = std::lower_bound(cut.begin(), cut.end(), lo) - cut.begin();
        const auto last = std::lower_bound(cut.begin(), cut.end(), hi) - cut.begin();
        return std::pair<std::size_t, std::size_t>(first, last);  // parts first … last − 1
    };
    std::map<std::pair<std::size_t, std::size_t>, Rational> cell;
    for (std::size_t k = 0; k < b.blocks().size(); ++k) {
        const Block& blk = b.blocks()[k];
        const std::size_t nr = blk.op ? blk.op->rows() : blk.identity, nc = blk.op ? blk.op->cols() : blk.identity;
        if (nr == 0 || nc == 0) continue;
        for (std::size_t r : blk.out_rows)
            for (const auto& [c, coeff] : blk.in) {
                if (coeff.is_zero()) continue;
                const Rational w = coeff.abs() * op_norm[k];
                const auto [i0, i1] = parts(rcut, r, r + nr);
                const auto [j0, j1] = parts(ccut, c, c + nc);
                for (std::size_t i = i0; i < i1; ++i)
                    for (std::size_t j = j0; j < j1; ++j) {
                        if (!blk.op) {  // the identity reaches cell (i, j) iff some k maps c + k ∈ J to r + k ∈ I
                            const std::size_t lo = std::max(rcut[i] - r, ccut[j] - c);
                            const std::size_t hi = std::min(rcut[i + 1] - r, ccut[j + 1] - c);
                            if (lo >= hi) continue;
                        }
                        cell[{i, j}] += w;
                    }
            }
    }
    std::vector<SparseEntry> n;
    for (auto& [ij, v] : cell) n.push_back({ij.first, ij.second, v});
    return norm_upper(n, rcut.size() - 1, ccut.size() - 1);
}

}  // namespace

Rational operator_norm_upper(const LinearOperator& op) {
    return visit_operator<Rational>(
        op,
        [](const DenseMatrix& d) {
            std::vector<SparseEntry> e;
            for (std::size_t i = 0; i < d.rows(); ++i)
                for (std::size_t j = 0; j < d.cols(); ++j)
                    if (!d.at(i, j).is_zero()) e.push_back({i, j, d.at(i, j)});
            return norm_upper(e, d.rows(), d.cols());
        },
        [](const SparseMatrix& s) { return norm_upper(s.entries(), s.rows(), s.cols()); },
        [](const WalshHadamard&) { return Rational(1); },
        [](const Haar&) { return Rational(1); },
        [](const FourierSampling&) { return Rational(1); },
        [](const Subsample& p) { return Rational(p.rows() > 0 ? 1 : 0); },
        [](const FourierSamplingRational& f) { return Rational(1) + f.error_bound(); },
        [](const Composition& c) {
            Rational u(1);
            for (const OperatorPtr& f : c.factors()) u *= operator_norm_upper(*f);
            return u;
        },
        [](const AdjointView& a) { return operator_norm_upper(*a.inner()); },
        [](const BlockOperator& b) { return block_norm_upper(b); });
}

Rational norm_upper(const std::vector<SparseEntry>& a, std::size_t rows, std::size_t cols, long prec, std::size_t exact_dim) {
    const SparseMatrix s(rows, cols, a);  // duplicates summed, zeros dropped
    const auto entries = s.entries();
    std::vector<Rational> row_sum(rows), col_sum(cols);
    for (auto& e : entries) {
        row_sum[e.row] += e.value.abs();
        col_sum[e.col] += e.value.abs();
    }
    Rational n1, ninf;
    for (auto& v : col_sum) n1 = std::max(n1, v);
    for (auto& v : row_sum) ninf = std::max(ninf, v);
    Rational u = sqrt_upper(n1 * ninf);
    if (std::min(rows, cols) <= exact_dim && !entries.empty()) {
        RationalMatrix m(rows, cols);
        for (auto& e : entries) m.set(e.row, e.col, e.value);
        u = std::min(u, norm_2(m, prec, exact_dim).upper());
    }
    if (entries.empty()) return Rational(0);
    return parse_rational(to_decimal(u, 10, Round::up));
}

}  // namespace rigornet
