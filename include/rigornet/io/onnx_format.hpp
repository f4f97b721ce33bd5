// rigornet — ONNX input: the feed-forward networks of the verification community
// (VNN-COMP ACAS Xu, mnistfc, test), read with the ONNX project's own protobuf schema
// (Debian libonnx-dev) into the network model with exact rational parameters.
#pragma once
#include <string>

#include "rigornet/network/network.hpp"

namespace rigornet {

/// The semantics label of a network read from ONNX: the real-valued network whose
/// parameters are the exact values of the stored float32 numbers.
inline constexpr const char* onnx_semantics = "onnx-float32";

/// Parses the bytes of an ONNX model (a serialised onnx.ModelProto) into the network it
/// defines, exactly:
///  - every stored float32 (raw_data, little-endian, or float_data) and float64
///    (raw_data or double_data) becomes the exact rational it denotes; int64 tensors are
///    used only as shapes (Reshape);
///  - Div by a constant c becomes multiplication by the exact rational 1/c, so the result
///    is the real-valued network with those exact parameters, *not* the float32
///    computation an ONNX runtime performs (which rounds after every operation);
///  - the graph must be a chain from its single non-initialiser input to its single
///    output, each node consuming the previous node's tensor (Constant nodes and
///    initialisers, also when listed as graph inputs, are the constants). Consecutive
///    affine nodes — MatMul (2-D constant on either side), Gemm (alpha, beta, transA,
///    transB), Add/Sub/Mul/Div with a constant (numpy broadcasting that does not
///    enlarge the tensor), Flatten, Reshape, Identity — are folded exactly into one
///    affine layer before each Relu. Flatten and Reshape never reorder data (both keep
///    the row-major order), so they only change the shape that MatMul and Gemm read.
/// The network's input is the graph input flattened row-major; its output likewise.
/// Refused with ParseError naming `source` and the node (index, name, op_type): any other
/// operator, a branching or disconnected graph, a MatMul or Gemm on a tensor with a batch
/// dimension ≠ 1, shapes that do not match, element types other than float32/float64,
/// external data, NaN or ±∞ parameters, a file protobuf cannot parse. Tensors of more
/// than 5·10^7 values, products of more than 10^8 rational operations while folding,
/// and layers of more than 5·10^7 weights are refused with ResourceError before
/// anything is allocated.
Network parse_onnx(const std::string& bytes, const std::string& source);

/// read (at most 2^30 bytes; directories and unreadable files refused with ParseError)
/// + parse_onnx.
Network read_onnx(const std::string& path);

}  // namespace rigornet
