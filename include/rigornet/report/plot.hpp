// rigornet — plots of the tables with a curve in them (DESIGN.md §1): a description of a
// line/scatter plot whose y values are enclosures [lo, hi], its axes (ranges, decade
// ticks on log axes), and writers for PNG and PDF (Cairo), PGFPlots (a standalone .tex
// for the paper) and the CSV of the data behind it.
//
// A plot is a picture of numbers that were certified elsewhere: the writers never round
// the data they are given. Whoever fills a Plot from balls converts outward (lo rounded
// down, hi rounded up: to_double(Round::down / Round::up)), so the CSV and the .tex hold
// doubles that still enclose the certified quantity; the PNG/PDF only draw them.
#pragma once
#include <string>
#include <vector>

#include "rigornet/imaging/image.hpp"
#include "rigornet/report/table.hpp"

namespace rigornet {

/// One point: abscissa x, ordinate known to lie in [lo, hi] (lo == hi for a value
/// known exactly as a double, or for an estimate drawn as a point).
struct PlotPoint {
    double x = 0, lo = 0, hi = 0;
};

/// A named series. Drawn as a polyline through the midpoints (line), a marker at each
/// midpoint (markers), and a vertical bar from lo to hi with caps (error_bars).
struct PlotSeries {
    std::string name;
    std::vector<PlotPoint> points;
    bool line = true, markers = true, error_bars = true;
};

/// A plot. With `x_categories` non-empty the x axis is categorical: point x = k
/// (1 ≤ k ≤ number of categories) is shown at the k-th label, and log_x is refused.
/// Labels and names should be ASCII (the .tex must compile with plain pdflatex; other
/// characters are written as "(U+XXXX)" there, as in the LaTeX tables).
struct Plot {
    std::string title, xlabel, ylabel;
    bool log_x = false, log_y = false;
    std::vector<std::string> x_categories;
    std::vector<PlotSeries> series;
    int width = 800, height = 560;  // pixels of the PNG; the PDF uses the same size in points
};

/// The extent of an axis and its ticks (data coordinates, increasing).
struct AxisRange {
    double lo = 0, hi = 1;
    std::vector<double> ticks;
};

/// An axis covering the data interval [dmin, dmax] (dmin ≤ dmax, finite).
/// Log: lo = 10^⌊log10 dmin⌋, hi = 10^⌈log10 dmax⌉ (one decade more on each side when
/// they coincide), ticks every decade — every k-th decade when there are more than 10,
/// k the smallest that leaves at most 10 — each an exact power of ten as a double
/// (std::pow(10, k)); DomainError unless 0 < dmin. Linear: a step 1, 2 or 5 × 10^k
/// giving 4 to 12 intervals, lo and hi the multiples of the step around the data
/// (an interval narrower than 10^−6 of its magnitude is widened by 1, or by 10 % of
/// |dmin|).
/// Postcondition (tested): lo ≤ dmin, dmax ≤ hi, ticks cover [lo, hi] with lo and hi
/// among them.
AxisRange axis_range(double dmin, double dmax, bool log);

/// The data area (the box drawn around it lies a few pixels outside, so points on the
/// ends of an axis stay visible) and the map from data to pixels (x to the right, y down, pixel
/// centres at half-integers): px(lo) = left, px(hi) = right, py(lo) = bottom,
/// py(hi) = top, affine in x (or in log10 x on a log axis). One map for the PNG and
/// the PDF, so a test can predict where the data lands.
struct PlotFrame {
    double left = 0, top = 0, right = 0, bottom = 0;
    AxisRange x, y;
    bool log_x = false, log_y = false;
    double px(double v) const;
    double py(double v) const;
};
/// The frame of a plot: the axes cover every lo, hi and x of every series (categorical:
/// 0.5 … k + 0.5). DomainError for an empty plot, a non-finite value, lo > hi, or a
/// value ≤ 0 on a log axis (each named by series and point), ShapeError for a size
/// below 200×150 or above 8192.
PlotFrame plot_frame(const Plot& p);

/// A plot of table columns (the --plot of tables whose rows are a curve): one series per
/// key of `y_keys`, named by its header, against the column `x_key`. Each cell's machine
/// value is read as an exact rational (parse_rational: "p/q" or a decimal, e.g. a
/// bound already rounded outward) and converted to the doubles [down, up] around it;
/// an x column that does not read as numbers becomes categorical (its texts the
/// labels). ParseError naming the column and row for a y cell that is not a number, or
/// an unknown key. Title from the table, axis labels from the headers.
Plot plot_columns(const Table& t, const std::string& x_key, const std::vector<std::string>& y_keys, bool log_y);

/// The data as CSV (RFC 4180, through the table writer): columns series, x, y_lo,
/// y_hi, one row per point; numbers in the shortest decimal that reads back as the
/// same double (std::to_chars), so the file parses back to exactly the data.
std::string plot_csv(const Plot& p);

/// A standalone PGFPlots document (\documentclass{standalone}, pgfplots, ASCII only):
/// one \addplot per series from an inline table with columns x, y, lo, hi (the same
/// shortest decimals as the CSV; y the midpoint drawn) and explicit asymmetric error
/// bars lo..hi; log axes as ymode/xmode=log. Compiles with pdflatex.
std::string plot_pgfplots(const Plot& p);

/// Renders with Cairo: axes, grid at the ticks, tick labels (10^k on log axes), axis
/// labels, title, legend, the series in a fixed palette of dark colours on white.
/// ParseError naming the file if it cannot be written; plot_frame's errors.
void write_plot_png(const Plot& p, const std::string& path);
void write_plot_pdf(const Plot& p, const std::string& path);

/// Writes PREFIX.png, PREFIX.pdf, PREFIX.tex and PREFIX.csv (the `--plot PREFIX` of
/// the CLI); returns the four paths written, in that order.
std::vector<std::string> write_plot(const Plot& p, const std::string& prefix);

/// A labelled image for a panel.
struct PanelImage {
    std::string label;
    Image image;
};

/// Writes PREFIX.png, PREFIX.pdf and PREFIX.csv: the images side by side (each scaled
/// by the same integer factor to at least 256 pixels, nearest neighbour, pixel values
/// clamped to [0, 1] as gray levels as in write_png), each with its label above it; the
/// CSV has columns i, j (column, row of the pixel) and one column per image (its label
/// made unique by numbering repeats), values in shortest round-trip decimals. ShapeError
/// unless all images have the same size (and there is at least one). Returns the
/// paths written.
std::vector<std::string> write_image_panel(const std::vector<PanelImage>& images, const std::string& prefix);

/// |a − b| per pixel divided by its maximum (all zeros when a = b), for the error image
/// of a panel: a floating-point picture, not a bound. ShapeError if the sizes differ.
Image error_image(const Image& a, const Image& b, double* max_abs = nullptr);

}  // namespace rigornet
