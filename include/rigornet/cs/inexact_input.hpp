// rigornet — the inexact-input family of the impossibility theorem (seed 003, "Impossible
// in general"; Colbrook, Antun & Hansen, PNAS 2022, Table 1): two SR-LASSO problems
// within 2^−n of each other whose minimisers are about 3·10^−K apart, built and proved
// exactly, with the rational inexact input (A_n, y_n) that FIRENET is run on.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "rigornet/number/ball.hpp"
#include "rigornet/core/verdict.hpp"
#include "rigornet/number/sqrt2_field.hpp"

namespace rigornet {

/// The family's parameters: accuracy K ≥ 1, perturbation exponent n ≥ 1, dimensions
/// N1 ≥ 2 and N2 ≥ 1 (unknowns N1 + N2, measurements N2 + 1), δ ∈ (0, 1/4), λ ∈ (0, 1].
/// Defaults are the published script's: N1 = 2, N2 = 20 (A is 21×22), δ = 1/6, λ = 1.
struct InexactParams {
    int K = 1;
    long n = 10;
    std::size_t N1 = 2, N2 = 20;
    Rational delta{1, 6}, lambda{1};
};

/// Member j (1 ≤ j ≤ N1) before the orthonormal DCT D, exactly. With g = γ₁λ =
/// √2(1−δ)10^K/3, ρ = 1−δ, ε = 2^−n−1, c = ε/g, t = cρ²/(1 + cρ), ρ_min = ρ − t:
/// the first row of M_j is a = (g/ρ, …, g/ρ_min (entry j), …, g/ρ) on the first N1
/// coordinates, rows 2…N2+1 are ‖a‖·I on the last N2; y = e₁. The problem is
/// (A_j, y) = (D M_j, D e₁); the stated minimiser is x* = (ρ_min/g)·e_j.
/// Every number lies in Q(√2) except ‖a‖ (only ‖a‖² is kept; the certificate never needs
/// ‖a‖ itself: x* and the dual vector vanish on its block). Note ρ_min = ρ/(1 + cρ), so
/// a_j = g/ρ + ε exactly (checked in tests).
struct InexactMember {
    std::size_t j = 1;
    std::vector<QSqrt2> a;   // the first N1 entries of the first row
    QSqrt2 norm_a_sq;        // ‖a‖²
    QSqrt2 x_star;           // the non-zero entry ρ_min/g of the stated minimiser, at j
};
/// DomainError for parameters outside their ranges.
InexactMember inexact_member(const InexactParams& p, std::size_t j);

struct MinimiserCheck {
    Verdict verdict = Verdict::unknown;
    std::string reason;
};

/// Decides whether x (N1 + N2 exact entries in Q(√2)) minimises F(z) = λ‖z‖₁ +
/// ‖A_j z − y‖₂ over R^{N1+N2}, exactly. D is orthogonal (the orthonormal DCT-II), so F
/// equals λ‖z‖₁ + ‖M_j z − e₁‖₂ and the check runs on M_j. With z = (u, v), v the last N2:
///  - v = 0, r₁ = a·u − 1 ≠ 0: F is differentiable in its second term, ∂F(x) =
///    λ∂‖x‖₁ + sign(r₁)(a, 0); proved iff 0 lies in it (a_i = λ, sign(u_i) = −sign(r₁) on
///    the support, a_i ≤ λ off it), refuted otherwise.
///  - v = 0, r₁ = 0: ∂‖M·−e₁‖(x) = {Mᵀw : ‖w‖₂ ≤ 1}; with w = (ω, w′), Mᵀw = (ωa, ‖a‖w′)
///    and w′ = 0 is no loss (it only spends norm), so 0 ∈ ∂F(x) iff one ω with |ω| ≤ 1
///    has ωa_i = −λ sign(u_i) on the support of u and |ωa_i| ≤ λ off it. Proved with the
///    certificate w = ω D e₁, or refuted.
///  - v ≠ 0: refuted when F(x) ≥ λ‖x‖₁ + |r₁| > 1 = F(0) (‖r‖₂ ≥ |r₁|), else unknown.
/// For x = x* of this member the second case proves it (ω = −λ/a_j, |ω| < 1 since
/// a_j > λ, and a_i < a_j off j). It is then the unique minimiser: F(u, v) > F(u, 0)
/// for v ≠ 0; |a·u| ≤ a_j‖u‖₁ with equality only on multiples of e_j (a_i < a_j for
/// i ≠ j); and s ↦ λ|s|/a_j + |s − 1| has its unique minimum at s = 1 (λ/a_j < 1).
MinimiserCheck check_minimiser(const InexactParams& p, const InexactMember& m, const std::vector<QSqrt2>& x);

/// The orthonormal DCT-II of size m, D_kl = c_k cos(πk(2l+1)/(2m)), c_0 = √(1/m),
/// c_k = √(2/m) (D orthogonal: DᵀD = I), as Arb balls, row-major.
std::vector<Ball> dct_matrix(std::size_t m, long prec);

/// The two problems and the inexact input. (A, y) is member 1, (A′, y′) member 2 (y′ = y);
/// (A_n, y_n) are exact rationals: the entries of A′ = D M_2 and of y = D e₁ enclosed in
/// balls and rounded to multiples of 2^−(n+8).
struct InexactInstance {
    InexactParams params;
    InexactMember first, second;
    std::size_t rows = 0, cols = 0;  // N2 + 1, N1 + N2
    std::vector<Rational> An, yn;    // row-major A_n, and y_n
    /// ‖A − A′‖₂ = ‖M_1 − M_2‖₂ = √2·|a¹_1 − a²_1| (D orthogonal; M_1 − M_2 is zero but for
    /// (ε′, −ε′) in its first row, rank one), with ε′ = a¹_1 − a²_1 exact (= ε).
    QSqrt2 row_gap;
    /// Upper bounds (exact rationals): ‖A′ − A_n‖_F ≥ ‖A′ − A_n‖₂ and ‖y − y_n‖₂, from the
    /// balls of the entries (every true entry lies in its ball).
    Rational approx_A, approx_y;
    /// max(‖A − A_n‖₂, ‖y − y_n‖₂) ≤ max(√2|ε′| + approx_A, approx_y) (triangle
    /// inequality), rounded up; also ≥ max(‖A′ − A_n‖₂, ‖y′ − y_n‖₂). The theorem wants ≤ 2^−n.
    Rational perturbation;
};
InexactInstance make_inexact_instance(const InexactParams& p, long prec = 256);

/// The stated minimisers as vectors in Q(√2) (x*·e_j), and their distance: ‖x*¹ − x*²‖₂ =
/// √2·x* (both members have the same x*), enclosed.
std::vector<QSqrt2> stated_minimiser(const InexactParams& p, const InexactMember& m);
Ball minimiser_separation(const InexactInstance& inst, long prec);

}  // namespace rigornet
