#include "rigornet/network/index_ranges.hpp"

namespace rigornet {

IndexRanges::IndexRanges(const std::vector<std::size_t>& list) {
    for (std::size_t i : list) append(i, i + 1);
}

IndexRanges IndexRanges::range(std::size_t begin, std::size_t end) {
    IndexRanges r;
    r.append(begin, end);
    return r;
}

void IndexRanges::append(std::size_t begin, std::size_t end) {
    if (end <= begin) return;
    size_ += end - begin;
    if (!runs_.empty() && runs_.back().end == begin)
        runs_.back().end = end;
    else
        runs_.push_back({begin, end});
}

std::vector<std::size_t> IndexRanges::list() const {
    std::vector<std::size_t> out;
    out.reserve(size_);
    for_each([&](std::size_t i) { out.push_back(i); });
    return out;
}

}  // namespace rigornet
