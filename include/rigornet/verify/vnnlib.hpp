// rigornet — VNN-LIB properties (VNN-COMP 2021 grammar; DESIGN.md §10). The asserted
// formula describes the UNSAFE set: "sat" (a point satisfying every assertion exists)
// means the property is violated.
#pragma once
#include <string>
#include <vector>

#include "rigornet/core/error.hpp"
#include "rigornet/number/rational.hpp"

namespace rigornet {

/// Σ_i ax[i]·X_i + Σ_j ay[j]·Y_j ≤ rhs (exact rationals; ax has input_dim entries, ay
/// output_dim entries).
struct LinearConstraint {
    std::vector<Rational> ax, ay;
    Rational rhs;
};

/// The property: input box lower ≤ X ≤ upper and unsafe set U = ∪_k ∩ unsafe[k].
struct VnnlibProperty {
    std::vector<Rational> lower, upper;
    std::vector<std::vector<LinearConstraint>> unsafe;
};

/// A property whose input region is unbounded: well-formed, but outside what the forward
/// bounds can decide (verify answers unknown with this reason).
struct UnboundedInputError : ParseError {
    using ParseError::ParseError;
};

/// Reads a VNN-LIB file: declare-const X_i / Y_j Real, assert with <=, >=, and, or over
/// linear terms (variable, literal, +, -, * with one constant factor); literals are read
/// exactly (parse_rational); ';' starts a comment. Top-level assertions mentioning only X
/// with one variable must be bounds (they form the box, intersected); every other
/// assertion is conjoined into U, distributed into disjunctive normal form. An input
/// without a top-level bound on a side gets the loosest over the conjunctions of U of
/// each conjunction's own bound on it (VNN-COMP's test_tiny puts the box inside the
/// disjunction): every point of U satisfies it, so f(box) ∩ U = ∅ ⇔ f(R^n) ∩ U = ∅.
/// The result is exactly the asserted formula (no approximation). ParseError naming
/// file, line and token on malformed text, an input constraint that is not a box bound, or
/// a non-linear term; UnboundedInputError when an input stays unbounded on a side.
VnnlibProperty read_vnnlib(const std::string& path);
/// The same from text; `name` is used in messages.
VnnlibProperty parse_vnnlib(const std::string& text, const std::string& name);

/// The property as independent cases, one per distinct input box: conjunction k's box is
/// p's box tightened by k's own one-variable input bounds (±a·X_i ≤ d); conjunctions with
/// the same box share a case, conjunctions with an empty box are dropped. Within a case,
/// a conjunction loses its constraints on the inputs alone that every point of the case
/// box satisfies (its own one-variable bounds among them; checked exactly), unless that
/// would leave none. Exact and lossless: every point of U_k satisfies k's bounds, so
/// f(box) ∩ U = ∅ ⇔ for every case f(case box) ∩ case U = ∅, a dropped constraint holds
/// throughout its case box, and a point of a case's U in its box is one of p's U in p's
/// box. For a property whose inputs form a disjunction of boxes (ACAS Xu property 6) the
/// cases are the boxes; otherwise usually one case. Empty when no conjunction is satisfiable.
std::vector<VnnlibProperty> input_box_cases(const VnnlibProperty& p);

/// The nonnegative combination Σ_m λ_m·(constraint m) of a conjunction: ax = Σλ_m ax_m,
/// ay = Σλ_m ay_m, rhs = Σλ_m rhs_m (exact). Every point satisfying the conjunction
/// satisfies it (add the inequalities, each scaled by λ_m ≥ 0), so a region on which the
/// combination fails everywhere contains no point of the conjunction (a Farkas /
/// Lagrangian certificate). DomainError when λ has another size than the conjunction, a
/// negative entry (which would reverse an inequality), or is all zero (0 ≤ 0 refutes
/// nothing).
LinearConstraint combine(const std::vector<LinearConstraint>& conj, const std::vector<Rational>& lambda);

/// True iff (x, y) satisfies every constraint of the conjunction (exact).
bool satisfies(const std::vector<LinearConstraint>& conj, const std::vector<Rational>& x,
               const std::vector<Rational>& y);

}  // namespace rigornet
