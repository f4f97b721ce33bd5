#include "rigornet/core/verdict.hpp"

namespace rigornet {

std::string verdict_name(Verdict v) {
    return v == Verdict::proved ? "proved" : v == Verdict::refuted ? "refuted" : "unknown";
}

}  // namespace rigornet
