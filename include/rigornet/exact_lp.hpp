// rigornet — exact rational linear programming (QSopt_ex's exact simplex).
#pragma once
#include <optional>
#include <vector>

#include "rigornet/rational.hpp"

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
std::optional<LpSolution> lp_maximize(const std::vector<Rational>& c, const std::vector<LpRow>& rows,
                                      const std::vector<std::optional<Rational>>& lo,
                                      const std::vector<std::optional<Rational>>& hi);

}  // namespace rigornet
