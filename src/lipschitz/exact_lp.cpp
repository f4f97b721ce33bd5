// Strict feasibility by exact LP (exact_lp.hpp).
#include "exact_lp.hpp"

#include <gmp.h>
extern "C" {
#include <qsopt_ex/QSopt_ex.h>
}

#include "rigornet/error.hpp"

namespace rigornet::detail {

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

std::optional<std::vector<Rational>> strictly_feasible_point(const std::vector<AffineForm>& forms, const Domain& d,
                                                             std::size_t n) {
    mpq_QSprob lp = mpq_QScreate_prob("region", QS_MAX);
    if (!lp) throw Error("QSopt_ex: cannot create a linear programme");
    struct Guard {
        mpq_QSprob p;
        ~Guard() { mpq_QSfree_prob(p); }
    } guard{lp};
    mpq_QSset_param(lp, QS_PARAM_SIMPLEX_DISPLAY, 0);
    MpqVec scratch(3);  // 0, 1, a value
    mpq_set_ui(scratch.v[1], 1, 1);
    for (std::size_t j = 0; j < n; ++j) mpq_QSnew_col(lp, scratch.v[0], mpq_ILL_MINDOUBLE, mpq_ILL_MAXDOUBLE, nullptr);
    mpq_QSnew_col(lp, scratch.v[1], mpq_ILL_MINDOUBLE, scratch.v[1], nullptr);  // t ≤ 1, maximised
    const int tcol = static_cast<int>(n);

    std::vector<int> ind;
    MpqVec val(n + 1), rhs(1);
    auto add_row = [&]() {
        if (mpq_QSadd_row(lp, static_cast<int>(ind.size()), ind.data(), val.v.data(), &rhs.v[0], 'G', nullptr))
            throw Error("QSopt_ex: cannot add a constraint");
    };
    for (const AffineForm& f : forms) {  // a·x − t ≥ −c
        ind.clear();
        for (std::size_t j = 0; j < n; ++j)
            if (!f.a[j].is_zero()) {
                fmpq_get_mpq(val.v[ind.size()], f.a[j].get());
                ind.push_back(static_cast<int>(j));
            }
        mpq_set_si(val.v[ind.size()], -1, 1);
        ind.push_back(tcol);
        fmpq_get_mpq(rhs.v[0], (-f.c).get());
        add_row();
    }
    if (d.is_box())
        for (std::size_t j = 0; j < n; ++j) {
            for (int side = 0; side < 2; ++side) {  // x_j − t ≥ lo_j ;  −x_j − t ≥ −hi_j
                ind = {static_cast<int>(j), tcol};
                mpq_set_si(val.v[0], side == 0 ? 1 : -1, 1);
                mpq_set_si(val.v[1], -1, 1);
                fmpq_get_mpq(rhs.v[0], side == 0 ? d.lo[j].get() : (-d.hi[j]).get());
                add_row();
            }
        }
    int status = 0;
    if (QSexact_solver(lp, nullptr, nullptr, nullptr, DUAL_SIMPLEX, &status) != 0 || status != QS_LP_OPTIMAL)
        throw Error("QSopt_ex: the region LP was not solved to optimality (status " + std::to_string(status) + ")");
    MpqVec x(n + 1);
    if (mpq_QSget_x_array(lp, x.v.data()) != 0) throw Error("QSopt_ex: no primal solution");
    if (mpq_sgn(x.v[n]) <= 0) return std::nullopt;
    std::vector<Rational> point(n);
    for (std::size_t j = 0; j < n; ++j) fmpq_set_mpq(point[j].get(), x.v[j]);
    return point;
}

}  // namespace rigornet::detail
