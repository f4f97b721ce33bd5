// rigornet — exact rational linear programming (QSopt_ex's exact simplex), and its
// binary64 simplex for candidates that the caller re-checks exactly.
#pragma once
#include <optional>
#include <vector>

#include "rigornet/number/rational.hpp"

namespace rigornet {

/// One constraint a·x (sense) rhs with sense '<' (≤), '>' (≥) or '=' (=).
struct LpRow {
    std::vector<Rational> a;
    char sense = '<';
    Rational rhs;
};

/// An optimal value, an optimal point, and the solver's dual values of the rows (as
/// QSopt_ex reports them; callers that rely on them check them, e.g. as a certificate).
struct LpSolution {
    Rational value;
    std::vector<Rational> x;
    std::vector<Rational> duals;
};

/// max c·x subject to the rows and lo_j ≤ x_j ≤ hi_j (nullopt bound: none), solved by
/// QSopt_ex's exact rational simplex: the value and point are exact rationals (the
/// solver certifies optimality in rational arithmetic). Returns nullopt when the
/// programme is infeasible; throws DomainError when it is unbounded, Error when the
/// solver fails, ShapeError on inconsistent sizes.
/// Memory: QSopt_ex is initialised at the first call; its GMP memory functions (a slab
/// pool that calls exit(1) when memory runs out) are installed only while a call talks to
/// the solver, and the caller's GMP functions are restored after (also on exceptions), so
/// the rest of the program keeps GMP's own allocation and out-of-memory behaviour. An
/// out-of-memory inside the solver ends the process with status 3 (error), never 1.
/// Not thread-safe (GMP's memory functions are process-wide).
std::optional<LpSolution> lp_maximize(const std::vector<Rational>& c, const std::vector<LpRow>& rows,
                                      const std::vector<std::optional<Rational>>& lo,
                                      const std::vector<std::optional<Rational>>& hi);

/// What QSopt_ex's binary64 simplex reports for a programme: a candidate, never a proof.
struct LpCandidate {
    bool optimal = false;  // false: infeasible, unbounded or not solved (all the same here)
    double value = 0;
    std::vector<double> x, duals;
};

/// The programme of lp_maximize with its data rounded to nearest binary64, solved by
/// QSopt_ex's binary64 dual simplex. No guarantee about the exact programme: the point
/// may violate a row and an optimum may be wrong. It is for callers that re-check what
/// it returns in exact arithmetic (a point against every constraint, dual values as an
/// exact combination of the rows) and fall back on lp_maximize when the check fails —
/// cheaper than the exact simplex whenever the check passes. Same sizes, errors, memory
/// and thread-safety rules as lp_maximize (Error only when the solver cannot be set up).
LpCandidate lp_maximize_binary64(const std::vector<Rational>& c, const std::vector<LpRow>& rows,
                                 const std::vector<std::optional<Rational>>& lo,
                                 const std::vector<std::optional<Rational>>& hi);

/// Weak duality for max c·x subject to rows a_i·x ≤ b_i (every sense '<') and x ≥ 0: if
/// y ≥ 0 and Σ_i y_i a_i ≥ c entrywise, then every feasible x has
/// c·x ≤ (Σ_i y_i a_i)·x = Σ_i y_i (a_i·x) ≤ Σ_i y_i b_i (x ≥ 0, y ≥ 0), so y·b is a proved
/// upper bound on the programme's value. Checked exactly; returns y·b when y passes, and
/// nullopt when it does not (then y proves nothing). ShapeError on inconsistent sizes,
/// DomainError for a row whose sense is not '<'.
std::optional<Rational> lp_dual_upper_bound(const std::vector<Rational>& c, const std::vector<LpRow>& rows,
                                            const std::vector<Rational>& y);

}  // namespace rigornet
