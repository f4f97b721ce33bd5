// rigornet — FIRENET's convergence in the number of restarts, certified (DESIGN.md §6,
// seed 003 "Stable Neural Networks Exist", [CAH22]): for n = 1 … max_restarts the
// network φ_n with n restarts is evaluated in balls on the exact measurements of an
// exactly sparse Walsh problem, and each row holds the enclosed error beside the
// theorem's right-hand-side terms, each enclosed or exact.
//
// The theorem (as stated in seed 003; [CAH22] Theorem 2 for FIRENET with the e^−n term):
//   ‖φ_n(y) − x‖₂ ≲ σ_{s,M}(Wx)_{ℓ1_w}/(√s·√r) + ν^n + r^{1/4}‖Ax − y‖₂,
// with probability ≥ 1 − ε_P over the multilevel sampling when m_k ≳ M(s, k)·L. The
// implied constant C comes from the robust null space property in levels (constants
// ρ, γ) of A, which holds with that probability but whose constants are not explicit,
// and deciding it for a given A is NP-hard in general: so no row has a numeric bound
// (`bound` null, with the reason), the terms are given enclosed, and `constant_needed`
// encloses the smallest C for which this row's inequality holds — bounded in n when the
// theorem's rate is observed. The rows' table and plot are in the report layer
// (report/firenet_decay_table.hpp).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rigornet/number/ball.hpp"
#include "rigornet/cs/cs_problem.hpp"

namespace rigornet {

struct DecayOptions {
    std::size_t side = 16;     // image side n (a power of two ≥ 4): N = n² unknowns
    double rate = 0.5;         // Walsh sampling rate
    std::uint64_t seed = 1;    // sampling pattern and signal
    int inner = 20;            // p, steps per restart
    Rational lambda{1, 200};   // λ of the SR-LASSO
    Rational nu{3678794412, 10000000000};  // ν ≈ e^−1
};

/// The problem: z exactly sparse in Haar levels (every coefficient of level 1 and about
/// 2 % of the others, drawn from `seed`, values k/8 with k ∈ [−8, 8]), x = W⁻¹z computed
/// exactly (2-D Haar has dyadic entries), Walsh measurements y = P_Ω U x computed exactly
/// (so ‖Ax − y‖ = 0), sparsities s_j counted on z exactly (so σ_{s,M}(Wx) = 0), weights
/// √(s/s_j) within θ, ε_0 ≥ ‖y‖₂ (sqrt_θ(‖y‖²) + θ, θ = 2^−20, a proved upper bound).
/// The theorem's hypotheses that can be arranged exactly are: zero noise, exact sparsity.
struct DecayProblem {
    CsSetup setup;
    SolverParams params;
    std::vector<Rational> x, y;
};
/// DomainError for a side that is not a power of two in [4, 256], a rate outside (0, 1].
DecayProblem firenet_decay_problem(const DecayOptions& o);

/// A proof that z = Wx is the unique minimiser of the network's problem
///   F(u) = λ‖u‖_{1,w} + ‖Au − y‖₂   (A, w: setup.problem; λ: params.lambda),
/// so that the error against x is also the error against the minimiser.
/// The certificate (exact rationals): S = supp z, g_S = w_S·sign(z_S), c the solution of
/// A_Sᵀ A_S c = g_S (A_S injective), v = A_S c, ξ = Aᵀv. Then ξ_S = g_S, and if
/// |ξ_i| < w_i off S and λ²‖v‖² < 1, z is the unique minimiser. Why: for u = z + h,
/// λ‖z + h‖_{1,w} ≥ λ‖z‖_{1,w} + λ⟨ξ, h⟩ + λΣ_{i∉S}(w_i − |ξ_i|)|h_i| (ξ_S is a
/// subgradient on S) and λ⟨ξ, h⟩ = λ⟨v, Ah⟩ ≥ −λ‖v‖‖Ah‖ ≥ −‖Ah‖ = −‖Au − y‖ (Az = y), so
/// F(u) ≥ F(z) + λΣ_{i∉S}(w_i − |ξ_i|)|h_i| + (1 − λ‖v‖)‖Ah‖, which is > F(z) unless
/// h_{S^c} = 0 and Ah = 0, i.e. h = 0 (A_S injective). Needs Az = y exactly (checked).
struct MinimiserCertificate {
    bool proved = false;
    std::string reason;          // why not proved (empty when proved)
    std::size_t support = 0;     // |S|
    Rational off_support_max;    // max_{i∉S} |ξ_i|/w_i (< 1 needed; 0 when S is everything)
    Rational dual_norm_sq;       // λ²‖v‖² (< 1 needed)
};
/// Computes the certificate exactly (|S| + 1 exact applications of A, one of Aᵀ, an
/// exact |S|×|S| solve). DomainError if A cannot be applied exactly (not Walsh).
MinimiserCertificate certify_minimiser(const DecayProblem& pb);

struct DecayRow {
    int restarts = 0;
    std::size_t layers = 0;
    long bits = 0;              // ball precision that gave `error`
    Ball error;                 // ‖φ_n(y) − x‖₂ (absolute, ℓ2 over the N pixels)
    Ball relative_error;        // error / ‖x‖₂
    bool has_ratio = false;     // false for the first row
    Ball ratio;                 // error_n / error_{n−1}
    Rational nu_n;              // ν^n, exact
    Ball sparsity;              // σ_{s,M}(Wx)_{ℓ1_w}/(√s·√r)   (theorem_terms)
    Ball noise;                 // r^{1/4}·‖Ax − y‖₂             (r^{1/4} by arb_root_ui)
    Ball constant_needed;       // error / (sparsity + ν^n + noise)
};

/// Evaluates φ_1 … φ_max_restarts in balls (evaluate_ball_adaptive from the precision
/// suggested by initial_ball_bits up to 2^16 bits, outputs accurate to 2^−40) and
/// returns one row per n. Why each is an enclosure: the network's outputs are balls
/// containing the exact outputs for the exact y (BallArith), l2_distance and l2_norm
/// keep containment, ratio and constant_needed are arb_div of enclosures (infinite, i.e.
/// no claim, if a divisor's ball contains 0); the terms are theorem_terms' enclosures;
/// ν^n is exact. `on_row`, if set, is called after each row; returning false stops
/// (time limits, Ctrl-C): the rows so far are returned. DomainError if max_restarts < 1.
std::vector<DecayRow> firenet_decay(const DecayProblem& pb, int max_restarts,
                                    const std::function<bool(const DecayRow&)>& on_row = {});

}  // namespace rigornet
