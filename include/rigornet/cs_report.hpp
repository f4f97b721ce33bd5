// rigornet — certified quantities of a reconstruction (end of DESIGN.md §6): the
// measured error and the terms of the "Stable Neural Networks Exist" bound, each as
// a ball that contains the true value.
#pragma once
#include <span>
#include <vector>

#include "rigornet/cs_problem.hpp"

namespace rigornet {

/// Encloses ‖a − b‖₂ for balls a and exact rationals b (ball subtraction, sum of
/// squares, arb_sqrtpos: containment is kept at every step).
Ball l2_distance(std::span<const Ball> a, std::span<const Rational> b, long prec);
/// Encloses ‖a − b‖₂ for two ball vectors (each point of a minus each point of b).
Ball l2_distance(std::span<const Ball> a, std::span<const Ball> b, long prec);
/// Encloses ‖b‖₂ of exact rationals.
Ball l2_norm(std::span<const Rational> b, long prec);

/// σ_{s,M}(c)_{ℓ1_w} = min over (s, M)-sparse z of ‖c − z‖_{1,w}: per level j, the
/// weighted ℓ1 mass of c outside its s_j largest entries (in |c_i|·w_i order, which is
/// the minimiser since the weights are constant on levels). Exact.
/// `levels` gives the level (1…L) of each coefficient, `weights` w_i (empty: 1).
Rational sigma_sparse_in_levels(std::span<const Rational> c, const std::vector<int>& levels,
                                const std::vector<std::size_t>& s, const std::vector<Rational>& weights);

/// The theorem's terms for a signal x (exact) and network input y (exact), in balls:
struct TheoremTerms {
    Ball sparsity;         // σ_{s,M}(Wx)_{ℓ1_w} / (√s·√r), s = Σ s_j, r = number of levels
    bool has_sparsity = false;  // false for complex problems (not computed)
    Ball measurement;      // ‖A z − y‖₂ with z = W x and A the network's operator
    Ball operator_effect;  // ‖(A − A_true) z‖₂: 0 unless A is a rational approximation A_n
    Rational iteration;    // ν^n for FIRENET (the e^−n term with ν = e^−1), L_A/n otherwise
};
/// x is (Re | Im) for complex setups. Throws DomainError if x has the wrong size.
TheoremTerms theorem_terms(const CsSetup& setup, const SolverParams& params, std::span<const Rational> x,
                           std::span<const Rational> y, long prec);

}  // namespace rigornet
