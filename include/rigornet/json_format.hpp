// rigornet — the exact JSON network format (documented in docs/formats.md).
// Rationals are JSON strings ("-3/7", "0.1" = 1/10, "1e-5"); JSON integers are accepted;
// JSON floating-point numbers are refused (they would pass through binary64).
#pragma once
#include <iosfwd>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "rigornet/network.hpp"

namespace rigornet {

/// Builds a network from its JSON document. Throws ParseError naming `source` and the
/// JSON path of the offending value (e.g. "net.json: layers[2].A.dense[1][0]: ..."),
/// ShapeError (prefixed with `source`) for inconsistent shapes, ResourceError for
/// absurd sizes. Never approximates: every number is read exactly.
Network network_from_json(const nlohmann::json& doc, const std::string& source);

/// Reads a JSON network file (see network_from_json). Parse errors carry line/column.
Network read_network_json(const std::string& path);

/// The JSON document of a network. Exact: network_from_json(network_to_json(n)) has
/// identical layers and rationals. Throws Error for a structured operator that has no
/// JSON form.
nlohmann::json network_to_json(const Network& net);

/// Writes network_to_json(net) to `out` (2-space indentation).
void write_network_json(const Network& net, std::ostream& out);

}  // namespace rigornet
