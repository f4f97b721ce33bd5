// rigornet — error types. Every failure at a trust boundary (file, CLI, certificate)
// throws one of these with a message naming where and what was expected.
#pragma once
#include <stdexcept>
#include <string>

namespace rigornet {

/// Base of every rigornet error.
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};
/// Malformed text: a number, a JSON network, an NNet file. Message names the place.
struct ParseError : Error {
    using Error::Error;
};
/// Inconsistent shapes or indices in a network. Message names the layer.
struct ShapeError : Error {
    using Error::Error;
};
/// A mathematically undefined operation (division by zero, √ of a negative number).
struct DomainError : Error {
    using Error::Error;
};
/// Input refused because honouring it would exhaust time or memory.
struct ResourceError : Error {
    using Error::Error;
};

}  // namespace rigornet
