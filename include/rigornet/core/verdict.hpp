// rigornet — the three-valued answer of every decision procedure.
#pragma once
#include <string>

namespace rigornet {

/// proved: the claim holds (a proof was checked); refuted: it is false (a witness was
/// checked); unknown: neither could be established (never a hidden "false").
enum class Verdict { proved, refuted, unknown };

/// "proved", "refuted" or "unknown".
std::string verdict_name(Verdict v);

}  // namespace rigornet
