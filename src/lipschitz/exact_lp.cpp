// Exact LP by QSopt_ex (exact_lp.hpp).
#include "rigornet/exact_lp.hpp"

#include <string>

#include <gmp.h>
extern "C" {
#include <qsopt_ex/QSopt_ex.h>
}

#include "rigornet/error.hpp"

namespace rigornet {

namespace {

// QSopt_ex needs one global initialisation (QSexactStart) before any exact call, and
// that call replaces GMP's allocators by QSopt_ex's memory pool: every GMP number
// allocated before it would later be reallocated or freed by the wrong allocator
// (FLINT's big integers are GMP numbers). So it runs as a program constructor, before
// main and before any other constructor of ours (priority 101), and is never undone
// (QSexactClear at exit would race with other static destructors).
__attribute__((constructor(101))) void qsopt_start() {
    QSexactStart();
    QSexact_set_precision(128);
}

// An mpq_t array owned for the duration of one LP.
struct MpqVec {
    std::vector<mpq_t> v;
    explicit MpqVec(std::size_t n) : v(n) {
        for (auto& x : v) mpq_init(x);
    }
    ~MpqVec() {
        for (auto& x : v) mpq_clear(x);
    }
    MpqVec(const MpqVec&) = delete;
    MpqVec& operator=(const MpqVec&) = delete;
};

}  // namespace

std::optional<LpSolution> lp_maximize(const std::vector<Rational>& c, const std::vector<LpRow>& rows,
                                      const std::vector<std::optional<Rational>>& lo,
                                      const std::vector<std::optional<Rational>>& hi) {
    const std::size_t n = c.size();
    if (lo.size() != n || hi.size() != n) throw ShapeError("lp_maximize: bounds of the wrong size");
    if (rows.empty()) {  // QSopt_ex mishandles a programme without rows: separable, solved directly
        LpSolution s;
        for (std::size_t j = 0; j < n; ++j) {
            if (lo[j] && hi[j] && *hi[j] < *lo[j]) return std::nullopt;
            const auto& end = c[j].sign() > 0 ? hi[j] : lo[j];
            if (c[j].sign() != 0 && !end) throw DomainError("lp_maximize: the programme is unbounded");
            s.x.push_back(c[j].sign() != 0 ? *end : lo[j] ? *lo[j] : hi[j] ? *hi[j] : Rational(0));
            s.value += c[j] * s.x.back();
        }
        return s;
    }
    mpq_QSprob lp = mpq_QScreate_prob("rigornet", QS_MAX);
    if (!lp) throw Error("QSopt_ex: cannot create a linear programme");
    struct Guard {
        mpq_QSprob p;
        ~Guard() { mpq_QSfree_prob(p); }
    } guard{lp};
    mpq_QSset_param(lp, QS_PARAM_SIMPLEX_DISPLAY, 0);
    MpqVec col(3);  // objective, lower, upper
    for (std::size_t j = 0; j < n; ++j) {
        fmpq_get_mpq(col.v[0], c[j].get());
        if (lo[j]) fmpq_get_mpq(col.v[1], lo[j]->get());
        if (hi[j]) fmpq_get_mpq(col.v[2], hi[j]->get());
        if (mpq_QSnew_col(lp, col.v[0], lo[j] ? col.v[1] : mpq_ILL_MINDOUBLE, hi[j] ? col.v[2] : mpq_ILL_MAXDOUBLE,
                          nullptr))
            throw Error("QSopt_ex: cannot add a variable");
    }
    std::vector<int> ind;
    MpqVec val(n), rhs(1);
    for (const LpRow& r : rows) {
        if (r.a.size() != n) throw ShapeError("lp_maximize: a row of the wrong size");
        ind.clear();
        for (std::size_t j = 0; j < n; ++j)
            if (!r.a[j].is_zero()) {
                fmpq_get_mpq(val.v[ind.size()], r.a[j].get());
                ind.push_back(static_cast<int>(j));
            }
        fmpq_get_mpq(rhs.v[0], r.rhs.get());
        const char sense = r.sense == '<' ? 'L' : r.sense == '>' ? 'G' : 'E';
        if (mpq_QSadd_row(lp, static_cast<int>(ind.size()), ind.data(), val.v.data(), &rhs.v[0], sense, nullptr))
            throw Error("QSopt_ex: cannot add a constraint");
    }
    int status = 0;
    if (QSexact_solver(lp, nullptr, nullptr, nullptr, DUAL_SIMPLEX, &status) != 0)
        throw Error("QSopt_ex: the solver failed");
    if (status == QS_LP_INFEASIBLE) return std::nullopt;
    if (status == QS_LP_UNBOUNDED) throw DomainError("lp_maximize: the programme is unbounded");
    if (status != QS_LP_OPTIMAL) throw Error("QSopt_ex: not solved to optimality (status " + std::to_string(status) + ")");
    MpqVec x(n), pi(rows.size());
    if (mpq_QSget_x_array(lp, x.v.data()) != 0 || mpq_QSget_pi_array(lp, pi.v.data()) != 0)
        throw Error("QSopt_ex: no primal or dual solution");
    // The value is recomputed as c·x from the returned point, and the point is re-checked
    // against every constraint in exact arithmetic (feasibility is thus proved here;
    // optimality rests on the solver's exact simplex).
    LpSolution s;
    s.x.resize(n);
    for (std::size_t j = 0; j < n; ++j) {
        fmpq_set_mpq(s.x[j].get(), x.v[j]);
        s.value += c[j] * s.x[j];
        if ((lo[j] && s.x[j] < *lo[j]) || (hi[j] && s.x[j] > *hi[j])) throw Error("QSopt_ex: a bound is violated");
    }
    s.duals.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) fmpq_set_mpq(s.duals[i].get(), pi.v[i]);
    for (const LpRow& r : rows) {
        Rational lhs;
        for (std::size_t j = 0; j < n; ++j) lhs += r.a[j] * s.x[j];
        if ((r.sense == '<' && lhs > r.rhs) || (r.sense == '>' && lhs < r.rhs) || (r.sense == '=' && lhs != r.rhs))
            throw Error("QSopt_ex: a constraint is violated by the returned point");
    }
    return s;
}

}  // namespace rigornet
