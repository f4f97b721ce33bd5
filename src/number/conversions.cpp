#include "rigornet/number/conversions.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <utility>

namespace rigornet {

namespace {

template <Arithmetic A>
typename A::value_type convert(const A& ar, const Rational& x) {
    return ar.from_rational(x);
}

template <Arithmetic A>
std::vector<typename A::value_type> convert(const A& ar, const std::vector<Rational>& x) {
    std::vector<typename A::value_type> v;
    v.reserve(x.size());
    for (const Rational& e : x) v.push_back(ar.from_rational(e));
    return v;
}

template <class A, class X>
using Converted = decltype(convert(std::declval<const A&>(), std::declval<const X&>()));

// One arithmetic's conversion of the exact value x: made once, since from_rational
// depends on no parameter (the concept's contract for !per_precision) …
template <class A, class X>
struct Slot {
    std::once_flag once;
    std::optional<Converted<A, X>> value;
    const Converted<A, X>& get(const A& ar, const X& x) {
        std::call_once(once, [&] { value.emplace(convert(ar, x)); });
        return *value;
    }
};

// … or once per precision, the only parameter it then depends on …
template <class A, class X>
    requires(A::per_precision)
struct Slot<A, X> {
    std::mutex mutex;
    std::map<long, Converted<A, X>> at;  // node-based: references stay valid
    const Converted<A, X>& get(const A& ar, const X& x) {
        std::lock_guard<std::mutex> lock(mutex);
        auto it = at.find(ar.prec);
        if (it == at.end()) it = at.emplace(ar.prec, convert(ar, x)).first;
        return it->second;
    }
};

// … or not at all: an exact arithmetic's values are the rationals themselves.
template <class A, class X>
    requires(A::exact)
struct Slot<A, X> {
    const X& get(const A&, const X& x) { return x; }
};

template <class X, class List>
struct Slots;
template <class X, class... As>
struct Slots<X, ArithList<As...>> {
    std::tuple<Slot<As, X>...> slots;
    template <class A>
    const Converted<A, X>& get(const A& ar, const X& x) {
        return std::get<Slot<A, X>>(slots).get(ar, x);
    }
};

}  // namespace

struct Constant::Cache : Slots<Rational, SupportedArithmetics> {};
struct EntryCache::Cache : Slots<std::vector<Rational>, SupportedArithmetics> {};

Constant::Constant(Rational x) : exact_(std::move(x)), cache_(std::make_shared<Cache>()) {}

EntryCache::EntryCache(std::vector<Rational> entries)
    : exact_(std::move(entries)), cache_(std::make_shared<Cache>()) {
    for (const Rational& e : exact_) max_bits_ = std::max(max_bits_, e.bits());
}

#define RIGORNET_DEFINE_CONVERSIONS(A)                                                             \
    const A::value_type& Constant::value(const A& ar) const { return cache_->get(ar, exact_); }    \
    const std::vector<A::value_type>& EntryCache::get(const A& ar) const { return cache_->get(ar, exact_); }
RIGORNET_FOR_EACH_ARITH(RIGORNET_DEFINE_CONVERSIONS)
#undef RIGORNET_DEFINE_CONVERSIONS

}  // namespace rigornet
