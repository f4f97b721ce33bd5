// rigornet — the version every JSON output carries ("rigornet_version"), so a stored
// result says which engine produced it.
#pragma once

namespace rigornet {

inline constexpr const char* version = "0.2.0";

}  // namespace rigornet
