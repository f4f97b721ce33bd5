// Private to the Lipschitz module: strict feasibility of a polyhedron by QSopt_ex's
// exact rational simplex.
#pragma once
#include <optional>
#include <vector>

#include "rigornet/lipschitz.hpp"

namespace rigornet::detail {

/// One constraint g(x) = a·x + c, to be made strictly positive.
struct AffineForm {
    std::vector<Rational> a;
    Rational c;
};

/// Maximises t subject to g_k(x) ≥ t for every form, x_i − lo_i ≥ t and hi_i − x_i ≥ t
/// on a box domain, and t ≤ 1, exactly (QSopt_ex, rational simplex). Returns the optimal
/// x when t* > 0 — then every g_k(x) > 0 and x is interior to the box; the caller
/// re-checks this exactly — and nullopt when t* ≤ 0 (no point satisfies all strictly).
/// Throws Error if the solver fails.
std::optional<std::vector<Rational>> strictly_feasible_point(const std::vector<AffineForm>& forms, const Domain& d,
                                                             std::size_t n);

}  // namespace rigornet::detail
