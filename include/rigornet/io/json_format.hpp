// rigornet — the exact JSON network format (documented in docs/formats.md).
// Rationals are JSON strings ("-3/7", "0.1" = 1/10, "1e-5"); JSON integers are accepted;
// JSON floating-point numbers are refused (they would pass through binary64).
#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "rigornet/network/network.hpp"
#include "rigornet/linalg/structured.hpp"

namespace rigornet {

/// The limits of the JSON reader. Each bounds work or memory that the input could
/// otherwise make unbounded; exceeding one is a ResourceError naming the source and the
/// JSON path where the limit was crossed.
namespace json_limits {
/// Largest file read_network_json reads, and the largest document write_network_json
/// writes (so that everything rigornet writes, it can read back).
constexpr std::uintmax_t max_file_bytes = std::uintmax_t{1} << 28;
/// Deepest nesting of operators (adjoint, composition, block) or of gate expressions.
constexpr int max_depth = 200;
/// Largest declared size (rows, cols, input_dim, an index).
constexpr std::uint64_t max_dim = 10000000;
/// Operator applications of the network with every shared definition expanded (summed
/// over the layers' A and B): bounds an evaluation and every walk over operator trees,
/// which a definition used twice per level would make exponential in the file size.
constexpr std::uint64_t max_expanded_operators = std::uint64_t{1} << 22;
/// Values allocated without data in the file: default zero biases (rows of A when "c"
/// is absent) and the row tables of sparse matrices (rows + 1 each).
constexpr std::uint64_t max_unbacked_values = std::uint64_t{1} << 23;
/// Bits of exact rationals (weights, biases, coefficients, θ, twiddle factors of
/// fourier-rational) a document may produce: this base plus bits_per_literal_char per
/// character of its number literals, since an exponent ("1e100000") amplifies input.
constexpr std::uint64_t base_weight_bits = std::uint64_t{1} << 26;
constexpr std::uint64_t bits_per_literal_char = 64;
/// Largest "accuracy" (bits) of a fourier-rational operator.
constexpr long max_fourier_accuracy = 4096;
}  // namespace json_limits

/// Builds a network from its JSON document. Every object accepts only its documented
/// keys. Throws ParseError naming `source` and the JSON path of the offending value
/// (e.g. "net.json: layers[2].A.dense[1][0]: ..."; an unknown key names the closest
/// valid one), ShapeError or DomainError (prefixed with `source` and the path or the
/// layer) for inconsistent shapes or values, and ResourceError naming the path when a
/// json_limits bound is exceeded; it checks each bound before the allocation or work it
/// guards. A definition under "operators" referenced several times is built once and
/// shared. Never approximates: every number is read exactly.
Network network_from_json(const nlohmann::json& doc, const std::string& source);

/// Reads a JSON network file (see network_from_json). At most json_limits::max_file_bytes
/// are read whatever the file is (a device or a pipe included): more is a ResourceError.
/// Invalid JSON is a ParseError naming the file and the JSON path reached.
Network read_network_json(const std::string& path);

/// The JSON document of a network. Exact: network_from_json(network_to_json(n)) has
/// identical layers and rationals. Every operator reached from more than one place (a
/// layer or an enclosing operator) is written once under "operators" and referenced, so
/// the document is linear in the number of distinct operators. Throws Error for a
/// structured operator that has no JSON form.
nlohmann::json network_to_json(const Network& net);

/// A JSON document read from `path` with the size guard of read_network_json
/// (json_limits::max_file_bytes); invalid JSON is a ParseError naming the file and the
/// JSON path reached.
nlohmann::json read_json_document(const std::string& path);

/// One matrix object of the network format ({"rows", "cols", "dense" | "sparse"}, or a
/// structured {"operator", ...}; docs/formats.md), read with the network reader's checks
/// and limits; errors name `source` and `path`. Exact: every entry is read as written.
OperatorPtr matrix_from_json(const nlohmann::json& m, const std::string& source, const std::string& path);

/// A JSON array of exact rationals (strings or integers), with the reader's checks;
/// errors name `source` and `path`.
std::vector<Rational> rationals_from_json(const nlohmann::json& v, const std::string& source, const std::string& path);

/// Writes network_to_json(net) to `out`, one line per top-level field, per operator
/// definition and per layer (compact within a line). Throws ResourceError, and
/// writes nothing, when the text would exceed json_limits::max_file_bytes.
void write_network_json(const Network& net, std::ostream& out);

}  // namespace rigornet
