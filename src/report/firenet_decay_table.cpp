// The table and plot of FIRENET's decay (firenet_decay_table.hpp).
#include "rigornet/report/firenet_decay_table.hpp"

namespace rigornet {

namespace {

std::string down(const Ball& b) { return to_decimal(b.lower(), 10, Round::down); }
std::string up(const Ball& b) { return to_decimal(b.upper(), 10, Round::up); }

// An enclosure: text "[lo, hi]", CSV the same, JSON the array ["lo", "hi"] (decimal
// strings, outward); an infinite ball (no claim) is "unknown" / null.
Cell enclosure_cell(const Ball& b) {
    if (!b.is_finite()) return Cell("unknown", "", "null");
    const std::string lo = down(b), hi = up(b);
    return Cell::interval(lo, hi);
}

const char* bound_reason =
    "the theorem holds up to a constant C from the rNSP-in-levels constants (rho, gamma) of A, which hold with "
    "probability >= 1 - eps_P under the sampling condition; they are not explicit (and not computable for a given A "
    "in general), so no numeric bound is claimed; constant_needed encloses the smallest C for which this row's inequality "
    "holds";

}  // namespace

Table firenet_decay_table(const DecayProblem& pb, const std::vector<DecayRow>& rows, const MinimiserCertificate& minimiser) {
    Table t;
    const std::size_t side = pb.setup.shape.dims[0];
    t.title = "FIRENET error against restarts n (seed 003, [CAH22]), " + std::to_string(side) + "x" + std::to_string(side) +
              " Walsh, balls";
    t.keys = {"restarts", "layers",   "bits",  "error",      "relative_error",  "error_vs_minimiser", "ratio", "nu_n",
              "sparsity_term", "noise_term", "bound", "bound_reason", "constant_needed"};
    t.headers = {"n", "layers", "bits", "||phi_n(y) - x||", "relative", "vs minimiser", "ratio to n-1", "nu^n",
                 "sigma/(sqrt s sqrt r)", "r^(1/4)||Ax - y||", "bound", "why no bound", "C needed"};
    for (const DecayRow& r : rows) {
        const auto integer = [](auto v) { return Cell(std::to_string(v), std::to_string(v), std::to_string(v)); };
        t.add_row({integer(r.restarts), integer(r.layers), integer(r.bits), enclosure_cell(r.error),
                   enclosure_cell(r.relative_error), minimiser.proved ? enclosure_cell(r.error) : Cell("-", "", "null"),
                   r.has_ratio ? enclosure_cell(r.ratio) : Cell("-", "", "null"),
                   Cell(to_decimal(r.nu_n, 10, Round::up), r.nu_n.str()), enclosure_cell(r.sparsity),
                   enclosure_cell(r.noise), Cell("none", "", "null"), Cell("see notes", bound_reason),
                   enclosure_cell(r.constant_needed)});
    }
    std::size_t s = 0;
    for (auto v : pb.setup.sparsities) s += v;
    t.notes = {
        "signal: x = W^-1 z, z exactly sparse in Haar levels (s = sum s_j = " + std::to_string(s) +
            ", s_j the nonzeros on level j, at least 1), " +
            std::to_string(pb.setup.omega.size()) + " exact Walsh samples (so ||Ax - y|| = 0 and sigma = 0 exactly)",
        "network: FIRENET, p = " + std::to_string(pb.params.inner) + " steps per restart, lambda = " + pb.params.lambda.str() +
            ", nu = " + pb.params.nu.str() + ", eps_0 = " + to_decimal(pb.params.eps0, 10, Round::up) +
            " >= ||y||; evaluated in Arb balls on the exact y (bits: the precision used)",
        "error: the absolute l2 error over the pixels, enclosed; relative = error/||x||; ratio = error_n/error_(n-1)",
        "theorem: ||phi_n(y) - x|| <= C (sigma_{s,M}(Wx)_{l1w}/(sqrt s sqrt r) + nu^n + r^(1/4)||Ax - y||)",
        std::string("bound: null because ") + bound_reason + " (error/(sum of the terms), enclosed)",
        minimiser.proved
            ? "minimiser: z = Wx is proved the unique minimiser of lambda||z||_{1,w} + ||Az - y|| (exact dual certificate on |S| = " +
                  std::to_string(minimiser.support) + ": max off-support |xi_i|/w_i = " +
                  to_decimal(minimiser.off_support_max, 6, Round::up) + " < 1, lambda^2||v||^2 = " +
                  to_decimal(minimiser.dual_norm_sq, 6, Round::up) + " < 1), so the error against x is the error against the minimiser"
            : "minimiser: not certified (" + minimiser.reason + "): error_vs_minimiser is null, the error is against x only"};
    return t;
}

Plot firenet_decay_plot(const std::vector<DecayRow>& rows) {
    Plot p;
    p.title = "FIRENET: error against restarts (enclosures)";
    p.xlabel = "restarts n";
    p.ylabel = "||phi_n(y) - x||_2";
    p.log_y = true;
    PlotSeries err{"measured error (ball enclosure)", {}, true, true, true};
    PlotSeries nu{"nu^n (theorem's iteration term)", {}, true, false, false};
    PlotSeries ref{"C_1 nu^n (through n = 1; not a bound)", {}, true, false, false};
    const bool have_c1 = !rows.empty() && rows[0].constant_needed.is_finite();
    const Rational c1 = have_c1 ? rows[0].constant_needed.upper() : Rational(0);
    for (const DecayRow& r : rows) {
        const auto x = static_cast<double>(r.restarts);
        // an enclosure reaching 0 (or infinite) cannot be drawn on a log axis: left out
        if (r.error.is_finite() && r.error.lower().sign() > 0)
            err.points.push_back({x, r.error.lower().to_double(Round::down), r.error.upper().to_double(Round::up)});
        nu.points.push_back({x, r.nu_n.to_double(Round::down), r.nu_n.to_double(Round::up)});
        if (have_c1) ref.points.push_back({x, (c1 * r.nu_n).to_double(Round::down), (c1 * r.nu_n).to_double(Round::up)});
    }
    p.series = {err, nu};
    if (have_c1) p.series.push_back(ref);
    return p;
}

}  // namespace rigornet
