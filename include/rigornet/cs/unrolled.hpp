// rigornet — networks from unrolled compressed-sensing solvers (DESIGN.md §5–6, seed 003):
// FIRENET (restarted ergodic primal–dual on weighted square-root LASSO), its unrestarted
// variant, ISTA and FISTA on LASSO, Chambolle–Pock on basis pursuit. Every weight is an
// exact rational; the measurement operator enters as a structured operator (never a
// matrix). The same network evaluates exactly (when A is rational, e.g. Walsh/Haar),
// in balls, or in double.
#pragma once
#include <string>
#include <vector>

#include "rigornet/network/network.hpp"
#include "rigornet/linalg/structured.hpp"

namespace rigornet {

/// y = A z + e with z the sparse coefficients (e.g. Haar) and x = synthesis·z the signal.
struct CsProblem {
    OperatorPtr A;                  // M × N (realified for Fourier: M = 2m)
    OperatorPtr synthesis;          // N' × N, coefficients → signal (W⁻¹)
    std::vector<Rational> weights;  // w_i > 0 of the weighted ℓ1 norm, one per coefficient (empty: all 1)
    Rational norm_A{1};             // L_A ≥ ‖A‖₂ (1 when U, W orthonormal)
    bool complex = false;           // coefficients complex, stored (re_1…re_n, im_1…im_n)
    bool A_orthonormal_rows = false;  // AAᵀ = I exactly (subsampled orthonormal U, orthonormal W)
};

enum class Solver { firenet, primal_dual, ista, fista, cp_bp, nesta };
Solver parse_solver(const std::string& name);  // firenet|pd|ista|fista|cp-bp|nesta; ParseError else
std::string solver_name(Solver s);

struct SolverParams {
    Solver solver = Solver::firenet;
    int restarts = 5;   // n: FIRENET restarts (depth is linear in n)
    int inner = 20;     // p: iterations per restart (FIRENET), or total iterations (others)
    Rational tau{1}, sigma{1};        // primal–dual steps, τσL_A² ≤ 1; ISTA/FISTA step τ ≤ 1/L_A²
    Rational lambda{1, 4000};         // λ (0.00025)
    Rational nu{3678794412, 10000000000};  // ν ∈ (0,1), ≈ e^−1 (any rational in (0,1) works)
    Rational delta{1, 1000000000};    // δ
    Rational eps0{1};                 // ε_0: an upper bound on ‖y‖₂ (a hyper-parameter)
    Rational theta{1, 1L << 40};      // θ of the sqrt_θ in the projection gates
    Rational mu{1, 1000};             // NESTA smoothing μ
    Rational noise{1, 1000000000};    // NESTA ε > 0 of the constraint ‖Az − y‖₂ ≤ ε
    std::vector<Rational> x0;         // warm start ψ_0 of FIRENET / pd (empty: 0), one value per real unknown
};

/// The network of the solver for `problem` (input y ∈ R^M, output the signal).
///  FIRENET: for j = 1…n, ε_j = ν(δ + ε_{j−1}), α_j = 2L_A/(ε_j p); the inner block runs p
///   primal–dual steps on b = α_j y from x_0 = α_j ψ_{j−1}, y_0 = 0, and ψ_j is its
///   ergodic average divided by α_j. Each step is three affine layers (soft threshold by
///   ReLUs; dual update with squares; projection onto the unit ball by a sqrt_θ gate
///   f(u) = 1/max(1, sqrt_θ(u)) = min(1, 1/sqrt_θ(u))), one restart layer per restart.
///   The first restart starts from x_0 = α_1 ψ_0 with ψ_0 = params.x0 (a constant of the
///   first layer; 0 when x0 is empty).
///  primal_dual: one block of p steps with α = 1 (the unrestarted network), from x_0 = x0.
///  ista / fista: z ← S_{τλw}(w − τAᵀ(Aw − y)) with w = z (ISTA) or the momentum
///   w = z_k + (k−1)/(k+2)(z_k − z_{k−1}) (FISTA, the rational Chambolle–Dossal rule).
///  cp_bp: Chambolle–Pock on min ‖z‖_{1,w} s.t. Az = y; output the last iterate.
///  nesta: NESTA (Becker–Bobin–Candès 2011) on min ‖z‖_{1,w} s.t. ‖Az − y‖₂ ≤ ε with the
///   Huber smoothing μ: ∇f_μ(x) = clip(x/μ, −w, w) = t − ReLU(t − w) + ReLU(−t − w),
///   t = x/μ; y_k = P(x_k − μ∇_k), z_k = P(x_0 − μ Σ_{i≤k} (i+1)/2 ∇_i), x_{k+1} =
///   τ_k z_k + (1 − τ_k) y_k, τ_k = 2/(k+3), x_0 = Aᵀy; output y_K. The projection onto
///   {‖Ax − y‖ ≤ ε} uses AAᵀ = I: P(q) = q − Aᵀ(c·r), r = Aq − y, c = max(0, s − ε)/
///   max(s, ε), s = sqrt_θ(‖r‖²) (a gate). Needs real coefficients and AAᵀ = I exactly
///   (e.g. Walsh sampling; not the realified real-input DFT): DomainError otherwise.
/// Soft thresholding uses S_t(u) = u + t − ReLU(u + t) + ReLU(u − t) (exact identity);
/// for complex coefficients a gate per coordinate multiplies u_i by
/// max(0, s − t_i)/max(s, t_i), s = sqrt_θ(|u_i|²) (= max(0, 1 − t_i/|u_i|) up to θ),
/// one gate group per layer sharing that expression with t_i as its parameter.
/// Storage and build time are O(N + depth): every threshold layer shares one bias (runs
/// of t = scale·w over the Haar levels), index sets are ranges, operators are shared.
/// Throws DomainError for parameters outside their ranges (τσL_A² > 1, ν ∉ (0,1), …) and
/// for x0 given to another solver; ShapeError if x0 has not A's number of columns.
Network build_unrolled(const CsProblem& problem, const SolverParams& params);

/// Layers of the network that realise one solver iteration (for depth reports); the
/// complex soft threshold adds two (real: affine, ReLU; complex: affine, squares, an
/// affine sum, the gates). The whole network has, with L this count and p = inner:
/// firenet 2 + (restarts − 1) + L·restarts·p (initial state, restarts, output);
/// pd, cp_bp, nesta 2 + L·p (initial state, output); ista, fista 1 + L·p (output).
int layers_per_iteration(Solver s, bool complex = false);

}  // namespace rigornet
