// rigornet — one table writer for every table the engine prints (DESIGN.md §1):
// aligned text, Markdown, LaTeX (booktabs), CSV and JSON (a list of row objects).
#pragma once
#include <string>
#include <vector>

namespace rigornet {

enum class TableFormat { text, md, latex, csv, json };
/// "text", "md", "latex", "csv", "json" → TableFormat; ParseError otherwise.
TableFormat parse_table_format(const std::string& s);

/// A cell: `value` is what machines read (JSON and CSV: an exact rational "p/q" where
/// the quantity is exact), `text` what people read (text, Markdown, LaTeX: e.g.
/// "113/32 ≈ 3.53125"). A plain string is both.
struct Cell {
    std::string text, value;
    std::string json;  // if set, JSON text written instead of the string `value` (an array, null)
    Cell(std::string s) : text(s), value(std::move(s)) {}  // NOLINT: a string is a cell
    Cell(const char* s) : Cell(std::string(s)) {}          // NOLINT
    Cell(std::string t, std::string v) : text(std::move(t)), value(std::move(v)) {}
    Cell(std::string t, std::string v, std::string j) : text(std::move(t)), value(std::move(v)), json(std::move(j)) {}
    /// An enclosure [lo, hi] (lo, hi already rounded outward): JSON gets the array
    /// ["lo", "hi"], the other formats the text "[lo, hi]".
    static Cell interval(const std::string& lo, const std::string& hi);
};

/// A table of cells. Column keys name the fields of the JSON row objects; headers are
/// what the other formats show. Cells are already formatted (exact rationals as "p/q",
/// bounds rounded outward by whoever filled them): the writer never rounds.
struct Table {
    std::string title;
    std::vector<std::string> keys, headers;
    std::vector<std::vector<Cell>> rows;
    std::vector<std::string> notes;  // printed under the table (not in JSON or CSV)

    /// Appends a row; ShapeError if it has the wrong number of cells.
    void add_row(std::vector<Cell> row);
};

/// Text for LaTeX text mode: & % $ # _ { } ^ ~ \\ < > | escaped, the non-ASCII symbols
/// the tables use (≈ ≤ ≥ ∞ · √ − θ ρ λ ν Γ ℓ ² ‖ ∏ Σ × ′ ±) as math mode, any other
/// code point as "(U+XXXX)": the result is ASCII and compiles with plain pdflatex.
std::string escape_latex(const std::string& s);

/// The table in the given format. LaTeX and Markdown escape their special characters;
/// CSV quotes cells containing commas, quotes or newlines (RFC 4180).
std::string render(const Table& t, TableFormat f);

}  // namespace rigornet
