// Exact LP by QSopt_ex (exact_lp.hpp).
#include "rigornet/linalg/exact_lp.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include <gmp.h>
extern "C" {
#include <qsopt_ex/QSopt_ex.h>
}

#include "rigornet/core/error.hpp"

namespace rigornet {

namespace {

// QSopt_ex's global initialisation (QSexactStart → EGlpNumStart) installs its own GMP
// memory functions for the whole process: a slab pool for blocks of at most 256 bytes,
// malloc above, and exit(1) when memory runs out. Left in place, every GMP/FLINT number
// of the program would live in that pool, and any out-of-memory anywhere would end the
// process with status 1 (the CLI's "refuted"). So QSopt_ex's functions are active only
// inside a MemoryWindow: everything QSopt_ex allocates (its constants at start, its
// programmes, and the mpq_t we exchange with it) is allocated, resized and freed inside a
// window, and no FLINT number is created inside one (conversions to Rational happen
// outside, reading the mpq_t only). Outside, GMP's previous functions are back.
struct GmpMemory {
    void* (*alloc)(size_t) = nullptr;
    void* (*realloc)(void*, size_t, size_t) = nullptr;
    void (*free)(void*, size_t) = nullptr;
};

GmpMemory current_gmp_memory() {
    GmpMemory m;
    mp_get_memory_functions(&m.alloc, &m.realloc, &m.free);
    return m;
}

void set_gmp_memory(const GmpMemory& m) { mp_set_memory_functions(m.alloc, m.realloc, m.free); }

// Set while a window is open: QSopt_ex's fatal errors (its out-of-memory included) call
// exit(1) from inside one; the exit handler then ends the process with status 3 (error).
std::atomic<bool> in_window{false};

[[noreturn]] void out_of_memory() {
    static const char msg[] = "rigornet: error: out of memory (exact LP)\n";
    [[maybe_unused]] const auto written = ::write(2, msg, sizeof msg - 1);
    std::_Exit(3);
}

// QSopt_ex's functions, captured once after its initialisation.
GmpMemory qsopt_memory;

// The window's functions: blocks above 256 bytes are plain malloc/realloc/free, as in
// QSopt_ex (its functions do exactly that above 256 bytes), but ending with status 3 on
// failure; smaller ones go to QSopt_ex's slab pool, which owns them.
void* window_alloc(size_t n) {
    if (n <= 256) return qsopt_memory.alloc(n);
    void* p = std::malloc(n);
    if (!p) out_of_memory();
    return p;
}
void* window_realloc(void* p, size_t old, size_t n) {
    if (old <= 256 || n <= 256) return qsopt_memory.realloc(p, old, n);
    void* q = std::realloc(p, n);
    if (!q) out_of_memory();
    return q;
}
void window_free(void* p, size_t n) {
    if (n <= 256) return qsopt_memory.free(p, n);
    std::free(p);
}

// QSopt_ex's functions (wrapped as above) for the lifetime of the object; the previous
// ones after (windows may nest). The engine is single-threaded around LPs.
class MemoryWindow {
public:
    MemoryWindow() : previous_(current_gmp_memory()), was_open_(in_window.exchange(true)) {
        mp_set_memory_functions(window_alloc, window_realloc, window_free);
    }
    ~MemoryWindow() {
        in_window.store(was_open_);
        set_gmp_memory(previous_);
    }
    MemoryWindow(const MemoryWindow&) = delete;
    MemoryWindow& operator=(const MemoryWindow&) = delete;

private:
    GmpMemory previous_;
    bool was_open_;
};

// Initialises QSopt_ex at the first LP (thread-safe static): its start-up allocations
// happen with its own functions, which are then captured for the windows, and GMP's
// previous functions are restored at once.
void ensure_qsopt_started() {
    static const bool started = [] {
        const GmpMemory previous = current_gmp_memory();
        std::atexit([] {
            if (in_window.load()) {
                static const char msg[] = "rigornet: error: QSopt_ex ended the process (out of memory?)\n";
                [[maybe_unused]] const auto written = ::write(2, msg, sizeof msg - 1);
                std::_Exit(3);
            }
        });
        in_window.store(true);
        QSexactStart();
        QSexact_set_precision(128);
        qsopt_memory = current_gmp_memory();
        in_window.store(false);
        set_gmp_memory(previous);
        return true;
    }();
    (void)started;
}

// An mpq_t array owned for the duration of one LP; created and cleared inside windows.
struct MpqVec {
    std::vector<mpq_t> v;
    explicit MpqVec(std::size_t n) : v(n) {
        MemoryWindow w;
        for (auto& x : v) mpq_init(x);
    }
    ~MpqVec() {
        MemoryWindow w;
        for (auto& x : v) mpq_clear(x);
    }
    MpqVec(const MpqVec&) = delete;
    MpqVec& operator=(const MpqVec&) = delete;
};

// A row's nonzero columns (into ind) and QSopt's sense letter; ShapeError when the row
// has the wrong size (`who` names the caller). Shared by the exact and binary64 solvers.
char sparse_row(const LpRow& r, std::size_t n, std::vector<int>& ind, const char* who) {
    if (r.a.size() != n) throw ShapeError(std::string(who) + ": a row of the wrong size");
    ind.clear();
    for (std::size_t j = 0; j < n; ++j)
        if (!r.a[j].is_zero()) ind.push_back(static_cast<int>(j));
    return r.sense == '<' ? 'L' : r.sense == '>' ? 'G' : 'E';
}

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
    ensure_qsopt_started();
    int status = 0;
    MpqVec x(n), pi(rows.size());  // filled inside the window, read outside it
    {
        MemoryWindow window;
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
            if (mpq_QSnew_col(lp, col.v[0], lo[j] ? col.v[1] : mpq_ILL_MINDOUBLE,
                              hi[j] ? col.v[2] : mpq_ILL_MAXDOUBLE, nullptr))
                throw Error("QSopt_ex: cannot add a variable");
        }
        std::vector<int> ind;
        MpqVec val(n), rhs(1);
        for (const LpRow& r : rows) {
            const char sense = sparse_row(r, n, ind, "lp_maximize");
            for (std::size_t t = 0; t < ind.size(); ++t) fmpq_get_mpq(val.v[t], r.a[static_cast<std::size_t>(ind[t])].get());
            fmpq_get_mpq(rhs.v[0], r.rhs.get());
            if (mpq_QSadd_row(lp, static_cast<int>(ind.size()), ind.data(), val.v.data(), &rhs.v[0], sense, nullptr))
                throw Error("QSopt_ex: cannot add a constraint");
        }
        if (QSexact_solver(lp, nullptr, nullptr, nullptr, DUAL_SIMPLEX, &status) != 0)
            throw Error("QSopt_ex: the solver failed");
        if (status == QS_LP_OPTIMAL && (mpq_QSget_x_array(lp, x.v.data()) != 0 || mpq_QSget_pi_array(lp, pi.v.data()) != 0))
            throw Error("QSopt_ex: no primal or dual solution");
    }
    if (status == QS_LP_INFEASIBLE) return std::nullopt;
    if (status == QS_LP_UNBOUNDED) throw DomainError("lp_maximize: the programme is unbounded");
    if (status != QS_LP_OPTIMAL) throw Error("QSopt_ex: not solved to optimality (status " + std::to_string(status) + ")");
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

LpCandidate lp_maximize_binary64(const std::vector<Rational>& c, const std::vector<LpRow>& rows,
                                 const std::vector<std::optional<Rational>>& lo,
                                 const std::vector<std::optional<Rational>>& hi) {
    const std::size_t n = c.size();
    if (lo.size() != n || hi.size() != n) throw ShapeError("lp_maximize_binary64: bounds of the wrong size");
    LpCandidate out;
    if (rows.empty()) return out;  // as for lp_maximize: QSopt_ex mishandles it; callers solve it exactly
    ensure_qsopt_started();
    MemoryWindow window;
    dbl_QSprob lp = dbl_QScreate_prob("rigornet", QS_MAX);
    if (!lp) throw Error("QSopt_ex: cannot create a linear programme");
    struct Guard {
        dbl_QSprob p;
        ~Guard() { dbl_QSfree_prob(p); }
    } guard{lp};
    dbl_QSset_param(lp, QS_PARAM_SIMPLEX_DISPLAY, 0);
    for (std::size_t j = 0; j < n; ++j)
        if (dbl_QSnew_col(lp, c[j].to_double(Round::nearest), lo[j] ? lo[j]->to_double(Round::nearest) : dbl_ILL_MINDOUBLE,
                          hi[j] ? hi[j]->to_double(Round::nearest) : dbl_ILL_MAXDOUBLE, nullptr))
            throw Error("QSopt_ex: cannot add a variable");
    std::vector<int> ind;
    std::vector<double> val;
    for (const LpRow& r : rows) {
        const char sense = sparse_row(r, n, ind, "lp_maximize_binary64");
        val.clear();
        for (int j : ind) val.push_back(r.a[static_cast<std::size_t>(j)].to_double(Round::nearest));
        const double rhs = r.rhs.to_double(Round::nearest);
        if (dbl_QSadd_row(lp, static_cast<int>(ind.size()), ind.data(), val.data(), &rhs, sense, nullptr))
            throw Error("QSopt_ex: cannot add a constraint");
    }
    int status = 0;
    if (dbl_QSopt_dual(lp, &status) != 0 || status != QS_LP_OPTIMAL) return out;
    out.x.resize(n);
    out.duals.resize(rows.size());
    if (dbl_QSget_x_array(lp, out.x.data()) != 0 || dbl_QSget_pi_array(lp, out.duals.data()) != 0 ||
        dbl_QSget_objval(lp, &out.value) != 0)
        return LpCandidate{};
    out.optimal = true;
    return out;
}

std::optional<Rational> lp_dual_upper_bound(const std::vector<Rational>& c, const std::vector<LpRow>& rows,
                                            const std::vector<Rational>& y) {
    if (y.size() != rows.size()) throw ShapeError("lp_dual_upper_bound: one dual value per row expected");
    std::vector<Rational> aty(c.size());
    Rational bound;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].sense != '<') throw DomainError("lp_dual_upper_bound: every row must be a <= constraint");
        if (rows[i].a.size() != c.size()) throw ShapeError("lp_dual_upper_bound: a row of the wrong size");
        if (y[i].sign() < 0) return std::nullopt;
        for (std::size_t j = 0; j < c.size(); ++j) aty[j] += y[i] * rows[i].a[j];
        bound += y[i] * rows[i].rhs;
    }
    for (std::size_t j = 0; j < c.size(); ++j)
        if (aty[j] < c[j]) return std::nullopt;
    return bound;
}

}  // namespace rigornet
