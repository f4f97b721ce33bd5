// rigornet — an overload set built from callables, the one way the code dispatches over a
// closed set of kinds (layer kinds, operator types): each case takes one concrete type,
// so a kind with no case leaves the call without a viable overload and fails to compile.
#pragma once

namespace rigornet {

/// Overloaded{f, g, …}: a callable whose operator() is the overload set of f, g, ….
/// Cases should take concrete types; a case taking a common base or `auto` swallows
/// every kind and turns off the "missing case fails to compile" check, so use one only
/// where a dispatch deliberately handles some kinds alike, and say so.
template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace rigornet
