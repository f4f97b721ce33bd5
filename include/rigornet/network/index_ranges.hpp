// rigornet — a list of distinct-or-not indices stored as runs of consecutive values, so
// that "every coordinate of this block" costs one run instead of one entry per
// coordinate (DESIGN.md §4: elementwise maps on index sets, gate targets). The order of
// the indices is kept: iterating visits exactly the list it was built from.
#pragma once
#include <cstddef>
#include <initializer_list>
#include <utility>
#include <vector>

namespace rigornet {

/// Indices i_0, i_1, … stored as runs [begin, end) of consecutive values, in order.
/// Lossless: list() returns exactly the indices appended (duplicates included; the
/// network checks distinctness where it needs it).
class IndexRanges {
public:
    struct Run {
        std::size_t begin, end;  // begin < end
        friend bool operator==(const Run&, const Run&) = default;
    };
    IndexRanges() = default;
    /// The list as given, compressed into maximal runs of consecutive values.
    IndexRanges(const std::vector<std::size_t>& list);  // NOLINT: lossless, implicit
    IndexRanges(std::initializer_list<std::size_t> list) : IndexRanges(std::vector<std::size_t>(list)) {}
    /// begin, begin + 1, …, end − 1 (empty when end ≤ begin).
    static IndexRanges range(std::size_t begin, std::size_t end);
    /// Appends begin, …, end − 1 (merging with the last run when it continues it).
    void append(std::size_t begin, std::size_t end);

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    const std::vector<Run>& runs() const { return runs_; }
    /// The indices, in order.
    std::vector<std::size_t> list() const;
    /// f(i) for every index, in order.
    template <class F>
    void for_each(F&& f) const {
        for (const Run& r : runs_)
            for (std::size_t i = r.begin; i < r.end; ++i) f(i);
    }
    /// Equal lists (the runs are maximal, so equal lists have equal runs).
    friend bool operator==(const IndexRanges& a, const IndexRanges& b) { return a.runs_ == b.runs_; }

private:
    std::vector<Run> runs_;
    std::size_t size_ = 0;
};

}  // namespace rigornet
