// rigornet — dispatch on the concrete type of a LinearOperator: one case per operator type
// of RIGORNET_FOR_EACH_OPERATOR, checked at compile time (no dynamic_cast ladders).
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "rigornet/core/overloaded.hpp"
#include "rigornet/linalg/operator.hpp"
#include "rigornet/linalg/structured.hpp"
#include "rigornet/linalg/transforms.hpp"

namespace rigornet {

namespace detail {
// The visitor behind visit_operator: each visit calls the overload set on the concrete
// operator and keeps its result.
template <class R, class Cases>
class OperatorCases final : public OperatorVisitor {
public:
    explicit OperatorCases(Cases& cases) : cases_(cases) {}
#define RIGORNET_VISIT_CASE(T)           \
    void visit(const T& op) override {   \
        if constexpr (std::is_void_v<R>) \
            cases_(op);                  \
        else                             \
            result_.emplace(cases_(op)); \
    }
    RIGORNET_FOR_EACH_OPERATOR(RIGORNET_VISIT_CASE)
#undef RIGORNET_VISIT_CASE
    R result() {
        if constexpr (!std::is_void_v<R>) return std::move(*result_);
    }

private:
    Cases& cases_;
    std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> result_{};
};
}  // namespace detail

/// Calls the case of `cases` (an overload set, see Overloaded) that takes op's concrete
/// type and returns its result as R. Every listed operator type needs a viable case: a
/// missing one fails to compile (in the visit override generated for that type). A case
/// taking `const LinearOperator&` is a deliberate default for the types without their own.
template <class R = void, class... F>
R visit_operator(const LinearOperator& op, F&&... cases) {
    using Set = Overloaded<std::decay_t<F>...>;
#define RIGORNET_HAS_CASE(T) &&std::is_invocable_v<Set&, const T&>
    static_assert(true RIGORNET_FOR_EACH_OPERATOR(RIGORNET_HAS_CASE),
                  "visit_operator needs a case for every operator type of RIGORNET_FOR_EACH_OPERATOR");
#undef RIGORNET_HAS_CASE
    Set set{std::forward<F>(cases)...};
    detail::OperatorCases<R, decltype(set)> v(set);
    op.accept(v);
    return v.result();
}

}  // namespace rigornet
