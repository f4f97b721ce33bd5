// rigornet — PNAS 2022 Table 1 (seed 003, inexact input) reproduced with proofs: FIRENET
// run in ball arithmetic on the rational inexact input (A_n, y_n) of the family of
// inexact_input.hpp, against the proved minimisers of the two exact problems.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "rigornet/cs/inexact_input.hpp"
#include "rigornet/report/plot.hpp"
#include "rigornet/report/table.hpp"

namespace rigornet {

/// FIRENET's settings (the published script's): p = 50 inner iterations, 30 restarts,
/// δ = 10^−6, unit weights, ε₀ ≥ ‖y_n‖ (rounded up), τ = σ = (1 − 10^−4)/U with U ≥ ‖A_n‖₂
/// proved (norm_upper), λ of the family, ν ≈ e^−1 (SolverParams' default).
struct InexactRunOptions {
    int inner = 50, restarts = 30;
    Rational delta{1, 1000000};
    /// First ball precision (0: max(256, 12·p·restarts), what the radii growth of about
    /// 7–8 bits per primal–dual step measured here needs); doubled up to max_bits until the
    /// radii are below 2^−accuracy_bits (evaluate_ball_adaptive).
    long start_bits = 0, max_bits = 1L << 16;
    long accuracy_bits = 40;                             // output radii below 2^−accuracy_bits
    std::function<void(const std::string&)> progress;    // a line per finished row (optional)
    std::function<bool()> stop;                          // asked before each row: true stops the table there
};

struct InexactRow {
    InexactInstance inst;
    MinimiserCheck first, second;  // x* of (A, y) and of (A′, y′)
    Ball separation;               // ‖Ξ(A, y) − Ξ(A′, y′)‖₂
    Rational norm_upper;           // U ≥ ‖A_n‖₂
    Ball distance;                 // ‖Φ(A_n, y_n) − Ξ(A, y)‖₂, Φ the FIRENET output (enclosed)
    Ball distance_second;          // ‖Φ(A_n, y_n) − Ξ(A′, y′)‖₂
    Ball script_step_product;      // τσ‖A_n‖² with the published script's τ = σ = √(1/‖A_n‖) − 10^−4
    long bits = 0;                 // ball precision of the evaluation
};

/// One row: builds the instance, checks both minimisers exactly, runs FIRENET on (A_n, y_n)
/// in balls (every output ball contains the exact network output: evaluate_ball_adaptive),
/// and encloses the distances (l2_distance keeps containment). Ξ(A, y) is a single point,
/// so d(Φ, Ξ(A, y)) is the distance to it: the minimiser is unique (check_minimiser).
InexactRow run_inexact_row(const InexactParams& p, const InexactRunOptions& o);

/// The table, one row per (K, n) in the order given: K, n, distance (enclosure of
/// d(Φ(A_n, y_n), Ξ(A, y))), distance_second, separation (enclosure), perturbation (proved
/// ≥ max(‖A − A_n‖, ‖y − y_n‖)), 10^−K, and the verdicts. Appends to *failures (when given)
/// each claim that could not be proved: both minimisers certified, perturbation ≤ 2^−n,
/// separation > 2·10^−K (so for every output one of the two distances is > 10^−K: no
/// algorithm reading only (A_n, y_n) has K digits on both problems), and FIRENET's
/// distance > 10^−K (it misses K digits on (A, y)) and < 10^(1−K) (it has K − 1).
/// When o.stop() says so before a row, the rows done so far are returned with a note
/// saying where it stopped (*stopped set, when given).
Table inexact_input_table(const std::vector<int>& Ks, const std::vector<long>& ns, const InexactParams& base,
                          const InexactRunOptions& o, std::vector<std::string>* failures, bool* stopped = nullptr);

/// The plot of an inexact_input_table (its `--plot`): per K, FIRENET's distance
/// d(Φ(A_n, y_n), Ξ(A, y)) against n (the enclosure from the table's cell, its decimal
/// ends converted outward: lo rounded down, hi up, so the drawn bar still encloses the
/// proved interval) on a log axis, beside the constant 10^−K (markers, no bars);
/// the claim is that the distance lies between 10^−K and 10^(1−K). Rows whose distance
/// is not a finite enclosure with a positive lower end are left out (no point on a log
/// axis). ParseError for a table without the columns K, n, distance.
Plot inexact_input_plot(const Table& t);

}  // namespace rigornet
