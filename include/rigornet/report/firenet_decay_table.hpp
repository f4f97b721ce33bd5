// rigornet — the table and plot of FIRENET's decay in the number of restarts: the rows
// computed by cs/firenet_decay.hpp, laid out for every table format and as a plot.
#pragma once
#include <vector>

#include "rigornet/cs/firenet_decay.hpp"
#include "rigornet/report/plot.hpp"
#include "rigornet/report/table.hpp"

namespace rigornet {

/// The rows as a Table: restarts, layers, bits, error and relative_error (JSON: [lo, hi]
/// rounded outward to 10 significant digits), error_vs_minimiser (the error again when
/// `minimiser` is proved — x is then the minimiser —, else null), ratio, nu_n (exact rational and a decimal
/// rounded up), the three terms, bound (JSON null) with bound_reason, constant_needed.
/// Notes state the problem, the theorem and the constants assumed.
Table firenet_decay_table(const DecayProblem& pb, const std::vector<DecayRow>& rows, const MinimiserCertificate& minimiser);

/// The decay plot: the error enclosures against n on a log axis, with ν^n and ν^n·C₁
/// (C₁ the upper end of row 1's constant_needed: the theorem's curve through the first
/// row, a reference line, not a bound); every y an outward-rounded double. A row whose
/// error enclosure is infinite or reaches 0 is left out of the error series.
Plot firenet_decay_plot(const std::vector<DecayRow>& rows);

}  // namespace rigornet
