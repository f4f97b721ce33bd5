// rigornet — the Matrix Market exchange format (NIST; Boisvert, Pozo, Remington 1996),
// read exactly: every value is parsed as the decimal it is written as ("0.1" = 1/10).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rigornet/linalg/operator.hpp"

namespace rigornet {

/// A matrix as stored entries: real parts `re`, and imaginary parts `im` when complex
/// (empty otherwise). Entries with equal (row, col) are summed by whoever builds an
/// operator from them (SparseMatrix); 0-based indices.
struct MatrixEntries {
    std::size_t rows = 0, cols = 0;
    bool complex = false;
    std::vector<SparseEntry> re, im;
};

/// The limits of the reader, each checked before the memory it guards is spent.
namespace market_limits {
constexpr std::uintmax_t max_file_bytes = std::uintmax_t{1} << 28;
constexpr std::uint64_t max_dim = 10000000;           // rows, cols
constexpr std::uint64_t max_entries = std::uint64_t{1} << 24;  // stored entries (array: rows·cols)
}  // namespace market_limits

/// Reads `%%MatrixMarket matrix coordinate|array real|integer|complex|pattern
/// general|symmetric|skew-symmetric|hermitian` (the banner is case-insensitive; `%`
/// lines are comments). Coordinate entries are "i j value" (1-based; complex: "i j re
/// im"; pattern: "i j", value 1); array values are listed column by column (symmetric
/// kinds: the lower triangle only). Symmetric kinds are expanded: a_ji = a_ij
/// (symmetric), −a_ij (skew-symmetric, no diagonal), conj(a_ij) (hermitian).
/// Throws ParseError naming `path:line` and what was expected; ResourceError for sizes
/// over market_limits; ShapeError naming the line for an index outside the size.
MatrixEntries read_matrix_market(const std::string& path);

}  // namespace rigornet
