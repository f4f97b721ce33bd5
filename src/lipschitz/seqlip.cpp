// K_2, the SeqLip bound of Virmaux & Scaman 2018, certified in ball arithmetic (lipschitz.hpp).
#include <algorithm>
#include <functional>
#include <string>

#include "rigornet/number/arb.hpp"
#include "rigornet/core/error.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "power_iteration.hpp"

namespace rigornet {

namespace {

// A real ball matrix (RAII over arb_mat_t).
struct BallMatrix {
    arb_mat_t m;
    BallMatrix(slong r, slong c) { arb_mat_init(m, r, c); }
    BallMatrix(const BallMatrix& o) {
        arb_mat_init(m, arb_mat_nrows(o.m), arb_mat_ncols(o.m));
        arb_mat_set(m, o.m);
    }
    BallMatrix& operator=(const BallMatrix&) = delete;
    ~BallMatrix() { arb_mat_clear(m); }
    slong rows() const { return arb_mat_nrows(m); }
    slong cols() const { return arb_mat_ncols(m); }
    arb_ptr at(slong i, slong j) { return arb_mat_entry(m, i, j); }
};

BallMatrix to_balls(const RationalMatrix& a, long prec) {
    BallMatrix b(static_cast<slong>(a.rows()), static_cast<slong>(a.cols()));
    for (slong i = 0; i < b.rows(); ++i)
        for (slong j = 0; j < b.cols(); ++j) arb_set_fmpq(b.at(i, j), fmpq_mat_entry(a.get(), i, j), prec);
    return b;
}

// The SeqLip factors of one weight matrix W (m×n, rank k): B = U Σ^e (m×k) and
// C = Σ^e Vᵀ (k×n) for the exponent e ∈ {1, 1/2}, and U, Vᵀ themselves, from the certified eigen-decomposition
// of the smaller Gram matrix G. With G = WWᵀ = U Σ² Uᵀ: Vᵀ = Σ⁻¹ Uᵀ W; with G = WᵀW =
// V Σ² Vᵀ: U = W V Σ⁻¹. The eigenvectors are normalised to unit length and real (a
// phase-free enclosure: divided by their largest component, real part kept, rescaled).
struct Factors {
    BallMatrix b, c, u, vt;
    bool basis_free = false;  // G = λI with n > 1: a repeated singular value, any basis serves
};

std::optional<Factors> seqlip_factors(const RationalMatrix& w, bool half, long prec) {
    const bool left = w.rows() <= w.cols();  // eigen-decompose WWᵀ, else WᵀW
    const RationalMatrix gram = left ? w * w.transpose() : w.transpose() * w;
    const slong n = static_cast<slong>(gram.rows());
    RationalMatrix reduced = w;
    const slong k = fmpq_mat_rref(reduced.get(), w.get());  // the exact rank
    acb_mat_t g, r_approx, r;
    acb_ptr e_approx = _acb_vec_init(n), e = _acb_vec_init(n);
    acb_mat_init(g, n, n);
    acb_mat_init(r_approx, n, n);
    acb_mat_init(r, n, n);
    for (slong i = 0; i < n; ++i)
        for (slong j = 0; j < n; ++j) acb_set_fmpq(acb_mat_entry(g, i, j), fmpq_mat_entry(gram.get(), i, j), prec);
    // G = λI exactly (e.g. an NNet's input-clipping layer [I; I]): every orthonormal basis
    // is a basis of eigenvectors, and SeqLip does not depend on the choice (a rotation Q
    // of a repeated singular value's vectors enters B as BQ and C as QᵀC, norms
    // unchanged), so the unit vectors serve exactly. Otherwise Arb certifies the
    // eigenpairs, which needs simple eigenvalues.
    bool scalar = true;
    for (slong i = 0; i < n && scalar; ++i)
        for (slong j = 0; j < n && scalar; ++j)
            scalar = i == j ? gram.at(i, j) == gram.at(0, 0) : gram.at(i, j).is_zero();
    int ok = 1;
    if (scalar) {
        acb_mat_one(r);
        for (slong i = 0; i < n; ++i) acb_set(e + i, acb_mat_entry(g, 0, 0));
    } else {
        mag_t tol;  // convergence tolerance of the (uncertified) QR iteration: 2^−(prec−16)
        mag_init(tol);
        mag_one(tol);
        mag_mul_2exp_si(tol, tol, -(prec - 16));
        acb_mat_approx_eig_qr(e_approx, nullptr, r_approx, g, tol, 0, prec);
        ok = acb_mat_eig_simple(e, nullptr, r, g, e_approx, r_approx, prec);
        mag_clear(tol);
    }
    std::optional<Factors> out;
    // Order the eigenvalues by their real midpoints; the k largest must be provably > 0
    // (the other n − k are 0: the rank is exact).
    std::vector<slong> order(n);
    for (slong i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](slong a, slong b) {
        return arf_cmp(arb_midref(acb_realref(e + a)), arb_midref(acb_realref(e + b))) > 0;
    });
    bool positive = ok != 0;
    for (slong t = 0; t < k && positive; ++t) positive = arb_is_positive(acb_realref(e + order[t]));
    if (positive) {
        BallMatrix vecs(n, k);  // unit eigenvectors, as columns
        arb_t s, norm;
        acb_t pivot, q;
        arb_init(s);
        arb_init(norm);
        acb_init(pivot);
        acb_init(q);
        for (slong t = 0; t < k; ++t) {
            const slong col = order[t];
            slong best = 0;
            for (slong i = 1; i < n; ++i)
                if (arf_cmpabs(arb_midref(acb_realref(acb_mat_entry(r, i, col))),
                               arb_midref(acb_realref(acb_mat_entry(r, best, col)))) > 0)
                    best = i;
            acb_set(pivot, acb_mat_entry(r, best, col));
            arb_zero(norm);
            for (slong i = 0; i < n; ++i) {
                acb_div(q, acb_mat_entry(r, i, col), pivot, prec);
                arb_set(vecs.at(i, t), acb_realref(q));
                arb_addmul(norm, vecs.at(i, t), vecs.at(i, t), prec);
            }
            arb_sqrt(norm, norm, prec);
            for (slong i = 0; i < n; ++i) arb_div(vecs.at(i, t), vecs.at(i, t), norm, prec);
        }
        // σ_t = √λ_t; U and Vᵀ first, then B = U Σ^e and C = Σ^e Vᵀ.
        std::vector<Ball> sigma(k), pe(k);
        for (slong t = 0; t < k; ++t) {
            arb_sqrt(sigma[t].get(), acb_realref(e + order[t]), prec);
            if (half) arb_sqrt(pe[t].get(), sigma[t].get(), prec);
            else arb_set(pe[t].get(), sigma[t].get());
        }
        const BallMatrix wb = to_balls(w, prec);
        const slong m = static_cast<slong>(w.rows()), nn = static_cast<slong>(w.cols());
        Factors f{BallMatrix(m, k), BallMatrix(k, nn), BallMatrix(m, k), BallMatrix(k, nn)};
        if (left) {  // U = vecs; Vᵀ = Σ⁻¹ Uᵀ W
            arb_mat_set(f.u.m, vecs.m);
            for (slong t = 0; t < k; ++t)
                for (slong j = 0; j < nn; ++j) {
                    arb_zero(s);
                    for (slong i = 0; i < m; ++i) arb_addmul(s, vecs.at(i, t), arb_mat_entry(wb.m, i, j), prec);
                    arb_div(f.vt.at(t, j), s, sigma[t].get(), prec);
                }
        } else {  // V = vecs; U = W V Σ⁻¹
            arb_mat_transpose(f.vt.m, vecs.m);
            for (slong i = 0; i < m; ++i)
                for (slong t = 0; t < k; ++t) {
                    arb_zero(s);
                    for (slong j = 0; j < nn; ++j) arb_addmul(s, arb_mat_entry(wb.m, i, j), vecs.at(j, t), prec);
                    arb_div(f.u.at(i, t), s, sigma[t].get(), prec);
                }
        }
        for (slong t = 0; t < k; ++t) {
            for (slong i = 0; i < m; ++i) arb_mul(f.b.at(i, t), f.u.at(i, t), pe[t].get(), prec);
            for (slong j = 0; j < nn; ++j) arb_mul(f.c.at(t, j), f.vt.at(t, j), pe[t].get(), prec);
        }
        arb_clear(s);
        arb_clear(norm);
        acb_clear(pivot);
        acb_clear(q);
        f.basis_free = scalar && n > 1;
        out.emplace(std::move(f));
    }
    _acb_vec_clear(e_approx, n);
    _acb_vec_clear(e, n);
    acb_mat_clear(g);
    acb_mat_clear(r_approx);
    acb_mat_clear(r);
    return out;
}

// An exact rational ≥ ‖M‖_2 for every matrix in the ball matrix M. A floating-point
// estimate σ of ‖mid M‖_2 proposes μ = σ²(1 + 2^−e) + 2^−100 for e = 40, 30, 20, 10;
// μ ≥ ‖M‖_2² is proved when μI − MᵀM, computed in ball arithmetic (so for every matrix
// in M), is certainly positive definite (arb_mat_cho succeeds); then ‖M‖_2 ≤ √μ. If no
// μ is proved, the slower ‖mid M‖_2 (exact, norm_2) + ‖rad M‖_F.
Rational ball_matrix_norm2_upper(const BallMatrix& m, long prec) {
    const slong rows = m.rows(), cols = m.cols();
    std::vector<double> a;
    RationalMatrix mid(static_cast<std::size_t>(rows), static_cast<std::size_t>(cols));
    for (slong i = 0; i < rows; ++i)
        for (slong j = 0; j < cols; ++j) {
            Rational q;
            arf_get_fmpq(q.get(), arb_midref(arb_mat_entry(m.m, i, j)));
            a.push_back(q.to_double(Round::nearest));
            mid.set(static_cast<std::size_t>(i), static_cast<std::size_t>(j), q);
        }
    const double sigma = detail::top_singular_pair(a, static_cast<std::size_t>(rows), static_cast<std::size_t>(cols)).sigma;
    BallMatrix mt(cols, rows), gram(cols, cols), chol(cols, cols);
    arb_mat_transpose(mt.m, m.m);
    arb_mat_mul(gram.m, mt.m, m.m, prec);
    const Rational s2 = Rational::from_double(sigma * sigma), tiny = Rational(1) / (Rational(1L << 50) * Rational(1L << 50));
    for (long e = 40; e >= 10; e -= 10) {
        const Rational mu = s2 * (Rational(1) + Rational(1) / Rational(1L << e)) + tiny;
        BallMatrix s(cols, cols);
        arb_mat_neg(s.m, gram.m);
        Ball mub(mu, prec);
        for (slong i = 0; i < cols; ++i) arb_add(s.at(i, i), s.at(i, i), mub.get(), prec);
        if (arb_mat_cho(chol.m, s.m, prec)) {
            Ball root(mu, prec);
            arb_sqrt(root.get(), root.get(), prec);
            return root.upper();
        }
    }
    Ball frob(Rational(0), prec), r;
    for (slong i = 0; i < rows; ++i)
        for (slong j = 0; j < cols; ++j) {
            arb_zero(r.get());
            arf_set_mag(arb_midref(r.get()), arb_radref(arb_mat_entry(m.m, i, j)));
            arb_addmul(frob.get(), r.get(), r.get(), prec);
        }
    arb_sqrt(frob.get(), frob.get(), prec);
    return norm_2(mid, prec).upper() + frob.upper();
}

// The factors of every weight matrix of the chain (Σ̃ = Σ at the ends, Σ^{1/2} inside);
// nullopt when one is not certified.
std::optional<std::vector<Factors>> chain_factors(const ReluChain& c, long prec) {
    const std::size_t l = c.depth();
    std::vector<Factors> f;
    for (std::size_t r = 0; r <= l; ++r) {
        auto fr = seqlip_factors(c.weights[r], r != 0 && r != l, prec);
        if (!fr) return std::nullopt;
        f.push_back(std::move(*fr));
    }
    return f;
}

// Calls visit(M_D) for every D ∈ {0,1}^a, M_D = C D B = Σ_{j ∈ D} (column j of C)(row j of B).
void for_each_pattern(const BallMatrix& cr, const BallMatrix& br, long prec,
                      const std::function<void(const BallMatrix&)>& visit) {
    const slong a = cr.cols();
    BallMatrix m(cr.rows(), br.cols());
    for (unsigned long mask = 0; mask < (1UL << a); ++mask) {
        arb_mat_zero(m.m);
        for (slong j = 0; j < a; ++j) {
            if (!(mask >> j & 1UL)) continue;
            for (slong i = 0; i < m.rows(); ++i)
                for (slong q = 0; q < m.cols(); ++q)
                    arb_addmul(m.at(i, q), arb_mat_entry(cr.m, i, j), arb_mat_entry(br.m, j, q), prec);
        }
        visit(m);
    }
}

// A ball containing ‖M‖_∞ (the largest absolute row sum) of every matrix in M.
Ball ball_matrix_norm_inf(const BallMatrix& m, long prec) {
    Ball out(Rational(0), prec), row, a;
    for (slong i = 0; i < m.rows(); ++i) {
        arb_zero(row.get());
        for (slong j = 0; j < m.cols(); ++j) {
            arb_abs(a.get(), arb_mat_entry(m.m, i, j));
            arb_add(row.get(), row.get(), a.get(), prec);
        }
        arb_max(out.get(), out.get(), row.get(), prec);
    }
    return out;
}

}  // namespace

std::optional<Rational> bound_k2(const ReluChain& c, long prec) {
    const std::size_t l = c.depth();
    // No hidden layer: L = ‖W_0‖₂, and no SVD factor (which may fail to certify) is needed.
    if (l == 0) return norm_2(c.weights[0], prec).upper();
    for (std::size_t r = 1; r <= l; ++r)
        if (c.weights[r - 1].rows() > 12) return std::nullopt;
    const auto f = chain_factors(c, prec);
    if (!f) return std::nullopt;
    Rational k2(1);
    for (std::size_t r = 1; r <= l; ++r) {
        Rational best;
        for_each_pattern((*f)[r].c, (*f)[r - 1].b, prec,
                         [&](const BallMatrix& m) { best = std::max(best, ball_matrix_norm2_upper(m, prec)); });
        k2 *= best;
    }
    return k2;
}

std::optional<K2SeedFormula> k2_seed_formula(const ReluChain& c, long prec) {
    const std::size_t l = c.depth();
    if (l == 0) throw DomainError("k2_seed_formula: the formula is a product over hidden layers, and there is none");
    for (std::size_t r = 1; r <= l; ++r)
        if (c.weights[r - 1].rows() > 12)
            throw ResourceError("k2_seed_formula: hidden layer " + std::to_string(r) + " has " +
                                std::to_string(c.weights[r - 1].rows()) +
                                " units; the max over 2^n activation patterns is refused above n = 12");
    const auto f = chain_factors(c, prec);
    if (!f) return std::nullopt;
    for (const Factors& fr : *f)
        if (fr.basis_free) return std::nullopt;
    Ball q(Rational(1), prec);
    for (std::size_t r = 1; r <= l; ++r) {
        Ball best(Rational(0), prec);
        for_each_pattern((*f)[r].c, (*f)[r - 1].b, prec, [&](const BallMatrix& m) {
            arb_max(best.get(), best.get(), ball_matrix_norm_inf(m, prec).get(), prec);
        });
        arb_mul(q.get(), q.get(), best.get(), prec);
    }
    Ball proved = ball_matrix_norm_inf(f->back().u, prec);
    arb_mul(proved.get(), proved.get(), ball_matrix_norm_inf(f->front().vt, prec).get(), prec);
    arb_mul(proved.get(), proved.get(), q.get(), prec);
    return K2SeedFormula{{q.lower(), q.upper()}, {proved.lower(), proved.upper()}};
}

}  // namespace rigornet
