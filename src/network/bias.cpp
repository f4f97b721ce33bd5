#include "rigornet/network/bias.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace rigornet {

Bias::Bias(std::size_t n) : n_(n) {}

Bias::Bias(const std::vector<Rational>& entries) : n_(entries.size()) {
    std::vector<BiasRun> runs;
    for (std::size_t i = 0; i < entries.size();) {
        std::size_t j = i + 1;
        while (j < entries.size() && entries[j] == entries[i]) ++j;
        if (!entries[i].is_zero()) runs.push_back({i, j, entries[i]});
        i = j;
    }
    *this = from_runs(n_, std::move(runs));
}

Bias Bias::from_runs(std::size_t n, std::vector<BiasRun> runs) {
    std::sort(runs.begin(), runs.end(), [](const BiasRun& a, const BiasRun& b) { return a.begin < b.begin; });
    Bias b(n);
    std::vector<Run> out;
    std::vector<Rational> distinct;
    std::map<Rational, std::size_t> index;  // value → position in `distinct`
    std::size_t prev_end = 0;
    for (const BiasRun& r : runs) {
        const std::string what = "bias run [" + std::to_string(r.begin) + ", " + std::to_string(r.end) + ")";
        if (r.end <= r.begin || r.end > n)
            throw ShapeError(what + " is empty or outside the bias of size " + std::to_string(n));
        if (r.begin < prev_end) throw ShapeError(what + " overlaps the run before it");
        prev_end = r.end;
        if (r.value.is_zero()) continue;
        auto [it, fresh] = index.try_emplace(r.value, distinct.size());
        if (fresh) distinct.push_back(r.value);
        if (!out.empty() && out.back().end == r.begin && out.back().value == it->second)
            out.back().end = r.end;
        else
            out.push_back({r.begin, r.end, it->second});
    }
    if (!out.empty()) b.impl_ = std::make_shared<const Impl>(Impl{std::move(out), EntryCache(std::move(distinct))});
    return b;
}

const Rational& Bias::at(std::size_t i) const {
    static const Rational zero;
    if (i >= n_)
        throw ShapeError("bias index " + std::to_string(i) + " outside the bias of size " + std::to_string(n_));
    if (is_zero()) return zero;
    const auto& runs = impl_->runs;
    // the first run ending after i
    auto it = std::upper_bound(runs.begin(), runs.end(), i, [](std::size_t k, const Run& r) { return k < r.end; });
    if (it == runs.end() || it->begin > i) return zero;
    return impl_->values.get(ExactArith{})[it->value];
}

std::vector<Rational> Bias::dense() const {
    std::vector<Rational> c(n_);
    if (is_zero()) return c;
    const auto& v = impl_->values.get(ExactArith{});
    for (const Run& r : impl_->runs)
        for (std::size_t i = r.begin; i < r.end; ++i) c[i] = v[r.value];
    return c;
}

}  // namespace rigornet
